// Embedding benchmark: texts/s and real tokens/s of embedTexts' batching on a text encoder, on
// synthetic token ids whose lengths follow a closed-form distribution shared with the Python
// peer (packaging/bench/embed_peer.py), and the fraction of this machine's GEMM speed reached.
//
// Lengths (special tokens included), for text i:
//   u = frac(i * 0.6180339887498949 + 0.5) clamped to [1e-6, 1 - 1e-6]
//   len = clamp(round(40 * exp(0.45 * log(u / (1 - u)))), 8, 256)   (log-logistic, median 40)
// ids: [0] = 101, [len - 1] = 102, [j] = 1000 + (i * 7919 + j * 104729) % 28000.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

namespace fm {

class LoadedModel;

// fixedLength > 0: every text that many tokens (chunk-shaped input, as a collection embeds).
std::vector<std::vector<int32_t>> benchEmbedIds(int64_t texts, int64_t maxLength, int64_t fixedLength = 0);

struct EmbedBenchResult {
  int64_t texts = 0, realTokens = 0, paddedTokens = 0;
  double seconds = 0, textsPerS = 0, realTokensPerS = 0;
  double flopsPerText = 0, achievedGflops = 0, gemmGflops = 0, gemmFraction = 0;
  int threads = 0;
  nlohmann::json toJson() const;
};

EmbedBenchResult benchEmbed(const LoadedModel& model, int64_t texts, int64_t fixedLength = 0);

// A random-weight text encoder folder for benchmarks: BERT shapes as `preset` says
// ("minilm-l6": 6 layers, hidden 384, 12 heads, ffn 1536, vocabulary 30522), mean pooling.
void createBenchEncoder(const std::string& dir, const std::string& preset, uint64_t seed);

}  // namespace fm
