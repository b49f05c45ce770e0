#include "data/row_index.h"
#include "util/json_text.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "data/dataset.h"
#include "util/error.h"

namespace fm {
namespace fs = std::filesystem;
using nlohmann::json;

struct DatasetPreview::Impl {
  std::string path, format, kind;
  std::vector<std::string> columns;
  // Indexed formats: where each record starts (the last entry is the end of the file).
  std::vector<uint64_t> offsets;
  std::vector<int64_t> lines;
  std::string headerLine;  // CSV/TSV
  // Whole-file formats.
  std::shared_ptr<Dataset> whole;

  std::string cell(const json& v) const {
    if (v.is_null()) return "";
    if (v.is_string()) return v.get<std::string>();
    return v.dump();
  }
};

DatasetPreview::DatasetPreview() : m(std::make_unique<Impl>()) {}
DatasetPreview::~DatasetPreview() = default;
const std::string& DatasetPreview::path() const { return m->path; }
const std::string& DatasetPreview::format() const { return m->format; }
const std::string& DatasetPreview::kind() const { return m->kind; }
const std::vector<std::string>& DatasetPreview::columns() const { return m->columns; }
int64_t DatasetPreview::rows() const {
  return m->whole ? static_cast<int64_t>(m->whole->rows.size()) : static_cast<int64_t>(m->lines.size());
}

namespace {

std::string lowerExt(const fs::path& p) {
  std::string e = p.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return std::tolower(c); });
  return e;
}

// One pass over the file: the start of every record. CSV records may span lines inside quotes;
// JSONL records are lines. Blank lines start no record.
// For CSV the quote rule is parseCsv's: a quote opens only at the start of a field, "" inside
// quotes is a literal quote, and any other quote is a literal character.
bool scanRecords(const fs::path& path, bool csv, char sep, std::vector<uint64_t>& offsets, std::vector<int64_t>& lines,
                 const std::function<bool(double)>& onProgress) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(path.string() + ": cannot open the file");
  const uint64_t size = fs::file_size(path);
  std::vector<char> buf(1 << 20);
  uint64_t pos = 0;
  int64_t line = 1;
  bool inQuote = false, afterQuote = false, fieldStart = true, atRecordStart = true;
  // Skip a UTF-8 byte order mark.
  char bom[3] = {0, 0, 0};
  in.read(bom, 3);
  if (in.gcount() == 3 && static_cast<unsigned char>(bom[0]) == 0xEF && static_cast<unsigned char>(bom[1]) == 0xBB &&
      static_cast<unsigned char>(bom[2]) == 0xBF) {
    pos = 3;
  } else {
    in.clear();
    in.seekg(0);
  }
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const std::streamsize n = in.gcount();
    if (n <= 0) break;
    for (std::streamsize i = 0; i < n; ++i, ++pos) {
      const char c = buf[static_cast<size_t>(i)];
      if (inQuote) {
        if (c == '"') {
          inQuote = false;
          afterQuote = true;
        } else if (c == '\n') {
          ++line;
        }
        continue;
      }
      if (afterQuote && c == '"') {  // "" inside a quoted field
        inQuote = true;
        afterQuote = false;
        continue;
      }
      afterQuote = false;
      if (c == '\n') {
        ++line;
        atRecordStart = true;
        fieldStart = true;
        continue;
      }
      if (atRecordStart) {
        if (c == '\r') continue;  // an empty line (CRLF) starts no record
        offsets.push_back(pos);
        lines.push_back(line);
        atRecordStart = false;
        fieldStart = true;
      }
      if (!csv) continue;
      if (c == sep) {
        fieldStart = true;
      } else if (c == '"' && fieldStart) {
        inQuote = true;
        fieldStart = false;
      } else {
        fieldStart = false;
      }
    }
    if (onProgress && !onProgress(size ? static_cast<double>(pos) / static_cast<double>(size) : 1.0)) return false;
  }
  offsets.push_back(size);
  return true;
}

std::string readSpan(const fs::path& path, uint64_t from, uint64_t to) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(path.string() + ": cannot open the file");
  std::string s(static_cast<size_t>(to - from), '\0');
  in.seekg(static_cast<std::streamoff>(from));
  in.read(s.data(), static_cast<std::streamsize>(s.size()));
  s.resize(static_cast<size_t>(in.gcount()));
  return s;
}

}  // namespace

