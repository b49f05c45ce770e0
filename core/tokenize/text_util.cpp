#include "tokenize/text_util.h"

#include <pcre2.h>
#include <utf8proc.h>

#include <cstdlib>
#include <stdexcept>

namespace fm::text {

char32_t decodeAt(const std::string& s, size_t pos, size_t* len) {
  utf8proc_int32_t cp = 0;
  utf8proc_ssize_t n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + pos),
                                        static_cast<utf8proc_ssize_t>(s.size() - pos), &cp);
  if (n <= 0) {
    *len = 1;
    return 0xFFFD;
  }
  *len = static_cast<size_t>(n);
  return static_cast<char32_t>(cp);
}

void appendUtf8(std::string& out, char32_t cp) {
  utf8proc_uint8_t buf[4];
  utf8proc_ssize_t n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(cp), buf);
  out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

std::u32string toU32(const std::string& s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0, n = 0; i < s.size(); i += n) out.push_back(decodeAt(s, i, &n));
  return out;
}

std::string fromU32(const std::u32string& s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t c : s) appendUtf8(out, c);
  return out;
}

std::vector<size_t> charStarts(const std::string& s) {
  std::vector<size_t> starts;
  starts.reserve(s.size() + 1);
  for (size_t i = 0, n = 0; i < s.size(); i += n) {
    starts.push_back(i);
    decodeAt(s, i, &n);
  }
  starts.push_back(s.size());
  return starts;
}

size_t countChars(const std::string& s) {
  size_t count = 0;
  for (size_t i = 0, n = 0; i < s.size(); i += n, ++count) decodeAt(s, i, &n);
  return count;
}

std::vector<size_t> graphemeStarts(const std::string& s) {
  std::vector<size_t> starts;
  utf8proc_int32_t state = 0;
  char32_t prev = 0;
  for (size_t i = 0, n = 0; i < s.size(); i += n) {
    char32_t c = decodeAt(s, i, &n);
    if (i == 0 || utf8proc_grapheme_break_stateful(static_cast<utf8proc_int32_t>(prev),
                                                    static_cast<utf8proc_int32_t>(c), &state)) {
      starts.push_back(i);
    }
    prev = c;
  }
  starts.push_back(s.size());
  return starts;
}

bool isValidUtf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i),
                                          static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
    if (n <= 0) return false;
    i += static_cast<size_t>(n);
  }
  return true;
}

std::string lossyUtf8(const std::string& bytes) {
  if (isValidUtf8(bytes)) return bytes;
  std::string out;
  out.reserve(bytes.size() + 8);
  for (size_t i = 0; i < bytes.size();) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n =
        utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(bytes.data() + i),
                         static_cast<utf8proc_ssize_t>(bytes.size() - i), &cp);
    if (n > 0) {
      out.append(bytes, i, static_cast<size_t>(n));
      i += static_cast<size_t>(n);
      continue;
    }
    // Rust replaces a maximal invalid prefix of a well-started sequence by one U+FFFD: skip
    // the lead byte and any continuation bytes that could still belong to it.
    const auto lead = static_cast<unsigned char>(bytes[i]);
    size_t want = lead >= 0xF0 && lead <= 0xF4 ? 4 : lead >= 0xE0 && lead <= 0xEF ? 3
                  : lead >= 0xC2 && lead <= 0xDF ? 2 : 1;
    size_t j = i + 1;
    while (j < bytes.size() && j < i + want &&
           (static_cast<unsigned char>(bytes[j]) & 0xC0) == 0x80) {
      ++j;
    }
    appendUtf8(out, 0xFFFD);
    i = j;
  }
  return out;
}

bool isWhitespace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

static utf8proc_category_t category(char32_t c) {
  return utf8proc_category(static_cast<utf8proc_int32_t>(c));
}

bool isPunctuation(char32_t c) {
  switch (category(c)) {
    case UTF8PROC_CATEGORY_PC: case UTF8PROC_CATEGORY_PD: case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE: case UTF8PROC_CATEGORY_PI: case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO:
      return true;
    default:
      return false;
  }
}

bool isOther(char32_t c) {
  switch (category(c)) {
    case UTF8PROC_CATEGORY_CN: case UTF8PROC_CATEGORY_CC: case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_CS: case UTF8PROC_CATEGORY_CO:
      return true;
    default:
      return false;
  }
}

bool isNonspacingMark(char32_t c) { return category(c) == UTF8PROC_CATEGORY_MN; }

bool isNumeric(char32_t c) {
  auto cat = category(c);
  return cat == UTF8PROC_CATEGORY_ND || cat == UTF8PROC_CATEGORY_NL || cat == UTF8PROC_CATEGORY_NO;
}

