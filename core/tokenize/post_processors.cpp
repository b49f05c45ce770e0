// Post-processors add the model's special tokens (BOS, [CLS] ... [SEP]) around one sequence
// or a pair, and set the token type ids, as the Rust crate's processors/*.rs do.
#include "tokenize/hf_components.h"
#include "util/error.h"

namespace fm::hf {
namespace {

constexpr const char* kSupported =
    "TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel, Sequence";

Encoding specialPart(const std::vector<int32_t>& ids, int32_t typeId) {
  return {ids, std::vector<int32_t>(ids.size(), typeId)};
}

// One item of a template: sequence A or B, or a named special token (one or more ids).
struct TemplateItem {
  int sequence = -1;  // 0 = $A, 1 = $B, -1 = special token
  int32_t typeId = 0;
  std::string name;  // the special token's name in special_tokens
};

class TemplateProcessor : public PostProcessor {
 public:
  TemplateProcessor(std::vector<TemplateItem> single, std::vector<TemplateItem> pair,
                    std::unordered_map<std::string, std::vector<int32_t>> specials, std::string file)
      : m_single(std::move(single)), m_pair(std::move(pair)), m_specials(std::move(specials)),
        m_file(std::move(file)) {}

  std::vector<Encoding> process(std::vector<Encoding> parts, bool addSpecial) const override {
    if (parts.size() != 1 && parts.size() != 2) {
      throw UnsupportedError(m_file + ": post_processor TemplateProcessing received " +
                             std::to_string(parts.size()) +
                             " sequences (another processor before it in a Sequence split them)");
    }
    const std::vector<TemplateItem>& items = parts.size() == 2 ? m_pair : m_single;
    std::vector<Encoding> out;
    for (const TemplateItem& item : items) {
      if (item.sequence >= 0) {
        // A single template that names $B is a mistake (the crate panics); place nothing.
        if (static_cast<size_t>(item.sequence) >= parts.size()) continue;
        Encoding part = parts[item.sequence];
        part.typeIds.assign(part.ids.size(), item.typeId);
        out.push_back(std::move(part));
      } else if (addSpecial) {
        out.push_back(specialPart(idsOf(item.name), item.typeId));
      }
    }
    return out;
  }

  size_t addedTokens(bool pair) const override {
    size_t n = 0;
    for (const TemplateItem& item : pair ? m_pair : m_single) {
      if (item.sequence >= 0) continue;
      // The crate counts a name missing from special_tokens as adding nothing.
      if (auto it = m_specials.find(item.name); it != m_specials.end()) n += it->second.size();
    }
    return n;
  }

 private:
  const std::vector<int32_t>& idsOf(const std::string& name) const {
    auto it = m_specials.find(name);
    if (it == m_specials.end()) {
      throw FormatError(m_file + ": post_processor template uses \"" + name +
                        "\" which is missing from its special_tokens");
    }
    return it->second;
  }

  std::vector<TemplateItem> m_single, m_pair;
  std::unordered_map<std::string, std::vector<int32_t>> m_specials;
  std::string m_file;
};

// BertProcessing: [CLS] A [SEP] (type 0) then B [SEP] (type 1).
// RobertaProcessing: <s> A </s> then </s> B </s>, every type id 0.
class ClsSepProcessor : public PostProcessor {
 public:
  ClsSepProcessor(int32_t cls, int32_t sep, bool roberta) : m_cls(cls), m_sep(sep), m_roberta(roberta) {}

  std::vector<Encoding> process(std::vector<Encoding> parts, bool addSpecial) const override {
    if (m_roberta) {
      for (Encoding& part : parts) part.typeIds.assign(part.ids.size(), 0);
    }
    if (!addSpecial) return parts;
    std::vector<Encoding> out;
    for (size_t i = 0; i < parts.size(); ++i) {
      Encoding& part = parts[i];
      Encoding wrapped;
      if (i == 0) {
        wrapped = specialPart({m_cls}, 0);
      } else if (m_roberta) {
        wrapped = specialPart({m_sep}, 0);
      }
      wrapped.ids.insert(wrapped.ids.end(), part.ids.begin(), part.ids.end());
      wrapped.typeIds.insert(wrapped.typeIds.end(), part.typeIds.begin(), part.typeIds.end());
      wrapped.ids.push_back(m_sep);
      wrapped.typeIds.push_back(i == 0 || m_roberta ? 0 : 1);
      out.push_back(std::move(wrapped));
    }
    return out;
  }

