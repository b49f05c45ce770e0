#include "nn/weights.h"

#include <algorithm>
#include <map>

#include "io/model_folder.h"
#include "io/safetensors.h"
#include "util/error.h"
#include "jobs/cancelled.h"

namespace fm {

namespace {

std::string shapeStr(c10::IntArrayRef s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

std::string listNames(const std::vector<std::string>& names) {
  std::string r;
  const size_t shown = std::min<size_t>(names.size(), 8);
  for (size_t i = 0; i < shown; ++i) r += (i ? ", " : "") + names[i];
  if (names.size() > shown) r += " and " + std::to_string(names.size() - shown) + " more";
  return r;
}

torch::ScalarType toTorch(DType d) {
  switch (d) {
    case DType::F64: return torch::kFloat64;
    case DType::F32: return torch::kFloat32;
    case DType::F16: return torch::kFloat16;
    case DType::BF16: return torch::kBFloat16;
    case DType::I64: return torch::kInt64;
    case DType::I32: return torch::kInt32;
    case DType::I16: return torch::kInt16;
    case DType::I8: return torch::kInt8;
    case DType::U8: return torch::kUInt8;
    case DType::BOOL: return torch::kBool;
  }
  return torch::kFloat32;
}

}  // namespace

namespace {

// Every checkpoint tensor matched to the module parameter it fills; all problems in one error.
std::map<std::string, const WeightStore::Entry*> matchWeights(const torch::nn::Module& module,
                                                              const WeightStore& store, const KeyMapper& map,
                                                              const std::string& what) {
  std::map<std::string, torch::Tensor> wanted;
  for (const auto& p : module.named_parameters(/*recurse=*/true)) wanted[p.key()] = p.value();

  std::vector<std::string> unexpected, misShaped, unsupported, misShapedNames;
  std::map<std::string, const WeightStore::Entry*> found;
  for (const auto& [key, entry] : store.entries()) {
    const std::string name = map ? map(key) : key;
    if (name.empty()) continue;
    auto it = wanted.find(name);
    if (it == wanted.end()) {
      unexpected.push_back(key);
      continue;
    }
    if (it->second.sizes() != c10::IntArrayRef(entry.info->shape)) {
      misShaped.push_back(key + " is " + shapeStr(entry.info->shape) + " but config.json needs " +
                          shapeStr(it->second.sizes()));
      misShapedNames.push_back(name);
      continue;
    }
    const DType d = entry.info->dtype;
    if (d != DType::F32 && d != DType::F16 && d != DType::BF16 && d != DType::F64) {
      unsupported.push_back(key + " (" + dtypeName(d) + ")");
      continue;
    }
    found[name] = &entry;
  }
  std::vector<std::string> missing;
  for (const auto& [name, t] : wanted)
    if (!found.count(name) &&
        std::find(misShapedNames.begin(), misShapedNames.end(), name) == misShapedNames.end())
      missing.push_back(name);  // mis-shaped tensors are named once, as mis-shaped
  if (!missing.empty() || !unexpected.empty() || !misShaped.empty() || !unsupported.empty()) {
    std::string msg = "the weights do not match config.json (" + what + "):";
    if (!missing.empty()) msg += "\n  missing " + std::to_string(missing.size()) + ": " + listNames(missing);
    if (!unexpected.empty())
      msg += "\n  unexpected " + std::to_string(unexpected.size()) + ": " + listNames(unexpected);
    if (!misShaped.empty())
      msg += "\n  mis-shaped " + std::to_string(misShaped.size()) + ": " + listNames(misShaped);
    if (!unsupported.empty())
      msg += "\n  non-float dtype " + std::to_string(unsupported.size()) + ": " + listNames(unsupported);
    msg += "\nIs config.json from the same model as the .safetensors files?";
    throw FormatError(msg);
  }
  return found;
}

}  // namespace

void checkWeights(const torch::nn::Module& module, const WeightStore& store, const KeyMapper& map,
                  const std::string& what) {
  matchWeights(module, store, map, what);
}

void loadWeights(torch::nn::Module& module, const WeightStore& store, const KeyMapper& map,
                 const std::string& what, const JobContext& job) {
  const auto found = matchWeights(module, store, map, what);
  uint64_t total = 0, done = 0, reported = 0;
  for (const auto& [name, entry] : found) total += entry->info->end - entry->info->begin;
  std::map<std::string, torch::Tensor> wanted;
  for (const auto& p : module.named_parameters(/*recurse=*/true)) wanted[p.key()] = p.value();
  torch::NoGradGuard noGrad;
  for (const auto& [name, entry] : found) {
    torch::Tensor& dst = wanted[name];
    auto src = torch::from_blob(const_cast<uint8_t*>(entry->file->data(*entry->info)), entry->info->shape,
                                torch::TensorOptions().dtype(toTorch(entry->info->dtype)));
    dst.copy_(src);  // converts dtype; the mapping is never written
    done += entry->info->end - entry->info->begin;
    if (done - reported >= total / 100 || done == total) {
      reported = done;
      job.report(total ? static_cast<double>(done) / static_cast<double>(total) : 1.0, "reading the weights");
    }
  }
}

void writeTensorFile(const std::filesystem::path& file,
                     const std::vector<std::pair<std::string, torch::Tensor>>& named) {
  std::vector<torch::Tensor> keep;
  std::vector<TensorView> views;
  keep.reserve(named.size());
  for (const auto& [name, t] : named) {
    auto k = t.detach().to(torch::kCPU);
    if (k.scalar_type() != torch::kUInt8 && k.scalar_type() != torch::kLong) k = k.to(torch::kFloat);
    keep.push_back(k.contiguous());
    const DType d = keep.back().scalar_type() == torch::kUInt8  ? DType::U8
                    : keep.back().scalar_type() == torch::kLong ? DType::I64
                                                                : DType::F32;
    views.push_back({name, d, keep.back().sizes().vec(), keep.back().data_ptr()});
  }
  writeSafetensors(file, views, {{"format", "pt"}});
}

torch::Tensor readTensor(const SafetensorsFile& file, const TensorInfo& info) {
  return torch::from_blob(const_cast<uint8_t*>(file.data(info)), info.shape,
                          torch::TensorOptions().dtype(toTorch(info.dtype)))
      .clone();
}

}  // namespace fm
