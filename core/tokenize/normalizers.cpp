#include "tokenize/hf_components.h"
#include "tokenize/text_util.h"

namespace fm::hf {
namespace {

constexpr const char* kSupported =
    "NFC, NFD, NFKC, NFKD, Lowercase, StripAccents, Strip, Replace, Prepend, BertNormalizer, "
    "ByteLevel, Precompiled, Sequence";

class UnicodeNormalizer : public Normalizer {
 public:
  explicit UnicodeNormalizer(text::NormalForm form) : m_form(form) {}
  std::string normalize(const std::string& s) const override { return text::normalize(s, m_form); }

 private:
  text::NormalForm m_form;
};

class Lowercase : public Normalizer {
 public:
  std::string normalize(const std::string& s) const override { return text::lowercase(s); }
};

std::string dropNonspacingMarks(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0, n = 0; i < s.size(); i += n) {
    char32_t c = text::decodeAt(s, i, &n);
    if (!text::isNonspacingMark(c)) out.append(s, i, n);
  }
  return out;
}

// Like HF, StripAccents only drops marks; it is meant to follow an NFD/NFKD normalizer.
class StripAccents : public Normalizer {
 public:
  std::string normalize(const std::string& s) const override { return dropNonspacingMarks(s); }
};

class Strip : public Normalizer {
 public:
  Strip(bool left, bool right) : m_left(left), m_right(right) {}
  std::string normalize(const std::string& s) const override {
    return text::stripWhitespace(s, m_left, m_right);
  }

 private:
  bool m_left, m_right;
};

class Replace : public Normalizer {
 public:
  Replace(const std::string& pattern, std::string content)
      : m_regex(pattern), m_content(std::move(content)) {}
  std::string normalize(const std::string& s) const override {
    std::string out;
    size_t prev = 0;
    for (auto [start, end] : m_regex.findAll(s)) {
      if (end == start) continue;
      out.append(s, prev, start - prev);
      out += m_content;
      prev = end;
    }
    out.append(s, prev, std::string::npos);
    return out;
  }

 private:
  text::Regex m_regex;
  std::string m_content;
};

class Prepend : public Normalizer {
 public:
  explicit Prepend(std::string prefix) : m_prefix(std::move(prefix)) {}
  std::string normalize(const std::string& s) const override {
    return s.empty() ? s : m_prefix + s;
  }

 private:
  std::string m_prefix;
};

bool isChineseChar(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
         (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

class BertNormalizer : public Normalizer {
 public:
  BertNormalizer(bool cleanText, bool chineseChars, bool stripAccents, bool lower)
      : m_cleanText(cleanText), m_chineseChars(chineseChars), m_stripAccents(stripAccents),
        m_lowercase(lower) {}

  std::string normalize(const std::string& s) const override {
    std::string out;
    out.reserve(s.size() + 8);
    for (size_t i = 0, n = 0; i < s.size(); i += n) {
      char32_t c = text::decodeAt(s, i, &n);
      if (m_cleanText) {
        bool tabOrNewline = c == '\t' || c == '\n' || c == '\r';
        if (c == 0 || c == 0xFFFD || (!tabOrNewline && text::isOther(c))) continue;
        if (tabOrNewline || text::isWhitespace(c)) c = ' ';
      }
      if (m_chineseChars && isChineseChar(c)) {
        out += ' ';
        text::appendUtf8(out, c);
        out += ' ';
      } else {
        text::appendUtf8(out, c);
      }
    }
    if (m_stripAccents) out = dropNonspacingMarks(text::normalize(out, text::NormalForm::NFD));
    if (m_lowercase) out = text::lowercase(out);
    return out;
  }

 private:
  bool m_cleanText, m_chineseChars, m_stripAccents, m_lowercase;
};

class ByteLevelNormalizer : public Normalizer {
 public:
  std::string normalize(const std::string& s) const override {
    std::string out;
    for (unsigned char b : s) out += byteToUnicode(b);
    return out;
  }
};

class SequenceNormalizer : public Normalizer {
 public:
  explicit SequenceNormalizer(std::vector<std::unique_ptr<Normalizer>> steps)
      : m_steps(std::move(steps)) {}
  std::string normalize(const std::string& s) const override {
    std::string out = s;
    for (const auto& step : m_steps) out = step->normalize(out);
    return out;
  }

 private:
  std::vector<std::unique_ptr<Normalizer>> m_steps;
};

}  // namespace

std::unique_ptr<Normalizer> makeNormalizer(const Json& section, const std::string& file,
                                           int depth) {
  if (section.is_null()) return nullptr;
  const std::string type = typeOf(section, file, "normalizer");
  if (type == "NFC") return std::make_unique<UnicodeNormalizer>(text::NormalForm::NFC);
  if (type == "NFD") return std::make_unique<UnicodeNormalizer>(text::NormalForm::NFD);
  if (type == "NFKC") return std::make_unique<UnicodeNormalizer>(text::NormalForm::NFKC);
  if (type == "NFKD") return std::make_unique<UnicodeNormalizer>(text::NormalForm::NFKD);
  if (type == "Lowercase") return std::make_unique<Lowercase>();
  if (type == "StripAccents") return std::make_unique<StripAccents>();
  if (type == "Strip") {
    return std::make_unique<Strip>(section.value("strip_left", true),
                                   section.value("strip_right", true));
  }
  if (type == "Replace") {
    std::string pattern = patternOf(section.value("pattern", Json()), file, "normalizer Replace");
    try {
      return std::make_unique<Replace>(pattern, section.value("content", std::string()));
    } catch (const std::runtime_error& e) {
      throwFormat(file, std::string("normalizer Replace: ") + e.what());
    }
  }
  if (type == "Prepend") return std::make_unique<Prepend>(section.value("prepend", std::string()));
  if (type == "BertNormalizer") {
    bool lower = section.value("lowercase", true);
    const Json& strip = section.value("strip_accents", Json());
    bool stripAccents = strip.is_boolean() ? strip.get<bool>() : lower;
    return std::make_unique<BertNormalizer>(section.value("clean_text", true),
                                            section.value("handle_chinese_chars", true),
                                            stripAccents, lower);
  }
  if (type == "ByteLevel") return std::make_unique<ByteLevelNormalizer>();
  if (type == "Precompiled") return makePrecompiled(section, file);
  if (type == "Sequence") {
    checkSequenceDepth(depth, file, "normalizer");
    std::vector<std::unique_ptr<Normalizer>> steps;
    for (const Json& step : section.value("normalizers", Json::array())) {
      if (auto n = makeNormalizer(step, file, depth + 1)) steps.push_back(std::move(n));
    }
    return std::make_unique<SequenceNormalizer>(std::move(steps));
  }
  throwUnsupported(file, "normalizer", type, kSupported);
}

}  // namespace fm::hf
