// Training a captioner of your own: a frozen CLIP sees each picture, a small network (the
// mapper) turns its embedding into a prefix for a causal language model, and the language model
// (frozen, adapted with LoRA, or fully trained) learns to continue that prefix with the
// picture's caption (arch/prefix_captioner.h). It is the language-model trainer's contract
// (train/trainer.h) for another kind of data: the same events (a live loss chart, evaluations),
// checkpoints, exact resume, cancel, and a run folder laid out the same way, plus Sample events
// with captions of held-out pictures as the model learns.
//
//   fm::CaptionerTrainConfig c = fm::CaptionerTrainConfig::fromJson(readJsonFile("run.json"));
//   fm::TrainResult r = fm::trainCaptioner(c, onEvent);            // r.outputDir: captioner/
//   fm::TrainResult again = fm::resumeCaptioner(r.runDir, onEvent);  // after a stop or a kill
//   auto model = fm::LoadedModel::load(r.outputDir, {});           // fmw caption, the panel
//
// Data: a folder of pictures with captions beside them (picture.jpg + picture.txt), or a folder
// with metadata.csv / metadata.jsonl, or such a CSV/JSONL file itself, with a picture column
// (file_name, image, file or path; relative to the file) and a caption column (caption or text).
//
// The run folder: config.json ("task": "captioner"), data_stats.json, features.safetensors
// (the CLIP embeddings of the pictures, made once), metrics.jsonl, checkpoint-N/ and, when
// done, captioner/: a model folder that loads on its own.
//
// Thread safety: one job per run folder (locked while it trains); the job owns its models.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "jobs/job.h"
#include "lora/lora_config.h"
#include "train/trainer.h"
#include "vision/image_folder.h"

namespace fm {

struct CaptionerTrainConfig {
  std::string imageModel;       // a CLIP folder (frozen)
  std::string languageModel;    // a causal LM folder (Llama family, GPT-2)
  std::string data;             // see above
  std::string lmTraining = "lora";  // frozen | lora | full
  LoraConfig lora{8, 16, 0.0, {"all-linear"}};
  int64_t prefixLength = 10;
  int64_t mapperHidden = 0;     // 0: the language model's hidden size
  int64_t maxCaptionTokens = 40;
  double validationFraction = 0.1;
  int64_t batchSize = 16;
  int64_t epochs = 10;
  int64_t maxSteps = -1;        // > 0 overrides epochs
  double lr = 2e-3;
  std::string schedule = "cosine";  // constant | linear | cosine
  int64_t warmupSteps = 20;
  double weightDecay = 0.0;
  double maxGradNorm = 1.0;
  uint64_t seed = 42;
  int64_t logEvery = 10;
  int64_t evalEvery = 0;        // 0: at the start and the end only
  int64_t evalMaxRows = 200;
  int64_t samplePictures = 4;   // held-out pictures captioned at every evaluation
  int64_t saveEvery = 0;
  double saveMinutes = 10;
  int64_t keepCheckpoints = 2;
  std::string outDir;
  int threads = 0;

  nlohmann::json toJson() const;  // with "task": "captioner"
  static CaptionerTrainConfig fromJson(const nlohmann::json& j);
  void set(const std::string& key, const std::string& value);
  static std::vector<std::string> keys();
  void validate() const;  // ConfigError naming the setting
};

// True when `runDir`'s config.json is a captioner run (fmw resume picks the trainer by it).
bool isCaptionerRun(const std::filesystem::path& runDir);

struct CaptionedPictures {
  std::vector<std::filesystem::path> images;
  std::vector<std::string> captions;
  std::vector<FileFailure> skipped;  // rows or pictures left out, with why
};
// Reads the data as described above. ConfigError when nothing usable is there.
CaptionedPictures readCaptionedPictures(const std::filesystem::path& data);

TrainResult trainCaptioner(const CaptionerTrainConfig& cfg, const JobCallback<TrainEvent>& onEvent,
                           const TrainHooks& hooks = {});
TrainResult resumeCaptioner(const std::filesystem::path& runDir, const JobCallback<TrainEvent>& onEvent,
                            const TrainHooks& hooks = {});

}  // namespace fm
