// How much memory a training configuration needs, estimated before anything is allocated.
#include "train/trainer.h"

#include <cstdio>
#include <fstream>

#include "util/error.h"

#if defined(__linux__) || defined(__APPLE__)
#include <unistd.h>
#endif

namespace fm {
using nlohmann::json;

std::string MemoryEstimate::describe() const {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "about %.2f GB (weights %.2f GB, trainable state %.2f GB, activations %.2f GB); "
                "%.2f GB available",
                total / 1e9, weights / 1e9, trainableState / 1e9, activations / 1e9, available / 1e9);
  return buf;
}

namespace {

uint64_t availableMemory() {
#if defined(__linux__)
  std::ifstream f("/proc/meminfo");
  std::string key;
  uint64_t kb = 0;
  std::string unit;
  while (f >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb * 1024;
#endif
#if defined(__linux__) || defined(__APPLE__)
  const long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
  if (pages > 0 && size > 0) return static_cast<uint64_t>(pages) * size / 2;
#endif
  return 8ull << 30;
}

int64_t jint(const json& c, const char* a, const char* b, int64_t def) {
  if (c.contains(a) && c[a].is_number_integer()) return c[a].get<int64_t>();
  if (b && c.contains(b) && c[b].is_number_integer()) return c[b].get<int64_t>();
  return def;
}

}  // namespace

MemoryEstimate estimateTrainingMemory(const TrainConfig& cfg, const json& mc, int64_t trainable,
                                      int64_t total) {
  MemoryEstimate m;
  const int64_t H = jint(mc, "hidden_size", "n_embd", 768);
  const int64_t L = jint(mc, "num_hidden_layers", "n_layer", 12);
  const int64_t heads = jint(mc, "num_attention_heads", "n_head", 12);
  const int64_t I = jint(mc, "intermediate_size", "n_inner", 4 * H);
  const int64_t V = jint(mc, "vocab_size", nullptr, 32000);
  const uint64_t tokens = static_cast<uint64_t>(cfg.batchSize) * cfg.maxLength;
  m.weights = static_cast<uint64_t>(total) * 4;
  m.trainableState = static_cast<uint64_t>(trainable) * 4 * 3;  // gradient + two Adam moments
  // Saved for backward per token and layer: ~10 hidden-sized and ~5 MLP-sized fp32 tensors,
  // plus attention scores and probabilities over the sequence; logits (and their gradient) for
  // every token.
  const uint64_t perTokenLayer = (10 * H + 5 * I + 2 * heads * cfg.maxLength) * 4;
  m.activations = tokens * L * perTokenLayer + tokens * V * 4 * 3;
  m.total = static_cast<uint64_t>((m.weights + m.trainableState + m.activations) * 1.15);
  m.available = cfg.memoryLimitGb > 0 ? static_cast<uint64_t>(cfg.memoryLimitGb * 1e9) : availableMemory();
  if (m.total > m.available) {
    std::string what = "lower batch_size (now " + std::to_string(cfg.batchSize) + ") or max_length (now " +
                       std::to_string(cfg.maxLength) + ")";
    if (cfg.method == "full") what += ", or train a LoRA adapter instead of all parameters";
    if (cfg.gradAccum == 1) what += "; grad_accum keeps the effective batch when batch_size goes down";
    throw ResourceError("this training configuration will not fit in memory: it needs " + m.describe() +
                      ". To fit, " + what + ".");
  }
  return m;
}

}  // namespace fm
