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

std::string gb(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f GB", bytes / 1e9);
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

std::shared_ptr<LoadedModel> ModelPool::acquire(const fs::path& dir, const LoadOptions& options) {
  const std::string key = keyOf(dir, options);
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    for (Slot& s : m_slots)
      if (s.key == key) {
        s.lastUse = ++m_clock;
        return s.model;
      }
  }
  std::lock_guard<std::mutex> loading(m_loadMutex);
  {
    // Loaded by another thread while this one waited.
    std::lock_guard<std::mutex> lock(m_mutex);
    for (Slot& s : m_slots)
      if (s.key == key) {
        s.lastUse = ++m_clock;
        return s.model;
      }
  }
  const ModelInfo info = inspectModel(dir);
  const uint64_t need = estimateBytes(info, options);
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    auto used = [&] {
      uint64_t u = 0;
      for (const Slot& s : m_slots) u += s.bytes;
      return u;
    };
    // Unload idle models, least recently used first, until the new one fits.
    while (used() + need > m_budget) {
      auto idle = m_slots.end();
      for (auto it = m_slots.begin(); it != m_slots.end(); ++it)
        if (it->model.use_count() == 1 && (idle == m_slots.end() || it->lastUse < idle->lastUse)) idle = it;
      if (idle == m_slots.end()) break;
      m_slots.erase(idle);
    }
    if (used() + need > m_budget) {
      std::string who;
      for (const Slot& s : m_slots)
        who += "\n  " + s.dir + " (" + modelKindLabel(s.model->kind()) + ", " + gb(s.bytes) + ", in use)";
      throw ResourceError(dir.string() + " needs about " + gb(need) + " but only " +
                          gb(m_budget > used() ? m_budget - used() : 0) + " of the " + gb(m_budget) +
                          " model memory budget is free" + (who.empty() ? std::string(".") : "; in use:" + who) +
                          (who.empty() ? "" : "\nStop the jobs that use them, or load a smaller model or bfloat16."));
    }
  }
  auto model = LoadedModel::load(dir, options);
  std::lock_guard<std::mutex> lock(m_mutex);
  m_slots.push_back({key, dir.string(), model, std::max(need, model->memoryBytes()), ++m_clock});
  return model;
}

void ModelPool::release(const fs::path& dir) {
  std::lock_guard<std::mutex> lock(m_mutex);
  const std::string prefix = keyOf(dir, {});
  const std::string path = prefix.substr(0, prefix.find('|'));
  m_slots.erase(std::remove_if(m_slots.begin(), m_slots.end(),
                               [&](const Slot& s) { return s.key.compare(0, path.size() + 1, path + "|") == 0; }),
                m_slots.end());
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
