#include "data/dataset.h"
#include "util/json_text.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <set>

#include "data/records.h"
#include "util/utf8.h"
#include "jobs/cancelled.h"
#include "io/atomic_file.h"

namespace fm {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

void stripBom(std::string& text) {
  if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF &&
      static_cast<unsigned char>(text[1]) == 0xBB && static_cast<unsigned char>(text[2]) == 0xBF)
    text.erase(0, 3);
}

}  // namespace

std::string datasetKind(const std::vector<std::string>& columns) {
  std::set<std::string> c(columns.begin(), columns.end());
  if (c.count("instruction") && c.count("output")) return "alpaca";
  if (c.count("conversations") || c.count("messages")) return "chat";
  if (c.size() == 1 && c.count("text")) return "text";
  return "columns";
}

namespace {

// 1-based line of a byte offset.
int64_t lineOf(const std::string& text, size_t offset) {
  return 1 + std::count(text.begin(), text.begin() + std::min(offset, text.size()), '\n');
}

}  // namespace

std::vector<ChatTurn> chatTurns(const json& row, const std::string& file, int64_t line) {
  const json* conv = nullptr;
  if (row.contains("messages")) conv = &row["messages"];
  else if (row.contains("conversations")) conv = &row["conversations"];
  if (!conv || !conv->is_array() || conv->empty())
    throw RowError(file, line, "\"messages\"/\"conversations\" must be a non-empty list of turns");
  std::vector<ChatTurn> out;
  for (const auto& m : *conv) {
    if (!m.is_object()) throw RowError(file, line, "a chat turn is not an object");
    std::string role, content;
    if (m.contains("role") && m["role"].is_string()) role = m["role"].get<std::string>();
    else if (m.contains("from") && m["from"].is_string()) role = m["from"].get<std::string>();
    if (m.contains("content") && m["content"].is_string()) content = m["content"].get<std::string>();
    else if (m.contains("value") && m["value"].is_string()) content = m["value"].get<std::string>();
    else throw RowError(file, line, "a chat turn has no text (\"content\" or \"value\")");
    const std::string r = lower(role);
    if (r == "system") role = "system";
    else if (r == "user" || r == "human") role = "user";
    else if (r == "assistant" || r == "gpt" || r == "bot" || r == "model") role = "assistant";
    else throw RowError(file, line, "unknown chat role \"" + role + "\" (system, user/human, assistant/gpt)");
    out.push_back({role, content});
  }
  return out;
}

