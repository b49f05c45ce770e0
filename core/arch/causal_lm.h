// Causal language models (decoder-only transformers), one file per architecture, created by
// the registry keyed by config.json's model_type.
//
//   auto lm = fm::createCausalLM(folder.config());       // empty fp32 parameters
//   fm::loadWeights(*lm, folder.openWeights());           // strict (arch/network.h)
//   fm::KVCache cache = lm->makeCache(1, 512);
//   torch::Tensor logits = lm->forward({ids, &cache});    // (B, T, vocab)
//
// Thread safety: forward() does not mutate the module; several jobs may run inference on one
// model at once, each with its own KVCache and its own adapter scope (nn/lora_adapter.h).
// Set torch::InferenceMode on the worker thread.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "arch/network.h"
#include "nn/attention.h"

namespace fm {

struct ForwardArgs {
  torch::Tensor ids;        // (B, T) int64
  KVCache* cache = nullptr; // appended to when given; positions continue from cache->length
  torch::Tensor positions;  // optional (B, T) int64; default past + arange(T)
  torch::Tensor mask;       // optional additive mask broadcastable to (B, 1, T, S); replaces
                            // the causal mask (used for padding)
  // Packed training batches: with B == 1, the T tokens are these consecutive sequences. Each
  // attends causally to itself only and positions restart at 0 for each (unless `positions` is
  // given). No padding is computed. Not combinable with a cache.
  std::vector<int64_t> segments;
  // Optional int64 indices into the flattened (B*T) positions: only these rows go through the
  // LM head and forward() returns (N, vocab). Saves the head where no loss is taken.
  torch::Tensor outputRows;
  // Decoders with cross-attention (the text half of an encoder-decoder captioner): the
  // encoder's states (B, N, hidden) every block also attends to. With a cache, the keys and
  // values made from them at the first step are kept in cache->crossK / crossV.
  torch::Tensor encoderStates;
  // Optional (B, T, hidden) vectors fed in place of the token embeddings of `ids` (which may
  // then be undefined): a prefix captioner's picture vectors followed by embedTokens(ids).
  // Learned positions are still added.
  torch::Tensor inputEmbeds;
};

class CausalLM : public Network {
 public:
  virtual torch::Tensor forward(const ForwardArgs& args) = 0;
  virtual KVCache makeCache(int64_t batch, int64_t capacity) const = 0;
  // The input embeddings of `ids` (B, T) -> (B, T, hidden), as forward() starts from them.
  virtual torch::Tensor embedTokens(const torch::Tensor& ids) const = 0;
};

// Throws UnsupportedError for unknown model types and for models of another kind (an encoder
// cannot generate text).
std::shared_ptr<CausalLM> createCausalLM(const nlohmann::json& config);

// Checks ForwardArgs for the packed layout (B == 1, lengths summing to T, no cache).
void checkPacked(const ForwardArgs& a);

// Applies ForwardArgs::outputRows to final hidden states (B, T, H) -> (N, H), or returns them.
torch::Tensor selectOutputRows(const torch::Tensor& x, const torch::Tensor& rows);

}  // namespace fm
