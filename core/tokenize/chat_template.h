// The chat template a model folder ships, rendered the way transformers' apply_chat_template
// renders it (tokenize/jinja.h), so a prompt here is byte for byte the prompt the model was
// trained on.
//
//   fm::ChatTemplate chat = fm::ChatTemplate::forTokenizer(*tok);
//   std::string prompt = chat.render({{"system", "Be brief."}, {"user", "Hi"}}, true);
//   auto ids = tok->encode(prompt, /*addSpecial=*/false);  // as transformers does
//
// Which template: tokenizer_config.json's "chat_template" (a string, or a list of named
// templates: "tool_use" when tools are given and the folder has one, else "default"), or
// chat_template.jinja beside it. A folder without any gets a plain fallback of "Role: text"
// lines (isFallback(), note() says so) so that base models can still be tried and tuned on chat
// data.
//
// Errors: a template that does not parse, a list without a default, and raise_exception() in
// the template throw fm::ConfigError with the template's own message.
// Thread safety: immutable after construction; render() may run on many threads at once.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tokenize/jinja.h"

namespace fm {

class Tokenizer;

struct ChatMessage {
  std::string role;  // "system", "user", "assistant", "tool", ...
  std::string content;
};

class ChatTemplate {
 public:
  static ChatTemplate forTokenizer(const Tokenizer& tok);
  // From template sources by name ("default" is the chat one) and the special-token texts
  // the template sees as variables (bos_token, eos_token, ...). Empty sources: the fallback.
  static ChatTemplate fromSources(const std::map<std::string, std::string>& sources,
                                  const std::map<std::string, std::string>& specialTokens);

  // `messages` is a JSON array of message objects (content may be a string or a list of
  // parts; extra keys such as tool_calls pass through); `tools` and `documents` are arrays or
  // null. Returns exactly the template's output.
  std::string render(const nlohmann::ordered_json& messages, bool addGenerationPrompt,
                     const nlohmann::ordered_json& tools = nullptr,
                     const nlohmann::ordered_json& documents = nullptr) const;
  std::string render(const std::vector<ChatMessage>& messages, bool addGenerationPrompt) const;

  bool isFallback() const { return m_fallback; }
  const std::string& note() const { return m_note; }  // "" unless something is worth telling
  // Text that ends an assistant turn: the EOS token and the marker the template writes after
  // an assistant message (e.g. "<|im_end|>", "<end_of_turn>"), found by rendering one.
  const std::vector<std::string>& stopStrings() const { return m_stops; }
  // Template names the folder ships ("default", "tool_use", ...).
  std::vector<std::string> names() const;

 private:
  const jinja::Template& pick(bool haveTools) const;
  void findStops(const std::string& eos);

  std::map<std::string, jinja::Template> m_templates;
  nlohmann::ordered_json m_special = nlohmann::ordered_json::object();
  bool m_fallback = false;
  std::string m_note;
  std::vector<std::string> m_stops;
};

}  // namespace fm
