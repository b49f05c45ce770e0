// The files of a checkpoint that every trainer writes the same way (the language-model trainer,
// train/trainer.h, and the captioner trainer, vision/train_captioner.h): the optimiser's
// state, the run's random generator, trainer_state.json and, last of all, the COMPLETE marker;
// written into checkpoint-N.tmp and published by one rename (train/run_folder.h lists the
// complete ones). Each trainer writes its own weights into the folder between the two calls.
//
//   fs::path tmp = fm::startCheckpoint(runDir, step);
//   writeTensorFile(tmp / "mapper.safetensors", ...);                 // the trainer's weights
//   fm::finishCheckpoint(runDir, tmp, step, keep, optimizer, generator, state);
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace fm {

// checkpoint-N.tmp in `runDir`, emptied and created.
std::filesystem::path startCheckpoint(const std::filesystem::path& runDir, int64_t step);
// Writes optimizer.pt, rng_state.safetensors, trainer_state.json and COMPLETE into `tmp`, then
// renames it to checkpoint-N and keeps only the last `keep` complete checkpoints.
void finishCheckpoint(const std::filesystem::path& runDir, const std::filesystem::path& tmp, int64_t step, int64_t keep,
                      torch::optim::Optimizer& optimizer, at::Generator& generator, const nlohmann::json& state);
// Restores the run's generator (FormatError when the file holds no generator state).
void readGeneratorState(const std::filesystem::path& checkpoint, at::Generator& generator);
void readOptimizerState(const std::filesystem::path& checkpoint, torch::optim::Optimizer& optimizer);

}  // namespace fm
