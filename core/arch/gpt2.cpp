#include "arch/gpt2.h"

#include "arch/config_values.h"

#include <cmath>

#include "nn/layers.h"
#include "util/error.h"

namespace fm {
using nlohmann::json;

namespace {

struct Gpt2Config {
  int64_t vocab = 50257, embd = 768, layers = 12, heads = 12, positions = 1024, inner = 0;
  double eps = 1e-5;
  bool crossAttention = false;  // add_cross_attention: the decoder of an encoder-decoder model

  static Gpt2Config fromJson(const json& c) {
    Gpt2Config k;
    auto geti = [&](const char* key, int64_t def) { return configInt(c, key, def); };
    k.vocab = geti("vocab_size", k.vocab);
    k.embd = geti("n_embd", k.embd);
    k.layers = geti("n_layer", k.layers);
    k.heads = geti("n_head", k.heads);
    k.positions = geti("n_positions", k.positions);
    k.inner = geti("n_inner", 4 * k.embd);
    k.eps = configNum(c, "layer_norm_epsilon", k.eps);
    k.crossAttention = configBool(c, "add_cross_attention", false);
    if (k.vocab <= 0 || k.embd <= 0 || k.layers <= 0 || k.heads <= 0 || k.positions <= 0 || k.inner <= 0)
      throw FormatError("config.json: sizes (vocab_size, n_embd, n_layer, n_head, n_positions, n_inner) must be positive");
    if (k.embd % k.heads != 0)
      throw FormatError("config.json: n_embd " + std::to_string(k.embd) +
                        " is not a multiple of n_head " + std::to_string(k.heads));
    const std::string act = configString(c, "activation_function", "gelu_new");
    if (act != "gelu_new" && act != "gelu_pytorch_tanh" && act != "gelu")
      throw UnsupportedError("config.json: activation_function \"" + act +
                             "\" is not supported (gelu_new, gelu)");
    if (configBool(c, "scale_attn_by_inverse_layer_idx", false) || configBool(c, "reorder_and_upcast_attn", false))
      throw UnsupportedError("config.json: scale_attn_by_inverse_layer_idx / "
                             "reorder_and_upcast_attn are not supported");
    return k;
  }
};

struct Gpt2AttentionImpl : torch::nn::Module {
  Gpt2AttentionImpl(const Gpt2Config& c) : heads(c.heads), hd(c.embd / c.heads) {
    c_attn = register_module("c_attn", Conv1D(c.embd, 3 * c.embd));
    c_proj = register_module("c_proj", Conv1D(c.embd, c.embd));
  }
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask, KVCache* cache,
                        size_t layer, const std::vector<int64_t>& segments) {
    const int64_t B = x.size(0), T = x.size(1), E = x.size(2);
    auto qkv = c_attn(x).split(E, -1);
    auto q = qkv[0].view({B, T, heads, hd}).transpose(1, 2);  // (B, H, T, hd)
    auto k = qkv[1].view({B, T, heads, hd}).transpose(1, 2);
    auto v = qkv[2].view({B, T, heads, hd}).transpose(1, 2);
    if (cache) std::tie(k, v) = appendToCache(*cache, layer, k, v);  // (B, KV, S, hd)
    const double scale = 1.0 / std::sqrt(static_cast<double>(hd));
    auto y = segments.empty() ? attention(q, k, v, mask, scale)
                              : attentionPacked(q, k, v, segments, scale);  // (B, H, T, hd)
    return c_proj(y.transpose(1, 2).reshape({B, T, E}));
  }
  int64_t heads, hd;
  Conv1D c_attn{nullptr}, c_proj{nullptr};
};
TORCH_MODULE(Gpt2Attention);

// Cross-attention (is_cross_attention): queries from the text, keys and values from the
// encoder's states; no mask.
struct Gpt2CrossAttentionImpl : torch::nn::Module {
  Gpt2CrossAttentionImpl(const Gpt2Config& c) : heads(c.heads), hd(c.embd / c.heads) {
    c_attn = register_module("c_attn", Conv1D(c.embd, 2 * c.embd));
    q_attn = register_module("q_attn", Conv1D(c.embd, c.embd));
    c_proj = register_module("c_proj", Conv1D(c.embd, c.embd));
  }
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& encoder, KVCache* cache, size_t layer) {
    const int64_t B = x.size(0), T = x.size(1), E = x.size(2);
    auto q = q_attn(x).view({B, T, heads, hd}).transpose(1, 2);  // (B, H, T, hd)
    torch::Tensor k, v;
    if (cache && cache->crossK.size() > layer && cache->crossK[layer].defined()) {
      k = cache->crossK[layer];
      v = cache->crossV[layer];
    } else {
      if (!encoder.defined()) throw ConfigError("this GPT-2 decoder needs the encoder's states (cross-attention)");
      const int64_t N = encoder.size(1);
      auto kv = c_attn(encoder).split(E, -1);
      k = kv[0].view({B, N, heads, hd}).transpose(1, 2);  // (B, H, N, hd)
      v = kv[1].view({B, N, heads, hd}).transpose(1, 2);
      if (cache) {
        if (cache->crossK.size() <= layer) {
          cache->crossK.resize(layer + 1);
          cache->crossV.resize(layer + 1);
        }
        cache->crossK[layer] = k;
        cache->crossV[layer] = v;
      }
    }
    auto y = attention(q, k, v, {}, 1.0 / std::sqrt(static_cast<double>(hd)));
    return c_proj(y.transpose(1, 2).reshape({B, T, E}));
  }
  int64_t heads, hd;
  Conv1D c_attn{nullptr}, q_attn{nullptr}, c_proj{nullptr};
};
TORCH_MODULE(Gpt2CrossAttention);

