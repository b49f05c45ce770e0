#include "train/compare.h"

#include "arch/loaded_model.h"
#include "data/dataset.h"
#include "generate/generator.h"
#include "lora/adapter_control.h"
#include "tokenize/tokenizer.h"
#include "train/prepared_data.h"
#include "util/error.h"

namespace fm {

std::vector<SideBySide> compareOnValidation(const TrainConfig& cfg, const std::filesystem::path& output, int count,
                                            int maxNewTokens) {
  const bool lora = std::filesystem::exists(output / "adapter_config.json");
  auto base = LoadedModel::load(cfg.model, {});
  std::shared_ptr<LoadedModel> tuned;
  std::shared_ptr<const LoraAdapter> adapter;
  if (lora) {
    adapter = loadAdapterFor(*base, output);
  } else {
    tuned = LoadedModel::load(output, {});
  }
  if (!base->tokenizer()) throw ConfigError(cfg.model + ": the model has no tokenizer to write answers with");
  const Tokenizer& tok = *base->tokenizer();
  const PreparedData data = prepareData(cfg, tok);
  const ExampleSet& ex = data.examples;
  const Split& split = data.split;
  GenerateOptions g;
  g.temperature = 0;
  g.maxNewTokens = maxNewTokens;
  g.stopStrings = {"\n"};
  std::vector<SideBySide> out;
  const size_t n = split.validation.size();
  for (size_t k = 0; k < static_cast<size_t>(count) && k < n; ++k) {
    // Spread over the validation rows, never the same row twice.
    const Example& e = ex.examples[static_cast<size_t>(split.validation[k * n / std::min<size_t>(n, count)])];
    int64_t promptLen = 0;
    const auto ids = encodePromptCompletion(tok, e.prompt, "", false, &promptLen);
    SideBySide s;
    s.row = e.row;
    s.prompt = e.prompt;
    s.expected = e.completion;
    if (lora) {
      s.base = generate(*base, ids, g).text;
      GenerateOptions withAdapter = g;
      withAdapter.adapter = adapter;
      s.tuned = generate(*base, ids, withAdapter).text;
    } else {
      s.base = generate(*base, ids, g).text;
      s.tuned = generate(*tuned, ids, g).text;
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace fm
