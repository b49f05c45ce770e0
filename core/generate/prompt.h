// How a request becomes token ids and generation settings, the same for the command line and
// the Playground.
//
//   fm::GenerateOptions opt = fm::defaultGenerateOptions(*model);   // generation_config.json
//   fm::BuiltPrompt p = fm::buildPrompt(*model, {/*chat=*/true, "Be brief.", "Hi"});
//   opt.stopStrings = p.stopStrings;
//   fm::generate(*model, p.ids, opt, onToken);
//
// Chat prompts are the model's own chat template rendered with a system turn (when given) and
// one user turn, tokenized without added special tokens (the template writes them), as
// transformers' apply_chat_template does. Plain prompts are tokenized with the tokenizer's
// special tokens (BOS for Llama-style models); an empty plain prompt starts from BOS alone.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "generate/generator.h"

namespace fm {

class LoadedModel;

struct PromptRequest {
  bool chat = false;
  std::string system;  // chat only; "" = no system turn
  std::string text;
};

struct BuiltPrompt {
  std::vector<int32_t> ids;
  std::string text;                      // what was tokenized
  std::vector<std::string> stopStrings;  // the chat template's end-of-turn markers
  std::string note;                      // e.g. "this model has no chat template; ..."
};

// Throws ConfigError (no tokenizer, empty prompt without BOS, template errors).
BuiltPrompt buildPrompt(const LoadedModel& model, const PromptRequest& request);

// generation_config.json applied to GenerateOptions: do_sample false means greedy
// (temperature 0), otherwise its temperature, top_k, top_p, repetition_penalty and
// max_new_tokens where given.
GenerateOptions defaultGenerateOptions(const LoadedModel& model);

}  // namespace fm
