// Attention as every architecture needs it, with the mask kinds they use: causal (decoders),
// bidirectional with key padding (encoders), packed sequences (training without padding), and
// cross-attention (queries from one sequence, keys and values from another: pass the other
// sequence's k and v and a padding mask over its keys). Plus the KV cache of decoders.
//
//   auto y = fm::attention(q, k, v, fm::causalMask(T, past, dev), scale);        // decoder
//   auto y = fm::attention(q, k, v, fm::paddingMask(keep, q.scalar_type()), s);  // encoder
//
// Pure functions of their arguments: safe from any number of threads.
#pragma once

#include <torch/torch.h>

#include <utility>
#include <vector>

namespace fm {

// Keys and values of every layer of a decoder, preallocated to a capacity.
struct KVCache {
  std::vector<torch::Tensor> k, v;  // per layer: (batch, kvHeads, capacity, headDim)
  int64_t length = 0;               // positions filled
  // Encoder-decoder models: per layer, the cross-attention keys and values of the encoder's
  // states (batch, heads, encoderLength, headDim), computed at the first step and reused.
  std::vector<torch::Tensor> crossK, crossV;
  // Keeps batch rows `rows` (int64) of everything cached, in that order: beam search.
  void reorder(const torch::Tensor& rows);
  int64_t capacity() const { return k.empty() ? 0 : k[0].size(2); }
};

// Scaled dot-product attention with grouped-query heads and an additive mask.
// q (B, heads, T, hd); k, v (B, kvHeads, S, hd); mask broadcastable to (B, 1, T, S) or
// undefined (every key visible). Softmax runs in fp32. Returns (B, heads, T, hd).
torch::Tensor attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                        const torch::Tensor& mask, double scale);

// Attention over packed sequences: q (1, heads, T, hd), k, v (1, kvHeads, T, hd) where the T
// positions are consecutive sequences of the given lengths, each causal within itself.
// `window` as in causalMask.
torch::Tensor attentionPacked(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                              const std::vector<int64_t>& segments, double scale, int64_t window = 0);

// Additive causal mask for T queries at positions [past, past+T) over S = past+T keys:
// (T, S) with 0 where visible and -inf above the diagonal; undefined when every key is
// visible (T == 1 without a window). With a sliding window W > 0 (Mistral), query i also
// stops seeing keys j <= i - W, as transformers masks them.
torch::Tensor causalMask(int64_t T, int64_t past, torch::Device device, int64_t window = 0);

// Additive key-padding mask for bidirectional (and cross-) attention: keep (B, S), nonzero
// where a key is a real token. Returns (B, 1, 1, S) with 0 for real keys and the dtype's
// lowest value for padding (as transformers does, so a row of padding stays finite).
torch::Tensor paddingMask(const torch::Tensor& keep, torch::ScalarType dtype);

// Positions 0..len-1 for each packed sequence: (1, T) int64.
torch::Tensor packedPositions(const std::vector<int64_t>& segments, torch::Device device);

// Writes this step's k, v (B, KV, T, hd) at the cache's current length (which the model
// advances once all layers ran) and returns the keys and values of the whole prefix.
std::pair<torch::Tensor, torch::Tensor> appendToCache(KVCache& cache, size_t layer,
                                                      const torch::Tensor& k, const torch::Tensor& v);

}  // namespace fm
