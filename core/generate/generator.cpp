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

  std::vector<int32_t> order(V);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return logits[a] > logits[b]; });
  size_t keep = order.size();
  if (o.topK > 0) keep = std::min<size_t>(keep, static_cast<size_t>(o.topK));
  std::vector<double> p(keep);
  const double maxLogit = logits[order[0]] / o.temperature;
  double sum = 0;
  for (size_t i = 0; i < keep; ++i) {
    p[i] = std::exp(logits[order[i]] / o.temperature - maxLogit);
    sum += p[i];
  }
  for (auto& x : p) x /= sum;
  if (o.topP < 1.0) {
    // Smallest prefix of the sorted distribution whose mass reaches top_p (at least one).
    double cum = 0;
    size_t cut = keep;
    for (size_t i = 0; i < keep; ++i) {
      cum += p[i];
      if (cum >= o.topP) {
        cut = i + 1;
        break;
      }
    }
    keep = cut;
    p.resize(keep);
    double s = std::accumulate(p.begin(), p.end(), 0.0);
    for (auto& x : p) x /= s;
  }
  double r = rng01, cum = 0;
  for (size_t i = 0; i < keep; ++i) {
    cum += p[i];
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

  // Decoding the new tokens after one token of context keeps the leading space that
  // SentencePiece decoders strip from the start of a text.
  std::vector<int32_t> decodeCtx;
  if (tok) decodeCtx.push_back(promptIds.back());
  const size_t ctxLen = tok ? tok->decode(decodeCtx, true).size() : 0;
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
      decodeCtx.push_back(next);
      fullText = tok->decode(decodeCtx, true).substr(ctxLen);
      for (const auto& s : o.stopStrings) {
        size_t at = s.empty() ? std::string::npos : fullText.find(s, emitted > s.size() ? emitted - s.size() : 0);
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
    if (r.stopReason != "stop_string") fullText = r.tokens.empty() ? "" : tok->decode(decodeCtx, true).substr(ctxLen);
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
