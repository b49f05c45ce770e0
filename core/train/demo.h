// The built-in demo: pre-train -> adapt, offline, on a fresh machine.
//
//   fm::DemoOptions opt;  opt.workspace = "~/fmw-demo";
//   fm::DemoReport rep = fm::runDemo(opt, [](const fm::DemoEvent& e) { show(e); return true; });
//   // rep.baseAccuracy ~0.5 (chance), rep.tunedAccuracy >= 0.9
//
// Steps: demo data (if missing) -> pretrain the tiny model on the corpus (if missing) ->
// LoRA fine-tune on the reviews, measuring validation accuracy before and after -> greedy
// answers for a few validation reviews with the adapter off and on.
//
// Thread safety: one demo per workspace at a time.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "jobs/job.h"
#include "train/trainer.h"

namespace fm {

struct DemoPaths {
  std::filesystem::path data, reviews, corpus, model, run;
  explicit DemoPaths(const std::filesystem::path& workspace);
};

struct DemoEvent {
  std::string stage;    // data | pretrain | finetune | generate
  std::string message;  // a line for people
  bool hasTrain = false;
  TrainEvent train;
};

struct DemoOptions {
  std::filesystem::path workspace;
  int threads = 0;
  bool fresh = false;         // remake data and model even if present
  int64_t pretrainSteps = 300;
};

struct DemoGeneration {
  std::string review, expected, before, after;
};

struct DemoReport {
  JobStatus status = JobStatus::Completed;
  double baseAccuracy = -1, tunedAccuracy = -1;
  std::vector<std::pair<int64_t, double>> lossCurve;  // (step, train loss)
  std::vector<DemoGeneration> generations;
  std::filesystem::path model, adapter, run;
  double pretrainSeconds = 0, finetuneSeconds = 0, totalSeconds = 0;
  bool pretrained = false;  // false when the model already existed
};

// Pretrains the demo model (full training from random weights) on `corpus`; writes the result
// as a Hugging Face folder at `outModel`.
TrainResult pretrainDemoModel(const std::filesystem::path& corpus, const std::filesystem::path& outModel,
                              int64_t steps, int threads, const JobCallback<TrainEvent>& onEvent);

// The fine-tuning configuration the demo uses (also the GUI's "Quick demo" preset).
TrainConfig demoFinetuneConfig(const DemoPaths& paths);

DemoReport runDemo(const DemoOptions& options, const JobCallback<DemoEvent>& onEvent);

}  // namespace fm
