// Reads top to bottom: config -> modules (names equal checkpoint keys) -> forward.
#include "arch/llama.h"

#include <cmath>

#include "arch/config_values.h"
#include "nn/layers.h"
#include "util/error.h"

namespace fm {

namespace {
constexpr double kPi = 3.14159265358979323846;  // M_PI is not standard C++ (MSVC lacks it)
}  // namespace
using nlohmann::json;

LlamaConfig LlamaConfig::fromJson(const json& c) {
  LlamaConfig k;
  const std::string type = configString(c, "model_type", "llama");
  k.vocabSize = configInt(c, "vocab_size", k.vocabSize);
  k.hidden = configInt(c, "hidden_size", k.hidden);
  k.intermediate = configInt(c, "intermediate_size", k.intermediate);
  k.layers = configInt(c, "num_hidden_layers", k.layers);
  k.heads = configInt(c, "num_attention_heads", k.heads);
  k.kvHeads = configInt(c, "num_key_value_heads", k.heads);
  if (k.heads <= 0 || k.hidden <= 0 || k.layers <= 0 || k.vocabSize <= 0 || k.kvHeads <= 0 || k.intermediate <= 0)
    throw FormatError("config.json: sizes (hidden_size, intermediate_size, num_hidden_layers, num_attention_heads, "
                      "num_key_value_heads, vocab_size) must be positive");
  k.headDim = configInt(c, "head_dim", k.hidden / k.heads);
  if (k.headDim <= 0) throw FormatError("config.json: head_dim must be positive");
  if (k.heads % k.kvHeads != 0)
    throw FormatError("config.json: num_attention_heads " + std::to_string(k.heads) +
                      " is not a multiple of num_key_value_heads " + std::to_string(k.kvHeads));
  if (k.headDim % 2 != 0) throw FormatError("config.json: head_dim must be even for RoPE");
  k.maxPositions = configInt(c, "max_position_embeddings", k.maxPositions);
  if (k.maxPositions <= 0) throw FormatError("config.json: max_position_embeddings must be positive");
  k.rmsEps = configNum(c, "rms_norm_eps", k.rmsEps);
  k.ropeTheta = configNum(c, "rope_theta", k.ropeTheta);
  k.tied = configBool(c, "tie_word_embeddings", false);
  const std::string act = configString(c, "hidden_act", "silu");
  if (act != "silu" && act != "swish")
    throw UnsupportedError("config.json: hidden_act \"" + act + "\" is not supported (silu)");
  // Mistral attends within a sliding window (null in configs that switched it off). Qwen2's
  // use_sliding_window applies it to some layers only; released Qwen2 models leave it off.
  if (type == "mistral" && c.contains("sliding_window") && c["sliding_window"].is_number_integer()) {
    k.slidingWindow = c["sliding_window"].get<int64_t>();
    if (k.slidingWindow <= 0) throw FormatError("config.json: sliding_window must be positive or null");
  }
  if (type == "qwen2" && configBool(c, "use_sliding_window", false))
    throw UnsupportedError("config.json: use_sliding_window (Qwen2's per-layer sliding window) is not supported");
  if (type == "qwen2") {
    k.qkvBias = true;
  } else {
    k.qkvBias = k.oBias = configBool(c, "attention_bias", false);
    k.mlpBias = configBool(c, "mlp_bias", false);
  }
  if (c.contains("rope_scaling") && c["rope_scaling"].is_object()) {
    const json& s = c["rope_scaling"];
    k.ropeType = configString(s, "rope_type", configString(s, "type", "default", "config.json rope_scaling"),
                              "config.json rope_scaling");
    k.ropeFactor = configNum(s, "factor", 1.0);
    k.lowFreqFactor = configNum(s, "low_freq_factor", 1.0);
    k.highFreqFactor = configNum(s, "high_freq_factor", 4.0);
    k.ropeOriginalMax = configInt(s, "original_max_position_embeddings", k.maxPositions);
    if (k.ropeType != "default" && k.ropeType != "linear" && k.ropeType != "dynamic" &&
        k.ropeType != "llama3")
      throw UnsupportedError("config.json: rope_scaling type \"" + k.ropeType +
                             "\" is not supported (default, linear, dynamic, llama3)");
  }
  return k;
}

torch::Tensor ropeInvFreq(const LlamaConfig& c, int64_t seqLen) {
  const int64_t d = c.headDim;
  double base = c.ropeTheta;
  if (c.ropeType == "dynamic" && seqLen > c.maxPositions) {
    // Dynamic NTK: grow the base once the sequence passes the trained length.
    const double ratio = c.ropeFactor * seqLen / c.maxPositions - (c.ropeFactor - 1.0);
    base = base * std::pow(ratio, static_cast<double>(d) / (d - 2));
  }
  auto exponents = torch::arange(0, d, 2, torch::kInt64).to(torch::kFloat) / static_cast<double>(d);
  auto inv = 1.0 / torch::pow(torch::scalar_tensor(base, torch::kFloat), exponents);  // (d/2)
  if (c.ropeType == "linear") {
    inv = inv / c.ropeFactor;
  } else if (c.ropeType == "llama3") {
    const double oldLen = static_cast<double>(c.ropeOriginalMax);
    const double lowWavelen = oldLen / c.lowFreqFactor;
    const double highWavelen = oldLen / c.highFreqFactor;
    auto wavelen = 2.0 * kPi / inv;
    auto scaled = torch::where(wavelen > lowWavelen, inv / c.ropeFactor, inv);
    auto smooth = (oldLen / wavelen - c.lowFreqFactor) / (c.highFreqFactor - c.lowFreqFactor);
    auto smoothed = (1.0 - smooth) * scaled / c.ropeFactor + smooth * scaled;
    auto medium = (wavelen >= highWavelen).logical_and(wavelen <= lowWavelen);
    inv = torch::where(medium, smoothed, scaled);
  }
  return inv;
}

namespace {

torch::Tensor rotateHalf(const torch::Tensor& x) {
  const int64_t h = x.size(-1) / 2;
  return torch::cat({-x.narrow(-1, h, h), x.narrow(-1, 0, h)}, -1);
}

struct LlamaAttentionImpl : torch::nn::Module {
  LlamaAttentionImpl(const LlamaConfig& c) : cfg(c) {
    q_proj = register_module("q_proj", Linear(c.hidden, c.heads * c.headDim, c.qkvBias));
    k_proj = register_module("k_proj", Linear(c.hidden, c.kvHeads * c.headDim, c.qkvBias));
    v_proj = register_module("v_proj", Linear(c.hidden, c.kvHeads * c.headDim, c.qkvBias));
    o_proj = register_module("o_proj", Linear(c.heads * c.headDim, c.hidden, c.oBias));
  }