Dataset readDataset(const fs::path& path, const ReadOptions& opt) {
  if (!fs::exists(path)) throw IoError(path.string() + ": file not found");
  if (fs::is_directory(path)) throw IoError(path.string() + ": is a folder, not a dataset file");
  const std::string head = readHead(path, 4096);
  Dataset ds;
  ds.path = path.string();
  ds.fileFormat = opt.format == "auto" ? detectDatasetFormat(path, head) : opt.format;
  const std::string file = path.filename().string();
  std::set<std::string> colSet;
  auto addColumn = [&](const std::string& c) {
    if (colSet.insert(c).second) ds.columns.push_back(c);
  };
  auto addRow = [&](json row, int64_t line) {
    for (auto it = row.begin(); it != row.end(); ++it) addColumn(it.key());
    ds.rows.push_back(std::move(row));
    ds.lines.push_back(line);
  };
  auto full = [&]() { return opt.maxRows >= 0 && static_cast<int64_t>(ds.rows.size()) >= opt.maxRows; };
  auto onBad = [&](int64_t line, const std::string& msg) {
    if (!opt.skipBadRows) throw RowError(file, line, msg);
    ds.problems.push_back({line, msg});
  };
  // Large files are read in pieces (records.h): progress is reported (and a cancel honoured)
  // per piece, and only the rows are kept, never the whole text beside them.

  if (ds.fileFormat == "csv" || ds.fileFormat == "tsv") {
    std::vector<std::string> header;
    bool haveHeader = false;
    CsvReader reader(ds.fileFormat == "csv" ? ',' : '\t');
    auto onRecord = [&](CsvRecord&& r) {
      if (full()) return;
      if (!haveHeader) {
        if (!r.error.empty()) throw FormatError(file + ":" + std::to_string(r.line) + ": the header: " + r.error);
        std::set<std::string> seen;
        for (const auto& h : r.fields) {
          if (h.empty()) throw FormatError(file + ":" + std::to_string(r.line) + ": the header has an empty column name");
          if (!seen.insert(h).second)
            throw FormatError(file + ":" + std::to_string(r.line) + ": the header repeats the column \"" + h + "\"");
        }
        header = std::move(r.fields);
        for (const auto& h : header) addColumn(h);
        haveHeader = true;
        return;
      }
      if (!r.error.empty()) return onBad(r.line, r.error);
      if (r.fields.size() != header.size())
        return onBad(r.line, "expected " + std::to_string(header.size()) + " fields (as in the header), found " +
                                 std::to_string(r.fields.size()));
      json row = json::object();
      for (size_t c = 0; c < header.size(); ++c) row[header[c]] = std::move(r.fields[c]);
      ds.rows.push_back(std::move(row));
      ds.lines.push_back(r.line);
    };
    readInPieces(path, opt.job, [&](const char* d, size_t n) {
      reader.feed(d, n, onRecord);
      return !full();
    });
    if (!full()) reader.finish(onRecord);
    if (!haveHeader) throw FormatError(file + ": the file is empty (no header row)");
  } else if (ds.fileFormat == "jsonl") {
    std::vector<std::string> keys;
    LineSplitter lines;
    auto onLine = [&](LineSplitter::Line&& l) {
      if (full()) return;
      json row;
      const std::string bad = parseJsonlRecord(l.text, row, &keys);
      if (!bad.empty()) return onBad(l.line, bad);
      for (const auto& k : keys) addColumn(k);  // the file's order, not the object's sorted one
      ds.rows.push_back(std::move(row));
      ds.lines.push_back(l.line);
    };
    readInPieces(path, opt.job, [&](const char* d, size_t n) {
      lines.feed(d, n, onLine);
      return !full();
    });
    if (!full()) lines.finish(onLine);
  } else if (ds.fileFormat == "json") {
    std::string text = readFile(path);
    stripBom(text);
    json arr;
    if (jsonTooDeep(text))
      throw FormatError(file + ": JSON nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    try {
      arr = json::parse(text);
    } catch (const json::parse_error& e) {
      throw FormatError(file + ":" + std::to_string(lineOf(text, e.byte)) + ": not valid JSON (" +
                        std::string(e.what()).substr(std::string(e.what()).find(']') + 2) + ")");
    } catch (const json::exception& e) {  // a number out of range (1e999)
      throw FormatError(file + ": not valid JSON (" + std::string(e.what()).substr(std::string(e.what()).find(']') + 2) +
                        ")");
    }
    if (arr.is_object() && arr.size() == 1 && arr.begin()->is_array()) arr = *arr.begin();  // {"data": [...]}
    if (!arr.is_array()) throw FormatError(file + ": expected a JSON array of records");
    int64_t rec = 0;
    for (auto& row : arr) {
      if (full()) break;
      ++rec;
      if (!row.is_object()) {
        onBad(rec, "record " + std::to_string(rec) + " is not a JSON object");
        continue;
      }
      addRow(std::move(row), rec);
    }
  } else if (ds.fileFormat == "text") {
    std::string text = readFile(path);
    stripBom(text);
    if (!isUtf8(text))
      throw FormatError(file + ": not UTF-8 text (a legacy encoding such as Latin-1 or CP949?); save it as UTF-8");
    // One row per paragraph (blank-line separated).
    size_t pos = 0;
    int64_t line = 1, start = 1;
    std::string para;
    auto flush = [&]() {
      if (para.find_first_not_of(" \t\r\n") != std::string::npos && !full())
        addRow(json{{"text", para}}, start);
      para.clear();
    };
    while (pos <= text.size()) {
      size_t end = text.find('\n', pos);
      if (end == std::string::npos) end = text.size();
      std::string l = text.substr(pos, end - pos);
      if (!l.empty() && l.back() == '\r') l.pop_back();
      if (l.find_first_not_of(" \t") == std::string::npos) {
        flush();
        start = line + 1;
      } else {
        if (para.empty()) start = line;
        para += (para.empty() ? "" : "\n") + l;
      }
      pos = end + 1;
      ++line;
    }
    flush();
    if (ds.columns.empty()) ds.columns = {"text"};
  } else {
    throw UnsupportedError(file + ": unknown dataset format \"" + ds.fileFormat +
                           "\" (csv, tsv, jsonl, json, text)");
  }
  if (ds.rows.empty())
    throw FormatError(file + ": no usable rows" +
                      (ds.problems.empty() ? std::string()
                                           : " (" + std::to_string(ds.problems.size()) +
                                                 " skipped; first: line " +
                                                 std::to_string(ds.problems[0].line) + ": " +
                                                 ds.problems[0].message + ")"));
  ds.kind = datasetKind(ds.columns);
  return ds;
}

}  // namespace fm
