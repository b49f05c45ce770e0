// Fine-tuning (LoRA or full parameters) and pretraining of causal LMs, with evaluation,
// checkpoints and exact resume.
//
//   fm::TrainConfig cfg = fm::TrainConfig::fromJson(json::parse(readFile("run.json")));
//   fm::TrainResult r = fm::train(cfg, [](const fm::TrainEvent& e) {
//     print(e.toJson());          // every step; Log/Eval/Checkpoint events as configured
//     return !userPressedCancel;  // false: stop at the next step boundary, checkpoint saved
//   });
//   fm::TrainResult again = fm::resumeTraining(r.runDir, callback);  // same result as unbroken
//
// A run folder holds config.json, data_stats.json, metrics.jsonl (one event per line),
// checkpoint-N/ folders (each complete only once its COMPLETE marker exists), and at the end
// adapter/ (PEFT LoRA) or model/ (a Hugging Face folder, full training).
//
// Batches are packed: the sequences of a micro-batch are laid end to end and each attends only
// to itself, so no compute goes to padding. The loss is the mean over the target tokens of an
// optimizer step (all its micro-batches), so gradient accumulation equals a larger batch.
//
// Thread safety: one training job per run folder; the job owns its model copy and may run on
// any thread; a run folder is locked while a job trains in it. TrainConfig::threads sets the
// intra-op thread count of the job's thread only, and random draws come from the run's own
// generator (seeded by TrainConfig::seed, saved in checkpoints): nothing process-wide changes.
// Checkpoints: checkpoint-0 before the first step, then every save_every steps and every
// save_minutes of training, at the end, and at once on cancel (without evaluating first).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "jobs/job.h"
#include "lora/lora_config.h"
#include "train/examples.h"

namespace fm {

struct TrainConfig {
  // What to train.
  std::string model;                 // base model folder
  std::string method = "lora";       // lora | full
  LoraConfig lora;
  // Data.
  std::string data;                  // dataset file
  std::string format = "auto";
  TemplateSpec tpl;                  // empty prompt+completion: the dataset kind's default
  bool skipBadRows = false;
  double validationFraction = 0.1;
  int64_t maxLength = 512;
  // Optimisation.
  int64_t batchSize = 8;             // sequences per micro-batch
  int64_t gradAccum = 1;             // micro-batches per optimizer step
  int64_t epochs = 1;
  int64_t maxSteps = -1;             // > 0 overrides epochs
  double lr = 2e-4;
  std::string schedule = "linear";   // constant | linear | cosine
  int64_t warmupSteps = 0;
  double warmupRatio = 0.0;          // used when warmupSteps == 0
  double weightDecay = 0.0;
  double maxGradNorm = 1.0;          // <= 0: no clipping
  double beta1 = 0.9, beta2 = 0.999, adamEps = 1e-8;
  uint64_t seed = 42;
  // Bookkeeping.
  int64_t logEvery = 10;
  int64_t evalEvery = 0;             // 0: only at the start and the end
  bool evalAtStart = true;
  int64_t evalMaxRows = 500;         // validation rows used per evaluation (-1 = all)
  int64_t saveEvery = 0;             // every N steps; 0: by time only (save_minutes)
  double saveMinutes = 10;           // a checkpoint after this much training time; 0: off
  int64_t keepCheckpoints = 2;
  std::string outDir;                // run folder; must not hold another run (use resume)
  int threads = 0;                   // 0: leave torch's setting
  double memoryLimitGb = 0;          // 0: the machine's available memory

  nlohmann::json toJson() const;
  // Unknown keys and wrong types are errors that name the key.
  static TrainConfig fromJson(const nlohmann::json& j);
  // Sets one field from text, as the CLI flags do ("lr", "2e-4"); throws naming the field.
  void set(const std::string& key, const std::string& value);
  static std::vector<std::string> keys();
  // Checks values (ranges, files exist); throws ConfigError naming the field.
  void validate() const;
  int64_t warmupFor(int64_t totalSteps) const;
};

struct EvalResult {
  double loss = -1, perplexity = -1;
  double accuracy = -1;        // label-style templates only
  int64_t rows = 0, tokens = 0;
  nlohmann::json toJson() const;
};

struct TrainEvent {
  // Progress: work before or between steps (reading and tokenizing the data, an evaluation)
  // with `fraction` done and `message` saying what; frequent, never logged.
  // Sample: what the model makes of held-out inputs now (a captioner's captions of held-out
  // pictures), in `samples`.
  enum class Kind { Status, Step, Log, Eval, Checkpoint, Done, Progress, Sample };
  Kind kind = Kind::Status;
  double fraction = -1;
  int64_t step = 0, totalSteps = 0;
  double epoch = 0;
  double loss = -1, lr = 0, gradNorm = -1, tokensPerS = 0, elapsed = 0;
  EvalResult eval;
  std::string message;
  struct SampleText {
    std::string input, output, reference;  // e.g. a picture's path, its caption now, its caption in the data
  };
  std::vector<SampleText> samples;
  // The metrics.jsonl line: {"event": "log", "step": .., "loss": .., "eval_loss": .., ...}.
  nlohmann::json toJson() const;
};

struct TrainResult {
  JobStatus status = JobStatus::Completed;
  std::string message;
  std::filesystem::path runDir, outputDir;  // outputDir: adapter/ or model/ when completed
  int64_t step = 0, totalSteps = 0;
  EvalResult firstEval, lastEval;
  double seconds = 0, tokensPerS = 0;  // seconds: the whole run (all sessions); tokens/s: this session
};

// Test and benchmark seams; users never set these.
struct TrainHooks {
  std::function<void(int64_t step, double& loss)> onLoss;  // may replace a step's loss value
};

TrainResult train(const TrainConfig& cfg, const JobCallback<TrainEvent>& onEvent,
                  const TrainHooks& hooks = {});
// Continues a run from its last complete checkpoint; throws if there is none.
TrainResult resumeTraining(const std::filesystem::path& runDir, const JobCallback<TrainEvent>& onEvent,
                           const TrainHooks& hooks = {});

// Memory a configuration needs (weights, trainable state, activations of one micro-batch) and
// what is available. Throws ConfigError saying what to change when it does not fit.
struct MemoryEstimate {
  uint64_t weights = 0, trainableState = 0, activations = 0, total = 0, available = 0;
  std::string describe() const;
};
MemoryEstimate estimateTrainingMemory(const TrainConfig& cfg, const nlohmann::json& modelConfig,
                                      int64_t trainableParams, int64_t totalParams);

// Evaluates a model folder (optionally with a PEFT adapter) on a dataset's validation split
// (or all rows with validationFraction == 0 and useAllRows).
struct EvalConfig {
  std::string model, adapter, data, format = "auto";
  TemplateSpec tpl;
  bool skipBadRows = false;
  double validationFraction = 0.1;
  bool allRows = false;
  int64_t maxLength = 512, maxRows = -1, batchSize = 16;
  uint64_t seed = 42;
};
EvalResult evaluate(const EvalConfig& cfg);

// Merges a PEFT adapter into its base model and writes a Hugging Face folder.
// Progress covers reading the base model, merging and writing; a cancel stops before anything
// is written (CancelledError).
void mergeAdapterToFolder(const std::filesystem::path& baseModel, const std::filesystem::path& adapter,
                          const std::filesystem::path& outDir, const JobContext& job = {});

}  // namespace fm
