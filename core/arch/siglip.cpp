// Reads top to bottom: config -> modules (names equal checkpoint keys) -> forward.
#include "arch/siglip.h"

#include <cmath>

#include "arch/clip_blocks.h"

namespace fm {
using nlohmann::json;

namespace {
using namespace towers;

struct SiglipConfig {
  std::string architecture = "SiglipModel";
  TowerConfig text{768, 3072, 12, 12, 1e-6}, vision{768, 3072, 12, 12, 1e-6};
  int64_t vocab = 32000, maxPositions = 64, projection = 768;
  int64_t imageSize = 224, patchSize = 16, channels = 3;

  int64_t patches() const { return (imageSize / patchSize) * (imageSize / patchSize); }

  static SiglipConfig fromJson(const json& c) {
    SiglipConfig k;
    k.architecture = configArchitecture(c, "SiglipModel");
    if (k.architecture != "SiglipModel")
      throw UnsupportedError("config.json: " + k.architecture +
                             " is not supported; SigLIP folders load as SiglipModel (both towers)");
    const json& t = configSection(c, "text_config");
    const json& v = configSection(c, "vision_config");
    readTower(t, "config.json text_config", k.text, "gelu_pytorch_tanh");
    readTower(v, "config.json vision_config", k.vision, "gelu_pytorch_tanh");
    k.vocab = configInt(t, "vocab_size", k.vocab, "config.json text_config");
    k.maxPositions = configInt(t, "max_position_embeddings", k.maxPositions, "config.json text_config");
    k.projection = configInt(t, "projection_size", k.text.hidden, "config.json text_config");
    k.imageSize = configInt(v, "image_size", k.imageSize, "config.json vision_config");
    k.patchSize = configInt(v, "patch_size", k.patchSize, "config.json vision_config");
    k.channels = configInt(v, "num_channels", k.channels, "config.json vision_config");
    if (v.contains("vision_use_head") && v["vision_use_head"].is_boolean() && !v["vision_use_head"].get<bool>())
      throw UnsupportedError("config.json: a SigLIP image tower without its pooling head (vision_use_head false) "
                             "gives no picture embedding");
    if (k.vocab <= 0 || k.maxPositions <= 0 || k.imageSize <= 0 || k.patchSize <= 0)
      throw FormatError("config.json: SigLIP sizes must be positive");
    // image_size need not be a multiple of patch_size: the patch convolution drops what is
    // left over (google/siglip-so400m-patch14-384: 27 x 27 patches of 14 from 384 pixels).
    if (k.channels != 3)
      throw UnsupportedError("config.json: vision_config num_channels " + std::to_string(k.channels) +
                             " is not supported (RGB pictures: 3)");
    if (k.projection != k.vision.hidden)
      throw FormatError("config.json: the text head makes " + std::to_string(k.projection) +
                        " numbers but the image tower " + std::to_string(k.vision.hidden) +
                        "; SigLIP compares them directly");
    return k;
  }
};

// ---------------------------------------------------------------- modules

struct SiglipTextEmbeddingsImpl : torch::nn::Module {
  explicit SiglipTextEmbeddingsImpl(const SiglipConfig& c) {
    token_embedding = register_module("token_embedding", Embedding(c.vocab, c.text.hidden));
    position_embedding = register_module("position_embedding", Embedding(c.maxPositions, c.text.hidden));
  }
  Embedding token_embedding{nullptr}, position_embedding{nullptr};
};
TORCH_MODULE(SiglipTextEmbeddings);

struct SiglipTextTransformerImpl : torch::nn::Module {
  explicit SiglipTextTransformerImpl(const SiglipConfig& c) {
    embeddings = register_module("embeddings", SiglipTextEmbeddings(c));
    encoder = register_module("encoder", ClipEncoder(c.text));
    final_layer_norm = register_module("final_layer_norm", LayerNorm(c.text.hidden, c.text.eps));
    head = register_module("head", Linear(c.text.hidden, c.projection, true));
  }
  SiglipTextEmbeddings embeddings{nullptr};
  ClipEncoder encoder{nullptr};
  LayerNorm final_layer_norm{nullptr};
  Linear head{nullptr};
};
TORCH_MODULE(SiglipTextTransformer);

// The patch projection is a convolution with a bias.
struct SiglipPatchEmbeddingImpl : torch::nn::Module {
  explicit SiglipPatchEmbeddingImpl(const SiglipConfig& c) {
    weight = register_parameter("weight", torch::zeros({c.vision.hidden, c.channels, c.patchSize, c.patchSize}));
    bias = register_parameter("bias", torch::zeros({c.vision.hidden}));
  }
  torch::Tensor weight, bias;
};
TORCH_MODULE(SiglipPatchEmbedding);

struct SiglipVisionEmbeddingsImpl : torch::nn::Module {
  explicit SiglipVisionEmbeddingsImpl(const SiglipConfig& c) {
    patch_embedding = register_module("patch_embedding", SiglipPatchEmbedding(c));
    position_embedding = register_module("position_embedding", Embedding(c.patches(), c.vision.hidden));
  }
  SiglipPatchEmbedding patch_embedding{nullptr};
  Embedding position_embedding{nullptr};
};
TORCH_MODULE(SiglipVisionEmbeddings);

// torch.nn.MultiheadAttention's parameters: one (3h, h) input projection for query, key and
// value, and the output projection.
struct MultiheadAttentionImpl : torch::nn::Module {
  explicit MultiheadAttentionImpl(int64_t hidden) {
    in_proj_weight = register_parameter("in_proj_weight", torch::zeros({3 * hidden, hidden}));
    in_proj_bias = register_parameter("in_proj_bias", torch::zeros({3 * hidden}));
    out_proj = register_module("out_proj", Linear(hidden, hidden, true));
  }
  torch::Tensor in_proj_weight, in_proj_bias;
  Linear out_proj{nullptr};
};
TORCH_MODULE(MultiheadAttention);

// The probe attends over every patch; then LayerNorm and the MLP, added to what it read.
struct SiglipPoolingHeadImpl : torch::nn::Module {
  explicit SiglipPoolingHeadImpl(const TowerConfig& c) : cfg(c) {
    probe = register_parameter("probe", torch::zeros({1, 1, c.hidden}));
    attention_ = register_module("attention", MultiheadAttention(c.hidden));
    layernorm = register_module("layernorm", LayerNorm(c.hidden, c.eps));
    mlp = register_module("mlp", ClipMlp(c));
  }
  torch::Tensor forward(const torch::Tensor& x) {  // (B, N, h) -> (B, h)
    const int64_t B = x.size(0), N = x.size(1), H = cfg.heads, hd = cfg.headDim(), h = cfg.hidden;
    const auto w = attention_->in_proj_weight.split(h, 0);
    const auto b = attention_->in_proj_bias.split(h, 0);
    auto q = torch::nn::functional::linear(probe.expand({B, 1, h}), w[0], b[0]).view({B, 1, H, hd}).transpose(1, 2);
    auto k = torch::nn::functional::linear(x, w[1], b[1]).view({B, N, H, hd}).transpose(1, 2);
    auto v = torch::nn::functional::linear(x, w[2], b[2]).view({B, N, H, hd}).transpose(1, 2);
    auto ctx = attention(q, k, v, {}, 1.0 / std::sqrt(static_cast<double>(hd)));  // (B, H, 1, hd)
    auto y = attention_->out_proj(ctx.transpose(1, 2).reshape({B, 1, h}));
    y = y + mlp->fc2(activate(mlp->fc1(layernorm(y)), cfg.act));
    return y.select(1, 0);
  }
  TowerConfig cfg;
  torch::Tensor probe;
  MultiheadAttention attention_{nullptr};
  LayerNorm layernorm{nullptr};
  ClipMlp mlp{nullptr};
};
TORCH_MODULE(SiglipPoolingHead);

struct SiglipVisionTransformerImpl : torch::nn::Module {
  explicit SiglipVisionTransformerImpl(const SiglipConfig& c) {
    embeddings = register_module("embeddings", SiglipVisionEmbeddings(c));
    encoder = register_module("encoder", ClipEncoder(c.vision));
    post_layernorm = register_module("post_layernorm", LayerNorm(c.vision.hidden, c.vision.eps));
    head = register_module("head", SiglipPoolingHead(c.vision));
  }
  SiglipVisionEmbeddings embeddings{nullptr};
  ClipEncoder encoder{nullptr};
  LayerNorm post_layernorm{nullptr};
  SiglipPoolingHead head{nullptr};
};
TORCH_MODULE(SiglipVisionTransformer);

class SiglipNet : public VisionTextModel {
 public:
  explicit SiglipNet(const json& config) : m_cfg(SiglipConfig::fromJson(config)), m_summary(siglipSummary(config)) {
    text_model = register_module("text_model", SiglipTextTransformer(m_cfg));
    vision_model = register_module("vision_model", SiglipVisionTransformer(m_cfg));
    logit_scale = register_parameter("logit_scale", torch::full({1}, std::log(10.0)));
    logit_bias = register_parameter("logit_bias", torch::full({1}, -10.0));
  }

