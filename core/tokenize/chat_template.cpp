// Each renderer reproduces what transformers' apply_chat_template gives for the official
// template of its family (Jinja run with trim_blocks and lstrip_blocks, as transformers does).
#include "tokenize/chat_template.h"

#include <algorithm>
#include <cctype>

namespace fm {
namespace {

bool contains(const std::string& s, const char* needle) { return s.find(needle) != std::string::npos; }

std::string orDefault(const std::string& value, const char* fallback) {
  return value.empty() ? std::string(fallback) : value;
}

// Python's str.strip(): Jinja templates call it on message contents.
std::string strip(const std::string& s) {
  const char* ws = " \t\n\r\f\v";
  size_t begin = s.find_first_not_of(ws);
  if (begin == std::string::npos) return std::string();
  size_t end = s.find_last_not_of(ws);
  return s.substr(begin, end - begin + 1);
}

// Splits off a leading system message, which Llama 2 and Mistral fold into a user turn.
std::pair<const ChatMessage*, std::vector<const ChatMessage*>> splitSystem(
    const std::vector<ChatMessage>& messages) {
  const ChatMessage* system = nullptr;
  std::vector<const ChatMessage*> rest;
  for (size_t i = 0; i < messages.size(); ++i) {
    if (i == 0 && messages[i].role == "system") {
      system = &messages[i];
    } else {
      rest.push_back(&messages[i]);
    }
  }
  return {system, rest};
}

std::string renderChatMl(const std::vector<ChatMessage>& messages, bool generationPrompt) {
  std::string out;
  for (const ChatMessage& m : messages) out += "<|im_start|>" + m.role + "\n" + m.content + "<|im_end|>\n";
  if (generationPrompt) out += "<|im_start|>assistant\n";
  return out;
}

// Meta-Llama-3-*-Instruct: BOS once, header per turn, contents trimmed.
std::string renderLlama3(const std::vector<ChatMessage>& messages, bool generationPrompt,
                         const SpecialTokens& special) {
  std::string out = orDefault(special.bosText, "<|begin_of_text|>");
  for (const ChatMessage& m : messages) {
    out += "<|start_header_id|>" + m.role + "<|end_header_id|>\n\n" + strip(m.content) + "<|eot_id|>";
  }
  if (generationPrompt) out += "<|start_header_id|>assistant<|end_header_id|>\n\n";
  return out;
}

// Llama-2-*-chat: the system prompt sits inside the first [INST] block; every user turn
// starts with BOS and every assistant turn ends with EOS. The template has no generation
// prompt: the open [INST] ... [/INST] already asks for the answer.
std::string renderLlama2(const std::vector<ChatMessage>& messages, const SpecialTokens& special) {
  const std::string bos = orDefault(special.bosText, "<s>");
  const std::string eos = orDefault(special.eosText, "</s>");
  auto [system, rest] = splitSystem(messages);
  std::string out;
  for (size_t i = 0; i < rest.size(); ++i) {
    std::string content = rest[i]->content;
    if (i == 0 && system) content = "<<SYS>>\n" + system->content + "\n<</SYS>>\n\n" + content;
    if (rest[i]->role == "user") {
      out += bos + "[INST] " + strip(content) + " [/INST]";
    } else if (rest[i]->role == "assistant") {
      out += " " + strip(content) + " " + eos;
    }
  }
  return out;
}

// Mistral-7B-Instruct-v0.1: BOS once, "[INST] user [/INST]" then "answer</s>". That template
// rejects system messages; like the later Mistral templates this folds one into the first
// user turn, separated by a blank line.
std::string renderMistral(const std::vector<ChatMessage>& messages, const SpecialTokens& special) {
  const std::string eos = orDefault(special.eosText, "</s>");
  auto [system, rest] = splitSystem(messages);
  std::string out = orDefault(special.bosText, "<s>");
  bool firstUser = true;
  for (const ChatMessage* m : rest) {
    if (m->role == "user") {
      std::string content = m->content;
      if (firstUser && system) content = system->content + "\n\n" + content;
      firstUser = false;
      out += "[INST] " + content + " [/INST]";
    } else if (m->role == "assistant") {
      out += m->content + eos;
    }
  }
  return out;
}

// Zephyr / TinyLlama-1.1B-Chat: "<|role|>\n" + content + EOS + "\n".
std::string renderZephyr(const std::vector<ChatMessage>& messages, bool generationPrompt,
                         const SpecialTokens& special) {
  const std::string eos = orDefault(special.eosText, "</s>");
  std::string out;
  for (const ChatMessage& m : messages) {
    if (m.role == "user" || m.role == "system" || m.role == "assistant") {
      out += "<|" + m.role + "|>\n" + m.content + eos + "\n";
    }
  }
  if (generationPrompt) out += "<|assistant|>\n";
  return out;
}

std::string renderPlain(const std::vector<ChatMessage>& messages, bool generationPrompt) {
  std::string out;
  for (const ChatMessage& m : messages) {
    std::string role = m.role.empty() ? std::string("User") : m.role;
    role[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(role[0])));
    out += role + ": " + m.content + "\n";
  }
  if (generationPrompt) out += "Assistant:";
  return out;
}

}  // namespace

