// How dataset files split into records: the one reader behind the Datasets preview, fmw stats
// and training, so that all three see the same rows, the same bad records and the same lines.
//
//   fm::CsvReader csv(',');
//   csv.feed(bytes, n, [](fm::CsvRecord&& r) { ... r.fields, r.line, r.begin, r.end, r.error ... });
//   csv.finish(onRecord);
//
// CSV/TSV follow RFC 4180 (quoted fields, "" escapes, newlines inside quotes, CRLF, BOM). A
// quote inside an unquoted field is a literal character (as spreadsheets write it). Two
// mistakes are reported instead of read: text after a closing quote, and a quote that is never
// closed. Either would otherwise swallow the following lines into one field; the bad record is
// reported as its first line and reading resumes on the next line, so a stray quote costs one
// record, never the rest of the file and never a silent merge.
//
// JSON Lines: one record per line that holds anything but whitespace (LineSplitter). Object
// keys keep the order of the file.
//
// Files are read in 1 MiB pieces (readInPieces), reporting the fraction read, so nothing keeps
// the whole text beside the rows and a cancel takes effect within a piece.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "jobs/job.h"

namespace fm {

// csv | tsv | jsonl | json | text, from the extension and, without one, the first bytes.
// Throws UnsupportedError for anything else.
std::string detectDatasetFormat(const std::filesystem::path& path, const std::string& head);

struct CsvRecord {
  std::vector<std::string> fields;
  int64_t line = 0;             // 1-based line where the record starts
  uint64_t begin = 0, end = 0;  // byte range in the input, end past the line break
  std::string error;            // "" for a well-formed record (field counts are the caller's)
};

class CsvReader {
 public:
  using OnRecord = std::function<void(CsvRecord&&)>;
  // `offset` and `line`: where the first fed byte sits in the file (to read a slice of it).
  explicit CsvReader(char sep, uint64_t offset = 0, int64_t line = 1);
  void feed(const char* data, size_t size, const OnRecord& onRecord);
  void finish(const OnRecord& onRecord);

 private:
  void step(char c, const OnRecord& onRecord);
  void drain(const OnRecord& onRecord);
  void endRecord(const OnRecord& onRecord);
  void fail(const std::string& why, const OnRecord& onRecord);

  enum class State { FieldStart, Unquoted, Quoted, QuoteInQuoted, SkipLine };
  char m_sep;
  State m_state = State::FieldStart;
  CsvRecord m_rec;
  std::string m_field, m_raw;  // m_raw: the record's bytes, to resume after a bad one
  std::string m_replay;        // bytes to read again after a bad record
  size_t m_replayPos = 0;
  uint64_t m_pos;
  int64_t m_line;
  bool m_inRecord = false, m_bomChecked = false;
  std::string m_error;       // set while skipping the rest of a bad record's first line
  uint64_t m_skipBegin = 0;
  int64_t m_skipLine = 0;
};

// The rows of one JSON Lines line (already known to hold non-whitespace). Returns "" and sets
// `row` and `keys` (top-level keys in file order), or the reason the line cannot be used.
std::string parseJsonlRecord(const std::string& text, nlohmann::json& row, std::vector<std::string>* keys);

bool isBlankLine(const char* begin, const char* end);

// The lines of JSON Lines input that hold anything but whitespace, with a UTF-8 byte order
// mark at the start of the file left out of the first line and its byte range.
class LineSplitter {
 public:
  struct Line {
    std::string text;             // without the line break
    int64_t line = 0;             // 1-based
    uint64_t begin = 0, end = 0;  // byte range in the file, end past the line break
  };
  using OnLine = std::function<void(Line&&)>;
  void feed(const char* data, size_t size, const OnLine& onLine);
  void finish(const OnLine& onLine);

 private:
  void emit(uint64_t end, const OnLine& onLine);
  std::string m_text;
  uint64_t m_pos = 0, m_begin = 0;
  int64_t m_line = 1;
};

// Reads `path` in 1 MiB pieces for `consume(data, size)`, which returns false to stop early,
// reporting the fraction read to `job` (a stop asked there throws CancelledError).
// Throws IoError naming the file when it cannot be read.
void readInPieces(const std::filesystem::path& path, const JobContext& job,
                  const std::function<bool(const char* data, size_t size)>& consume);

// The first `bytes` of the file (format detection, header probes).
std::string readHead(const std::filesystem::path& path, size_t bytes);

}  // namespace fm
