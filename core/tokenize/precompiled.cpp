// The Precompiled normalizer: SentencePiece's precompiled_charsmap, applied the way Hugging
// Face applies it (the spm_precompiled crate and normalizers/precompiled.rs).
//
// The blob is a uint32 little-endian byte size of a darts-clone double-array trie, the trie
// (uint32 little-endian units), then NUL-terminated replacement strings that the trie's
// leaf values point into. HF walks the text one extended grapheme cluster at a time: a
// cluster shorter than 6 bytes is looked up whole, and otherwise (or when that finds
// nothing) each character is looked up alone. A lookup takes the first (shortest) trie key
// that is a prefix of the chunk and replaces the whole chunk with its string. This differs
// from libsentencepiece, which takes the longest key anywhere in the text; ids must follow HF.
//
// Clusters come from utf8proc (Unicode 15.0 rules); newer Unicode adds Indic conjunct
// clusters (GB9c), but those are at least 9 bytes long and so take the per-character path
// under either rule set.
#include <cstring>

#include "tokenize/hf_components.h"
#include "tokenize/text_util.h"
#include "util/error.h"

namespace fm::hf {
namespace {

// Standard base64 with padding (Rust's BASE64_STANDARD); returns false on any stray byte.
bool decodeBase64(const std::string& in, std::string& out) {
  auto value = [](unsigned char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  if (in.size() % 4 != 0) return false;
  out.clear();
  out.reserve(in.size() / 4 * 3);
  for (size_t i = 0; i < in.size(); i += 4) {
    const bool last = i + 4 == in.size();
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const unsigned char c = static_cast<unsigned char>(in[i + k]);
      if (c == '=' && last && k >= 2) {
        v[k] = 0;
        ++pad;
        continue;
      }
      if (pad > 0) return false;  // data after padding
      v[k] = value(c);
      if (v[k] < 0) return false;
    }
    const uint32_t triple = (static_cast<uint32_t>(v[0]) << 18) | (static_cast<uint32_t>(v[1]) << 12) |
                            (static_cast<uint32_t>(v[2]) << 6) | static_cast<uint32_t>(v[3]);
    out += static_cast<char>((triple >> 16) & 0xFF);
    if (pad < 2) out += static_cast<char>((triple >> 8) & 0xFF);
    if (pad < 1) out += static_cast<char>(triple & 0xFF);
    // Canonical encodings leave the unused low bits zero.
    if ((pad == 1 && (triple & 0xFF)) || (pad == 2 && (triple & 0xFFFF))) return false;
  }
  return true;
}

uint32_t readLe32(const std::string& blob, size_t at) {
  return static_cast<uint32_t>(static_cast<unsigned char>(blob[at])) |
         (static_cast<uint32_t>(static_cast<unsigned char>(blob[at + 1])) << 8) |
         (static_cast<uint32_t>(static_cast<unsigned char>(blob[at + 2])) << 16) |
         (static_cast<uint32_t>(static_cast<unsigned char>(blob[at + 3])) << 24);
}

// darts-clone unit fields.
bool hasLeaf(uint32_t unit) { return (unit >> 8) & 1; }
uint32_t leafValue(uint32_t unit) { return unit & 0x7FFFFFFFu; }
uint32_t label(uint32_t unit) { return unit & (0x80000000u | 0xFFu); }
uint64_t offset(uint32_t unit) {
  return static_cast<uint64_t>(unit >> 10) << ((unit & (1u << 9)) >> 6);
}

class Precompiled : public Normalizer {
 public:
  // Throws FormatError (naming `file`) unless every trie path and replacement is in bounds.
  Precompiled(const std::string& blob, const std::string& file) {
    auto corrupt = [&](const std::string& why) {
      throwFormat(file, "normalizer Precompiled: precompiled_charsmap is corrupt (" + why + ")");
    };
    if (blob.size() < 4) corrupt("shorter than its 4-byte header");
    const uint64_t trieBytes = readLe32(blob, 0);
    if (trieBytes == 0 || trieBytes % 4 != 0) {
      corrupt("trie size " + std::to_string(trieBytes) + " is not a positive multiple of 4");
    }
    if (trieBytes > blob.size() - 4) {
      corrupt("trie size " + std::to_string(trieBytes) + " exceeds the " +
              std::to_string(blob.size() - 4) + " bytes after the header");
    }
    m_units.resize(trieBytes / 4);
    for (size_t i = 0; i < m_units.size(); ++i) m_units[i] = readLe32(blob, 4 + 4 * i);
    m_strings = blob.substr(4 + trieBytes);
    if (!text::isValidUtf8(m_strings)) corrupt("replacement strings are not UTF-8");
    validateTrie(corrupt);
  }

