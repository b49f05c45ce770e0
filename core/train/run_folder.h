// What every trainer's run folder shares (the language-model trainer, train/trainer.h, and the
// captioner trainer, vision/train_captioner.h): checkpoint-N/ folders that count only once
// their COMPLETE marker exists, and metrics.jsonl, one event per line.
//
// Thread safety: one job per run folder (io/folder_lock.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

namespace fm {

// The complete checkpoint-N/ folders of `dir`, in step order.
std::vector<std::pair<int64_t, std::filesystem::path>> completeCheckpoints(const std::filesystem::path& dir);
// Removes all but the last `keep` complete checkpoints.
void pruneCheckpoints(const std::filesystem::path& dir, int64_t keep);

// metrics.jsonl: one event per line, appended and flushed; truncateAfter drops what a resumed
// run will log again.
class MetricsLog {
 public:
  explicit MetricsLog(std::filesystem::path file) : m_file(std::move(file)) {}
  void append(const nlohmann::json& j);  // IoError when the disk refuses it
  // Drops events after `step` (they are replayed by the resumed run).
  void truncateAfter(int64_t step);

 private:
  std::filesystem::path m_file;
};

}  // namespace fm
