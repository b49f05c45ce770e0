// Models that describe a picture in words (captioners): an image encoder whose states a text
// decoder attends to through cross-attention.
//
//   auto& m = loaded->imageToText();
//   torch::Tensor states = m.encodeImages(pixels);            // (B, 3, S, S) -> (B, N, hidden)
//   fm::KVCache cache = m.makeCache(B, 32);
//   torch::Tensor logits = m.decode(ids, states, &cache);     // (B, T, vocab), fp32
//
// Thread safety: as Network; set torch::InferenceMode on the worker thread.
#pragma once

#include "arch/network.h"
#include "nn/attention.h"

namespace fm {

class ImageToTextModel : public Network {
 public:
  virtual torch::Tensor encodeImages(const torch::Tensor& pixels) = 0;
  // `states` are needed at the first step of a cache (and at every step without one).
  virtual torch::Tensor decode(const torch::Tensor& ids, const torch::Tensor& states, KVCache* cache) = 0;
  virtual KVCache makeCache(int64_t batch, int64_t capacity) const = 0;
  virtual int64_t imageSize() const = 0;
  virtual int64_t maxTextTokens() const = 0;
  // The token generation starts from (config.json decoder_start_token_id, else the decoder's bos).
  virtual int64_t decoderStartId() const = 0;
  virtual std::vector<int64_t> eosIds() const = 0;
};

}  // namespace fm