bool isWordChar(char32_t c) {
  if (c == 0x200C || c == 0x200D) return true;  // Join_Control
  switch (category(c)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME: case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_PC:
      return true;
    default:
      return false;
  }
}

std::string normalize(const std::string& s, NormalForm form) {
  if (s.empty()) return s;
  int options = UTF8PROC_STABLE;
  switch (form) {
    case NormalForm::NFC: options |= UTF8PROC_COMPOSE; break;
    case NormalForm::NFD: options |= UTF8PROC_DECOMPOSE; break;
    case NormalForm::NFKC: options |= UTF8PROC_COMPOSE | UTF8PROC_COMPAT; break;
    case NormalForm::NFKD: options |= UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT; break;
  }
  utf8proc_uint8_t* out = nullptr;
  // Invalid UTF-8 cannot come from a std::string built by this code, but user text might
  // carry it; leave such text unnormalised rather than fail the whole encode.
  utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()),
                                    static_cast<utf8proc_ssize_t>(s.size()), &out,
                                    static_cast<utf8proc_option_t>(options));
  if (n < 0) return s;
  std::string result(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
  std::free(out);
  return result;
}

std::string lowercase(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0, n = 0; i < s.size(); i += n) {
    char32_t c = decodeAt(s, i, &n);
    // U+0130 is the one common letter whose full lowercase (Rust to_lowercase) is two code
    // points; utf8proc only offers the simple mapping.
    if (c == 0x130) {
      out += "i\xCC\x87";
      continue;
    }
    appendUtf8(out, static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c))));
  }
  return out;
}

std::string stripWhitespace(const std::string& s, bool left, bool right) {
  size_t begin = 0, end = s.size();
  if (left) {
    while (begin < end) {
      size_t n = 0;
      if (!isWhitespace(decodeAt(s, begin, &n))) break;
      begin += n;
    }
  }
  if (right) {
    while (end > begin) {
      size_t start = end - 1;
      while (start > begin && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
      size_t n = 0;
      if (!isWhitespace(decodeAt(s, start, &n))) break;
      end = start;
    }
  }
  return s.substr(begin, end - begin);
}

struct Regex::Impl {
  pcre2_code* code = nullptr;
  bool jit = false;
};

Regex::Regex(const std::string& pattern) : m_impl(std::make_unique<Impl>()) {
  int errorCode = 0;
  PCRE2_SIZE errorOffset = 0;
  m_impl->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                               PCRE2_UTF | PCRE2_UCP, &errorCode, &errorOffset, nullptr);
  if (!m_impl->code) {
    PCRE2_UCHAR buffer[256];
    pcre2_get_error_message(errorCode, buffer, sizeof(buffer));
    throw std::runtime_error("regex \"" + pattern + "\" does not compile at offset " +
                             std::to_string(errorOffset) + ": " +
                             reinterpret_cast<const char*>(buffer));
  }
  m_impl->jit = pcre2_jit_compile(m_impl->code, PCRE2_JIT_COMPLETE) == 0;
}

Regex::~Regex() {
  if (m_impl && m_impl->code) pcre2_code_free(m_impl->code);
}

std::vector<std::pair<size_t, size_t>> Regex::findAll(const std::string& subject) const {
  std::vector<std::pair<size_t, size_t>> matches;
  pcre2_match_data* data = pcre2_match_data_create_from_pattern(m_impl->code, nullptr);
  const auto* text = reinterpret_cast<PCRE2_SPTR>(subject.data());
  // Subjects that are not valid UTF-8 would make every match fail with an error; such text
  // only reaches here through user input, and it is safer to treat it as unmatched.
  const uint32_t options = isValidUtf8(subject) ? PCRE2_NO_UTF_CHECK : 0;
  size_t offset = 0;
  while (offset <= subject.size()) {
    int rc = m_impl->jit ? pcre2_jit_match(m_impl->code, text, subject.size(), offset, options,
                                           data, nullptr)
                         : pcre2_match(m_impl->code, text, subject.size(), offset, options, data,
                                       nullptr);
    if (rc < 0) break;
    PCRE2_SIZE* ov = pcre2_get_ovector_pointer(data);
    size_t start = ov[0], end = ov[1];
    matches.emplace_back(start, end);
    if (end > start) {
      offset = end;
    } else {
      if (start >= subject.size()) break;
      size_t n = 0;
      decodeAt(subject, start, &n);
      offset = start + n;
    }
  }
  pcre2_match_data_free(data);
  return matches;
}

std::string Regex::escape(const std::string& literal) {
  // \Q..\E would break on a literal "\E"; escaping each ASCII metacharacter is always safe.
  std::string out;
  for (char c : literal) {
    if (std::string("\\^$.|?*+()[]{}-/#").find(c) != std::string::npos) out += '\\';
    out += c;
  }
  return out;
}

}  // namespace fm::text
