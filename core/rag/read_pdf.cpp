// PDF with poppler: the text of each page in reading order. A page without a text layer (a
// scan) is rendered and read with Tesseract when its language data is installed; otherwise it
// is listed, so that a scanned file never looks indexed while holding no text.
#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page-renderer.h>
#include <poppler-page.h>
#include <tesseract/baseapi.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>

#include "rag/document.h"
#include "util/paths.h"

namespace fm::rag {

namespace {

// poppler writes its complaints about damaged files to stderr; the reader reports them itself.
void quietPoppler() {
  static std::once_flag once;
  std::call_once(once, [] { poppler::set_debug_error_function([](const std::string&, void*) {}, nullptr); });
}

std::string pageText(const poppler::page& p) {
  const poppler::byte_array bytes = p.text(poppler::rectf(), poppler::page::non_raw_non_physical_layout).to_utf8();
  std::string s(bytes.begin(), bytes.end());
  s = unixLines(s);
  std::replace(s.begin(), s.end(), '\f', '\n');
  return s;
}

// The page's heading lines, by their font size against the body text's (the size most of the
// page's characters have): 1.6 times or more is level 1, 1.3 level 2, 1.15 level 3. A PDF has
// no heading markup; this is how readers and PDF-to-text tools tell titles apart. Lines longer
// than a title is likely to be, or without a letter, are never headings.
std::map<std::string, int> headingLines(const poppler::page& p) {
  std::map<std::string, int> out;
  const std::vector<poppler::text_box> boxes = p.text_list(poppler::page::text_list_include_font);
  if (boxes.empty()) return out;
  std::map<double, size_t> chars;  // font size (to a tenth of a point) -> characters
  struct Line {
    std::string text;
    double size = 0, top = 0;
  };
  std::vector<Line> lines;
  for (const poppler::text_box& b : boxes) {
    const poppler::byte_array u = b.text().to_utf8();
    const std::string word(u.begin(), u.end());
    const double size = b.has_font_info() ? std::round(b.get_font_size() * 10) / 10 : 0;
    chars[size] += word.size();
    const double top = b.bbox().top();
    if (lines.empty() || std::abs(lines.back().top - top) > 0.5 * std::max(1.0, size)) lines.push_back({{}, 0, top});
    Line& l = lines.back();
    l.text += (l.text.empty() ? "" : " ") + word;
    l.size = std::max(l.size, size);
  }
  double body = 0;
  size_t most = 0;
  for (const auto& [size, n] : chars)
    if (n > most) {
      most = n;
      body = size;
    }
  if (body <= 0) return out;
  for (const Line& l : lines) {
    const std::string t = foldSpaces(l.text);
    const bool letter = std::any_of(t.begin(), t.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || (c & 0x80); });
    if (!letter || t.size() > 120) continue;
    const double ratio = l.size / body;
    const int level = ratio >= 1.6 ? 1 : ratio >= 1.3 ? 2 : ratio >= 1.15 ? 3 : 0;
    if (level) out.emplace(t, level);
  }
  return out;
}

bool hasText(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return !std::isspace(static_cast<unsigned char>(c)); });
}

// A Tesseract engine for the languages installed among those wanted.
class Ocr {
 public:
  explicit Ocr(const std::vector<std::string>& wanted) : m_languages(ocrLanguagesAvailable(wanted)) {
    if (m_languages.empty()) return;
    std::string joined;
    for (const std::string& l : m_languages) joined += (joined.empty() ? "" : "+") + l;
    m_api = std::make_unique<tesseract::TessBaseAPI>();
    if (m_api->Init(nullptr, joined.c_str(), tesseract::OEM_DEFAULT) != 0) m_api.reset();
  }
  ~Ocr() {
    if (m_api) m_api->End();
  }
  bool ready() const { return m_api != nullptr; }
  const std::vector<std::string>& languages() const { return m_languages; }

  std::string read(const poppler::page& page, int dpi) {
    poppler::page_renderer renderer;
    renderer.set_render_hints(poppler::page_renderer::antialiasing | poppler::page_renderer::text_antialiasing);
    renderer.set_image_format(poppler::image::format_gray8);
    const poppler::image img = renderer.render_page(&page, dpi, dpi);
    if (!img.is_valid() || img.width() <= 0 || img.height() <= 0) return {};
    m_api->SetImage(reinterpret_cast<const unsigned char*>(img.const_data()), img.width(), img.height(), 1,
                    img.bytes_per_row());
    m_api->SetSourceResolution(dpi);
    std::unique_ptr<char[]> text(m_api->GetUTF8Text());
    m_api->Clear();
    return text ? unixLines(text.get()) : std::string();
  }

