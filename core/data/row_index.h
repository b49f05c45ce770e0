// Paged, random access to a dataset file for previews of any size.
//
//   auto p = fm::DatasetPreview::open("big.csv", "auto", [](double f) { return !cancelled; });
//   p->rows();                       // one scan of the file, then no more reading ahead
//   auto page = p->read(5000, 100);  // rows 5000..5099, parsed on demand
//
// CSV, TSV and JSONL files are indexed (the byte offset and line of each record, 16 bytes a
// row) and read page by page, so a million-row file costs a scan and ~16 MB. JSON arrays and
// text files are read whole (they are parsed as one document anyway).
//
// Thread safety: after open(), read() may be called from any thread; each call opens the file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "jobs/job.h"

namespace fm {

struct Dataset;

class DatasetPreview {
 public:
  struct Row {
    std::vector<std::string> cells;  // one per column; "" for missing
    int64_t line = 0;                // 1-based line where the record starts
    std::string error;               // why the record cannot be used ("" when fine)
  };

  // Reports the scan to `job`; a stop asked there throws CancelledError.
  // Throws IoError / UnsupportedError / FormatError naming the file.
  static std::shared_ptr<DatasetPreview> open(const std::filesystem::path& path, const std::string& format,
                                              const JobContext& job = {});
  ~DatasetPreview();

  const std::string& path() const;
  const std::string& format() const;  // csv | tsv | jsonl | json | text
  const std::string& kind() const;    // alpaca | chat | text | columns
  const std::vector<std::string>& columns() const;
  int64_t rows() const;
  std::vector<Row> read(int64_t first, int64_t count) const;

 private:
  DatasetPreview();
  struct Impl;
  std::unique_ptr<Impl> m;
};

}  // namespace fm
