// Reads top to bottom: config -> modules (names equal checkpoint keys) -> forward.
#include "arch/bert.h"

#include <cmath>
#include <map>

#include "nn/attention.h"
#include "arch/config_values.h"
#include "nn/layers.h"
#include "util/error.h"

namespace fm {
using nlohmann::json;

namespace {

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

struct BertConfig {
  std::string modelType = "bert", architecture = "BertModel";
  bool roberta = false;     // positions counted from padding_idx + 1; classifier head dense/out_proj
  bool classifier = false;  // ...ForSequenceClassification
  int64_t vocab = 30522, hidden = 768, layers = 12, heads = 12, intermediate = 3072;
  int64_t maxPositions = 512, typeVocab = 2, padId = 0;
  double eps = 1e-12;
  Activation act = Activation::Gelu;
  std::vector<std::string> labels;

  // Tokens a sequence may hold: RoBERTa's first position is padding_idx + 1.
  int64_t usablePositions() const { return roberta ? maxPositions - padId - 1 : maxPositions; }

  static BertConfig fromJson(const json& c) {
    BertConfig k;
    k.modelType = configString(c, "model_type", "bert");
    k.roberta = k.modelType == "roberta" || k.modelType == "xlm-roberta";
    k.architecture = configArchitecture(
        c, k.modelType == "bert" ? "BertModel" : k.modelType == "roberta" ? "RobertaModel" : "XLMRobertaModel");
    k.classifier = endsWith(k.architecture, "ForSequenceClassification");
    if (!k.classifier && (endsWith(k.architecture, "ForTokenClassification") ||
                          endsWith(k.architecture, "ForQuestionAnswering") ||
                          endsWith(k.architecture, "ForMultipleChoice") || endsWith(k.architecture, "ForCausalLM")))
      throw UnsupportedError("config.json: " + k.architecture +
                             " is not supported; this product uses BERT-family models as sentence encoders "
                             "(BertModel, XLMRobertaModel, ...) and cross-encoders (...ForSequenceClassification)");
    k.vocab = configInt(c, "vocab_size", k.vocab);
    k.hidden = configInt(c, "hidden_size", k.hidden);
    k.layers = configInt(c, "num_hidden_layers", k.layers);
    k.heads = configInt(c, "num_attention_heads", k.heads);
    k.intermediate = configInt(c, "intermediate_size", k.intermediate);
    k.maxPositions = configInt(c, "max_position_embeddings", k.maxPositions);
    k.typeVocab = configInt(c, "type_vocab_size", k.typeVocab);
    k.padId = configInt(c, "pad_token_id", k.roberta ? 1 : 0);
    k.eps = configNum(c, "layer_norm_eps", k.eps);
    if (k.vocab <= 0 || k.hidden <= 0 || k.layers <= 0 || k.heads <= 0 || k.intermediate <= 0 ||
        k.maxPositions <= 0 || k.typeVocab <= 0)
      throw FormatError("config.json: sizes must be positive");
    if (k.hidden % k.heads != 0)
      throw FormatError("config.json: hidden_size " + std::to_string(k.hidden) +
                        " is not a multiple of num_attention_heads " + std::to_string(k.heads));
    if (k.roberta && (k.padId < 0 || k.padId + 1 >= k.maxPositions))
      throw FormatError("config.json: pad_token_id " + std::to_string(k.padId) +
                        " leaves no positions (max_position_embeddings " + std::to_string(k.maxPositions) + ")");
    k.act = parseActivation(configString(c, "hidden_act", "gelu"), "hidden_act");
    const std::string pe = configString(c, "position_embedding_type", "absolute");
    if (pe != "absolute")
      throw UnsupportedError("config.json: position_embedding_type \"" + pe + "\" is not supported (absolute)");
    if (configBool(c, "is_decoder", false) || configBool(c, "add_cross_attention", false))
      throw UnsupportedError("config.json: BERT as a decoder (is_decoder / add_cross_attention) is not supported");
    if (k.classifier) {
      std::map<int64_t, std::string> byId;
      if (c.contains("id2label") && c["id2label"].is_object())
        for (const auto& [key, v] : c["id2label"].items()) {
          char* end = nullptr;
          const long long id = std::strtoll(key.c_str(), &end, 10);
          if (!end || *end || id < 0 || id > 100000 || !v.is_string())
            throw FormatError("config.json: id2label must map ids to label names");
          byId[id] = v.get<std::string>();
        }
      int64_t n = configInt(c, "num_labels", byId.empty() ? 2 : static_cast<int64_t>(byId.size()));
      if (!byId.empty()) n = static_cast<int64_t>(byId.size());
      if (n <= 0 || n > 100000) throw FormatError("config.json: num_labels must be positive");
      for (int64_t i = 0; i < n; ++i) {
        auto it = byId.find(i);
        k.labels.push_back(it != byId.end() ? it->second : "LABEL_" + std::to_string(i));
      }
    }
    return k;
  }
};

// ---------------------------------------------------------------- modules

struct BertEmbeddingsImpl : torch::nn::Module {
  explicit BertEmbeddingsImpl(const BertConfig& c) {
    word_embeddings = register_module("word_embeddings", Embedding(c.vocab, c.hidden));
    position_embeddings = register_module("position_embeddings", Embedding(c.maxPositions, c.hidden));
    token_type_embeddings = register_module("token_type_embeddings", Embedding(c.typeVocab, c.hidden));
    LayerNorm = register_module("LayerNorm", fm::LayerNorm(c.hidden, c.eps));
  }
  Embedding word_embeddings{nullptr}, position_embeddings{nullptr}, token_type_embeddings{nullptr};
  fm::LayerNorm LayerNorm{nullptr};
};
TORCH_MODULE(BertEmbeddings);

struct BertSelfAttentionImpl : torch::nn::Module {
  explicit BertSelfAttentionImpl(const BertConfig& c) {
    query = register_module("query", Linear(c.hidden, c.hidden, true));
    key = register_module("key", Linear(c.hidden, c.hidden, true));
    value = register_module("value", Linear(c.hidden, c.hidden, true));
  }
  Linear query{nullptr}, key{nullptr}, value{nullptr};
};
TORCH_MODULE(BertSelfAttention);

// dense + residual + LayerNorm: BertSelfOutput and BertOutput have the same shape.
struct BertDenseNormImpl : torch::nn::Module {
  BertDenseNormImpl(int64_t in, int64_t out, double eps) {
    dense = register_module("dense", Linear(in, out, true));
    LayerNorm = register_module("LayerNorm", fm::LayerNorm(out, eps));
  }
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& residual) {
    return LayerNorm(dense(x).add_(residual));
  }
  Linear dense{nullptr};
  fm::LayerNorm LayerNorm{nullptr};
};
TORCH_MODULE(BertDenseNorm);

struct BertAttentionImpl : torch::nn::Module {
  explicit BertAttentionImpl(const BertConfig& c) {
    self = register_module("self", BertSelfAttention(c));
    output = register_module("output", BertDenseNorm(c.hidden, c.hidden, c.eps));
  }
  BertSelfAttention self{nullptr};
  BertDenseNorm output{nullptr};
};
TORCH_MODULE(BertAttention);

struct BertIntermediateImpl : torch::nn::Module {
  explicit BertIntermediateImpl(const BertConfig& c) {
    dense = register_module("dense", Linear(c.hidden, c.intermediate, true));
  }
  Linear dense{nullptr};
};
TORCH_MODULE(BertIntermediate);

// Consecutive packed sequences of one length: tokens [offset, offset + count * length).
struct PackedRun {
  int64_t offset = 0, count = 0, length = 0;
};

struct BertLayerImpl : torch::nn::Module {
  explicit BertLayerImpl(const BertConfig& c) : cfg(c) {
    attention = register_module("attention", BertAttention(c));
    intermediate = register_module("intermediate", BertIntermediate(c));
    output = register_module("output", BertDenseNorm(c.intermediate, c.hidden, c.eps));
  }
  // x (B, T, hidden); mask (B, 1, 1, T) additive or undefined. Packed (B == 1): `groups`
  // lists runs of equal-length sequences, each run's attention computed as one batch.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask, const std::vector<PackedRun>& groups) {
    const int64_t B = x.size(0), T = x.size(1), H = cfg.heads, hd = cfg.hidden / cfg.heads;
    const double scale = 1.0 / std::sqrt(static_cast<double>(hd));
    auto& sa = attention->self;
    torch::Tensor ctx;  // (B, T, hidden)
    if (groups.empty()) {
      auto q = sa->query(x).view({B, T, H, hd}).transpose(1, 2);  // (B, H, T, hd)
      auto k = sa->key(x).view({B, T, H, hd}).transpose(1, 2);
      auto v = sa->value(x).view({B, T, H, hd}).transpose(1, 2);
      ctx = fm::attention(q, k, v, mask, scale).transpose(1, 2).reshape({B, T, cfg.hidden});
    } else {
      auto q = sa->query(x).view({T, H, hd}), k = sa->key(x).view({T, H, hd}), v = sa->value(x).view({T, H, hd});
      std::vector<torch::Tensor> parts;
      parts.reserve(groups.size());
      for (const PackedRun& g : groups) {
        // n sequences of length L: (n, H, L, hd), no mask.
        auto slice = [&](const torch::Tensor& t) { return t.narrow(0, g.offset, g.count * g.length).view({g.count, g.length, H, hd}).transpose(1, 2); };
        auto y = fm::attention(slice(q), slice(k), slice(v), {}, scale);  // (n, H, L, hd)
        parts.push_back(y.transpose(1, 2).reshape({g.count * g.length, cfg.hidden}));
      }
      ctx = (parts.size() == 1 ? parts[0] : torch::cat(parts, 0)).view({1, T, cfg.hidden});
    }
    auto h = attention->output(ctx, x);                      // (B, T, hidden)
    auto inner = activate(intermediate->dense(h), cfg.act);  // (B, T, inter)
    return output(inner, h);
  }
  BertConfig cfg;
  BertAttention attention{nullptr};
  BertIntermediate intermediate{nullptr};
  BertDenseNorm output{nullptr};
};
TORCH_MODULE(BertLayer);

