#include "data/records.h"

#include <algorithm>
#include <fstream>
#include <cstring>

#include "util/error.h"
#include "util/utf8.h"
#include "util/json_text.h"

namespace fm {
namespace fs = std::filesystem;
using nlohmann::json;

std::string detectDatasetFormat(const fs::path& path, const std::string& head) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  if (ext == ".csv") return "csv";
  if (ext == ".tsv") return "tsv";
  if (ext == ".jsonl" || ext == ".ndjson") return "jsonl";
  if (ext == ".txt" || ext == ".md") return "text";
  size_t i = head.find_first_not_of(" \t\r\n");
  if (i != std::string::npos && head.compare(i, 3, "\xEF\xBB\xBF") == 0) i = head.find_first_not_of(" \t\r\n", i + 3);
  const char first = i == std::string::npos ? '\0' : head[i];
  if (ext == ".json") {
    // An object on its first line alone is JSON Lines; anything else is one JSON document.
    if (first != '{') return "json";
    const size_t eol = head.find('\n', i);
    return json::accept(head.substr(i, eol == std::string::npos ? std::string::npos : eol - i)) ? "jsonl" : "json";
  }
  if (first == '[') return "json";
  if (first == '{') return "jsonl";
  throw UnsupportedError(path.string() + ": unknown dataset format \"" + ext +
                         "\" (use .csv, .tsv, .jsonl, .json or .txt)");
}

bool isBlankLine(const char* begin, const char* end) {
  for (const char* p = begin; p < end; ++p)
    if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') return false;
  return true;
}

void LineSplitter::emit(uint64_t end, const OnLine& onLine) {
  if (m_line == 1 && m_begin == 0 && m_text.compare(0, 3, "\xEF\xBB\xBF") == 0) {
    m_text.erase(0, 3);  // a byte order mark is not part of the first record
    m_begin = 3;
  }
  if (!m_text.empty() && m_text.back() == '\r') m_text.pop_back();
  if (!isBlankLine(m_text.data(), m_text.data() + m_text.size())) {
    Line l;
    l.text = std::move(m_text);
    l.line = m_line;
    l.begin = m_begin;
    l.end = end;
    onLine(std::move(l));
  }
  m_text.clear();
}

void LineSplitter::feed(const char* data, size_t size, const OnLine& onLine) {
  size_t i = 0;
  while (i < size) {
    const char* nl = static_cast<const char*>(std::memchr(data + i, '\n', size - i));
    const size_t stop = nl ? static_cast<size_t>(nl - data) : size;
    m_text.append(data + i, stop - i);
    m_pos += stop - i;
    i = stop;
    if (!nl) break;
    ++i;
    ++m_pos;
    emit(m_pos, onLine);
    ++m_line;
    m_begin = m_pos;
  }
}

void LineSplitter::finish(const OnLine& onLine) {
  if (m_pos > m_begin) emit(m_pos, onLine);
}

void readInPieces(const fs::path& path, const JobContext& job, const std::function<bool(const char*, size_t)>& consume) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(path.string() + ": cannot be opened for reading");
  std::error_code ec;
  const uint64_t size = fs::file_size(path, ec);
  std::vector<char> buf(1 << 20);
  uint64_t done = 0;
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const size_t n = static_cast<size_t>(in.gcount());
    if (n == 0) break;
    if (!consume(buf.data(), n)) return;
    done += n;
    job.report(size ? static_cast<double>(std::min(done, size)) / static_cast<double>(size) : 1.0, "reading the data");
  }
  if (in.bad()) throw IoError(path.string() + ": reading failed after " + std::to_string(done) + " bytes");
}

std::string readHead(const fs::path& path, size_t bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(path.string() + ": cannot be opened for reading");
  std::string s(bytes, '\0');
  in.read(s.data(), static_cast<std::streamsize>(s.size()));
  s.resize(static_cast<size_t>(in.gcount()));
  return s;
}

CsvReader::CsvReader(char sep, uint64_t offset, int64_t line) : m_sep(sep), m_pos(offset), m_line(line) {}

void CsvReader::feed(const char* data, size_t size, const OnRecord& onRecord) {
  size_t i = 0;
  if (!m_bomChecked) {
    // A UTF-8 byte order mark before the header is not part of it.
    if (m_pos == 0 && size >= 3 && static_cast<unsigned char>(data[0]) == 0xEF &&
        static_cast<unsigned char>(data[1]) == 0xBB && static_cast<unsigned char>(data[2]) == 0xBF) {
      i = 3;
      m_pos = 3;
    }
    m_bomChecked = true;
  }
  for (; i < size; ++i) {
    step(data[i], onRecord);
    drain(onRecord);
  }
}

void CsvReader::drain(const OnRecord& onRecord) {
  while (m_replayPos < m_replay.size()) step(m_replay[m_replayPos++], onRecord);
  m_replay.clear();
  m_replayPos = 0;
}

