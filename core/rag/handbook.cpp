#include "rag/handbook.h"

#include <hpdf.h>
#include <zip.h>

#include <cstring>
#include <memory>

#include "io/atomic_file.h"
#include "util/error.h"
#include "util/paths.h"

namespace fm::rag {

namespace {

struct Rng : SplitMix64 {
  template <typename T>
  const T& pick(const std::vector<T>& v) { return v[static_cast<size_t>(below(static_cast<int>(v.size())))]; }
};

const std::vector<std::string> kDepartments{"Finance",   "Facilities", "Security", "Travel",   "Training",
                                            "Payroll",   "Legal",      "Library",  "Canteen",  "Reception",
                                            "Archives",  "Transport",  "Research", "Marketing", "Support"};
const std::vector<std::string> kFiller{
    "Staff are asked to read this section before their first week.",
    "Questions about this page go to the team named above.",
    "The rules below were agreed by the works council last spring.",
    "Exceptions need written approval from a team lead.",
    "These arrangements are reviewed every year in October.",
    "Visitors follow the same rules as staff while on site.",
    "Forms mentioned here are available at the front desk.",
    "Older versions of this handbook no longer apply.",
    "Temporary staff have the same rights unless stated otherwise.",
    "Changes are announced by e-mail two weeks ahead."};

struct Fact {
  std::string sentence, question, phrase;
};

Fact makeFact(Rng& r, const std::string& dept, int kind, int serial) {
  const int n = 2 + r.below(40);
  switch (kind % 6) {
    case 0:
      return {"The " + dept + " office is on floor " + std::to_string(n) + " of building " + std::to_string(serial % 7 + 1) + ".",
              "Which floor is the " + dept + " office on?", "floor " + std::to_string(n)};
    case 1:
      return {"Requests to " + dept + " are answered within " + std::to_string(n) + " working days.",
              "How long does " + dept + " take to answer a request?", std::to_string(n) + " working days"};
    case 2:
      return {"The " + dept + " desk opens at " + std::to_string(7 + n % 4) + " in the morning.",
              "When does the " + dept + " desk open?", "opens at " + std::to_string(7 + n % 4)};
    case 3:
      return {"Each " + dept + " request needs form " + dept.substr(0, 2) + "-" + std::to_string(100 + n) + ".",
              "Which form does a " + dept + " request need?", dept.substr(0, 2) + "-" + std::to_string(100 + n)};
    case 4:
      return {"The " + dept + " budget for the year is " + std::to_string(n * 5) + " thousand euros.",
              "What is the yearly budget of " + dept + "?", std::to_string(n * 5) + " thousand euros"};
    default:
      return {"The " + dept + " team has " + std::to_string(n) + " members.", "How many members does the " + dept + " team have?",
              std::to_string(n) + " members"};
  }
}

std::string xmlEscape(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '&') o += "&amp;";
    else if (c == '<') o += "&lt;";
    else if (c == '>') o += "&gt;";
    else if (c == '"') o += "&quot;";
    else o += c;
  }
  return o;
}

void zipAdd(zip_t* z, const char* name, const std::string& data) {
  zip_source_t* src = zip_source_buffer(z, data.data(), data.size(), 0);
  if (!src || zip_file_add(z, name, src, ZIP_FL_OVERWRITE | ZIP_FL_ENC_UTF_8) < 0) {
    if (src) zip_source_free(src);
    throw IoError(std::string("could not add ") + name + " to a Word file (" + zip_strerror(z) + ")");
  }
}

}  // namespace