  torch::Tensor imageFeatures(const torch::Tensor& pixels) override {
    const int64_t S = m_cfg.imageSize, p = m_cfg.patchSize;
    if (pixels.dim() != 4 || pixels.size(1) != 3 || pixels.size(2) != S || pixels.size(3) != S)
      throw ConfigError("this SigLIP model takes pictures of " + std::to_string(S) + " x " + std::to_string(S) +
                        " pixels, given as (batch, 3, " + std::to_string(S) + ", " + std::to_string(S) + ")");
    auto& emb = vision_model->embeddings;
    const auto& w = emb->patch_embedding->weight;
    auto x = torch::conv2d(pixels.to(w.device(), w.scalar_type()), w, emb->patch_embedding->bias, {p, p});
    x = x.flatten(2).transpose(1, 2);  // (B, N, h)
    x = x + emb->position_embedding->weight.unsqueeze(0);
    x = vision_model->encoder->forward(x, {});
    x = vision_model->post_layernorm(x);
    return vision_model->head->forward(x).to(torch::kFloat);
  }

  torch::Tensor textFeatures(const EncoderArgs& a) override {
    if (!a.segments.empty()) throw ConfigError("SigLIP's text tower takes padded batches, not packed ones");
    const auto& ids = a.ids;  // (B, T); no mask: the pad tokens are read, as in training
    const int64_t T = ids.size(1);
    if (T > m_cfg.maxPositions)
      throw ConfigError("a text has " + std::to_string(T) + " tokens; SigLIP's text tower takes at most " +
                        std::to_string(m_cfg.maxPositions));
    const auto dev = text_model->embeddings->token_embedding->weight.device();
    auto pos = torch::arange(T, torch::TensorOptions().dtype(torch::kLong).device(dev)).unsqueeze(0);
    auto x = text_model->embeddings->token_embedding(ids.to(dev)) + text_model->embeddings->position_embedding(pos);
    x = text_model->encoder->forward(x, {});
    x = text_model->final_layer_norm(x);
    return text_model->head(x.select(1, T - 1)).to(torch::kFloat);
  }

