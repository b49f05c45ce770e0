// Building blocks shared by the architectures. Parameter names equal Hugging Face checkpoint
// keys ("weight", "bias"), so loading is a name lookup.
//
// Thread safety: modules are shared read-only by inference jobs; never call forward on one
// module from two threads while a third mutates its parameters.
#pragma once

#include <torch/torch.h>

#include <utility>

#include "arch/causal_lm.h"

namespace fm {

// A low-rank adapter on one Linear (see core/lora): y += scale * B(A(dropout(x))).
// A (r, in), B (out, r). Kept outside the module's registered parameters so the base model's
// state stays exactly the checkpoint's.
struct LoraSlot {
  torch::Tensor A, B;
  double scale = 1.0;
  double dropout = 0.0;
  bool enabled = true;
};

// y = x W^T + b, W (out, in) as nn.Linear stores it. Hook point for LoRA.
struct LinearImpl : torch::nn::Module {
  LinearImpl(int64_t in, int64_t out, bool hasBias);
  torch::Tensor forward(const torch::Tensor& x);
  int64_t in = 0, out = 0;
  torch::Tensor weight, bias;
  std::shared_ptr<LoraSlot> lora;  // null when no adapter is attached
};
TORCH_MODULE(Linear);

// GPT-2's Conv1D: W stored (in, out), y = x W + b.
struct Conv1DImpl : torch::nn::Module {
  Conv1DImpl(int64_t in, int64_t out);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight, bias;
};
TORCH_MODULE(Conv1D);

// Llama's RMSNorm, computed in fp32 whatever the model dtype (as transformers does).
struct RMSNormImpl : torch::nn::Module {
  RMSNormImpl(int64_t dim, double eps);
  torch::Tensor forward(const torch::Tensor& x);
  double eps;
  torch::Tensor weight;
};
TORCH_MODULE(RMSNorm);

struct LayerNormImpl : torch::nn::Module {
  LayerNormImpl(int64_t dim, double eps);
  torch::Tensor forward(const torch::Tensor& x);
  double eps;
  torch::Tensor weight, bias;
};
TORCH_MODULE(LayerNorm);

struct EmbeddingImpl : torch::nn::Module {
  EmbeddingImpl(int64_t num, int64_t dim);
  torch::Tensor forward(const torch::Tensor& ids);
  torch::Tensor weight;
};
TORCH_MODULE(Embedding);

// Scaled dot-product attention with grouped-query heads and an additive mask.
// q (B, heads, T, hd); k, v (B, kvHeads, S, hd); mask broadcastable to (B, 1, T, S) or
// undefined. Softmax runs in fp32. Returns (B, heads, T, hd).
torch::Tensor attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                        const torch::Tensor& mask, double scale);

// Attention over packed sequences: q (1, heads, T, hd), k, v (1, kvHeads, T, hd) where the T
// positions are consecutive sequences of the given lengths, each causal within itself.
torch::Tensor attentionPacked(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                              const std::vector<int64_t>& segments, double scale);

// Positions 0..len-1 for each packed sequence: (1, T) int64.
torch::Tensor packedPositions(const std::vector<int64_t>& segments, torch::Device device);

// Checks ForwardArgs for the packed layout (B == 1, lengths summing to T, no cache).
void checkPacked(const ForwardArgs& a);

// Applies ForwardArgs::outputRows to final hidden states (B, T, H) -> (N, H), or returns them.
torch::Tensor selectOutputRows(const torch::Tensor& x, const torch::Tensor& rows);

// Writes this step's k, v (B, KV, T, hd) at the cache's current length (which the model
// advances once all layers ran) and returns the keys and values of the whole prefix.
std::pair<torch::Tensor, torch::Tensor> appendToCache(KVCache& cache, size_t layer,
                                                      const torch::Tensor& k, const torch::Tensor& v);

// Additive causal mask for T queries at positions [past, past+T) over S = past+T keys:
// (T, S) with 0 where visible and -inf above the diagonal; undefined when T == 1.
torch::Tensor causalMask(int64_t T, int64_t past, torch::Device device);

}  // namespace fm
