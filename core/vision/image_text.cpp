#include "vision/image_text.h"

#include <algorithm>
#include <cmath>

#include "arch/loaded_model.h"
#include "arch/vision_text.h"
#include "tokenize/tokenizer.h"
#include "util/error.h"
#include "vision/preprocess.h"

namespace fm {

namespace {

Vectors rowsOf(const torch::Tensor& unit) {
  auto t = unit.to(torch::kCPU).to(torch::kFloat).contiguous();
  Vectors out(static_cast<size_t>(t.size(0)));
  const float* p = t.data_ptr<float>();
  const int64_t D = t.size(1);
  for (int64_t i = 0; i < t.size(0); ++i) out[static_cast<size_t>(i)].assign(p + i * D, p + (i + 1) * D);
  return out;
}

torch::Tensor unit(const torch::Tensor& x) { return x / x.norm(2, -1, true).clamp_min(1e-12); }

}  // namespace

Vectors embedImages(LoadedModel& model, const ImageProcessor& processor, const std::vector<const Image*>& images,
                    const JobContext& job, int batch) {
  VisionTextModel& net = model.visionText();
  const auto [h, w] = processor.config().outputSize(net.imageSize(), net.imageSize());
  if (h != net.imageSize() || w != net.imageSize())
    throw FormatError(model.info().dir + ": preprocessor_config.json makes " + std::to_string(w) + " x " +
                      std::to_string(h) + " pictures but the model takes " + std::to_string(net.imageSize()) +
                      " x " + std::to_string(net.imageSize()));
  torch::InferenceMode guard;
  Vectors out;
  out.reserve(images.size());
  const size_t step = static_cast<size_t>(std::max(batch, 1));
  for (size_t i = 0; i < images.size(); i += step) {
    job.report(static_cast<double>(i) / static_cast<double>(images.size()), "embedding pictures");
    const std::vector<const Image*> part(images.begin() + static_cast<std::ptrdiff_t>(i),
                                         images.begin() + static_cast<std::ptrdiff_t>(std::min(images.size(), i + step)));
    auto rows = rowsOf(unit(net.imageFeatures(processor.processBatch(part))));
    for (auto& r : rows) out.push_back(std::move(r));
  }
  job.report(1.0, "embedding pictures");
  return out;
}

Vectors embedTextsForImages(LoadedModel& model, const std::vector<std::string>& texts, int batch) {
  VisionTextModel& net = model.visionText();
  const Tokenizer* tok = model.tokenizer();
  if (!tok) throw UnsupportedError(model.info().dir + ": this model has no tokenizer, so it cannot read texts");
  const size_t maxLen = static_cast<size_t>(
      model.info().maxLength > 0 ? std::min(model.info().maxLength, net.maxTextTokens()) : net.maxTextTokens());
  const SpecialTokens& sp = tok->special();
  const int64_t pad = sp.pad ? *sp.pad : sp.eos ? *sp.eos : 0;
  torch::InferenceMode guard;
  Vectors out;
  out.reserve(texts.size());
  const size_t step = static_cast<size_t>(std::max(batch, 1));
  for (size_t i = 0; i < texts.size(); i += step) {
    const size_t n = std::min(step, texts.size() - i);
    std::vector<std::vector<int32_t>> ids;
    size_t longest = 1;
    for (size_t j = 0; j < n; ++j) {
      ids.push_back(tok->encodeForModel(texts[i + j], maxLen).ids);
      longest = std::max(longest, ids.back().size());
    }
    // SigLIP reads every text padded to its full length, pad tokens included.
    const bool fixed = net.fixedTextLength() > 0;
    if (fixed) longest = std::max(longest, static_cast<size_t>(net.fixedTextLength()));
    auto idT = torch::full({static_cast<int64_t>(n), static_cast<int64_t>(longest)}, pad, torch::kLong);
    auto keep = torch::zeros({static_cast<int64_t>(n), static_cast<int64_t>(longest)}, torch::kLong);
    for (size_t j = 0; j < n; ++j)
      for (size_t t = 0; t < ids[j].size(); ++t) {
        idT[static_cast<int64_t>(j)][static_cast<int64_t>(t)] = ids[j][t];
        keep[static_cast<int64_t>(j)][static_cast<int64_t>(t)] = 1;
      }
    EncoderArgs a;
    a.ids = idT;
    if (!fixed) a.keep = keep;
    auto rows = rowsOf(unit(net.textFeatures(a)));
    for (auto& r : rows) out.push_back(std::move(r));
  }
  return out;
}

std::string fillLabelTemplate(const std::string& tmpl, const std::string& label) {
  const size_t at = tmpl.find("{}");
  if (at == std::string::npos)
    throw ConfigError("the prompt template \"" + tmpl + "\" has no {} to put the label in (for example \"a photo of a {}\")");
  std::string s = tmpl;
  s.replace(at, 2, label);
  return s;
}

ScoreRule scoreRuleOf(LoadedModel& model) {
  const VisionTextModel& net = model.visionText();
  ScoreRule r;
  r.scale = net.logitScale();
  r.bias = net.logitBias();
  r.sigmoid = net.sigmoidScores();
  return r;
}

std::vector<LabelScores> scoreLabels(const Vectors& imageVectors, const Vectors& labelVectors, const ScoreRule& rule) {
  std::vector<LabelScores> out;
  out.reserve(imageVectors.size());
  for (const auto& iv : imageVectors) {
    LabelScores s;
    for (const auto& lv : labelVectors) {
      if (lv.size() != iv.size()) throw ConfigError("image and label embeddings have different sizes");
      double dot = 0;
      for (size_t d = 0; d < iv.size(); ++d) dot += static_cast<double>(iv[d]) * lv[d];
      s.logits.push_back(rule.scale * dot + rule.bias);
    }
    if (rule.sigmoid) {
      for (double l : s.logits) s.probabilities.push_back(1.0 / (1.0 + std::exp(-l)));
    } else {
      const double top = s.logits.empty() ? 0.0 : *std::max_element(s.logits.begin(), s.logits.end());
      double sum = 0;
      for (double l : s.logits) sum += std::exp(l - top);
      for (double l : s.logits) s.probabilities.push_back(std::exp(l - top) / sum);
    }
    s.best = s.logits.empty() ? -1
                              : static_cast<int>(std::max_element(s.logits.begin(), s.logits.end()) - s.logits.begin());
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<LabelScores> zeroShotLabels(LoadedModel& model, const ImageProcessor& processor,
                                        const std::vector<const Image*>& images,
                                        const std::vector<std::string>& labels, const std::string& tmpl,
                                        const JobContext& job) {
  if (labels.empty()) throw ConfigError("zero-shot labelling needs at least one label");
  std::vector<std::string> prompts;
  for (const auto& l : labels) prompts.push_back(fillLabelTemplate(tmpl, l));
  const Vectors text = embedTextsForImages(model, prompts);
  const Vectors img = embedImages(model, processor, images, job);
  return scoreLabels(img, text, scoreRuleOf(model));
}

}  // namespace fm
