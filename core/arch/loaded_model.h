// A model folder loaded for inference, behind an opaque handle so that callers (the CLI, the
// UI bridge) need no torch headers.
//
//   fm::ModelInfo info = fm::inspectModel(dir);            // reads headers only, fast
//   auto model = fm::LoadedModel::load(dir, {});          // weights + tokenizer
//   model->tokenizer()->encode("Hi", true);
//
// Thread safety: a LoadedModel is shared read-only by inference jobs; each job creates its own
// KV cache (see generate/generator.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace fm {

class Tokenizer;
class CausalLM;

struct LoadOptions {
  std::string dtype = "float32";  // float32 | bfloat16 | float16
  std::string device = "cpu";     // cpu | cuda | cuda:N
};

struct ModelInfo {
  std::string dir;
  std::string modelType, architecture;
  int64_t parameters = 0;
  std::string dtypeOnDisk;             // "BF16", "F32", or "mixed (F32, BF16)"
  uint64_t weightBytesOnDisk = 0;
  uint64_t memoryFp32 = 0, memoryBf16 = 0;  // weights in memory when loaded in that dtype
  uint64_t kvBytesPerToken = 0;            // fp32 KV cache per token of context
  int64_t vocabSize = 0, hidden = 0, layers = 0, heads = 0, kvHeads = 0, headDim = 0;
  int64_t intermediate = 0, maxPositions = 0;
  bool tiedEmbeddings = false;
  std::string positionEncoding;
  std::string tokenizerKind;           // "" when the folder has no tokenizer
  std::string tokenizerError;          // why it could not be loaded, if so
  int64_t tokenizerVocab = 0;
  std::string chatFormat;              // "ChatML", "Llama 3", ..., "none"
  std::string chatMessage;             // e.g. "chat template not recognised; ..."
  std::vector<std::pair<std::string, std::string>> specialTokens;  // role -> text (id)
  std::vector<int64_t> eosIds;
  int64_t bosId = -1;
};

ModelInfo inspectModel(const std::filesystem::path& dir);

class LoadedModel {
 public:
  static std::shared_ptr<LoadedModel> load(const std::filesystem::path& dir,
                                           const LoadOptions& options);
  ~LoadedModel();

  const ModelInfo& info() const;
  // nullptr when the folder has no tokenizer (ids-only use).
  const Tokenizer* tokenizer() const;
  CausalLM& lm() const;  // for core code that includes arch/causal_lm.h
  // Defaults from generation_config.json (fields absent there are unset: < 0).
  struct GenerationDefaults {
    double temperature = -1, topP = -1, repetitionPenalty = -1;
    int topK = -1, maxNewTokens = -1;
    bool doSample = true;
  };
  const GenerationDefaults& generationDefaults() const;

 private:
  LoadedModel();
  struct Impl;
  std::unique_ptr<Impl> m;
};

}  // namespace fm
