#include "tokenize/tokenizer.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "tokenize/hf_tokenizer.h"
#include "tokenize/sentencepiece_tokenizer.h"
#include "util/error.h"

namespace fm {
namespace {

using Json = nlohmann::json;

std::string readText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(path.string() + ": cannot be opened for reading");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// tokenizer_config.json spells a token as "<s>" or as an AddedToken {"content": "<s>", ...}.
std::optional<std::string> tokenText(const Json& config, const char* key) {
  auto it = config.find(key);
  if (it == config.end()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object()) {
    if (auto c = it->find("content"); c != it->end() && c->is_string()) return c->get<std::string>();
  }
  return std::nullopt;
}

// chat_template is a string, or a list of {"name", "template"} of which "default" is the
// chat one (the others are tool-use or RAG variants).
std::string chatTemplateOf(const Json& config, const std::string& file) {
  auto it = config.find("chat_template");
  if (it == config.end() || it->is_null()) return std::string();
  if (it->is_string()) return it->get<std::string>();
  if (it->is_array()) {
    for (const Json& entry : *it) {
      if (entry.is_object() && entry.value("name", std::string()) == "default") {
        return entry.value("template", std::string());
      }
    }
    return std::string();
  }
  throw FormatError(file + ": chat_template must be a string or a list of {name, template}");
}

void applyConfig(Tokenizer& tok, SpecialTokens& special, std::string& chatTemplate,
                 const Json& config, const std::string& file) {
  struct Slot {
    const char* key;
    std::optional<int32_t>* id;
    std::string* text;
  };
  std::string clsText, sepText, maskText;
  const Slot slots[] = {{"bos_token", &special.bos, &special.bosText},
                        {"eos_token", &special.eos, &special.eosText},
                        {"pad_token", &special.pad, &special.padText},
                        {"unk_token", &special.unk, &special.unkText},
                        {"cls_token", &special.cls, &clsText},
                        {"sep_token", &special.sep, &sepText},
                        {"mask_token", &special.mask, &maskText}};
  for (const Slot& slot : slots) {
    auto it = config.find(slot.key);
    if (it == config.end()) continue;
    // An explicit null switches the token off (e.g. Qwen2's bos_token: null).
    if (it->is_null()) {
      slot.id->reset();
      slot.text->clear();
      continue;
    }
    if (auto text = tokenText(config, slot.key)) {
      *slot.text = *text;
      *slot.id = tok.pieceToId(*text);
    }
  }
  if (auto it = config.find("add_bos_token"); it != config.end() && it->is_boolean()) {
    special.addBos = it->get<bool>();
  }
  if (auto it = config.find("add_eos_token"); it != config.end() && it->is_boolean()) {
    special.addEos = it->get<bool>();
  }
  chatTemplate = chatTemplateOf(config, file);
}

}  // namespace

std::unique_ptr<Tokenizer> Tokenizer::fromFolder(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw IoError(dir.string() + ": is not a folder");
  }
  const auto configPath = dir / "tokenizer_config.json";
  Json config = Json::object();
  if (std::filesystem::exists(configPath, ec)) {
    try {
      config = Json::parse(readText(configPath));
    } catch (const Json::exception& e) {
      throw FormatError(configPath.string() + ": invalid JSON (" + e.what() + ")");
    }
    if (!config.is_object()) throw FormatError(configPath.string() + ": is not a JSON object");
  }

  std::unique_ptr<Tokenizer> tok;
  if (std::filesystem::exists(dir / "tokenizer.json", ec)) {
    tok = HfTokenizer::fromFile(dir / "tokenizer.json");
  } else if (std::filesystem::exists(dir / "tokenizer.model", ec)) {
    tok = SentencePieceTokenizer::fromFile(dir / "tokenizer.model");
  } else if (std::filesystem::exists(dir / "vocab.txt", ec)) {
    tok = HfTokenizer::fromWordPieceVocab(dir / "vocab.txt", config.value("do_lower_case", true));
  } else {
    throw IoError(dir.string() +
                  ": no tokenizer found (looked for tokenizer.json, tokenizer.model, vocab.txt)");
  }

  applyConfig(*tok, tok->m_special, tok->m_chatTemplate, config, configPath.string());
  // Newer transformers versions save the template beside the config instead of inside it.
  if (tok->m_chatTemplate.empty() && std::filesystem::exists(dir / "chat_template.jinja", ec)) {
    tok->m_chatTemplate = readText(dir / "chat_template.jinja");
  }
  return tok;
}

std::vector<std::string> Tokenizer::encodePieces(const std::string& text, bool addSpecial) const {
  std::vector<std::string> pieces;
  for (int32_t id : encode(text, addSpecial)) pieces.push_back(idToPiece(id));
  return pieces;
}

}  // namespace fm
