// Text generation with a KV cache: greedy or sampled (temperature, top-k, top-p, repetition
// penalty, seed), stopping at EOS, stop strings or a token budget, streaming text per token.
//
//   fm::GenerateOptions opt;  opt.temperature = 0;  opt.maxNewTokens = 64;
//   fm::GenerateResult r = fm::generate(*model, promptIds, opt,
//       [](const fm::TokenEvent& e) { std::cout << e.text << std::flush; return true; });
//
// Returning false from the callback cancels at that token (an outcome, not an error:
// r.stopReason == "cancelled"). Thread safety: one generate() call per thread; several may
// share one LoadedModel at once, each with its own cache and its own adapter (or none).
// Sets InferenceMode on the calling thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace fm {

class LoadedModel;
class LoraAdapter;

struct GenerateOptions {
  int maxNewTokens = 128;
  double temperature = 0.7;   // 0 = greedy
  int topK = 0;               // 0 = off
  double topP = 1.0;          // 1 = off
  double repetitionPenalty = 1.0;
  uint64_t seed = 0;
  bool useCache = true;       // false recomputes the whole sequence per token (reference path)
  bool stopAtEos = true;
  std::vector<std::string> stopStrings;
  // The LoRA adapter for this call (lora/adapter_control.h), or null for the base model.
  std::shared_ptr<const LoraAdapter> adapter;
};

struct TokenEvent {
  int32_t id = 0;
  std::string text;  // newly completed text (may be empty while a UTF-8 character is partial)
  int index = 0;     // 0-based position among new tokens
};

struct GenerateResult {
  std::vector<int32_t> tokens;  // new tokens, excluding a final EOS
  std::string text;             // decoded new text, stop string removed
  std::string stopReason;       // eos | stop_string | max_tokens | cancelled | context_full
  int promptTokens = 0;
  double prefillSeconds = 0, decodeSeconds = 0;
  double decodeTokensPerSecond() const {
    return decodeSeconds > 0 && tokens.size() > 1 ? (tokens.size() - 1) / decodeSeconds : 0;
  }
};

using TokenCallback = std::function<bool(const TokenEvent&)>;

GenerateResult generate(const LoadedModel& model, const std::vector<int32_t>& promptIds,
                        const GenerateOptions& options, const TokenCallback& onToken = {});

// Next-token choice from logits, exposed for tests: applies the repetition penalty over
// `context`, then temperature / top-k / top-p, then draws with `rng01` (uniform [0,1)).
int32_t pickToken(std::vector<float> logits, const std::vector<int32_t>& context,
                  const GenerateOptions& options, double rng01);

}  // namespace fm
