#include "data/dataset.h"
#include "util/json_text.h"

#include <algorithm>
#include <functional>
#include <set>

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

std::string detectFormat(const fs::path& path, const std::string& text) {
  const std::string ext = lower(path.extension().string());
  if (ext == ".csv") return "csv";
  if (ext == ".tsv") return "tsv";
  if (ext == ".jsonl" || ext == ".ndjson") return "jsonl";
  if (ext == ".txt" || ext == ".md") return "text";
  size_t i = text.find_first_not_of(" \t\r\n");
  if (ext == ".json") return i != std::string::npos && text[i] == '[' ? "json" : "jsonl";
  if (i != std::string::npos && text[i] == '[') return "json";
  if (i != std::string::npos && text[i] == '{') return "jsonl";
  throw UnsupportedError(path.string() + ": unknown dataset format \"" + ext +
                         "\" (use .csv, .tsv, .jsonl, .json or .txt)");
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

CsvTable parseCsv(const std::string& input, char sep, const std::string& fileName,
                  const std::function<void(int64_t, const std::string&)>& onBad) {
  std::string text = input;
  stripBom(text);
  CsvTable t;
  std::vector<std::string> rec;
  std::string field;
  int64_t line = 1, recLine = 1;
  bool quoted = false, wasQuoted = false, any = false;
  auto bad = [&](int64_t at, const std::string& msg) {
    if (onBad) onBad(at, msg);
    else throw RowError(fileName, at, msg);
  };
  auto endRecord = [&]() {
    rec.push_back(std::move(field));
    field.clear();
    const bool blank = rec.size() == 1 && rec[0].empty() && !wasQuoted;
    if (!blank) {
      if (t.header.empty() && t.records.empty() && !any) {
        t.header = std::move(rec);
        any = true;
      } else if (rec.size() != t.header.size()) {
        bad(recLine, "expected " + std::to_string(t.header.size()) + " fields (as in the header), found " +
                         std::to_string(rec.size()));
      } else {
        t.records.push_back(std::move(rec));
        t.lines.push_back(recLine);
      }
    }
    rec.clear();
    wasQuoted = false;
  };
  const size_t n = text.size();
  for (size_t i = 0; i < n; ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < n && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"') {
      if (!field.empty()) {
        // A quote inside an unquoted field: RFC 4180 forbids it; keep it literally (as Excel does).
        field += c;
      } else {
        quoted = wasQuoted = true;
      }
    } else if (c == sep) {
      rec.push_back(std::move(field));
      field.clear();
    } else if (c == '\r' && i + 1 < n && text[i + 1] == '\n') {
      continue;
    } else if (c == '\n') {
      endRecord();
      ++line;
      recLine = line;
    } else {
      field += c;
    }
  }
  if (quoted) {
    // The rest of the file is inside one quoted field: report where it opened.
    bad(recLine, "a quoted field is never closed (missing \")");
    rec.clear();
    field.clear();
    return t;
  }
  if (!field.empty() || !rec.empty()) endRecord();
  if (t.header.empty()) throw FormatError(fileName + ": the file is empty (no header row)");
  std::set<std::string> seen;
  for (const auto& h : t.header) {
    if (h.empty()) throw FormatError(fileName + ":1: the header has an empty column name");
    if (!seen.insert(h).second) throw FormatError(fileName + ":1: the header repeats the column \"" + h + "\"");
  }
  return t;
}

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
  std::string text = readFile(path);
  stripBom(text);
  Dataset ds;
  ds.path = path.string();
  ds.fileFormat = opt.format == "auto" ? detectFormat(path, text) : opt.format;
  const std::string file = path.filename().string();
  std::set<std::string> colSet;
  auto addRow = [&](json row, int64_t line) {
    for (auto it = row.begin(); it != row.end(); ++it)
      if (colSet.insert(it.key()).second) ds.columns.push_back(it.key());
    ds.rows.push_back(std::move(row));
    ds.lines.push_back(line);
  };
  auto full = [&]() { return opt.maxRows >= 0 && static_cast<int64_t>(ds.rows.size()) >= opt.maxRows; };
  auto onBad = [&](int64_t line, const std::string& msg) {
    if (!opt.skipBadRows) throw RowError(file, line, msg);
    ds.problems.push_back({line, msg});
  };

  if (ds.fileFormat == "csv" || ds.fileFormat == "tsv") {
    CsvTable t = parseCsv(text, ds.fileFormat == "csv" ? ',' : '\t', file, onBad);
    ds.columns = t.header;
    colSet.insert(t.header.begin(), t.header.end());
    for (size_t i = 0; i < t.records.size() && !full(); ++i) {
      json row = json::object();
      for (size_t c = 0; c < t.header.size(); ++c) row[t.header[c]] = t.records[i][c];
      ds.rows.push_back(std::move(row));
      ds.lines.push_back(t.lines[i]);
    }
  } else if (ds.fileFormat == "jsonl") {
    size_t pos = 0;
    int64_t line = 0;
    while (pos < text.size() && !full()) {
      size_t end = text.find('\n', pos);
      if (end == std::string::npos) end = text.size();
      ++line;
      std::string l = text.substr(pos, end - pos);
      pos = end + 1;
      if (!l.empty() && l.back() == '\r') l.pop_back();
      if (l.find_first_not_of(" \t") == std::string::npos) continue;
      json row;
      if (jsonTooDeep(l)) {
        onBad(line, "JSON nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
        continue;
      }
      try {
        row = json::parse(l);
      } catch (const json::parse_error& e) {
        onBad(line, "not valid JSON (" + std::string(e.what()).substr(std::string(e.what()).find(']') + 2) + ")");
        continue;
      }
      if (!row.is_object()) {
        onBad(line, "expected a JSON object {...}, found " + std::string(row.type_name()));
        continue;
      }
      addRow(std::move(row), line);
    }
  } else if (ds.fileFormat == "json") {
    json arr;
    if (jsonTooDeep(text))
      throw FormatError(file + ": JSON nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    try {
      arr = json::parse(text);
    } catch (const json::parse_error& e) {
      throw FormatError(file + ":" + std::to_string(lineOf(text, e.byte)) + ": not valid JSON (" +
                        std::string(e.what()).substr(std::string(e.what()).find(']') + 2) + ")");
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
