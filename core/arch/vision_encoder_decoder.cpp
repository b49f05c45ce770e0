// Reads top to bottom: config -> the ViT encoder's modules -> the model -> summary.
#include "arch/vision_encoder_decoder.h"

#include <cmath>

#include "arch/causal_lm.h"
#include "arch/config_values.h"
#include "arch/gpt2.h"
#include "nn/layers.h"
#include "util/error.h"

namespace fm {
using nlohmann::json;

namespace {

struct VitConfig {
  int64_t hidden = 768, intermediate = 3072, layers = 12, heads = 12, imageSize = 224, patchSize = 16, channels = 3;
  double eps = 1e-12;
  bool qkvBias = true;
  Activation act = Activation::Gelu;

  static VitConfig fromJson(const json& c) {
    const char* where = "config.json encoder";
    VitConfig k;
    const std::string type = configString(c, "model_type", "", where);
    if (type != "vit")
      throw UnsupportedError("config.json: the image encoder \"" + type + "\" is not supported (vit)");
    k.hidden = configInt(c, "hidden_size", k.hidden, where);
    k.intermediate = configInt(c, "intermediate_size", k.intermediate, where);
    k.layers = configInt(c, "num_hidden_layers", k.layers, where);
    k.heads = configInt(c, "num_attention_heads", k.heads, where);
    k.imageSize = configInt(c, "image_size", k.imageSize, where);
    k.patchSize = configInt(c, "patch_size", k.patchSize, where);
    k.channels = configInt(c, "num_channels", k.channels, where);
    k.eps = configNum(c, "layer_norm_eps", k.eps, where);
    k.qkvBias = configBool(c, "qkv_bias", true, where);
    k.act = parseActivation(configString(c, "hidden_act", "gelu", where), "hidden_act");
    if (k.hidden <= 0 || k.intermediate <= 0 || k.layers <= 0 || k.heads <= 0 || k.imageSize <= 0 || k.patchSize <= 0)
      throw FormatError("config.json encoder: sizes must be positive");
    if (k.hidden % k.heads != 0) throw FormatError("config.json encoder: hidden_size is not a multiple of num_attention_heads");
    if (k.imageSize % k.patchSize != 0) throw FormatError("config.json encoder: image_size is not a multiple of patch_size");
    if (k.channels != 3) throw UnsupportedError("config.json encoder: num_channels must be 3 (RGB pictures)");
    return k;
  }
  int64_t patches() const { return (imageSize / patchSize) * (imageSize / patchSize); }
};

struct VedConfig {
  VitConfig encoder;
  json decoder;
  int64_t decoderHidden = 0, decoderVocab = 0, decoderPositions = 0, startId = -1;
  std::vector<int64_t> eos;

