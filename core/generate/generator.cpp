#include "generate/generator.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>
#include <set>

#include "arch/causal_lm.h"
#include "arch/loaded_model.h"
#include "nn/lora_adapter.h"
#include "tokenize/tokenizer.h"
#include "util/error.h"

namespace fm {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Length of the longest prefix of s that does not end inside a UTF-8 sequence or in a
// replacement character produced by decoding a partial byte sequence.
size_t completeUtf8Prefix(const std::string& s) {
  size_t n = s.size();
  size_t i = n;
  int back = 0;
  while (i > 0 && back < 4) {
    unsigned char c = static_cast<unsigned char>(s[i - 1]);
    if ((c & 0xC0) != 0x80) {
      size_t need = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
      if (n - (i - 1) < need) return i - 1;
      break;
    }
    --i;
    ++back;
  }
  static const std::string kReplacement = "\xEF\xBF\xBD";
  if (n >= 3 && s.compare(n - 3, 3, kReplacement) == 0) return n - 3;
  return n;
}

}  // namespace

int32_t pickToken(std::vector<float> logits, const std::vector<int32_t>& context,
                  const GenerateOptions& o, double rng01) {
  const int32_t V = static_cast<int32_t>(logits.size());
  if (o.repetitionPenalty != 1.0) {
    std::set<int32_t> seen(context.begin(), context.end());
    for (int32_t id : seen) {
      if (id < 0 || id >= V) continue;
      float& l = logits[id];
      l = l < 0 ? static_cast<float>(l * o.repetitionPenalty)
                : static_cast<float>(l / o.repetitionPenalty);
    }
  }
  if (o.temperature <= 0) return static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());

  // Sampling never needs the whole vocabulary sorted: without top-k/top-p it draws in id order;
  // otherwise only the head of the distribution is sorted (top-k of it, or a growing head until
  // it holds top_p of the mass). Ties keep the lower id first.
  const double invT = 1.0 / o.temperature;
  const float maxLogit = *std::max_element(logits.begin(), logits.end());
  std::vector<double> weight(static_cast<size_t>(V));
  double total = 0;
  for (int32_t i = 0; i < V; ++i) total += weight[i] = std::exp((logits[i] - maxLogit) * invT);
  if (o.topK <= 0 && o.topP >= 1.0) {
    double r = rng01 * total, cum = 0;
    for (int32_t i = 0; i < V; ++i) {
      cum += weight[i];
      if (r < cum) return i;
    }
    return static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
  }
  auto before = [&](int32_t a, int32_t b) { return logits[a] > logits[b] || (logits[a] == logits[b] && a < b); };
  std::vector<int32_t> order(static_cast<size_t>(V));
  std::iota(order.begin(), order.end(), 0);
  const size_t limit = o.topK > 0 ? std::min<size_t>(order.size(), static_cast<size_t>(o.topK)) : order.size();
  size_t keep = 0;
  double mass = 0;  // of order[0, keep) under the full distribution
  for (size_t head = std::min<size_t>(limit, 64);; head = std::min(limit, head * 4)) {
    std::partial_sort(order.begin() + static_cast<std::ptrdiff_t>(keep), order.begin() + static_cast<std::ptrdiff_t>(head),
                      order.end(), before);
    // top-p is measured within the top-k renormalised distribution, as transformers applies
    // TopKLogitsWarper before TopPLogitsWarper.
    bool reached = false;
    for (; keep < head; ++keep) {
      mass += weight[order[keep]];
      if (o.topK <= 0 && o.topP < 1.0 && mass >= o.topP * total) {
        ++keep;
        reached = true;
        break;
      }
    }
    if (reached || head == limit) break;
  }
  if (o.topK > 0 && o.topP < 1.0) {
    double kept = 0;
    for (size_t i = 0; i < keep; ++i) kept += weight[order[i]];
    double cum = 0;
    for (size_t i = 0; i < keep; ++i) {
      cum += weight[order[i]];
      if (cum >= o.topP * kept) {
        keep = i + 1;
        break;
      }
    }
  }
  double kept = 0;
  for (size_t i = 0; i < keep; ++i) kept += weight[order[i]];
  double r = rng01 * kept, cum = 0;
  for (size_t i = 0; i < keep; ++i) {
    cum += weight[order[i]];
    if (r < cum) return order[i];
  }
  return order[keep - 1];
}

