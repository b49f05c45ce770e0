// Evaluation of a model (with or without an adapter) on a dataset, as training evaluates.
#include "train/run.h"

#include "arch/causal_lm.h"
#include "arch/loaded_model.h"
#include "lora/lora.h"
#include "nn/lora_adapter.h"
#include "train/prepared_data.h"
#include "util/error.h"
#include "util/paths.h"

namespace fm {

EvalResult evaluate(const EvalConfig& c) {
  auto model = LoadedModel::load(pathOf(c.model), {});
  if (!model->tokenizer()) throw ConfigError(c.model + ": the model folder has no tokenizer");
  std::shared_ptr<LoraAdapter> adapter;
  if (!c.adapter.empty()) adapter = readAdapter(model->lm(), pathOf(c.adapter));
  AdapterScope adapterScope(adapter.get());
  // The same rows and split as training (prepareData), so eval of a run matches its own eval.
  TrainConfig tc;
  tc.data = c.data;
  tc.format = c.format;
  tc.tpl = c.tpl;
  tc.skipBadRows = c.skipBadRows;
  tc.maxLength = c.maxLength;
  tc.validationFraction = c.validationFraction;
  tc.seed = c.seed;
  PreparedData data = prepareData(tc, *model->tokenizer());
  const ExampleSet& ex = data.examples;
  std::vector<int64_t> idx;
  if (c.allRows) {
    for (size_t i = 0; i < ex.examples.size(); ++i) idx.push_back(static_cast<int64_t>(i));
  } else {
    idx = std::move(data.split.validation);
  }
  if (c.maxRows >= 0 && static_cast<int64_t>(idx.size()) > c.maxRows) idx.resize(c.maxRows);
  return toEvalResult(evaluateExamples(model->lm(), *model->tokenizer(), ex, idx, c.batchSize, c.maxLength));
}

}  // namespace fm
