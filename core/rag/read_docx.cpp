// Word .docx (Office Open XML): a zip of XML parts, read with libzip and pugixml. The body's
// paragraphs and tables in order; headings by their style (built-in "heading N" styles, in any
// UI language, through the style's outline level or name) or a paragraph's own outline level.
#include <pugixml.hpp>
#include <zip.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>

#include "rag/document.h"
#include "util/paths.h"

namespace fm::rag {

namespace {

// Element names without their namespace prefix ("w:p" -> "p").
const char* local(const pugi::xml_node& n) {
  const char* name = n.name();
  const char* colon = std::strchr(name, ':');
  return colon ? colon + 1 : name;
}

bool is(const pugi::xml_node& n, const char* name) { return std::strcmp(local(n), name) == 0; }

pugi::xml_node child(const pugi::xml_node& n, const char* name) {
  for (pugi::xml_node c : n.children())
    if (is(c, name)) return c;
  return {};
}

// w:val, whatever the prefix.
std::string val(const pugi::xml_node& n) {
  for (pugi::xml_attribute a : n.attributes()) {
    const char* name = a.name();
    const char* colon = std::strchr(name, ':');
    if (std::strcmp(colon ? colon + 1 : name, "val") == 0) return a.value();
  }
  return {};
}

std::string attr(const pugi::xml_node& n, const char* localName) {
  for (pugi::xml_attribute a : n.attributes()) {
    const char* name = a.name();
    const char* colon = std::strchr(name, ':');
    if (std::strcmp(colon ? colon + 1 : name, localName) == 0) return a.value();
  }
  return {};
}

class ZipArchive {
 public:
  explicit ZipArchive(const std::filesystem::path& path) {
    int err = 0;
    m_zip = zip_open(utf8(path).c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &err);
    if (!m_zip) {
      const std::string file = utf8(path);
      if (err == ZIP_ER_NOZIP) {
        // A password-protected Word file is an OLE container with the encrypted package inside.
        std::ifstream in(path, std::ios::binary);
        char magic[4] = {};
        in.read(magic, 4);
        if (std::memcmp(magic, "\xD0\xCF\x11\xE0", 4) == 0)
          throw PasswordError(file + ": the document is protected with a password (or is an old .doc file saved as "
                                     ".docx); open it in Word, remove the password and save it again");
        throw FormatError(file + ": not a Word .docx file (it is not a zip archive)");
      }
      if (err == ZIP_ER_INCONS || err == ZIP_ER_READ || err == ZIP_ER_SEEK || err == ZIP_ER_CRC)
        throw FormatError(file + ": the file is damaged or incomplete (its zip structure is inconsistent)");
      zip_error_t ze;
      zip_error_init_with_code(&ze, err);
      const std::string why = zip_error_strerror(&ze);
      zip_error_fini(&ze);
      throw IoError(file + ": cannot be opened (" + why + ")");
    }
  }
  ~ZipArchive() {
    if (m_zip) zip_discard(m_zip);
  }
  ZipArchive(const ZipArchive&) = delete;
  ZipArchive& operator=(const ZipArchive&) = delete;

  bool has(const char* name) const { return zip_name_locate(m_zip, name, 0) >= 0; }

  std::string read(const char* name, const std::filesystem::path& path) const {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat(m_zip, name, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
      throw FormatError(utf8(path) + ": not a complete Word document (" + name + " is missing)");
    if (st.size > (256ull << 20)) throw ResourceError(utf8(path) + ": " + name + " is over 256 MB");
    std::unique_ptr<zip_file_t, int (*)(zip_file_t*)> f(zip_fopen(m_zip, name, 0), &zip_fclose);
    if (!f) throw FormatError(utf8(path) + ": " + name + " cannot be read (" + zip_strerror(m_zip) + ")");
    std::string data(static_cast<size_t>(st.size), '\0');
    zip_int64_t got = 0;
    while (got < static_cast<zip_int64_t>(st.size)) {
      const zip_int64_t n = zip_fread(f.get(), data.data() + got, st.size - static_cast<zip_uint64_t>(got));
      if (n <= 0) throw FormatError(utf8(path) + ": " + name + " is damaged (" + zip_file_strerror(f.get()) + ")");
      got += n;
    }
    return data;
  }

 private:
  zip_t* m_zip = nullptr;
};

struct Style {
  std::string name, basedOn;
  int outline = -1;  // 0-based outline level, -1 none
};

// Heading level (1..9) of a paragraph style, 0 for body text.
int styleLevel(const std::map<std::string, Style>& styles, std::string id) {
  for (int depth = 0; depth < 12 && !id.empty(); ++depth) {
    auto it = styles.find(id);
    if (it == styles.end()) break;
    const Style& s = it->second;
    if (s.outline >= 0 && s.outline < 9) return s.outline + 1;
    std::string name = s.name;
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    if (name == "title") return 1;
    if (name.rfind("heading ", 0) == 0 && name.size() == 9 && std::isdigit(static_cast<unsigned char>(name[8])))
      return name[8] - '0';
    id = s.basedOn;
  }
  // Documents written by tools that leave styles.xml out still name the built-in ids.
  if (id.size() == 8 && id.rfind("Heading", 0) == 0 && std::isdigit(static_cast<unsigned char>(id[7])))
    return id[7] - '0';
  return 0;
}

struct DocxWalker {
  const std::map<std::string, Style>& styles;
  DocumentBuilder& out;
  const JobContext& job;
  int paragraph = 0;

