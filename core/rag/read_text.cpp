// Plain text and CSV: bytes in any common encoding, decoded with ICU (document.cpp).
#include <algorithm>
#include <cctype>

#include "data/records.h"
#include "rag/document.h"
#include "util/paths.h"

namespace fm::rag {

std::string unixLines(std::string s) {
  if (s.find('\r') == std::string::npos) return s;
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r') {
      out += '\n';
      if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string foldSpaces(const std::string& s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

namespace {

bool blank(const std::string& line) {
  return std::all_of(line.begin(), line.end(), [](char c) { return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r'; });
}

}  // namespace

void addParagraphs(DocumentBuilder& out, const std::string& text, int page, const JobContext& job,
                   const std::map<std::string, int>* headings) {
  std::string para;
  int line = 0, first = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string l = text.substr(pos, nl - pos);
    while (!l.empty() && (l.back() == ' ' || l.back() == '\t')) l.pop_back();
    ++line;
    int level = 0;
    if (headings && !blank(l)) {
      const auto it = headings->find(foldSpaces(l));  // folded, as the heading lines were
      if (it != headings->end()) level = it->second;
    }
    if (level) {
      // A heading line is a block of its own, whatever lines it is set between.
      out.add(para, first, line - 1, page);
      para.clear();
      out.add(l, line, line, page, level);
    } else if (blank(l)) {
      out.add(para, first, line - 1, page);
      para.clear();
    } else {
      if (para.empty()) first = line;
      else para += '\n';
      para += l;
    }
    pos = nl + 1;
    if (line % 4096 == 0) job.checkCancel();
  }
  out.add(para, first, line, page);
}

Document readPlainText(const std::filesystem::path& path, const std::string& bytes, const ReadOptions& options) {
  Document doc;
  const std::string text = unixLines(decodeText(bytes, doc.encoding));
  DocumentBuilder out(doc);
  addParagraphs(out, text, 0, options.job);
  if (doc.blocks.empty()) doc.notes.push_back(utf8(path) + ": the file holds no text");
  return doc;
}

Document readCsv(const std::filesystem::path& path, const std::string& bytes, const ReadOptions& options) {
  Document doc;
  const std::string text = decodeText(bytes, doc.encoding);
  const bool tab = path.extension() == ".tsv" || path.extension() == ".TSV";
  CsvReader reader(tab ? '\t' : ',');
  std::vector<std::string> header;
  DocumentBuilder out(doc);
  int bad = 0;
  auto onRecord = [&](CsvRecord&& r) {
    if (!r.error.empty()) {
      if (++bad <= 3) doc.notes.push_back("line " + std::to_string(r.line) + ": " + r.error);
      return;
    }
    if (header.empty()) {
      header = r.fields;
      return;
    }
    // "column: value" lines, so that a record reads on its own and keyword search finds the
    // column names with the values.
    std::string rec;
    for (size_t i = 0; i < r.fields.size(); ++i) {
      if (r.fields[i].empty()) continue;
      if (!rec.empty()) rec += '\n';
      rec += (i < header.size() && !header[i].empty() ? header[i] : "column " + std::to_string(i + 1)) + ": " +
             r.fields[i];
    }
    const int lines = static_cast<int>(std::count(text.begin() + static_cast<std::ptrdiff_t>(r.begin),
                                                  text.begin() + static_cast<std::ptrdiff_t>(std::min<uint64_t>(r.end, text.size())), '\n'));
    out.add(rec, static_cast<int>(r.line), static_cast<int>(r.line) + std::max(0, lines - 1));
    if (doc.blocks.size() % 1024 == 0) options.job.checkCancel();
  };
  reader.feed(text.data(), text.size(), onRecord);
  reader.finish(onRecord);
  if (bad > 3) doc.notes.push_back(std::to_string(bad) + " records could not be read and were left out");
  if (header.empty()) doc.notes.push_back(utf8(path) + ": the file holds no records");
  return doc;
}

}  // namespace fm::rag
