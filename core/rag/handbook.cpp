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

// The Korean handbook's departments (with the letters their form codes use) and filler.
struct KoreanDepartment {
  const char* name;
  const char* code;
};
const std::vector<KoreanDepartment> kDepartmentsKo{
    {"재무팀", "JM"},     {"시설관리팀", "SS"}, {"보안팀", "BA"},   {"출장지원팀", "CJ"}, {"교육팀", "GY"},
    {"급여팀", "GP"},     {"법무팀", "BM"},     {"자료실", "JR"},   {"구내식당", "SD"},   {"안내데스크", "AN"},
    {"기록보관실", "GR"}, {"차량지원팀", "CR"}, {"연구소", "YG"},   {"홍보팀", "HB"},     {"고객지원팀", "GG"}};
const std::vector<std::string> kFillerKo{
    "처음 출근하기 전에 이 부분을 꼭 읽어 주십시오.",
    "이 쪽에 대한 문의는 위에 적힌 부서로 해 주십시오.",
    "아래 규칙은 지난봄 노사협의회에서 정했습니다.",
    "예외를 두려면 팀장의 서면 승인이 필요합니다.",
    "이 내용은 해마다 10월에 다시 검토합니다.",
    "방문객도 회사 안에서는 직원과 같은 규칙을 따릅니다.",
    "여기에 나오는 서식은 안내데스크에서 받을 수 있습니다.",
    "이전 판의 안내서는 더 이상 적용되지 않습니다.",
    "따로 정하지 않은 한 계약직 직원도 같은 권리를 가집니다.",
    "바뀐 내용은 2주 전에 전자우편으로 알립니다."};
const char* kTitlesKo[] = {"찾아오는 길", "요청 처리", "운영 시간", "서식", "예산", "구성원"};

// The topic particle a Korean noun takes: 은 after a final consonant, 는 after a vowel.
std::string withTopic(const std::string& noun) {
  if (noun.size() < 3) return noun + "은";
  const auto* b = reinterpret_cast<const unsigned char*>(noun.data() + noun.size() - 3);
  const unsigned cp = ((b[0] & 0x0Fu) << 12) | ((b[1] & 0x3Fu) << 6) | (b[2] & 0x3Fu);
  const bool finalConsonant = cp >= 0xAC00 && cp <= 0xD7A3 && (cp - 0xAC00) % 28 != 0;
  return noun + (finalConsonant ? "은" : "는");
}

Fact makeFactKo(SplitMix64& r, const KoreanDepartment& dept, int kind, int serial) {
  const int n = 2 + r.below(40);
  const std::string d = dept.name, num = std::to_string(n);
  switch (kind % 6) {
    case 0:
      return {d + " 사무실은 " + std::to_string(serial % 7 + 1) + "동 " + num + "층에 있습니다.",
              d + " 사무실은 몇 층에 있나요?", num + "층"};
    case 1:
      return {d + "에 보낸 요청은 영업일 기준 " + num + "일 안에 답변합니다.", withTopic(d) + " 요청에 며칠 안에 답하나요?",
              num + "일"};
    case 2:
      return {d + " 창구는 오전 " + std::to_string(7 + n % 4) + "시에 문을 엽니다.", d + " 창구는 몇 시에 여나요?",
              "오전 " + std::to_string(7 + n % 4) + "시"};
    case 3:
      return {d + " 신청에는 " + dept.code + "-" + std::to_string(100 + n) + " 서식이 필요합니다.",
              d + " 신청에는 어떤 서식이 필요한가요?", std::string(dept.code) + "-" + std::to_string(100 + n)};
    case 4:
      return {d + "의 올해 예산은 " + std::to_string(n * 5) + "백만 원입니다.", d + "의 한 해 예산은 얼마인가요?",
              std::to_string(n * 5) + "백만 원"};
    default:
      return {d + "에는 직원이 " + num + "명 있습니다.", d + "에는 직원이 몇 명인가요?", num + "명"};
  }
}

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

// Three paragraphs of three filler sentences each; the second ends with the fact.
static HandbookSection sectionOf(Rng& r, const std::string& title, const Fact& f, const std::vector<std::string>& filler) {
  HandbookSection sec;
  sec.title = title;
  sec.sentence = f.sentence;
  sec.question = f.question;
  sec.phrase = f.phrase;
  for (int p = 0; p < 3; ++p) {
    std::string para;
    for (int k = 0; k < 3; ++k) para += (para.empty() ? "" : " ") + r.pick(filler);
    if (p == 1) para += " " + sec.sentence;
    sec.paragraphs.push_back(para);
  }
  return sec;
}