  std::string normalize(const std::string& s) const override {
    std::string out;
    out.reserve(s.size());
    const std::vector<size_t> graphemes = text::graphemeStarts(s);
    for (size_t g = 0; g + 1 < graphemes.size(); ++g) {
      const size_t begin = graphemes[g], end = graphemes[g + 1];
      if (end - begin < 6) {
        if (const char* whole = transform(s.data() + begin, end - begin)) {
          out += whole;
          continue;
        }
      }
      for (size_t i = begin, n = 0; i < end; i += n) {
        text::decodeAt(s, i, &n);
        if (const char* one = transform(s.data() + i, n)) {
          out += one;
        } else {
          out.append(s, i, n);
        }
      }
    }
    return out;
  }

 private:
  // The replacement of the first trie key that is a prefix of chunk (keys stop at a NUL
  // byte), or null. The constructor checked that every reachable index is in bounds; the
  // checks here only keep a lookup of a key that does not exist inside the array.
  const char* transform(const char* chunk, size_t size) const {
    uint64_t pos = offset(m_units[0]);
    for (size_t i = 0; i < size; ++i) {
      const unsigned char c = static_cast<unsigned char>(chunk[i]);
      if (c == 0) break;
      pos ^= c;
      if (pos >= m_units.size() || label(m_units[pos]) != c) return nullptr;
      const uint32_t unit = m_units[pos];
      pos ^= offset(unit);
      if (hasLeaf(unit)) return m_strings.c_str() + leafValue(m_units[pos]);
    }
    return nullptr;
  }

  // Visits every node reachable from the root: each child's base and leaf unit must be in
  // the array, and each leaf must point at the start of a character in the strings with a NUL
  // after it. darts-clone shares identical subtrees (it builds from a DAWG), so a base may be
  // reached from several parents; each is checked once, which also ends any cycle.
  template <typename Corrupt>
  void validateTrie(Corrupt corrupt) const {
    const uint64_t size = m_units.size();
    std::vector<bool> visited(size, false);
    const uint64_t root = offset(m_units[0]);
    if (root >= size) corrupt("the root points outside the trie");
    std::vector<uint64_t> bases{root};
    visited[root] = true;
    while (!bases.empty()) {
      const uint64_t base = bases.back();
      bases.pop_back();
      for (uint32_t c = 1; c < 256; ++c) {
        const uint64_t pos = base ^ c;
        if (pos >= size || label(m_units[pos]) != c) continue;
        const uint64_t child = pos ^ offset(m_units[pos]);
        if (child >= size) {
          corrupt("trie unit " + std::to_string(pos) + " points outside the trie");
        }
        if (hasLeaf(m_units[pos])) {
          const uint64_t at = leafValue(m_units[child]);
          if (at >= m_strings.size()) {
            corrupt("replacement offset " + std::to_string(at) + " is outside the " +
                    std::to_string(m_strings.size()) + " bytes of strings");
          }
          if ((static_cast<unsigned char>(m_strings[at]) & 0xC0) == 0x80) {
            corrupt("replacement offset " + std::to_string(at) + " is inside a character");
          }
          if (!std::memchr(m_strings.data() + at, 0, m_strings.size() - at)) {
            corrupt("the replacement at offset " + std::to_string(at) + " has no terminating NUL");
          }
        }
        if (!visited[child]) {
          visited[child] = true;
          bases.push_back(child);
        }
      }
    }
  }

  std::vector<uint32_t> m_units;
  std::string m_strings;
};

}  // namespace

void checkPrecompiledCharsmap(const std::string& blob, const std::string& file) {
  if (!blob.empty()) Precompiled check(blob, file);
}

std::unique_ptr<Normalizer> makePrecompiled(const Json& section, const std::string& file) {
  const Json& charsmap = section.value("precompiled_charsmap", Json());
  if (charsmap.is_null()) return nullptr;
  if (!charsmap.is_string()) {
    throwFormat(file, "normalizer Precompiled: precompiled_charsmap must be a base64 string");
  }
  const std::string encoded = charsmap.get<std::string>();
  if (encoded.empty()) return nullptr;
  std::string blob;
  if (!decodeBase64(encoded, blob)) {
    throwFormat(file, "normalizer Precompiled: precompiled_charsmap is not valid base64");
  }
  return std::make_unique<Precompiled>(blob, file);
}

}  // namespace fm::hf