struct BertStackImpl : torch::nn::Module {
  explicit BertStackImpl(const BertConfig& c) {
    layer = register_module("layer", torch::nn::ModuleList());
    for (int64_t i = 0; i < c.layers; ++i) {
      blocks.push_back(BertLayer(c));
      layer->push_back(blocks.back());
    }
  }
  torch::nn::ModuleList layer{nullptr};
  std::vector<BertLayer> blocks;
};
TORCH_MODULE(BertStack);

struct BertPoolerImpl : torch::nn::Module {
  explicit BertPoolerImpl(const BertConfig& c) { dense = register_module("dense", Linear(c.hidden, c.hidden, true)); }
  Linear dense{nullptr};
};
TORCH_MODULE(BertPooler);

// The encoder's forward over its embeddings and layer stack: (B, T) ids -> (B, T, hidden).
torch::Tensor bertForward(const BertConfig& cfg, BertEmbeddings& embeddings, BertStack& encoder, const EncoderArgs& a) {
  const auto& ids = a.ids;  // (B, T)
  const int64_t B = ids.size(0), T = ids.size(1);
  const auto dev = ids.device();
  std::vector<PackedRun> runs;
  int64_t longest = T;
  if (!a.segments.empty()) {
    if (B != 1) throw ConfigError("packed encoder batches have one row, got " + std::to_string(B));
    int64_t off = 0;
    longest = 0;
    for (int64_t len : a.segments) {
      if (len <= 0) throw ConfigError("packed sequence of length " + std::to_string(len));
      if (!runs.empty() && runs.back().length == len) ++runs.back().count;
      else runs.push_back({off, 1, len});
      off += len;
      longest = std::max(longest, len);
    }
    if (off != T) throw ConfigError("packed lengths sum to " + std::to_string(off) + ", not " + std::to_string(T));
  }
  if (longest > cfg.usablePositions())
    throw ConfigError("a text has " + std::to_string(longest) + " tokens; this encoder takes at most " +
                      std::to_string(cfg.usablePositions()));
  torch::Tensor pos;
  if (!runs.empty()) {
    // Positions restart with each sequence (RoBERTa's from padding_idx + 1, counting only
    // non-pad tokens as transformers does).
    auto cpuIds = ids.to(torch::kCPU).contiguous();
    const int64_t* pi = cpuIds.data_ptr<int64_t>();
    std::vector<int64_t> p(static_cast<size_t>(T));
    int64_t t = 0;
    for (int64_t len : a.segments) {
      int64_t count = 0;
      for (int64_t j = 0; j < len; ++j, ++t) {
        if (cfg.roberta) {
          const bool real = pi[t] != cfg.padId;
          count += real;
          p[static_cast<size_t>(t)] = real ? count + cfg.padId : cfg.padId;
        } else {
          p[static_cast<size_t>(t)] = j;
        }
      }
    }
    pos = torch::tensor(p, torch::kLong).view({1, T}).to(dev);
  } else if (cfg.roberta) {
    // transformers' create_position_ids_from_input_ids: real tokens count from padding_idx + 1,
    // padding tokens sit at padding_idx.
    auto real = ids.ne(cfg.padId).to(torch::kLong);
    pos = real.cumsum(1).mul_(real).add_(cfg.padId);  // (B, T)
  } else {
    pos = torch::arange(T, torch::TensorOptions().dtype(torch::kLong).device(dev)).unsqueeze(0);  // (1, T)
  }
  auto types = a.typeIds.defined() ? a.typeIds.to(dev)
                                   : torch::zeros({B, T}, torch::TensorOptions().dtype(torch::kLong).device(dev));
  auto x = embeddings->word_embeddings(ids) + embeddings->position_embeddings(pos) +
           embeddings->token_type_embeddings(types);  // (B, T, hidden)
  x = embeddings->LayerNorm(x);
  auto mask = a.keep.defined() ? paddingMask(a.keep.to(dev), x.scalar_type()) : torch::Tensor();  // (B, 1, 1, T)
  for (auto& block : encoder->blocks) x = block->forward(x, mask, runs);
  return x;  // (B, T, hidden)
}

