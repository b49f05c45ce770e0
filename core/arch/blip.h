// BLIP captioning (model_type "blip", BlipForConditionalGeneration: Salesforce/blip-image-
// captioning-*): a ViT vision tower (one qkv projection per block, class embedding and
// position embedding as plain parameters, pre-LayerNorm, post_layernorm on every position) and
// a BERT text decoder with causal self-attention and cross-attention to the picture's states
// (post-LayerNorm blocks, absolute positions, a prediction head tied to the word embeddings).
// Captions start from text_config.bos_token_id ([DEC]) and end at text_config.sep_token_id
// ([SEP]), as BlipForConditionalGeneration.generate does. Checkpoint keys are transformers'
// own: vision_model.*, text_decoder.bert.*, text_decoder.cls.predictions.*.
#pragma once

#include "arch/image_to_text.h"

namespace fm {

std::shared_ptr<Network> makeBlip(const nlohmann::json& config);
ArchSummary blipSummary(const nlohmann::json& config);

}  // namespace fm
