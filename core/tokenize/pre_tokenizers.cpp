#include <algorithm>
#include <functional>

#include "tokenize/hf_components.h"
#include "tokenize/text_util.h"
#include "util/error.h"

namespace fm::hf {
namespace {

constexpr const char* kSupported =
    "ByteLevel, Split, Metaspace, BertPreTokenizer, Whitespace, WhitespaceSplit, Punctuation, "
    "Digits, CharDelimiterSplit, Sequence";

// The regex GPT-2 (and ByteLevel's use_regex) splits words with.
constexpr const char* kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

// Rust regex's \w is Alphabetic + marks + decimal digits + connectors, which PCRE2 10.42's
// \w (letters, all numbers, underscore) is not; spell it out.
constexpr const char* kWhitespacePattern =
    R"([\p{L}\p{M}\p{Nd}\p{Nl}\p{Pc}\x{200C}\x{200D}]+|[^\p{L}\p{M}\p{Nd}\p{Nl}\p{Pc}\x{200C}\x{200D}\s]+)";

enum class Behavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

struct Span {
  size_t start, end;
  bool isMatch;
};

// Turns a cover of the text by matched/unmatched spans into pieces, as
// NormalizedString::split does for each delimiter behaviour.
std::vector<Piece> applyBehavior(const Piece& piece, const std::vector<Span>& spans,
                                 Behavior behavior) {
  std::vector<std::pair<Span, bool>> parts;  // span, remove
  bool previousMatch = false;
  switch (behavior) {
    case Behavior::Isolated:
      for (const Span& s : spans) parts.push_back({s, false});
      break;
    case Behavior::Removed:
      for (const Span& s : spans) parts.push_back({s, s.isMatch});
      break;
    case Behavior::Contiguous:
      for (const Span& s : spans) {
        if (s.isMatch == previousMatch && !parts.empty()) {
          parts.back().first.end = s.end;
        } else {
          parts.push_back({s, false});
        }
        previousMatch = s.isMatch;
      }
      break;
    case Behavior::MergedWithPrevious:
      for (const Span& s : spans) {
        if (s.isMatch && !previousMatch && !parts.empty()) {
          parts.back().first.end = s.end;
        } else {
          parts.push_back({s, false});
        }
        previousMatch = s.isMatch;
      }
      break;
    case Behavior::MergedWithNext:
      for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
        if (it->isMatch && !previousMatch && !parts.empty()) {
          parts.back().first.start = it->start;
        } else {
          parts.push_back({*it, false});
        }
        previousMatch = it->isMatch;
      }
      std::reverse(parts.begin(), parts.end());
      break;
  }
  std::vector<Piece> out;
  for (const auto& [span, remove] : parts) {
    if (remove || span.end <= span.start) continue;
    out.push_back({piece.text.substr(span.start, span.end - span.start),
                   piece.atOrigin && span.start == 0});
  }
  return out;
}

std::vector<Span> regexSpans(const text::Regex& regex, const std::string& s, bool invert) {
  std::vector<Span> spans;
  size_t prev = 0;
  for (auto [start, end] : regex.findAll(s)) {
    if (prev != start) spans.push_back({prev, start, invert});
    spans.push_back({start, end, !invert});
    prev = end;
  }
  if (prev != s.size()) spans.push_back({prev, s.size(), invert});
  return spans;
}

// Every character satisfying `pred` is its own match, as Rust's Fn(char) -> bool pattern.
std::vector<Span> charSpans(const std::string& s, const std::function<bool(char32_t)>& pred) {
  std::vector<Span> spans;
  size_t last = 0;
  for (size_t i = 0, n = 0; i < s.size(); i += n) {
    char32_t c = text::decodeAt(s, i, &n);
    if (!pred(c)) continue;
    if (last < i) spans.push_back({last, i, false});
    spans.push_back({i, i + n, true});
    last = i + n;
  }
  if (last < s.size()) spans.push_back({last, s.size(), false});
  return spans;
}

bool isBertPunctuation(char32_t c) {
  bool asciiPunct = (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) ||
                    (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
  return asciiPunct || text::isPunctuation(c);
}

Behavior parseBehavior(const Json& section, const std::string& file, const char* fallback) {
  std::string name = section.value("behavior", std::string(fallback));
  if (name == "Removed") return Behavior::Removed;
  if (name == "Isolated") return Behavior::Isolated;
  if (name == "MergedWithPrevious") return Behavior::MergedWithPrevious;
  if (name == "MergedWithNext") return Behavior::MergedWithNext;
  if (name == "Contiguous") return Behavior::Contiguous;
  throwFormat(file, "pre_tokenizer behavior \"" + name + "\" is not one of Removed, Isolated, "
                    "MergedWithPrevious, MergedWithNext, Contiguous");
}

class ByteLevel : public PreTokenizer {
 public:
  ByteLevel(bool addPrefixSpace, bool useRegex)
      : m_addPrefixSpace(addPrefixSpace),
        m_regex(useRegex ? std::make_unique<text::Regex>(kGpt2Pattern) : nullptr) {}

  std::vector<Piece> split(const Piece& input) const override {
    Piece piece = input;
    if (m_addPrefixSpace && (piece.text.empty() || piece.text[0] != ' ')) {
      piece.text.insert(0, 1, ' ');
    }
    std::vector<Piece> pieces = m_regex
        ? applyBehavior(piece, regexSpans(*m_regex, piece.text, false), Behavior::Isolated)
        : std::vector<Piece>{piece};
    for (Piece& p : pieces) {
      std::string mapped;
      mapped.reserve(p.text.size() * 2);
      for (unsigned char b : p.text) mapped += byteToUnicode(b);
      p.text = std::move(mapped);
    }
    return pieces;
  }

 private:
  bool m_addPrefixSpace;
  std::unique_ptr<text::Regex> m_regex;
};

class Split : public PreTokenizer {
 public:
  Split(const std::string& pattern, Behavior behavior, bool invert)
      : m_regex(pattern), m_behavior(behavior), m_invert(invert) {}
  std::vector<Piece> split(const Piece& piece) const override {
    return applyBehavior(piece, regexSpans(m_regex, piece.text, m_invert), m_behavior);
  }

 private:
  text::Regex m_regex;
  Behavior m_behavior;
  bool m_invert;
};

enum class PrependScheme { Always, First, Never };

class Metaspace : public PreTokenizer {
 public:
  Metaspace(char32_t replacement, PrependScheme scheme, bool split)
      : m_replacement(replacement), m_scheme(scheme), m_split(split) {
    text::appendUtf8(m_replacementText, replacement);
  }

  std::vector<Piece> split(const Piece& input) const override {
    Piece piece{std::string(), input.atOrigin};
    for (char c : input.text) {
      if (c == ' ') {
        piece.text += m_replacementText;
      } else {
        piece.text += c;
      }
    }
    bool startsWithReplacement = piece.text.compare(0, m_replacementText.size(),
                                                    m_replacementText) == 0;
    if (!startsWithReplacement && (m_scheme == PrependScheme::Always ||
                                   (m_scheme == PrependScheme::First && input.atOrigin))) {
      piece.text.insert(0, m_replacementText);
    }
    if (!m_split) return {piece};
    char32_t r = m_replacement;
    return applyBehavior(piece, charSpans(piece.text, [r](char32_t c) { return c == r; }),
                         Behavior::MergedWithNext);
  }

 private:
  char32_t m_replacement;
  std::string m_replacementText;
  PrependScheme m_scheme;
  bool m_split;
};

class CharPredicateSplit : public PreTokenizer {
 public:
  CharPredicateSplit(std::function<bool(char32_t)> pred, Behavior behavior)
      : m_pred(std::move(pred)), m_behavior(behavior) {}
  std::vector<Piece> split(const Piece& piece) const override {
    return applyBehavior(piece, charSpans(piece.text, m_pred), m_behavior);
  }

 private:
  std::function<bool(char32_t)> m_pred;
  Behavior m_behavior;
};

class SequencePreTokenizer : public PreTokenizer {
 public:
  explicit SequencePreTokenizer(std::vector<std::unique_ptr<PreTokenizer>> steps)
      : m_steps(std::move(steps)) {}
  std::vector<Piece> split(const Piece& piece) const override {
    std::vector<Piece> pieces{piece};
    for (const auto& step : m_steps) {
      std::vector<Piece> next;
      for (const Piece& p : pieces) {
        for (Piece& q : step->split(p)) next.push_back(std::move(q));
      }
      pieces = std::move(next);
    }
    return pieces;
  }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> m_steps;
};

std::unique_ptr<PreTokenizer> makeBertPreTokenizer() {
  std::vector<std::unique_ptr<PreTokenizer>> steps;
  steps.push_back(std::make_unique<CharPredicateSplit>(text::isWhitespace, Behavior::Removed));
  steps.push_back(std::make_unique<CharPredicateSplit>(isBertPunctuation, Behavior::Isolated));
  return std::make_unique<SequencePreTokenizer>(std::move(steps));
}

}  // namespace

std::unique_ptr<PreTokenizer> makePreTokenizer(const Json& section, const std::string& file,
                                               int depth) {
  if (section.is_null()) return nullptr;
  const std::string type = typeOf(section, file, "pre_tokenizer");
  try {
    if (type == "ByteLevel") {
      return std::make_unique<ByteLevel>(section.value("add_prefix_space", true),
                                         section.value("use_regex", true));
    }
    if (type == "Split") {
      std::string pattern = patternOf(section.value("pattern", Json()), file, "pre_tokenizer Split");
      return std::make_unique<Split>(pattern, parseBehavior(section, file, "Isolated"),
                                     section.value("invert", false));
    }
    if (type == "Metaspace") {
      std::string replacement = section.value("replacement", std::string("\xE2\x96\x81"));
      std::u32string r = text::toU32(replacement);
      if (r.size() != 1) throwFormat(file, "Metaspace replacement must be one character");
      PrependScheme scheme = PrependScheme::Always;
      if (auto it = section.find("prepend_scheme"); it != section.end() && it->is_string()) {
        const std::string s = it->get<std::string>();
        if (s == "always") {
          scheme = PrependScheme::Always;
        } else if (s == "first") {
          scheme = PrependScheme::First;
        } else if (s == "never") {
          scheme = PrependScheme::Never;
        } else {
          throwFormat(file, "Metaspace prepend_scheme \"" + s + "\" is not always/first/never");
        }
      } else if (section.contains("add_prefix_space")) {
        scheme = section.value("add_prefix_space", true) ? PrependScheme::Always
                                                         : PrependScheme::Never;
      }
      return std::make_unique<Metaspace>(r[0], scheme, section.value("split", true));
    }
    if (type == "BertPreTokenizer") return makeBertPreTokenizer();
    if (type == "Whitespace") {
      return std::make_unique<Split>(kWhitespacePattern, Behavior::Removed, true);
    }
    if (type == "WhitespaceSplit") {
      return std::make_unique<CharPredicateSplit>(text::isWhitespace, Behavior::Removed);
    }
    if (type == "Punctuation") {
      return std::make_unique<CharPredicateSplit>(isBertPunctuation,
                                                  parseBehavior(section, file, "Isolated"));
    }
    if (type == "Digits") {
      return std::make_unique<CharPredicateSplit>(
          text::isNumeric, section.value("individual_digits", false) ? Behavior::Isolated
                                                                     : Behavior::Contiguous);
    }
    if (type == "CharDelimiterSplit") {
      std::u32string d = text::toU32(section.value("delimiter", std::string()));
      if (d.size() != 1) throwFormat(file, "CharDelimiterSplit delimiter must be one character");
      char32_t delimiter = d[0];
      return std::make_unique<CharPredicateSplit>(
          [delimiter](char32_t c) { return c == delimiter; }, Behavior::Removed);
    }
    if (type == "Sequence") {
      checkSequenceDepth(depth, file, "pre_tokenizer");
      std::vector<std::unique_ptr<PreTokenizer>> steps;
      for (const Json& step : section.value("pretokenizers", Json::array())) {
        if (auto p = makePreTokenizer(step, file, depth + 1)) steps.push_back(std::move(p));
      }
      return std::make_unique<SequencePreTokenizer>(std::move(steps));
    }
  } catch (const std::runtime_error& e) {
    // Regex compile failures surface here; typed errors pass through unchanged.
    if (dynamic_cast<const Error*>(&e)) throw;
    throwFormat(file, "pre_tokenizer " + type + ": " + e.what());
  }
  throwUnsupported(file, "pre_tokenizer", type, kSupported);
}

}  // namespace fm::hf
