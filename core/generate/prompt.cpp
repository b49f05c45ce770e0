#include "generate/prompt.h"

#include "arch/loaded_model.h"
#include "tokenize/chat_template.h"
#include "tokenize/tokenizer.h"
#include "util/error.h"

namespace fm {

BuiltPrompt buildPrompt(const LoadedModel& model, const PromptRequest& request) {
  const Tokenizer* tok = model.tokenizer();
  if (!tok) throw ConfigError("this model has no tokenizer: " + model.info().tokenizerError);
  BuiltPrompt out;
  if (request.chat) {
    const ChatTemplate chat = ChatTemplate::forTokenizer(*tok);
    std::vector<ChatMessage> messages;
    if (!request.system.empty()) messages.push_back({"system", request.system});
    messages.push_back({"user", request.text});
    out.text = chat.render(messages, true);
    out.ids = tok->encode(out.text, false);
    out.stopStrings = chat.stopStrings();
    out.note = chat.note();
    return out;
  }
  out.text = request.text;
  if (request.text.empty()) {
    std::optional<int32_t> bos = tok->special().bos;
    if (!bos && model.info().bosId >= 0) bos = static_cast<int32_t>(model.info().bosId);
    if (!bos) throw ConfigError("the prompt is empty and this model has no BOS token to start from");
    out.ids = {*bos};
  } else {
    out.ids = tok->encode(request.text, true);
  }
  return out;
}

GenerateOptions defaultGenerateOptions(const LoadedModel& model) {
  const auto& d = model.generationDefaults();
  GenerateOptions o;
  o.temperature = d.doSample ? (d.temperature >= 0 ? d.temperature : o.temperature) : 0.0;
  if (d.topK >= 0) o.topK = d.topK;
  if (d.topP > 0) o.topP = d.topP;
  if (d.repetitionPenalty > 0) o.repetitionPenalty = d.repetitionPenalty;
  if (d.maxNewTokens > 0) o.maxNewTokens = d.maxNewTokens;
  return o;
}

}  // namespace fm
