// Reads top to bottom: the mapper -> the config -> the model -> summary.
#include "arch/prefix_captioner.h"

#include <cmath>

#include "arch/clip.h"
#include "arch/config_values.h"
#include "arch/vision_text.h"
#include "util/error.h"

namespace fm {
using nlohmann::json;

PrefixMapperImpl::PrefixMapperImpl(int64_t imageDim, int64_t hidden, int64_t prefix, int64_t textHiddenSize)
    : prefixLength(prefix), textHidden(textHiddenSize) {
  fc1 = register_module("fc1", Linear(imageDim, hidden, true));
  fc2 = register_module("fc2", Linear(hidden, prefix * textHiddenSize, true));
}

torch::Tensor PrefixMapperImpl::forward(const torch::Tensor& features) {
  auto f = torch::nn::functional::normalize(features.to(fc1->weight.scalar_type()),
                                            torch::nn::functional::NormalizeFuncOptions().dim(-1));
  return fc2(torch::tanh(fc1(f))).view({features.size(0), prefixLength, textHidden});
}

void PrefixMapperImpl::initialize(at::Generator& generator) {
  torch::NoGradGuard ng;
  for (Linear* l : {&fc1, &fc2}) {
    const double bound = 1.0 / std::sqrt(static_cast<double>((*l)->in));
    (*l)->weight.uniform_(-bound, bound, generator);
    (*l)->bias.zero_();
  }
}

torch::Tensor logitsAfterPrefix(CausalLM& lm, const torch::Tensor& prefix, const torch::Tensor& ids, KVCache* cache,
                                const torch::Tensor& outputRows) {
  ForwardArgs a;
  a.cache = cache;
  a.outputRows = outputRows;
  if (prefix.defined()) {
    auto tokens = lm.embedTokens(ids);
    a.inputEmbeds = torch::cat({prefix.to(tokens.scalar_type()), tokens}, 1);
  } else {
    a.ids = ids;
  }
  auto logits = lm.forward(a);
  if (outputRows.defined() || !prefix.defined()) return logits;
  return logits.slice(1, prefix.size(1));
}

namespace {

bool startsWith(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }

struct PcConfig {
  json image, text;
  int64_t prefixLength = 10, mapperHidden = 0, startId = -1;
  std::vector<int64_t> eos;
  ArchSummary imageSummary, textSummary;

  static PcConfig fromJson(const json& c) {
    PcConfig k;
    if (!c.contains("image_config") || !c["image_config"].is_object() || !c.contains("text_config") ||
        !c["text_config"].is_object())
      throw FormatError("config.json: a prefix captioner needs \"image_config\" and \"text_config\" objects");
    k.image = c["image_config"];
    k.text = c["text_config"];
    if (configString(k.image, "model_type", "", "config.json image_config") != "clip")
      throw UnsupportedError("config.json: the prefix captioner's image model must be CLIP (model_type \"clip\")");
    k.imageSummary = clipSummary(k.image);
    k.textSummary = summarizeArch(k.text);
    if (k.textSummary.kind != ModelKind::CausalLM)
      throw UnsupportedError("config.json: the prefix captioner's text model is a " +
                             std::string(modelKindLabel(k.textSummary.kind)) + ", not a language model");
    k.prefixLength = configInt(c, "prefix_length", k.prefixLength);
    k.mapperHidden = configInt(c, "mapper_hidden", 0);
    k.startId = configInt(c, "decoder_start_token_id", -1);
    if (k.prefixLength < 1 || k.mapperHidden < 1)
      throw FormatError("config.json: prefix_length and mapper_hidden must be at least 1");
    if (k.startId < 0 || k.startId >= k.textSummary.vocabSize)
      throw FormatError("config.json: decoder_start_token_id is missing or outside the vocabulary");
    if (k.prefixLength >= k.textSummary.maxPositions)
      throw FormatError("config.json: prefix_length leaves no room for text in the language model's " +
                        std::to_string(k.textSummary.maxPositions) + " positions");
    if (auto it = c.find("eos_token_id"); it != c.end()) {
      if (it->is_number_integer()) k.eos.push_back(it->get<int64_t>());
      else if (it->is_array())
        for (const auto& v : *it)
          if (v.is_number_integer()) k.eos.push_back(v.get<int64_t>());
    }
    if (k.eos.empty()) throw FormatError("config.json: eos_token_id is missing");
    return k;
  }
};

class PrefixCaptionerNet : public ImageToTextModel {
 public:
  explicit PrefixCaptionerNet(const json& config)
      : m_cfg(PcConfig::fromJson(config)), m_summary(prefixCaptionerSummary(config)) {
    auto clip = makeClip(m_cfg.image);
    m_image = std::dynamic_pointer_cast<VisionTextModel>(clip);
    register_module("image_model", std::static_pointer_cast<torch::nn::Module>(clip));
    m_lm = createCausalLM(m_cfg.text);
    register_module("language_model", std::static_pointer_cast<torch::nn::Module>(m_lm));
    mapper = register_module("mapper", PrefixMapper(m_cfg.imageSummary.projectionDim, m_cfg.mapperHidden,
                                                    m_cfg.prefixLength, m_cfg.textSummary.hidden));
  }
  PrefixCaptionerNet(const json& config, std::shared_ptr<CausalLM> lm, PrefixMapper m)
      : m_cfg(PcConfig::fromJson(config)), m_summary(prefixCaptionerSummary(config)), m_lm(std::move(lm)) {
    register_module("language_model", std::static_pointer_cast<torch::nn::Module>(m_lm));
    mapper = register_module("mapper", std::move(m));
  }

