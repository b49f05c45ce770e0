// Training a sentence embedder on pairs of texts that belong together (a question and the
// passage that answers it, a sentence and the paragraph around it), contrastively: in each batch
// every query is pulled towards its own passage and pushed from the others' (InfoNCE with
// in-batch negatives, both directions). Used by the Collections demo to get dense retrieval on
// a fresh machine with no download; works on any BERT-family embedder folder.
//
//   fm::createEmbedderFolder("models/demo-embedder", corpusText, {{"hidden_size", 128}}, 1);
//   fm::EmbedderTrainOptions o;  o.steps = 300;
//   auto r = fm::trainEmbedder("models/demo-embedder", pairs, o, job);   // weights replaced at the end
//
// Thread safety: one training per folder at a time; nothing else may use the folder meanwhile.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "jobs/job.h"

namespace fm {

struct TextPair {
  std::string query, passage;
};

struct EmbedderTrainOptions {
  int64_t steps = 300;
  int64_t batchSize = 32;       // pairs a step; the other pairs' passages are the negatives
  double lr = 1e-3;             // AdamW, linear warm-up then cosine decay
  int64_t warmupSteps = 20;
  double temperature = 0.05;    // of the cosine logits
  int64_t maxLength = 128;      // tokens a text, special tokens included
  uint64_t seed = 1;
  int threads = 0;              // 0: leave torch's setting
  std::string queryPrefix, passagePrefix;  // prepended to every query / passage ("" for none)
};

struct EmbedderTrainResult {
  JobStatus status = JobStatus::Completed;  // Cancelled: the folder is left as it was
  std::vector<std::pair<int64_t, double>> loss;  // (step, mean loss since the last point)
  double seconds = 0;
};

// A new BERT-architecture sentence embedder at `dir` with random weights (normal(0, 0.02)) and
// a SentencePiece tokenizer trained on `tokenizerText`: config.json (BertModel; `overrides`
// change its fields), model.safetensors, tokenizer.model, tokenizer_config.json, and the
// sentence-transformers files for mean pooling and normalisation.
void createEmbedderFolder(const std::filesystem::path& dir, const std::string& tokenizerText,
                          const nlohmann::json& overrides, uint64_t seed, int vocabSize = 2000);

// config.json and random weights (normal(0, 0.02), norms 1, biases 0) for any model `config`
// (encoders, CLIP, captioners); CLIP's logit_scale keeps its configured start.
void writeRandomModel(const std::filesystem::path& dir, const nlohmann::json& config, uint64_t seed);

// The small trainers' shared parts (this embedder trainer, CLIP's in vision/demo_shapes.h).
// Learning rate at `step` (1-based): linear warm-up over `warmup` steps, then cosine decay from
// `peak` down to `floor` x `peak` at the last step.
double warmupCosineLr(int64_t step, int64_t steps, int64_t warmup, double peak, double floor);
// The mean loss of every 10 steps (and of the last ones) as a chart point, logged to the job.
class LossPoints {
 public:
  void add(int64_t step, int64_t steps, double loss, std::vector<std::pair<int64_t, double>>& points,
           const JobContext& job);

 private:
  double m_sum = 0;
  int64_t m_count = 0;
};

// Trains the embedder in `dir` on `pairs` and writes its weights back (atomically) when done.
EmbedderTrainResult trainEmbedder(const std::filesystem::path& dir, const std::vector<TextPair>& pairs,
                                  const EmbedderTrainOptions& options, const JobContext& job = {});

}  // namespace fm
