// HTML with gumbo (an HTML5 parser): the text a reader sees, in order, with headings as the
// section path. Scripts, styles, forms, hidden elements and the page's navigation, banner and
// footer are left out where the markup says what they are.
#include <gumbo.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <regex>

#include "rag/document.h"
#include "util/paths.h"

namespace fm::rag {

namespace {

bool skipped(const GumboNode* n, bool inContent) {
  switch (n->v.element.tag) {
    case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_NOSCRIPT: case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_HEAD: case GUMBO_TAG_NAV: case GUMBO_TAG_ASIDE: case GUMBO_TAG_FORM:
    case GUMBO_TAG_IFRAME: case GUMBO_TAG_SVG: case GUMBO_TAG_BUTTON: case GUMBO_TAG_SELECT:
    case GUMBO_TAG_OBJECT: case GUMBO_TAG_CANVAS: case GUMBO_TAG_MENU:
      return true;
    case GUMBO_TAG_HEADER: case GUMBO_TAG_FOOTER:
      return !inContent;  // a site's banner and footer; an article's own header stays
    default: break;
  }
  const GumboVector& attrs = n->v.element.attributes;
  for (unsigned i = 0; i < attrs.length; ++i) {
    const auto* a = static_cast<const GumboAttribute*>(attrs.data[i]);
    std::string name = a->name, value = a->value;
    std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return std::tolower(c); });
    value.erase(std::remove(value.begin(), value.end(), ' '), value.end());
    if (name == "hidden") return true;
    if (name == "aria-hidden" && value == "true") return true;
    if (name == "style" && (value.find("display:none") != std::string::npos ||
                            value.find("visibility:hidden") != std::string::npos))
      return true;
    if (name == "role" && (value == "navigation" || value == "banner" || value == "contentinfo" ||
                           value == "search" || value == "menu" || value == "dialog"))
      return true;
  }
  return false;
}

bool isBlock(GumboTag t) {
  switch (t) {
    case GUMBO_TAG_P: case GUMBO_TAG_DIV: case GUMBO_TAG_LI: case GUMBO_TAG_PRE: case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_TR: case GUMBO_TAG_DT: case GUMBO_TAG_DD: case GUMBO_TAG_SECTION: case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_MAIN: case GUMBO_TAG_FIGCAPTION: case GUMBO_TAG_CAPTION: case GUMBO_TAG_TABLE:
    case GUMBO_TAG_UL: case GUMBO_TAG_OL: case GUMBO_TAG_DL: case GUMBO_TAG_HR: case GUMBO_TAG_BODY:
    case GUMBO_TAG_ADDRESS: case GUMBO_TAG_FIGURE: case GUMBO_TAG_HEADER: case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_DETAILS: case GUMBO_TAG_SUMMARY: case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3:
    case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6:
      return true;
    default: return false;
  }
}

int headingLevel(GumboTag t) {
  switch (t) {
    case GUMBO_TAG_H1: return 1;
    case GUMBO_TAG_H2: return 2;
    case GUMBO_TAG_H3: return 3;
    case GUMBO_TAG_H4: return 4;
    case GUMBO_TAG_H5: return 5;
    case GUMBO_TAG_H6: return 6;
    default: return 0;
  }
}

struct HtmlWalker {
  DocumentBuilder& out;
  const JobContext& job;
  std::string buf;
  int first = 0, last = 0, heading = 0, cell = 0, pre = 0;
  size_t seen = 0;

  void flush() {
    out.add(buf, first, last, 0, heading);
    buf.clear();
    first = last = 0;
  }
  void text(const GumboText& t) {
    std::string s = t.text;
    if (pre == 0) {
      // Whitespace collapses to one space, as a browser shows it.
      std::string c;
      bool space = buf.empty() || buf.back() == ' ' || buf.back() == '\n';
      for (char ch : s) {
        if (ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r' || ch == '\f') {
          if (!space) c += ' ';
          space = true;
        } else {
          c += ch;
          space = false;
        }
      }
      s = c;
    }
    if (s.empty() || (s == " " && buf.empty())) return;
    buf += s;
    const int line = static_cast<int>(t.start_pos.line);
    const int end = line + static_cast<int>(std::count(t.original_text.data, t.original_text.data + t.original_text.length, '\n'));
    if (line > 0) {
      if (first == 0 || line < first) first = line;
      last = std::max(last, end);
    }
  }
  void walk(const GumboNode* n, bool inContent) {
    if (++seen % 2048 == 0) job.checkCancel();
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_CDATA || n->type == GUMBO_NODE_WHITESPACE) {
      text(n->v.text);
      return;
    }
    if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_TEMPLATE && n->type != GUMBO_NODE_DOCUMENT) return;
    const GumboVector* kids = n->type == GUMBO_NODE_DOCUMENT ? &n->v.document.children : &n->v.element.children;
    GumboTag tag = GUMBO_TAG_UNKNOWN;
    if (n->type != GUMBO_NODE_DOCUMENT) {
      if (skipped(n, inContent)) return;
      tag = n->v.element.tag;
      if (tag == GUMBO_TAG_ARTICLE || tag == GUMBO_TAG_MAIN) inContent = true;
      if (tag == GUMBO_TAG_BR) {
        buf += '\n';
        return;
      }
      if (tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH) {
        if (cell++ > 0) buf += " | ";
      } else if (tag == GUMBO_TAG_TR) {
        flush();
        cell = 0;
      } else if (isBlock(tag)) {
        flush();
      }
      if (headingLevel(tag)) heading = headingLevel(tag);
      if (tag == GUMBO_TAG_PRE) ++pre;
    }
    for (unsigned i = 0; i < kids->length; ++i) walk(static_cast<const GumboNode*>(kids->data[i]), inContent);
    if (n->type == GUMBO_NODE_DOCUMENT) return;
    if (tag == GUMBO_TAG_PRE) --pre;
    if (isBlock(tag)) flush();
    if (headingLevel(tag)) heading = 0;
  }
};

}  // namespace

Document readHtml(const std::filesystem::path& path, const std::string& bytes, const ReadOptions& options) {
  Document doc;
  // <meta charset="..."> or http-equiv's content="...; charset=...", in the first 2 KB.
  static const std::regex meta(R"(<meta[^>]*charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+))", std::regex::icase);
  std::smatch m;
  const std::string head = bytes.substr(0, 2048);
  const std::string declared = std::regex_search(head, m, meta) ? m[1].str() : std::string();
  const std::string text = decodeText(bytes, doc.encoding, declared);
  GumboOutput* parsed = gumbo_parse_with_options(&kGumboDefaultOptions, text.data(), text.size());
  if (!parsed) throw FormatError(utf8(path) + ": the HTML could not be read");
  std::unique_ptr<GumboOutput, void (*)(GumboOutput*)> guard(parsed, [](GumboOutput* o) {
    gumbo_destroy_output(&kGumboDefaultOptions, o);
  });
  DocumentBuilder out(doc);
  HtmlWalker walker{out, options.job};
  walker.walk(parsed->document, false);
  walker.flush();
  if (doc.blocks.empty()) doc.notes.push_back(utf8(path) + ": the page shows no text");
  return doc;
}

}  // namespace fm::rag
