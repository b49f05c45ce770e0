// CLIP (model_type "clip", CLIPModel): a ViT image tower and a causal text transformer, each
// with pre-LayerNorm blocks and learned positions, projected into one space; logit_scale is the
// learned temperature. Text features are read at the end-of-text token: the first position
// holding text_config.eos_token_id, or, for configs that keep the old default 2, the position
// of the highest id (transformers' two rules). Checkpoint keys are transformers' own
// (vision_model.*, text_model.*, visual_projection, text_projection, logit_scale).
#pragma once

#include "arch/vision_text.h"

namespace fm {

std::shared_ptr<Network> makeClip(const nlohmann::json& config);
ArchSummary clipSummary(const nlohmann::json& config);

}  // namespace fm
