#include "train/compare.h"

#include "arch/loaded_model.h"
#include "data/dataset.h"
#include "generate/generator.h"
#include "jobs/cancelled.h"
#include "lora/adapter_control.h"
#include "tokenize/tokenizer.h"
#include "train/prepared_data.h"
#include "util/error.h"
#include "util/paths.h"

namespace fm {

std::vector<SideBySide> compareOnValidation(const TrainConfig& cfg, const std::filesystem::path& output, int count,
                                            int maxNewTokens, const JobContext& job) {
  job.report(-1, "loading the models");
  const bool lora = std::filesystem::exists(output / "adapter_config.json");
  auto base = LoadedModel::load(pathOf(cfg.model), {});
  std::shared_ptr<LoadedModel> tuned;
  std::shared_ptr<const LoraAdapter> adapter;
  if (lora) {
    adapter = loadAdapterFor(*base, output);
  } else {
    tuned = LoadedModel::load(output, {});
  }
  if (!base->tokenizer()) throw ConfigError(cfg.model + ": the model has no tokenizer to write answers with");
  const Tokenizer& tok = *base->tokenizer();
  const PreparedData data = prepareData(cfg, tok, job.part(0, 0.2));
  const ExampleSet& ex = data.examples;
  const Split& split = data.split;
  GenerateOptions g;
  g.temperature = 0;
  g.maxNewTokens = maxNewTokens;
  g.stopStrings = {"\n"};
  std::vector<SideBySide> out;
  const size_t n = split.validation.size();
  const size_t rows = std::min(static_cast<size_t>(std::max(count, 0)), n);
  // Each token checks for a cancel, so a long answer stops at once.
  const TokenCallback onToken = [&](const TokenEvent&) { return !job.stopAsked(); };
  for (size_t k = 0; k < rows; ++k) {
    job.report(0.2 + 0.8 * static_cast<double>(k) / static_cast<double>(rows),
               "answering validation row " + std::to_string(k + 1) + " of " + std::to_string(rows));
    // Spread over the validation rows, never the same row twice.
    const Example& e = ex.examples[static_cast<size_t>(split.validation[k * n / std::min<size_t>(n, count)])];
    int64_t promptLen = 0;
    const auto ids = encodePromptCompletion(tok, e.prompt, "", false, &promptLen);
    SideBySide s;
    s.row = e.row;
    s.prompt = e.prompt;
    s.expected = e.completion;
    GenerateOptions withAdapter = g;
    withAdapter.adapter = adapter;
    s.base = generate(*base, ids, g, onToken).text;
    s.tuned = lora ? generate(*base, ids, withAdapter, onToken).text : generate(*tuned, ids, g, onToken).text;
    job.checkCancel();
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace fm
