// Several loaded models at once (a language model, an embedder, a reranker, ...) under one
// memory budget.
//
//   fm::ModelPool pool(8ull << 30);                          // 8 GB for weights
//   std::shared_ptr<fm::LoadedModel> m = pool.acquire(dir);  // loads, or returns the loaded one
//
// A model is idle when no one but the pool holds it. A load that would not fit first unloads
// idle models, least recently used first; if it still cannot fit it is refused with a
// ResourceError that says which models use the memory. Models in use are never unloaded.
//
// Thread safety: every member may be called from any thread; loads run one at a time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "arch/arch_summary.h"
#include "arch/loaded_model.h"

namespace fm {

class ModelPool {
 public:
  explicit ModelPool(uint64_t budgetBytes);

  // `replacing`: models the caller holds now and lets go once this load succeeds (the model it
  // switches away from); they count as idle when making room. A folder whose files changed
  // since it was loaded is loaded again.
  std::shared_ptr<LoadedModel> acquire(const std::filesystem::path& dir, const LoadOptions& options = {},
                                       const std::vector<const LoadedModel*>& replacing = {});

  struct Entry {
    std::string dir;
    ModelKind kind = ModelKind::CausalLM;
    uint64_t bytes = 0;
    bool inUse = false;  // held by someone besides the pool
  };
  std::vector<Entry> entries() const;  // most recently used first
  uint64_t usedBytes() const;
  uint64_t budgetBytes() const;
  void setBudgetBytes(uint64_t bytes);
  // Weight bytes a folder will take when loaded with `options` (from its headers only).
  static uint64_t estimateBytes(const ModelInfo& info, const LoadOptions& options);
  // A budget for this machine: 70% of physical memory.
  static uint64_t defaultBudget();

 private:
  struct Slot {
    std::string key, dir, signature;
    std::shared_ptr<LoadedModel> model;
    uint64_t bytes = 0;
    uint64_t lastUse = 0;
  };
  mutable std::mutex m_mutex;
  std::mutex m_loadMutex;
  std::vector<Slot> m_slots;
  uint64_t m_budget;
  uint64_t m_clock = 0;
};

}  // namespace fm
