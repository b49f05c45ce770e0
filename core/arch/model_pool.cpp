#include "arch/model_pool.h"

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "util/error.h"

#if defined(__linux__) || defined(__APPLE__)
#include <unistd.h>
#endif

namespace fm {
namespace fs = std::filesystem;

namespace {

std::string keyOf(const fs::path& dir, const LoadOptions& o) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(dir, ec);
  if (ec) p = fs::absolute(dir);
  return p.string() + "|" + o.dtype + "|" + o.device;
}

// Sizes and modification times of the files a load reads: a folder rewritten in place (a
// merge, an export) is loaded again.
std::string signatureOf(const fs::path& dir) {
  std::string sig;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    const std::string ext = e.path().extension().string();
    if (ext != ".safetensors" && ext != ".json" && ext != ".model" && ext != ".txt") continue;
    const auto size = e.file_size(ec);
    const auto time = e.last_write_time(ec).time_since_epoch().count();
    sig += name + ":" + std::to_string(size) + ":" + std::to_string(time) + ";";
  }
  return sig;
}

std::string gb(uint64_t bytes) {
  char buf[32];
  if (bytes >= 1000000000ull) std::snprintf(buf, sizeof buf, "%.2f GB", bytes / 1e9);
  else if (bytes >= 1000000ull) std::snprintf(buf, sizeof buf, "%.1f MB", bytes / 1e6);
  else std::snprintf(buf, sizeof buf, "%.1f KB", bytes / 1e3);
  return buf;
}

}  // namespace

ModelPool::ModelPool(uint64_t budgetBytes) : m_budget(budgetBytes) {}

uint64_t ModelPool::estimateBytes(const ModelInfo& info, const LoadOptions& o) {
  const uint64_t per = o.dtype == "float32" || o.dtype == "fp32" ? 4 : 2;
  return static_cast<uint64_t>(info.parameters) * per;
}

uint64_t ModelPool::defaultBudget() {
  uint64_t total = 8ull << 30;
#if defined(__linux__) || defined(__APPLE__)
  const long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
  if (pages > 0 && size > 0) total = static_cast<uint64_t>(pages) * static_cast<uint64_t>(size);
#endif
  return total / 10 * 7;
}

std::shared_ptr<LoadedModel> ModelPool::acquire(const fs::path& dir, const LoadOptions& options,
                                                const std::vector<const LoadedModel*>& replacing) {
  const std::string key = keyOf(dir, options);
  std::lock_guard<std::mutex> loading(m_loadMutex);
  const std::string signature = signatureOf(dir);
  std::vector<Slot> unloaded;  // destroyed outside m_mutex
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    for (auto it = m_slots.begin(); it != m_slots.end(); ++it)
      if (it->key == key) {
        if (it->signature == signature) {
          it->lastUse = ++m_clock;
          return it->model;
        }
        unloaded.push_back(std::move(*it));  // changed on disk: load it again
        m_slots.erase(it);
        break;
      }
  }
  unloaded.clear();
  const ModelInfo info = describeModel(dir);  // load() checks the rest
  const uint64_t need = estimateBytes(info, options);
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    auto idle = [&](const Slot& s) {
      const long holders = s.model.use_count() - 1;  // besides the pool
      const bool replaced = std::find(replacing.begin(), replacing.end(), s.model.get()) != replacing.end();
      return holders == 0 || (replaced && holders == 1);
    };
    uint64_t used = 0, inUse = 0;
    for (const Slot& s : m_slots) {
      used += s.bytes;
      if (!idle(s)) inUse += s.bytes;
    }
    // Refuse before unloading anything when even an empty pool of idle models is too small.
    if (inUse + need > m_budget) {
      std::string who;
      for (const Slot& s : m_slots)
        if (!idle(s)) who += "\n  " + s.dir + " (" + modelKindLabel(s.model->kind()) + ", " + gb(s.bytes) + ")";
      throw ResourceError(dir.string() + " needs about " + gb(need) + " of memory, but only " +
                          gb(m_budget > inUse ? m_budget - inUse : 0) + " of the " + gb(m_budget) +
                          " kept for models is free" +
                          (who.empty() ? std::string(": the model is larger than this machine allows.")
                                       : ". Models in use by running jobs:" + who +
                                             "\nLet those jobs finish or cancel them, then try again."));
    }
    // Unload idle models, least recently used first, until the new one fits.
    while (used + need > m_budget) {
      auto victim = m_slots.end();
      for (auto it = m_slots.begin(); it != m_slots.end(); ++it)
        if (idle(*it) && (victim == m_slots.end() || it->lastUse < victim->lastUse)) victim = it;
      if (victim == m_slots.end()) break;
      used -= victim->bytes;
      unloaded.push_back(std::move(*victim));
      m_slots.erase(victim);
    }
  }
  unloaded.clear();
  auto model = LoadedModel::load(dir, options);
  std::lock_guard<std::mutex> lock(m_mutex);
  m_slots.push_back({key, dir.string(), signature, model, std::max(need, model->memoryBytes()), ++m_clock});
  return model;
}

std::vector<ModelPool::Entry> ModelPool::entries() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  std::vector<const Slot*> order;
  for (const Slot& s : m_slots) order.push_back(&s);
  std::sort(order.begin(), order.end(), [](const Slot* a, const Slot* b) { return a->lastUse > b->lastUse; });
  std::vector<Entry> out;
  for (const Slot* s : order) out.push_back({s->dir, s->model->kind(), s->bytes, s->model.use_count() > 1});
  return out;
}

uint64_t ModelPool::usedBytes() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  uint64_t u = 0;
  for (const Slot& s : m_slots) u += s.bytes;
  return u;
}

uint64_t ModelPool::budgetBytes() const {
  std::lock_guard<std::mutex> lock(m_mutex);
  return m_budget;
}

void ModelPool::setBudgetBytes(uint64_t bytes) {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_budget = bytes;
}

}  // namespace fm
