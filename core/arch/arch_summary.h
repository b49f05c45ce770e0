// What config.json says a model is, without torch: its kind and sizes. The registry
// (arch/registry.cpp) maps model_type and architectures to a kind and an implementation;
// the UI and the CLI show these fields directly.
//
//   fm::ArchSummary a = fm::summarizeArch(folder.config());   // throws UnsupportedError
//   if (a.kind == fm::ModelKind::TextEncoder) ...
//
// Thread safety: plain functions and values.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace fm {

enum class ModelKind {
  CausalLM,            // generates text; LoRA, training
  TextEncoder,         // sentence embeddings
  SequenceClassifier,  // scores a text or a text pair (cross-encoder reranking)
  VisionText,          // pictures and texts in one embedding space (CLIP)
  ImageToText,         // describes a picture in words (captioners)
};

// Stable identifiers for JSON and settings: "causal-lm", "text-encoder", "sequence-classifier",
// "vision-text", "image-to-text".
const char* modelKindId(ModelKind kind);
// Plain words for people: "language model", "text encoder (embeddings)", ...
const char* modelKindLabel(ModelKind kind);

struct ArchSummary {
  std::string modelType;     // "llama", "bert", "xlm-roberta", ...
  std::string architecture;  // "LlamaForCausalLM", "BertModel", ...
  ModelKind kind = ModelKind::CausalLM;
  int64_t vocabSize = 0, hidden = 0, layers = 0, heads = 0, kvHeads = 0, headDim = 0;
  int64_t intermediate = 0, maxPositions = 0;
  int64_t typeVocab = 0;  // encoders: token type (segment) ids the model has
  bool tiedEmbeddings = false;
  std::string positionEncoding;     // "RoPE theta=10000 (llama3 x8)", "learned", ...
  std::vector<std::string> labels;  // classifiers: id2label in id order
  // Image towers (vision-text models): the sizes above are the text tower's.
  int64_t imageSize = 0, patchSize = 0, visionHidden = 0, visionLayers = 0, projectionDim = 0;
};

// Throws UnsupportedError for unknown model types, naming the ones supported, and
// ConfigError for sizes that make no sense.
ArchSummary summarizeArch(const nlohmann::json& config);
std::vector<std::string> supportedModelTypes();

}  // namespace fm
