#include "rag/document.h"

#include <unicode/ucnv.h>
#include <unicode/ucsdet.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <memory>

#include "util/paths.h"
#include "util/utf8.h"

namespace fm::rag {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return s.substr(a, b - a);
}

std::string readBytes(const std::filesystem::path& path, uint64_t maxBytes) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw IoError(utf8(path) + ": cannot be read (" + ec.message() + ")");
  if (size > maxBytes)
    throw ResourceError(utf8(path) + ": the file is " + std::to_string(size >> 20) + " MB; documents over " +
                        std::to_string(maxBytes >> 20) + " MB are not read");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(utf8(path) + ": cannot be opened");
  std::string bytes(static_cast<size_t>(size), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  if (static_cast<uint64_t>(in.gcount()) != size) throw IoError(utf8(path) + ": could not be read to the end");
  return bytes;
}

// Converts with ICU; counts the characters that had no mapping (U+FFFD). A charset ICU does
// not know counts every byte as replaced.
std::string convert(const std::string& bytes, const char* charset, size_t& replaced) {
  UErrorCode status = U_ZERO_ERROR;
  UConverter* known = ucnv_open(charset, &status);
  if (U_FAILURE(status) || !known) {
    replaced = bytes.size() + 1;
    return {};
  }
  ucnv_close(known);
  icu::UnicodeString u(bytes.data(), static_cast<int32_t>(bytes.size()), charset);
  replaced = 0;
  for (int32_t i = 0; i < u.length(); ++i)
    if (u.charAt(i) == 0xFFFD) ++replaced;
  std::string out;
  u.toUTF8String(out);
  return out;
}

// UTF-16 without a BOM: text in Latin or Hangul scripts has a zero (or a constant) in every
// other byte; plain 8-bit text almost never has NUL bytes.
const char* utf16WithoutBom(const std::string& b) {
  const size_t n = std::min<size_t>(b.size(), 4096) & ~size_t{1};
  if (n < 4) return nullptr;
  size_t zeroEven = 0, zeroOdd = 0;
  for (size_t i = 0; i < n; i += 2) {
    zeroEven += b[i] == '\0';
    zeroOdd += b[i + 1] == '\0';
  }
  const size_t pairs = n / 2;
  if (zeroOdd * 10 >= pairs * 3 && zeroEven * 20 < pairs) return "UTF-16LE";
  if (zeroEven * 10 >= pairs * 3 && zeroOdd * 20 < pairs) return "UTF-16BE";
  return nullptr;
}

// ICU's name for a charset it detected or a file declared, mapped to the converter to read it
// with: Korean text labelled EUC-KR is often CP949 (its superset), Latin-1 often Windows-1252.
std::pair<std::string, std::string> readerFor(std::string name) {
  const std::string l = lower(name);
  if (l == "euc-kr" || l == "ks_c_5601-1987" || l == "cp949" || l == "windows-949" || l == "uhc")
    return {"windows-949", "CP949 (EUC-KR)"};
  if (l == "iso-8859-1" || l == "latin1" || l == "windows-1252" || l == "us-ascii")
    return {"windows-1252", l == "windows-1252" ? "Windows-1252" : "Latin-1 (ISO-8859-1)"};
  return {name, name};
}

}  // namespace

std::string decodeText(const std::string& bytes, std::string& encoding, const std::string& declared) {
  auto starts = [&](const char* bom, size_t n) { return bytes.size() >= n && bytes.compare(0, n, bom, n) == 0; };
  size_t replaced = 0;
  if (starts("\xEF\xBB\xBF", 3)) {
    encoding = "UTF-8 with BOM";
    std::string rest = bytes.substr(3);
    if (isUtf8(rest)) return rest;
    return convert(rest, "UTF-8", replaced);
  }
  if (starts("\xFF\xFE\0\0", 4)) {
    encoding = "UTF-32LE";
    return convert(bytes.substr(4), "UTF-32LE", replaced);
  }
  if (starts("\xFF\xFE", 2)) {
    encoding = "UTF-16LE";
    return convert(bytes.substr(2), "UTF-16LE", replaced);
  }
  if (starts("\xFE\xFF", 2)) {
    encoding = "UTF-16BE";
    return convert(bytes.substr(2), "UTF-16BE", replaced);
  }
  if (const char* wide = utf16WithoutBom(bytes)) {
    encoding = wide;
    return convert(bytes, wide, replaced);
  }
  if (isUtf8(bytes)) {
    encoding = "UTF-8";
    return bytes;
  }
  // A charset the file names itself comes first, when it reads the bytes cleanly.
  if (!declared.empty() && lower(declared) != "utf-8" && lower(declared) != "utf8") {
    const auto [reader, name] = readerFor(declared);
    std::string out = convert(bytes, reader.c_str(), replaced);
    if (replaced * 200 <= bytes.size()) {
      encoding = name;
      return out;
    }
  }
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UCharsetDetector, decltype(&ucsdet_close)> det(ucsdet_open(&status), &ucsdet_close);
  std::vector<std::string> candidates;
  if (U_SUCCESS(status)) {
    ucsdet_setText(det.get(), bytes.data(), static_cast<int32_t>(std::min<size_t>(bytes.size(), 1 << 20)), &status);
    int32_t found = 0;
    const UCharsetMatch** matches = ucsdet_detectAll(det.get(), &found, &status);
    for (int32_t i = 0; U_SUCCESS(status) && i < found; ++i) {
      UErrorCode s2 = U_ZERO_ERROR;
      const char* name = ucsdet_getName(matches[i], &s2);
      if (U_SUCCESS(s2) && name && lower(name).rfind("utf", 0) != 0) candidates.emplace_back(name);
    }
  }
  candidates.emplace_back("windows-1252");  // reads any byte; the last resort
  std::string best, bestName;
  size_t bestReplaced = SIZE_MAX;
  for (const std::string& c : candidates) {
    const auto [reader, name] = readerFor(c);
    std::string out = convert(bytes, reader.c_str(), replaced);
    if (replaced < bestReplaced) {
      best = std::move(out);
      bestName = name;
      bestReplaced = replaced;
    }
    if (replaced == 0) break;
  }
  encoding = bestName;
  return best;
}

