// BPE as Hugging Face runs it: characters (with byte fallback or unk), then merges applied
// lowest rank first, leftmost first among equal ranks.
#include <cstdio>
#include <mutex>
#include <queue>

#include "tokenize/hf_components.h"
#include "tokenize/text_util.h"

namespace fm::hf {
namespace {

// A word longer than this is not cached; dataset rows can contain very long "words" (URLs,
// base64) that would only evict useful entries.
constexpr size_t kMaxCachedWordBytes = 256;
constexpr size_t kCacheCapacity = 50000;

struct PairHash {
  size_t operator()(uint64_t key) const { return std::hash<uint64_t>()(key * 0x9E3779B97F4A7C15ULL); }
};

uint64_t pairKey(int32_t a, int32_t b) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
}

struct MergeInfo {
  int32_t rank;
  int32_t newId;
};

class Bpe : public Model {
 public:
  Bpe(std::unordered_map<std::string, int32_t> vocab, const Json& merges, const Json& section,
      const std::string& file)
      : m_vocab(std::move(vocab)) {
    for (const auto& [token, id] : m_vocab) {
      if (id < 0) throwFormat(file, "model vocab id " + std::to_string(id) + " is negative");
      if (static_cast<size_t>(id) >= m_idToToken.size()) m_idToToken.resize(id + 1);
      m_idToToken[id] = token;
    }
    auto optString = [&](const char* key) -> std::optional<std::string> {
      auto it = section.find(key);
      if (it == section.end() || it->is_null()) return std::nullopt;
      return it->get<std::string>();
    };
    m_unkToken = optString("unk_token");
    m_prefix = optString("continuing_subword_prefix").value_or("");
    m_suffix = optString("end_of_word_suffix").value_or("");
    m_fuseUnk = section.value("fuse_unk", false);
    m_byteFallback = section.value("byte_fallback", false);
    m_ignoreMerges = section.value("ignore_merges", false);
    if (m_unkToken) {
      if (auto id = tokenToId(*m_unkToken)) m_unkId = *id;
    }
    if (!merges.is_array()) throwFormat(file, "model.merges must be a list");
    m_merges.reserve(merges.size());
    int32_t rank = 0;
    for (const Json& merge : merges) {
      std::string a, b;
      if (merge.is_string()) {
        const std::string line = merge.get<std::string>();
        size_t space = line.find(' ');
        if (space == std::string::npos || line.find(' ', space + 1) != std::string::npos) {
          throwFormat(file, "merge \"" + line + "\" is not two tokens separated by one space");
        }
        a = line.substr(0, space);
        b = line.substr(space + 1);
      } else if (merge.is_array() && merge.size() == 2 && merge[0].is_string() &&
                 merge[1].is_string()) {
        a = merge[0].get<std::string>();
        b = merge[1].get<std::string>();
      } else {
        throwFormat(file, "merge #" + std::to_string(rank) + " is neither \"a b\" nor [a, b]");
      }
      auto aId = tokenToId(a), bId = tokenToId(b);
      std::string merged = a + (b.compare(0, m_prefix.size(), m_prefix) == 0 && !m_prefix.empty()
                                    ? b.substr(m_prefix.size()) : b);
      auto newId = tokenToId(merged);
      if (!aId || !bId || !newId) {
        throwFormat(file, "merge \"" + a + " " + b + "\" uses a token missing from the vocab");
      }
      m_merges[pairKey(*aId, *bId)] = MergeInfo{rank, *newId};
      ++rank;
    }
  }

  void tokenize(const std::string& word, std::vector<int32_t>& ids) const override {
    if (word.empty()) return;
    if (m_ignoreMerges) {
      if (auto it = m_vocab.find(word); it != m_vocab.end()) {
        ids.push_back(it->second);
        return;
      }
    }
    const bool cacheable = word.size() < kMaxCachedWordBytes;
    if (cacheable) {
      std::lock_guard<std::mutex> lock(m_cacheMutex);
      if (auto it = m_cache.find(word); it != m_cache.end()) {
        ids.insert(ids.end(), it->second.begin(), it->second.end());
        return;
      }
    }
    std::vector<int32_t> result = mergeWord(word);
    ids.insert(ids.end(), result.begin(), result.end());
    if (cacheable) {
      std::lock_guard<std::mutex> lock(m_cacheMutex);
      if (m_cache.size() < kCacheCapacity) m_cache.emplace(word, std::move(result));
    }
  }

  std::optional<std::string> idToToken(int32_t id) const override {
    if (id < 0 || static_cast<size_t>(id) >= m_idToToken.size()) return std::nullopt;
    return m_idToToken[id];
  }
  std::optional<int32_t> tokenToId(const std::string& token) const override {
    auto it = m_vocab.find(token);
    if (it == m_vocab.end()) return std::nullopt;
    return it->second;
  }
  int32_t vocabSize() const override { return static_cast<int32_t>(m_idToToken.size()); }

