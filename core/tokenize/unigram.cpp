// Unigram model (SentencePiece's unigram language model, as tokenizer.json stores it):
// Viterbi search for the segmentation with the highest total log-probability.
//
// Follows the Rust crate (models/unigram/model.rs, encode_optimized + tokenize):
// - candidates at each character start are every vocabulary piece that is a prefix there;
// - a character that no single-character piece covers gets an unk node scored
//   min(score) - 10, and consecutive unk nodes are fused into one unk;
// - ties keep the first candidate found (shorter pieces are found first);
// - a fused unk string that is not itself a piece becomes <0xNN> byte pieces when
//   byte_fallback is set and all of them exist, otherwise the unk id.
#include <algorithm>
#include <cstdio>
#include <limits>

#include "tokenize/hf_components.h"
#include "tokenize/text_util.h"
#include "util/error.h"

namespace fm::hf {
namespace {

constexpr double kUnkPenalty = 10.0;

// Byte trie over the pieces, children of a node contiguous and sorted by label so that a
// lookup is a binary search. Built once from the sorted piece list; about 12 bytes a node.
class PieceTrie {
 public:
  // `pieces` sorted and unique; ids[i] is the id reported for pieces[i].
  PieceTrie(const std::vector<std::string>& pieces, const std::vector<int32_t>& ids) {
    struct Work {
      uint32_t node;
      size_t lo, hi, depth;
    };
    m_nodes.push_back({});
    std::vector<Work> queue{{0, 0, pieces.size(), 0}};
    for (size_t q = 0; q < queue.size(); ++q) {
      Work w = queue[q];
      size_t lo = w.lo;
      // The piece that ends here, if any, sorts first in its range.
      if (lo < w.hi && pieces[lo].size() == w.depth) m_nodes[w.node].id = ids[lo++];
      const uint32_t first = static_cast<uint32_t>(m_nodes.size());
      uint32_t count = 0;
      while (lo < w.hi) {
        const unsigned char label = static_cast<unsigned char>(pieces[lo][w.depth]);
        size_t hi = lo;
        while (hi < w.hi && static_cast<unsigned char>(pieces[hi][w.depth]) == label) ++hi;
        Node child;
        child.label = label;
        m_nodes.push_back(child);
        queue.push_back({first + count, lo, hi, w.depth + 1});
        ++count;
        lo = hi;
      }
      m_nodes[w.node].firstChild = first;
      m_nodes[w.node].childCount = static_cast<uint16_t>(count);
    }
  }

  // Calls fn(length, id) for every piece that is a prefix of s[pos..], shortest first.
  template <typename Fn>
  void prefixes(const std::string& s, size_t pos, Fn fn) const {
    uint32_t node = 0;
    for (size_t i = pos; i < s.size(); ++i) {
      const Node& n = m_nodes[node];
      const unsigned char c = static_cast<unsigned char>(s[i]);
      auto begin = m_nodes.begin() + n.firstChild;
      auto end = begin + n.childCount;
      auto it = std::lower_bound(begin, end, c,
                                 [](const Node& a, unsigned char label) { return a.label < label; });
      if (it == end || it->label != c) return;
      node = static_cast<uint32_t>(it - m_nodes.begin());
      if (it->id >= 0) fn(i + 1 - pos, it->id);
    }
  }

 private:
  struct Node {
    uint32_t firstChild = 0;
    int32_t id = -1;
    uint16_t childCount = 0;
    unsigned char label = 0;
  };
  std::vector<Node> m_nodes;
};

class Unigram : public Model {
 public:
  Unigram(std::vector<std::pair<std::string, double>> vocab, std::optional<int32_t> unkId,
          bool byteFallback, std::string file)
      : m_vocab(std::move(vocab)), m_unkId(unkId), m_byteFallback(byteFallback),
        m_file(std::move(file)), m_trie(buildTrie()) {
    m_minScore = std::numeric_limits<double>::infinity();
    for (const auto& entry : m_vocab) m_minScore = std::min(m_minScore, entry.second);
  }

  void tokenize(const std::string& word, std::vector<int32_t>& ids) const override {
    for (const std::string& piece : segment(word)) {
      if (auto it = m_pieceToId.find(piece); it != m_pieceToId.end()) {
        ids.push_back(it->second);
      } else if (!m_byteFallback || !appendBytes(piece, ids)) {
        ids.push_back(requireUnk(piece));
      }
    }
  }

  std::optional<std::string> idToToken(int32_t id) const override {
    if (id < 0 || static_cast<size_t>(id) >= m_vocab.size()) return std::nullopt;
    return m_vocab[id].first;
  }
  std::optional<int32_t> tokenToId(const std::string& token) const override {
    auto it = m_pieceToId.find(token);
    if (it == m_pieceToId.end()) return std::nullopt;
    return it->second;
  }
  int32_t vocabSize() const override { return static_cast<int32_t>(m_vocab.size()); }

