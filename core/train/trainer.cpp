#include "train/trainer.h"

#include "lora/lora.h"
#include "train/prepared_data.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>

#include "arch/causal_lm.h"
#include "arch/loaded_model.h"
#include "io/atomic_file.h"
#include "io/model_folder.h"
#include "io/folder_lock.h"
#include "jobs/cancelled.h"
#include "io/output_folder.h"
#include "io/safetensors.h"
#include "nn/lora_adapter.h"
#include "nn/weights.h"
#include "train/session.h"
#include "util/error.h"
#include "util/runtime.h"

#if defined(__linux__) || defined(__APPLE__)
#include <unistd.h>
#endif

namespace fm {

namespace {
constexpr double kPi = 3.14159265358979323846;  // M_PI is not standard C++ (MSVC lacks it)
}  // namespace
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
  static const char* kNames[] = {"status", "step", "log", "eval", "checkpoint", "done", "progress"};
  json j = {{"event", kNames[static_cast<int>(kind)]}, {"step", step}, {"epoch", epoch},
            {"elapsed", elapsed}};
  if (kind == Kind::Log || kind == Kind::Step) {
    j["loss"] = loss;
    j["lr"] = lr;
    j["grad_norm"] = gradNorm;
    j["tokens_per_s"] = tokensPerS;
  }
  if (kind == Kind::Eval) j.update(eval.toJson());
  if (!message.empty()) j["message"] = message;
  return j;
}

std::string MemoryEstimate::describe() const {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "about %.2f GB (weights %.2f GB, trainable state %.2f GB, activations %.2f GB); "
                "%.2f GB available",
                total / 1e9, weights / 1e9, trainableState / 1e9, activations / 1e9, available / 1e9);
  return buf;
}

