// Models the product makes itself: random-weight Hugging Face folders for tests, benchmarks and
// the first-launch demo, with a SentencePiece tokenizer trained on built-in text.
//
//   fm::createBuiltinModel("models/tiny", "tiny", /*seed=*/1);      // ~0.3M params
//   fm::createBuiltinModel("models/bench", "llama-40m", 1);          // ~40M params
//
// The result is a normal Hugging Face folder (config.json, model.safetensors, tokenizer.model,
// tokenizer_config.json, generation_config.json) that every other command accepts.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace fm {

class CausalLM;

std::vector<std::string> builtinPresets();
nlohmann::json builtinConfig(const std::string& preset);

// Writes config.json, random weights (normal(0, 0.02), norms 1) and a tokenizer trained on
// `tokenizerText` (default: builtinCorpus).
void createBuiltinModel(const std::filesystem::path& dir, const std::string& preset, uint64_t seed,
                        const std::string& tokenizerText = "");

// Deterministic text used to train the built-in tokenizer (also a tiny pretraining corpus).
std::string builtinCorpus(int sentences, uint64_t seed);

// Trains a SentencePiece BPE tokenizer (byte fallback) on `text`; writes dir/tokenizer.model.
void trainSentencePiece(const std::string& text, const std::filesystem::path& dir, int vocabSize);

// Writes every parameter of `model` as F32 into a safetensors file (atomic).
void saveWeights(CausalLM& model, const std::filesystem::path& file);

}  // namespace fm
