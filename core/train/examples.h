// From dataset rows to training examples: a prompt template with {column} placeholders and a
// completion (or the model's chat template), tokenized with a loss mask that by default covers
// only the completion; a seeded train/validation split; and the statistics a user checks
// before training (lengths against the max length, labels, duplicates, leakage).
//
//   fm::TemplateSpec t{"Review:\n{text}\n\nSentiment:", " {label}"};
//   fm::ExampleSet ex = fm::buildExamples(ds, t, *tokenizer, {/*maxLength=*/256});
//   fm::DatasetStats st = fm::datasetStats(ex, split, 256);
//
// Thread safety: pure functions over their inputs (the Tokenizer is immutable).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "tokenize/chat_template.h"
#include "tokenize/tokenizer.h"

namespace fm {

struct TemplateSpec {
  std::string prompt;      // "{column}" placeholders; "{{" / "}}" are literal braces
  std::string completion;  // the part trained on
  bool chat = false;       // use the model's chat template (rows of kind "chat"); loss on
                           // assistant turns only
  bool trainOnPrompt = false;  // loss on every token instead of the completion only
  // The template for a dataset kind: alpaca -> the Alpaca prompt; chat -> chat; text -> all text.
  static TemplateSpec forKind(const std::string& kind);
};

// Fills {column} placeholders from a JSON row (strings as is, numbers printed, null = "").
// Throws RowError naming the missing column and the columns present.
std::string fillTemplate(const std::string& tpl, const nlohmann::json& row, const std::string& file,
                         int64_t line);
// Column names a template uses.
std::vector<std::string> templateColumns(const std::string& tpl);

struct Example {
  std::vector<int32_t> ids;
  std::vector<uint8_t> target;  // 1 where ids[i] is predicted with loss (i >= 1)
  int64_t row = 0;              // index into the dataset rows
  int64_t line = 0;
  int64_t fullLength = 0;       // before truncation
  std::string prompt, completion;  // rendered text (prompt/completion templates)
  int64_t targets() const;
};

struct BuildOptions {
  int64_t maxLength = 512;
  bool skipBadRows = false;  // rows with a missing column / bad chat: stop (false) or skip+count
  // Reports the fraction of rows done; a stop asked there throws CancelledError.
  JobContext job;
};

struct ExampleSet {
  std::vector<Example> examples;
  std::vector<DatasetProblem> problems;  // skipped rows (bad, or no trainable token left after cutting)
  int64_t truncated = 0;                 // rows cut to maxLength
  // Label-style templates (the completion is one column with few distinct values): the
  // options, sorted, and each example's label. Empty otherwise.
  std::string labelColumn;
  std::vector<std::string> labelOptions;  // completion texts, e.g. " positive"
};

ExampleSet buildExamples(const Dataset& ds, const TemplateSpec& tpl, const Tokenizer& tok,
                         const BuildOptions& opt);

// Tokens for a prompt and completion as training sees them (BOS if the tokenizer adds one,
// then prompt, then completion + EOS). `promptLen` receives the prompt's token count.
std::vector<int32_t> encodePromptCompletion(const Tokenizer& tok, const std::string& prompt,
                                            const std::string& completion, bool addEos,
                                            int64_t* promptLen);

struct Split {
  std::vector<int64_t> train, validation;  // example indices
};
// Seeded shuffle, then the first round(fraction * n) examples (at least 1 when n >= 2 and
// fraction > 0) validate.
Split splitExamples(int64_t n, double validationFraction, uint64_t seed);

struct DatasetStats {
  int64_t rows = 0, trainRows = 0, validationRows = 0, skippedRows = 0, truncatedRows = 0;
  int64_t maxLength = 0, longest = 0, totalTokens = 0, targetTokens = 0;
  double meanLength = 0;
  int64_t p50 = 0, p95 = 0;
  std::vector<int64_t> histEdges;   // bin i counts lengths in [edges[i], edges[i+1])
  std::vector<int64_t> histCounts;
  std::map<std::string, int64_t> labels;  // label -> rows (label-style templates)
  int64_t duplicateRows = 0;   // rows whose rendered text equals an earlier row's
  int64_t leakedRows = 0;      // validation rows whose text also appears in training
};
DatasetStats datasetStats(const ExampleSet& ex, const Split& split, int64_t maxLength, int bins = 16);

}  // namespace fm
