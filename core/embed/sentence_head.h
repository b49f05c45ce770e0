// The stages after the encoder that make one vector per text: pooling, sentence-transformers
// Dense layers, normalisation (embed/sentence_config.h says which).
//
//   fm::SentenceHead head(config);                         // reads 2_Dense weights, if any
//   torch::Tensor v = head.forward(hidden, keep, promptLen);   // (B, dim)
//
// Thread safety: immutable after construction; forward may run on several threads.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "embed/sentence_config.h"

namespace fm {

class SentenceHead {
 public:
  explicit SentenceHead(const SentenceConfig& config);
  // hidden (B, T, H) token states; keep (B, T) nonzero for real tokens (right padding);
  // promptTokens: leading tokens left out when the pooling excludes the prompt (0 = none).
  // Returns (B, dim) fp32.
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& keep, int64_t promptTokens) const;
  void to(torch::Device device);

 private:
  struct Dense {
    torch::Tensor weight, bias;  // (out, in), (out)
    std::string activation;
  };
  SentenceConfig m_cfg;
  std::vector<Dense> m_dense;
};

}  // namespace fm
