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

namespace fm::hf {

using Json = nlohmann::json;

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
  virtual void process(std::vector<int32_t>& ids) const = 0;
};

class Decoder {
 public:
  virtual ~Decoder() = default;
  virtual std::vector<std::string> decodeChain(std::vector<std::string> tokens) const = 0;
};

// `section` may be null (the stage is absent); factories then return nullptr.
std::unique_ptr<Normalizer> makeNormalizer(const Json& section, const std::string& file);
std::unique_ptr<PreTokenizer> makePreTokenizer(const Json& section, const std::string& file);
std::unique_ptr<Model> makeModel(const Json& section, const std::string& file);
// Token lookup for TemplateProcessing/Bert/Roberta processors that name tokens.
std::unique_ptr<PostProcessor> makePostProcessor(const Json& section, const std::string& file);
std::unique_ptr<Decoder> makeDecoder(const Json& section, const std::string& file);

std::unique_ptr<Model> makeWordPieceFromVocab(std::unordered_map<std::string, int32_t> vocab,
                                              std::string unkToken);

// Helpers shared by the factories.
std::string typeOf(const Json& section, const std::string& file, const char* stage);
[[noreturn]] void throwUnsupported(const std::string& file, const char* stage,
                                   const std::string& type, const char* supported);
[[noreturn]] void throwFormat(const std::string& file, const std::string& problem);
// A "pattern" object: {"String": "..."} or {"Regex": "..."}, returned as a PCRE2 pattern.
std::string patternOf(const Json& pattern, const std::string& file, const char* stage);

// GPT-2's byte <-> printable character table used by ByteLevel.
const std::string& byteToUnicode(uint8_t byte);
// -1 when the code point is not one of the 256 ByteLevel characters.
int unicodeToByte(char32_t cp);

}  // namespace fm::hf
