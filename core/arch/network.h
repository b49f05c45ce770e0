// The base of every model implementation, whatever its kind, and the registry that creates
// one from config.json.
//
//   std::shared_ptr<fm::Network> net = fm::createNetwork(folder.config());  // empty fp32 params
//   fm::loadWeights(*net, folder.openWeights());                             // strict
//   if (auto* enc = dynamic_cast<fm::TextEncoder*>(net.get())) ...           // arch/encoder.h
//
// A new architecture is one file that defines its modules (names equal checkpoint keys), a
// summary function and a make function, plus one line in arch/registry.cpp. A new kind adds a
// ModelKind value and an interface header like arch/encoder.h.
//
// Thread safety: forward() never mutates a Network; several jobs may run inference on one at
// once (each with its own caches; adapters are chosen per thread, nn/lora_adapter.h).
#pragma once

#include <torch/torch.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "arch/arch_summary.h"
#include "jobs/job.h"

namespace fm {

class WeightStore;

class Network : public torch::nn::Module {
 public:
  Network();
  virtual const ArchSummary& summary() const = 0;
  // Unique for the life of the process: adapters record the model they were made for.
  uint64_t instanceId() const { return m_instanceId; }
  // Maps a checkpoint key to this module's parameter name ("" = known but unused, e.g. the
  // rotary inv_freq buffers older checkpoints carry). Identity for most keys.
  virtual std::string mapCheckpointKey(const std::string& key) const { return key; }
  ModelKind kind() const { return summary().kind; }
  torch::Device device() const;
  torch::ScalarType dtype() const;

 private:
  uint64_t m_instanceId;
};

// Throws UnsupportedError for unknown model types, naming the ones supported.
std::shared_ptr<Network> createNetwork(const nlohmann::json& config);

// Strict loading by mapCheckpointKey (nn/weights.h).
void loadWeights(Network& net, const WeightStore& store, const JobContext& job = {});
// The same checks, reading no tensor data.
void checkWeights(const Network& net, const WeightStore& store);

}  // namespace fm
