// Tokenizer for a SentencePiece tokenizer.model, run by libsentencepiece itself (private to
// core/tokenize; use Tokenizer::fromFolder). Control pieces written literally in the text
// ("<s>", "</s>") are recognised and the text between them is encoded separately, as
// transformers' slow LlamaTokenizer does.
//
// A tokenizer.model carries no post-processor, so special tokens follow tokenizer_config's
// add_bos_token/add_eos_token: one text is [BOS] A [EOS], and a pair is each text encoded
// that way one after the other, [BOS] A [EOS] [BOS] B [EOS] (LlamaTokenizer's
// build_inputs_with_special_tokens). Every token type id is 0: the models that ship only a
// tokenizer.model have no token type embeddings. Truncation is HF's longest_first.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tokenize/spm_backend.h"
#include "tokenize/tokenizer.h"

namespace fm {

class SentencePieceTokenizer : public Tokenizer {
 public:
  // Throws IoError when the file cannot be read, FormatError when it is not a model.
  static std::unique_ptr<SentencePieceTokenizer> fromFile(const std::filesystem::path& model);
  ~SentencePieceTokenizer() override;

  std::vector<int32_t> encode(const std::string& text, bool addSpecial) const override;
  std::string decode(const std::vector<int32_t>& ids, bool skipSpecial) const override;
  int32_t vocabSize() const override;
  std::string idToPiece(int32_t id) const override;
  std::optional<int32_t> pieceToId(const std::string& piece) const override;
  bool isSpecial(int32_t id) const override;
  std::string kind() const override { return "SentencePiece (tokenizer.model)"; }
  size_t specialTokenCount(bool pair) const override;

  // SiglipTokenizer's text clean-up before SentencePiece, applied to the text between
  // special tokens: lower-cased (when `lowercase`), ASCII punctuation removed, runs of
  // white space made one space, and the ends trimmed (big_vision's canonicalize_text).
  void canonicalizeText(bool lowercase) {
    m_canonical = true;
    m_lowercase = lowercase;
  }

 protected:
  Encoding withSpecialTokens(std::vector<int32_t> first,
                             const std::vector<int32_t>* second) const override;

 private:
  SentencePieceTokenizer();
  void encodePlain(const std::string& text, std::vector<int32_t>& ids) const;

  std::unique_ptr<SpmBackend> m_sp;
  std::vector<std::pair<std::string, int32_t>> m_controlPieces;  // longest first
  bool m_canonical = false, m_lowercase = false;
};

}  // namespace fm