GenerateResult generate(const LoadedModel& model, const std::vector<int32_t>& promptIds,
                        const GenerateOptions& o, const TokenCallback& onToken) {
  if (o.maxNewTokens < 0) throw ConfigError("max new tokens must be >= 0");
  if (!std::isfinite(o.temperature) || o.temperature < 0)
    throw ConfigError("temperature must be 0 (greedy) or a positive number, got " + std::to_string(o.temperature));
  if (o.topK < 0) throw ConfigError("top-k must be 0 (off) or a positive count, got " + std::to_string(o.topK));
  if (!std::isfinite(o.repetitionPenalty)) throw ConfigError("repetition penalty must be a finite number");
  if (!(o.topP > 0 && o.topP <= 1)) throw ConfigError("top-p must be in (0, 1]");
  if (o.repetitionPenalty <= 0) throw ConfigError("repetition penalty must be > 0");
  torch::InferenceMode guard;
  CausalLM& lm = model.lm();
  if (o.adapter) o.adapter->checkModel(lm.instanceId());
  AdapterScope adapterScope(o.adapter.get());
  const Tokenizer* tok = model.tokenizer();
  const ModelInfo& info = model.info();
  const int64_t maxPos = lm.summary().maxPositions;

  GenerateResult r;
  r.promptTokens = static_cast<int>(promptIds.size());
  if (promptIds.empty()) throw ConfigError("the prompt has no tokens (and no BOS token to start from)");
  for (int32_t id : promptIds)
    if (id < 0 || id >= info.vocabSize)
      throw ConfigError("prompt token id " + std::to_string(id) + " is outside the vocabulary (" +
                        std::to_string(info.vocabSize) + ")");
  if (static_cast<int64_t>(promptIds.size()) >= maxPos)
    throw ConfigError("the prompt has " + std::to_string(promptIds.size()) +
                      " tokens; this model's context is " + std::to_string(maxPos));

  std::set<int32_t> eos;
  for (int64_t e : info.eosIds) eos.insert(static_cast<int32_t>(e));
  if (tok && tok->special().eos) eos.insert(*tok->special().eos);

  std::mt19937_64 rng(o.seed);
  std::uniform_real_distribution<double> uni(0.0, 1.0);
  const auto dev = lm.device();
  auto toTensor = [&](const std::vector<int32_t>& ids) {
    std::vector<int64_t> v(ids.begin(), ids.end());
    return torch::tensor(v, torch::kLong).view({1, -1}).to(dev);
  };

  std::vector<int32_t> context = promptIds;
  const int64_t capacity = std::min<int64_t>(maxPos, static_cast<int64_t>(promptIds.size()) + o.maxNewTokens);
  KVCache cache;
  if (o.useCache) cache = lm.makeCache(1, capacity);

  // New text is decoded incrementally over a short window of tokens (the way streaming
  // detokenizers do), so each token costs the same however long the answer is. The window
  // starts with the last prompt token, which keeps the leading space that SentencePiece
  // decoders strip from the start of a text. `text` is everything decoded so far.
  std::vector<int32_t> window;
  size_t readOffset = 0;  // window[0, readOffset) is already in `text`
  if (tok) {
    window.push_back(promptIds.back());
    readOffset = 1;
  }
  auto decodeStep = [&](bool flush) {
    const std::string before = tok->decode(std::vector<int32_t>(window.begin(), window.begin() + static_cast<std::ptrdiff_t>(readOffset)), true);
    const std::string after = tok->decode(window, true);
    // Wait while the text ends inside a UTF-8 character (or in the replacement character a
    // partial byte sequence decodes to): the next token completes it.
    if (!flush && (after.size() <= before.size() || completeUtf8Prefix(after) < after.size())) return std::string();
    std::string piece = after.size() > before.size() ? after.substr(before.size()) : std::string();
    // Everything is decoded: the next window starts at the last token read.
    window.erase(window.begin(), window.end() - 1);
    readOffset = 1;
    return piece;
  };
  std::string fullText;
  size_t emitted = 0;

  auto t0 = Clock::now();
  torch::Tensor logits = o.useCache ? lm.forward({toTensor(promptIds), &cache})
                                    : lm.forward({toTensor(promptIds), nullptr});
  r.prefillSeconds = secondsSince(t0);
  auto tDecode = Clock::now();
  r.stopReason = "max_tokens";
  for (int i = 0; i < o.maxNewTokens; ++i) {
    auto last = logits[0][logits.size(1) - 1].to(torch::kCPU).contiguous();
    std::vector<float> lv(last.data_ptr<float>(), last.data_ptr<float>() + last.numel());
    int32_t next = pickToken(std::move(lv), context, o, o.temperature > 0 ? uni(rng) : 0.0);
    if (i == 0) tDecode = Clock::now();
    if (o.stopAtEos && eos.count(next)) {
      r.stopReason = "eos";
      break;
    }
    context.push_back(next);
    r.tokens.push_back(next);

    TokenEvent ev;
    ev.id = next;
    ev.index = i;
    bool stopString = false;
    if (tok) {
      window.push_back(next);
      const size_t searchFrom = fullText.size();
      fullText += decodeStep(false);
      for (const auto& s : o.stopStrings) {
        size_t at = s.empty() ? std::string::npos : fullText.find(s, searchFrom > s.size() ? searchFrom - s.size() : 0);
        if (at != std::string::npos) {
          fullText.resize(at);
          stopString = true;
        }
      }
      size_t ready = stopString ? fullText.size() : completeUtf8Prefix(fullText);
      // Hold back text that could be the start of a stop string.
      if (!stopString)
        for (const auto& s : o.stopStrings)
          for (size_t k = std::min(s.size() - 1, ready); k > 0; --k)
            if (ready >= k && fullText.compare(ready - k, k, s, 0, k) == 0) {
              ready = std::min(ready, ready - k);
              break;
            }
      if (ready > emitted) {
        ev.text = fullText.substr(emitted, ready - emitted);
        emitted = ready;
      }
    }
    if (onToken && !onToken(ev)) {
      r.stopReason = "cancelled";
      break;
    }
    if (stopString) {
      r.stopReason = "stop_string";
      break;
    }
    if (i + 1 == o.maxNewTokens) break;
    if (static_cast<int64_t>(context.size()) >= maxPos) {
      r.stopReason = "context_full";
      break;
    }
    logits = o.useCache ? lm.forward({toTensor({next}), &cache})
                        : lm.forward({toTensor(context), nullptr});
  }
  r.decodeSeconds = secondsSince(tDecode);
  if (tok) {
    if (r.stopReason != "stop_string" && window.size() > readOffset) fullText += decodeStep(true);
    if (emitted < fullText.size() && onToken && r.stopReason != "cancelled") {
      TokenEvent ev;
      ev.id = -1;
      ev.index = static_cast<int>(r.tokens.size());
      ev.text = fullText.substr(emitted);
      onToken(ev);
    }
    r.text = fullText;
  }
  return r;
}

}  // namespace fm
