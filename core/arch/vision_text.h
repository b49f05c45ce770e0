// Models that place pictures and texts in one embedding space (CLIP): the image tower, the text
// tower, their projections and the learned temperature.
//
//   auto& m = loaded->visionText();
//   torch::Tensor img = m.imageFeatures(pixels);           // (B, 3, S, S) -> (B, projection)
//   torch::Tensor txt = m.textFeatures({ids, keep});       // (B, T) -> (B, projection)
//   logits = m.logitScale() * normalize(img) @ normalize(txt).T
//
// Features are the projected embeddings before L2 normalisation, as transformers'
// get_image_features / get_text_features return them.
// Thread safety: as Network; set torch::InferenceMode on the worker thread.
#pragma once

#include "arch/encoder.h"

namespace fm {

class VisionTextModel : public Network {
 public:
  virtual torch::Tensor imageFeatures(const torch::Tensor& pixels) = 0;  // (B, projection), fp32
  virtual torch::Tensor textFeatures(const EncoderArgs& args) = 0;      // (B, projection), fp32
  // exp(logit_scale): what cosine similarities are multiplied by to give logits.
  virtual double logitScale() const = 0;
  virtual int64_t imageSize() const = 0;      // pixels per side the image tower takes
  virtual int64_t maxTextTokens() const = 0;  // positions of the text tower
};

}  // namespace fm