  double logitScale() const override { return std::exp(logit_scale.to(torch::kFloat).item<double>()); }
  double logitBias() const override { return logit_bias.to(torch::kFloat).item<double>(); }
  bool sigmoidScores() const override { return true; }
  int64_t fixedTextLength() const override { return m_cfg.maxPositions; }
  int64_t imageSize() const override { return m_cfg.imageSize; }
  int64_t maxTextTokens() const override { return m_cfg.maxPositions; }
  const ArchSummary& summary() const override { return m_summary; }
  std::string mapCheckpointKey(const std::string& key) const override {
    static const std::string kIds = "embeddings.position_ids";
    if (key.size() >= kIds.size() && key.compare(key.size() - kIds.size(), kIds.size(), kIds) == 0) return "";
    return key;
  }

 private:
  SiglipConfig m_cfg;
  ArchSummary m_summary;
  SiglipTextTransformer text_model{nullptr};
  SiglipVisionTransformer vision_model{nullptr};
  torch::Tensor logit_scale, logit_bias;
};

}  // namespace

ArchSummary siglipSummary(const json& config) {
  const SiglipConfig c = SiglipConfig::fromJson(config);
  return twoTowerSummary({"siglip", c.architecture, &c.text, &c.vision, c.vocab, c.maxPositions, c.imageSize, c.patchSize,
                          c.projection});
}

std::shared_ptr<Network> makeSiglip(const json& config) { return std::make_shared<SiglipNet>(config); }

}  // namespace fm
