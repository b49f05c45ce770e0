#include "embed/sentence_config.h"

#include "io/model_folder.h"
#include "util/error.h"

namespace fm {
namespace fs = std::filesystem;
using nlohmann::json;

int PoolingConfig::modes() const {
  return int(cls) + int(max) + int(mean) + int(meanSqrtLen) + int(weightedMean) + int(lastToken);
}

std::string PoolingConfig::describe() const {
  std::string s;
  auto add = [&](bool on, const char* name) {
    if (on) s += (s.empty() ? "" : " + ") + std::string(name);
  };
  add(cls, "cls");
  add(max, "max");
  add(mean, "mean");
  add(meanSqrtLen, "mean_sqrt_len");
  add(weightedMean, "weighted mean");
  add(lastToken, "last token");
  if (!includePrompt) s += " (prompt excluded)";
  return s;
}

PoolingConfig PoolingConfig::fromJson(const json& j, const std::string& where) {
  if (!j.is_object()) throw FormatError(where + ": not a JSON object");
  PoolingConfig p;
  p.mean = false;
  const bool hasModeString = j.contains("pooling_mode") && j["pooling_mode"].is_string();
  auto flag = [&](const char* key) {
    if (!j.contains(key) || j[key].is_null()) return false;
    if (!j[key].is_boolean()) throw FormatError(where + ": \"" + key + "\" must be true or false");
    return j[key].get<bool>();
  };
  if (j.contains("pooling_mode") && j["pooling_mode"].is_string()) {
    const std::string m = j["pooling_mode"].get<std::string>();
    if (m == "cls") p.cls = true;
    else if (m == "max") p.max = true;
    else if (m == "mean") p.mean = true;
    else if (m == "mean_sqrt_len_tokens") p.meanSqrtLen = true;
    else if (m == "weightedmean") p.weightedMean = true;
    else if (m == "lasttoken") p.lastToken = true;
    else throw UnsupportedError(where + ": pooling_mode \"" + m + "\" is not supported");
  }
  p.cls = p.cls || flag("pooling_mode_cls_token");
  p.max = p.max || flag("pooling_mode_max_tokens");
  // sentence-transformers' Pooling defaults to mean when the key is absent.
  p.mean = p.mean || (j.contains("pooling_mode_mean_tokens") ? flag("pooling_mode_mean_tokens") : !hasModeString);
  p.meanSqrtLen = p.meanSqrtLen || flag("pooling_mode_mean_sqrt_len_tokens");
  p.weightedMean = p.weightedMean || flag("pooling_mode_weightedmean_tokens");
  p.lastToken = p.lastToken || flag("pooling_mode_lasttoken");
  if (j.contains("include_prompt") && j["include_prompt"].is_boolean()) p.includePrompt = j["include_prompt"];
  if (j.contains("word_embedding_dimension") && j["word_embedding_dimension"].is_number_integer())
    p.wordDim = j["word_embedding_dimension"];
  if (p.modes() == 0) throw FormatError(where + ": no pooling mode is switched on");
  return p;
}

int64_t SentenceConfig::dimension() const {
  if (!dense.empty()) return dense.back().out;
  return pooling.wordDim * pooling.modes();
}

std::string SentenceConfig::promptText(const std::string& name) const {
  if (name.empty()) return "";
  std::string have;
  for (const auto& [n, text] : prompts) {
    if (n == name) return text;
    have += (have.empty() ? "" : ", ") + n;
  }
  if (prompts.empty())
    throw ConfigError("this model defines no prompts (no \"prompts\" in config_sentence_transformers.json), so \"" +
                      name + "\" means nothing to it. If its model card asks for a prefix (E5: \"query: \" and "
                      "\"passage: \"), give the text itself, e.g. fmw embed --prompt \"query: \"");
  throw ConfigError("this model has no prompt named \"" + name + "\" (it has: " + have + ")");
}

namespace {

std::string activationName(const std::string& cls, const std::string& where) {
  // sentence-transformers stores the activation as a class path.
  const std::string leaf = cls.substr(cls.rfind('.') == std::string::npos ? 0 : cls.rfind('.') + 1);
  if (leaf == "Identity") return "identity";
  if (leaf == "Tanh") return "tanh";
  if (leaf == "ReLU") return "relu";
  if (leaf == "GELU") return "gelu";
  if (leaf == "Sigmoid") return "sigmoid";
  throw UnsupportedError(where + ": activation_function \"" + cls + "\" is not supported (Identity, Tanh, ReLU, GELU, Sigmoid)");
}

}  // namespace

SentenceConfig SentenceConfig::read(const fs::path& dir, int64_t hidden, int64_t maxPositions,
                                    const json& tokenizerConfig) {
  SentenceConfig s;
  s.pooling.wordDim = hidden;
  s.maxLength = maxPositions;
  // The tokenizer's own limit applies when it is smaller (HF's model_max_length).
  if (tokenizerConfig.contains("model_max_length") && tokenizerConfig["model_max_length"].is_number_integer()) {
    const int64_t m = tokenizerConfig["model_max_length"].get<int64_t>();
    if (m > 0 && m < s.maxLength) s.maxLength = m;
  }
  const fs::path modulesPath = dir / "modules.json";
  if (!fs::exists(modulesPath)) {
    s.note = "no sentence-transformers files (modules.json): using mean pooling and normalisation";
    return s;
  }
  s.sentenceTransformers = true;
  s.normalize = false;
  const json modules = readJsonFile(modulesPath);
  if (!modules.is_array()) throw FormatError(modulesPath.string() + ": expected a list of modules");
  bool pooled = false;
  for (const json& m : modules) {
    if (!m.is_object() || !m.contains("type") || !m["type"].is_string())
      throw FormatError(modulesPath.string() + ": every module needs a \"type\"");
    const std::string type = m["type"].get<std::string>();
    const std::string sub = m.value("path", std::string());
    if (sub.find("..") != std::string::npos || (!sub.empty() && (sub[0] == '/' || sub[0] == '\\')))
      throw FormatError(modulesPath.string() + ": module path \"" + sub + "\" leaves the model folder");
    const std::string leaf = type.substr(type.rfind('.') == std::string::npos ? 0 : type.rfind('.') + 1);
    if (leaf == "Transformer") {
      const fs::path sbc = dir / sub / "sentence_bert_config.json";
      if (fs::exists(sbc)) {
        const json j = readJsonFile(sbc);
        if (j.contains("max_seq_length") && j["max_seq_length"].is_number_integer()) {
          const int64_t m = j["max_seq_length"].get<int64_t>();
          if (m > 0) s.maxLength = std::min(m, maxPositions);
        }
        if (j.contains("do_lower_case") && j["do_lower_case"].is_boolean()) s.lowerCase = j["do_lower_case"];
      }
    } else if (leaf == "Pooling") {
      const fs::path pc = dir / sub / "config.json";
      s.pooling = PoolingConfig::fromJson(readJsonFile(pc), pc.string());
      if (s.pooling.wordDim == 0) s.pooling.wordDim = hidden;
      if (s.pooling.wordDim != hidden)
        throw FormatError(pc.string() + ": word_embedding_dimension " + std::to_string(s.pooling.wordDim) +
                          " differs from the encoder's hidden size " + std::to_string(hidden));
      pooled = true;
    } else if (leaf == "Dense") {
      const fs::path dc = dir / sub / "config.json";
      const json j = readJsonFile(dc);
      DenseStageConfig d;
      d.dir = dir / sub;
      d.in = j.value("in_features", int64_t(0));
      d.out = j.value("out_features", int64_t(0));
      d.bias = j.value("bias", true);
      d.activation = activationName(j.value("activation_function", std::string("torch.nn.modules.linear.Identity")), dc.string());
      const int64_t expect = s.dense.empty() ? s.pooling.wordDim * s.pooling.modes() : s.dense.back().out;
      if (d.in != expect || d.out <= 0)
        throw FormatError(dc.string() + ": in_features " + std::to_string(d.in) + " does not follow the previous stage (" +
                          std::to_string(expect) + ")");
      s.dense.push_back(d);
    } else if (leaf == "Normalize") {
      s.normalize = true;
    } else {
      throw UnsupportedError(modulesPath.string() + ": sentence-transformers module " + type +
                             " is not supported (Transformer, Pooling, Dense, Normalize)");
    }
  }
  if (!pooled) {
    s.note = "modules.json has no Pooling stage: using mean pooling";
  }
  const fs::path cst = dir / "config_sentence_transformers.json";
  if (fs::exists(cst)) {
    const json j = readJsonFile(cst);
    if (j.contains("prompts") && j["prompts"].is_object())
      for (const auto& [name, text] : j["prompts"].items())
        if (text.is_string()) s.prompts.emplace_back(name, text.get<std::string>());
    if (j.contains("default_prompt_name") && j["default_prompt_name"].is_string())
      s.defaultPrompt = j["default_prompt_name"].get<std::string>();
  }
  return s;
}

}  // namespace fm
