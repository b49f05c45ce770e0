// LoRA adapters on a causal LM, in PEFT's format.
//
//   fm::LoraConfig cfg;                        // r=8, alpha=16, q_proj/v_proj
//   auto targets = fm::attachLora(lm, cfg, /*seed=*/0);   // A kaiming-uniform, B zero: a no-op
//   ... train fm::loraParameters(lm) ...
//   fm::saveAdapter(lm, cfg, "runs/r1/adapter");          // adapter_config.json + safetensors
//   fm::LoraConfig loaded = fm::loadAdapter(lm2, "runs/r1/adapter");  // PEFT adapters too
//   fm::setLoraEnabled(lm2, false);                       // base answers, no reload
//   fm::mergeLora(lm2);                                   // W += scale * B A, adapter removed
//
// Module paths are the Hugging Face checkpoint names ("model.layers.0.self_attn.q_proj"), so
// PEFT's keys are "base_model.model.<path>.lora_A.weight" / ".lora_B.weight".
//
// Thread safety: attaching, loading, merging and enabling mutate the model; no inference job
// may run on it meanwhile.
#pragma once

#include <torch/torch.h>

#include "lora/lora_config.h"

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace fm {

class CausalLM;

// Names of the Linear modules a config selects, in model order. Throws ConfigError naming the
// available module kinds when nothing matches.
std::vector<std::string> matchLoraTargets(CausalLM& lm, const LoraConfig& cfg);

// Attaches fresh adapters (PEFT init: A kaiming-uniform(a=sqrt(5)), B zero) and freezes every
// base parameter. Returns the module paths. The generator is seeded with `seed`.
std::vector<std::string> attachLora(CausalLM& lm, const LoraConfig& cfg, uint64_t seed);
bool hasLora(CausalLM& lm);
// Removes every adapter (the base weights are untouched).
void removeLora(CausalLM& lm);
void setLoraEnabled(CausalLM& lm, bool enabled);
// Trainable tensors in a fixed order: for each adapted module, A then B.
std::vector<at::Tensor> loraParameters(CausalLM& lm);
// Named as PEFT saves them ("base_model.model.<path>.lora_A.weight").
std::vector<std::pair<std::string, at::Tensor>> loraStateDict(CausalLM& lm);
int64_t loraParameterCount(CausalLM& lm);

void saveAdapter(CausalLM& lm, const LoraConfig& cfg, const std::filesystem::path& dir);
// Reads adapter_config.json and adapter_model.safetensors from `dir`, attaches and fills the
// adapters. Missing, unexpected and mis-shaped tensors are named together in one FormatError.
LoraConfig loadAdapter(CausalLM& lm, const std::filesystem::path& dir);
// Folds every enabled adapter into its base weight and removes the adapters. Refuses (and
// changes nothing) if a merged weight would be non-finite.
void mergeLora(CausalLM& lm);

// Writes a Hugging Face folder: the model's current weights as F32 model.safetensors, plus
// config.json, tokenizer and generation files copied from `baseDir`.
void writeModelFolder(CausalLM& lm, const std::filesystem::path& baseDir,
                      const std::filesystem::path& outDir);

}  // namespace fm
