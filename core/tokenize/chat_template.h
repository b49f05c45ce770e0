// Chat formatting for the template families that Hugging Face model folders ship.
//
//   auto fmt = fm::ChatFormat::detect(tok.chatTemplate());   // from tokenizer_config.json
//   std::string prompt = fm::renderChat(fmt.kind, messages, /*addGenerationPrompt=*/true, tok.special());
//
// The Jinja source is recognised by its markers rather than interpreted: the families below
// cover the models this product supports. An unrecognised template yields Kind::Plain and a
// message the UI shows; the prompt then falls back to plain "role: text" lines.
#pragma once

#include <string>
#include <vector>

#include "tokenize/tokenizer.h"

namespace fm {

struct ChatMessage {
  std::string role;  // "system", "user" or "assistant"
  std::string content;
};

struct ChatFormat {
  enum class Kind { Plain, ChatML, Llama2, Llama3, Mistral, Zephyr };
  Kind kind = Kind::Plain;
  std::string message;  // why Plain was chosen when a template existed but was not recognised

  static ChatFormat detect(const std::string& jinjaTemplate);
};

const char* chatKindName(ChatFormat::Kind kind);

// Text to tokenize with addSpecial=false (the BOS the template wants is written into the text
// as its literal token, which encode() recognises).
std::string renderChat(ChatFormat::Kind kind, const std::vector<ChatMessage>& messages,
                       bool addGenerationPrompt, const SpecialTokens& special);

// Strings that end an assistant turn for this template (e.g. "<|im_end|>", "<|eot_id|>").
std::vector<std::string> chatStopStrings(ChatFormat::Kind kind, const SpecialTokens& special);

}  // namespace fm
