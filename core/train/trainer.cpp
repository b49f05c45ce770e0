// The training loop, train() and resumeTraining(); the run's pieces are in run.h.
#include "train/trainer.h"

#include <chrono>
#include <cmath>

#include "arch/causal_lm.h"
#include "arch/loaded_model.h"
#include "io/atomic_file.h"
#include "io/folder_lock.h"
#include "io/model_folder.h"
#include "io/output_folder.h"
#include "jobs/cancelled.h"
#include "lora/lora.h"
#include "nn/lora_adapter.h"
#include "train/prepared_data.h"
#include "train/run.h"
#include "util/error.h"
#include "util/runtime.h"
#include "util/paths.h"

namespace fm {
namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------- events and results

json EvalResult::toJson() const {
  json j = {{"eval_loss", loss}, {"perplexity", perplexity}, {"eval_rows", rows}};
  if (accuracy >= 0) j["accuracy"] = accuracy;
  return j;
}

json TrainEvent::toJson() const {
  static const char* kNames[] = {"status", "step", "log", "eval", "checkpoint", "done", "progress", "sample"};
  json j = {{"event", kNames[static_cast<int>(kind)]}, {"step", step}, {"epoch", epoch},
            {"elapsed", elapsed}};
  if (kind == Kind::Log || kind == Kind::Step) {
    j["loss"] = loss;
    j["lr"] = lr;
    j["grad_norm"] = gradNorm;
    j["tokens_per_s"] = tokensPerS;
  }
  if (kind == Kind::Eval) j.update(eval.toJson());
  if (kind == Kind::Sample) {
    j["samples"] = json::array();
    for (const auto& s : samples)
      j["samples"].push_back({{"input", s.input}, {"output", s.output}, {"reference", s.reference}});
  }
  if (!message.empty()) j["message"] = message;
  return j;
}

namespace {

TrainResult loop(Run& r, int64_t startStep, double elapsedBefore, EvalResult firstEval,
                 const JobCallback<TrainEvent>& onEvent, const TrainHooks& hooks, bool cancelledAtStart = false) {
  TrainResult res;
  res.runDir = r.dir;
  res.totalSteps = r.totalSteps;
  res.firstEval = firstEval;
  // The run's own adapter is active on this thread for every forward of the loop; the base
  // model's modules are never changed.
  AdapterScope adapterScope(r.adapter.get());
  DropoutGeneratorScope dropoutScope(&r.generator);
  MetricsLog metrics(r.dir / "metrics.jsonl");
  const auto t0 = Clock::now();
  auto elapsed = [&] { return elapsedBefore + std::chrono::duration<double>(Clock::now() - t0).count(); };
  auto emit = [&](TrainEvent e, bool toLog) {
    e.totalSteps = r.totalSteps;
    e.elapsed = elapsed();
    if (toLog) metrics.append(e.toJson());
    return onEvent ? onEvent(e) : true;
  };
  auto stateJson = [&](int64_t step) {
    return json{{"step", step}, {"total_steps", r.totalSteps}, {"elapsed", elapsed()},
                {"first_eval", firstEval.toJson()}, {"seed", r.cfg.seed}};
  };
  auto epochOf = [&](int64_t step) { return static_cast<double>(step) / r.stepsPerEpoch; };

  bool cancelled = cancelledAtStart;
  auto lastSave = Clock::now();
  auto save = [&](int64_t done) {
    saveCheckpoint(r, done, stateJson(done));
    lastSave = Clock::now();
    TrainEvent e;
    e.kind = TrainEvent::Kind::Checkpoint;
    e.step = done;
    e.epoch = epochOf(done);
    e.message = (r.dir / ("checkpoint-" + std::to_string(done))).string();
    if (!emit(e, true)) cancelled = true;
  };
  if (!cancelled && startStep == 0 && r.cfg.evalAtStart && !r.evalIdx.empty()) {
    // The first evaluation reports progress and stops as soon as it is cancelled.
    auto progress = [&](int64_t doneRows, int64_t rows) {
      TrainEvent p;
      p.kind = TrainEvent::Kind::Progress;
      p.fraction = rows > 0 ? static_cast<double>(doneRows) / rows : 1.0;
      p.message = "evaluating the model before training: " + std::to_string(doneRows) + " of " +
                  std::to_string(rows) + " validation rows";
      if (!emit(p, false)) cancelled = true;
      return !cancelled;
    };
    EvalResult before = runEval(r, progress);
    if (!cancelled) {
      TrainEvent e;
      e.kind = TrainEvent::Kind::Eval;
      e.eval = firstEval = res.firstEval = before;
      e.message = "before training";
      cancelled = !emit(e, true);
    }
  }
  // A run is resumable from its first moment: a kill or a cancel before the first periodic
  // checkpoint resumes from here instead of leaving a folder that can only be deleted.
  if (startStep == 0) save(0);
  r.lm->train();
  double firstLoss = -1;
  int64_t zeroGradientSteps = 0;
  bool warnedDivergence = false;
  double windowLoss = 0, windowTime = 0;
  int64_t windowSteps = 0, windowTokens = 0, allTokens = 0;
  double trainTime = 0;
  int64_t step = startStep;
  for (; step < r.totalSteps && !cancelled; ++step) {
    const auto s0 = Clock::now();
    auto micro = microBatches(r, step);
    StepResult sr = r.session->computeGradients(micro);
    if (hooks.onLoss) hooks.onLoss(step, sr.loss);
    const double lr = learningRate(r, step);
    if (!std::isfinite(sr.loss) || !std::isfinite(sr.gradNorm)) {
      r.session->zeroGrad();
      const std::string what = !std::isfinite(sr.loss) ? (std::isnan(sr.loss) ? "the loss became NaN" : "the loss became infinite")
                                                       : "the gradient became non-finite";
      res.status = JobStatus::Failed;
      res.message = "training stopped at step " + std::to_string(step + 1) + ": " + what +
                    " (nothing of this step was applied). The last good checkpoint is kept. Lower the learning rate (now " +
                    std::to_string(r.cfg.lr) + ") or set max_grad_norm, then resume or start again.";
      metrics.append({{"event", "error"}, {"step", step + 1}, {"message", res.message}});
      res.step = step;
      return res;
    }
    r.session->applyUpdate(lr, sr);
    if (firstLoss < 0) firstLoss = sr.loss;
    zeroGradientSteps = sr.gradNorm == 0 ? zeroGradientSteps + 1 : 0;
    const bool rising = sr.loss > 3 * firstLoss + 1;
    if (!warnedDivergence && step > startStep && (rising || zeroGradientSteps >= 3)) {
      // Still finite, but far above where it started, or the weights saturated so that nothing
      // learns any more: the learning rate is too high.
      warnedDivergence = true;
      TrainEvent w;
      w.kind = TrainEvent::Kind::Status;
      w.step = step + 1;
      w.message = rising ? "warning: the loss is diverging (" + std::to_string(firstLoss) + " at the start, " +
                               std::to_string(sr.loss) + " now)"
                         : "warning: the gradient is zero, so the model no longer learns (its weights saturated)";
      w.message += "; lower the learning rate (now " + std::to_string(r.cfg.lr) + ")";
      metrics.append({{"event", "warning"}, {"step", step + 1}, {"message", w.message}});
      if (!emit(w, false)) cancelled = true;
    }
    const double dt = std::chrono::duration<double>(Clock::now() - s0).count();
    trainTime += dt;
    allTokens += sr.tokens;
    windowLoss += sr.loss;
    windowTime += dt;
    windowTokens += sr.tokens;
    ++windowSteps;
    const int64_t done = step + 1;
    TrainEvent se;
    se.kind = TrainEvent::Kind::Step;
    se.step = done;
    se.epoch = epochOf(done);
    se.loss = sr.loss;
    se.lr = lr;
    se.gradNorm = sr.gradNorm;
    se.tokensPerS = sr.tokens / std::max(dt, 1e-9);
    if (!emit(se, false)) cancelled = true;
    if (done % r.cfg.logEvery == 0 || done == r.totalSteps) {
      TrainEvent e = se;
      e.kind = TrainEvent::Kind::Log;
      e.loss = windowLoss / windowSteps;
      e.tokensPerS = windowTokens / std::max(windowTime, 1e-9);
      if (!emit(e, true)) cancelled = true;
      windowLoss = windowTime = 0;
      windowSteps = windowTokens = 0;
    }
    const bool last = done == r.totalSteps;
    // A cancelled run saves at once; its evaluation waits for the resumed run.
    if (!cancelled && !r.evalIdx.empty() && ((r.cfg.evalEvery > 0 && done % r.cfg.evalEvery == 0) || last)) {
      TrainEvent e;
      e.kind = TrainEvent::Kind::Eval;
      e.step = done;
      e.epoch = epochOf(done);
      e.eval = res.lastEval = runEval(r);
      if (!emit(e, true)) cancelled = true;
    }
    const bool timeToSave = r.cfg.saveMinutes > 0 &&
                            std::chrono::duration<double>(Clock::now() - lastSave).count() >= 60 * r.cfg.saveMinutes;
    if ((r.cfg.saveEvery > 0 && done % r.cfg.saveEvery == 0) || timeToSave || last || cancelled) save(done);
  }
  res.step = step;
  res.seconds = elapsed();  // the whole run, earlier sessions before a resume included
  res.tokensPerS = allTokens / std::max(trainTime, 1e-9);
  if (step < r.totalSteps) {
    res.status = JobStatus::Cancelled;
    res.message = "cancelled at step " + std::to_string(step) + " of " + std::to_string(r.totalSteps) +
                  "; resume continues from checkpoint-" + std::to_string(step);
    metrics.append({{"event", "cancelled"}, {"step", step}, {"message", res.message}});
    return res;
  }
  if (r.cfg.method == "lora") {
    r.adapter->setBaseModel(utf8(fs::absolute(pathOf(r.cfg.model))));
    res.outputDir = r.dir / "adapter";
    saveAdapter(*r.adapter, res.outputDir);
  } else {
    res.outputDir = r.dir / "model";
    writeModelFolder(*r.lm, pathOf(r.cfg.model), res.outputDir);
  }
  TrainEvent e;
  e.kind = TrainEvent::Kind::Done;
  e.step = step;
  e.epoch = epochOf(step);
  e.message = res.outputDir.string();
  emit(e, true);
  res.status = JobStatus::Completed;
  res.message = "finished " + std::to_string(step) + " steps; output in " + res.outputDir.string();
  return res;
}

void writeDataStats(const Run& r) {
  json j = dataStatsJson(datasetStats(r.ex, r.split, r.cfg.maxLength), r.ex.problems);
  j["total_steps"] = r.totalSteps;
  writeFileAtomic(r.dir / "data_stats.json", j.dump(2) + "\n");
}

}  // namespace

TrainResult train(const TrainConfig& cfg, const JobCallback<TrainEvent>& onEvent, const TrainHooks& hooks) {
  Run r;
  r.cfg = cfg;
  r.dir = pathOf(cfg.outDir);
  if (!cfg.outDir.empty() && fs::exists(pathOf(cfg.outDir) / "metrics.jsonl"))
    throw ConfigError("run folder " + cfg.outDir +
                      " already holds a run; resume it (fmw resume) or choose another out_dir");
  // Never into the model's folder, nor over anything else already there.
  if (!cfg.outDir.empty()) checkOutputFolder(pathOf(cfg.outDir), "the run", /*overwrite=*/false, {pathOf(cfg.model)});
  ThreadCountScope threads(cfg.threads);
  r.generator = at::detail::createCPUGenerator(cfg.seed);
  try {
    prepare(r, onEvent);
  } catch (const CancelledError&) {
    TrainResult res;
    res.status = JobStatus::Cancelled;
    res.message = "cancelled while preparing the data; nothing was written";
    return res;
  }
  makeFolder(r.dir);
  FolderLock lock(r.dir, "the run folder");
  makeTrainable(r, /*fresh=*/true);
  writeFileAtomic(r.dir / "config.json", r.cfg.toJson().dump(2) + "\n");
  writeDataStats(r);
  if (onEvent) {
    TrainEvent e;
    e.totalSteps = r.totalSteps;
    e.message = std::to_string(r.split.train.size()) + " training rows, " + std::to_string(r.split.validation.size()) +
                " validation rows, " + std::to_string(r.totalSteps) + " steps";
    if (!r.ex.problems.empty()) e.message += "; " + std::to_string(r.ex.problems.size()) + " rows skipped";
    // Cancelled already: the loop still saves checkpoint-0 so the folder can be resumed.
    if (!onEvent(e)) return loop(r, 0, 0.0, {}, onEvent, hooks, /*cancelledAtStart=*/true);
  }
  return loop(r, 0, 0.0, {}, onEvent, hooks);
}

TrainResult resumeTraining(const fs::path& runDir, const JobCallback<TrainEvent>& onEvent,
                           const TrainHooks& hooks) {
  if (!fs::exists(runDir / "config.json"))
    throw IoError(runDir.string() + ": not a run folder (no config.json)");
  FolderLock lock(runDir, "the run folder");
  auto ckpts = completeCheckpoints(runDir);
  if (ckpts.empty())
    throw IoError(runDir.string() + ": no complete checkpoint to resume from; start the run again");
  Run r;
  r.cfg = TrainConfig::fromJson(readJsonFile(runDir / "config.json"));
  r.cfg.outDir = utf8(runDir);
  r.dir = runDir;
  ThreadCountScope threads(r.cfg.threads);
  try {
    prepare(r, onEvent);
  } catch (const CancelledError&) {
    TrainResult res;
    res.status = JobStatus::Cancelled;
    res.runDir = r.dir;
    res.message = "cancelled while preparing the data; the run folder is unchanged";
    return res;
  }
  const auto& [step, ckpt] = ckpts.back();
  json state;
  try {
    if (r.cfg.method == "lora") {
      loadCheckpoint(r, ckpt);  // attaches the adapter with the checkpoint's weights
      makeTrainable(r, /*fresh=*/false);
    } else {
      makeTrainable(r, false);
      loadCheckpoint(r, ckpt);
    }
    loadOptimizer(r, ckpt);
    state = readJsonFile(ckpt / "trainer_state.json");
    const int64_t savedStep =
        state.is_object() && state.contains("step") && state["step"].is_number_integer() ? state["step"].get<int64_t>() : -1;
    if (savedStep != step)
      throw FormatError("trainer_state.json says step " + std::to_string(savedStep) + " in " +
                        ckpt.filename().string());
  } catch (const ResourceError&) {
    throw;  // memory, not the checkpoint
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    // Name the damaged checkpoint and the one before it, so nothing is deleted by guesswork.
    std::string msg = ckpt.string() + " is damaged: " + errorMessage(e) + ".";
    if (ckpts.size() >= 2)
      msg += " The previous complete checkpoint is " + ckpts[ckpts.size() - 2].second.filename().string() +
             ": move " + ckpt.filename().string() + " out of the run folder to resume from it.";
    else
      msg += " It is the only checkpoint; start the run again.";
    throw FormatError(msg);
  }
  // Numbers the trainer wrote; a NaN loss was written as null.
  auto number = [](const nlohmann::json& j, const char* key, double def) {
    return j.is_object() && j.contains(key) && j[key].is_number() ? j[key].get<double>() : def;
  };
  EvalResult first;
  if (state.contains("first_eval")) {
    const nlohmann::json& f = state["first_eval"];
    first.loss = number(f, "eval_loss", -1.0);
    first.perplexity = number(f, "perplexity", -1.0);
    first.accuracy = number(f, "accuracy", -1.0);
    first.rows = static_cast<int64_t>(number(f, "eval_rows", 0));
  }
  MetricsLog(runDir / "metrics.jsonl").truncateAfter(step);
  if (onEvent) {
    TrainEvent e;
    e.step = step;
    e.totalSteps = r.totalSteps;
    e.message = "resuming from " + ckpt.filename().string();
    if (!onEvent(e)) {
      TrainResult res;
      res.status = JobStatus::Cancelled;
      res.runDir = r.dir;
      return res;
    }
  }
  return loop(r, step, number(state, "elapsed", 0.0), first, onEvent, hooks);
}

}  // namespace fm