namespace {

uint64_t availableMemory() {
#if defined(__linux__)
  std::ifstream f("/proc/meminfo");
  std::string key;
  uint64_t kb = 0;
  std::string unit;
  while (f >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb * 1024;
#endif
#if defined(__linux__) || defined(__APPLE__)
  const long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
  if (pages > 0 && size > 0) return static_cast<uint64_t>(pages) * size / 2;
#endif
  return 8ull << 30;
}

int64_t jint(const json& c, const char* a, const char* b, int64_t def) {
  if (c.contains(a) && c[a].is_number_integer()) return c[a].get<int64_t>();
  if (b && c.contains(b) && c[b].is_number_integer()) return c[b].get<int64_t>();
  return def;
}

}  // namespace

MemoryEstimate estimateTrainingMemory(const TrainConfig& cfg, const json& mc, int64_t trainable,
                                      int64_t total) {
  MemoryEstimate m;
  const int64_t H = jint(mc, "hidden_size", "n_embd", 768);
  const int64_t L = jint(mc, "num_hidden_layers", "n_layer", 12);
  const int64_t heads = jint(mc, "num_attention_heads", "n_head", 12);
  const int64_t I = jint(mc, "intermediate_size", "n_inner", 4 * H);
  const int64_t V = jint(mc, "vocab_size", nullptr, 32000);
  const uint64_t tokens = static_cast<uint64_t>(cfg.batchSize) * cfg.maxLength;
  m.weights = static_cast<uint64_t>(total) * 4;
  m.trainableState = static_cast<uint64_t>(trainable) * 4 * 3;  // gradient + two Adam moments
  // Saved for backward per token and layer: ~10 hidden-sized and ~5 MLP-sized fp32 tensors,
  // plus attention scores and probabilities over the sequence; logits (and their gradient) for
  // every token.
  const uint64_t perTokenLayer = (10 * H + 5 * I + 2 * heads * cfg.maxLength) * 4;
  m.activations = tokens * L * perTokenLayer + tokens * V * 4 * 3;
  m.total = static_cast<uint64_t>((m.weights + m.trainableState + m.activations) * 1.15);
  m.available = cfg.memoryLimitGb > 0 ? static_cast<uint64_t>(cfg.memoryLimitGb * 1e9) : availableMemory();
  if (m.total > m.available) {
    std::string what = "lower batch_size (now " + std::to_string(cfg.batchSize) + ") or max_length (now " +
                       std::to_string(cfg.maxLength) + ")";
    if (cfg.method == "full") what += ", or train a LoRA adapter instead of all parameters";
    if (cfg.gradAccum == 1) what += "; grad_accum keeps the effective batch when batch_size goes down";
    throw ConfigError("this training configuration will not fit in memory: it needs " + m.describe() +
                      ". To fit, " + what + ".");
  }
  return m;
}

namespace {

// ---------------------------------------------------------------- run state

struct Run {
  TrainConfig cfg;
  fs::path dir;
  std::shared_ptr<LoadedModel> model;
  CausalLM* lm = nullptr;
  const Tokenizer* tok = nullptr;
  ExampleSet ex;
  Split split;
  std::vector<int64_t> evalIdx;
  std::vector<std::pair<std::string, torch::Tensor>> fullParams;  // full training: name -> param
  std::shared_ptr<LoraAdapter> adapter;                            // LoRA training: the trained adapter
  std::unique_ptr<Session> session;
  int64_t stepsPerEpoch = 0, microPerEpoch = 0, totalSteps = 0, warmup = 0;
  int64_t cachedEpoch = -1;
  std::vector<int64_t> order;
  // The run's own random draws (LoRA dropout): seeded from the config, saved in every
  // checkpoint, never shared with other work in the process.
  at::Generator generator = at::detail::createCPUGenerator(42);
};

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
  r.model = LoadedModel::load(c.model, {});
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
  estimateTrainingMemory(c, ModelFolder::open(c.model).config(), trainable, total);
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

EvalResult runEval(Run& r, const EvalProgress& progress = {}) {
  return toEvalResult(evaluateExamples(*r.lm, *r.tok, r.ex, r.evalIdx,
                                       std::max<int64_t>(8, r.cfg.batchSize * 2), r.cfg.maxLength, progress));
}

// ---------------------------------------------------------------- checkpoints

const std::regex kCheckpointName("checkpoint-([0-9]+)");

std::vector<std::pair<int64_t, fs::path>> completeCheckpoints(const fs::path& dir) {
  std::vector<std::pair<int64_t, fs::path>> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::smatch m;
    const std::string name = e.path().filename().string();
    if (e.is_directory() && std::regex_match(name, m, kCheckpointName) && fs::exists(e.path() / "COMPLETE"))
      out.emplace_back(std::stoll(m[1]), e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void saveCheckpoint(Run& r, int64_t step, const json& state) {
  const fs::path tmp = r.dir / ("checkpoint-" + std::to_string(step) + ".tmp");
  const fs::path final = r.dir / ("checkpoint-" + std::to_string(step));
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  if (r.cfg.method == "lora") {
    r.adapter->setBaseModel(r.cfg.model);
    saveAdapter(*r.adapter, tmp);
  } else {
    writeTensorFile(tmp / "model.safetensors", r.fullParams);
  }
  std::ostringstream opt;
  {
    torch::serialize::OutputArchive archive;
    r.session->optimizer().save(archive);
    archive.save_to(opt);
  }
  writeFileAtomic(tmp / "optimizer.pt", opt.str());
  torch::Tensor rng;
  {
    std::lock_guard<std::mutex> lock(r.generator.mutex());
    rng = r.generator.get_state();
  }
  writeTensorFile(tmp / "rng_state.safetensors", {{"dropout_generator", rng}});
  writeFileAtomic(tmp / "trainer_state.json", state.dump(2) + "\n");
  writeFileAtomic(tmp / "COMPLETE", "step " + std::to_string(step) + "\n");
  fs::remove_all(final);
  fs::rename(tmp, final);
  syncDirectory(r.dir);
  auto all = completeCheckpoints(r.dir);
  for (size_t i = 0; i + r.cfg.keepCheckpoints < all.size(); ++i) fs::remove_all(all[i].second);
}

json loadCheckpoint(Run& r, const fs::path& ckpt) {
  if (r.cfg.method == "lora") {
    r.adapter = readAdapter(*r.lm, ckpt);
  } else {
    auto f = SafetensorsFile::open(ckpt / "model.safetensors");
    std::map<std::string, torch::Tensor> params;
    for (auto& p : r.lm->named_parameters(true)) params[p.key()] = p.value();
    torch::NoGradGuard ng;
    for (const auto& info : f.tensors()) {
      auto it = params.find(info.name);
      if (it == params.end()) throw FormatError(ckpt.string() + ": unexpected tensor " + info.name);
      it->second.copy_(readTensor(f, info));
    }
  }
  json state = readJsonFile(ckpt / "trainer_state.json");
  auto rf = SafetensorsFile::open(ckpt / "rng_state.safetensors");
  const TensorInfo* ri = rf.find("dropout_generator");
  if (!ri) ri = rf.find("torch_cpu");  // checkpoints written before runs had their own generator
  if (!ri) throw FormatError("rng_state.safetensors has no generator state");
  const torch::Tensor saved = readTensor(rf, *ri);
  {
    std::lock_guard<std::mutex> lock(r.generator.mutex());
    const int64_t expected = r.generator.get_state().numel();
    if (saved.scalar_type() != torch::kByte || saved.numel() != expected)
      throw FormatError("rng_state.safetensors holds " + std::to_string(saved.numel()) +
                        " values where a generator state has " + std::to_string(expected));
    r.generator.set_state(saved);
  }
  return state;
}

void loadOptimizer(Run& r, const fs::path& ckpt) {
  torch::serialize::InputArchive archive;
  archive.load_from((ckpt / "optimizer.pt").string());
  r.session->optimizer().load(archive);
}

// ---------------------------------------------------------------- metrics.jsonl

class MetricsLog {
 public:
  explicit MetricsLog(const fs::path& file) : m_file(file) {}
  void append(const json& j) {
    FILE* f = std::fopen(m_file.string().c_str(), "ab");
    if (!f) throw IoError(m_file.string() + ": cannot append (" + std::strerror(errno) + ")");
    const std::string line = j.dump() + "\n";
    const bool ok = std::fwrite(line.data(), 1, line.size(), f) == line.size() && std::fflush(f) == 0;
    std::fclose(f);
    if (!ok) throw IoError(m_file.string() + ": write failed (disk full?)");
  }
  // Drops events after `step` (they are replayed by the resumed run).
  void truncateAfter(int64_t step) {
    if (!fs::exists(m_file)) return;
    std::istringstream in(readFile(m_file));
    std::string line, kept;
    while (std::getline(in, line)) {
      json j;
      try {
        j = json::parse(line);
      } catch (const std::exception&) {
        continue;  // a line cut by a kill
      }
      const std::string ev = j.value("event", "");
      if (ev == "done" || ev == "error") continue;
      if (j.value("step", int64_t(0)) > step) continue;
      kept += line + "\n";
    }
    writeFileAtomic(m_file, kept);
  }

 private:
  fs::path m_file;
};

// ---------------------------------------------------------------- the loop

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
  res.seconds = trainTime;
  res.tokensPerS = allTokens / std::max(trainTime, 1e-9);
  if (step < r.totalSteps) {
    res.status = JobStatus::Cancelled;
    res.message = "cancelled at step " + std::to_string(step) + " of " + std::to_string(r.totalSteps) +
                  "; resume continues from checkpoint-" + std::to_string(step);
    metrics.append({{"event", "cancelled"}, {"step", step}, {"message", res.message}});
    return res;
  }
  if (r.cfg.method == "lora") {
    r.adapter->setBaseModel(fs::absolute(r.cfg.model).string());
    res.outputDir = r.dir / "adapter";
    saveAdapter(*r.adapter, res.outputDir);
  } else {
    res.outputDir = r.dir / "model";
    writeModelFolder(*r.lm, r.cfg.model, res.outputDir);
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
  r.dir = cfg.outDir;
  if (!cfg.outDir.empty() && fs::exists(fs::path(cfg.outDir) / "metrics.jsonl"))
    throw ConfigError("run folder " + cfg.outDir +
                      " already holds a run; resume it (fmw resume) or choose another out_dir");
  // Never into the model's folder, nor over anything else already there.
  if (!cfg.outDir.empty()) checkOutputFolder(cfg.outDir, "the run", /*overwrite=*/false, {cfg.model});
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
  fs::create_directories(r.dir);
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
  r.cfg.outDir = runDir.string();
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
    const int64_t savedStep = state.value("step", int64_t(-1));
    if (!state.is_object() || savedStep != step)
      throw FormatError("trainer_state.json says step " + std::to_string(savedStep) + " in " +
                        ckpt.filename().string());
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
  EvalResult first;
  if (state.contains("first_eval")) {
    first.loss = state["first_eval"].value("eval_loss", -1.0);
    first.perplexity = state["first_eval"].value("perplexity", -1.0);
    first.accuracy = state["first_eval"].value("accuracy", -1.0);
    first.rows = state["first_eval"].value("eval_rows", int64_t(0));
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
  return loop(r, step, state.value("elapsed", 0.0), first, onEvent, hooks);
}

EvalResult evaluate(const EvalConfig& c) {
  auto model = LoadedModel::load(c.model, {});
  if (!model->tokenizer()) throw ConfigError(c.model + ": the model folder has no tokenizer");
  std::shared_ptr<LoraAdapter> adapter;
  if (!c.adapter.empty()) adapter = readAdapter(model->lm(), c.adapter);
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

void mergeAdapterToFolder(const fs::path& baseModel, const fs::path& adapter, const fs::path& outDir) {
  auto model = LoadedModel::load(baseModel, {});
  // This model is loaded for the merge alone, so writing its weights is safe.
  mergeLora(model->lm(), *readAdapter(model->lm(), adapter));
  writeModelFolder(model->lm(), baseModel, outDir);
}

}  // namespace fm
