// Chunks for Collections: never over the embedder's token limit (counted with a real
// tokenizer), spans that lead back to the document, cuts at sentences, never across a heading
// or a page, overlap between neighbours, and sentences longer than a chunk cut where they can.
#include <QtTest>

#include <sstream>

#include "rag/chunker.h"
#include "tokenize/tokenizer.h"

namespace fs = std::filesystem;
using fm::rag::Chunk;
using fm::rag::Document;

namespace {

fs::path fixture(const std::string& p) { return fs::path(FM_TEST_FIXTURES) / p; }

int words(const std::string& s) {
  std::istringstream in(s);
  std::string w;
  int n = 0;
  while (in >> w) ++n;
  return n;
}

Document handmade() {
  Document d;
  fm::rag::DocumentBuilder b(d);
  b.add("Policies", 1, 1, 0, 1);
  std::string para;
  for (int i = 0; i < 12; ++i) para += "Sentence number " + std::to_string(i) + " is here. ";
  b.add(para, 3, 3);
  b.add("Travel", 5, 5, 0, 2);
  b.add("Book trains early. Keep the receipts.", 7, 8);
  return d;
}

}  // namespace

class TestRagChunker : public QObject {
  Q_OBJECT

  static void checkSpans(const Document& d, const std::vector<Chunk>& chunks) {
    for (size_t i = 0; i < chunks.size(); ++i) {
      const Chunk& c = chunks[i];
      QCOMPARE(c.ordinal, static_cast<int>(i));
      QCOMPARE(d.text.substr(c.where.begin, c.where.end - c.where.begin), c.text);
      QVERIFY(c.where.firstLine >= 1 && c.where.lastLine >= c.where.firstLine);
    }
  }

 private Q_SLOTS:
  void sentencesPackedUnderTheLimitWithOverlap() {
    const Document d = handmade();
    fm::rag::ChunkOptions o;
    o.maxTokens = 12;
    o.overlapTokens = 5;
    const auto chunks = fm::rag::chunkDocument(d, o, words);
    checkSpans(d, chunks);
    QVERIFY(chunks.size() >= 5);
    for (const Chunk& c : chunks) {
      QVERIFY2(c.tokens <= 12 && words(c.text) == c.tokens, c.text.c_str());
      // Cut at sentence ends: every chunk ends with a full stop (the headings, with their name).
      QVERIFY2(c.text.back() == '.' || c.text == "Policies", c.text.c_str());
    }
    // Neighbours in one section share a sentence.
    int overlapping = 0;
    for (size_t i = 1; i < chunks.size(); ++i)
      if (chunks[i].where.section == chunks[i - 1].where.section && chunks[i].where.begin < chunks[i - 1].where.end)
        ++overlapping;
    QVERIFY(overlapping >= 3);
    // Every sentence is in some chunk.
    for (int i = 0; i < 12; ++i) {
      const std::string s = "Sentence number " + std::to_string(i) + " is here.";
      QVERIFY2(std::any_of(chunks.begin(), chunks.end(), [&](const Chunk& c) { return c.text.find(s) != std::string::npos; }),
               s.c_str());
    }
    // A heading starts a chunk, and no chunk reaches across it.
    const Chunk& travel = chunks.back();
    QVERIFY2(travel.text.rfind("Travel", 0) == 0, travel.text.c_str());
    QCOMPARE(travel.where.section, (std::vector<std::string>{"Policies", "Travel"}));
    QCOMPARE(travel.where.firstLine, 5);
    QCOMPARE(travel.where.lastLine, 8);
    for (const Chunk& c : chunks) QVERIFY(c.text.find("Travel") == std::string::npos || &c == &travel);
  }

  void aChunkNeverSpansTwoPages() {
    const Document d = fm::rag::readDocument(fixture("documents/handbook.pdf"));
    fm::rag::ChunkOptions o;
    o.maxTokens = 200;
    const auto chunks = fm::rag::chunkDocument(d, o, words);
    checkSpans(d, chunks);
    QCOMPARE(chunks.size(), size_t{3});  // three short pages, one chunk each
    for (int p = 0; p < 3; ++p) QCOMPARE(chunks[static_cast<size_t>(p)].where.page, p + 1);
  }

  void longSentencesAreCutAtSpacesThenCharacters() {
    Document d;
    fm::rag::DocumentBuilder b(d);
    std::string run;
    for (int i = 0; i < 100; ++i) run += "word" + std::to_string(i) + " ";
    b.add(run, 1, 1);
    b.add(std::string(3000, 'x'), 2, 2);
    fm::rag::ChunkOptions o;
    o.maxTokens = 30;
    o.overlapTokens = 0;
    auto chunks = fm::rag::chunkDocument(d, o, words);
    checkSpans(d, chunks);
    std::vector<int> seen(100, 0);
    for (const Chunk& c : chunks) {
      QVERIFY(c.tokens <= 30);
      std::istringstream in(c.text);
      std::string w;
      while (in >> w)
        if (w.rfind("word", 0) == 0) ++seen[static_cast<size_t>(std::stoi(w.substr(4)))];
    }
    QCOMPARE(seen, std::vector<int>(100, 1));  // no word lost or repeated
    // Characters: a counter that counts every 10 bytes as a token.
    auto bytes = [](const std::string& s) { return static_cast<int>((s.size() + 9) / 10); };
    chunks = fm::rag::chunkDocument(d, o, bytes);
    checkSpans(d, chunks);
    size_t xs = 0;
    for (const Chunk& c : chunks) {
      QVERIFY2(c.tokens <= 30, c.text.c_str());
      xs += static_cast<size_t>(std::count(c.text.begin(), c.text.end(), 'x'));
    }
    QCOMPARE(xs, size_t{3000});
  }

  void theEmbeddersOwnTokenizerDecides() {
    auto tok = fm::Tokenizer::fromFolder(fixture("tokenizers/bert_wordpiece"));
    auto count = [&](const std::string& s) { return static_cast<int>(tok->encode(s, false).size()); };
    for (const char* file : {"documents/notes.md", "documents/page.html", "documents/cp949.txt", "documents/notes.docx"}) {
      const Document d = fm::rag::readDocument(fixture(file));
      fm::rag::ChunkOptions o;
      o.maxTokens = 16;
      o.overlapTokens = 4;
      const auto chunks = fm::rag::chunkDocument(d, o, count);
      checkSpans(d, chunks);
      QVERIFY(!chunks.empty());
      for (const Chunk& c : chunks) {
        QVERIFY2(count(c.text) <= 16, (std::string(file) + ": " + c.text).c_str());
        QCOMPARE(c.tokens, count(c.text));
      }
    }
  }
};

QTEST_GUILESS_MAIN(TestRagChunker)
#include "test_rag_chunker.moc"
