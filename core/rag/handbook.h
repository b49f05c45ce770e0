// A generated handbook: documents in several formats about made-up departments (in English,
// and optionally in Korean), each holding facts with values drawn from a fixed seed, and the questions those facts answer (with the
// document, page and phrase where the answer is). The same seed gives the same files on every
// machine. Used by `fmw bench ingest` (scaled up) and the Collections demo.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace fm::rag {

// splitmix64: the same numbers on every platform (std's distributions differ between
// standard libraries), for generated documents and benchmark collections.
struct SplitMix64 {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  int below(int n) { return static_cast<int>(next() % static_cast<uint64_t>(n)); }
  double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
};

struct HandbookQuestion {
  std::string question, document, phrase;
  int page = 0;  // for PDFs
};

struct HandbookOptions {
  int documents = 5;
  int sectionsPerDocument = 3;
  int koreanDocuments = 0;  // written after the English ones, with Korean facts and questions
  uint64_t seed = 11;
};

// The documents as data: each section holds filler paragraphs and one fact (its sentence, the
// question it answers and the phrase an answer must contain). Also the source of training text
// for the Collections demo (with other seeds than the demo's handbook).
struct HandbookSection {
  std::string title;
  std::vector<std::string> paragraphs;  // the second one ends with `sentence`
  std::string sentence, question, phrase;
};
struct HandbookDocument {
  std::string name, kind, heading;  // kind: pdf, docx, html, md or txt
  bool korean = false;
  std::vector<HandbookSection> sections;
};
std::vector<HandbookDocument> makeHandbook(const HandbookOptions& options);

// Writes the documents into `dir` (made if missing): PDF, Word (.docx), HTML, Markdown and text
// in turn. Returns the questions, one per fact.
std::vector<HandbookQuestion> writeHandbook(const std::filesystem::path& dir, const HandbookOptions& options);

// Writers the handbook uses, for any text: a PDF of pages of paragraphs (Latin-1 text, wrapped),
// and a Word document of headings (level 1..3) and paragraphs.
struct WordParagraph {
  std::string text;
  int headingLevel = 0;
};
void writeSimplePdf(const std::filesystem::path& file, const std::vector<std::vector<std::string>>& pages,
                    const std::string& title = {});
void writeSimpleDocx(const std::filesystem::path& file, const std::vector<WordParagraph>& paragraphs);

}  // namespace fm::rag
