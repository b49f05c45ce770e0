// The pre-LayerNorm transformer blocks of CLIP's and SigLIP's towers, with transformers' key
// names: self_attn.{q,k,v,out}_proj, layer_norm1, mlp.fc1 / mlp.fc2, layer_norm2, in an
// encoder.layers list. Private to the architectures that share them (clip.cpp, siglip.cpp).
#pragma once

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "arch/arch_summary.h"
#include "arch/config_values.h"
#include "nn/attention.h"
#include "nn/layers.h"
#include "util/error.h"

namespace fm::towers {

struct TowerConfig {
  int64_t hidden = 0, intermediate = 0, layers = 0, heads = 0;
  double eps = 1e-5;
  Activation act = Activation::QuickGelu;
  int64_t headDim() const { return hidden / heads; }
};

// What the Models panel shows of a two-tower image-text model (CLIP, SigLIP): the text tower's
// shape as the model's, the image tower's beside it.
struct TwoTowerShape {
  std::string modelType, architecture;
  const TowerConfig* text = nullptr;
  const TowerConfig* vision = nullptr;
  int64_t vocab = 0, maxPositions = 0, imageSize = 0, patchSize = 0, projection = 0;
};
inline ArchSummary twoTowerSummary(const TwoTowerShape& t) {
  ArchSummary s;
  s.modelType = t.modelType;
  s.architecture = t.architecture;
  s.kind = ModelKind::VisionText;
  s.vocabSize = t.vocab;
  s.hidden = t.text->hidden;
  s.layers = t.text->layers;
  s.heads = s.kvHeads = t.text->heads;
  s.headDim = t.text->headDim();
  s.intermediate = t.text->intermediate;
  s.maxPositions = t.maxPositions;
  s.positionEncoding = "learned";
  s.imageSize = t.imageSize;
  s.patchSize = t.patchSize;
  s.visionHidden = t.vision->hidden;
  s.visionLayers = t.vision->layers;
  s.projectionDim = t.projection;
  return s;
}

// The text_config / vision_config object (or the *_dict spelling of old configs); an empty
// object when there is none, so that every size takes the family's default.
inline const nlohmann::json& configSection(const nlohmann::json& c, const char* key) {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  for (const std::string& k : {std::string(key), std::string(key) + "_dict"}) {
    auto it = c.find(k);
    if (it != c.end() && it->is_object()) return *it;
  }
  return kEmpty;
}

// Sizes, epsilon and activation of one tower from its config section (`where` names it in
// errors); `defaultAct` is the family's activation where the config names none.
inline void readTower(const nlohmann::json& c, const char* where, TowerConfig& t, const char* defaultAct) {
  t.hidden = configInt(c, "hidden_size", t.hidden, where);
  t.intermediate = configInt(c, "intermediate_size", t.intermediate, where);
  t.layers = configInt(c, "num_hidden_layers", t.layers, where);
  t.heads = configInt(c, "num_attention_heads", t.heads, where);
  t.eps = configNum(c, "layer_norm_eps", t.eps, where);
  t.act = parseActivation(configString(c, "hidden_act", defaultAct, where), "hidden_act");
  if (t.hidden <= 0 || t.intermediate <= 0 || t.layers <= 0 || t.heads <= 0)
    throw FormatError(std::string(where) + ": sizes must be positive");
  if (t.hidden % t.heads != 0)
    throw FormatError(std::string(where) + ": hidden_size " + std::to_string(t.hidden) +
                      " is not a multiple of num_attention_heads " + std::to_string(t.heads));
}

struct ClipAttentionImpl : torch::nn::Module {
  explicit ClipAttentionImpl(const TowerConfig& c) {
    q_proj = register_module("q_proj", Linear(c.hidden, c.hidden, true));
    k_proj = register_module("k_proj", Linear(c.hidden, c.hidden, true));
    v_proj = register_module("v_proj", Linear(c.hidden, c.hidden, true));
    out_proj = register_module("out_proj", Linear(c.hidden, c.hidden, true));
  }
  Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, out_proj{nullptr};
};
TORCH_MODULE(ClipAttention);

struct ClipMlpImpl : torch::nn::Module {
  explicit ClipMlpImpl(const TowerConfig& c) {
    fc1 = register_module("fc1", Linear(c.hidden, c.intermediate, true));
    fc2 = register_module("fc2", Linear(c.intermediate, c.hidden, true));
  }
  Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(ClipMlp);

// Pre-LayerNorm block: x + attn(ln1(x)), then x + mlp(ln2(x)).
struct ClipLayerImpl : torch::nn::Module {
  explicit ClipLayerImpl(const TowerConfig& c) : cfg(c) {
    self_attn = register_module("self_attn", ClipAttention(c));
    layer_norm1 = register_module("layer_norm1", LayerNorm(c.hidden, c.eps));
    mlp = register_module("mlp", ClipMlp(c));
    layer_norm2 = register_module("layer_norm2", LayerNorm(c.hidden, c.eps));
  }
  // x (B, T, hidden); mask additive, broadcastable to (B, 1, T, T), or undefined.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask) {
    const int64_t B = x.size(0), T = x.size(1), H = cfg.heads, hd = cfg.headDim();
    auto h = layer_norm1(x);
    auto q = self_attn->q_proj(h).view({B, T, H, hd}).transpose(1, 2);  // (B, H, T, hd)
    auto k = self_attn->k_proj(h).view({B, T, H, hd}).transpose(1, 2);
    auto v = self_attn->v_proj(h).view({B, T, H, hd}).transpose(1, 2);
    auto ctx = attention(q, k, v, mask, 1.0 / std::sqrt(static_cast<double>(hd)));
    auto y = x + self_attn->out_proj(ctx.transpose(1, 2).reshape({B, T, cfg.hidden}));
    return y + mlp->fc2(activate(mlp->fc1(layer_norm2(y)), cfg.act));
  }
  TowerConfig cfg;
  ClipAttention self_attn{nullptr};
  LayerNorm layer_norm1{nullptr}, layer_norm2{nullptr};
  ClipMlp mlp{nullptr};
};
TORCH_MODULE(ClipLayer);

struct ClipEncoderImpl : torch::nn::Module {
  explicit ClipEncoderImpl(const TowerConfig& c) {
    layers = register_module("layers", torch::nn::ModuleList());
    for (int64_t i = 0; i < c.layers; ++i) {
      blocks.push_back(ClipLayer(c));
      layers->push_back(blocks.back());
    }
  }
  torch::Tensor forward(torch::Tensor x, const torch::Tensor& mask) {
    for (auto& b : blocks) x = b->forward(x, mask);
    return x;
  }
  torch::nn::ModuleList layers{nullptr};
  std::vector<ClipLayer> blocks;
};
TORCH_MODULE(ClipEncoder);

}  // namespace fm::towers
