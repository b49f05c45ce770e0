// A model folder loaded for inference, of any kind (language model, text encoder,
// cross-encoder), behind an opaque handle so that callers (the CLI, the UI bridge) need no
// torch headers.
//
//   fm::ModelInfo info = fm::inspectModel(dir);            // reads headers only, fast
//   auto model = fm::LoadedModel::load(dir, {});          // weights + tokenizer
//   model->tokenizer()->encode("Hi", true);
//   if (model->kind() == fm::ModelKind::TextEncoder) fm::embedTexts(*model, texts, {});
//
// Thread safety: a LoadedModel is immutable after load and shared read-only by inference jobs;
// each job creates its own KV cache (generate/generator.h) and picks its adapter per call.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "arch/arch_summary.h"
#include "jobs/job.h"

namespace fm {

class Tokenizer;
class Network;
class CausalLM;
class TextEncoder;
class SequenceClassifier;
class VisionTextModel;
class ImageToTextModel;
struct SentenceConfig;
class SentenceHead;

struct LoadOptions {
  std::string dtype = "float32";  // float32 | bfloat16 | float16
  std::string device = "cpu";     // cpu | cuda | cuda:N
  // Reading the weights reports the fraction done; a stop asked there ends the load with
  // CancelledError. Not part of what identifies a loaded model.
  JobContext job;
};

struct ModelInfo {
  std::string dir;
  std::string modelType, architecture;
  ModelKind kind = ModelKind::CausalLM;
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
  int64_t padTokenId = -1;
  int64_t typeVocabSize = 0;  // encoders  // config.json pad_token_id (encoders pad with it)
  // Text encoders (sentence-transformers layout or the defaults).
  int64_t embeddingDim = 0;
  std::string pooling;                                        // "mean", "cls", ...
  bool normalize = false;
  int64_t maxLength = 0;                                      // tokens per text
  bool lowerCase = false;
  std::vector<std::pair<std::string, std::string>> prompts;  // name -> text
  // Vision-text models: the image tower (the sizes above are the text tower's).
  int64_t imageSize = 0, patchSize = 0, visionHidden = 0, visionLayers = 0, projectionDim = 0;
  // Classifiers: label names in id order.
  std::vector<std::string> labels;
  std::vector<std::string> notes;  // defaults chosen, things to know
};

ModelInfo inspectModel(const std::filesystem::path& dir);
// Only what config.json and the weight headers say (kind, sizes, parameters), with the size
// check against memory; no network is built and no tokenizer read. What the model pool needs
// to make room before a load, which then checks everything itself.
ModelInfo describeModel(const std::filesystem::path& dir);

class LoadedModel {
 public:
  static std::shared_ptr<LoadedModel> load(const std::filesystem::path& dir,
                                           const LoadOptions& options);
  ~LoadedModel();

  const ModelInfo& info() const;
  ModelKind kind() const;
  // nullptr when the folder has no tokenizer (ids-only use).
  const Tokenizer* tokenizer() const;
  // For core code that includes the arch headers. lm(), encoder() and classifier() throw
  // UnsupportedError (naming the model's kind) when the model is of another kind.
  Network& network() const;
  CausalLM& lm() const;
  TextEncoder& encoder() const;
  SequenceClassifier& classifier() const;
  VisionTextModel& visionText() const;
  ImageToTextModel& imageToText() const;
  // preprocessor_config.json as the folder has it ({} when absent): vision/preprocess.h reads it.
  const nlohmann::json& preprocessorConfig() const;
  // Text encoders only (null otherwise).
  const SentenceConfig* sentenceConfig() const;
  const SentenceHead* sentenceHead() const;
  // Bytes the weights take in memory as loaded.
  uint64_t memoryBytes() const;
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
