// Tokenizer for a Hugging Face tokenizer.json (private to core/tokenize; use
// Tokenizer::fromFolder). The pipeline is HF's: added tokens are split off first, then each
// remaining segment goes normalizer -> pre-tokenizer -> model, then the post-processor adds
// the special tokens. Immutable after construction; encode/decode are thread-safe.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "tokenize/hf_components.h"
#include "tokenize/tokenizer.h"

namespace fm {

class HfTokenizer : public Tokenizer {
 public:
  struct AddedToken {
    int32_t id = 0;
    std::string content;
    bool special = false;
    bool lstrip = false;
    bool rstrip = false;
    bool singleWord = false;
    bool normalized = false;
  };

  // Throws IoError (unreadable), FormatError (malformed) or UnsupportedError (a component
  // this build does not implement), each naming the file.
  static std::unique_ptr<HfTokenizer> fromFile(const std::filesystem::path& tokenizerJson);
  // BERT's WordPiece from a vocab.txt (one token per line, id = line number) with BERT's
  // normalisation and [CLS] A [SEP] (B [SEP]) post-processing.
  static std::unique_ptr<HfTokenizer> fromWordPieceVocab(const std::filesystem::path& vocabTxt,
                                                         bool lowercase);

  std::vector<int32_t> encode(const std::string& text, bool addSpecial) const override;
  std::string decode(const std::vector<int32_t>& ids, bool skipSpecial) const override;
  int32_t vocabSize() const override;
  std::string idToPiece(int32_t id) const override;
  std::optional<int32_t> pieceToId(const std::string& piece) const override;
  bool isSpecial(int32_t id) const override;
  std::string kind() const override { return m_kind; }
  size_t specialTokenCount(bool pair) const override;

 protected:
  Encoding withSpecialTokens(std::vector<int32_t> first,
                             const std::vector<int32_t>* second) const override;

 private:
  HfTokenizer() = default;

  // Index of added tokens that can match from a given first byte, longest first, so the
  // scan finds HF's leftmost-longest match.
  struct Matcher {
    std::vector<std::vector<size_t>> byFirstByte = std::vector<std::vector<size_t>>(256);
    std::vector<std::string> patterns;  // parallel to m_added indices
    bool empty = true;
  };
  struct Segment {
    size_t start, end;
    int addedIndex;  // -1 for plain text
  };

  void setAddedTokens(std::vector<AddedToken> tokens);
  std::vector<Segment> splitOnAdded(const std::string& text, const Matcher& matcher) const;
  void encodeSegment(const std::string& text, bool atOrigin, std::vector<int32_t>& ids) const;

  std::string m_file;
  std::string m_kind;
  std::unique_ptr<hf::Normalizer> m_normalizer;
  std::unique_ptr<hf::PreTokenizer> m_preTokenizer;
  std::unique_ptr<hf::Model> m_model;
  std::unique_ptr<hf::PostProcessor> m_postProcessor;
  std::unique_ptr<hf::Decoder> m_decoder;

  // CLIP-style BPE marks word ends with a suffix that its ByteLevel decoder leaves in place;
  // transformers' CLIPTokenizerFast wraps decode to turn it into a space, and so do we.
  std::string m_wordEndToSpace;

  std::vector<AddedToken> m_added;
  std::unordered_map<int32_t, size_t> m_addedById;
  std::unordered_map<std::string, size_t> m_addedByContent;
  Matcher m_rawMatcher;         // tokens with normalized=false, matched on the input
  Matcher m_normalizedMatcher;  // tokens with normalized=true, matched after normalisation
};

}  // namespace fm