namespace {

void appendUtf8(std::string& out, uint32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

std::string decodeEntity(const std::string& e) {
  if (e.size() < 3 || e.front() != '&' || e.back() != ';') return e;
  const std::string body = e.substr(1, e.size() - 2);
  std::string out;
  if (body[0] == '#') {
    const bool hex = body.size() > 1 && (body[1] == 'x' || body[1] == 'X');
    const std::string digits = body.substr(hex ? 2 : 1);
    if (digits.empty() || digits.size() > 7) return e;
    for (char c : digits)
      if (!(hex ? std::isxdigit(static_cast<unsigned char>(c)) : std::isdigit(static_cast<unsigned char>(c)))) return e;
    appendUtf8(out, static_cast<uint32_t>(std::stoul(digits, nullptr, hex ? 16 : 10)));
    return out;
  }
  static const std::pair<const char*, uint32_t> named[] = {
      {"amp", '&'},       {"lt", '<'},        {"gt", '>'},        {"quot", '"'},      {"apos", '\''},
      {"nbsp", 0xA0},     {"copy", 0xA9},     {"reg", 0xAE},      {"trade", 0x2122},  {"hellip", 0x2026},
      {"mdash", 0x2014},  {"ndash", 0x2013},  {"lsquo", 0x2018},  {"rsquo", 0x2019},  {"ldquo", 0x201C},
      {"rdquo", 0x201D},  {"middot", 0xB7},   {"bull", 0x2022},   {"deg", 0xB0},      {"euro", 0x20AC},
      {"times", 0xD7},    {"laquo", 0xAB},    {"raquo", 0xBB},    {"sect", 0xA7},     {"para", 0xB6}};
  for (const auto& [name, cp] : named)
    if (body == name) {
      appendUtf8(out, cp);
      return out;
    }
  return e;
}

void DocumentBuilder::add(std::string text, int firstLine, int lastLine, int page, int headingLevel) {
  text = trim(text);
  if (text.empty()) return;
  if (headingLevel > 0) {
    while (!m_sectionLevels.empty() && m_sectionLevels.back() >= headingLevel) {
      m_sectionLevels.pop_back();
      m_section.pop_back();
    }
    // A heading over several lines reads as one line in a path.
    std::string title = text;
    std::replace(title.begin(), title.end(), '\n', ' ');
    m_section.push_back(title);
    m_sectionLevels.push_back(headingLevel);
  }
  Block b;
  if (!m_doc.text.empty()) m_doc.text += "\n\n";
  b.where.begin = m_doc.text.size();
  m_doc.text += text;
  b.where.end = m_doc.text.size();
  b.where.page = page;
  b.where.section = m_section;
  b.where.firstLine = firstLine;
  b.where.lastLine = std::max(firstLine, lastLine);
  b.headingLevel = headingLevel;
  b.text = std::move(text);
  m_doc.blocks.push_back(std::move(b));
}

std::string formatOf(const std::filesystem::path& path) {
  const std::string ext = lower(path.extension().string());
  if (ext == ".pdf") return "pdf";
  if (ext == ".docx") return "docx";
  if (ext == ".html" || ext == ".htm" || ext == ".xhtml") return "html";
  if (ext == ".md" || ext == ".markdown") return "markdown";
  if (ext == ".txt" || ext == ".text" || ext == ".log" || ext == ".rst") return "text";
  if (ext == ".csv" || ext == ".tsv") return "csv";
  return {};
}

Document readDocument(const std::filesystem::path& path, const ReadOptions& options) {
  const std::string format = formatOf(path);
  if (format.empty()) {
    const std::string ext = path.extension().string();
    throw UnsupportedError(utf8(path) + ": " + (ext.empty() ? std::string("files without an extension")
                                                                 : "'" + ext + "' files") +
                           " are not read (PDF, Word .docx, HTML, Markdown, text and CSV are)");
  }
  if (!std::filesystem::is_regular_file(path)) throw IoError(utf8(path) + ": no such file");
  options.job.checkCancel();
  Document doc;
  if (format == "pdf") {
    doc = readPdf(path, options);
  } else if (format == "docx") {
    doc = readDocx(path, options);
  } else {
    const std::string bytes = readBytes(path, options.maxBytes);
    // Binary files under a text name (a PDF renamed .txt, a zip) are refused, not indexed as noise.
    if (bytes.compare(0, 5, "%PDF-") == 0 || bytes.compare(0, 4, "PK\x03\x04") == 0)
      throw FormatError(utf8(path) + ": this is not a " + format + " file (it holds a " +
                        (bytes[0] == '%' ? "PDF" : "zip archive") + "); rename it to what it is");
    if (format == "html") doc = readHtml(path, bytes, options);
    else if (format == "markdown") doc = readMarkdown(path, bytes, options);
    else if (format == "csv") doc = readCsv(path, bytes, options);
    else doc = readPlainText(path, bytes, options);
  }
  doc.path = path;
  doc.format = format;
  return doc;
}

}  // namespace fm::rag