std::vector<HandbookDocument> makeHandbook(const HandbookOptions& o) {
  Rng r;
  r.s = o.seed;
  std::vector<HandbookDocument> docs;
  auto fileName = [](int number, const std::string& stem, const std::string& kind) {
    char base[16];
    std::snprintf(base, sizeof base, "%03d-", number);
    std::string name = std::string(base) + stem + "." + kind;
    for (char& c : name)
      if (c == ' ') c = '-';
    return name;
  };
  static const char* kinds[] = {"pdf", "docx", "html", "md", "txt"};
  static const char* titles[] = {"Where to find us", "How requests work", "Opening hours", "Forms", "Budget", "The team"};
  for (int d = 0; d < o.documents; ++d) {
    const std::string dept = kDepartments[static_cast<size_t>(d) % kDepartments.size()] +
                             (d >= static_cast<int>(kDepartments.size()) ? " " + std::to_string(d / kDepartments.size() + 1) : "");
    HandbookDocument doc;
    doc.kind = kinds[d % 5];
    doc.name = fileName(d + 1, dept, doc.kind);
    doc.heading = dept + " handbook";
    for (int s = 0; s < o.sectionsPerDocument; ++s) {
      const int kindIndex = (d + s) % 6;
      doc.sections.push_back(sectionOf(r, titles[kindIndex], makeFact(r, dept, kindIndex, d), kFiller));
    }
    docs.push_back(std::move(doc));
  }
  // Korean documents after the English ones (Word, Markdown, HTML and text in turn; the PDF
  // writer's standard fonts have no Hangul).
  static const char* kindsKo[] = {"docx", "md", "html", "txt"};
  for (int d = 0; d < o.koreanDocuments; ++d) {
    const KoreanDepartment& dept = kDepartmentsKo[static_cast<size_t>(d) % kDepartmentsKo.size()];
    HandbookDocument doc;
    doc.kind = kindsKo[d % 4];
    doc.name = fileName(o.documents + d + 1, std::string("ko-") + dept.code, doc.kind);
    doc.heading = std::string(dept.name) + " 안내서";
    doc.korean = true;
    for (int s = 0; s < o.sectionsPerDocument; ++s) {
      const int kindIndex = (d + s + 3) % 6;
      doc.sections.push_back(sectionOf(r, kTitlesKo[kindIndex], makeFactKo(r, dept, kindIndex, d), kFillerKo));
    }
    docs.push_back(std::move(doc));
  }
  return docs;
}

std::vector<HandbookQuestion> writeHandbook(const std::filesystem::path& dir, const HandbookOptions& o) {
  makeFolder(dir);
  std::vector<HandbookQuestion> questions;
  for (const HandbookDocument& doc : makeHandbook(o)) {
    const std::filesystem::path file = dir / pathOf(doc.name);
    const auto& sections = doc.sections;
    const std::string& heading = doc.heading;
    if (doc.kind == "pdf") {
      // Two sections a page.
      std::vector<std::vector<std::string>> pages;
      for (size_t s = 0; s < sections.size(); ++s) {
        if (s % 2 == 0) pages.push_back(s == 0 ? std::vector<std::string>{"# " + heading} : std::vector<std::string>{});
        pages.back().push_back("# " + sections[s].title);
        for (const std::string& p : sections[s].paragraphs) pages.back().push_back(p);
        questions.push_back({sections[s].question, doc.name, sections[s].phrase, static_cast<int>(s / 2) + 1});
      }
      writeSimplePdf(file, pages, heading);
      continue;
    }
    for (const HandbookSection& s : sections) questions.push_back({s.question, doc.name, s.phrase, 0});
    if (doc.kind == "docx") {
      std::vector<WordParagraph> ps{{heading, 1}};
      for (const HandbookSection& s : sections) {
        ps.push_back({s.title, 2});
        for (const std::string& p : s.paragraphs) ps.push_back({p, 0});
      }
      writeSimpleDocx(file, ps);
    } else if (doc.kind == "html") {
      std::string h = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + xmlEscape(heading) +
                      "</title></head>\n<body>\n<nav><a href=\"/\">Intranet home</a></nav>\n<main>\n<h1>" +
                      xmlEscape(heading) + "</h1>\n";
      for (const HandbookSection& s : sections) {
        h += "<h2>" + xmlEscape(s.title) + "</h2>\n";
        for (const std::string& p : s.paragraphs) h += "<p>" + xmlEscape(p) + "</p>\n";
      }
      h += "</main>\n<footer>Intranet, internal use only</footer>\n</body></html>\n";
      writeFileAtomic(file, h);
    } else if (doc.kind == "md") {
      std::string m = "# " + heading + "\n\n";
      for (const HandbookSection& s : sections) {
        m += "## " + s.title + "\n\n";
        for (const std::string& p : s.paragraphs) m += p + "\n\n";
      }
      writeFileAtomic(file, m);
    } else {
      std::string t = heading + "\n\n";
      for (const HandbookSection& s : sections) {
        t += s.title + "\n\n";
        for (const std::string& p : s.paragraphs) t += p + "\n\n";
      }
      writeFileAtomic(file, t);
    }
  }
  return questions;
}

}  // namespace fm::rag
