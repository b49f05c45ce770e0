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
  const fs::path tmp = r.dir / ("checkpoint-" + std::to_string(step) + ".tmp");
  const fs::path final = r.dir / ("checkpoint-" + std::to_string(step));
  fs::remove_all(tmp);
  makeFolder(tmp);
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
  pruneCheckpoints(r.dir, r.cfg.keepCheckpoints);
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

}  // namespace fm
