// How a text encoder folder turns token states into one sentence vector, as sentence-
// transformers lays it out: modules.json lists the stages (Transformer, Pooling, Dense,
// Normalize); 1_Pooling/config.json picks the pooling; sentence_bert_config.json gives
// max_seq_length and do_lower_case; config_sentence_transformers.json gives named prompts
// ("query: " / "passage: "). A plain Hugging Face encoder folder without these gets mean
// pooling and normalisation, and `note` says so.
//
//   fm::SentenceConfig s = fm::SentenceConfig::read(dir, hidden, maxPositions, tokenizerConfig);
//
// No torch. Thread safety: a value.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace fm {

struct PoolingConfig {
  // Several modes may be on; their vectors are concatenated in this order (sentence-
  // transformers' order): cls, max, mean, mean_sqrt_len, weighted mean, last token.
  bool cls = false, max = false, mean = true, meanSqrtLen = false, weightedMean = false, lastToken = false;
  bool includePrompt = true;  // false: prompt tokens are left out of the pooling
  int64_t wordDim = 0;        // word_embedding_dimension
  int modes() const;
  std::string describe() const;  // "mean", "cls + mean", ...
  // Reads 1_Pooling/config.json (also the older pooling_mode string). Throws FormatError /
  // UnsupportedError naming `where`.
  static PoolingConfig fromJson(const nlohmann::json& j, const std::string& where);
};

// One sentence-transformers Dense stage (2_Dense/...): y = act(W x + b).
struct DenseStageConfig {
  std::filesystem::path dir;
  int64_t in = 0, out = 0;
  bool bias = true;
  std::string activation;  // "identity", "tanh", "relu", "gelu", "sigmoid"
};

struct SentenceConfig {
  bool sentenceTransformers = false;  // modules.json present
  PoolingConfig pooling;
  std::vector<DenseStageConfig> dense;
  bool normalize = true;
  int64_t maxLength = 0;  // tokens per text, special tokens included
  bool lowerCase = false;
  std::vector<std::pair<std::string, std::string>> prompts;  // name -> text prepended
  std::string defaultPrompt;                                  // default_prompt_name
  std::string note;                                           // how the defaults were chosen
  int64_t dimension() const;                                  // of the final vector

  // `hidden`: the encoder's hidden size; `maxPositions`: tokens it can take.
  static SentenceConfig read(const std::filesystem::path& dir, int64_t hidden, int64_t maxPositions,
                             const nlohmann::json& tokenizerConfig);
  // The prompt text for a name ("" when name is empty); throws ConfigError naming the ones
  // the model has.
  std::string promptText(const std::string& name) const;
};

}  // namespace fm
