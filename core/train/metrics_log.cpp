#include <fstream>
#include <sstream>

#include "io/atomic_file.h"
#include "train/run.h"
#include "util/error.h"

namespace fm {

void MetricsLog::append(const nlohmann::json& j) {
  // std::ofstream takes the path as it is (wide on Windows), so any folder name works.
  std::ofstream out(m_file, std::ios::binary | std::ios::app);
  if (!out) throw IoError(m_file.string() + ": cannot append to the metrics log");
  out << j.dump() << '\n';
  out.flush();
  if (!out) throw IoError(m_file.string() + ": write failed (disk full?)");
}

void MetricsLog::truncateAfter(int64_t step) {
  if (!std::filesystem::exists(m_file)) return;
  std::istringstream in(readFile(m_file));
  std::string line, kept;
  while (std::getline(in, line)) {
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const std::exception&) {
      continue;  // a line cut by a kill
    }
    if (!j.is_object()) continue;  // not a line the trainer wrote
    const std::string ev = j.contains("event") && j["event"].is_string() ? j["event"].get<std::string>() : "";
    if (ev == "done" || ev == "error") continue;
    if (j.contains("step") && j["step"].is_number() && j["step"].get<double>() > static_cast<double>(step)) continue;
    kept += line + "\n";
  }
  writeFileAtomic(m_file, kept);
}

}  // namespace fm
