// Tiny models made by the tests themselves, in Hugging Face layout, written with fm_core's own
// safetensors writer. Weights follow a closed formula shared with
// tests/fixtures/reference/make_reference_logits.py, so an independent implementation can
// compute reference logits for exactly these models.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace fm::test {

// tests/fixtures/reference/<name>.json
nlohmann::json referenceFixture(const std::string& name);

// Element i of tensor `name` (see the script for the formula).
float formulaValue(const std::string& name, int64_t i);
// The formula's raw value v of element i (before the norm / non-norm scaling), in double.
double formulaRaw(const std::string& name, int64_t i);

// Writes config.json (or every file of the fixture's "files") and model.safetensors (F32)
// for a reference fixture. With `shards` > 1 the tensors are spread over that many files with
// a model.safetensors.index.json. `keyPrefix` is put before every tensor name.
void writeReferenceModel(const nlohmann::json& fixture, const std::filesystem::path& dir,
                         int shards = 1, const std::string& keyPrefix = "");

// The fixture's files and tensor shapes with values of the caller's choosing (a model whose
// behaviour a test designs, such as an embedder that knows which words mean the same).
void writeDesignedModel(const nlohmann::json& fixture, const std::filesystem::path& dir,
                        const std::function<float(const std::string& tensor, int64_t index)>& value);

// The tiny ViT-GPT2 captioner of reference/tiny_vit_gpt2.json (its weight rule: LayerNorm
// weights 1 + 0.2 v, the rest weight_gain x 0.08 v). With `withTokenizer`, its vocabulary is
// widened to the GPT-2 tokenizer fixture's 635 ids (<|endoftext|> 632 starts and ends), that
// tokenizer is copied in, and a ViT preprocessor for 16 x 16 pictures is written.
void writeTinyCaptioner(const std::filesystem::path& dir, bool withTokenizer);

}  // namespace fm::test
