#include "data/row_index.h"
#include "util/json_text.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "data/dataset.h"
#include "data/records.h"
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
  std::map<int64_t, std::string> errors;  // records the reader refused (few), by index
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
                                                     const JobContext& job) {
  if (!fs::exists(path)) throw IoError(path.string() + ": file not found");
  if (fs::is_directory(path)) throw IoError(path.string() + " is a folder; choose a dataset file");
  std::shared_ptr<DatasetPreview> p(new DatasetPreview());
  Impl& m = *p->m;
  m.path = path.string();
  const uint64_t size = fs::file_size(path);
  // The format as the reader decides it (records.h), so preview and training agree.
  const std::string fmt = format == "auto" ? detectDatasetFormat(path, readHead(path, 4096)) : format;
  if (fmt == "csv" || fmt == "tsv") {
    m.format = fmt;
    bool haveHeader = false;
    CsvReader reader(fmt == "tsv" ? '\t' : ',');
    auto onRecord = [&](CsvRecord&& r) {
      if (!haveHeader) {
        if (!r.error.empty()) throw FormatError(m.path + ":" + std::to_string(r.line) + ": the header: " + r.error);
        m.columns = std::move(r.fields);
        haveHeader = true;
        return;
      }
      if (!r.error.empty()) m.errors[static_cast<int64_t>(m.lines.size())] = r.error;
      m.offsets.push_back(r.begin);
      m.lines.push_back(r.line);
    };
    readInPieces(path, job, [&](const char* d, size_t n) {
      reader.feed(d, n, onRecord);
      return true;
    });
    reader.finish(onRecord);
    if (!haveHeader) throw FormatError(m.path + ": the file is empty (a CSV file needs a header line)");
    m.offsets.push_back(size);
    m.kind = datasetKind(m.columns);
    return p;
  }
  if (fmt == "jsonl") {
    m.format = fmt;
    // Records are the lines that hold anything but whitespace, split as readDataset splits them.
    LineSplitter splitter;
    auto onLine = [&](LineSplitter::Line&& l) {
      m.offsets.push_back(l.begin);
      m.lines.push_back(l.line);
    };
    readInPieces(path, job, [&](const char* d, size_t n) {
      splitter.feed(d, n, onLine);
      return true;
    });
    splitter.finish(onLine);
    m.offsets.push_back(size);
    // Columns in the order the first rows use them.
    const int64_t probe = std::min<int64_t>(200, static_cast<int64_t>(m.lines.size()));
    std::vector<std::string> keys;
    if (probe > 0) {
      const std::string text = readSpan(path, m.offsets[0], m.offsets[static_cast<size_t>(probe)]);
      for (int64_t i = 0; i < probe; ++i) {
        const size_t a = static_cast<size_t>(m.offsets[static_cast<size_t>(i)] - m.offsets[0]);
        const size_t b = static_cast<size_t>(m.offsets[static_cast<size_t>(i) + 1] - m.offsets[0]);
        json j;
        if (!parseJsonlRecord(text.substr(a, b - a), j, &keys).empty()) continue;
        for (const auto& k : keys)
          if (std::find(m.columns.begin(), m.columns.end(), k) == m.columns.end()) m.columns.push_back(k);
      }
    }
    m.kind = datasetKind(m.columns);
    return p;
  }
  ReadOptions ro;
  ro.format = fmt;
  ro.skipBadRows = true;
  ro.job = job;
  m.whole = std::make_shared<Dataset>(readDataset(path, ro));
  m.format = m.whole->fileFormat;
  m.kind = m.whole->kind;
  m.columns = m.whole->columns;
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
    if (auto e = m->errors.find(i); e != m->errors.end()) {
      r.error = e->second;
    } else if (m->format == "jsonl") {
      json j;
      r.error = parseJsonlRecord(rec, j, nullptr);
      if (r.error.empty())
        for (size_t c = 0; c < m->columns.size(); ++c)
          if (j.contains(m->columns[c])) r.cells[c] = m->cell(j[m->columns[c]]);
    } else {
      std::vector<CsvRecord> got;
      CsvReader reader(sep, m->offsets[static_cast<size_t>(i)], r.line);
      auto keep = [&](CsvRecord&& x) { got.push_back(std::move(x)); };
      reader.feed(rec.data(), rec.size(), keep);
      reader.finish(keep);
      if (got.empty()) {
        r.error = "cannot be read";
      } else if (!got[0].error.empty()) {
        r.error = got[0].error;
      } else if (got[0].fields.size() != m->columns.size()) {
        r.error = "expected " + std::to_string(m->columns.size()) + " fields (as in the header), found " +
                  std::to_string(got[0].fields.size());
      } else {
        r.cells = std::move(got[0].fields);
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace fm
