// Sentence embeddings and cross-encoder scores from a loaded model, the way
// sentence-transformers computes them (embed/sentence_config.h), without padding waste:
// texts are tokenized, sorted by length and cut into batches under a token budget; a batch's
// texts are laid end to end (packed), so the encoder computes real tokens only, and each text
// attends to itself alone.
//
//   auto model = fm::LoadedModel::load("models/multilingual-e5-small", {});
//   fm::EmbedOptions o;  o.promptName = "query";
//   fm::EmbedResult r = fm::embedTexts(*model, {"서울의 인구는?", "How tall is it?"}, o);
//   // r.vectors[i]: one vector per text, in input order (unit length when the model normalises)
//
//   std::vector<fm::PairScore> s = fm::scorePairs(*reranker, "query", passages, {});
//
// Thread safety: any number of calls may run at once on one LoadedModel (each on its own
// thread); they set torch::InferenceMode on the calling thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "jobs/job.h"

namespace fm {

class LoadedModel;

// Long work here reports per batch to its JobContext; a stop asked there throws CancelledError.

struct EmbedOptions {
  // A prompt of the model's config_sentence_transformers.json ("query", "passage"), or "" for
  // the model's default prompt (none when it has no default_prompt_name).
  std::string promptName;
  // Prepended as it is when set (overrides promptName); E5-style "query: " without a prompts file.
  std::string promptText;
  bool usePromptText = false;
  int64_t maxBatchTokens = 4096;  // tokens per forward pass
  int64_t maxBatchTexts = 256;
};

struct EmbedResult {
  std::vector<std::vector<float>> vectors;  // in input order
  int64_t realTokens = 0, paddedTokens = 0;  // tokens of the texts, tokens the encoder computed
  int64_t truncated = 0;                     // texts cut to the model's max length
};

// Throws UnsupportedError when the model is not a text encoder.
EmbedResult embedTexts(const LoadedModel& model, const std::vector<std::string>& texts, const EmbedOptions& options,
                       const JobContext& job = {});

// Texts already tokenized (ids with special tokens; at most the model's max length): the
// benchmark uses this to feed the encoder exactly the same tokens as its peer.
EmbedResult embedIds(const LoadedModel& model, const std::vector<std::vector<int32_t>>& ids, int64_t promptTokens,
                     const EmbedOptions& options, const JobContext& job = {});

// Cosine similarity of every pair of rows.
std::vector<std::vector<double>> cosineMatrix(const std::vector<std::vector<float>>& vectors);

struct PairScore {
  std::vector<double> logits;         // one per label
  std::vector<double> probabilities;  // one label: sigmoid; several: softmax
  // What passages are ranked by. One label: the logit. Several: the probability of the
  // ranked label (rankedLabel), so passages rank the same way whatever the model is sure of.
  double score = 0;
  int label = 0;     // the ranked label (0 with one label)
  int topLabel = 0;  // the most probable label
  bool truncated = false;
};

// The label a cross-encoder with several labels ranks by: one named "relevant",
// "entailment", "positive", "yes", "true", "match", "similar" or "duplicate"; else the second
// of two (LABEL_1); else the last.
int rankedLabel(const std::vector<std::string>& labels);

struct RerankOptions {
  int64_t maxLength = 0;  // 0: the model's
  int64_t maxBatchTokens = 4096;
  int64_t maxBatchPairs = 128;
};

// Scores (query, passage) pairs with a cross-encoder, in passage order. Throws
// UnsupportedError when the model is not a sequence classifier.
std::vector<PairScore> scorePairs(const LoadedModel& model, const std::string& query,
                                  const std::vector<std::string>& passages, const RerankOptions& options,
                                  const JobContext& job = {});

}  // namespace fm
