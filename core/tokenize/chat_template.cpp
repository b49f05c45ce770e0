#include "tokenize/chat_template.h"

#include <algorithm>

#include "tokenize/tokenizer.h"
#include "util/error.h"

namespace fm {
namespace {

using OJson = nlohmann::ordered_json;

// Used when a folder ships no template: one "Role: text" line per message, the way plain
// text models were prompted before chat templates existed.
const char* const kFallback =
    "{% for message in messages %}{{ message['role'] | capitalize }}: {{ message['content'] }}\n"
    "{% endfor %}{% if add_generation_prompt %}Assistant:{% endif %}";

// A text no template changes (no spaces to strip, no case to fold).
const char* const kProbe = "9f3c1e7a";

std::string trimmed(const std::string& s) {
  const char* ws = " \t\n\r\f\v";
  const size_t b = s.find_first_not_of(ws);
  if (b == std::string::npos) return std::string();
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

}  // namespace

ChatTemplate ChatTemplate::forTokenizer(const Tokenizer& tok) {
  const SpecialTokens& s = tok.special();
  std::map<std::string, std::string> special;
  auto add = [&](const char* key, const std::string& text, const std::optional<int32_t>& id) {
    if (!text.empty()) special[key] = text;
    else if (id) special[key] = tok.idToPiece(*id);
  };
  add("bos_token", s.bosText, s.bos);
  add("eos_token", s.eosText, s.eos);
  add("unk_token", s.unkText, s.unk);
  add("pad_token", s.padText, s.pad);
  add("cls_token", std::string(), s.cls);
  add("sep_token", std::string(), s.sep);
  add("mask_token", std::string(), s.mask);
  return fromSources(tok.chatTemplates(), special);
}

ChatTemplate ChatTemplate::fromSources(const std::map<std::string, std::string>& sources,
                                       const std::map<std::string, std::string>& specialTokens) {
  ChatTemplate t;
  for (const auto& [key, text] : specialTokens) t.m_special[key] = text;
  for (const auto& [name, source] : sources) {
    if (source.empty()) continue;
    try {
      t.m_templates.emplace(name, jinja::Template::parse(source));
    } catch (const ConfigError& e) {
      throw ConfigError("the chat template" + (name == "default" ? std::string() : " \"" + name + "\"") +
                        " does not parse: " + e.what());
    }
  }
  if (t.m_templates.empty()) {
    t.m_fallback = true;
    t.m_note = "this model has no chat template; messages are written as \"Role: text\" lines";
    t.m_templates.emplace("default", jinja::Template::parse(kFallback));
    t.m_stops = {"\nUser:"};
  }
  auto eos = specialTokens.find("eos_token");
  t.findStops(eos == specialTokens.end() ? std::string() : eos->second);
  return t;
}

std::vector<std::string> ChatTemplate::names() const {
  std::vector<std::string> out;
  for (const auto& entry : m_templates) out.push_back(entry.first);
  return out;
}

const jinja::Template& ChatTemplate::pick(bool haveTools) const {
  // transformers' get_chat_template: "tool_use" when tools are given, else "default".
  if (haveTools) {
    if (auto it = m_templates.find("tool_use"); it != m_templates.end()) return it->second;
  }
  if (auto it = m_templates.find("default"); it != m_templates.end()) return it->second;
  if (m_templates.size() == 1) return m_templates.begin()->second;
  std::string names;
  for (const auto& entry : m_templates) names += (names.empty() ? "" : ", ") + entry.first;
  throw ConfigError("this model has several chat templates (" + names + ") and none named \"default\"");
}

std::string ChatTemplate::render(const OJson& messages, bool addGenerationPrompt, const OJson& tools,
                                 const OJson& documents) const {
  if (!messages.is_array()) throw ConfigError("\"messages\" must be a list of {\"role\", \"content\"} objects");
  OJson ctx = OJson::object();
  ctx["messages"] = messages;
  // transformers passes tools and documents even when there are none (as None).
  ctx["tools"] = tools;
  ctx["documents"] = documents;
  ctx["add_generation_prompt"] = addGenerationPrompt;
  for (const auto& [key, value] : m_special.items()) ctx[key] = value;
  return pick(!tools.is_null()).render(ctx);
}

std::string ChatTemplate::render(const std::vector<ChatMessage>& messages, bool addGenerationPrompt) const {
  OJson list = OJson::array();
  for (const ChatMessage& m : messages) list.push_back(OJson{{"role", m.role}, {"content", m.content}});
  return render(list, addGenerationPrompt);
}

void ChatTemplate::findStops(const std::string& eos) {
  // Render an assistant turn and keep what the template writes right after its text, up to
  // the first whitespace: "<|im_end|>", "<|eot_id|>", "</s>", "<end_of_turn>", "<|end|>".
  // Templates that insist on a system turn or refuse this layout give no marker.
  if (!m_fallback) {
    for (bool withSystem : {false, true}) {
      std::vector<ChatMessage> probe;
      if (withSystem) probe.push_back({"system", "s"});
      probe.push_back({"user", "u"});
      probe.push_back({"assistant", kProbe});
      std::string text;
      try {
        text = render(probe, false);
      } catch (const Error&) {
        continue;
      }
      const size_t at = text.rfind(kProbe);
      if (at == std::string::npos) continue;
      std::string after = trimmed(text.substr(at + std::string(kProbe).size()));
      after = after.substr(0, after.find_first_of(" \t\n\r"));
      if (!after.empty()) m_stops.push_back(after);
      break;
    }
  }
  if (!eos.empty() && std::find(m_stops.begin(), m_stops.end(), eos) == m_stops.end()) m_stops.push_back(eos);
}

}  // namespace fm
