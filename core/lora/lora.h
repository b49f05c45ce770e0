// LoRA adapters in PEFT's format, as values beside a model (nn/lora_adapter.h): creating,
// training, saving, reading and merging never change a model that inference jobs share.
//
//   fm::LoraConfig cfg;                                            // r=8, alpha=16, q_proj/v_proj
//   auto a = fm::createLora(lm, cfg, /*seed=*/0);   // A kaiming-uniform, B zero: a no-op
//   { fm::AdapterScope use(a.get()); ... train fm::loraParameters(*a) ... }
//   fm::saveAdapter(*a, "runs/r1/adapter");                         // PEFT folder
//   auto b = fm::readAdapter(lm2, "runs/r1/adapter");              // PEFT adapters too
//   fm::mergeLora(lm2, *b);                                         // W += scale * B A
//
// Module paths are the Hugging Face checkpoint names ("model.layers.0.self_attn.q_proj"), so
// PEFT's keys are "base_model.model.<path>.lora_A.weight" / ".lora_B.weight".
//
// Thread safety: createLora/readAdapter only read the model; mergeLora writes its weights (no
// inference job may use that model meanwhile: merge into a copy of your own).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "lora/lora_config.h"
#include "nn/lora_adapter.h"

namespace fm {

class CausalLM;
class Network;

// Names of the Linear modules a config selects, in model order. Throws ConfigError naming the
// available module kinds when nothing matches.
std::vector<std::string> matchLoraTargets(Network& model, const LoraConfig& cfg);

// A fresh, trainable adapter (PEFT init: A kaiming-uniform(a=sqrt(5)), B zero) for the
// selected modules. The generator is seeded with `seed`. The model itself is untouched.
std::shared_ptr<LoraAdapter> createLora(Network& model, const LoraConfig& cfg, uint64_t seed);

// Trainable tensors in a fixed order: for each adapted module, A then B.
std::vector<at::Tensor> loraParameters(const LoraAdapter& adapter);
// Named as PEFT saves them ("base_model.model.<path>.lora_A.weight").
std::vector<std::pair<std::string, at::Tensor>> loraStateDict(const LoraAdapter& adapter);
int64_t loraParameterCount(const LoraAdapter& adapter);

// adapter_config.json + adapter_model.safetensors.
void saveAdapter(const LoraAdapter& adapter, const std::filesystem::path& dir);
// Reads a PEFT adapter folder for `model`. Missing, unexpected and mis-shaped tensors are named
// together in one FormatError; nothing is changed on failure. Tensors are trainable.
std::shared_ptr<LoraAdapter> readAdapter(Network& model, const std::filesystem::path& dir);
// Folds the adapter into the model's base weights. Refuses (and changes nothing) if a merged
// weight would be non-finite.
void mergeLora(Network& model, const LoraAdapter& adapter);

// Writes a Hugging Face folder: the model's current weights as F32 model.safetensors, plus
// config.json, tokenizer and generation files copied from `baseDir`.
void writeModelFolder(CausalLM& lm, const std::filesystem::path& baseDir, const std::filesystem::path& outDir);

}  // namespace fm
