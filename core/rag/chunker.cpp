#include "rag/chunker.h"

#include <unicode/brkiter.h>
#include <unicode/utext.h>

#include <algorithm>
#include <memory>

namespace fm::rag {

namespace {

// A piece of a block: a sentence, or part of one too long for a chunk.
struct Unit {
  uint64_t begin, end;  // in Document::text
  int tokens;
  size_t block;
  int line;             // source line where it starts
};

// Byte offsets (into `text`) where ICU's sentence rules end sentences.
std::vector<size_t> sentenceEnds(const std::string& text) {
  std::vector<size_t> ends;
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> it(icu::BreakIterator::createSentenceInstance(icu::Locale::getRoot(), status));
  UText* ut = utext_openUTF8(nullptr, text.data(), static_cast<int64_t>(text.size()), &status);
  if (U_FAILURE(status) || !it || !ut) {
    if (ut) utext_close(ut);
    ends.push_back(text.size());
    return ends;
  }
  it->setText(ut, status);
  for (int32_t b = it->next(); b != icu::BreakIterator::DONE; b = it->next()) ends.push_back(static_cast<size_t>(b));
  utext_close(ut);
  if (ends.empty() || ends.back() != text.size()) ends.push_back(text.size());
  return ends;
}

size_t utf8Back(const std::string& s, size_t i) {
  while (i > 0 && i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  return i;
}

bool space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

}  // namespace

std::vector<Chunk> chunkDocument(const Document& doc, const ChunkOptions& options, const TokenCounter& count,
                                 const JobContext& job) {
  const int maxTokens = std::max(8, options.maxTokens);
  const int overlap = std::clamp(options.overlapTokens, 0, maxTokens / 2);
  const std::string& all = doc.text;

  // Splits [a, b) of the document text into units of at most maxTokens: at spaces, then anywhere
  // (on a character boundary).
  std::function<void(uint64_t, uint64_t, size_t, int, std::vector<Unit>&)> split =
      [&](uint64_t a, uint64_t b, size_t block, int line, std::vector<Unit>& out) {
        while (a < b && space(all[a])) ++a;
        while (b > a && space(all[b - 1])) --b;
        if (a >= b) return;
        const int n = count(all.substr(a, b - a));
        if (n <= maxTokens) {
          out.push_back({a, b, n, block, line});
          return;
        }
        uint64_t mid = a + (b - a) / 2;
        // The space nearest the middle, else a character boundary.
        uint64_t cut = 0;
        for (uint64_t d = 0; d < (b - a) / 2 && !cut; ++d) {
          if (mid + d < b && space(all[mid + d])) cut = mid + d;
          else if (mid - d > a && space(all[mid - d])) cut = mid - d;
        }
        if (!cut) cut = utf8Back(all, mid);
        if (cut <= a || cut >= b) {  // one character over the limit: it stays as it is
          out.push_back({a, b, n, block, line});
          return;
        }
        split(a, cut, block, line, out);
        split(cut, b, block, line, out);
      };

  std::vector<Chunk> chunks;
  std::vector<Unit> current;
  int currentTokens = 0;
  auto emit = [&](bool keepOverlap) {
    if (current.empty()) return;
    // The packed sum is an estimate (tokens can merge across a boundary): the chunk is counted
    // as it is, and its last units move to the next chunk while it is over.
    std::vector<Unit> carry;
    for (;;) {
      const uint64_t a = current.front().begin, b = current.back().end;
      const int n = count(all.substr(a, b - a));
      if (n <= maxTokens || current.size() == 1) {
        Chunk c;
        c.text = all.substr(a, b - a);
        c.tokens = n;
        c.ordinal = static_cast<int>(chunks.size());
        const Unit& lu = current.back();
        c.where = doc.blocks[current.front().block].where;
        c.where.begin = a;
        c.where.end = b;
        c.where.firstLine = current.front().line;
        const int lastLine = lu.line + static_cast<int>(std::count(all.begin() + static_cast<std::ptrdiff_t>(lu.begin),
                                                                   all.begin() + static_cast<std::ptrdiff_t>(lu.end), '\n'));
        const Location& lb = doc.blocks[lu.block].where;
        // A chunk that ends where its last block ends ends on that block's last line (HTML's
        // text has its white space folded, so its own line breaks do not count the source's).
        c.where.lastLine = lu.end >= lb.end ? std::max(c.where.firstLine, lb.lastLine)
                                            : std::clamp(lastLine, c.where.firstLine, std::max(c.where.firstLine, lb.lastLine));
        chunks.push_back(std::move(c));
        break;
      }
      carry.insert(carry.begin(), current.back());
      current.pop_back();
    }
    std::vector<Unit> next;
    if (keepOverlap && overlap > 0) {
      int t = 0;
      for (auto it = current.rbegin(); it != current.rend() && current.size() > 1; ++it) {
        if (t + it->tokens > overlap || next.size() + 1 >= current.size()) break;
        t += it->tokens;
        next.insert(next.begin(), *it);
      }
    }
    current = std::move(next);
    current.insert(current.end(), carry.begin(), carry.end());
    currentTokens = 0;
    for (const Unit& u : current) currentTokens += u.tokens;
  };

  int lastPage = -1;
  std::vector<std::string> lastSection;
  for (size_t bi = 0; bi < doc.blocks.size(); ++bi) {
    if (bi % 64 == 0) job.checkCancel();
    const Block& block = doc.blocks[bi];
    // A heading, a new page or a new section starts a new chunk, without overlap.
    if (!current.empty() &&
        (block.headingLevel > 0 || block.where.page != lastPage || block.where.section != lastSection)) {
      emit(false);
      while (!current.empty()) emit(false);
    }
    lastPage = block.where.page;
    lastSection = block.where.section;
    std::vector<Unit> units;
    size_t start = 0;
    for (size_t end : sentenceEnds(block.text)) {
      const int line = block.where.firstLine +
                       static_cast<int>(std::count(block.text.begin(), block.text.begin() + static_cast<std::ptrdiff_t>(start), '\n'));
      split(block.where.begin + start, block.where.begin + end, bi, std::min(line, block.where.lastLine), units);
      start = end;
    }
    for (const Unit& u : units) {
      if (!current.empty() && currentTokens + u.tokens > maxTokens) emit(true);
      current.push_back(u);
      currentTokens += u.tokens;
    }
  }
  while (!current.empty()) emit(false);
  return chunks;
}

}  // namespace fm::rag
