// The trainer's own state and steps, shared by trainer.cpp (the loop, train, resume),
// run.cpp (schedule, batches, preparation), checkpoints.cpp and metrics_log.cpp. Not an API:
// everything outside core/train goes through train/trainer.h.
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "train/examples.h"
#include "train/run_folder.h"
#include "train/session.h"
#include "train/trainer.h"

namespace fm {

class LoadedModel;
class CausalLM;
class Tokenizer;
class LoraAdapter;

struct Run {
  TrainConfig cfg;
  std::filesystem::path dir;
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

// The schedule: warmup, then constant, linear or cosine decay.
double learningRate(const Run& r, int64_t step);
// The micro-batches of an optimizer step: a function of the step alone, so a resumed run sees
// exactly the data an unbroken one would.
std::vector<PackedBatch> microBatches(Run& r, int64_t step);
// Loads the model and prepares the data (reporting progress; CancelledError when asked).
void prepare(Run& r, const JobCallback<TrainEvent>& onEvent);
// LoRA: a fresh adapter (or the checkpoint's); full: all parameters trainable. Makes the session.
void makeTrainable(Run& r, bool fresh);
EvalResult toEvalResult(const EvalOutcome& o);
EvalResult runEval(Run& r, const EvalProgress& progress = {});

// checkpoint-N/ folders (train/run_folder.h lists the complete ones): save writes a new one
// atomically and keeps the last keep_checkpoints; load restores weights and the run's
// generator; loadOptimizer restores AdamW.
void saveCheckpoint(Run& r, int64_t step, const nlohmann::json& state);
nlohmann::json loadCheckpoint(Run& r, const std::filesystem::path& ckpt);
void loadOptimizer(Run& r, const std::filesystem::path& ckpt);

}  // namespace fm
