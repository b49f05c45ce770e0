// Dataset files: CSV/TSV (RFC 4180), JSON Lines, JSON arrays and plain text, read into rows of
// named fields. The row shape is recognised as Alpaca (instruction/input/output), chat
// (ShareGPT "conversations" or "messages"), plain text, or generic columns.
//
//   fm::ReadOptions opt;  opt.skipBadRows = true;          // else the first bad row throws
//   fm::Dataset ds = fm::readDataset("reviews.csv", opt);
//   for (size_t i = 0; i < ds.rows.size(); ++i) use(ds.rows[i]["text"], ds.lines[i]);
//   // ds.problems: every skipped row with its line number and reason
//
// Thread safety: readDataset is reentrant; a Dataset is a plain value.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "util/error.h"
#include "jobs/job.h"
#include <functional>

namespace fm {

// A row that cannot be used, with the 1-based line (CSV/JSONL/text) or record number (JSON array).
class RowError : public FormatError {
 public:
  RowError(const std::string& file, int64_t line, const std::string& what)
      : FormatError(file + ":" + std::to_string(line) + ": " + what), m_line(line), m_what(what) {}
  int64_t line() const { return m_line; }
  const std::string& reason() const { return m_what; }

 private:
  int64_t m_line;
  std::string m_what;
};

struct ReadOptions {
  std::string format = "auto";  // auto (by extension and content) | csv | tsv | jsonl | json | text
  bool skipBadRows = false;     // false: the first bad row stops the import with its message
  int64_t maxRows = -1;         // stop after this many good rows (previews); -1 = all
  // Reports the fraction read; a stop asked there throws CancelledError.
  JobContext job;
};

struct DatasetProblem {
  int64_t line = 0;
  std::string message;
};

struct Dataset {
  std::string path;
  std::string fileFormat;  // csv | tsv | jsonl | json | text
  std::string kind;        // alpaca | chat | text | columns
  std::vector<std::string> columns;   // in first-seen order
  std::vector<nlohmann::json> rows;   // JSON objects
  std::vector<int64_t> lines;         // where each row starts in the file
  std::vector<DatasetProblem> problems;  // rows skipped (only with skipBadRows)
  int64_t skipped() const { return static_cast<int64_t>(problems.size()); }
};

// alpaca (instruction + output) | chat (conversations or messages) | text (only "text") | columns
std::string datasetKind(const std::vector<std::string>& columns);

Dataset readDataset(const std::filesystem::path& path, const ReadOptions& options = {});

// Chat turns of a row of kind "chat": ShareGPT {from, value} or {role, content}, roles mapped to
// system/user/assistant. Throws RowError on anything else.
struct ChatTurn {
  std::string role, content;
};
std::vector<ChatTurn> chatTurns(const nlohmann::json& row, const std::string& file, int64_t line);

}  // namespace fm
