// A dataset made ready for training exactly as the trainer does it: read (with the bad-row
// policy), template resolved, examples built, split made. The Datasets panel, `fmw stats`, the
// trainer and the before/after comparison all go through here, so they see the same rows.
#pragma once

#include <nlohmann/json.hpp>

#include "data/dataset.h"
#include "train/examples.h"
#include "train/trainer.h"

namespace fm {

struct PreparedData {
  Dataset dataset;
  TemplateSpec tpl;       // the one used (the dataset kind's default when the config has none)
  ExampleSet examples;    // problems include the rows the reader skipped
  Split split;
};

// Uses cfg.data, format, tpl, skipBadRows, maxLength, validationFraction and seed. Throws
// ConfigError when the columns need a template and none is given.
// Reports reading and tokenizing to `job`; a stop asked there throws CancelledError.
PreparedData prepareData(const TrainConfig& cfg, const Tokenizer& tok, const JobContext& job = {});

// The statistics as data_stats.json writes them (up to 100 problems listed).
nlohmann::json dataStatsJson(const DatasetStats& stats, const std::vector<DatasetProblem>& problems);

}  // namespace fm
