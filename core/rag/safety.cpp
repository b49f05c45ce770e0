#include "rag/safety.h"

#include <pcre2.h>

#include <cctype>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace fm::rag {

namespace {

class Pattern {
 public:
  explicit Pattern(const char* re, uint32_t flags = 0) {
    int err = 0;
    PCRE2_SIZE off = 0;
    m_code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(re), PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP | flags, &err,
                           &off, nullptr);
    if (!m_code) throw std::logic_error(std::string("bad pattern: ") + re);
    pcre2_jit_compile(m_code, PCRE2_JIT_COMPLETE);
  }
  ~Pattern() { pcre2_code_free(m_code); }
  Pattern(const Pattern&) = delete;
  Pattern& operator=(const Pattern&) = delete;

  // Replaces every match that `accept` takes with `replacement`; counts them.
  std::string replace(const std::string& text, const char* replacement, int& count,
                      const std::function<bool(const std::string&)>& accept = {}) const {
    std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> md(
        pcre2_match_data_create_from_pattern(m_code, nullptr), &pcre2_match_data_free);
    std::string out;
    size_t pos = 0;
    while (pos <= text.size()) {
      const int rc = pcre2_match(m_code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), pos,
                                 PCRE2_NO_UTF_CHECK, md.get(), nullptr);
      if (rc < 0) break;
      const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.get());
      const size_t a = ov[0], b = ov[1];
      const std::string found = text.substr(a, b - a);
      out.append(text, pos, a - pos);
      if (b > a && (!accept || accept(found))) {
        out += replacement;
        ++count;
      } else {
        out += found;
      }
      if (b == a) {
        if (a < text.size()) out += text[a];
        pos = a + 1;
      } else {
        pos = b;
      }
    }
    if (pos < text.size()) out.append(text, pos, std::string::npos);
    return out;
  }

  std::string find(const std::string& text) const {
    std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> md(
        pcre2_match_data_create_from_pattern(m_code, nullptr), &pcre2_match_data_free);
    if (pcre2_match(m_code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0, 0, md.get(), nullptr) < 0)
      return {};
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.get());
    return text.substr(ov[0], ov[1] - ov[0]);
  }

 private:
  pcre2_code* m_code = nullptr;
};

std::string digitsOf(const std::string& s) {
  std::string d;
  for (char c : s)
    if (std::isdigit(static_cast<unsigned char>(c))) d += c;
  return d;
}

bool validBirthDate(const std::string& yymmdd) {
  const int mm = std::stoi(yymmdd.substr(2, 2)), dd = std::stoi(yymmdd.substr(4, 2));
  return mm >= 1 && mm <= 12 && dd >= 1 && dd <= 31;
}

}  // namespace

bool luhnValid(const std::string& digits) {
  if (digits.size() < 13 || digits.size() > 19) return false;
  int sum = 0;
  bool twice = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int d = *it - '0';
    if (twice && (d *= 2) > 9) d -= 9;
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

bool ibanValid(const std::string& compact) {
  if (compact.size() < 15 || compact.size() > 34) return false;
  const std::string moved = compact.substr(4) + compact.substr(0, 4);
  int rem = 0;
  for (char c : moved) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      rem = (rem * 10 + (c - '0')) % 97;
    } else if (c >= 'A' && c <= 'Z') {
      const int v = c - 'A' + 10;
      rem = (rem * 100 + v) % 97;
    } else {
      return false;
    }
  }
  return rem == 1;
}

std::string maskPersonalData(const std::string& text, MaskCounts* counts) {
  // Compiled once; PCRE2 code is safe to share between threads for matching.
  static const Pattern email(R"([A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,})");
  static const Pattern rrn(R"((?<![\d-])\d{6}-[1-8]\d{6}(?![\d-]))");
  static const Pattern ssn(R"((?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-]))");
  static const Pattern iban(R"((?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9]))");
  static const Pattern card(R"((?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-]))");
  static const Pattern phone(
      R"((?<![\w+])(?<!\d[ .\-])(?:\+\d{1,3}[ .\-]?)?(?:\(\d{1,4}\)[ .\-]?|\d{2,4}[ .\-])\d{3,4}[ .\-]\d{4}(?![\w-])(?![ .]\d))");
  MaskCounts local;
  MaskCounts& c = counts ? *counts : local;
  std::string s = email.replace(text, "[email]", c.email);
  s = rrn.replace(s, "[RRN]", c.rrn, [](const std::string& m) { return validBirthDate(m.substr(0, 6)); });
  s = ssn.replace(s, "[SSN]", c.ssn);
  s = iban.replace(s, "[IBAN]", c.iban, [](const std::string& m) {
    std::string compact;
    for (char ch : m)
      if (ch != ' ') compact += ch;
    return ibanValid(compact);
  });
  s = card.replace(s, "[card]", c.card, [](const std::string& m) { return luhnValid(digitsOf(m)); });
  s = phone.replace(s, "[phone]", c.phone, [](const std::string& m) { return digitsOf(m).size() >= 9; });
  return s;
}

std::string instructionFlag(const std::string& text) {
  static const Pattern english(
      R"((?i)\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+|your\s+)*(?:previous|prior|above|earlier|preceding|system|other)\s+(?:instructions?|prompts?|directions?|rules|messages?)\b|\byou\s+are\s+now\s+(?:a|an|in)\b|\bnew\s+instructions?\s*:|\b(?:reveal|print|show|repeat)\s+(?:your|the)\s+(?:system\s+)?(?:prompt|instructions)\b|\bdo\s+not\s+(?:tell|inform)\s+the\s+user\b|\banswer\s+(?:only\s+)?with\s+["'])");
  static const Pattern korean(
      R"((?:이전|위의?|앞의|기존)\s*(?:의\s*)?(?:모든\s*)?(?:지시|지침|명령|프롬프트)(?:를|을|는|사항을)?\s*(?:모두\s*)?무시|시스템\s*프롬프트(?:를|을)?\s*(?:출력|공개|보여)|지금부터\s*너는)");
  std::string hit = english.find(text);
  if (hit.empty()) hit = korean.find(text);
  return hit.empty() ? std::string() : "reads like an instruction to the model: \"" + hit + "\"";
}

}  // namespace fm::rag