 private:
  PieceTrie buildTrie() {
    // A piece listed twice answers with its last id, as the crate's token map does.
    for (size_t id = 0; id < m_vocab.size(); ++id) {
      m_pieceToId[m_vocab[id].first] = static_cast<int32_t>(id);
    }
    std::vector<std::string> pieces;
    pieces.reserve(m_pieceToId.size());
    for (const auto& entry : m_pieceToId) pieces.push_back(entry.first);
    std::sort(pieces.begin(), pieces.end());
    std::vector<int32_t> ids;
    ids.reserve(pieces.size());
    for (const std::string& p : pieces) ids.push_back(m_pieceToId.at(p));
    return PieceTrie(pieces, ids);
  }

  int32_t requireUnk(const std::string& piece) const {
    if (!m_unkId) {
      throw FormatError(m_file + ": the Unigram model has no unk_id, so it cannot encode \"" +
                        piece + "\"");
    }
    return *m_unkId;
  }

  bool appendBytes(const std::string& piece, std::vector<int32_t>& ids) const {
    std::vector<int32_t> bytes;
    for (unsigned char b : piece) {
      char name[8];
      std::snprintf(name, sizeof(name), "<0x%02X>", b);
      auto it = m_pieceToId.find(name);
      if (it == m_pieceToId.end()) return false;
      bytes.push_back(it->second);
    }
    ids.insert(ids.end(), bytes.begin(), bytes.end());
    return true;
  }

  // The best segmentation of `word` as piece strings, unk runs fused.
  std::vector<std::string> segment(const std::string& word) const {
    std::vector<std::string> out;
    if (word.empty()) return out;
    struct Best {
      double score = 0.0;
      int64_t start = -1;  // -1: no path ends here yet
      int32_t id = 0;
    };
    const double unkScore = m_minScore - kUnkPenalty;
    std::vector<Best> best(word.size() + 1);
    for (size_t start = 0; start < word.size();) {
      size_t charLen = 0;
      text::decodeAt(word, start, &charLen);
      const double scoreHere = best[start].score;
      bool hasSingleChar = false;
      m_trie.prefixes(word, start, [&](size_t length, int32_t id) {
        Best& target = best[start + length];
        const double candidate = m_vocab[id].second + scoreHere;
        if (target.start < 0 || candidate > target.score) {
          target = {candidate, static_cast<int64_t>(start), id};
        }
        if (length == charLen) hasSingleChar = true;
      });
      if (!hasSingleChar) {
        Best& target = best[start + charLen];
        const double candidate = unkScore + scoreHere;
        if (target.start < 0 || candidate > target.score) {
          target = {candidate, static_cast<int64_t>(start), requireUnk(word.substr(start, charLen))};
        }
      }
      start += charLen;
    }
    // Walk back from the end; unk pieces collect into one string until a known piece.
    std::string unkRun;
    for (size_t end = word.size(); end > 0;) {
      const Best& node = best[end];
      const size_t start = static_cast<size_t>(node.start);
      std::string piece = word.substr(start, end - start);
      if (m_unkId && node.id == *m_unkId) {
        unkRun.insert(0, piece);
      } else {
        if (!unkRun.empty()) out.push_back(std::move(unkRun));
        unkRun.clear();
        out.push_back(std::move(piece));
      }
      end = start;
    }
    if (!unkRun.empty()) out.push_back(std::move(unkRun));
    std::reverse(out.begin(), out.end());
    return out;
  }

  std::vector<std::pair<std::string, double>> m_vocab;
  std::unordered_map<std::string, int32_t> m_pieceToId;
  std::optional<int32_t> m_unkId;
  bool m_byteFallback;
  std::string m_file;
  double m_minScore;
  PieceTrie m_trie;
};

}  // namespace

std::unique_ptr<Model> makeUnigram(const Json& section, const std::string& file) {
  const Json& vocabJson = section.value("vocab", Json());
  if (!vocabJson.is_array()) throwFormat(file, "Unigram model.vocab must be a list of [piece, score]");
  std::vector<std::pair<std::string, double>> vocab;
  vocab.reserve(vocabJson.size());
  for (const Json& entry : vocabJson) {
    if (!entry.is_array() || entry.size() != 2 || !entry[0].is_string() || !entry[1].is_number()) {
      throwFormat(file, "Unigram model.vocab[" + std::to_string(vocab.size()) +
                            "] is not [piece, score]");
    }
    vocab.emplace_back(entry[0].get<std::string>(), entry[1].get<double>());
  }
  if (vocab.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    throwFormat(file, "Unigram model.vocab has too many pieces");
  }
  std::optional<int32_t> unkId;
  const Json& unk = section.value("unk_id", Json());
  if (!unk.is_null()) {
    if (!unk.is_number_integer() || unk.get<int64_t>() < 0 ||
        unk.get<int64_t>() >= static_cast<int64_t>(vocab.size())) {
      throwFormat(file, "Unigram model.unk_id " + unk.dump() + " is not an index into its " +
                            std::to_string(vocab.size()) + " pieces");
    }
    unkId = unk.get<int32_t>();
  }
  const Json& byteFallback = section.value("byte_fallback", Json(false));
  if (!byteFallback.is_boolean()) throwFormat(file, "Unigram model.byte_fallback must be true or false");
  return std::make_unique<Unigram>(std::move(vocab), unkId, byteFallback.get<bool>(), file);
}

}  // namespace fm::hf
