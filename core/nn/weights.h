// Weights in and out of any module, by checkpoint key.
//
//   fm::loadWeights(module, folder.openWeights(), [](const std::string& k) { return k; },
//                   "BertModel");                       // strict: all problems in one error
//   fm::writeTensorFile("adapter_model.safetensors", {{"name", tensor}});
//
// Thread safety: loadWeights writes the module's parameters (no job may use it meanwhile);
// the file functions touch only their arguments.
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "jobs/job.h"

namespace fm {

class WeightStore;
class SafetensorsFile;
struct TensorInfo;

// Maps a checkpoint key to the module's parameter name; "" = a known key the module does not
// use (e.g. rotary inv_freq buffers, an unused pooler).
using KeyMapper = std::function<std::string(const std::string& key)>;

// Copies every checkpoint tensor into the parameter of the mapped name, converting dtype.
// Missing, unexpected, mis-shaped and non-float tensors are reported together in one
// FormatError that names `what` (the architecture).
// Reports the fraction of bytes copied to `job`; a stop asked there throws CancelledError (the
// module is then partly written: discard it).
void loadWeights(torch::nn::Module& module, const WeightStore& store, const KeyMapper& map,
                 const std::string& what, const JobContext& job = {});
// The same checks without copying anything (fmw info, before a long load).
void checkWeights(const torch::nn::Module& module, const WeightStore& store, const KeyMapper& map,
                  const std::string& what);

// Writes named tensors (F32, U8 or I64; others are converted to F32) as one safetensors file,
// atomically.
void writeTensorFile(const std::filesystem::path& file,
                     const std::vector<std::pair<std::string, torch::Tensor>>& named);

// A copy of one tensor of an opened safetensors file, in its stored dtype.
torch::Tensor readTensor(const SafetensorsFile& file, const TensorInfo& info);

}  // namespace fm
