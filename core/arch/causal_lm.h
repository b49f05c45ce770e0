// Causal language models (decoder-only transformers), one file per architecture, created by a
// factory keyed by config.json's model_type.
//
//   auto lm = fm::createCausalLM(folder.config());             // empty fp32 parameters
//   fm::loadWeights(*lm, folder.openWeights(), lm->checkpointKeyMap());  // strict
//   fm::KVCache cache = lm->makeCache(1, 512);
//   torch::Tensor logits = lm->forward({ids, &cache});           // (B, T, vocab)
//
// Thread safety: forward() does not mutate the module; several jobs may run inference on one
// model at once, each with its own KVCache. Set torch::InferenceMode on the worker thread.
#pragma once

#include <torch/torch.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace fm {

class WeightStore;
class SafetensorsFile;
struct TensorInfo;

// Keys and values of every layer, preallocated to a capacity.
struct KVCache {
  std::vector<torch::Tensor> k, v;  // per layer: (batch, kvHeads, capacity, headDim)
  int64_t length = 0;               // positions filled
  int64_t capacity() const { return k.empty() ? 0 : k[0].size(2); }
};

struct ForwardArgs {
  torch::Tensor ids;        // (B, T) int64
  KVCache* cache = nullptr; // appended to when given; positions continue from cache->length
  torch::Tensor positions;  // optional (B, T) int64; default past + arange(T)
  torch::Tensor mask;       // optional additive mask broadcastable to (B, 1, T, S); replaces
                            // the causal mask (used for padding)
  // Packed training batches: with B == 1, the T tokens are these consecutive sequences. Each
  // attends causally to itself only and positions restart at 0 for each (unless `positions` is
  // given). No padding is computed. Not combinable with a cache.
  std::vector<int64_t> segments;
  // Optional int64 indices into the flattened (B*T) positions: only these rows go through the
  // LM head and forward() returns (N, vocab). Saves the head where no loss is taken.
  torch::Tensor outputRows;
};

struct ArchSummary {
  std::string modelType;     // "llama", "qwen2", "gpt2", ...
  std::string architecture;  // "LlamaForCausalLM", ...
  int64_t vocabSize = 0, hidden = 0, layers = 0, heads = 0, kvHeads = 0, headDim = 0;
  int64_t intermediate = 0, maxPositions = 0;
  bool tiedEmbeddings = false;
  std::string positionEncoding;  // "RoPE theta=10000 (llama3 x8)", "learned", ...
};

class CausalLM : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const ForwardArgs& args) = 0;
  virtual KVCache makeCache(int64_t batch, int64_t capacity) const = 0;
  virtual const ArchSummary& summary() const = 0;
  // Maps a checkpoint key to this module's parameter name ("" = known but unused, e.g. the
  // rotary inv_freq buffers older checkpoints carry). Identity for most keys.
  virtual std::string mapCheckpointKey(const std::string& key) const { return key; }
  torch::Device device() const;
  torch::ScalarType dtype() const;
};

// Throws UnsupportedError for unknown model types, naming the ones supported.
std::shared_ptr<CausalLM> createCausalLM(const nlohmann::json& config);
std::vector<std::string> supportedModelTypes();
// The architecture as config.json describes it, without allocating the model.
ArchSummary summarizeArch(const nlohmann::json& config);

// Copies every checkpoint tensor into the parameter of the same name, converting dtype.
// Missing, unexpected and mis-shaped tensors are reported together in one FormatError.
void loadWeights(CausalLM& model, const WeightStore& store);

// Writes named tensors (F32, U8 or I64; others are converted to F32) as one safetensors file,
// atomically.
void writeTensorFile(const std::filesystem::path& file,
                     const std::vector<std::pair<std::string, torch::Tensor>>& named);

// A copy of one tensor of an opened safetensors file, in its stored dtype.
torch::Tensor readTensor(const SafetensorsFile& file, const TensorInfo& info);

}  // namespace fm