// embeddings + encoder (+ pooler for BERT classifiers): a classifier checkpoint's "bert." or
// "roberta." body.
struct BertBodyImpl : torch::nn::Module {
  BertBodyImpl(const BertConfig& c, bool withPooler) : cfg(c) {
    embeddings = register_module("embeddings", BertEmbeddings(c));
    encoder = register_module("encoder", BertStack(c));
    if (withPooler) pooler = register_module("pooler", BertPooler(c));
  }
  torch::Tensor forward(const EncoderArgs& a) { return bertForward(cfg, embeddings, encoder, a); }
  BertConfig cfg;
  BertEmbeddings embeddings{nullptr};
  BertStack encoder{nullptr};
  BertPooler pooler{nullptr};
};
TORCH_MODULE(BertBody);

// Old TensorFlow-converted checkpoints name LayerNorm parameters gamma/beta (transformers
// renames them when loading).
std::string modernKey(std::string key) {
  if (endsWith(key, "LayerNorm.gamma")) return key.substr(0, key.size() - 5) + "weight";
  if (endsWith(key, "LayerNorm.beta")) return key.substr(0, key.size() - 4) + "bias";
  return key;
}

// Keys a BERT-family checkpoint may carry that these models do not use.
bool unusedKey(const std::string& key) {
  return endsWith(key, "embeddings.position_ids") || key.rfind("cls.", 0) == 0 || key.rfind("lm_head.", 0) == 0;
}

