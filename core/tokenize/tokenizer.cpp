#include "tokenize/tokenizer.h"
#include "util/json_text.h"

#include <nlohmann/json.hpp>

#include <algorithm>
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

// chat_template is a string (the default template) or a list of {"name", "template"}: the
// "default" one for chat, others for tool use or retrieval.
void readChatTemplates(const Json& config, const std::string& file,
                       std::map<std::string, std::string>& out) {
  auto it = config.find("chat_template");
  if (it == config.end() || it->is_null()) return;
  if (it->is_string()) {
    out["default"] = it->get<std::string>();
    return;
  }
  if (it->is_array()) {
    for (const Json& entry : *it) {
      auto name = entry.is_object() ? entry.find("name") : entry.end();
      auto tpl = entry.is_object() ? entry.find("template") : entry.end();
      if (!entry.is_object() || name == entry.end() || !name->is_string() || tpl == entry.end() ||
          !tpl->is_string())
        throw FormatError(file + ": each chat_template entry must be {\"name\": ..., \"template\": ...}");
      out[name->get<std::string>()] = tpl->get<std::string>();
    }
    return;
  }
  throw FormatError(file + ": chat_template must be a string or a list of {name, template}");
}

void applyConfig(Tokenizer& tok, SpecialTokens& special, std::map<std::string, std::string>& chatTemplates,
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
  readChatTemplates(config, file, chatTemplates);
}

// BERT's vocab.txt lower-cases unless tokenizer_config.json says otherwise.
bool lowerCaseSetting(const Json& config) {
  const auto it = config.find("do_lower_case");
  if (it == config.end() || it->is_null()) return true;
  if (!it->is_boolean()) throw FormatError("tokenizer_config.json: \"do_lower_case\" must be true or false");
  return it->get<bool>();
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
    config = parseJson<Json>(readText(configPath), configPath.string());
    if (!config.is_object()) throw FormatError(configPath.string() + ": is not a JSON object");
  }

  std::unique_ptr<Tokenizer> tok;
  if (std::filesystem::exists(dir / "tokenizer.json", ec)) {
    tok = HfTokenizer::fromFile(dir / "tokenizer.json");
  } else if (std::filesystem::exists(dir / "tokenizer.model", ec) || std::filesystem::exists(dir / "spiece.model", ec)) {
    // spiece.model: the name T5's and SigLIP's tokenizers give the same SentencePiece file.
    auto sp = SentencePieceTokenizer::fromFile(
        std::filesystem::exists(dir / "tokenizer.model", ec) ? dir / "tokenizer.model" : dir / "spiece.model");
    const std::string cls = config.value("tokenizer_class", std::string());
    if (cls == "T5Tokenizer" || cls == "T5TokenizerFast" || cls == "SiglipTokenizer") {
      // These add no start token and end every text with </s> (their
      // build_inputs_with_special_tokens); tokenizer_config's add_*_token still wins below.
      sp->m_special.addBos = false;
      sp->m_special.addEos = true;
    }
    if (cls == "SiglipTokenizer") sp->canonicalizeText(lowerCaseSetting(config));
    tok = std::move(sp);
  } else if (std::filesystem::exists(dir / "vocab.txt", ec)) {
    tok = HfTokenizer::fromWordPieceVocab(dir / "vocab.txt", lowerCaseSetting(config));
  } else {
    throw IoError(dir.string() +
                  ": no tokenizer found (looked for tokenizer.json, tokenizer.model, spiece.model, vocab.txt)");
  }

  applyConfig(*tok, tok->m_special, tok->m_chatTemplates, config, configPath.string());
  // Newer transformers versions save the templates beside the config instead of inside it;
  // there, as in transformers, the file wins.
  if (std::filesystem::is_regular_file(dir / "chat_template.jinja", ec)) {
    tok->m_chatTemplates["default"] = readText(dir / "chat_template.jinja");
  }
  const auto extra = dir / "additional_chat_templates";
  if (std::filesystem::is_directory(extra, ec)) {
    for (const auto& entry : std::filesystem::directory_iterator(extra, ec)) {
      if (entry.path().extension() == ".jinja" && entry.is_regular_file(ec))
        tok->m_chatTemplates[entry.path().stem().string()] = readText(entry.path());
    }
  }
  return tok;
}

namespace {

// tokenizers' truncate_encodings with the LongestFirst strategy, direction right, stride 0:
// the shorter text keeps all of its ids when the longer one can absorb the cut, otherwise
// both are cut to half the budget (the longer one gets the odd id).
void truncateLongestFirst(std::vector<int32_t>& first, std::vector<int32_t>* second,
                          size_t budget) {
  if (!second) {
    if (first.size() > budget) first.resize(budget);
    return;
  }
  if (first.size() + second->size() <= budget) return;
  size_t n1 = first.size(), n2 = second->size();
  const bool swapped = n1 > n2;
  if (swapped) std::swap(n1, n2);
  n2 = n1 > budget ? n1 : std::max(n1, budget - n1);
  if (n1 + n2 > budget) {
    n1 = budget / 2;
    n2 = n1 + budget % 2;
  }
  if (swapped) std::swap(n1, n2);
  if (first.size() > n1) first.resize(n1);
  if (second->size() > n2) second->resize(n2);
}

}  // namespace

Encoding Tokenizer::encodeForModel(const std::string& text, size_t maxLength) const {
  std::vector<int32_t> ids = encode(text, false);
  if (maxLength > 0) {
    const size_t special = specialTokenCount(false);
    if (maxLength < special) {
      throw ConfigError("maximum length " + std::to_string(maxLength) + " is smaller than the " +
                        std::to_string(special) + " special tokens the tokenizer adds");
    }
    truncateLongestFirst(ids, nullptr, maxLength - special);
  }
  return withSpecialTokens(std::move(ids), nullptr);
}

Encoding Tokenizer::encodePair(const std::string& first, const std::string& second,
                               size_t maxLength) const {
  std::vector<int32_t> a = encode(first, false);
  std::vector<int32_t> b = encode(second, false);
  if (maxLength > 0) {
    const size_t special = specialTokenCount(true);
    if (maxLength < special) {
      throw ConfigError("maximum length " + std::to_string(maxLength) + " is smaller than the " +
                        std::to_string(special) + " special tokens the tokenizer adds to a pair");
    }
    truncateLongestFirst(a, &b, maxLength - special);
  }
  return withSpecialTokens(std::move(a), &b);
}

size_t Tokenizer::specialTokenCount(bool) const { return 0; }

Encoding Tokenizer::withSpecialTokens(std::vector<int32_t> first,
                                      const std::vector<int32_t>* second) const {
  Encoding out;
  out.typeIds.assign(first.size(), 0);
  out.ids = std::move(first);
  if (second) {
    out.ids.insert(out.ids.end(), second->begin(), second->end());
    out.typeIds.resize(out.ids.size(), 1);
  }
  return out;
}

std::vector<std::string> Tokenizer::encodePieces(const std::string& text, bool addSpecial) const {
  std::vector<std::string> pieces;
  for (int32_t id : encode(text, addSpecial)) pieces.push_back(idToPiece(id));
  return pieces;
}

}  // namespace fm