struct Gpt2MlpImpl : torch::nn::Module {
  Gpt2MlpImpl(const Gpt2Config& c, bool tanhGelu) : tanh(tanhGelu) {
    c_fc = register_module("c_fc", Conv1D(c.embd, c.inner));
    c_proj = register_module("c_proj", Conv1D(c.inner, c.embd));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    return c_proj(torch::gelu(c_fc(x), tanh ? "tanh" : "none"));
  }
  bool tanh;
  Conv1D c_fc{nullptr}, c_proj{nullptr};
};
TORCH_MODULE(Gpt2Mlp);

struct Gpt2BlockImpl : torch::nn::Module {
  Gpt2BlockImpl(const Gpt2Config& c, bool tanhGelu) {
    ln_1 = register_module("ln_1", LayerNorm(c.embd, c.eps));
    attn = register_module("attn", Gpt2Attention(c));
    ln_2 = register_module("ln_2", LayerNorm(c.embd, c.eps));
    mlp = register_module("mlp", Gpt2Mlp(c, tanhGelu));
    if (c.crossAttention) {
      crossattention = register_module("crossattention", Gpt2CrossAttention(c));
      ln_cross_attn = register_module("ln_cross_attn", LayerNorm(c.embd, c.eps));
    }
  }
  torch::Tensor forward(torch::Tensor x, const torch::Tensor& mask, KVCache* cache, size_t layer,
                        const std::vector<int64_t>& segments, const torch::Tensor& encoder) {
    x = x + attn->forward(ln_1(x), mask, cache, layer, segments);
    if (crossattention) x = x + crossattention->forward(ln_cross_attn(x), encoder, cache, layer);
    return x + mlp(ln_2(x));
  }
  LayerNorm ln_1{nullptr}, ln_2{nullptr}, ln_cross_attn{nullptr};
  Gpt2Attention attn{nullptr};
  Gpt2CrossAttention crossattention{nullptr};
  Gpt2Mlp mlp{nullptr};
};
TORCH_MODULE(Gpt2Block);

struct Gpt2BodyImpl : torch::nn::Module {
  Gpt2BodyImpl(const Gpt2Config& c, bool tanhGelu) {
    wte = register_module("wte", Embedding(c.vocab, c.embd));
    wpe = register_module("wpe", Embedding(c.positions, c.embd));
    h = register_module("h", torch::nn::ModuleList());
    for (int64_t i = 0; i < c.layers; ++i) {
      blocks.push_back(Gpt2Block(c, tanhGelu));
      h->push_back(blocks.back());
    }
    ln_f = register_module("ln_f", LayerNorm(c.embd, c.eps));
  }
  Embedding wte{nullptr}, wpe{nullptr};
  torch::nn::ModuleList h{nullptr};
  std::vector<Gpt2Block> blocks;
  LayerNorm ln_f{nullptr};
};
TORCH_MODULE(Gpt2Body);

