#include "arch/layers.h"

#include <limits>

namespace fm {

LinearImpl::LinearImpl(int64_t inF, int64_t outF, bool hasBias) : in(inF), out(outF) {
  weight = register_parameter("weight", torch::empty({outF, inF}));
  if (hasBias) bias = register_parameter("bias", torch::zeros({outF}));
}

torch::Tensor LinearImpl::forward(const torch::Tensor& x) {
  auto y = torch::linear(x, weight, bias);
  if (!lora || !lora->enabled) return y;
  auto h = x;
  if (lora->dropout > 0 && is_training()) h = torch::dropout(h, lora->dropout, /*train=*/true);
  // (.., in) -> (.., r) -> (.., out)
  return y.add_(torch::linear(torch::linear(h, lora->A), lora->B), lora->scale);
}

Conv1DImpl::Conv1DImpl(int64_t in, int64_t out) {
  weight = register_parameter("weight", torch::empty({in, out}));
  bias = register_parameter("bias", torch::zeros({out}));
}

torch::Tensor Conv1DImpl::forward(const torch::Tensor& x) {
  // addmm over the flattened rows: (N, in) x (in, out) + b.
  auto sizes = x.sizes().vec();
  auto y = torch::addmm(bias, x.reshape({-1, x.size(-1)}), weight);
  sizes.back() = weight.size(1);
  return y.view(sizes);
}

RMSNormImpl::RMSNormImpl(int64_t dim, double e) : eps(e) {
  weight = register_parameter("weight", torch::ones({dim}));
}

torch::Tensor RMSNormImpl::forward(const torch::Tensor& x) {
  auto h = x.to(torch::kFloat);
  h = h * torch::rsqrt(h.pow(2).mean(-1, /*keepdim=*/true) + eps);
  return weight * h.to(x.scalar_type());
}

LayerNormImpl::LayerNormImpl(int64_t dim, double e) : eps(e) {
  weight = register_parameter("weight", torch::ones({dim}));
  bias = register_parameter("bias", torch::zeros({dim}));
}

torch::Tensor LayerNormImpl::forward(const torch::Tensor& x) {
  return torch::layer_norm(x, {weight.size(0)}, weight, bias, eps);
}

EmbeddingImpl::EmbeddingImpl(int64_t num, int64_t dim) {
  weight = register_parameter("weight", torch::empty({num, dim}));
}

torch::Tensor EmbeddingImpl::forward(const torch::Tensor& ids) {
  return torch::embedding(weight, ids);
}

torch::Tensor attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                        const torch::Tensor& mask, double scale) {
  const int64_t B = q.size(0), H = q.size(1), T = q.size(2), D = q.size(3);
  const int64_t KV = k.size(1), S = k.size(2);
  TORCH_CHECK(H % KV == 0, "attention heads ", H, " not a multiple of kv heads ", KV);
  const int64_t G = H / KV;
  // Grouped heads share their K/V without materialising copies:
  // q (B, KV, G*T, hd) x k^T (B, KV, hd, S) -> (B, KV, G*T, S).
  auto qg = q.reshape({B, KV, G * T, D});
  auto scores = torch::matmul(qg, k.transpose(-1, -2)).mul_(scale);
  scores = scores.view({B, KV, G, T, S});
  if (mask.defined()) {
    auto m = mask;
    while (m.dim() < 4) m = m.unsqueeze(0);
    scores = scores + m.unsqueeze(2).to(scores.scalar_type());  // (B|1, 1, 1, T, S)
  }
  auto probs = torch::softmax(scores.to(torch::kFloat), -1).to(q.scalar_type());
  auto out = torch::matmul(probs.view({B, KV, G * T, S}), v);  // (B, KV, G*T, hd)
  return out.view({B, H, T, D});
}

torch::Tensor attentionPacked(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                              const std::vector<int64_t>& segments, double scale) {
  if (segments.size() == 1) return attention(q, k, v, causalMask(q.size(2), 0, q.device()), scale);
  std::vector<torch::Tensor> outs;
  outs.reserve(segments.size());
  int64_t off = 0;
  for (int64_t len : segments) {
    outs.push_back(attention(q.narrow(2, off, len), k.narrow(2, off, len), v.narrow(2, off, len),
                             causalMask(len, 0, q.device()), scale));  // (1, H, len, hd)
    off += len;
  }
  return torch::cat(outs, 2);  // (1, H, T, hd)
}

torch::Tensor packedPositions(const std::vector<int64_t>& segments, torch::Device device) {
  int64_t total = 0;
  for (int64_t len : segments) total += len;
  std::vector<int64_t> pos;
  pos.reserve(total);
  for (int64_t len : segments)
    for (int64_t i = 0; i < len; ++i) pos.push_back(i);
  return torch::tensor(pos, torch::kLong).to(device).unsqueeze(0);  // (1, T)
}

void checkPacked(const ForwardArgs& a) {
  if (a.segments.empty()) return;
  int64_t total = 0;
  for (int64_t len : a.segments) {
    TORCH_CHECK(len > 0, "packed sequence of length ", len);
    total += len;
  }
  TORCH_CHECK(a.ids.size(0) == 1, "packed batches have B == 1, got ", a.ids.size(0));
  TORCH_CHECK(total == a.ids.size(1), "packed lengths sum to ", total, " != T ", a.ids.size(1));
  TORCH_CHECK(a.cache == nullptr, "packed batches cannot use a KV cache");
}

torch::Tensor selectOutputRows(const torch::Tensor& x, const torch::Tensor& rows) {
  if (!rows.defined()) return x;
  return x.reshape({-1, x.size(-1)}).index_select(0, rows.to(x.device()));  // (N, H)
}

std::pair<torch::Tensor, torch::Tensor> appendToCache(KVCache& cache, size_t layer,
                                                      const torch::Tensor& k, const torch::Tensor& v) {
  const int64_t past = cache.length, T = k.size(2);
  TORCH_CHECK(past + T <= cache.capacity(), "KV cache full: ", past + T, " > ", cache.capacity());
  cache.k[layer].narrow(2, past, T).copy_(k);
  cache.v[layer].narrow(2, past, T).copy_(v);
  return {cache.k[layer].narrow(2, 0, past + T), cache.v[layer].narrow(2, 0, past + T)};
}

torch::Tensor causalMask(int64_t T, int64_t past, torch::Device device) {
  if (T == 1) return {};
  const float ninf = -std::numeric_limits<float>::infinity();
  // Query t sees keys 0..past+t.
  return torch::full({T, past + T}, ninf, torch::TensorOptions().device(device))
      .triu(past + 1);
}

}  // namespace fm
