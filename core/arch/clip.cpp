// Reads top to bottom: config -> modules (names equal checkpoint keys) -> forward.
#include "arch/clip.h"
#include "arch/clip_blocks.h"

#include <cmath>

#include "arch/config_values.h"
#include "nn/attention.h"
#include "nn/layers.h"
#include "util/error.h"

namespace fm {
using nlohmann::json;

namespace {
using namespace towers;

struct ClipConfig {
  std::string architecture = "CLIPModel";
  TowerConfig text{512, 2048, 12, 8}, vision{768, 3072, 12, 12};
  int64_t vocab = 49408, maxPositions = 77, eosId = 49407;
  int64_t imageSize = 224, patchSize = 32, channels = 3, projection = 512;
  double logitScaleInit = 2.6592;

  int64_t patchesPerSide() const { return imageSize / patchSize; }

  static ClipConfig fromJson(const json& c) {
    ClipConfig k;
    k.architecture = configArchitecture(c, "CLIPModel");
    if (k.architecture != "CLIPModel")
      throw UnsupportedError("config.json: " + k.architecture +
                             " is not supported; CLIP folders load as CLIPModel (both towers and projections)");
    const json& t = configSection(c, "text_config");
    const json& v = configSection(c, "vision_config");
    readTower(t, "config.json text_config", k.text, "quick_gelu");
    readTower(v, "config.json vision_config", k.vision, "quick_gelu");
    k.vocab = configInt(t, "vocab_size", k.vocab, "config.json text_config");
    k.maxPositions = configInt(t, "max_position_embeddings", k.maxPositions, "config.json text_config");
    k.eosId = configInt(t, "eos_token_id", k.eosId, "config.json text_config");
    k.imageSize = configInt(v, "image_size", k.imageSize, "config.json vision_config");
    k.patchSize = configInt(v, "patch_size", k.patchSize, "config.json vision_config");
    k.channels = configInt(v, "num_channels", k.channels, "config.json vision_config");
    k.projection = configInt(c, "projection_dim", k.projection);
    k.logitScaleInit = configNum(c, "logit_scale_init_value", k.logitScaleInit);
    if (k.vocab <= 0 || k.maxPositions <= 0 || k.imageSize <= 0 || k.patchSize <= 0 || k.projection <= 0)
      throw FormatError("config.json: CLIP sizes must be positive");
    if (k.imageSize % k.patchSize != 0)
      throw FormatError("config.json: vision_config image_size " + std::to_string(k.imageSize) +
                        " is not a multiple of patch_size " + std::to_string(k.patchSize));
    if (k.channels != 3)
      throw UnsupportedError("config.json: vision_config num_channels " + std::to_string(k.channels) +
                             " is not supported (RGB pictures: 3)");
    return k;
  }
};

// ---------------------------------------------------------------- modules

struct ClipTextEmbeddingsImpl : torch::nn::Module {
  explicit ClipTextEmbeddingsImpl(const ClipConfig& c) {
    token_embedding = register_module("token_embedding", Embedding(c.vocab, c.text.hidden));
    position_embedding = register_module("position_embedding", Embedding(c.maxPositions, c.text.hidden));
  }
  Embedding token_embedding{nullptr}, position_embedding{nullptr};
};
TORCH_MODULE(ClipTextEmbeddings);

struct ClipTextTransformerImpl : torch::nn::Module {
  explicit ClipTextTransformerImpl(const ClipConfig& c) {
    embeddings = register_module("embeddings", ClipTextEmbeddings(c));
    encoder = register_module("encoder", ClipEncoder(c.text));
    final_layer_norm = register_module("final_layer_norm", LayerNorm(c.text.hidden, c.text.eps));
  }
  ClipTextEmbeddings embeddings{nullptr};
  ClipEncoder encoder{nullptr};
  LayerNorm final_layer_norm{nullptr};
};
TORCH_MODULE(ClipTextTransformer);

// The patch projection is a convolution without bias: only its weight (hidden, 3, p, p).
struct PatchEmbeddingImpl : torch::nn::Module {
  PatchEmbeddingImpl(int64_t hidden, int64_t channels, int64_t patch) {
    weight = register_parameter("weight", torch::zeros({hidden, channels, patch, patch}));
  }
  torch::Tensor weight;
};
TORCH_MODULE(PatchEmbedding);

struct ClipVisionEmbeddingsImpl : torch::nn::Module {
  explicit ClipVisionEmbeddingsImpl(const ClipConfig& c) {
    class_embedding = register_parameter("class_embedding", torch::zeros({c.vision.hidden}));
    patch_embedding = register_module("patch_embedding", PatchEmbedding(c.vision.hidden, c.channels, c.patchSize));
    const int64_t n = c.patchesPerSide() * c.patchesPerSide() + 1;
    position_embedding = register_module("position_embedding", Embedding(n, c.vision.hidden));
  }
  torch::Tensor class_embedding;
  PatchEmbedding patch_embedding{nullptr};
  Embedding position_embedding{nullptr};
};
TORCH_MODULE(ClipVisionEmbeddings);

struct ClipVisionTransformerImpl : torch::nn::Module {
  explicit ClipVisionTransformerImpl(const ClipConfig& c) {
    embeddings = register_module("embeddings", ClipVisionEmbeddings(c));
    pre_layrnorm = register_module("pre_layrnorm", LayerNorm(c.vision.hidden, c.vision.eps));  // sic
    encoder = register_module("encoder", ClipEncoder(c.vision));
    post_layernorm = register_module("post_layernorm", LayerNorm(c.vision.hidden, c.vision.eps));
  }
  ClipVisionEmbeddings embeddings{nullptr};
  LayerNorm pre_layrnorm{nullptr}, post_layernorm{nullptr};
  ClipEncoder encoder{nullptr};
};
TORCH_MODULE(ClipVisionTransformer);

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

class ClipNet : public VisionTextModel {
 public:
  explicit ClipNet(const json& config) : m_cfg(ClipConfig::fromJson(config)), m_summary(clipSummary(config)) {
    text_model = register_module("text_model", ClipTextTransformer(m_cfg));
    vision_model = register_module("vision_model", ClipVisionTransformer(m_cfg));
    visual_projection = register_module("visual_projection", Linear(m_cfg.vision.hidden, m_cfg.projection, false));
    text_projection = register_module("text_projection", Linear(m_cfg.text.hidden, m_cfg.projection, false));
    logit_scale = register_parameter("logit_scale", torch::full({}, m_cfg.logitScaleInit));
  }