  // x (B, T, hidden); cos/sin (B|1, 1, T, hd)
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                        const torch::Tensor& mask, KVCache* cache, size_t layer,
                        const std::vector<int64_t>& segments) {
    const int64_t B = x.size(0), T = x.size(1), hd = cfg.headDim;
    auto q = q_proj(x).view({B, T, cfg.heads, hd}).transpose(1, 2);    // (B, H, T, hd)
    auto k = k_proj(x).view({B, T, cfg.kvHeads, hd}).transpose(1, 2);  // (B, KV, T, hd)
    auto v = v_proj(x).view({B, T, cfg.kvHeads, hd}).transpose(1, 2);  // (B, KV, T, hd)
    q = q * cos + rotateHalf(q) * sin;
    k = k * cos + rotateHalf(k) * sin;
    if (cache) std::tie(k, v) = appendToCache(*cache, layer, k, v);  // (B, KV, S, hd)
    const double scale = 1.0 / std::sqrt(static_cast<double>(hd));
    auto y = segments.empty() ? attention(q, k, v, mask, scale)
                              : attentionPacked(q, k, v, segments, scale, cfg.slidingWindow);  // (B, H, T, hd)
    return o_proj(y.transpose(1, 2).reshape({B, T, cfg.heads * hd}));
  }

