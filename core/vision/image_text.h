// What a CLIP-style model does for people: unit-length embeddings of pictures and texts in one
// space, and zero-shot labels (each label put into a prompt template, softmax over the
// image-text logits; for SigLIP a sigmoid per label), as transformers' CLIPModel / SiglipModel
// and the zero-shot pipeline compute them.
//
//   auto model = fm::LoadedModel::load("models/clip-vit-base-patch32", {});
//   fm::ImageProcessor proc = fm::ImageProcessor::fromFolder(model->info().dir);
//   auto scores = fm::zeroShotLabels(*model, proc, {&img}, {"cat", "dog"}, "a photo of a {}");
//   scores[0].probabilities   // sums to 1
//
// Thread safety: any number of calls may run at once on one LoadedModel (each on its own
// thread); they set torch::InferenceMode on the calling thread.
#pragma once

#include <string>
#include <vector>

#include "jobs/job.h"
#include "vision/image.h"

namespace fm {

class LoadedModel;
class ImageProcessor;

using Vectors = std::vector<std::vector<float>>;

// One unit-length projected embedding per picture, in order. Reports per batch.
Vectors embedImages(LoadedModel& model, const ImageProcessor& processor, const std::vector<const Image*>& images,
                    const JobContext& job = {}, int batch = 16);
// One unit-length projected embedding per text (tokenized with the model's tokenizer,
// truncated to the text tower's positions with the end-of-text token kept).
Vectors embedTextsForImages(LoadedModel& model, const std::vector<std::string>& texts, int batch = 64);

// "a photo of a {}" with the label in place of {}. ConfigError when the template has no {}.
std::string fillLabelTemplate(const std::string& tmpl, const std::string& label);

struct LabelScores {
  std::vector<double> logits;         // logit_scale * cosine similarity (+ logit_bias), per label
  std::vector<double> probabilities;  // softmax over the labels (CLIP), or each label's sigmoid (SigLIP)
  int best = -1;
};
// How a model turns cosine similarities into logits and scores.
struct ScoreRule {
  double scale = 1.0;    // exp(logit_scale)
  double bias = 0.0;     // SigLIP's logit_bias
  bool sigmoid = false;  // SigLIP: each label scored on its own, not one softmax over them
};
ScoreRule scoreRuleOf(LoadedModel& model);
// Scores of every label for every picture. ConfigError when there are no labels.
std::vector<LabelScores> zeroShotLabels(LoadedModel& model, const ImageProcessor& processor,
                                        const std::vector<const Image*>& images,
                                        const std::vector<std::string>& labels, const std::string& tmpl,
                                        const JobContext& job = {});
// The same from embeddings already made (unit length): what a folder job reuses.
std::vector<LabelScores> scoreLabels(const Vectors& imageVectors, const Vectors& labelVectors, const ScoreRule& rule);

}  // namespace fm
