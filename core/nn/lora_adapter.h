// A LoRA adapter as a value beside the model, chosen per inference context.
//
// The base model's modules are shared read-only by every job; an adapter never changes them.
// A job that wants an adapter makes it active on its own thread for the duration of a call:
//
//   std::shared_ptr<fm::LoraAdapter> a = fm::readAdapter(lm, "runs/r1/adapter");  // lora/lora.h
//   {
//     fm::AdapterScope use(a.get());        // this thread only
//     auto logits = lm.forward(args);       // every adapted Linear adds B(A(x)) * scale
//   }                                       // back to the base model
//
// Another thread running the same model at the same time sees its own scope (or none), so a
// Playground generation with an adapter, one without, and an embedding job can run side by
// side and each gets the result it would get alone.
//
// Thread safety: a LoraAdapter is immutable once built (its tensors may be trained by the one
// job that owns it); AdapterScope is per thread. The adapter refers to the modules of the model
// it was made for and must not outlive that model.
#pragma once

#include <torch/torch.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "lora/lora_config.h"

namespace fm {

// One adapted Linear (or GPT-2 Conv1D): y += scale * B(A(dropout(x))). A (r, in), B (out, r)
// either way; only merging needs to know that a Conv1D stores its weight (in, out).
struct LoraWeights {
  torch::Tensor A, B;
  double scale = 1.0;
  double dropout = 0.0;  // applied only while the module is in training mode
};

// The random generator for dropout draws on this thread (a training run's own), or null for
// libtorch's default one. Set by the trainer for the duration of its loop, so a run's draws
// depend only on its seed and resume exactly, whatever else the process runs.
class DropoutGeneratorScope {
 public:
  explicit DropoutGeneratorScope(at::Generator* generator);
  ~DropoutGeneratorScope();
  DropoutGeneratorScope(const DropoutGeneratorScope&) = delete;
  DropoutGeneratorScope& operator=(const DropoutGeneratorScope&) = delete;

 private:
  at::Generator* m_previous;
};
at::Generator* activeDropoutGenerator();

class LoraAdapter {
 public:
  struct Entry {
    std::string path;  // Hugging Face module path, e.g. "model.layers.0.self_attn.q_proj"
    const torch::nn::Module* module = nullptr;  // a LinearImpl or a Conv1DImpl
    LoraWeights weights;
    bool transposed = false;  // GPT-2's Conv1D: the base weight is (in, out)
  };

  // `modelId` identifies the model the adapter was made for (Network::instanceId()).
  LoraAdapter(LoraConfig config, uint64_t modelId) : m_config(std::move(config)), m_modelId(modelId) {}
  uint64_t modelId() const { return m_modelId; }
  // Throws ConfigError unless the adapter was made for the model with this id.
  void checkModel(uint64_t modelId) const;
  void add(std::string path, const torch::nn::Module* module, LoraWeights weights, bool transposed = false);
  // nullptr when `module` is not adapted.
  const LoraWeights* find(const torch::nn::Module* module) const;
  const std::vector<Entry>& entries() const { return m_entries; }
  const LoraConfig& config() const { return m_config; }
  void setBaseModel(const std::string& name) { m_config.baseModel = name; }

 private:
  LoraConfig m_config;
  uint64_t m_modelId = 0;
  std::vector<Entry> m_entries;  // in model order
  std::unordered_map<const torch::nn::Module*, size_t> m_index;
};

// Makes `adapter` (may be null: the base model) active on this thread until destruction;
// scopes nest.
class AdapterScope {
 public:
  explicit AdapterScope(const LoraAdapter* adapter);
  ~AdapterScope();
  AdapterScope(const AdapterScope&) = delete;
  AdapterScope& operator=(const AdapterScope&) = delete;

 private:
  const LoraAdapter* m_previous;
};

// The adapter active on the calling thread, or null.
const LoraAdapter* activeAdapter();

}  // namespace fm