void writeSimplePdf(const std::filesystem::path& file, const std::vector<std::vector<std::string>>& pages,
                    const std::string& title) {
  HPDF_Doc pdf = HPDF_New(nullptr, nullptr);
  if (!pdf) throw ResourceError("could not start a PDF");
  std::unique_ptr<std::remove_pointer_t<HPDF_Doc>, void (*)(HPDF_Doc)> guard(pdf, [](HPDF_Doc d) { HPDF_Free(d); });
  HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL);
  HPDF_Font font = HPDF_GetFont(pdf, "Helvetica", "WinAnsiEncoding");
  HPDF_Font bold = HPDF_GetFont(pdf, "Helvetica-Bold", "WinAnsiEncoding");
  if (!title.empty()) HPDF_SetInfoAttr(pdf, HPDF_INFO_TITLE, title.c_str());
  for (const auto& paragraphs : pages) {
    HPDF_Page page = HPDF_AddPage(pdf);
    HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    const float w = HPDF_Page_GetWidth(page), h = HPDF_Page_GetHeight(page);
    float top = h - 60;
    for (const std::string& para : paragraphs) {
      const bool heading = para.rfind("# ", 0) == 0;
      const std::string text = heading ? para.substr(2) : para;
      HPDF_Page_BeginText(page);
      HPDF_Page_SetFontAndSize(page, heading ? bold : font, heading ? 15 : 11);
      HPDF_UINT len = 0;
      HPDF_Page_TextRect(page, 60, top, w - 60, 40, text.c_str(), HPDF_TALIGN_LEFT, &len);
      HPDF_Page_EndText(page);
      // The next paragraph starts below the lines this one took (14 pt each) and a blank line.
      const float lineWidth = w - 120;
      const float textWidth = HPDF_Page_TextWidth(page, text.c_str());
      const int lines = 1 + static_cast<int>(textWidth / lineWidth);
      top -= static_cast<float>(lines) * (heading ? 19.f : 14.f) + 14.f;
    }
  }
  const std::string tmp = utf8(file) + ".part";
  if (HPDF_SaveToFile(pdf, tmp.c_str()) != HPDF_OK)
    throw IoError(utf8(file) + ": could not be written (error " + std::to_string(HPDF_GetError(pdf)) + ")");
  std::filesystem::rename(pathOf(tmp), file);
}

