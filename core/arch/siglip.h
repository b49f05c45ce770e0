// SigLIP (model_type "siglip", SiglipModel: google/siglip-*): CLIP's pre-LayerNorm towers
// trained with a sigmoid loss, so each picture-text pair is scored on its own:
// sigmoid(exp(logit_scale) * cosine + logit_bias).
//   - image tower: a patch convolution with bias, learned positions, no class token; after the
//     blocks, post_layernorm and an attention-pooling head (a learned probe attends over the
//     patches through nn.MultiheadAttention, then LayerNorm and an MLP with a residual);
//   - text tower: no causal mask and no padding mask (texts are padded to max_length with the
//     pad token, as the model was trained), final_layer_norm, the LAST position through a
//     linear head.
// Neither tower has a separate projection. Checkpoint keys are transformers' own
// (vision_model.*, text_model.*, logit_scale, logit_bias).
#pragma once

#include "arch/vision_text.h"

namespace fm {

std::shared_ptr<Network> makeSiglip(const nlohmann::json& config);
ArchSummary siglipSummary(const nlohmann::json& config);

}  // namespace fm
