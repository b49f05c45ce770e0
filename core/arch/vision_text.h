// Models that place pictures and texts in one embedding space (CLIP, SigLIP): the image tower,
// the text tower, their projections and the learned temperature (and SigLIP's bias).
//
//   auto& m = loaded->visionText();
//   torch::Tensor img = m.imageFeatures(pixels);           // (B, 3, S, S) -> (B, projection)
//   torch::Tensor txt = m.textFeatures({ids, keep});       // (B, T) -> (B, projection)
//   logits = m.logitScale() * normalize(img) @ normalize(txt).T + m.logitBias()
//   scores = m.sigmoidScores() ? sigmoid(logits) : softmax(logits over the texts)
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
  // Added to every logit (SigLIP's learned logit_bias; 0 for CLIP).
  virtual double logitBias() const { return 0.0; }
  // SigLIP scores each text on its own (sigmoid); CLIP spreads one softmax over the texts.
  virtual bool sigmoidScores() const { return false; }
  // The length every text is padded to, read without a padding mask, because the model was
  // trained that way (SigLIP: padding="max_length"); 0: padded to the batch's longest, masked.
  virtual int64_t fixedTextLength() const { return 0; }
  virtual int64_t imageSize() const = 0;      // pixels per side the image tower takes
  virtual int64_t maxTextTokens() const = 0;  // positions of the text tower
};

}  // namespace fm