  torch::Tensor encodeImages(const torch::Tensor& pixels) override {
    if (!m_image) throw UnsupportedError("this captioner was assembled without its image model");
    const int64_t S = m_cfg.imageSummary.imageSize;
    if (pixels.dim() != 4 || pixels.size(1) != 3 || pixels.size(2) != S || pixels.size(3) != S)
      throw ConfigError("this captioner takes pictures of " + std::to_string(S) + " x " + std::to_string(S) + " pixels");
    return mapper(m_image->imageFeatures(pixels));
  }

  torch::Tensor decode(const torch::Tensor& ids, const torch::Tensor& states, KVCache* cache) override {
    return logitsAfterPrefix(*m_lm, states, ids, cache);
  }

  KVCache makeCache(int64_t batch, int64_t capacity) const override {
    return m_lm->makeCache(batch, capacity + m_cfg.prefixLength);
  }
  int64_t imageSize() const override { return m_cfg.imageSummary.imageSize; }
  int64_t maxTextTokens() const override { return m_cfg.textSummary.maxPositions - m_cfg.prefixLength; }
  int64_t decoderStartId() const override { return m_cfg.startId; }
  std::vector<int64_t> eosIds() const override { return m_cfg.eos; }
  const ArchSummary& summary() const override { return m_summary; }

  std::string mapCheckpointKey(const std::string& key) const override {
    const std::string img = "image_model.", lm = "language_model.";
    if (startsWith(key, img) && m_image) {
      const std::string inner = m_image->mapCheckpointKey(key.substr(img.size()));
      return inner.empty() ? "" : img + inner;
    }
    if (startsWith(key, lm)) {
      const std::string inner = m_lm->mapCheckpointKey(key.substr(lm.size()));
      return inner.empty() ? "" : lm + inner;
    }
    return key;
  }

 private:
  PcConfig m_cfg;
  ArchSummary m_summary;
  std::shared_ptr<VisionTextModel> m_image;
  std::shared_ptr<CausalLM> m_lm;
  PrefixMapper mapper{nullptr};
};

}  // namespace

json prefixCaptionerConfig(const json& imageConfig, const json& textConfig, const PrefixCaptionerParts& p) {
  json c = {{"model_type", "prefix-captioner"},
            {"architectures", json::array({"PrefixCaptioner"})},
            {"image_config", imageConfig},
            {"text_config", textConfig},
            {"prefix_length", p.prefixLength},
            {"mapper_hidden", p.mapperHidden},
            {"decoder_start_token_id", p.startId},
            {"eos_token_id", p.eos}};
  PcConfig::fromJson(c);  // refuses what could not be loaded again
  return c;
}

ArchSummary prefixCaptionerSummary(const json& config) {
  const PcConfig c = PcConfig::fromJson(config);
  ArchSummary s = c.textSummary;
  s.modelType = "prefix-captioner";
  s.architecture = "PrefixCaptioner";
  s.kind = ModelKind::ImageToText;
  s.imageSize = c.imageSummary.imageSize;
  s.patchSize = c.imageSummary.patchSize;
  s.visionHidden = c.imageSummary.visionHidden;
  s.visionLayers = c.imageSummary.visionLayers;
  s.projectionDim = c.imageSummary.projectionDim;
  return s;
}

std::shared_ptr<Network> makePrefixCaptioner(const json& config) { return std::make_shared<PrefixCaptionerNet>(config); }

std::shared_ptr<ImageToTextModel> prefixCaptionerFromParts(const json& config, std::shared_ptr<CausalLM> lm,
                                                           PrefixMapper mapper) {
  return std::make_shared<PrefixCaptionerNet>(config, std::move(lm), std::move(mapper));
}

}  // namespace fm