void CsvReader::step(char c, const OnRecord& onRecord) {
  if (m_state == State::SkipLine) {
    ++m_pos;
    if (c == '\n') {
      CsvRecord bad;
      bad.line = m_skipLine;
      bad.begin = m_skipBegin;
      bad.end = m_pos;
      bad.error = m_error;
      ++m_line;
      m_state = State::FieldStart;
      onRecord(std::move(bad));
    }
    return;
  }
  if (!m_inRecord) {
    if (c == '\n' || c == '\r') {  // blank lines start no record
      ++m_pos;
      if (c == '\n') ++m_line;
      return;
    }
    m_inRecord = true;
    m_rec = CsvRecord();
    m_rec.line = m_line;
    m_rec.begin = m_pos;
    m_raw.clear();
  }
  m_raw += c;
  ++m_pos;
  switch (m_state) {
    case State::FieldStart:
      if (c == '"') {
        m_state = State::Quoted;
        return;
      }
      m_state = State::Unquoted;
      [[fallthrough]];
    case State::Unquoted:
      if (c == m_sep) {
        m_rec.fields.push_back(std::move(m_field));
        m_field.clear();
        m_state = State::FieldStart;
      } else if (c == '\n') {
        if (!m_field.empty() && m_field.back() == '\r') m_field.pop_back();
        ++m_line;
        endRecord(onRecord);
      } else {
        m_field += c;
      }
      return;
    case State::Quoted:
      if (c == '"') {
        m_state = State::QuoteInQuoted;
      } else {
        if (c == '\n') ++m_line;
        m_field += c;
      }
      return;
    case State::QuoteInQuoted:
      if (c == '"') {  // "" is a literal quote
        m_field += '"';
        m_state = State::Quoted;
      } else if (c == m_sep) {
        m_rec.fields.push_back(std::move(m_field));
        m_field.clear();
        m_state = State::FieldStart;
      } else if (c == '\n') {
        ++m_line;
        endRecord(onRecord);
      } else if (c == '\r') {
        // CRLF after a closing quote: the \n ends the record.
      } else {
        fail(std::string("text after the closing quote of field ") + std::to_string(m_rec.fields.size() + 1) +
                 " (a quote inside a quoted field is written \"\")",
             onRecord);
      }
      return;
    case State::SkipLine:
      return;
  }
}

void CsvReader::endRecord(const OnRecord& onRecord) {
  m_rec.fields.push_back(std::move(m_field));
  m_field.clear();
  m_rec.end = m_pos;
  m_inRecord = false;
  m_state = State::FieldStart;
  if (m_rec.error.empty())
    for (size_t i = 0; i < m_rec.fields.size(); ++i)
      if (!isUtf8(m_rec.fields[i])) {
        m_rec.error = "field " + std::to_string(i + 1) +
                      " is not UTF-8 text (a legacy encoding such as Latin-1 or CP949?); save the file as UTF-8";
        break;
      }
  onRecord(std::move(m_rec));
}

// A quoting mistake: the record is its first line, reported bad, and reading starts again on
// the line after it with what was already consumed.
void CsvReader::fail(const std::string& why, const OnRecord& onRecord) {
  const std::string raw = std::move(m_raw);
  const uint64_t begin = m_rec.begin;
  const int64_t line = m_rec.line;
  m_inRecord = false;
  m_field.clear();
  const size_t nl = raw.find('\n');
  if (nl == std::string::npos) {
    // Still on the first line: skip to its end.
    m_state = State::SkipLine;
    m_error = why;
    m_skipBegin = begin;
    m_skipLine = line;
    return;
  }
  CsvRecord bad;
  bad.line = line;
  bad.begin = begin;
  bad.end = begin + nl + 1;
  bad.error = why;
  onRecord(std::move(bad));
  m_state = State::FieldStart;
  m_pos = begin + nl + 1;
  m_line = line + 1;
  // Read the rest again (before anything not yet read), without recursing.
  m_replay = raw.substr(nl + 1) + m_replay.substr(m_replayPos);
  m_replayPos = 0;
}

void CsvReader::finish(const OnRecord& onRecord) {
  for (;;) {
    if (m_state == State::SkipLine) step('\n', onRecord);
    if (!m_inRecord) return;
    if (m_state != State::Quoted) break;
    // The rest of the file sits inside one quoted field: report its first line, read on.
    fail("a quoted field is never closed (missing \")", onRecord);
    drain(onRecord);
  }
  if (!m_field.empty() && m_field.back() == '\r') m_field.pop_back();
  endRecord(onRecord);
}

namespace {

// Collects the top-level keys of an object in the order they appear.
struct KeyOrder : nlohmann::json_sax<json> {
  std::vector<std::string>* keys;
  int depth = 0;
  explicit KeyOrder(std::vector<std::string>* k) : keys(k) {}
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return ++depth, true; }
  bool key(string_t& k) override {
    if (depth == 1 && std::find(keys->begin(), keys->end(), k) == keys->end()) keys->push_back(k);
    return true;
  }
  bool end_object() override { return --depth, true; }
  bool start_array(std::size_t) override { return ++depth, true; }
  bool end_array() override { return --depth, true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }
};

}  // namespace

std::string parseJsonlRecord(const std::string& text, json& row, std::vector<std::string>* keys) {
  if (jsonTooDeep(text)) return "JSON nests deeper than " + std::to_string(kMaxJsonDepth) + " levels";
  try {
    row = json::parse(text);
  } catch (const json::exception& e) {  // syntax, or a number out of range (1e999)
    const std::string what = e.what();
    const size_t at = what.find("] ");
    return "not valid JSON (" + (at == std::string::npos ? what : what.substr(at + 2)) + ")";
  }
  if (!row.is_object()) return "expected a JSON object {...}, found " + std::string(row.type_name());
  if (keys) {
    keys->clear();
    KeyOrder sax(keys);
    json::sax_parse(text, &sax);
  }
  return std::string();
}

}  // namespace fm
