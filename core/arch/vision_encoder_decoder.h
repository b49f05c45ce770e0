// VisionEncoderDecoderModel (model_type "vision-encoder-decoder"): a ViT image encoder
// (encoder.model_type "vit": patch convolution, class token, learned positions, pre-LayerNorm
// blocks, final layernorm) and a GPT-2 decoder with cross-attention (decoder.model_type "gpt2",
// add_cross_attention), with enc_to_dec_proj when the two hidden sizes differ. This is the
// image-to-text pipeline's classic (nlpconnect/vit-gpt2-image-captioning). Checkpoint keys are
// transformers' own: encoder.*, decoder.transformer.*, decoder.lm_head.weight.
#pragma once

#include "arch/image_to_text.h"

namespace fm {

std::shared_ptr<Network> makeVisionEncoderDecoder(const nlohmann::json& config);
ArchSummary visionEncoderDecoderSummary(const nlohmann::json& config);

}  // namespace fm