class BertEncoderNet : public TextEncoder {
 public:
  explicit BertEncoderNet(const json& config) : m_cfg(BertConfig::fromJson(config)), m_summary(bertSummary(config)) {
    m_prefix = m_cfg.roberta ? "roberta." : "bert.";
    embeddings = register_module("embeddings", BertEmbeddings(m_cfg));
    encoder = register_module("encoder", BertStack(m_cfg));
  }
  torch::Tensor forward(const EncoderArgs& a) override { return bertForward(m_cfg, embeddings, encoder, a); }
  const ArchSummary& summary() const override { return m_summary; }
  std::string mapCheckpointKey(const std::string& rawKey) const override {
    const std::string key = modernKey(rawKey);
    if (unusedKey(key)) return "";
    std::string k = key.rfind(m_prefix, 0) == 0 ? key.substr(m_prefix.size()) : key;
    if (k.rfind("pooler.", 0) == 0) return "";  // sentence embeddings never use the pooler
    return k;
  }

 private:
  BertConfig m_cfg;
  ArchSummary m_summary;
  std::string m_prefix;
  BertEmbeddings embeddings{nullptr};
  BertStack encoder{nullptr};
};

struct RobertaHeadImpl : torch::nn::Module {
  RobertaHeadImpl(int64_t hidden, int64_t labels) {
    dense = register_module("dense", Linear(hidden, hidden, true));
    out_proj = register_module("out_proj", Linear(hidden, labels, true));
  }
  Linear dense{nullptr}, out_proj{nullptr};
};
TORCH_MODULE(RobertaHead);