ChatFormat ChatFormat::detect(const std::string& jinjaTemplate) {
  ChatFormat format;
  const std::string& t = jinjaTemplate;
  if (contains(t, "<|im_start|>")) {
    format.kind = Kind::ChatML;
  } else if (contains(t, "<|start_header_id|>")) {
    format.kind = Kind::Llama3;
  } else if (contains(t, "[INST]") && contains(t, "<<SYS>>")) {
    format.kind = Kind::Llama2;
  } else if (contains(t, "[INST]")) {
    format.kind = Kind::Mistral;
  } else if (contains(t, "<|user|>") && (contains(t, "</s>") || contains(t, "eos_token"))) {
    format.kind = Kind::Zephyr;
  } else if (!strip(t).empty()) {
    format.message = "chat template not recognised; using plain text";
  }
  return format;
}

const char* chatKindName(ChatFormat::Kind kind) {
  switch (kind) {
    case ChatFormat::Kind::Plain: return "Plain";
    case ChatFormat::Kind::ChatML: return "ChatML";
    case ChatFormat::Kind::Llama2: return "Llama 2";
    case ChatFormat::Kind::Llama3: return "Llama 3";
    case ChatFormat::Kind::Mistral: return "Mistral";
    case ChatFormat::Kind::Zephyr: return "Zephyr";
  }
  return "Plain";
}

std::string renderChat(ChatFormat::Kind kind, const std::vector<ChatMessage>& messages,
                       bool addGenerationPrompt, const SpecialTokens& special) {
  switch (kind) {
    case ChatFormat::Kind::ChatML: return renderChatMl(messages, addGenerationPrompt);
    case ChatFormat::Kind::Llama3: return renderLlama3(messages, addGenerationPrompt, special);
    case ChatFormat::Kind::Llama2: return renderLlama2(messages, special);
    case ChatFormat::Kind::Mistral: return renderMistral(messages, special);
    case ChatFormat::Kind::Zephyr: return renderZephyr(messages, addGenerationPrompt, special);
    case ChatFormat::Kind::Plain: break;
  }
  return renderPlain(messages, addGenerationPrompt);
}

std::vector<std::string> chatStopStrings(ChatFormat::Kind kind, const SpecialTokens& special) {
  std::vector<std::string> stops;
  auto add = [&stops](const std::string& s) {
    if (!s.empty() && std::find(stops.begin(), stops.end(), s) == stops.end()) stops.push_back(s);
  };
  switch (kind) {
    case ChatFormat::Kind::ChatML:
      add("<|im_end|>");
      add(special.eosText);
      break;
    case ChatFormat::Kind::Llama3:
      add("<|eot_id|>");
      add("<|end_of_text|>");
      add(special.eosText);
      break;
    case ChatFormat::Kind::Llama2:
    case ChatFormat::Kind::Mistral:
      add(orDefault(special.eosText, "</s>"));
      break;
    case ChatFormat::Kind::Zephyr:
      add(orDefault(special.eosText, "</s>"));
      add("<|user|>");
      break;
    case ChatFormat::Kind::Plain:
      // A base model continues the transcript; the next "User:" line ends its turn.
      add("\nUser:");
      add(special.eosText);
      break;
  }
  return stops;
}

}  // namespace fm
