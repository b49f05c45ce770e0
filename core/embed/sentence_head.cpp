#include "embed/sentence_head.h"

#include "io/model_folder.h"
#include "io/safetensors.h"
#include "nn/weights.h"
#include "util/error.h"

namespace fm {
namespace fs = std::filesystem;

SentenceHead::SentenceHead(const SentenceConfig& config) : m_cfg(config) {
  for (const DenseStageConfig& d : config.dense) {
    const fs::path file = d.dir / "model.safetensors";
    if (!fs::exists(file)) {
      if (fs::exists(d.dir / "pytorch_model.bin"))
        throw UnsupportedError(d.dir.string() + ": the Dense layer is stored only as pytorch_model.bin, a pickle "
                               "file that is not loaded. Save the model with safe_serialization=True.");
      throw IoError(file.string() + ": file not found");
    }
    auto f = SafetensorsFile::open(file);
    const TensorInfo* w = f.find("linear.weight");
    const TensorInfo* b = f.find("linear.bias");
    if (!w || w->shape != std::vector<int64_t>{d.out, d.in})
      throw FormatError(file.string() + ": linear.weight must be [" + std::to_string(d.out) + ", " +
                        std::to_string(d.in) + "] as its config.json says");
    if (d.bias && (!b || b->shape != std::vector<int64_t>{d.out}))
      throw FormatError(file.string() + ": linear.bias must be [" + std::to_string(d.out) + "]");
    Dense stage;
    stage.weight = readTensor(f, *w).to(torch::kFloat);
    if (d.bias) stage.bias = readTensor(f, *b).to(torch::kFloat);
    stage.activation = d.activation;
    m_dense.push_back(stage);
  }
}

void SentenceHead::to(torch::Device device) {
  for (auto& d : m_dense) {
    d.weight = d.weight.to(device);
    if (d.bias.defined()) d.bias = d.bias.to(device);
  }
}

torch::Tensor SentenceHead::forward(const torch::Tensor& hiddenIn, const torch::Tensor& keepIn,
                                    int64_t promptTokens) const {
  const auto h = hiddenIn.to(torch::kFloat);  // (B, T, H)
  const int64_t B = h.size(0), T = h.size(1);
  auto keep = keepIn.defined() ? keepIn.to(h.device()).to(torch::kFloat)
                               : torch::ones({B, T}, h.options());  // (B, T)
  const auto lengths = keep.sum(1).to(torch::kLong);                // real tokens per row
  // sentence-transformers drops the prompt from every pooling mode but the CLS token.
  auto poolMask = keep;
  if (!m_cfg.pooling.includePrompt && promptTokens > 0) {
    poolMask = keep.clone();
    poolMask.narrow(1, 0, std::min(promptTokens, T)).zero_();
  }
  auto m3 = poolMask.unsqueeze(-1);  // (B, T, 1)
  std::vector<torch::Tensor> parts;
  const PoolingConfig& p = m_cfg.pooling;
  if (p.cls) parts.push_back(h.select(1, 0));  // (B, H)
  if (p.max) {
    // Padded positions are set to -1e9 before the max, as sentence-transformers does.
    parts.push_back(torch::where(m3 > 0, h, torch::full({}, -1e9, h.options())).amax(1));
  }
  if (p.mean || p.meanSqrtLen) {
    auto sum = (h * m3).sum(1);                              // (B, H)
    auto count = m3.sum(1).clamp_min(1e-9);                  // (B, 1)
    if (p.mean) parts.push_back(sum / count);
    if (p.meanSqrtLen) parts.push_back(sum / count.sqrt());
  }
  if (p.weightedMean) {
    // Weights 1..T by position, over the pooled tokens.
    auto w = torch::arange(1, T + 1, h.options()).unsqueeze(0).unsqueeze(-1) * m3;  // (B, T, 1)
    parts.push_back((h * w).sum(1) / w.sum(1).clamp_min(1e-9));
  }
  if (p.lastToken) {
    // The last real token of each row (right padding).
    auto idx = (lengths - 1).clamp_min(0).view({B, 1, 1}).expand({B, 1, h.size(2)});
    parts.push_back(h.gather(1, idx).squeeze(1));
  }
  auto v = parts.size() == 1 ? parts[0] : torch::cat(parts, 1);  // (B, modes * H)
  for (const Dense& d : m_dense) {
    v = torch::linear(v, d.weight, d.bias);
    if (d.activation == "tanh") v = torch::tanh(v);
    else if (d.activation == "relu") v = torch::relu(v);
    else if (d.activation == "gelu") v = torch::gelu(v);
    else if (d.activation == "sigmoid") v = torch::sigmoid(v);
  }
  if (m_cfg.normalize) v = v / v.norm(2, 1, /*keepdim=*/true).clamp_min(1e-12);
  return v;  // (B, dim)
}

}  // namespace fm