  void runText(const pugi::xml_node& n, std::string& text) {
    for (pugi::xml_node c : n.children()) {
      if (c.type() != pugi::node_element) continue;
      const char* l = local(c);
      if (!std::strcmp(l, "t")) text += c.text().get();
      else if (!std::strcmp(l, "tab")) text += '\t';
      else if (!std::strcmp(l, "br") || !std::strcmp(l, "cr")) text += '\n';
      else if (!std::strcmp(l, "noBreakHyphen")) text += '-';
      else if (!std::strcmp(l, "Fallback") || !std::strcmp(l, "pPr") || !std::strcmp(l, "rPr") ||
               !std::strcmp(l, "instrText") || !std::strcmp(l, "delText"))
        continue;  // the alternative copy of a text box, properties, field codes, deletions
      else if (!std::strcmp(l, "p") && !text.empty() && text.back() != '\n') {
        text += '\n';  // a paragraph inside a text box
        runText(c, text);
      } else runText(c, text);
    }
  }

  std::string paragraphText(const pugi::xml_node& p) {
    std::string text;
    runText(p, text);
    return text;
  }

  int levelOf(const pugi::xml_node& p) {
    const pugi::xml_node ppr = child(p, "pPr");
    if (const pugi::xml_node ol = child(ppr, "outlineLvl")) {
      const std::string v = val(ol);
      if (!v.empty() && std::isdigit(static_cast<unsigned char>(v[0])) && v[0] != '9') return v[0] - '0' + 1;
    }
    return styleLevel(styles, val(child(ppr, "pStyle")));
  }

  void body(const pugi::xml_node& container) {
    for (pugi::xml_node n : container.children()) {
      if (n.type() != pugi::node_element) continue;
      if (is(n, "p")) {
        ++paragraph;
        out.add(paragraphText(n), paragraph, paragraph, 0, levelOf(n));
      } else if (is(n, "tbl")) {
        for (pugi::xml_node tr : n.children()) {
          if (!is(tr, "tr")) continue;
          ++paragraph;
          std::string row;
          int cells = 0;
          for (pugi::xml_node tc : tr.children()) {
            if (!is(tc, "tc")) continue;
            std::string cell;
            for (pugi::xml_node p : tc.children())
              if (is(p, "p")) {
                const std::string t = paragraphText(p);
                if (!t.empty()) cell += (cell.empty() ? "" : " ") + t;
              }
            row += (cells++ ? " | " : "") + cell;
          }
          out.add(row, paragraph, paragraph);
        }
      } else if (is(n, "sdt")) {
        body(child(n, "sdtContent"));
      } else if (is(n, "customXml") || is(n, "smartTag")) {
        body(n);
      }
      if (paragraph % 512 == 0) job.checkCancel();
    }
  }
};

}  // namespace

Document readDocx(const std::filesystem::path& path, const ReadOptions& options) {
  Document doc;
  doc.encoding = "UTF-8";
  ZipArchive zip(path);
  const std::string xml = zip.read("word/document.xml", path);
  pugi::xml_document dom;
  const pugi::xml_parse_result parsed =
      dom.load_buffer(xml.data(), xml.size(), pugi::parse_default | pugi::parse_ws_pcdata_single);
  if (!parsed)
    throw FormatError(utf8(path) + ": word/document.xml is damaged (" + parsed.description() + " at byte " +
                      std::to_string(parsed.offset) + ")");
  std::map<std::string, Style> styles;
  if (zip.has("word/styles.xml")) {
    const std::string sx = zip.read("word/styles.xml", path);
    pugi::xml_document sd;
    if (sd.load_buffer(sx.data(), sx.size())) {
      for (pugi::xml_node s : sd.document_element().children()) {
        if (!is(s, "style")) continue;
        Style st;
        st.name = val(child(s, "name"));
        st.basedOn = val(child(s, "basedOn"));
        const std::string lvl = val(child(child(s, "pPr"), "outlineLvl"));
        if (!lvl.empty() && std::isdigit(static_cast<unsigned char>(lvl[0]))) st.outline = std::stoi(lvl);
        styles[attr(s, "styleId")] = st;
      }
    } else {
      doc.notes.push_back("word/styles.xml is damaged; headings are found by their outline level only");
    }
  }
  const pugi::xml_node bodyNode = child(dom.document_element(), "body");
  if (!bodyNode) throw FormatError(utf8(path) + ": word/document.xml has no body");
  DocumentBuilder out(doc);
  DocxWalker walker{styles, out, options.job};
  walker.body(bodyNode);
  if (doc.blocks.empty()) doc.notes.push_back(utf8(path) + ": the document holds no text");
  return doc;
}

}  // namespace fm::rag
