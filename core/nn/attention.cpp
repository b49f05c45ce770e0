#include "nn/attention.h"

#include <limits>

namespace fm {

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
    scores = scores + m.unsqueeze(2).to(scores.scalar_type());  // (B|1, 1, 1, T|1, S)
  }
  auto probs = torch::softmax(scores.to(torch::kFloat), -1).to(q.scalar_type());
  auto out = torch::matmul(probs.view({B, KV, G * T, S}), v);  // (B, KV, G*T, hd)
  return out.view({B, H, T, D});
}

torch::Tensor attentionPacked(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                              const std::vector<int64_t>& segments, double scale, int64_t window) {
  if (segments.size() == 1) return attention(q, k, v, causalMask(q.size(2), 0, q.device(), window), scale);
  std::vector<torch::Tensor> outs;
  outs.reserve(segments.size());
  int64_t off = 0;
  for (int64_t len : segments) {
    outs.push_back(attention(q.narrow(2, off, len), k.narrow(2, off, len), v.narrow(2, off, len),
                             causalMask(len, 0, q.device(), window), scale));  // (1, H, len, hd)
    off += len;
  }
  return torch::cat(outs, 2);  // (1, H, T, hd)
}

torch::Tensor causalMask(int64_t T, int64_t past, torch::Device device, int64_t window) {
  const bool windowed = window > 0 && past + T > window;
  if (T == 1 && !windowed) return {};
  const float ninf = -std::numeric_limits<float>::infinity();
  const auto opts = torch::TensorOptions().device(device);
  // Query t sees keys 0..past+t.
  torch::Tensor mask = torch::full({T, past + T}, ninf, opts).triu(past + 1);
  // ... and, in a window, only keys after past+t-window.
  if (windowed) mask = mask + torch::full({T, past + T}, ninf, opts).tril(past - window);
  return mask;
}

torch::Tensor paddingMask(const torch::Tensor& keep, torch::ScalarType dtype) {
  const double lowest = dtype == torch::kBFloat16 ? -3.3895313892515355e38
                        : dtype == torch::kHalf   ? -65504.0
                        : dtype == torch::kDouble ? std::numeric_limits<double>::lowest()
                                                  : static_cast<double>(std::numeric_limits<float>::lowest());
  auto pad = keep.eq(0).to(dtype).mul(lowest);  // (B, S)
  return pad.unsqueeze(1).unsqueeze(1);         // (B, 1, 1, S)
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

std::pair<torch::Tensor, torch::Tensor> appendToCache(KVCache& cache, size_t layer,
                                                      const torch::Tensor& k, const torch::Tensor& v) {
  const int64_t past = cache.length, T = k.size(2);
  TORCH_CHECK(past + T <= cache.capacity(), "KV cache full: ", past + T, " > ", cache.capacity());
  cache.k[layer].narrow(2, past, T).copy_(k);
  cache.v[layer].narrow(2, past, T).copy_(v);
  return {cache.k[layer].narrow(2, 0, past + T), cache.v[layer].narrow(2, 0, past + T)};
}

void KVCache::reorder(const torch::Tensor& rows) {
  for (auto* list : {&k, &v, &crossK, &crossV})
    for (auto& t : *list)
      if (t.defined()) t = t.index_select(0, rows.to(t.device()));
}

}  // namespace fm