std::shared_ptr<DatasetPreview> DatasetPreview::open(const fs::path& path, const std::string& format,
                                                     const std::function<bool(double)>& onProgress) {
  if (!fs::exists(path)) throw IoError(path.string() + ": file not found");
  if (fs::is_directory(path)) throw IoError(path.string() + " is a folder; choose a dataset file");
  std::shared_ptr<DatasetPreview> p(new DatasetPreview());
  Impl& m = *p->m;
  m.path = path.string();
  std::string fmt = format;
  if (fmt == "auto") {
    const std::string e = lowerExt(path);
    if (e == ".csv") fmt = "csv";
    else if (e == ".tsv") fmt = "tsv";
    else if (e == ".jsonl" || e == ".ndjson") fmt = "jsonl";
  }
  if (fmt == "csv" || fmt == "tsv") {
    m.format = fmt;
    if (!scanRecords(path, true, fmt == "tsv" ? '\t' : ',', m.offsets, m.lines, onProgress)) return nullptr;
    if (m.lines.empty()) throw FormatError(m.path + ": the file is empty (a CSV file needs a header line)");
    m.headerLine = readSpan(path, m.offsets[0], m.offsets[1]);
    while (!m.headerLine.empty() && (m.headerLine.back() == '\n' || m.headerLine.back() == '\r'))
      m.headerLine.pop_back();
    m.offsets.erase(m.offsets.begin());
    m.lines.erase(m.lines.begin());
    CsvTable t = parseCsv(m.headerLine + "\n", fmt == "tsv" ? '\t' : ',', m.path);
    m.columns = t.header;
    m.kind = datasetKind(m.columns);
    return p;
  }
  if (fmt == "jsonl") {
    m.format = fmt;
    if (!scanRecords(path, false, ',', m.offsets, m.lines, onProgress)) return nullptr;
    // Columns in first-seen order over the first rows.
    const int64_t probe = std::min<int64_t>(200, static_cast<int64_t>(m.lines.size()));
    if (probe > 0) {
      const std::string text = readSpan(path, m.offsets[0], m.offsets[static_cast<size_t>(probe)]);
      for (int64_t i = 0; i < probe; ++i) {
        const size_t a = static_cast<size_t>(m.offsets[static_cast<size_t>(i)] - m.offsets[0]);
        const size_t b = static_cast<size_t>(m.offsets[static_cast<size_t>(i) + 1] - m.offsets[0]);
        const std::string record = text.substr(a, b - a);
        json j = jsonTooDeep(record) ? json(nullptr) : json::parse(record, nullptr, false);
        if (!j.is_object()) continue;
        for (auto it = j.begin(); it != j.end(); ++it)
          if (std::find(m.columns.begin(), m.columns.end(), it.key()) == m.columns.end())
            m.columns.push_back(it.key());
      }
    }
    m.kind = datasetKind(m.columns);
    return p;
  }
  ReadOptions ro;
  ro.format = fmt;
  ro.skipBadRows = true;
  m.whole = std::make_shared<Dataset>(readDataset(path, ro));
  m.format = m.whole->fileFormat;
  m.kind = m.whole->kind;
  m.columns = m.whole->columns;
  if (onProgress) onProgress(1.0);
  return p;
}

std::vector<DatasetPreview::Row> DatasetPreview::read(int64_t first, int64_t count) const {
  std::vector<Row> out;
  const int64_t n = rows();
  first = std::max<int64_t>(0, first);
  count = std::max<int64_t>(0, std::min(count, n - first));
  if (count == 0) return out;
  out.reserve(static_cast<size_t>(count));
  if (m->whole) {
    for (int64_t i = first; i < first + count; ++i) {
      Row r;
      const json& row = m->whole->rows[static_cast<size_t>(i)];
      for (const auto& c : m->columns) r.cells.push_back(row.contains(c) ? m->cell(row[c]) : "");
      r.line = m->whole->lines[static_cast<size_t>(i)];
      out.push_back(std::move(r));
    }
    return out;
  }
  const uint64_t base = m->offsets[static_cast<size_t>(first)];
  const std::string text = readSpan(m->path, base, m->offsets[static_cast<size_t>(first + count)]);
  const char sep = m->format == "tsv" ? '\t' : ',';
  for (int64_t i = first; i < first + count; ++i) {
    const size_t a = static_cast<size_t>(m->offsets[static_cast<size_t>(i)] - base);
    const size_t b = static_cast<size_t>(m->offsets[static_cast<size_t>(i) + 1] - base);
    std::string rec = text.substr(a, b - a);
    Row r;
    r.line = m->lines[static_cast<size_t>(i)];
    r.cells.assign(m->columns.size(), "");
    if (m->format == "jsonl") {
      json j = jsonTooDeep(rec) ? json(json::value_t::discarded) : json::parse(rec, nullptr, false);
      if (j.is_discarded()) {
        r.error = "not valid JSON";
      } else if (!j.is_object()) {
        r.error = "not a JSON object";
      } else {
        for (size_t c = 0; c < m->columns.size(); ++c)
          if (j.contains(m->columns[c])) r.cells[c] = m->cell(j[m->columns[c]]);
      }
    } else {
      std::string bad;
      CsvTable t = parseCsv(m->headerLine + "\n" + rec, sep, m->path,
                            [&](int64_t, const std::string& msg) { bad = msg; });
      if (t.records.size() == 1) {
        for (size_t c = 0; c < m->columns.size() && c < t.records[0].size(); ++c) r.cells[c] = t.records[0][c];
      } else {
        r.error = bad.empty() ? "cannot be read" : bad;
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace fm
