// Llama family: Llama 2/3, TinyLlama, SmolLM, Mistral, Qwen2 (q/k/v bias). Grouped-query
// attention, RoPE (default, linear, dynamic NTK, llama3 scalings), SiLU-gated MLP, RMSNorm,
// tied or untied embeddings.
#pragma once

#include "arch/causal_lm.h"

namespace fm {

struct LlamaConfig {
  int64_t vocabSize = 32000, hidden = 4096, intermediate = 11008, layers = 32, heads = 32;
  int64_t kvHeads = 32, headDim = 128, maxPositions = 2048;
  double rmsEps = 1e-6, ropeTheta = 10000.0;
  std::string ropeType = "default";  // default | linear | dynamic | llama3
  double ropeFactor = 1.0, lowFreqFactor = 1.0, highFreqFactor = 4.0;
  int64_t ropeOriginalMax = 0;
  bool qkvBias = false, oBias = false, mlpBias = false, tied = false;
  int64_t slidingWindow = 0;  // Mistral: each position attends to the last N keys; 0 = all

  static LlamaConfig fromJson(const nlohmann::json& c);
};

std::shared_ptr<Network> makeLlama(const nlohmann::json& config);
ArchSummary llamaSummary(const nlohmann::json& config);

// RoPE inverse frequencies (headDim/2) after scaling, for a sequence reaching seqLen positions.
torch::Tensor ropeInvFreq(const LlamaConfig& c, int64_t seqLen);

}  // namespace fm
