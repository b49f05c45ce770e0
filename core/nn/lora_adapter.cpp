#include "nn/lora_adapter.h"

#include "util/error.h"

namespace fm {

namespace {
thread_local const LoraAdapter* tActive = nullptr;
thread_local at::Generator* tDropoutGenerator = nullptr;
}

DropoutGeneratorScope::DropoutGeneratorScope(at::Generator* generator) : m_previous(tDropoutGenerator) {
  tDropoutGenerator = generator;
}
DropoutGeneratorScope::~DropoutGeneratorScope() { tDropoutGenerator = m_previous; }
at::Generator* activeDropoutGenerator() { return tDropoutGenerator; }

void LoraAdapter::add(std::string path, const torch::nn::Module* module, LoraWeights weights, bool transposed) {
  m_index[module] = m_entries.size();
  m_entries.push_back({std::move(path), module, std::move(weights), transposed});
}

const LoraWeights* LoraAdapter::find(const torch::nn::Module* module) const {
  auto it = m_index.find(module);
  return it == m_index.end() ? nullptr : &m_entries[it->second].weights;
}

void LoraAdapter::checkModel(uint64_t modelId) const {
  if (modelId != m_modelId)
    throw ConfigError("the LoRA adapter was read for another model (or an earlier load of this one); read it again "
                      "for the model in use");
}

AdapterScope::AdapterScope(const LoraAdapter* adapter) : m_previous(tActive) { tActive = adapter; }
AdapterScope::~AdapterScope() { tActive = m_previous; }

const LoraAdapter* activeAdapter() { return tActive; }

}  // namespace fm