  size_t addedTokens(bool pair) const override {
    if (m_roberta) return pair ? 4 : 2;
    return pair ? 3 : 2;
  }

 private:
  int32_t m_cls, m_sep;
  bool m_roberta;
};

// ByteLevel only trims offsets, which this product does not report.
class NoOpProcessor : public PostProcessor {
 public:
  std::vector<Encoding> process(std::vector<Encoding> parts, bool) const override { return parts; }
  size_t addedTokens(bool) const override { return 0; }
};

class SequenceProcessor : public PostProcessor {
 public:
  explicit SequenceProcessor(std::vector<std::unique_ptr<PostProcessor>> steps)
      : m_steps(std::move(steps)) {}
  std::vector<Encoding> process(std::vector<Encoding> parts, bool addSpecial) const override {
    for (const auto& step : m_steps) parts = step->process(std::move(parts), addSpecial);
    return parts;
  }
  size_t addedTokens(bool pair) const override {
    size_t n = 0;
    for (const auto& step : m_steps) n += step->addedTokens(pair);
    return n;
  }

 private:
  std::vector<std::unique_ptr<PostProcessor>> m_steps;
};

// One "$A", "$B:1", "[CLS]", "[SEP]:1" word of the string form (processors/template.rs:
// `$` alone or `$A` is sequence A, `$B` sequence B, `$<n>` sequence A with type id n; an
// optional ":<type id>" follows).
TemplateItem parseWord(const std::string& word, const std::string& file) {
  auto bad = [&]() -> TemplateItem {
    throwFormat(file, "post_processor template item \"" + word + "\" cannot be read");
  };
  std::string id = word;
  int32_t typeId = 0;
  bool explicitType = false;
  if (size_t colon = word.find(':'); colon != std::string::npos) {
    if (word.find(':', colon + 1) != std::string::npos) return bad();
    id = word.substr(0, colon);
    const std::string digits = word.substr(colon + 1);
    if (digits.empty() || digits.size() > 9 ||
        digits.find_first_not_of("0123456789") != std::string::npos) {
      return bad();
    }
    typeId = std::stoi(digits);
    explicitType = true;
  }
  TemplateItem item;
  if (!id.empty() && id[0] == '$') {
    const std::string rest = id.substr(1);
    if (rest.empty() || rest == "A" || rest == "a") {
      item.sequence = 0;
    } else if (rest == "B" || rest == "b") {
      item.sequence = 1;
    } else if (rest.size() <= 9 && rest.find_first_not_of("0123456789") == std::string::npos) {
      item.sequence = 0;
      if (!explicitType) typeId = std::stoi(rest);
    } else {
      return bad();
    }
  } else {
    item.name = id;
  }
  item.typeId = typeId;
  return item;
}

int32_t typeIdOf(const Json& piece, const std::string& file) {
  const Json& t = piece.value("type_id", Json(0));
  if (!t.is_number_unsigned() || t.get<uint64_t>() > 0x7FFFFFFF) {
    throwFormat(file, "post_processor template type_id must be a non-negative integer");
  }
  return t.get<int32_t>();
}

std::vector<TemplateItem> parseTemplate(const Json& tmpl, const std::string& file) {
  std::vector<TemplateItem> items;
  if (tmpl.is_string()) {
    const std::string s = tmpl.get<std::string>();
    size_t pos = 0;
    while (pos <= s.size()) {
      size_t end = s.find(' ', pos);
      if (end == std::string::npos) end = s.size();
      const std::string word = s.substr(pos, end - pos);
      pos = end + 1;
      if (!word.empty()) items.push_back(parseWord(word, file));
    }
    return items;
  }
  if (!tmpl.is_array()) throwFormat(file, "post_processor template must be a string or a list");
  for (const Json& piece : tmpl) {
    if (piece.is_string()) {
      items.push_back(parseWord(piece.get<std::string>(), file));
    } else if (piece.is_object() && piece.contains("Sequence") && piece["Sequence"].is_object()) {
      const Json& seq = piece["Sequence"];
      const std::string id = seq.value("id", std::string("A"));
      if (id != "A" && id != "B") throwFormat(file, "post_processor template Sequence id must be A or B");
      TemplateItem item;
      item.sequence = id == "A" ? 0 : 1;
      item.typeId = typeIdOf(seq, file);
      items.push_back(item);
    } else if (piece.is_object() && piece.contains("SpecialToken") &&
               piece["SpecialToken"].is_object()) {
      const Json& tok = piece["SpecialToken"];
      TemplateItem item;
      item.name = tok.value("id", std::string());
      item.typeId = typeIdOf(tok, file);
      items.push_back(item);
    } else {
      throwFormat(file, "post_processor template item is neither Sequence nor SpecialToken");
    }
  }
  return items;
}

std::unique_ptr<PostProcessor> makeTemplate(const Json& section, const std::string& file) {
  const Json& specialTokens = section.value("special_tokens", Json::object());
  if (!specialTokens.is_object()) throwFormat(file, "post_processor special_tokens must be an object");
  std::unordered_map<std::string, std::vector<int32_t>> specials;
  for (auto it = specialTokens.begin(); it != specialTokens.end(); ++it) {
    const Json& ids = it.value().value("ids", Json());
    if (!ids.is_array()) {
      throwFormat(file, "post_processor special token \"" + it.key() + "\" has no \"ids\" list");
    }
    std::vector<int32_t> list;
    for (const Json& id : ids) {
      if (!id.is_number_integer()) {
        throwFormat(file, "post_processor special token \"" + it.key() + "\" has a non-integer id");
      }
      list.push_back(checkedTokenId(id, file, "post_processor special token \"" + it.key() + "\""));
    }
    specials.emplace(it.key(), std::move(list));
  }
  const Json& single = section.value("single", Json());
  if (single.is_null()) throwFormat(file, "TemplateProcessing has no \"single\" template");
  std::vector<TemplateItem> singleItems = parseTemplate(single, file);
  // Every special token of the single template must exist: each encode uses it. A broken
  // pair template only fails pair encoding, as in the crate.
  for (const TemplateItem& item : singleItems) {
    if (item.sequence < 0 && !specials.count(item.name)) {
      throwFormat(file, "post_processor template uses \"" + item.name +
                            "\" which is missing from its special_tokens");
    }
  }
  const Json& pair = section.value("pair", Json());
  // The crate's builder default for a missing pair template.
  std::vector<TemplateItem> pairItems =
      pair.is_null() ? parseTemplate(Json("$A:0 $B:1"), file) : parseTemplate(pair, file);
  return std::make_unique<TemplateProcessor>(std::move(singleItems), std::move(pairItems),
                                             std::move(specials), file);
}

// BertProcessing/RobertaProcessing store tokens as ["[CLS]", 101].
int32_t tokenId(const Json& section, const char* key, const std::string& file) {
  const Json& v = section.value(key, Json());
  if (!v.is_array() || v.size() != 2 || !v[1].is_number_integer()) {
    throwFormat(file, std::string("post_processor \"") + key + "\" must be [token, id]");
  }
  return checkedTokenId(v[1], file, std::string("post_processor \"") + key + "\"");
}

}  // namespace

Encoding postProcess(const PostProcessor* processor, std::vector<int32_t> first,
                     const std::vector<int32_t>* second, bool addSpecial) {
  std::vector<Encoding> parts;
  parts.push_back({std::move(first), {}});
  if (second) parts.push_back({*second, {}});
  for (size_t i = 0; i < parts.size(); ++i) {
    parts[i].typeIds.assign(parts[i].ids.size(), static_cast<int32_t>(i));
  }
  if (processor) parts = processor->process(std::move(parts), addSpecial);
  Encoding out;
  for (Encoding& part : parts) {
    out.ids.insert(out.ids.end(), part.ids.begin(), part.ids.end());
    out.typeIds.insert(out.typeIds.end(), part.typeIds.begin(), part.typeIds.end());
  }
  return out;
}

std::unique_ptr<PostProcessor> makePostProcessor(const Json& section, const std::string& file,
                                                 int depth) {
  if (section.is_null()) return nullptr;
  const std::string type = typeOf(section, file, "post_processor");
  if (type == "TemplateProcessing") return makeTemplate(section, file);
  if (type == "BertProcessing" || type == "RobertaProcessing") {
    return std::make_unique<ClsSepProcessor>(tokenId(section, "cls", file),
                                             tokenId(section, "sep", file),
                                             type == "RobertaProcessing");
  }
  if (type == "ByteLevel") return std::make_unique<NoOpProcessor>();
  if (type == "Sequence") {
    checkSequenceDepth(depth, file, "post_processor");
    std::vector<std::unique_ptr<PostProcessor>> steps;
    for (const Json& step : section.value("processors", Json::array())) {
      if (auto p = makePostProcessor(step, file, depth + 1)) steps.push_back(std::move(p));
    }
    return std::make_unique<SequenceProcessor>(std::move(steps));
  }
  throwUnsupported(file, "post_processor", type, kSupported);
}

}  // namespace fm::hf
