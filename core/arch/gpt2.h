// GPT-2 (GPT2LMHeadModel): learned positions, pre-LayerNorm blocks, Conv1D projections stored
// (in, out), tanh-approximated GELU, LM head tied to the token embeddings.
#pragma once

#include "arch/causal_lm.h"

namespace fm {

std::shared_ptr<Network> makeGpt2(const nlohmann::json& config);
ArchSummary gpt2Summary(const nlohmann::json& config);

}  // namespace fm
