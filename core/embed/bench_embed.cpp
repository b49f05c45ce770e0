#include "embed/bench_embed.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>

#include "arch/encoder.h"
#include "arch/loaded_model.h"
#include "embed/embedder.h"
#include "embed/train_embedder.h"
#include "io/atomic_file.h"
#include "nn/weights.h"
#include "train/bench_train.h"
#include "util/error.h"

namespace fm {
namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::vector<std::vector<int32_t>> benchEmbedIds(int64_t texts, int64_t maxLength, int64_t fixedLength) {
  std::vector<std::vector<int32_t>> out;
  for (int64_t i = 0; i < texts; ++i) {
    double u = std::fmod(static_cast<double>(i) * 0.6180339887498949 + 0.5, 1.0);
    u = std::min(std::max(u, 1e-6), 1 - 1e-6);
    const double x = 40.0 * std::exp(0.45 * std::log(u / (1 - u)));
    int64_t len = std::min<int64_t>(256, std::max<int64_t>(8, static_cast<int64_t>(std::floor(x + 0.5))));
    if (fixedLength > 0) len = fixedLength;
    len = std::min(len, maxLength);
    std::vector<int32_t> ids(static_cast<size_t>(len));
    for (int64_t j = 0; j < len; ++j) ids[static_cast<size_t>(j)] = static_cast<int32_t>(1000 + (i * 7919 + j * 104729) % 28000);
    ids.front() = 101;
    ids.back() = 102;
    out.push_back(std::move(ids));
  }
  return out;
}

json EmbedBenchResult::toJson() const {
  return {{"texts", texts},           {"real_tokens", realTokens},         {"padded_tokens", paddedTokens},
          {"seconds", seconds},       {"texts_per_s", textsPerS},          {"real_tokens_per_s", realTokensPerS},
          {"achieved_gflops", achievedGflops}, {"gemm_gflops", gemmGflops}, {"gemm_fraction", gemmFraction},
          {"threads", threads}};
}

EmbedBenchResult benchEmbed(const LoadedModel& model, int64_t texts, int64_t fixedLength) {
  if (texts <= 0) throw ConfigError("bench embed: --texts must be positive");
  const ModelInfo& info = model.info();
  model.encoder();
  const int64_t maxLen = info.maxLength > 0 ? info.maxLength : info.maxPositions;
  for (int32_t id : {101, 102, 1000 + 27999})
    if (id >= info.vocabSize)
      throw ConfigError("bench embed needs a vocabulary of at least 29000 tokens (BERT-sized); this one has " +
                        std::to_string(info.vocabSize));
  const auto ids = benchEmbedIds(texts, maxLen, fixedLength);
  EmbedOptions o;
  // Warm-up on the longest texts, as the peer does.
  std::vector<std::vector<int32_t>> warm(ids);
  std::sort(warm.begin(), warm.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  warm.resize(std::min<size_t>(warm.size(), 32));
  embedIds(model, warm, 0, o);

  EmbedBenchResult r;
  const auto t0 = Clock::now();
  EmbedResult e = embedIds(model, ids, 0, o);
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  r.texts = texts;
  r.realTokens = e.realTokens;
  r.paddedTokens = e.paddedTokens;
  r.textsPerS = texts / r.seconds;
  r.realTokensPerS = e.realTokens / r.seconds;
  // Useful arithmetic: every linear layer once per real token (2 flops per weight), and
  // attention scores and context over each text's own length.
  const double H = static_cast<double>(info.hidden), I = static_cast<double>(info.intermediate);
  const double L = static_cast<double>(info.layers);
  double flops = 0;
  for (const auto& t : ids) {
    const double n = static_cast<double>(t.size());
    flops += n * L * 2.0 * (4 * H * H + 2 * H * I) + L * 4.0 * n * n * H;
  }
  r.flopsPerText = flops / texts;
  r.achievedGflops = flops / r.seconds / 1e9;
  r.gemmGflops = measureGemmGflops(1024, 1024, 1024, 1.0);
  r.gemmFraction = r.achievedGflops / r.gemmGflops;
  r.threads = torch::get_num_threads();
  return r;
}

void createBenchEncoder(const std::string& dirStr, const std::string& preset, uint64_t seed) {
  if (preset != "minilm-l6") throw ConfigError("bench encoder preset \"" + preset + "\" is unknown (minilm-l6)");
  const fs::path dir(dirStr);
  const json config = {{"architectures", {"BertModel"}}, {"model_type", "bert"}, {"vocab_size", 30522},
                       {"hidden_size", 384}, {"num_hidden_layers", 6}, {"num_attention_heads", 12},
                       {"intermediate_size", 1536}, {"max_position_embeddings", 512}, {"type_vocab_size", 2},
                       {"layer_norm_eps", 1e-12}, {"hidden_act", "gelu"}, {"pad_token_id", 0}};
  writeRandomModel(dir, config, seed);
}

}  // namespace fm