class Gpt2LMHeadModel : public CausalLM {
 public:
  explicit Gpt2LMHeadModel(const json& config) : m_cfg(Gpt2Config::fromJson(config)) {
    const bool tanhGelu = configString(config, "activation_function", "gelu_new") != "gelu";
    transformer = register_module("transformer", Gpt2Body(m_cfg, tanhGelu));
    m_summary = gpt2Summary(config);
  }

  torch::Tensor forward(const ForwardArgs& a) override {
    const bool embeds = a.inputEmbeds.defined();
    const int64_t T = embeds ? a.inputEmbeds.size(1) : a.ids.size(1);
    const int64_t past = a.cache ? a.cache->length : 0;
    const auto dev = embeds ? a.inputEmbeds.device() : a.ids.device();
    checkPacked(a);
    torch::Tensor pos = a.positions.defined()   ? a.positions
                        : !a.segments.empty() ? packedPositions(a.segments, dev)
                                              : torch::arange(past, past + T, torch::TensorOptions().dtype(torch::kLong).device(dev))
                                  .unsqueeze(0);  // (B|1, T)
    const int64_t reach =
        a.positions.defined() || !a.segments.empty() ? pos.max().item<int64_t>() + 1 : past + T;
    if (reach > m_cfg.positions)
      throw ConfigError("GPT-2 context is " + std::to_string(m_cfg.positions) +
                        " positions; this sequence needs " + std::to_string(reach));
    auto tokens = embeds ? a.inputEmbeds.to(transformer->wte->weight.scalar_type()) : transformer->wte(a.ids);
    auto x = tokens + transformer->wpe(pos);  // (B, T, E)
    torch::Tensor mask = a.mask.defined() || !a.segments.empty() ? a.mask : causalMask(T, past, dev);
    for (size_t i = 0; i < transformer->blocks.size(); ++i)
      x = transformer->blocks[i]->forward(x, mask, a.cache, i, a.segments, a.encoderStates);
    if (a.cache) a.cache->length = past + T;
    x = transformer->ln_f(selectOutputRows(x, a.outputRows));
    return torch::linear(x, transformer->wte->weight).to(torch::kFloat);  // (B, T, vocab)
  }

  torch::Tensor embedTokens(const torch::Tensor& ids) const override {
    return torch::embedding(transformer->wte->weight, ids);
  }

  KVCache makeCache(int64_t batch, int64_t capacity) const override {
    KVCache c;
    auto opts = torch::TensorOptions().dtype(dtype()).device(device());
    for (int64_t i = 0; i < m_cfg.layers; ++i) {
      c.k.push_back(torch::empty({batch, m_cfg.heads, capacity, m_cfg.embd / m_cfg.heads}, opts));
      c.v.push_back(torch::empty({batch, m_cfg.heads, capacity, m_cfg.embd / m_cfg.heads}, opts));
    }
    return c;
  }

  const ArchSummary& summary() const override { return m_summary; }

  std::string mapCheckpointKey(const std::string& key) const override {
    // The original GPT-2 checkpoints have no "transformer." prefix and carry the causal-mask
    // buffers attn.bias / attn.masked_bias, which are recomputed here.
    std::string k = key.rfind("transformer.", 0) == 0 || key.rfind("lm_head.", 0) == 0
                        ? key
                        : "transformer." + key;
    auto endsWith = [&](const char* s) {
      const std::string suf(s);
      return k.size() >= suf.size() && k.compare(k.size() - suf.size(), suf.size(), suf) == 0;
    };
    if (endsWith(".attn.bias") || endsWith(".attn.masked_bias")) return "";
    if (k == "lm_head.weight") return "";  // tied to wte
    return k;
  }

 private:
  Gpt2Config m_cfg;
  ArchSummary m_summary;
  Gpt2Body transformer{nullptr};
};

}  // namespace

ArchSummary gpt2Summary(const json& config) {
  const Gpt2Config c = Gpt2Config::fromJson(config);
  ArchSummary s;
  s.modelType = "gpt2";
  s.architecture = "GPT2LMHeadModel";
  s.vocabSize = c.vocab;
  s.hidden = c.embd;
  s.layers = c.layers;
  s.heads = s.kvHeads = c.heads;
  s.headDim = c.embd / c.heads;
  s.intermediate = c.inner;
  s.maxPositions = c.positions;
  s.tiedEmbeddings = true;
  s.positionEncoding = "learned";
  return s;
}

std::shared_ptr<Network> makeGpt2(const json& config) {
  return std::make_shared<Gpt2LMHeadModel>(config);
}

}  // namespace fm
