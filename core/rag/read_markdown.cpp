// Markdown with md4c (CommonMark with GitHub's tables and strikethrough). Headings become the
// section path; paragraphs, list items, code blocks and table rows become blocks with the lines
// they came from.
#include <md4c.h>

#include <algorithm>

#include "rag/document.h"
#include "util/paths.h"

namespace fm::rag {

namespace {

struct MarkdownState {
  const char* base = nullptr;
  size_t size = 0;
  std::vector<size_t> lineStarts;
  DocumentBuilder* out = nullptr;
  std::string buf;
  int first = 0, last = 0;
  int heading = 0;
  int cell = 0;
  int listDepth = 0;
  bool bullet = false;
  const JobContext* job = nullptr;

  int lineOf(const char* p) const {
    if (p < base || p > base + size) return 0;
    const size_t off = static_cast<size_t>(p - base);
    return static_cast<int>(std::upper_bound(lineStarts.begin(), lineStarts.end(), off) - lineStarts.begin());
  }
  void flush() {
    out->add(buf, first, last, 0, heading);
    buf.clear();
    first = last = 0;
  }
  void append(const std::string& s, const char* at, size_t n) {
    if (bullet) {
      buf += std::string(static_cast<size_t>(std::max(0, listDepth - 1)) * 2, ' ') + "- ";
      bullet = false;
    }
    buf += s;
    const int a = lineOf(at), b = lineOf(at + (n ? n - 1 : 0));
    if (a > 0) {
      if (first == 0 || a < first) first = a;
      last = std::max(last, b);
    }
  }
};

int enterBlock(MD_BLOCKTYPE type, void* detail, void* user) {
  auto& st = *static_cast<MarkdownState*>(user);
  switch (type) {
    case MD_BLOCK_TD:
    case MD_BLOCK_TH:
      if (st.cell++ > 0) st.buf += " | ";
      return 0;
    case MD_BLOCK_TR:
      st.flush();
      st.cell = 0;
      return 0;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
      st.flush();
      ++st.listDepth;
      return 0;
    case MD_BLOCK_LI:
      st.flush();
      st.bullet = true;
      return 0;
    case MD_BLOCK_H:
      st.flush();
      st.heading = static_cast<int>(static_cast<MD_BLOCK_H_DETAIL*>(detail)->level);
      return 0;
    default:
      st.flush();
      return 0;
  }
}

int leaveBlock(MD_BLOCKTYPE type, void*, void* user) {
  auto& st = *static_cast<MarkdownState*>(user);
  switch (type) {
    case MD_BLOCK_TD:
    case MD_BLOCK_TH:
      return 0;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
      st.flush();
      --st.listDepth;
      return 0;
    case MD_BLOCK_H:
      st.flush();
      st.heading = 0;
      return 0;
    default:
      st.flush();
      return st.job->stopAsked() ? 1 : 0;  // no exception through md4c's C frames
  }
}

int onText(MD_TEXTTYPE type, const MD_CHAR* text, MD_SIZE size, void* user) {
  auto& st = *static_cast<MarkdownState*>(user);
  switch (type) {
    case MD_TEXT_NULLCHAR: st.append("\xEF\xBF\xBD", text, 0); break;
    case MD_TEXT_BR:
    case MD_TEXT_SOFTBR: st.buf += '\n'; break;
    case MD_TEXT_HTML: break;  // raw tags are markup, not text
    case MD_TEXT_ENTITY: st.append(decodeEntity(std::string(text, size)), text, size); break;
    default: st.append(std::string(text, size), text, size); break;
  }
  return 0;
}

int noSpan(MD_SPANTYPE, void*, void*) { return 0; }

}  // namespace

Document readMarkdown(const std::filesystem::path& path, const std::string& bytes, const ReadOptions& options) {
  Document doc;
  const std::string text = unixLines(decodeText(bytes, doc.encoding));
  DocumentBuilder out(doc);
  MarkdownState st;
  st.base = text.data();
  st.size = text.size();
  st.out = &out;
  st.job = &options.job;
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') st.lineStarts.push_back(i + 1);
  st.lineStarts.insert(st.lineStarts.begin(), 0);
  MD_PARSER parser{};
  parser.abi_version = 0;
  parser.flags = MD_DIALECT_GITHUB;
  parser.enter_block = enterBlock;
  parser.leave_block = leaveBlock;
  parser.enter_span = noSpan;
  parser.leave_span = noSpan;
  parser.text = onText;
  const int rc = md_parse(text.data(), static_cast<MD_SIZE>(text.size()), &parser, &st);
  options.job.checkCancel();
  if (rc != 0)
    throw FormatError(utf8(path) + ": the Markdown could not be read");
  st.flush();
  if (doc.blocks.empty()) doc.notes.push_back(utf8(path) + ": the file holds no text");
  return doc;
}

}  // namespace fm::rag