class BertClassifierNet : public SequenceClassifier {
 public:
  explicit BertClassifierNet(const json& config) : m_cfg(BertConfig::fromJson(config)), m_summary(bertSummary(config)) {
    const int64_t n = static_cast<int64_t>(m_cfg.labels.size());
    if (m_cfg.roberta) {
      roberta = register_module("roberta", BertBody(m_cfg, /*withPooler=*/false));
      head = register_module("classifier", RobertaHead(m_cfg.hidden, n));
    } else {
      bert = register_module("bert", BertBody(m_cfg, /*withPooler=*/true));
      classifier = register_module("classifier", Linear(m_cfg.hidden, n, true));
    }
  }

  // The first token of each sequence: (B, hidden), or one row per packed sequence.
  static torch::Tensor firstTokens(const torch::Tensor& h, const EncoderArgs& a) {
    if (a.segments.empty()) return h.select(1, 0);
    std::vector<int64_t> starts;
    int64_t off = 0;
    for (int64_t len : a.segments) {
      starts.push_back(off);
      off += len;
    }
    return h.squeeze(0).index_select(0, torch::tensor(starts, torch::kLong).to(h.device()));
  }

  torch::Tensor forward(const EncoderArgs& a) override {
    if (m_cfg.roberta) {
      auto x = firstTokens(roberta->forward(a), a);      // (B, hidden): <s>
      x = torch::tanh(head->dense(x));
      return head->out_proj(x).to(torch::kFloat);        // (B, labels)
    }
    auto first = firstTokens(bert->forward(a), a);       // (B, hidden): [CLS]
    auto pooled = torch::tanh(bert->pooler->dense(first));
    return classifier(pooled).to(torch::kFloat);         // (B, labels)
  }

  const ArchSummary& summary() const override { return m_summary; }
  std::string mapCheckpointKey(const std::string& rawKey) const override {
    const std::string key = modernKey(rawKey);
    if (unusedKey(key)) return "";
    if (m_cfg.roberta && key.rfind("roberta.pooler.", 0) == 0) return "";
    return key;
  }

 private:
  BertConfig m_cfg;
  ArchSummary m_summary;
  BertBody bert{nullptr}, roberta{nullptr};
  Linear classifier{nullptr};
  RobertaHead head{nullptr};
};

}  // namespace

ArchSummary bertSummary(const json& config) {
  const BertConfig c = BertConfig::fromJson(config);
  ArchSummary s;
  s.modelType = c.modelType;
  s.architecture = c.architecture;
  s.kind = c.classifier ? ModelKind::SequenceClassifier : ModelKind::TextEncoder;
  s.vocabSize = c.vocab;
  s.hidden = c.hidden;
  s.layers = c.layers;
  s.heads = s.kvHeads = c.heads;
  s.headDim = c.hidden / c.heads;
  s.intermediate = c.intermediate;
  s.maxPositions = c.usablePositions();
  s.positionEncoding = c.roberta ? "learned, counted from padding_idx + 1" : "learned";
  s.typeVocab = c.typeVocab;
  s.labels = c.labels;
  return s;
}

std::shared_ptr<Network> makeBert(const json& config) {
  if (bertSummary(config).kind == ModelKind::SequenceClassifier) return std::make_shared<BertClassifierNet>(config);
  return std::make_shared<BertEncoderNet>(config);
}

}  // namespace fm