  torch::Tensor imageFeatures(const torch::Tensor& pixels) override {
    const int64_t S = m_cfg.imageSize, p = m_cfg.patchSize;
    if (pixels.dim() != 4 || pixels.size(1) != 3 || pixels.size(2) != S || pixels.size(3) != S)
      throw ConfigError("this CLIP model takes pictures of " + std::to_string(S) + " x " + std::to_string(S) +
                        " pixels, given as (batch, 3, " + std::to_string(S) + ", " + std::to_string(S) + ")");
    auto& emb = vision_model->embeddings;
    auto w = emb->patch_embedding->weight;
    auto x = torch::conv2d(pixels.to(w.device(), w.scalar_type()), w, {}, {p, p});  // (B, h, S/p, S/p)
    x = x.flatten(2).transpose(1, 2);                                                 // (B, N, h)
    const int64_t B = x.size(0);
    auto cls = emb->class_embedding.view({1, 1, -1}).expand({B, 1, x.size(2)});
    x = torch::cat({cls, x}, 1);  // (B, N + 1, h)
    x = x + emb->position_embedding->weight.unsqueeze(0);
    x = vision_model->pre_layrnorm(x);
    x = vision_model->encoder->forward(x, {});
    auto pooled = vision_model->post_layernorm(x.select(1, 0));  // (B, h)
    return visual_projection(pooled).to(torch::kFloat);
  }

  torch::Tensor textFeatures(const EncoderArgs& a) override {
    if (!a.segments.empty()) throw ConfigError("CLIP's text tower takes padded batches, not packed ones");
    const auto& ids = a.ids;  // (B, T)
    const int64_t T = ids.size(1);
    if (T > m_cfg.maxPositions)
      throw ConfigError("a text has " + std::to_string(T) + " tokens; CLIP's text tower takes at most " +
                        std::to_string(m_cfg.maxPositions));
    const auto dev = text_model->embeddings->token_embedding->weight.device();
    auto idsDev = ids.to(dev);
    auto pos = torch::arange(T, torch::TensorOptions().dtype(torch::kLong).device(dev)).unsqueeze(0);
    auto x = text_model->embeddings->token_embedding(idsDev) + text_model->embeddings->position_embedding(pos);
    torch::Tensor mask = causalMask(T, 0, dev);  // (T, T) or undefined for T == 1
    if (mask.defined()) mask = mask.to(x.scalar_type());
    if (a.keep.defined()) {
      auto pad = paddingMask(a.keep.to(dev), x.scalar_type());  // (B, 1, 1, T)
      mask = mask.defined() ? mask + pad : pad;
    }
    x = text_model->encoder->forward(x, mask);
    x = text_model->final_layer_norm(x);  // (B, T, h)
    // The end-of-text position: transformers' legacy rule (eos_token_id 2: the highest id)
    // or the first eos.
    auto where = m_cfg.eosId == 2 ? idsDev.argmax(-1) : idsDev.eq(m_cfg.eosId).to(torch::kInt).argmax(-1);
    auto rows = torch::arange(x.size(0), torch::TensorOptions().dtype(torch::kLong).device(dev));
    auto pooled = x.index({rows, where});  // (B, h)
    return text_projection(pooled).to(torch::kFloat);
  }

  double logitScale() const override { return std::exp(logit_scale.to(torch::kFloat).item<double>()); }
  int64_t imageSize() const override { return m_cfg.imageSize; }
  int64_t maxTextTokens() const override { return m_cfg.maxPositions; }
  const ArchSummary& summary() const override { return m_summary; }
  std::string mapCheckpointKey(const std::string& key) const override {
    if (endsWith(key, "embeddings.position_ids")) return "";
    return key;
  }

 private:
  ClipConfig m_cfg;
  ArchSummary m_summary;
  ClipTextTransformer text_model{nullptr};
  ClipVisionTransformer vision_model{nullptr};
  Linear visual_projection{nullptr}, text_projection{nullptr};
  torch::Tensor logit_scale;
};

}  // namespace

ArchSummary clipSummary(const json& config) {
  const ClipConfig c = ClipConfig::fromJson(config);
  return twoTowerSummary({"clip", c.architecture, &c.text, &c.vision, c.vocab, c.maxPositions, c.imageSize, c.patchSize,
                          c.projection});
}

std::shared_ptr<Network> makeClip(const json& config) { return std::make_shared<ClipNet>(config); }

}  // namespace fm