  static VedConfig fromJson(const json& c) {
    VedConfig k;
    const std::string arch = configArchitecture(c, "VisionEncoderDecoderModel");
    if (arch != "VisionEncoderDecoderModel")
      throw UnsupportedError("config.json: " + arch + " is not supported (VisionEncoderDecoderModel)");
    if (!c.contains("encoder") || !c["encoder"].is_object() || !c.contains("decoder") || !c["decoder"].is_object())
      throw FormatError("config.json: a vision-encoder-decoder config needs \"encoder\" and \"decoder\" objects");
    k.encoder = VitConfig::fromJson(c["encoder"]);
    k.decoder = c["decoder"];
    const std::string dt = configString(k.decoder, "model_type", "", "config.json decoder");
    if (dt != "gpt2")
      throw UnsupportedError("config.json: the text decoder \"" + dt + "\" is not supported (gpt2)");
    k.decoder["add_cross_attention"] = true;
    const ArchSummary d = gpt2Summary(k.decoder);
    k.decoderHidden = d.hidden;
    k.decoderVocab = d.vocabSize;
    k.decoderPositions = d.maxPositions;
    if (configInt(k.decoder, "cross_attention_hidden_size", 0, "config.json decoder") > 0)
      throw UnsupportedError("config.json: decoder cross_attention_hidden_size is not supported");
    auto idOf = [&](const json& j, const char* key) { return configInt(j, key, -1, "config.json"); };
    k.startId = idOf(c, "decoder_start_token_id");
    if (k.startId < 0) k.startId = idOf(k.decoder, "decoder_start_token_id");
    if (k.startId < 0) k.startId = idOf(k.decoder, "bos_token_id");
    if (k.startId < 0) throw FormatError("config.json: no decoder_start_token_id (nor a decoder bos_token_id)");
    for (const json* j : std::vector<const json*>{&c, &k.decoder}) {
      auto it = j->find("eos_token_id");
      if (it == j->end() || it->is_null()) continue;
      if (it->is_number_integer()) k.eos.push_back(it->get<int64_t>());
      if (it->is_array())
        for (const auto& e : *it)
          if (e.is_number_integer()) k.eos.push_back(e.get<int64_t>());
      if (!k.eos.empty()) break;
    }
    return k;
  }
};

// ---------------------------------------------------------------- ViT modules

struct VitSelfAttentionImpl : torch::nn::Module {
  explicit VitSelfAttentionImpl(const VitConfig& c) {
    query = register_module("query", Linear(c.hidden, c.hidden, c.qkvBias));
    key = register_module("key", Linear(c.hidden, c.hidden, c.qkvBias));
    value = register_module("value", Linear(c.hidden, c.hidden, c.qkvBias));
  }
  Linear query{nullptr}, key{nullptr}, value{nullptr};
};
TORCH_MODULE(VitSelfAttention);

struct VitDenseImpl : torch::nn::Module {
  VitDenseImpl(int64_t in, int64_t out) { dense = register_module("dense", Linear(in, out, true)); }
  Linear dense{nullptr};
};
TORCH_MODULE(VitDense);

struct VitAttentionImpl : torch::nn::Module {
  explicit VitAttentionImpl(const VitConfig& c) {
    attention = register_module("attention", VitSelfAttention(c));
    output = register_module("output", VitDense(c.hidden, c.hidden));
  }
  VitSelfAttention attention{nullptr};
  VitDense output{nullptr};
};
TORCH_MODULE(VitAttention);

// Pre-LayerNorm block: x + attn(layernorm_before(x)), then + output(act(intermediate(layernorm_after(x)))).
struct VitLayerImpl : torch::nn::Module {
  explicit VitLayerImpl(const VitConfig& c) : cfg(c) {
    attention = register_module("attention", VitAttention(c));
    intermediate = register_module("intermediate", VitDense(c.hidden, c.intermediate));
    output = register_module("output", VitDense(c.intermediate, c.hidden));
    layernorm_before = register_module("layernorm_before", LayerNorm(c.hidden, c.eps));
    layernorm_after = register_module("layernorm_after", LayerNorm(c.hidden, c.eps));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    const int64_t B = x.size(0), T = x.size(1), H = cfg.heads, hd = cfg.hidden / cfg.heads;
    auto h = layernorm_before(x);
    auto& sa = attention->attention;
    auto q = sa->query(h).view({B, T, H, hd}).transpose(1, 2);
    auto k = sa->key(h).view({B, T, H, hd}).transpose(1, 2);
    auto v = sa->value(h).view({B, T, H, hd}).transpose(1, 2);
    auto ctx = fm::attention(q, k, v, {}, 1.0 / std::sqrt(static_cast<double>(hd)));
    auto y = x + attention->output->dense(ctx.transpose(1, 2).reshape({B, T, cfg.hidden}));
    return y + output->dense(activate(intermediate->dense(layernorm_after(y)), cfg.act));
  }
  VitConfig cfg;
  VitAttention attention{nullptr};
  VitDense intermediate{nullptr}, output{nullptr};
  LayerNorm layernorm_before{nullptr}, layernorm_after{nullptr};
};
TORCH_MODULE(VitLayer);

struct VitEncoderStackImpl : torch::nn::Module {
  explicit VitEncoderStackImpl(const VitConfig& c) {
    layer = register_module("layer", torch::nn::ModuleList());
    for (int64_t i = 0; i < c.layers; ++i) {
      blocks.push_back(VitLayer(c));
      layer->push_back(blocks.back());
    }
  }
  torch::nn::ModuleList layer{nullptr};
  std::vector<VitLayer> blocks;
};
TORCH_MODULE(VitEncoderStack);

struct VitPatchProjectionImpl : torch::nn::Module {
  explicit VitPatchProjectionImpl(const VitConfig& c) {
    weight = register_parameter("weight", torch::zeros({c.hidden, c.channels, c.patchSize, c.patchSize}));
    bias = register_parameter("bias", torch::zeros({c.hidden}));
  }
  torch::Tensor weight, bias;
};
TORCH_MODULE(VitPatchProjection);

struct VitPatchEmbeddingsImpl : torch::nn::Module {
  explicit VitPatchEmbeddingsImpl(const VitConfig& c) { projection = register_module("projection", VitPatchProjection(c)); }
  VitPatchProjection projection{nullptr};
};
TORCH_MODULE(VitPatchEmbeddings);

struct VitEmbeddingsImpl : torch::nn::Module {
  explicit VitEmbeddingsImpl(const VitConfig& c) {
    cls_token = register_parameter("cls_token", torch::zeros({1, 1, c.hidden}));
    position_embeddings = register_parameter("position_embeddings", torch::zeros({1, c.patches() + 1, c.hidden}));
    patch_embeddings = register_module("patch_embeddings", VitPatchEmbeddings(c));
  }
  torch::Tensor cls_token, position_embeddings;
  VitPatchEmbeddings patch_embeddings{nullptr};
};
TORCH_MODULE(VitEmbeddings);

struct VitModelImpl : torch::nn::Module {
  explicit VitModelImpl(const VitConfig& c) : cfg(c) {
    embeddings = register_module("embeddings", VitEmbeddings(c));
    encoder = register_module("encoder", VitEncoderStack(c));
    layernorm = register_module("layernorm", LayerNorm(c.hidden, c.eps));
  }
  // (B, 3, S, S) -> last_hidden_state (B, N + 1, hidden)
  torch::Tensor forward(const torch::Tensor& pixels) {
    auto& pe = embeddings->patch_embeddings->projection;
    auto x = torch::conv2d(pixels.to(pe->weight.device(), pe->weight.scalar_type()), pe->weight, pe->bias,
                           {cfg.patchSize, cfg.patchSize});
    x = x.flatten(2).transpose(1, 2);  // (B, N, hidden)
    const int64_t B = x.size(0);
    x = torch::cat({embeddings->cls_token.expand({B, 1, cfg.hidden}), x}, 1) + embeddings->position_embeddings;
    for (auto& b : encoder->blocks) x = b->forward(x);
    return layernorm(x);
  }
  VitConfig cfg;
  VitEmbeddings embeddings{nullptr};
  VitEncoderStack encoder{nullptr};
  LayerNorm layernorm{nullptr};
};
TORCH_MODULE(VitModel);

bool startsWith(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }

class VisionEncoderDecoderNet : public ImageToTextModel {
 public:
  explicit VisionEncoderDecoderNet(const json& config)
      : m_cfg(VedConfig::fromJson(config)), m_summary(visionEncoderDecoderSummary(config)) {
    encoder = register_module("encoder", VitModel(m_cfg.encoder));
    auto dec = std::dynamic_pointer_cast<CausalLM>(makeGpt2(m_cfg.decoder));
    m_decoder = dec;
    register_module("decoder", std::static_pointer_cast<torch::nn::Module>(dec));
    if (m_cfg.encoder.hidden != m_cfg.decoderHidden)
      enc_to_dec_proj = register_module("enc_to_dec_proj", Linear(m_cfg.encoder.hidden, m_cfg.decoderHidden, true));
  }

