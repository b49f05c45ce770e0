#include "generate/bench.h"

#include <torch/torch.h>

#include <chrono>
#include <random>

#include "arch/causal_lm.h"
#include "arch/loaded_model.h"
#include "generate/generator.h"

namespace fm {

double measureReadBandwidthGBs() {
  torch::InferenceMode guard;
  const int64_t n = 64ll * 1024 * 1024;  // 256 MB of fp32, far beyond the caches
  auto a = torch::ones({n});
  double best = 0;
  for (int i = 0; i < 5; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto s = a.sum();
    (void)s.item<float>();
    double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::max(best, n * 4.0 / dt / 1e9);
  }
  return best;
}

GenerateBenchResult benchGenerate(const LoadedModel& model, int promptTokens, int newTokens,
                                  bool withNoCache, const std::function<void(const std::string&)>& log) {
  auto say = [&](const std::string& s) {
    if (log) log(s);
  };
  GenerateBenchResult r;
  r.promptTokens = promptTokens;
  r.newTokens = newTokens;
  r.threads = torch::get_num_threads();
  const auto& info = model.info();
  std::mt19937 rng(7);
  std::vector<int32_t> prompt(promptTokens);
  const int32_t vocab = static_cast<int32_t>(std::min<int64_t>(info.vocabSize, info.tokenizerVocab > 0 ? info.tokenizerVocab : info.vocabSize));
  for (auto& id : prompt) id = 3 + static_cast<int32_t>(rng() % (vocab - 3));

  GenerateOptions o;
  o.temperature = 0;
  o.stopAtEos = false;
  o.maxNewTokens = 1;
  // Warm-up: first calls allocate and tune kernels.
  generate(model, prompt, o);
  say("prefill " + std::to_string(promptTokens) + " tokens");
  double best = 1e9;
  for (int i = 0; i < 3; ++i) best = std::min(best, generate(model, prompt, o).prefillSeconds);
  r.prefillTokensPerSecond = promptTokens / best;

  o.maxNewTokens = newTokens;
  say("decode " + std::to_string(newTokens) + " tokens with KV cache");
  GenerateResult withCache = generate(model, prompt, o);
  r.decodeTokensPerSecond = withCache.decodeTokensPerSecond();
  if (withNoCache) {
    say("decode " + std::to_string(newTokens) + " tokens without KV cache");
    o.useCache = false;
    GenerateResult noCache = generate(model, prompt, o);
    r.decodeNoCacheTokensPerSecond = noCache.decodeTokensPerSecond();
  }
  // Every parameter is read once per decoded token (embeddings: one row, negligible).
  const auto& lm = model.lm();
  double bytes = 0;
  for (const auto& p : lm.named_parameters(true)) {
    if (p.key().find("embed_tokens") != std::string::npos || p.key().find("wte") != std::string::npos ||
        p.key().find("wpe") != std::string::npos) {
      if (!lm.summary().tiedEmbeddings) continue;  // tied: read again as the LM head
    }
    bytes += static_cast<double>(p.value().numel()) * p.value().element_size();
  }
  r.weightBytesPerToken = bytes;
  say("memory bandwidth");
  r.memoryBandwidthGBs = measureReadBandwidthGBs();
  r.boundTokensPerSecond = r.memoryBandwidthGBs * 1e9 / bytes;
  return r;
}

}  // namespace fm
