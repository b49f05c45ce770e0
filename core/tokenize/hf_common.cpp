#include <array>

#include "tokenize/hf_components.h"
#include "tokenize/text_util.h"
#include "util/error.h"

namespace fm::hf {

std::string typeOf(const Json& section, const std::string& file, const char* stage) {
  if (!section.is_object()) throwFormat(file, std::string(stage) + " must be an object");
  auto it = section.find("type");
  if (it == section.end() || !it->is_string()) {
    throwFormat(file, std::string(stage) + " has no \"type\"");
  }
  return it->get<std::string>();
}

void throwUnsupported(const std::string& file, const char* stage, const std::string& type,
                      const char* supported) {
  throw UnsupportedError(file + ": " + stage + " type \"" + type +
                         "\" is not supported (supported: " + supported + ")");
}

void throwFormat(const std::string& file, const std::string& problem) {
  throw FormatError(file + ": " + problem);
}

int32_t checkedTokenId(const Json& value, const std::string& file, const std::string& what) {
  if (!value.is_number_integer()) throwFormat(file, what + " is not an integer id");
  const int64_t id = value.is_number_unsigned() && value.get<uint64_t>() > static_cast<uint64_t>(kMaxTokenId)
                         ? kMaxTokenId
                         : value.get<int64_t>();
  if (id < 0 || id >= kMaxTokenId)
    throwFormat(file, what + " has the id " + value.dump() + ", outside 0.." + std::to_string(kMaxTokenId - 1) +
                          " (no vocabulary is that large; the file is damaged)");
  return static_cast<int32_t>(id);
}

void checkSequenceDepth(int depth, const std::string& file, const char* stage) {
  if (depth >= kMaxSequenceDepth) {
    throwFormat(file, std::string(stage) + " Sequence nests deeper than " +
                          std::to_string(kMaxSequenceDepth) + " levels");
  }
}

std::string patternOf(const Json& pattern, const std::string& file, const char* stage) {
  if (pattern.is_object()) {
    if (auto it = pattern.find("String"); it != pattern.end() && it->is_string()) {
      return text::Regex::escape(it->get<std::string>());
    }
    if (auto it = pattern.find("Regex"); it != pattern.end() && it->is_string()) {
      return it->get<std::string>();
    }
  }
  throwFormat(file, std::string(stage) + " pattern must be {\"String\": ...} or {\"Regex\": ...}");
}

namespace {

// GPT-2 maps the 188 printable bytes to themselves and the other 68 to U+0100 onwards, so
// that every byte has a visible, non-whitespace character.
struct ByteTable {
  std::array<std::string, 256> toChar;
  std::array<int, 0x200> fromChar;
  ByteTable() {
    fromChar.fill(-1);
    int next = 0;
    for (int b = 0; b < 256; ++b) {
      bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
      char32_t cp = printable ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + next++);
      text::appendUtf8(toChar[b], cp);
      fromChar[cp] = b;
    }
  }
};

const ByteTable& byteTable() {
  static const ByteTable table;
  return table;
}

}  // namespace

const std::string& byteToUnicode(uint8_t byte) { return byteTable().toChar[byte]; }

int unicodeToByte(char32_t cp) { return cp < 0x200 ? byteTable().fromChar[cp] : -1; }

}  // namespace fm::hf
