// A captioner made of parts the product already loads: a CLIP image tower whose projected,
// L2-normalised picture embedding is turned by a small trained network (the mapper) into
// `prefix_length` vectors placed before the text of a causal language model (Llama family or
// GPT-2). The language model continues the prefix with the caption. This is the "ClipCap"
// recipe (Mokady et al., 2021): image features into a language model, trained on pictures with
// captions while CLIP stays frozen (vision/train_captioner.h).
//
// model_type "prefix-captioner"; one self-contained folder:
//   config.json         {"model_type": "prefix-captioner", "architectures": ["PrefixCaptioner"],
//                        "image_config": <the CLIP config>, "text_config": <the LM config>,
//                        "prefix_length": 10, "mapper_hidden": 512,
//                        "decoder_start_token_id": 1, "eos_token_id": [2]}
//   model.safetensors   image_model.* (CLIPModel keys), language_model.* (the LM's own keys,
//                       LoRA merged in), mapper.fc1.*, mapper.fc2.*
//   the LM's tokenizer files and CLIP's preprocessor_config.json.
//
// Generation: the prefix, then decoder_start_token_id, then the caption up to an end token.
//
// Thread safety: as Network; set torch::InferenceMode on the worker thread.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "arch/causal_lm.h"
#include "arch/image_to_text.h"
#include "nn/layers.h"

namespace fm {

// Picture embedding (B, D) -> L2-normalised -> fc1 -> tanh -> fc2 -> (B, prefix, hidden).
struct PrefixMapperImpl : torch::nn::Module {
  PrefixMapperImpl(int64_t imageDim, int64_t hidden, int64_t prefixLength, int64_t textHidden);
  torch::Tensor forward(const torch::Tensor& imageFeatures);
  // Weights uniform(+-1/sqrt(fan_in)) from `generator`, biases 0 (nn.Linear's default range).
  void initialize(at::Generator& generator);
  int64_t prefixLength, textHidden;
  Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(PrefixMapper);

// The LM's logits for `ids` (B, T) when `prefix` (B, P, hidden) comes first, at the positions of
// `ids` only: (B, T, vocab), or (N, vocab) for `outputRows` (indices into the flattened
// (B, P + T) sequence). An undefined `prefix` continues a cache that already holds it.
torch::Tensor logitsAfterPrefix(CausalLM& lm, const torch::Tensor& prefix, const torch::Tensor& ids, KVCache* cache,
                                const torch::Tensor& outputRows = {});

struct PrefixCaptionerParts {
  int64_t prefixLength = 10, mapperHidden = 0, startId = -1;
  std::vector<int64_t> eos;
};
// The config.json of a captioner made of these two models.
nlohmann::json prefixCaptionerConfig(const nlohmann::json& imageConfig, const nlohmann::json& textConfig,
                                     const PrefixCaptionerParts& parts);

std::shared_ptr<Network> makePrefixCaptioner(const nlohmann::json& config);
ArchSummary prefixCaptionerSummary(const nlohmann::json& config);

// A captioner over modules that already exist (the trainer's language model and mapper, no
// image tower: encodeImages() then throws), for captions from picture embeddings:
// decode(ids, mapper(features), cache).
std::shared_ptr<ImageToTextModel> prefixCaptionerFromParts(const nlohmann::json& config, std::shared_ptr<CausalLM> lm,
                                                           PrefixMapper mapper);

}  // namespace fm