void writeSimpleDocx(const std::filesystem::path& file, const std::vector<WordParagraph>& paragraphs) {
  const char* W = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";
  std::string body;
  for (const WordParagraph& p : paragraphs) {
    body += "<w:p>";
    if (p.headingLevel > 0) body += "<w:pPr><w:pStyle w:val=\"Heading" + std::to_string(p.headingLevel) + "\"/></w:pPr>";
    body += "<w:r><w:t xml:space=\"preserve\">" + xmlEscape(p.text) + "</w:t></w:r></w:p>";
  }
  std::string styles = std::string("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:styles ") + W + ">";
  styles += "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/></w:style>";
  for (int l = 1; l <= 3; ++l)
    styles += "<w:style w:type=\"paragraph\" w:styleId=\"Heading" + std::to_string(l) + "\"><w:name w:val=\"heading " +
              std::to_string(l) + "\"/><w:basedOn w:val=\"Normal\"/><w:pPr><w:outlineLvl w:val=\"" +
              std::to_string(l - 1) + "\"/></w:pPr></w:style>";
  styles += "</w:styles>";
  const std::string doc = std::string("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document ") + W +
                          "><w:body>" + body + "<w:sectPr/></w:body></w:document>";
  const std::string types =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Types "
      "xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" "
      "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" "
      "ContentType=\"application/xml\"/><Override PartName=\"/word/document.xml\" "
      "ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/><Override "
      "PartName=\"/word/styles.xml\" "
      "ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/></Types>";
  const std::string rels =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Relationships "
      "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" "
      "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" "
      "Target=\"word/document.xml\"/></Relationships>";
  const std::string docRels =
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Relationships "
      "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" "
      "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" "
      "Target=\"styles.xml\"/></Relationships>";
  const std::string tmp = utf8(file) + ".part";
  std::filesystem::remove(pathOf(tmp));
  int err = 0;
  zip_t* z = zip_open(tmp.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  if (!z) throw IoError(utf8(file) + ": could not be written");
  try {
    zipAdd(z, "[Content_Types].xml", types);
    zipAdd(z, "_rels/.rels", rels);
    zipAdd(z, "word/_rels/document.xml.rels", docRels);
    zipAdd(z, "word/document.xml", doc);
    zipAdd(z, "word/styles.xml", styles);
  } catch (...) {
    zip_discard(z);
    throw;
  }
  if (zip_close(z) != 0) {
    const std::string why = zip_strerror(z);
    zip_discard(z);
    throw IoError(utf8(file) + ": could not be written (" + why + ")");
  }
  std::filesystem::rename(pathOf(tmp), file);
}

std::vector<HandbookQuestion> writeHandbook(const std::filesystem::path& dir, const HandbookOptions& o) {
  makeFolder(dir);
  Rng r;
  r.s = o.seed;
  std::vector<HandbookQuestion> questions;
  static const char* kinds[] = {"pdf", "docx", "html", "md", "txt"};
  for (int d = 0; d < o.documents; ++d) {
    const std::string dept = kDepartments[static_cast<size_t>(d) % kDepartments.size()] +
                             (d >= static_cast<int>(kDepartments.size()) ? " " + std::to_string(d / kDepartments.size() + 1) : "");
    const std::string kind = kinds[d % 5];
    char base[64];
    std::snprintf(base, sizeof base, "%03d-", d + 1);
    std::string name = std::string(base) + dept + "." + kind;
    for (char& c : name)
      if (c == ' ') c = '-';
    // Sections of paragraphs: filler with one fact in each section.
    struct Section {
      std::string title;
      std::vector<std::string> paragraphs;
      Fact fact;
    };
    std::vector<Section> sections;
    static const char* titles[] = {"Where to find us", "How requests work", "Opening hours", "Forms", "Budget", "The team"};
    for (int s = 0; s < o.sectionsPerDocument; ++s) {
      Section sec;
      const int kindIndex = (d + s) % 6;
      sec.title = titles[kindIndex];
      sec.fact = makeFact(r, dept, kindIndex, d);
      for (int p = 0; p < 3; ++p) {
        std::string para;
        for (int k = 0; k < 3; ++k) para += (para.empty() ? "" : " ") + r.pick(kFiller);
        if (p == 1) para += " " + sec.fact.sentence;
        sec.paragraphs.push_back(para);
      }
      sections.push_back(std::move(sec));
    }
    const std::filesystem::path file = dir / pathOf(name);
    const std::string heading = dept + " handbook";
    if (kind == "pdf") {
      // Two sections a page.
      std::vector<std::vector<std::string>> pages;
      for (size_t s = 0; s < sections.size(); ++s) {
        if (s % 2 == 0) pages.push_back(s == 0 ? std::vector<std::string>{"# " + heading} : std::vector<std::string>{});
        pages.back().push_back("# " + sections[s].title);
        for (const std::string& p : sections[s].paragraphs) pages.back().push_back(p);
        questions.push_back({sections[s].fact.question, name, sections[s].fact.phrase, static_cast<int>(s / 2) + 1});
      }
      writeSimplePdf(file, pages, heading);
      continue;
    }
    for (const Section& s : sections) questions.push_back({s.fact.question, name, s.fact.phrase, 0});
    if (kind == "docx") {
      std::vector<WordParagraph> ps{{heading, 1}};
      for (const Section& s : sections) {
        ps.push_back({s.title, 2});
        for (const std::string& p : s.paragraphs) ps.push_back({p, 0});
      }
      writeSimpleDocx(file, ps);
    } else if (kind == "html") {
      std::string h = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + xmlEscape(heading) +
                      "</title></head>\n<body>\n<nav><a href=\"/\">Intranet home</a></nav>\n<main>\n<h1>" +
                      xmlEscape(heading) + "</h1>\n";
      for (const Section& s : sections) {
        h += "<h2>" + xmlEscape(s.title) + "</h2>\n";
        for (const std::string& p : s.paragraphs) h += "<p>" + xmlEscape(p) + "</p>\n";
      }
      h += "</main>\n<footer>Intranet, internal use only</footer>\n</body></html>\n";
      writeFileAtomic(file, h);
    } else if (kind == "md") {
      std::string m = "# " + heading + "\n\n";
      for (const Section& s : sections) {
        m += "## " + s.title + "\n\n";
        for (const std::string& p : s.paragraphs) m += p + "\n\n";
      }
      writeFileAtomic(file, m);
    } else {
      std::string t = heading + "\n\n";
      for (const Section& s : sections) {
        t += s.title + "\n\n";
        for (const std::string& p : s.paragraphs) t += p + "\n\n";
      }
      writeFileAtomic(file, t);
    }
  }
  return questions;
}

}  // namespace fm::rag
