// Validation rows of a finished run, answered by the base model and by the fine-tuned one.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "train/trainer.h"

namespace fm {

struct SideBySide {
  int64_t row = 0;          // index into the dataset rows
  std::string prompt;       // as the model reads it
  std::string expected;     // the completion from the data
  std::string base, tuned;  // greedy answers
};

// `output` is the run's adapter/ (LoRA: one model, adapter switched off and on) or model/
// (full training: the two models side by side). Takes `count` validation rows spread over the
// split, with the run's own template, split seed and fraction.
// Reports progress per answer; a cancel stops it within a token (CancelledError).
std::vector<SideBySide> compareOnValidation(const TrainConfig& cfg, const std::filesystem::path& output, int count,
                                            int maxNewTokens, const JobContext& job = {});

}  // namespace fm
