// Documents as Collections read them: the text of a file, cut into blocks (paragraphs,
// headings, table rows, records), each with the place it came from, so that a citation can be
// opened where it points.
//
//   fm::rag::ReadOptions opt;  opt.job = job;
//   fm::rag::Document doc = fm::rag::readDocument("handbook.pdf", opt);
//   for (const auto& b : doc.blocks)  // b.where.page, b.where.section, b.where.begin/end...
//
// One reader per format, chosen by the file's extension and checked against its first bytes:
//   PDF       poppler; a page with no text layer goes through Tesseract OCR when its language
//             data is installed, and is listed in `pagesWithoutText` when it is not
//   DOCX      libzip + pugixml: paragraphs, headings (by style or outline level), tables
//   HTML      gumbo: visible text and headings; scripts, styles, navigation, headers, footers,
//             forms and hidden elements left out
//   Markdown  md4c: headings become the section path
//   text      UTF-8 (with or without BOM), UTF-16, CP949/EUC-KR, Latin-1 and others: detected
//             and converted with ICU; `encoding` says which was used
//   CSV/TSV   one block per record, "column: value" lines
//
// Errors: a file that is not what its name says, truncated or damaged is a FormatError naming
// the file and the reason; an encrypted PDF is a PasswordError; an unknown kind of file is an
// UnsupportedError. Readers hold no global state and may run on several threads at once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "jobs/job.h"
#include "util/error.h"

namespace fm::rag {

// The document needs a password to be read (an encrypted PDF).
class PasswordError : public FormatError {
 public:
  using FormatError::FormatError;
};

// Where a block came from.
//   begin, end      byte span of the block in Document::text (what viewers show)
//   page            1-based page of a PDF; 0 for formats without pages
//   section         heading path, outermost first ("Handbook", "Leave", "Sick leave")
//   firstLine..lastLine  1-based lines: of the source file for text, Markdown, HTML and CSV;
//                   of the page's text for a PDF; paragraph numbers for a DOCX
struct Location {
  uint64_t begin = 0, end = 0;
  int page = 0;
  std::vector<std::string> section;
  int firstLine = 0, lastLine = 0;
};

struct Block {
  std::string text;
  Location where;
  int headingLevel = 0;  // 1..6 for a heading, 0 for body text
};

struct Document {
  std::filesystem::path path;
  std::string format;    // "pdf", "docx", "html", "markdown", "text", "csv"
  std::string encoding;  // the encoding the bytes were read as ("UTF-8", "UTF-16LE", "EUC-KR"...)
  std::string text;      // every block's text, blocks separated by a blank line
  std::vector<Block> blocks;
  int pages = 0;                        // PDF pages; 0 for other formats
  std::vector<int> ocrPages;            // pages whose text came from OCR
  std::vector<int> pagesWithoutText;    // pages with no text layer that OCR did not read
  std::vector<std::string> notes;       // what the user should know ("page 3: no text layer, ...")
};

struct ReadOptions {
  JobContext job;
  bool ocr = true;                                   // read pages without text with Tesseract
  std::vector<std::string> ocrLanguages{"eng", "kor"};  // those installed are used
  int ocrDpi = 300;
  uint64_t maxBytes = 512ull << 20;                  // larger files are refused
};

// The reader for a path by its extension: "pdf", "docx", "html", "markdown", "text", "csv",
// or "" when no reader takes it.
std::string formatOf(const std::filesystem::path& path);

Document readDocument(const std::filesystem::path& path, const ReadOptions& options = {});

// Text from bytes in an unknown encoding: a BOM decides; else valid UTF-8 stays; else ICU's
// detector picks (weighed with `declared`, a charset named by the file itself, such as an HTML
// meta tag). Returns the UTF-8 text (without BOM) and sets `encoding` to the name used.
std::string decodeText(const std::string& bytes, std::string& encoding, const std::string& declared = {});

// Tesseract languages installed on this machine among `wanted` ("eng", "kor"...).
std::vector<std::string> ocrLanguagesAvailable(const std::vector<std::string>& wanted);

// ---- used by the readers ----

// Appends blocks to a Document, keeping Document::text and each block's span together.
class DocumentBuilder {
 public:
  explicit DocumentBuilder(Document& doc) : m_doc(doc) {}
  // Adds a block of text (trimmed; empty text is ignored). A heading also sets the section
  // path for the blocks after it: level 2 replaces everything from level 2 down.
  void add(std::string text, int firstLine, int lastLine, int page = 0, int headingLevel = 0);
  const std::vector<std::string>& section() const { return m_section; }

 private:
  Document& m_doc;
  std::vector<std::string> m_section;
  std::vector<int> m_sectionLevels;
};

// CRLF and lone CR become LF, so that lines count as the file's editor shows them.
std::string unixLines(std::string s);
// Runs of white space as one space, none at either end ("  a \n b " -> "a b").
std::string foldSpaces(const std::string& s);
// Adds `text` as paragraphs (runs of lines between blank lines), lines counted from 1 in
// `text`, trailing spaces of each line dropped; `page` for each block. A line found in
// `headings` (white space folded to single spaces) is a heading block of that level.
void addParagraphs(DocumentBuilder& out, const std::string& text, int page, const JobContext& job,
                   const std::map<std::string, int>* headings = nullptr);
// "&amp;", "&#233;", "&#xAC00;" and the other entities of HTML and Markdown, decoded; an
// entity it does not know stays as written.
std::string decodeEntity(const std::string& entity);

Document readPdf(const std::filesystem::path& path, const ReadOptions& options);
Document readDocx(const std::filesystem::path& path, const ReadOptions& options);
Document readHtml(const std::filesystem::path& path, const std::string& bytes, const ReadOptions& options);
Document readMarkdown(const std::filesystem::path& path, const std::string& bytes, const ReadOptions& options);
Document readPlainText(const std::filesystem::path& path, const std::string& bytes, const ReadOptions& options);
Document readCsv(const std::filesystem::path& path, const std::string& bytes, const ReadOptions& options);

}  // namespace fm::rag
