// UTF-8 and Unicode helpers shared by the tokenizer engines (private to core/tokenize).
// Character classes follow Rust's definitions because Hugging Face tokenizers is written in
// Rust and token ids must match it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace fm::text {

// Decodes the code point at s[pos]; sets `len` to its byte length. Invalid bytes decode as
// U+FFFD with length 1 so that callers always make progress.
char32_t decodeAt(const std::string& s, size_t pos, size_t* len);
void appendUtf8(std::string& out, char32_t cp);
std::u32string toU32(const std::string& s);
std::string fromU32(const std::u32string& s);
// Byte offsets of every code point start, plus s.size() at the end.
std::vector<size_t> charStarts(const std::string& s);
size_t countChars(const std::string& s);
// Byte offsets of every extended grapheme cluster start (Unicode UAX #29, as utf8proc
// implements it), plus s.size() at the end. Invalid bytes count as U+FFFD.
std::vector<size_t> graphemeStarts(const std::string& s);
bool isValidUtf8(const std::string& s);
// Replaces invalid sequences by U+FFFD, like Rust's String::from_utf8_lossy.
std::string lossyUtf8(const std::string& bytes);

bool isWhitespace(char32_t c);   // Unicode White_Space (Rust char::is_whitespace)
bool isPunctuation(char32_t c);  // general category P*
bool isOther(char32_t c);        // general category C*
bool isNonspacingMark(char32_t c);
bool isWordChar(char32_t c);     // regex \w: letters, marks, decimal digits, connectors
bool isNumeric(char32_t c);      // general category N*

enum class NormalForm { NFC, NFD, NFKC, NFKD };
std::string normalize(const std::string& s, NormalForm form);
std::string lowercase(const std::string& s);
std::string stripWhitespace(const std::string& s, bool left, bool right);

// PCRE2 pattern compiled with UTF + UCP (so \s, \w, \d and \p{..} are Unicode-aware, as in
// Oniguruma), JIT-compiled when the library supports it. Immutable after construction and
// safe to share between threads: every search allocates its own match data.
class Regex {
 public:
  // Throws std::runtime_error with PCRE2's message when the pattern does not compile.
  explicit Regex(const std::string& pattern);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // Non-overlapping matches, left to right, as [start, end) byte offsets. Empty matches are
  // reported but the search then advances by one character.
  std::vector<std::pair<size_t, size_t>> findAll(const std::string& subject) const;

  static std::string escape(const std::string& literal);

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace fm::text
