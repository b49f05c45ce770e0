// The stages of a tokenizer.json pipeline (private to core/tokenize), one class per
// algorithm. Each factory reads its section of tokenizer.json and throws fm::FormatError or
// fm::UnsupportedError whose message starts with `file` (the tokenizer.json path).
//
// Semantics follow Hugging Face `tokenizers` (the Rust crate): ids must be identical.
// All stages are immutable after construction and safe to use from several threads.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "tokenize/tokenizer.h"

namespace fm::hf {

using Json = nlohmann::json;

// Sequence normalizers, pre-tokenizers, post-processors and decoders may nest; a file that
// nests them deeper than this is rejected as malformed instead of exhausting the stack.
constexpr int kMaxSequenceDepth = 64;

// One piece of pre-tokenized text. `atOrigin` says the piece starts at offset 0 of the
// original input, which Metaspace's prepend_scheme "first" needs.
struct Piece {
  std::string text;
  bool atOrigin = false;
};

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  virtual std::string normalize(const std::string& text) const = 0;
};

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  virtual std::vector<Piece> split(const Piece& piece) const = 0;
};

class Model {
 public:
  virtual ~Model() = default;
  // Appends the ids of one pre-tokenized word.
  virtual void tokenize(const std::string& word, std::vector<int32_t>& ids) const = 0;
  virtual std::optional<std::string> idToToken(int32_t id) const = 0;
  virtual std::optional<int32_t> tokenToId(const std::string& token) const = 0;
  virtual int32_t vocabSize() const = 0;  // 1 + the largest id
};

class PostProcessor {
 public:
  virtual ~PostProcessor() = default;
  // HF's process_encodings: one sequence, or a pair, whose type ids are already set to their
  // index (0, 1), in; the parts whose concatenation is the model input out.
  virtual std::vector<Encoding> process(std::vector<Encoding> parts, bool addSpecial) const = 0;
  // How many ids process() adds to one sequence or to a pair (HF's added_tokens).
  virtual size_t addedTokens(bool pair) const = 0;
};

// Runs `processor` (may be null: no special tokens) on one sequence or a pair, as HF's
// PostProcessor::process does, and concatenates the result.
Encoding postProcess(const PostProcessor* processor, std::vector<int32_t> first,
                     const std::vector<int32_t>* second, bool addSpecial);

class Decoder {
 public:
  virtual ~Decoder() = default;
  virtual std::vector<std::string> decodeChain(std::vector<std::string> tokens) const = 0;
};

// `section` may be null (the stage is absent); factories then return nullptr. `depth` is the
// Sequence nesting level of `section` (callers outside the factories leave it at 0).
std::unique_ptr<Normalizer> makeNormalizer(const Json& section, const std::string& file,
                                           int depth = 0);
std::unique_ptr<PreTokenizer> makePreTokenizer(const Json& section, const std::string& file,
                                               int depth = 0);
std::unique_ptr<Model> makeModel(const Json& section, const std::string& file);
std::unique_ptr<PostProcessor> makePostProcessor(const Json& section, const std::string& file,
                                                 int depth = 0);
std::unique_ptr<Decoder> makeDecoder(const Json& section, const std::string& file, int depth = 0);

// The individual algorithms that live in their own files.
std::unique_ptr<Model> makeBpe(const Json& section, const std::string& file);
std::unique_ptr<Model> makeUnigram(const Json& section, const std::string& file);
// SentencePiece's precompiled_charsmap (base64); nullptr for an empty one (no-op).
std::unique_ptr<Normalizer> makePrecompiled(const Json& section, const std::string& file);
// Throws FormatError naming `file` unless a raw (not base64) precompiled_charsmap is well
// formed: every trie path and replacement in bounds. Run on what libsentencepiece is given,
// which trusts the blob.
void checkPrecompiledCharsmap(const std::string& blob, const std::string& file);

std::unique_ptr<Model> makeWordPieceFromVocab(std::unordered_map<std::string, int32_t> vocab,
                                              std::string unkToken);

// Helpers shared by the factories.
std::string typeOf(const Json& section, const std::string& file, const char* stage);
[[noreturn]] void throwUnsupported(const std::string& file, const char* stage,
                                   const std::string& type, const char* supported);
[[noreturn]] void throwFormat(const std::string& file, const std::string& problem);
// A token id from the file: an integer in [0, kMaxTokenId). Vocabularies stay far below it;
// an id beyond it (or beyond int32) is a damaged file, refused before anything is sized by it.
constexpr int64_t kMaxTokenId = int64_t(1) << 24;
int32_t checkedTokenId(const Json& value, const std::string& file, const std::string& what);
// Throws FormatError when a Sequence at `depth` would nest deeper than kMaxSequenceDepth.
void checkSequenceDepth(int depth, const std::string& file, const char* stage);
// A "pattern" object: {"String": "..."} or {"Regex": "..."}, returned as a PCRE2 pattern.
std::string patternOf(const Json& pattern, const std::string& file, const char* stage);

// GPT-2's byte <-> printable character table used by ByteLevel.
const std::string& byteToUnicode(uint8_t byte);
// -1 when the code point is not one of the 256 ByteLevel characters.
int unicodeToByte(char32_t cp);

}  // namespace fm::hf
