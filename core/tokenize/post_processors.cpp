// Post-processors add the model's special tokens (BOS, [CLS] ... [SEP]) around one sequence.
// Only single sequences are encoded by this product, so pair templates are not used.
#include "tokenize/hf_components.h"

namespace fm::hf {
namespace {

constexpr const char* kSupported =
    "TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel, Sequence";

// A template item: either the sequence itself or a fixed run of special-token ids.
struct TemplateItem {
  bool isSequence = false;
  std::vector<int32_t> ids;
};

class TemplateProcessor : public PostProcessor {
 public:
  explicit TemplateProcessor(std::vector<TemplateItem> items) : m_items(std::move(items)) {}
  void process(std::vector<int32_t>& ids) const override {
    std::vector<int32_t> out;
    out.reserve(ids.size() + 4);
    for (const TemplateItem& item : m_items) {
      if (item.isSequence) {
        out.insert(out.end(), ids.begin(), ids.end());
      } else {
        out.insert(out.end(), item.ids.begin(), item.ids.end());
      }
    }
    ids = std::move(out);
  }

 private:
  std::vector<TemplateItem> m_items;
};

class NoOpProcessor : public PostProcessor {
 public:
  void process(std::vector<int32_t>&) const override {}
};

class SequenceProcessor : public PostProcessor {
 public:
  explicit SequenceProcessor(std::vector<std::unique_ptr<PostProcessor>> steps)
      : m_steps(std::move(steps)) {}
  void process(std::vector<int32_t>& ids) const override {
    for (const auto& step : m_steps) step->process(ids);
  }

 private:
  std::vector<std::unique_ptr<PostProcessor>> m_steps;
};

std::vector<int32_t> specialIds(const Json& specialTokens, const std::string& name,
                                const std::string& file) {
  auto it = specialTokens.find(name);
  if (it == specialTokens.end() || !it->contains("ids")) {
    throwFormat(file, "post_processor template uses \"" + name +
                      "\" which is missing from its special_tokens");
  }
  return (*it)["ids"].get<std::vector<int32_t>>();
}

std::unique_ptr<PostProcessor> makeTemplate(const Json& section, const std::string& file) {
  const Json& single = section.value("single", Json());
  const Json& specialTokens = section.value("special_tokens", Json::object());
  std::vector<TemplateItem> items;
  auto addNamed = [&](const std::string& name) {
    items.push_back({false, specialIds(specialTokens, name, file)});
  };
  if (single.is_string()) {
    // The shorthand "[CLS] $A [SEP]" with optional ":type_id" suffixes.
    std::string s = single.get<std::string>();
    size_t pos = 0;
    while (pos < s.size()) {
      size_t end = s.find(' ', pos);
      if (end == std::string::npos) end = s.size();
      std::string word = s.substr(pos, end - pos);
      pos = end + 1;
      if (word.empty()) continue;
      if (word[0] == '$') {
        items.push_back({true, {}});
      } else {
        size_t colon = word.rfind(':');
        addNamed(colon == std::string::npos ? word : word.substr(0, colon));
      }
    }
  } else if (single.is_array()) {
    for (const Json& item : single) {
      if (item.contains("Sequence")) {
        items.push_back({true, {}});
      } else if (item.contains("SpecialToken")) {
        addNamed(item["SpecialToken"].value("id", std::string()));
      } else {
        throwFormat(file, "post_processor template item is neither Sequence nor SpecialToken");
      }
    }
  } else {
    throwFormat(file, "TemplateProcessing has no \"single\" template");
  }
  return std::make_unique<TemplateProcessor>(std::move(items));
}

// BertProcessing/RobertaProcessing store tokens as ["[CLS]", 101].
int32_t pairId(const Json& section, const char* key, const std::string& file) {
  const Json& v = section.value(key, Json());
  if (!v.is_array() || v.size() != 2 || !v[1].is_number_integer()) {
    throwFormat(file, std::string("post_processor \"") + key + "\" must be [token, id]");
  }
  return v[1].get<int32_t>();
}

}  // namespace

std::unique_ptr<PostProcessor> makePostProcessor(const Json& section, const std::string& file) {
  if (section.is_null()) return nullptr;
  const std::string type = typeOf(section, file, "post_processor");
  if (type == "TemplateProcessing") return makeTemplate(section, file);
  if (type == "BertProcessing" || type == "RobertaProcessing") {
    std::vector<TemplateItem> items{{false, {pairId(section, "cls", file)}},
                                    {true, {}},
                                    {false, {pairId(section, "sep", file)}}};
    return std::make_unique<TemplateProcessor>(std::move(items));
  }
  if (type == "ByteLevel") return std::make_unique<NoOpProcessor>();
  if (type == "Sequence") {
    std::vector<std::unique_ptr<PostProcessor>> steps;
    for (const Json& step : section.value("processors", Json::array())) {
      if (auto p = makePostProcessor(step, file)) steps.push_back(std::move(p));
    }
    return std::make_unique<SequenceProcessor>(std::move(steps));
  }
  throwUnsupported(file, "post_processor", type, kSupported);
}

}  // namespace fm::hf
