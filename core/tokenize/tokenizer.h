// Tokenizers of Hugging Face model folders.
//
//   auto tok = fm::Tokenizer::fromFolder("models/TinyLlama");   // tokenizer.json or tokenizer.model
//   std::vector<int32_t> ids = tok->encode("Hello world", /*addSpecial=*/true);
//   std::string text = tok->decode(ids, /*skipSpecial=*/true);
//
// Thread safety: a Tokenizer is immutable after construction; encode/decode may be called
// from several threads at once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fm {

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

  virtual int32_t vocabSize() const = 0;
  virtual std::string idToPiece(int32_t id) const = 0;
  virtual std::optional<int32_t> pieceToId(const std::string& piece) const = 0;
  virtual bool isSpecial(int32_t id) const = 0;

  // "byte-level BPE", "SentencePiece BPE (tokenizer.json)", "WordPiece",
  // "SentencePiece (tokenizer.model)".
  virtual std::string kind() const = 0;

  const SpecialTokens& special() const { return m_special; }
  // Raw Jinja chat template from tokenizer_config.json ("" if none).
  const std::string& chatTemplate() const { return m_chatTemplate; }

 protected:
  SpecialTokens m_special;
  std::string m_chatTemplate;
};

}  // namespace fm
