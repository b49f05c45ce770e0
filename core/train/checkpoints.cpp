#include "train/checkpoint_files.h"
#include "train/run.h"

#include <algorithm>
#include <regex>
#include <sstream>

#include "arch/causal_lm.h"
#include "io/atomic_file.h"
#include "io/model_folder.h"
#include "io/safetensors.h"
#include "lora/lora.h"
#include "nn/lora_adapter.h"
#include "nn/weights.h"
#include "util/error.h"

namespace fm {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {
const std::regex kCheckpointName("checkpoint-([0-9]+)");
}  // namespace

std::vector<std::pair<int64_t, fs::path>> completeCheckpoints(const fs::path& dir) {
  std::vector<std::pair<int64_t, fs::path>> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::smatch m;
    const std::string name = e.path().filename().string();
    if (e.is_directory() && std::regex_match(name, m, kCheckpointName) &&
        m[1].length() <= 15 && fs::exists(e.path() / "COMPLETE"))
      out.emplace_back(std::stoll(m[1]), e.path());  // 15 digits: more steps than any run takes
  }
  std::sort(out.begin(), out.end());
  return out;
}

void saveCheckpoint(Run& r, int64_t step, const json& state) {
  const fs::path tmp = startCheckpoint(r.dir, step);
  if (r.cfg.method == "lora") {
    r.adapter->setBaseModel(r.cfg.model);
    saveAdapter(*r.adapter, tmp);
  } else {
    writeTensorFile(tmp / "model.safetensors", r.fullParams);
  }
  finishCheckpoint(r.dir, tmp, step, r.cfg.keepCheckpoints, r.session->optimizer(), r.generator, state);
}

fs::path startCheckpoint(const fs::path& runDir, int64_t step) {
  const fs::path tmp = runDir / ("checkpoint-" + std::to_string(step) + ".tmp");
  fs::remove_all(tmp);
  makeFolder(tmp);
  return tmp;
}

void finishCheckpoint(const fs::path& runDir, const fs::path& tmp, int64_t step, int64_t keep,
                      torch::optim::Optimizer& optimizer, at::Generator& generator, const json& state) {
  std::ostringstream opt;
  {
    torch::serialize::OutputArchive archive;
    optimizer.save(archive);
    archive.save_to(opt);
  }
  writeFileAtomic(tmp / "optimizer.pt", opt.str());
  torch::Tensor rng;
  {
    std::lock_guard<std::mutex> lock(generator.mutex());
    rng = generator.get_state();
  }
  writeTensorFile(tmp / "rng_state.safetensors", {{"dropout_generator", rng}});
  writeFileAtomic(tmp / "trainer_state.json", state.dump(2) + "\n");
  writeFileAtomic(tmp / "COMPLETE", "step " + std::to_string(step) + "\n");
  const fs::path final = runDir / ("checkpoint-" + std::to_string(step));
  fs::remove_all(final);
  fs::rename(tmp, final);
  syncDirectory(runDir);
  pruneCheckpoints(runDir, keep);
}

void pruneCheckpoints(const fs::path& dir, int64_t keep) {
  auto all = completeCheckpoints(dir);
  for (size_t i = 0; i + static_cast<size_t>(keep) < all.size(); ++i) fs::remove_all(all[i].second);
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
  readGeneratorState(ckpt, r.generator);
  return state;
}

void readGeneratorState(const fs::path& ckpt, at::Generator& generator) {
  auto rf = SafetensorsFile::open(ckpt / "rng_state.safetensors");
  const TensorInfo* ri = rf.find("dropout_generator");
  if (!ri) ri = rf.find("torch_cpu");  // checkpoints written before runs had their own generator
  if (!ri) throw FormatError("rng_state.safetensors has no generator state");
  const torch::Tensor saved = readTensor(rf, *ri);
  std::lock_guard<std::mutex> lock(generator.mutex());
  const int64_t expected = generator.get_state().numel();
  if (saved.scalar_type() != torch::kByte || saved.numel() != expected)
    throw FormatError("rng_state.safetensors holds " + std::to_string(saved.numel()) +
                      " values where a generator state has " + std::to_string(expected));
  generator.set_state(saved);
}

void readOptimizerState(const fs::path& ckpt, torch::optim::Optimizer& optimizer) {
  torch::serialize::InputArchive archive;
  archive.load_from((ckpt / "optimizer.pt").string());
  optimizer.load(archive);
}

void loadOptimizer(Run& r, const fs::path& ckpt) { readOptimizerState(ckpt, r.session->optimizer()); }

}  // namespace fm