  torch::Tensor encodeImages(const torch::Tensor& pixels) override {
    const int64_t S = m_cfg.encoder.imageSize;
    if (pixels.dim() != 4 || pixels.size(1) != 3 || pixels.size(2) != S || pixels.size(3) != S)
      throw ConfigError("this captioner takes pictures of " + std::to_string(S) + " x " + std::to_string(S) + " pixels");
    auto h = encoder->forward(pixels);
    return enc_to_dec_proj ? enc_to_dec_proj(h) : h;
  }

  torch::Tensor decode(const torch::Tensor& ids, const torch::Tensor& states, KVCache* cache) override {
    ForwardArgs a;
    a.ids = ids;
    a.cache = cache;
    a.encoderStates = states;
    return m_decoder->forward(a);
  }

  KVCache makeCache(int64_t batch, int64_t capacity) const override { return m_decoder->makeCache(batch, capacity); }
  int64_t imageSize() const override { return m_cfg.encoder.imageSize; }
  int64_t maxTextTokens() const override { return m_cfg.decoderPositions; }
  int64_t decoderStartId() const override { return m_cfg.startId; }
  std::vector<int64_t> eosIds() const override { return m_cfg.eos; }
  const ArchSummary& summary() const override { return m_summary; }

  std::string mapCheckpointKey(const std::string& key) const override {
    if (startsWith(key, "encoder.pooler.")) return "";  // ViTModel's pooler: captioning reads every state
    if (startsWith(key, "decoder.")) {
      const std::string inner = m_decoder->mapCheckpointKey(key.substr(8));
      return inner.empty() ? "" : "decoder." + inner;
    }
    return key;
  }

 private:
  VedConfig m_cfg;
  ArchSummary m_summary;
  VitModel encoder{nullptr};
  std::shared_ptr<CausalLM> m_decoder;
  Linear enc_to_dec_proj{nullptr};
};

}  // namespace

ArchSummary visionEncoderDecoderSummary(const json& config) {
  const VedConfig c = VedConfig::fromJson(config);
  ArchSummary s = gpt2Summary(c.decoder);
  s.modelType = "vision-encoder-decoder";
  s.architecture = "VisionEncoderDecoderModel";
  s.kind = ModelKind::ImageToText;
  s.imageSize = c.encoder.imageSize;
  s.patchSize = c.encoder.patchSize;
  s.visionHidden = c.encoder.hidden;
  s.visionLayers = c.encoder.layers;
  return s;
}

std::shared_ptr<Network> makeVisionEncoderDecoder(const json& config) {
  return std::make_shared<VisionEncoderDecoderNet>(config);
}

}  // namespace fm