 private:
  std::vector<std::string> m_languages;
  std::unique_ptr<tesseract::TessBaseAPI> m_api;
};

}  // namespace

std::vector<std::string> ocrLanguagesAvailable(const std::vector<std::string>& wanted) {
  // Asked once per process: starting Tesseract reads its data files.
  static std::mutex mutex;
  static std::vector<std::string> installed;
  static bool known = false;
  std::lock_guard<std::mutex> lock(mutex);
  if (!known) {
    tesseract::TessBaseAPI api;
    // "osd" is always a small file where data is installed at all; listing needs an engine.
    if (api.Init(nullptr, "eng", tesseract::OEM_DEFAULT) == 0 || api.Init(nullptr, "osd", tesseract::OEM_DEFAULT) == 0) {
      std::vector<std::string> all;
      api.GetAvailableLanguagesAsVector(&all);
      installed = all;
      api.End();
    }
    known = true;
  }
  std::vector<std::string> out;
  for (const std::string& w : wanted)
    if (std::find(installed.begin(), installed.end(), w) != installed.end()) out.push_back(w);
  return out;
}

Document readPdf(const std::filesystem::path& path, const ReadOptions& options) {
  quietPoppler();
  const std::string file = utf8(path);
  {
    std::ifstream in(path, std::ios::binary);
    char head[1024] = {};
    in.read(head, sizeof head);
    const std::string h(head, static_cast<size_t>(in.gcount()));
    if (h.find("%PDF-") == std::string::npos) throw FormatError(file + ": not a PDF file (no %PDF header)");
  }
  std::unique_ptr<poppler::document> pdf(poppler::document::load_from_file(file));
  if (!pdf) throw FormatError(file + ": the PDF is damaged and cannot be read");
  if (pdf->is_locked())
    throw PasswordError(file + ": the PDF is protected with a password; save a copy without it to add it");
  Document doc;
  doc.encoding = "UTF-8";
  doc.pages = pdf->pages();
  if (doc.pages <= 0) throw FormatError(file + ": the PDF has no pages (it may be truncated)");
  DocumentBuilder out(doc);
  std::unique_ptr<Ocr> ocr;
  bool ocrTried = false;
  for (int i = 0; i < doc.pages; ++i) {
    const int number = i + 1;
    options.job.report(static_cast<double>(i) / doc.pages,
                       "page " + std::to_string(number) + " of " + std::to_string(doc.pages));
    std::unique_ptr<poppler::page> page(pdf->create_page(i));
    if (!page) {
      doc.pagesWithoutText.push_back(number);
      doc.notes.push_back("page " + std::to_string(number) + ": damaged, left out");
      continue;
    }
    std::string text = pageText(*page);
    if (hasText(text)) {
      const std::map<std::string, int> headings = headingLines(*page);
      addParagraphs(out, text, number, options.job, headings.empty() ? nullptr : &headings);
      continue;
    }
    // No text layer: a scanned page, or a page with only pictures.
    if (options.ocr && !ocrTried) {
      ocrTried = true;
      ocr = std::make_unique<Ocr>(options.ocrLanguages);
    }
    if (ocr && ocr->ready()) {
      options.job.report(static_cast<double>(i) / doc.pages, "reading page " + std::to_string(number) + " of " +
                                                                  std::to_string(doc.pages) + " with OCR");
      text = ocr->read(*page, options.ocrDpi);
      if (hasText(text)) {
        addParagraphs(out, text, number, options.job);
        doc.ocrPages.push_back(number);
        continue;
      }
      doc.pagesWithoutText.push_back(number);
      doc.notes.push_back("page " + std::to_string(number) + ": no text layer, and OCR found no text on it");
    } else {
      doc.pagesWithoutText.push_back(number);
      doc.notes.push_back("page " + std::to_string(number) + ": no text layer; " +
                          (options.ocr ? "OCR is not available (install Tesseract's language data, such as "
                                         "tesseract-ocr-eng)"
                                       : "OCR is turned off"));
    }
  }
  options.job.report(1, "read " + std::to_string(doc.pages) + " pages");
  return doc;
}

}  // namespace fm::rag
