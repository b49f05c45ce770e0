#include "train/run.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "arch/causal_lm.h"
#include "arch/loaded_model.h"
#include "io/model_folder.h"
#include "lora/lora.h"
#include "nn/lora_adapter.h"
#include "train/prepared_data.h"
#include "util/error.h"
#include "util/paths.h"

namespace fm {
namespace {
constexpr double kPi = 3.14159265358979323846;  // M_PI is not standard C++ (MSVC lacks it)
}  // namespace

double learningRate(const Run& r, int64_t step) {
  const TrainConfig& c = r.cfg;
  if (step < r.warmup) return c.lr * static_cast<double>(step) / std::max<int64_t>(1, r.warmup);
  if (c.schedule == "constant") return c.lr;
  const double progress = static_cast<double>(step - r.warmup) /
                          static_cast<double>(std::max<int64_t>(1, r.totalSteps - r.warmup));
  if (c.schedule == "linear") return c.lr * std::max(0.0, 1.0 - progress);
  return c.lr * 0.5 * (1.0 + std::cos(kPi * progress));  // cosine
}

// The micro-batches of an optimizer step: a function of the step alone, so a resumed run sees
// exactly the data an unbroken one would.
std::vector<PackedBatch> microBatches(Run& r, int64_t step) {
  const int64_t epoch = step / r.stepsPerEpoch, local = step % r.stepsPerEpoch;
  if (epoch != r.cachedEpoch) {
    r.order = r.split.train;
    std::mt19937_64 rng(r.cfg.seed * 1000003ull + static_cast<uint64_t>(epoch));
    for (int64_t i = static_cast<int64_t>(r.order.size()) - 1; i > 0; --i)
      std::swap(r.order[i], r.order[rng() % (i + 1)]);
    r.cachedEpoch = epoch;
  }
  const int64_t n = static_cast<int64_t>(r.order.size()), bs = r.cfg.batchSize;
  std::vector<PackedBatch> out;
  for (int64_t m = local * r.cfg.gradAccum; m < std::min(r.microPerEpoch, (local + 1) * r.cfg.gradAccum); ++m) {
    std::vector<const Example*> seqs;
    for (int64_t i = m * bs; i < std::min(n, (m + 1) * bs); ++i) seqs.push_back(&r.ex.examples[r.order[i]]);
    out.push_back(packExamples(seqs));
  }
  return out;
}

void prepare(Run& r, const JobCallback<TrainEvent>& onEvent) {
  TrainConfig& c = r.cfg;
  c.validate();
  r.model = LoadedModel::load(pathOf(c.model), {});
  r.lm = &r.model->lm();
  r.tok = r.model->tokenizer();
  if (!r.tok) throw ConfigError(c.model + ": the model folder has no tokenizer; training needs one");

  // Reading and tokenizing a large file takes a while: report it, and stop when asked.
  int lastPercent = -1;
  std::string lastWhat;
  PreparedData prepared = prepareData(c, *r.tok, [&](double f, const std::string& what) {
    const int percent = static_cast<int>(f * 100);
    if (!onEvent || (percent == lastPercent && what == lastWhat)) return true;
    lastPercent = percent;
    lastWhat = what;
    TrainEvent e;
    e.kind = TrainEvent::Kind::Progress;
    e.fraction = f;
    e.message = what;
    return onEvent(e);
  });
  r.ex = std::move(prepared.examples);
  r.split = std::move(prepared.split);
  if (r.split.train.empty()) throw ConfigError(c.data + ": no rows left for training after the split");
  r.evalIdx = r.split.validation;
  if (c.evalMaxRows >= 0 && static_cast<int64_t>(r.evalIdx.size()) > c.evalMaxRows) r.evalIdx.resize(c.evalMaxRows);

  r.microPerEpoch = (static_cast<int64_t>(r.split.train.size()) + c.batchSize - 1) / c.batchSize;
  r.stepsPerEpoch = (r.microPerEpoch + c.gradAccum - 1) / c.gradAccum;
  r.totalSteps = c.maxSteps > 0 ? c.maxSteps : c.epochs * r.stepsPerEpoch;
  r.warmup = c.warmupFor(r.totalSteps);
}

void makeTrainable(Run& r, bool fresh) {
  CausalLM& lm = *r.lm;
  const TrainConfig& c = r.cfg;
  std::vector<torch::Tensor> decay, noDecay;
  int64_t total = 0;
  for (const auto& p : lm.parameters()) total += p.numel();
  if (c.method == "lora") {
    if (fresh) r.adapter = createLora(lm, c.lora, c.seed);
    decay = loraParameters(*r.adapter);
  } else {
    for (auto& p : lm.named_parameters(true)) {
      p.value().set_requires_grad(true);
      r.fullParams.emplace_back(p.key(), p.value());
      const bool isNormOrBias = p.value().dim() < 2;
      (isNormOrBias ? noDecay : decay).push_back(p.value());
    }
  }
  int64_t trainable = 0;
  for (const auto& t : decay) trainable += t.numel();
  for (const auto& t : noDecay) trainable += t.numel();
  estimateTrainingMemory(c, ModelFolder::open(pathOf(c.model)).config(), trainable, total);
  OptimConfig oc;
  oc.lr = c.lr;
  oc.weightDecay = c.weightDecay;
  oc.beta1 = c.beta1;
  oc.beta2 = c.beta2;
  oc.eps = c.adamEps;
  oc.maxGradNorm = c.maxGradNorm;
  r.session = std::make_unique<Session>(lm, decay, noDecay, oc);
}

EvalResult toEvalResult(const EvalOutcome& o) {
  EvalResult e;
  e.loss = o.loss;
  e.perplexity = o.loss >= 0 ? std::exp(std::min(o.loss, 80.0)) : -1;
  e.accuracy = o.accuracy;
  e.rows = o.rows;
  e.tokens = o.tokens;
  return e;
}

EvalResult runEval(Run& r, const EvalProgress& progress) {
  return toEvalResult(evaluateExamples(*r.lm, *r.tok, r.ex, r.evalIdx,
                                       std::max<int64_t>(8, r.cfg.batchSize * 2), r.cfg.maxLength, progress));
}

}  // namespace fm
