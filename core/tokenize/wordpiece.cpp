// WordPiece (BERT) and WordLevel models, plus the model factory (BPE and Unigram live in
// their own files).
#include "tokenize/hf_components.h"
#include "tokenize/text_util.h"
#include "util/error.h"

namespace fm::hf {
namespace {

constexpr const char* kSupported = "BPE, Unigram, WordPiece, WordLevel";

class VocabModel : public Model {
 public:
  VocabModel(std::unordered_map<std::string, int32_t> vocab, std::string unkToken)
      : m_vocab(std::move(vocab)), m_unkToken(std::move(unkToken)) {
    for (const auto& [token, id] : m_vocab) {
      if (id < 0) continue;
      if (static_cast<size_t>(id) >= m_idToToken.size()) m_idToToken.resize(id + 1);
      m_idToToken[id] = token;
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

 protected:
  // A model whose unk token is missing from its vocab cannot encode unknown words; HF fails
  // the encode, and dropping the word silently would be worse.
  int32_t unkId() const {
    auto id = tokenToId(m_unkToken);
    if (!id) {
      throw FormatError("tokenizer: unk_token \"" + m_unkToken + "\" is not in the vocabulary");
    }
    return *id;
  }

  std::unordered_map<std::string, int32_t> m_vocab;
  std::vector<std::string> m_idToToken;
  std::string m_unkToken;
};

class WordPiece : public VocabModel {
 public:
  WordPiece(std::unordered_map<std::string, int32_t> vocab, std::string unkToken,
            std::string prefix, size_t maxChars)
      : VocabModel(std::move(vocab), std::move(unkToken)), m_prefix(std::move(prefix)),
        m_maxChars(maxChars) {}

  void tokenize(const std::string& word, std::vector<int32_t>& ids) const override {
    if (word.empty()) return;
    if (text::countChars(word) > m_maxChars) {
      ids.push_back(unkId());
      return;
    }
    const std::vector<size_t> starts = text::charStarts(word);
    std::vector<int32_t> pieces;
    size_t startChar = 0;
    const size_t count = starts.size() - 1;
    while (startChar < count) {
      // Greedy longest match first, shrinking one character at a time.
      std::optional<int32_t> found;
      size_t endChar = count;
      for (; endChar > startChar; --endChar) {
        std::string sub = word.substr(starts[startChar], starts[endChar] - starts[startChar]);
        if (startChar > 0) sub = m_prefix + sub;
        if (auto id = tokenToId(sub)) {
          found = id;
          break;
        }
      }
      if (!found) {
        ids.push_back(unkId());
        return;
      }
      pieces.push_back(*found);
      startChar = endChar;
    }
    ids.insert(ids.end(), pieces.begin(), pieces.end());
  }

 private:
  std::string m_prefix;
  size_t m_maxChars;
};

class WordLevel : public VocabModel {
 public:
  using VocabModel::VocabModel;
  void tokenize(const std::string& word, std::vector<int32_t>& ids) const override {
    if (auto id = tokenToId(word)) {
      ids.push_back(*id);
    } else {
      ids.push_back(unkId());
    }
  }
};

std::unordered_map<std::string, int32_t> readVocab(const Json& section, const std::string& file) {
  const Json& vocabJson = section.value("vocab", Json());
  if (!vocabJson.is_object()) throwFormat(file, "model.vocab must be an object of token: id");
  std::unordered_map<std::string, int32_t> vocab;
  for (auto it = vocabJson.begin(); it != vocabJson.end(); ++it) {
    if (!it.value().is_number_integer()) {
      throwFormat(file, "model.vocab[\"" + it.key() + "\"] is not an integer id");
    }
    vocab.emplace(it.key(), checkedTokenId(it.value(), file, "model.vocab[\"" + it.key() + "\"]"));
  }
  return vocab;
}

}  // namespace

std::unique_ptr<Model> makeWordPieceFromVocab(std::unordered_map<std::string, int32_t> vocab,
                                              std::string unkToken) {
  return std::make_unique<WordPiece>(std::move(vocab), std::move(unkToken), "##", 100);
}

std::unique_ptr<Model> makeModel(const Json& section, const std::string& file) {
  if (section.is_null()) throwFormat(file, "has no \"model\"");
  // Old files omit "type" for BPE; HF then infers it from the presence of merges.
  std::string type;
  if (section.is_object() && !section.contains("type") && section.contains("merges")) {
    type = "BPE";
  } else {
    type = typeOf(section, file, "model");
  }
  if (type == "BPE") return makeBpe(section, file);
  if (type == "Unigram") return makeUnigram(section, file);
  if (type == "WordPiece") {
    return std::make_unique<WordPiece>(
        readVocab(section, file), section.value("unk_token", std::string("[UNK]")),
        section.value("continuing_subword_prefix", std::string("##")),
        section.value("max_input_chars_per_word", static_cast<size_t>(100)));
  }
  if (type == "WordLevel") {
    return std::make_unique<WordLevel>(readVocab(section, file),
                                       section.value("unk_token", std::string("<unk>")));
  }
  throwUnsupported(file, "model", type, kSupported);
}

}  // namespace fm::hf
