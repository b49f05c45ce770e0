// Tokenizers of Hugging Face model folders.
//
//   auto tok = fm::Tokenizer::fromFolder("models/TinyLlama");   // tokenizer.json or tokenizer.model
//   std::vector<int32_t> ids = tok->encode("Hello world", /*addSpecial=*/true);
//   std::string text = tok->decode(ids, /*skipSpecial=*/true);
//
//   // Cross-encoders and embedders: special tokens, token type ids and truncation as
//   // Hugging Face does them ("longest_first" for a pair).
//   fm::Encoding one = tok->encodeForModel("a passage", /*maxLength=*/512);
//   fm::Encoding pair = tok->encodePair("a query", "a long passage ...", /*maxLength=*/512);
//   // pair.ids: [CLS] query [SEP] passage [SEP]; pair.typeIds: 0 ... 0 1 ... 1
//
// Thread safety: a Tokenizer is immutable after construction; encode/decode may be called
// from several threads at once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fm {

// Ids ready for a model: the text's ids with the special tokens, and their token type
// (segment) ids.
struct Encoding {
  std::vector<int32_t> ids;
  std::vector<int32_t> typeIds;  // token type (segment) ids, same length as ids
};

// Special tokens and chat template as read from tokenizer_config.json / tokenizer.json.
struct SpecialTokens {
  std::optional<int32_t> bos, eos, pad, unk, cls, sep, mask;
  std::string bosText, eosText, padText, unkText;
  bool addBos = false;  // tokenizer_config add_bos_token (SentencePiece-style models)
  bool addEos = false;
};

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // Loads tokenizer.json if present, else tokenizer.model (SentencePiece), else vocab.txt
  // (WordPiece). Reads tokenizer_config.json for special tokens. Throws fm::Error subclasses
  // naming the file on any problem.
  static std::unique_ptr<Tokenizer> fromFolder(const std::filesystem::path& dir);

  // Tokenizes `text`. Special/added tokens that appear literally in the text are recognised as
  // such (as Hugging Face does). With addSpecial, the post-processor's tokens (BOS, CLS/SEP...)
  // are added.
  virtual std::vector<int32_t> encode(const std::string& text, bool addSpecial) const = 0;

  // Pieces as the vocabulary spells them (e.g. "▁Hello", "Ġworld", "##ing"), same length as
  // encode().
  virtual std::vector<std::string> encodePieces(const std::string& text, bool addSpecial) const;

  virtual std::string decode(const std::vector<int32_t>& ids, bool skipSpecial) const = 0;

  // One text with the post-processor's special tokens, truncated from the right (HF
  // truncation, special tokens kept) to at most maxLength ids in total; 0 = no limit.
  // Throws ConfigError when maxLength is smaller than the special tokens alone.
  virtual Encoding encodeForModel(const std::string& text, size_t maxLength) const;
  // A pair as the post-processor's pair template says (BERT: [CLS] A [SEP] B [SEP], type ids 0
  // then 1; RoBERTa/XLM-R: <s> A </s></s> B </s>), truncated with HF's "longest_first" strategy
  // (tokenizers' truncate_encodings for LongestFirst: the budget is maxLength minus the pair's
  // added special tokens) so a long passage loses tokens before a short query does; 0 = no limit.
  // tokenizer.model folders have no pair template: see SentencePieceTokenizer.
  virtual Encoding encodePair(const std::string& first, const std::string& second,
                              size_t maxLength) const;
  // How many ids the special tokens add to one text (pair = false) or to a pair; truncation
  // leaves room for them.
  virtual size_t specialTokenCount(bool pair) const;

  virtual int32_t vocabSize() const = 0;
  virtual std::string idToPiece(int32_t id) const = 0;
  virtual std::optional<int32_t> pieceToId(const std::string& piece) const = 0;
  virtual bool isSpecial(int32_t id) const = 0;

  // "byte-level BPE", "SentencePiece BPE (tokenizer.json)",
  // "SentencePiece Unigram (tokenizer.json)", "WordPiece", "WordLevel",
  // "SentencePiece (tokenizer.model)".
  virtual std::string kind() const = 0;

  const SpecialTokens& special() const { return m_special; }
  // Jinja chat templates by name ("default" is the chat one; "tool_use" and others are
  // variants), from tokenizer_config.json, chat_template.jinja and additional_chat_templates/.
  // Render them with tokenize/chat_template.h.
  const std::map<std::string, std::string>& chatTemplates() const { return m_chatTemplates; }
  std::string chatTemplate() const {  // the default one, "" if none
    auto it = m_chatTemplates.find("default");
    return it == m_chatTemplates.end() ? std::string() : it->second;
  }

 protected:
  // Adds the special tokens around content ids that are already truncated; `second` is null
  // for a single text. The default adds none and gives the second text type id 1, as HF
  // does without a post-processor.
  virtual Encoding withSpecialTokens(std::vector<int32_t> first,
                                     const std::vector<int32_t>* second) const;

  SpecialTokens m_special;
  std::map<std::string, std::string> m_chatTemplates;
};

}  // namespace fm
