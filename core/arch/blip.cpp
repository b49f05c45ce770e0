// Reads top to bottom: config -> the vision tower -> the text decoder -> the model -> summary.
#include "arch/blip.h"

#include <cmath>

#include "arch/config_values.h"
#include "nn/layers.h"
#include "util/error.h"

namespace fm {
using nlohmann::json;

namespace {

struct BlipVisionConfig {
  int64_t hidden = 768, intermediate = 3072, layers = 12, heads = 12, imageSize = 384, patchSize = 16;
  double eps = 1e-5;
  Activation act = Activation::Gelu;
  int64_t patches() const { return (imageSize / patchSize) * (imageSize / patchSize); }
};

struct BlipTextConfig {
  int64_t vocab = 30524, hidden = 768, encoderHidden = 768, intermediate = 3072, layers = 12, heads = 12,
          positions = 512, bos = 30522, sep = 102;
  double eps = 1e-12;
  Activation act = Activation::Gelu;
};

struct BlipConfig {
  BlipVisionConfig vision;
  BlipTextConfig text;

  static BlipConfig fromJson(const json& c) {
    BlipConfig k;
    const std::string arch = configArchitecture(c, "BlipForConditionalGeneration");
    if (arch != "BlipForConditionalGeneration")
      throw UnsupportedError("config.json: " + arch +
                             " is not supported; BLIP models that write captions (BlipForConditionalGeneration) are");
    const json v = c.contains("vision_config") && c["vision_config"].is_object() ? c["vision_config"] : json::object();
    const json t = c.contains("text_config") && c["text_config"].is_object() ? c["text_config"] : json::object();
    const char* vw = "config.json vision_config";
    BlipVisionConfig& x = k.vision;
    x.hidden = configInt(v, "hidden_size", x.hidden, vw);
    x.intermediate = configInt(v, "intermediate_size", x.intermediate, vw);
    x.layers = configInt(v, "num_hidden_layers", x.layers, vw);
    x.heads = configInt(v, "num_attention_heads", x.heads, vw);
    x.imageSize = configInt(v, "image_size", x.imageSize, vw);
    x.patchSize = configInt(v, "patch_size", x.patchSize, vw);
    x.eps = configNum(v, "layer_norm_eps", x.eps, vw);
    x.act = parseActivation(configString(v, "hidden_act", "gelu", vw), "vision_config.hidden_act");
    if (x.hidden <= 0 || x.layers <= 0 || x.heads <= 0 || x.hidden % x.heads != 0 || x.patchSize <= 0 ||
        x.imageSize % x.patchSize != 0)
      throw FormatError("config.json vision_config: sizes must be positive, hidden_size a multiple of the heads and "
                        "image_size a multiple of patch_size");
    const char* tw = "config.json text_config";
    BlipTextConfig& y = k.text;
    y.vocab = configInt(t, "vocab_size", y.vocab, tw);
    y.hidden = configInt(t, "hidden_size", y.hidden, tw);
    y.encoderHidden = configInt(t, "encoder_hidden_size", x.hidden, tw);
    y.intermediate = configInt(t, "intermediate_size", y.intermediate, tw);
    y.layers = configInt(t, "num_hidden_layers", y.layers, tw);
    y.heads = configInt(t, "num_attention_heads", y.heads, tw);
    y.positions = configInt(t, "max_position_embeddings", y.positions, tw);
    y.bos = configInt(t, "bos_token_id", y.bos, tw);
    y.sep = configInt(t, "sep_token_id", y.sep, tw);
    y.eps = configNum(t, "layer_norm_eps", y.eps, tw);
    y.act = parseActivation(configString(t, "hidden_act", "gelu", tw), "text_config.hidden_act");
    if (configString(t, "position_embedding_type", "absolute", tw) != "absolute")
      throw UnsupportedError("config.json text_config: only absolute position embeddings are supported");
    if (y.hidden <= 0 || y.layers <= 0 || y.heads <= 0 || y.hidden % y.heads != 0 || y.vocab <= 0)
      throw FormatError("config.json text_config: sizes must be positive and hidden_size a multiple of the heads");
    if (y.bos < 0 || y.bos >= y.vocab || y.sep < 0 || y.sep >= y.vocab)
      throw FormatError("config.json text_config: bos_token_id and sep_token_id must be in the vocabulary");
    return k;
  }
};

torch::Tensor heads(const torch::Tensor& x, int64_t h) {  // (B, T, E) -> (B, h, T, E / h)
  return x.view({x.size(0), x.size(1), h, x.size(2) / h}).transpose(1, 2);
}
torch::Tensor merge(const torch::Tensor& x) {  // (B, h, T, d) -> (B, T, h * d)
  return x.transpose(1, 2).reshape({x.size(0), x.size(2), -1});
}

// ------------------------------------------------------------------ vision tower

// The patch convolution (kernel = stride = patch_size, with bias).
struct BlipPatchEmbeddingImpl : torch::nn::Module {
  explicit BlipPatchEmbeddingImpl(const BlipVisionConfig& c) {
    weight = register_parameter("weight", torch::zeros({c.hidden, 3, c.patchSize, c.patchSize}));
    bias = register_parameter("bias", torch::zeros({c.hidden}));
  }
  torch::Tensor weight, bias;
};
TORCH_MODULE(BlipPatchEmbedding);

struct BlipVisionEmbeddingsImpl : torch::nn::Module {
  explicit BlipVisionEmbeddingsImpl(const BlipVisionConfig& c) : patch(c.patchSize) {
    class_embedding = register_parameter("class_embedding", torch::zeros({1, 1, c.hidden}));
    patch_embedding = register_module("patch_embedding", BlipPatchEmbedding(c));
    position_embedding = register_parameter("position_embedding", torch::zeros({1, c.patches() + 1, c.hidden}));
  }
  torch::Tensor forward(const torch::Tensor& pixels) {
    const auto& w = patch_embedding->weight;
    auto x = torch::conv2d(pixels.to(w.scalar_type()), w, patch_embedding->bias, torch::IntArrayRef{patch, patch})
                 .flatten(2)
                 .transpose(1, 2);  // (B, N, H)
    const int64_t B = x.size(0), H = x.size(2);
    x = torch::cat({class_embedding.expand({B, 1, H}), x}, 1);
    return x + position_embedding;
  }
  int64_t patch;
  torch::Tensor class_embedding, position_embedding;
  BlipPatchEmbedding patch_embedding{nullptr};
};
TORCH_MODULE(BlipVisionEmbeddings);

struct BlipVisionAttentionImpl : torch::nn::Module {
  explicit BlipVisionAttentionImpl(const BlipVisionConfig& c) : h(c.heads) {
    qkv = register_module("qkv", Linear(c.hidden, 3 * c.hidden, true));
    projection = register_module("projection", Linear(c.hidden, c.hidden, true));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    auto parts = qkv(x).chunk(3, -1);
    const double scale = 1.0 / std::sqrt(static_cast<double>(x.size(2) / h));
    return projection(merge(attention(heads(parts[0], h), heads(parts[1], h), heads(parts[2], h), {}, scale)));
  }
  int64_t h;
  Linear qkv{nullptr}, projection{nullptr};
};
TORCH_MODULE(BlipVisionAttention);

struct BlipMlpImpl : torch::nn::Module {
  explicit BlipMlpImpl(const BlipVisionConfig& c) : act(c.act) {
    fc1 = register_module("fc1", Linear(c.hidden, c.intermediate, true));
    fc2 = register_module("fc2", Linear(c.intermediate, c.hidden, true));
  }
  torch::Tensor forward(const torch::Tensor& x) { return fc2(activate(fc1(x), act)); }
  Activation act;
  Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(BlipMlp);

struct BlipVisionLayerImpl : torch::nn::Module {
  explicit BlipVisionLayerImpl(const BlipVisionConfig& c) {
    self_attn = register_module("self_attn", BlipVisionAttention(c));
    layer_norm1 = register_module("layer_norm1", LayerNorm(c.hidden, c.eps));
    mlp = register_module("mlp", BlipMlp(c));
    layer_norm2 = register_module("layer_norm2", LayerNorm(c.hidden, c.eps));
  }
  torch::Tensor forward(torch::Tensor x) {
    x = x + self_attn(layer_norm1(x));
    return x + mlp(layer_norm2(x));
  }
  BlipVisionAttention self_attn{nullptr};
  LayerNorm layer_norm1{nullptr}, layer_norm2{nullptr};
  BlipMlp mlp{nullptr};
};
TORCH_MODULE(BlipVisionLayer);

struct BlipVisionEncoderImpl : torch::nn::Module {
  explicit BlipVisionEncoderImpl(const BlipVisionConfig& c) {
    layers = register_module("layers", torch::nn::ModuleList());
    for (int64_t i = 0; i < c.layers; ++i) {
      blocks.push_back(BlipVisionLayer(c));
      layers->push_back(blocks.back());
    }
  }
  torch::nn::ModuleList layers{nullptr};
  std::vector<BlipVisionLayer> blocks;
};
TORCH_MODULE(BlipVisionEncoder);

struct BlipVisionModelImpl : torch::nn::Module {
  explicit BlipVisionModelImpl(const BlipVisionConfig& c) {
    embeddings = register_module("embeddings", BlipVisionEmbeddings(c));
    encoder = register_module("encoder", BlipVisionEncoder(c));
    post_layernorm = register_module("post_layernorm", LayerNorm(c.hidden, c.eps));
  }
  torch::Tensor forward(const torch::Tensor& pixels) {
    auto x = embeddings(pixels);
    for (auto& b : encoder->blocks) x = b(x);
    return post_layernorm(x);  // every position goes to the text decoder
  }
  BlipVisionEmbeddings embeddings{nullptr};
  BlipVisionEncoder encoder{nullptr};
  LayerNorm post_layernorm{nullptr};
};
TORCH_MODULE(BlipVisionModel);

// ------------------------------------------------------------------ text decoder

struct BlipTextSelfImpl : torch::nn::Module {
  BlipTextSelfImpl(const BlipTextConfig& c, int64_t kvWidth) {
    query = register_module("query", Linear(c.hidden, c.hidden, true));
    key = register_module("key", Linear(kvWidth, c.hidden, true));
    value = register_module("value", Linear(kvWidth, c.hidden, true));
  }
  Linear query{nullptr}, key{nullptr}, value{nullptr};
};
TORCH_MODULE(BlipTextSelf);

struct BlipTextOutputImpl : torch::nn::Module {  // LayerNorm(dense(x) + residual)
  BlipTextOutputImpl(int64_t in, const BlipTextConfig& c) {
    dense = register_module("dense", Linear(in, c.hidden, true));
    LayerNorm_ = register_module("LayerNorm", LayerNorm(c.hidden, c.eps));
  }
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& residual) { return LayerNorm_(dense(x) + residual); }
  Linear dense{nullptr};
  LayerNorm LayerNorm_{nullptr};
};
TORCH_MODULE(BlipTextOutput);

// Self-attention (causal, cached) or cross-attention (keys and values from the picture, made
// once per picture and kept in the cache).
struct BlipTextAttentionImpl : torch::nn::Module {
  BlipTextAttentionImpl(const BlipTextConfig& c, bool cross) : h(c.heads), isCross(cross) {
    self = register_module("self", BlipTextSelf(c, cross ? c.encoderHidden : c.hidden));
    output = register_module("output", BlipTextOutput(c.hidden, c));
  }
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& image, const torch::Tensor& mask, KVCache* cache,
                        size_t layer) {
    auto q = heads(self->query(x), h);
    torch::Tensor k, v;
    if (!isCross) {
      k = heads(self->key(x), h);
      v = heads(self->value(x), h);
      if (cache) std::tie(k, v) = appendToCache(*cache, layer, k, v);
    } else if (cache && cache->crossK.size() > layer && cache->crossK[layer].defined()) {
      k = cache->crossK[layer];
      v = cache->crossV[layer];
    } else {
      if (!image.defined()) throw ConfigError("the BLIP text decoder needs the picture's states (cross-attention)");
      k = heads(self->key(image), h);
      v = heads(self->value(image), h);
      if (cache) {
        if (cache->crossK.size() <= layer) {
          cache->crossK.resize(layer + 1);
          cache->crossV.resize(layer + 1);
        }
        cache->crossK[layer] = k;
        cache->crossV[layer] = v;
      }
    }
    const double scale = 1.0 / std::sqrt(static_cast<double>(x.size(2) / h));
    return output(merge(attention(q, k, v, isCross ? torch::Tensor() : mask, scale)), x);
  }
  int64_t h;
  bool isCross;
  BlipTextSelf self{nullptr};
  BlipTextOutput output{nullptr};
};
TORCH_MODULE(BlipTextAttention);

struct BlipTextDenseImpl : torch::nn::Module {
  BlipTextDenseImpl(int64_t in, int64_t out) { dense = register_module("dense", Linear(in, out, true)); }
  Linear dense{nullptr};
};
TORCH_MODULE(BlipTextDense);

struct BlipTextLayerImpl : torch::nn::Module {
  explicit BlipTextLayerImpl(const BlipTextConfig& c) : act(c.act) {
    attention_ = register_module("attention", BlipTextAttention(c, false));
    crossattention = register_module("crossattention", BlipTextAttention(c, true));
    intermediate = register_module("intermediate", BlipTextDense(c.hidden, c.intermediate));
    output = register_module("output", BlipTextOutput(c.intermediate, c));
  }
  torch::Tensor forward(torch::Tensor x, const torch::Tensor& image, const torch::Tensor& mask, KVCache* cache,
                        size_t layer) {
    x = attention_->forward(x, torch::Tensor(), mask, cache, layer);
    x = crossattention->forward(x, image, torch::Tensor(), cache, layer);
    return output(activate(intermediate->dense(x), act), x);
  }
  Activation act;
  BlipTextAttention attention_{nullptr}, crossattention{nullptr};
  BlipTextDense intermediate{nullptr};
  BlipTextOutput output{nullptr};
};
TORCH_MODULE(BlipTextLayer);

struct BlipTextEmbeddingsImpl : torch::nn::Module {
  explicit BlipTextEmbeddingsImpl(const BlipTextConfig& c) {
    word_embeddings = register_module("word_embeddings", Embedding(c.vocab, c.hidden));
    position_embeddings = register_module("position_embeddings", Embedding(c.positions, c.hidden));
    LayerNorm_ = register_module("LayerNorm", LayerNorm(c.hidden, c.eps));
  }
  Embedding word_embeddings{nullptr}, position_embeddings{nullptr};
  LayerNorm LayerNorm_{nullptr};
};
TORCH_MODULE(BlipTextEmbeddings);

struct BlipTextEncoderImpl : torch::nn::Module {
  explicit BlipTextEncoderImpl(const BlipTextConfig& c) {
    layer = register_module("layer", torch::nn::ModuleList());
    for (int64_t i = 0; i < c.layers; ++i) {
      blocks.push_back(BlipTextLayer(c));
      layer->push_back(blocks.back());
    }
  }
  torch::nn::ModuleList layer{nullptr};
  std::vector<BlipTextLayer> blocks;
};
TORCH_MODULE(BlipTextEncoder);

struct BlipBertImpl : torch::nn::Module {
  explicit BlipBertImpl(const BlipTextConfig& c) {
    embeddings = register_module("embeddings", BlipTextEmbeddings(c));
    encoder = register_module("encoder", BlipTextEncoder(c));
  }
  BlipTextEmbeddings embeddings{nullptr};
  BlipTextEncoder encoder{nullptr};
};
TORCH_MODULE(BlipBert);

struct BlipHeadTransformImpl : torch::nn::Module {
  explicit BlipHeadTransformImpl(const BlipTextConfig& c) {
    dense = register_module("dense", Linear(c.hidden, c.hidden, true));
    LayerNorm_ = register_module("LayerNorm", LayerNorm(c.hidden, c.eps));
  }
  Linear dense{nullptr};
  LayerNorm LayerNorm_{nullptr};
};
TORCH_MODULE(BlipHeadTransform);

struct BlipPredictionsImpl : torch::nn::Module {
  explicit BlipPredictionsImpl(const BlipTextConfig& c) {
    transform = register_module("transform", BlipHeadTransform(c));
    bias = register_parameter("bias", torch::zeros({c.vocab}));
  }
  BlipHeadTransform transform{nullptr};
  torch::Tensor bias;
};
TORCH_MODULE(BlipPredictions);

struct BlipClsImpl : torch::nn::Module {
  explicit BlipClsImpl(const BlipTextConfig& c) { predictions = register_module("predictions", BlipPredictions(c)); }
  BlipPredictions predictions{nullptr};
};
TORCH_MODULE(BlipCls);

struct BlipTextDecoderImpl : torch::nn::Module {
  explicit BlipTextDecoderImpl(const BlipTextConfig& c) : cfg(c) {
    bert = register_module("bert", BlipBert(c));
    cls = register_module("cls", BlipCls(c));
  }
  torch::Tensor forward(const torch::Tensor& ids, const torch::Tensor& image, KVCache* cache) {
    const int64_t T = ids.size(1), past = cache ? cache->length : 0;
    if (past + T > cfg.positions)
      throw ConfigError("BLIP's text decoder has " + std::to_string(cfg.positions) + " positions; this needs " +
                        std::to_string(past + T));
    const auto dev = ids.device();
    auto pos = torch::arange(past, past + T, torch::TensorOptions().dtype(torch::kLong).device(dev));
    auto& e = bert->embeddings;
    auto x = e->LayerNorm_(e->word_embeddings(ids) + e->position_embeddings(pos).unsqueeze(0));
    const torch::Tensor mask = causalMask(T, past, dev);
    for (size_t i = 0; i < bert->encoder->blocks.size(); ++i) x = bert->encoder->blocks[i](x, image, mask, cache, i);
    if (cache) cache->length = past + T;
    auto& p = cls->predictions;
    auto h = p->transform->LayerNorm_(activate(p->transform->dense(x), cfg.act));
    return (torch::linear(h, e->word_embeddings->weight) + p->bias).to(torch::kFloat);  // decoder tied to the words
  }
  BlipTextConfig cfg;
  BlipBert bert{nullptr};
  BlipCls cls{nullptr};
};
TORCH_MODULE(BlipTextDecoder);

bool endsWith(const std::string& s, const std::string& p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

class BlipNet : public ImageToTextModel {
 public:
  explicit BlipNet(const json& config) : m_cfg(BlipConfig::fromJson(config)), m_summary(blipSummary(config)) {
    vision_model = register_module("vision_model", BlipVisionModel(m_cfg.vision));
    text_decoder = register_module("text_decoder", BlipTextDecoder(m_cfg.text));
  }

  torch::Tensor encodeImages(const torch::Tensor& pixels) override {
    const int64_t S = m_cfg.vision.imageSize;
    if (pixels.dim() != 4 || pixels.size(1) != 3 || pixels.size(2) != S || pixels.size(3) != S)
      throw ConfigError("this captioner takes pictures of " + std::to_string(S) + " x " + std::to_string(S) + " pixels");
    return vision_model(pixels);
  }
  torch::Tensor decode(const torch::Tensor& ids, const torch::Tensor& states, KVCache* cache) override {
    return text_decoder(ids, states, cache);
  }
  KVCache makeCache(int64_t batch, int64_t capacity) const override {
    KVCache c;
    const auto& t = m_cfg.text;
    auto opts = torch::TensorOptions().dtype(dtype()).device(device());
    for (int64_t i = 0; i < t.layers; ++i) {
      c.k.push_back(torch::empty({batch, t.heads, capacity, t.hidden / t.heads}, opts));
      c.v.push_back(torch::empty({batch, t.heads, capacity, t.hidden / t.heads}, opts));
    }
    return c;
  }
  int64_t imageSize() const override { return m_cfg.vision.imageSize; }
  int64_t maxTextTokens() const override { return m_cfg.text.positions; }
  int64_t decoderStartId() const override { return m_cfg.text.bos; }
  std::vector<int64_t> eosIds() const override { return {m_cfg.text.sep}; }
  const ArchSummary& summary() const override { return m_summary; }

  std::string mapCheckpointKey(const std::string& key) const override {
    // Buffers and tied copies transformers writes: positions are recomputed, the prediction
    // head's decoder is the word embeddings and its bias is cls.predictions.bias.
    if (endsWith(key, "embeddings.position_ids")) return "";
    if (key == "text_decoder.cls.predictions.decoder.weight" || key == "text_decoder.cls.predictions.decoder.bias")
      return "";
    return key;
  }

 private:
  BlipConfig m_cfg;
  ArchSummary m_summary;
  BlipVisionModel vision_model{nullptr};
  BlipTextDecoder text_decoder{nullptr};
};

}  // namespace

ArchSummary blipSummary(const json& config) {
  const BlipConfig c = BlipConfig::fromJson(config);
  ArchSummary s;
  s.modelType = "blip";
  s.architecture = "BlipForConditionalGeneration";
  s.kind = ModelKind::ImageToText;
  s.vocabSize = c.text.vocab;
  s.hidden = c.text.hidden;
  s.layers = c.text.layers;
  s.heads = s.kvHeads = c.text.heads;
  s.headDim = c.text.hidden / c.text.heads;
  s.intermediate = c.text.intermediate;
  s.maxPositions = c.text.positions;
  s.tiedEmbeddings = true;
  s.positionEncoding = "learned";
  s.imageSize = c.vision.imageSize;
  s.patchSize = c.vision.patchSize;
  s.visionHidden = c.vision.hidden;
  s.visionLayers = c.vision.layers;
  return s;
}

std::shared_ptr<Network> makeBlip(const json& config) { return std::make_shared<BlipNet>(config); }

}  // namespace fm