  LlamaConfig cfg;
  Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, o_proj{nullptr};
};
TORCH_MODULE(LlamaAttention);

struct LlamaMlpImpl : torch::nn::Module {
  LlamaMlpImpl(const LlamaConfig& c) {
    gate_proj = register_module("gate_proj", Linear(c.hidden, c.intermediate, c.mlpBias));
    up_proj = register_module("up_proj", Linear(c.hidden, c.intermediate, c.mlpBias));
    down_proj = register_module("down_proj", Linear(c.intermediate, c.hidden, c.mlpBias));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    return down_proj(torch::silu(gate_proj(x)) * up_proj(x));
  }
  Linear gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};
};
TORCH_MODULE(LlamaMlp);

struct LlamaLayerImpl : torch::nn::Module {
  LlamaLayerImpl(const LlamaConfig& c) {
    self_attn = register_module("self_attn", LlamaAttention(c));
    mlp = register_module("mlp", LlamaMlp(c));
    input_layernorm = register_module("input_layernorm", RMSNorm(c.hidden, c.rmsEps));
    post_attention_layernorm =
        register_module("post_attention_layernorm", RMSNorm(c.hidden, c.rmsEps));
  }
  torch::Tensor forward(torch::Tensor x, const torch::Tensor& cos, const torch::Tensor& sin,
                        const torch::Tensor& mask, KVCache* cache, size_t layer,
                        const std::vector<int64_t>& segments) {
    x = x + self_attn->forward(input_layernorm(x), cos, sin, mask, cache, layer, segments);
    return x + mlp(post_attention_layernorm(x));
  }
  LlamaAttention self_attn{nullptr};
  LlamaMlp mlp{nullptr};
  RMSNorm input_layernorm{nullptr}, post_attention_layernorm{nullptr};
};
TORCH_MODULE(LlamaLayer);

struct LlamaBodyImpl : torch::nn::Module {
  LlamaBodyImpl(const LlamaConfig& c) {
    embed_tokens = register_module("embed_tokens", Embedding(c.vocabSize, c.hidden));
    layers = register_module("layers", torch::nn::ModuleList());
    for (int64_t i = 0; i < c.layers; ++i) {
      blocks.push_back(LlamaLayer(c));
      layers->push_back(blocks.back());
    }
    norm = register_module("norm", RMSNorm(c.hidden, c.rmsEps));
  }
  Embedding embed_tokens{nullptr};
  torch::nn::ModuleList layers{nullptr};
  std::vector<LlamaLayer> blocks;
  RMSNorm norm{nullptr};
};
TORCH_MODULE(LlamaBody);

class LlamaForCausalLM : public CausalLM {
 public:
  explicit LlamaForCausalLM(const json& config) : m_cfg(LlamaConfig::fromJson(config)) {
    model = register_module("model", LlamaBody(m_cfg));
    if (!m_cfg.tied) lm_head = register_module("lm_head", Linear(m_cfg.hidden, m_cfg.vocabSize, false));
    m_summary = llamaSummary(config);
  }

