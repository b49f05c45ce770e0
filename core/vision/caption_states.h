// Captions from what an image-to-text model's encodeImages() made (arch/image_to_text.h), for
// callers that already hold those states: the captioner trainer's samples of held-out pictures.
//
// Thread safety: as caption.h.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "vision/caption.h"

namespace fm {

class ImageToTextModel;
class Tokenizer;

// Greedy for the whole batch, or beam search picture by picture; in input order.
std::vector<Caption> captionFromStates(ImageToTextModel& net, const Tokenizer& tok, const torch::Tensor& states,
                                       const CaptionOptions& options);

}  // namespace fm