 private:
  std::vector<int32_t> initialSymbols(const std::string& word) const {
    std::vector<int32_t> symbols;
    std::optional<int32_t> pendingUnk;
    const std::vector<size_t> starts = text::charStarts(word);
    const size_t count = starts.size() - 1;
    for (size_t c = 0; c < count; ++c) {
      std::string s = word.substr(starts[c], starts[c + 1] - starts[c]);
      if (c > 0) s = m_prefix + s;
      if (c + 1 == count) s += m_suffix;
      if (auto it = m_vocab.find(s); it != m_vocab.end()) {
        if (pendingUnk) symbols.push_back(*pendingUnk);
        pendingUnk.reset();
        symbols.push_back(it->second);
        continue;
      }
      if (m_byteFallback) {
        std::vector<int32_t> bytes;
        for (unsigned char b : s) {
          char name[8];
          std::snprintf(name, sizeof(name), "<0x%02X>", b);
          auto it = m_vocab.find(name);
          if (it == m_vocab.end()) break;
          bytes.push_back(it->second);
        }
        if (bytes.size() == s.size()) {
          // HF leaves a pending unk in place here and emits it after these bytes.
          symbols.insert(symbols.end(), bytes.begin(), bytes.end());
          continue;
        }
      }
      if (m_unkId) {
        if (pendingUnk && !m_fuseUnk) symbols.push_back(*pendingUnk);
        pendingUnk = *m_unkId;
      }
    }
    if (pendingUnk) symbols.push_back(*pendingUnk);
    return symbols;
  }

  std::vector<int32_t> mergeWord(const std::string& word) const {
    std::vector<int32_t> sym = initialSymbols(word);
    const int n = static_cast<int>(sym.size());
    if (n < 2 || m_merges.empty()) return sym;
    std::vector<int> prev(n), next(n);
    std::vector<bool> alive(n, true);
    for (int i = 0; i < n; ++i) {
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
    }
    struct Candidate {
      int32_t rank;
      int pos;
      int32_t newId;
      bool operator>(const Candidate& o) const {
        return rank != o.rank ? rank > o.rank : pos > o.pos;
      }
    };
    std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> queue;
    auto consider = [&](int left) {
      if (left < 0 || next[left] < 0) return;
      auto it = m_merges.find(pairKey(sym[left], sym[next[left]]));
      if (it != m_merges.end()) queue.push({it->second.rank, left, it->second.newId});
    };
    for (int i = 0; i + 1 < n; ++i) consider(i);
    while (!queue.empty()) {
      Candidate top = queue.top();
      queue.pop();
      if (!alive[top.pos] || next[top.pos] < 0) continue;
      const int right = next[top.pos];
      // Entries go stale when a neighbour merged first; the pair must still map to this merge.
      auto it = m_merges.find(pairKey(sym[top.pos], sym[right]));
      if (it == m_merges.end() || it->second.newId != top.newId || it->second.rank != top.rank) {
        continue;
      }
      sym[top.pos] = top.newId;
      alive[right] = false;
      next[top.pos] = next[right];
      if (next[right] >= 0) prev[next[right]] = top.pos;
      consider(prev[top.pos]);
      consider(top.pos);
    }
    std::vector<int32_t> out;
    for (int i = 0; i >= 0; i = next[i]) out.push_back(sym[i]);
    return out;
  }

  std::unordered_map<std::string, int32_t> m_vocab;
  std::vector<std::string> m_idToToken;
  std::unordered_map<uint64_t, MergeInfo, PairHash> m_merges;
  std::optional<std::string> m_unkToken;
  std::optional<int32_t> m_unkId;
  std::string m_prefix, m_suffix;
  bool m_fuseUnk = false, m_byteFallback = false, m_ignoreMerges = false;

  mutable std::mutex m_cacheMutex;
  mutable std::unordered_map<std::string, std::vector<int32_t>> m_cache;
};

}  // namespace

std::unique_ptr<Model> makeBpe(const Json& section, const std::string& file) {
  const Json& vocabJson = section.value("vocab", Json());
  if (!vocabJson.is_object()) throwFormat(file, "model.vocab must be an object of token: id");
  std::unordered_map<std::string, int32_t> vocab;
  vocab.reserve(vocabJson.size());
  for (auto it = vocabJson.begin(); it != vocabJson.end(); ++it) {
    if (!it.value().is_number_integer()) {
      throwFormat(file, "model.vocab[\"" + it.key() + "\"] is not an integer id");
    }
    vocab.emplace(it.key(), checkedTokenId(it.value(), file, "model.vocab[\"" + it.key() + "\"]"));
  }
  return std::make_unique<Bpe>(std::move(vocab), section.value("merges", Json::array()), section,
                               file);
}

}  // namespace fm::hf