  torch::Tensor forward(const ForwardArgs& a) override {
    const bool embeds = a.inputEmbeds.defined();
    const int64_t T = embeds ? a.inputEmbeds.size(1) : a.ids.size(1);  // (B, T)
    const int64_t past = a.cache ? a.cache->length : 0;
    const auto dev = embeds ? a.inputEmbeds.device() : a.ids.device();
    checkPacked(a);
    torch::Tensor pos = a.positions.defined()   ? a.positions
                        : !a.segments.empty() ? packedPositions(a.segments, dev)
                                              : torch::arange(past, past + T, torch::TensorOptions().dtype(torch::kLong).device(dev))
                                  .unsqueeze(0);  // (B|1, T)
    const int64_t reach =
        a.positions.defined() || !a.segments.empty() ? pos.max().item<int64_t>() + 1 : past + T;
    auto inv = ropeInvFreq(m_cfg, reach).to(dev);                     // (hd/2)
    auto freqs = pos.to(torch::kFloat).unsqueeze(-1) * inv;           // (B|1, T, hd/2)
    auto emb = torch::cat({freqs, freqs}, -1).unsqueeze(1);           // (B|1, 1, T, hd)
    auto x = embeds ? a.inputEmbeds.to(model->embed_tokens->weight.scalar_type())
                    : model->embed_tokens(a.ids);                     // (B, T, hidden)
    auto cos = emb.cos().to(x.scalar_type()), sin = emb.sin().to(x.scalar_type());
    torch::Tensor mask = a.mask.defined() || !a.segments.empty() ? a.mask : causalMask(T, past, dev, m_cfg.slidingWindow);
    for (size_t i = 0; i < model->blocks.size(); ++i)
      x = model->blocks[i]->forward(x, cos, sin, mask, a.cache, i, a.segments);
    if (a.cache) a.cache->length = past + T;
    x = model->norm(selectOutputRows(x, a.outputRows));
    auto logits = m_cfg.tied ? torch::linear(x, model->embed_tokens->weight) : lm_head(x);
    return logits.to(torch::kFloat);  // (B, T, vocab)
  }

  torch::Tensor embedTokens(const torch::Tensor& ids) const override {
    return torch::embedding(model->embed_tokens->weight, ids);
  }

  KVCache makeCache(int64_t batch, int64_t capacity) const override {
    KVCache c;
    auto opts = torch::TensorOptions().dtype(dtype()).device(device());
    for (int64_t i = 0; i < m_cfg.layers; ++i) {
      c.k.push_back(torch::empty({batch, m_cfg.kvHeads, capacity, m_cfg.headDim}, opts));
      c.v.push_back(torch::empty({batch, m_cfg.kvHeads, capacity, m_cfg.headDim}, opts));
    }
    return c;
  }

  const ArchSummary& summary() const override { return m_summary; }

  std::string mapCheckpointKey(const std::string& key) const override {
    // Older checkpoints store the rotary buffer; it is recomputed from config.json.
    if (key.find("rotary_emb.inv_freq") != std::string::npos) return "";
    // A tied model may still store lm_head.weight (a copy of the embeddings).
    if (m_cfg.tied && key == "lm_head.weight") return "";
    return key;
  }

 private:
  LlamaConfig m_cfg;
  ArchSummary m_summary;
  LlamaBody model{nullptr};
  Linear lm_head{nullptr};
};

}  // namespace

ArchSummary llamaSummary(const json& config) {
  const LlamaConfig c = LlamaConfig::fromJson(config);
  ArchSummary s;
  s.modelType = configString(config, "model_type", "llama");
  s.architecture = configArchitecture(config, "LlamaForCausalLM");
  s.vocabSize = c.vocabSize;
  s.hidden = c.hidden;
  s.layers = c.layers;
  s.heads = c.heads;
  s.kvHeads = c.kvHeads;
  s.headDim = c.headDim;
  s.intermediate = c.intermediate;
  s.maxPositions = c.maxPositions;
  s.tiedEmbeddings = c.tied;
  char buf[160];
  if (c.ropeType == "default")
    std::snprintf(buf, sizeof buf, "RoPE theta=%g", c.ropeTheta);
  else
    std::snprintf(buf, sizeof buf, "RoPE theta=%g, %s scaling x%g", c.ropeTheta,
                  c.ropeType.c_str(), c.ropeFactor);
  s.positionEncoding = buf;
  return s;
}

std::shared_ptr<Network> makeLlama(const json& config) {
  return std::make_shared<LlamaForCausalLM>(config);
}

}  // namespace fm
