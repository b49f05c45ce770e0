// Models that Hugging Face transformers itself made, saved and ran
// (tests/fixtures/transformers/make_fixtures.py): loaded through the workbench's own loaders,
// they must give what transformers gave. Where the NumPy references check our reading of each
// architecture, these check it against transformers' code, checkpoint layout and processors.
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "support/test_main.h"
#include "arch/causal_lm.h"
#include "arch/image_to_text.h"
#include "arch/loaded_model.h"
#include "arch/vision_text.h"
#include "embed/train_embedder.h"
#include "io/model_folder.h"
#include "arch/network.h"
#include "lora/lora.h"
#include "nn/lora_adapter.h"
#include "tokenize/tokenizer.h"
#include "vision/caption.h"
#include "vision/image.h"
#include "vision/image_text.h"
#include "vision/preprocess.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

fs::path fixture(const std::string& name) { return fs::path(FM_TEST_FIXTURES) / "transformers" / name; }

struct Loaded {
  json expected;
  std::shared_ptr<fm::LoadedModel> model;
  std::vector<fm::Image> images;
  std::vector<const fm::Image*> ptrs;
};

Loaded load(const std::string& name) {
  Loaded l;
  l.expected = fm::readJsonFile(fixture(name) / "expected.json");
  l.model = fm::LoadedModel::load(fixture(name), {});
  for (const auto& p : l.expected["pictures"])
    l.images.push_back(fm::decodeImageFile(fs::path(FM_TEST_FIXTURES) / "vision" / p.get<std::string>()).image);
  for (const auto& im : l.images) l.ptrs.push_back(&im);
  return l;
}

torch::Tensor tensorOf(const json& rows) {
  std::vector<float> flat;
  for (const auto& r : rows)
    for (const auto& v : r) flat.push_back(v.get<float>());
  return torch::tensor(flat).view({static_cast<int64_t>(rows.size()), -1});
}

torch::Tensor tensorOf(const fm::Vectors& v) {
  std::vector<float> flat;
  for (const auto& r : v) flat.insert(flat.end(), r.begin(), r.end());
  return torch::tensor(flat).view({static_cast<int64_t>(v.size()), -1});
}

double maxDiff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

// Per picture: the largest difference from transformers' pixel values. Pillow and our
// resampling agree to about one 8-bit step, which normalisation by a std near 0.27 makes
// about 0.015; 0.03 leaves room for rounding on both sides.
void comparePixels(const Loaded& l) {
  const torch::Tensor ours = fm::ImageProcessor::forModel(*l.model).processBatch(l.ptrs).reshape({static_cast<int64_t>(l.ptrs.size()), -1});
  const torch::Tensor theirs = tensorOf(l.expected["pixel_values"]);
  QCOMPARE(ours.sizes(), theirs.sizes());
  double worst = 0;
  for (int64_t i = 0; i < ours.size(0); ++i) {
    const double d = maxDiff(ours[i], theirs[i]);
    worst = std::max(worst, d);
    const double mean = (ours[i] - theirs[i]).abs().mean().item<double>();
    QVERIFY2(d < 0.05 && mean < 0.01, qPrintable(QString("%1: max %2, mean %3")
                                                     .arg(QString::fromStdString(l.expected["pictures"][i].get<std::string>()))
                                                     .arg(d)
                                                     .arg(mean)));
  }
  qInfo("pixels: largest difference from transformers %.5f (%s)", worst, l.expected["processor"].get<std::string>().c_str());
}

// The image tower alone: transformers' own pixel values in, its embeddings out.
void compareImageTower(Loaded& l) {
  torch::InferenceMode guard;
  fm::VisionTextModel& net = l.model->visionText();
  const int64_t S = net.imageSize();
  const torch::Tensor px = tensorOf(l.expected["pixel_values"]).view({-1, 3, S, S});
  torch::Tensor e = net.imageFeatures(px);
  e = e / e.norm(2, -1, true);
  const double d = maxDiff(e, tensorOf(l.expected["image_embeds"]));
  qInfo("image embeddings from transformers' pixels: largest difference %.2e", d);
  QVERIFY2(d < 1e-5, qPrintable(QString::number(d)));
}

// transformers' generate() output for one picture as our Caption ids: the start token (and,
// with a prompt, the prompt) dropped, cut at the first end token.
std::vector<int64_t> generated(const json& row, size_t skip, const std::vector<int64_t>& eos) {
  std::vector<int64_t> out;
  for (size_t i = skip; i < row.size(); ++i) {
    const int64_t id = row[i].get<int64_t>();
    if (std::find(eos.begin(), eos.end(), id) != eos.end()) break;
    out.push_back(id);
  }
  return out;
}

QString idsText(const std::vector<int64_t>& ids) {
  QStringList s;
  for (int64_t i : ids) s << QString::number(i);
  return s.join(' ');
}

void compareCaptions(Loaded& l, const std::string& key, int beams, const std::string& prompt = {}, size_t skip = 1) {
  fm::CaptionOptions o;
  o.beams = beams;
  o.maxNewTokens = 8;
  o.prompt = prompt;
  const auto caps = fm::captionImages(*l.model, l.ptrs, o);
  const auto eos = l.model->imageToText().eosIds();
  for (size_t i = 0; i < caps.size(); ++i) {
    const auto want = generated(l.expected[key][i], skip, eos);
    QVERIFY2(caps[i].ids == want, qPrintable(QString("%1, picture %2: ours %3, transformers %4")
                                                 .arg(QString::fromStdString(key))
                                                 .arg(i)
                                                 .arg(idsText(caps[i].ids), idsText(want))));
  }
}

// Teacher-forced logits for one picture and a few ids, through the cache-free path, from
// transformers' own pixel values (the architecture alone; comparePixels checks the rest).
void compareLogits(Loaded& l) {
  torch::InferenceMode guard;
  fm::ImageToTextModel& net = l.model->imageToText();
  const int64_t S = net.imageSize();
  const torch::Tensor px = tensorOf(l.expected["pixel_values"])[0].view({1, 3, S, S});
  std::vector<int64_t> ids;
  for (const auto& v : l.expected["logits_input_ids"][0]) ids.push_back(v.get<int64_t>());
  const torch::Tensor logits =
      net.decode(torch::tensor(ids).view({1, -1}), net.encodeImages(px), nullptr)[0].to(torch::kFloat32);
  const torch::Tensor want = tensorOf(l.expected["logits"]);
  QCOMPARE(logits.sizes(), want.sizes());
  const double d = maxDiff(logits, want);
  qInfo("logits: largest difference from transformers %.2e (largest logit %.2f)", d, want.abs().max().item<double>());
  QVERIFY2(d < 1e-4 * std::max(1.0, want.abs().max().item<double>()), qPrintable(QString("logits differ by %1").arg(d)));
}

// A language model read from its folder by our loaders, evaluated.
std::shared_ptr<fm::CausalLM> loadLm(const fs::path& dir) {
  const fm::ModelFolder folder = fm::ModelFolder::open(dir);
  auto lm = fm::createCausalLM(folder.config());
  fm::loadWeights(*lm, folder.openWeights());
  lm->eval();
  return lm;
}

torch::Tensor lmLogits(fm::CausalLM& lm, const json& ids, const fm::LoraAdapter* adapter) {
  torch::NoGradGuard ng;
  fm::AdapterScope use(adapter);
  fm::ForwardArgs a;
  a.ids = torch::tensor(ids[0].get<std::vector<int64_t>>()).view({1, -1});
  return lm.forward(a)[0].to(torch::kFloat32);
}

void compareLmLogits(const torch::Tensor& ours, const json& theirs, const char* what) {
  const torch::Tensor want = tensorOf(theirs);
  QCOMPARE(ours.sizes(), want.sizes());
  const double d = maxDiff(ours, want);
  qInfo("%s: largest difference from transformers %.2e (largest logit %.2f)", what, d, want.abs().max().item<double>());
  QVERIFY2(d < 1e-4 * std::max(1.0, want.abs().max().item<double>()), qPrintable(QString("%1: %2").arg(what).arg(d)));
}

}  // namespace

class TestTransformersFixtures : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  // CLIPModel: the tokenizer's ids (padded batch), the processor's pixels, both embeddings
  // and the image-text logits.
  void clipMatchesTransformers() {
    Loaded l = load("clip");
    comparePixels(l);
    compareImageTower(l);
    const auto tok = l.model->tokenizer();
    QVERIFY(tok);
    std::vector<std::string> texts;
    for (size_t i = 0; i < l.expected["texts"].size(); ++i) {
      texts.push_back(l.expected["texts"][i].get<std::string>());
      const auto ids = tok->encodeForModel(texts.back(), 0).ids;
      std::vector<int32_t> want;
      const auto& row = l.expected["input_ids"][i];
      const auto& mask = l.expected["attention_mask"][i];
      for (size_t j = 0; j < row.size(); ++j)
        if (mask[j].get<int>()) want.push_back(row[j].get<int32_t>());
      QCOMPARE(ids, want);
    }
    const torch::Tensor img = tensorOf(fm::embedImages(*l.model, fm::ImageProcessor::forModel(*l.model), l.ptrs));
    const torch::Tensor txt = tensorOf(fm::embedTextsForImages(*l.model, texts));
    QVERIFY2(maxDiff(img, tensorOf(l.expected["image_embeds"])) < 1e-3, qPrintable(QString::number(maxDiff(img, tensorOf(l.expected["image_embeds"])))));
    QVERIFY2(maxDiff(txt, tensorOf(l.expected["text_embeds"])) < 1e-4, qPrintable(QString::number(maxDiff(txt, tensorOf(l.expected["text_embeds"])))));
    const auto scores = fm::scoreLabels(fm::embedImages(*l.model, fm::ImageProcessor::forModel(*l.model), l.ptrs),
                                        fm::embedTextsForImages(*l.model, texts), fm::scoreRuleOf(*l.model));
    for (size_t i = 0; i < scores.size(); ++i)
      for (size_t j = 0; j < texts.size(); ++j)
        QVERIFY(std::abs(scores[i].logits[j] - l.expected["logits_per_image"][i][j].get<double>()) < 2e-3);
  }

  // SiglipModel: SiglipTokenizer's ids (lower case, no punctuation, </s>, padded to the full
  // length), the processor's pixels, both embeddings, the biased logits and their sigmoids.
  void siglipMatchesTransformers() {
    Loaded l = load("siglip");
    comparePixels(l);
    compareImageTower(l);
    const auto tok = l.model->tokenizer();
    QVERIFY(tok);
    const int64_t length = l.model->visionText().fixedTextLength();
    QCOMPARE(length, int64_t{16});
    std::vector<std::string> texts;
    for (size_t i = 0; i < l.expected["texts"].size(); ++i) {
      texts.push_back(l.expected["texts"][i].get<std::string>());
      auto ids = tok->encodeForModel(texts.back(), static_cast<size_t>(length)).ids;
      ids.resize(static_cast<size_t>(length), *tok->special().pad);
      QCOMPARE(ids, l.expected["input_ids"][i].get<std::vector<int32_t>>());
    }
    const fm::Vectors iv = fm::embedImages(*l.model, fm::ImageProcessor::forModel(*l.model), l.ptrs);
    const fm::Vectors tv = fm::embedTextsForImages(*l.model, texts);
    QVERIFY2(maxDiff(tensorOf(iv), tensorOf(l.expected["image_embeds"])) < 1e-3,
             qPrintable(QString::number(maxDiff(tensorOf(iv), tensorOf(l.expected["image_embeds"])))));
    QVERIFY2(maxDiff(tensorOf(tv), tensorOf(l.expected["text_embeds"])) < 1e-4,
             qPrintable(QString::number(maxDiff(tensorOf(tv), tensorOf(l.expected["text_embeds"])))));
    const auto scores = fm::scoreLabels(iv, tv, fm::scoreRuleOf(*l.model));
    for (size_t i = 0; i < scores.size(); ++i)
      for (size_t j = 0; j < texts.size(); ++j) {
        QVERIFY(std::abs(scores[i].logits[j] - l.expected["logits_per_image"][i][j].get<double>()) < 2e-3);
        QVERIFY(std::abs(scores[i].probabilities[j] - l.expected["probabilities"][i][j].get<double>()) < 1e-3);
      }
  }

  // A picture size that is not a multiple of the patch size (google/siglip-so400m-patch14-384:
  // 27 x 27 patches of 14 from 384 pixels): the convolution drops the last pixels, as
  // transformers' does, so changing them changes nothing.
  void siglipDropsTheLeftoverPixels() {
    QTemporaryDir dir;
    json cfg = fm::readJsonFile(fixture("siglip") / "config.json");
    cfg["vision_config"]["image_size"] = 36;  // 4 x 4 patches of 8, 4 pixels left over
    fm::writeRandomModel(dir.path().toStdString(), cfg, 5);
    auto model = fm::LoadedModel::load(dir.path().toStdString(), {});
    torch::InferenceMode guard;
    torch::manual_seed(0);
    const torch::Tensor px = torch::randn({1, 3, 36, 36});
    torch::Tensor changed = px.clone();
    changed.narrow(3, 32, 4).fill_(3.0);
    changed.narrow(2, 32, 4).fill_(-3.0);
    const torch::Tensor a = model->visionText().imageFeatures(px), b = model->visionText().imageFeatures(changed);
    QCOMPARE(a.size(1), int64_t{32});
    QVERIFY(torch::equal(a, b));
    changed.narrow(3, 0, 1).fill_(3.0);  // a pixel inside the patches does count
    QVERIFY(!torch::allclose(a, model->visionText().imageFeatures(changed)));
  }

  // BlipForConditionalGeneration: logits, greedy and beam captions, and a prompt continued.
  void blipMatchesTransformers() {
    Loaded l = load("blip");
    comparePixels(l);
    compareLogits(l);
    compareCaptions(l, "greedy", 1);
    compareCaptions(l, "beams3", 3);
    // With a prompt: transformers' output starts with [DEC] and the prompt's own ids.
    const size_t promptIds = l.expected["prompt_ids"][0].size() - 2;  // [CLS] and [SEP] dropped
    compareCaptions(l, "prompt_greedy", 1, l.expected["prompt"].get<std::string>(), 1 + promptIds);
  }

  // A PEFT adapter (rsLoRA on every linear layer of a Llama, every A and B drawn): read by
  // our loader it gives PEFT's logits, and merged into the weights PEFT's merged logits.
  void peftLlamaAdapterMatchesPeft() {
    const fs::path dir = fixture("llama_lora");
    const json e = fm::readJsonFile(dir / "expected.json");
    auto lm = loadLm(dir / "base");
    auto adapter = fm::readAdapter(*lm, dir / "adapter");
    QCOMPARE(adapter->entries().size(), size_t{14});  // 7 kinds x 2 layers
    compareLmLogits(lmLogits(*lm, e["input_ids"], adapter.get()), e["logits"], "PEFT adapter");
    auto merged = loadLm(dir / "base");
    fm::mergeLora(*merged, *fm::readAdapter(*merged, dir / "adapter"));
    compareLmLogits(lmLogits(*merged, e["input_ids"], nullptr), e["merged_logits"], "PEFT adapter merged");
  }

  // The other way: a model our writer made and an adapter our trainer trained, read by
  // transformers and PEFT, give the logits we compute.
  void ourAdapterReadsTheSameInPeft() {
    const fs::path dir = fixture("ours");
    const json e = fm::readJsonFile(dir / "expected.json");
    auto lm = loadLm(dir / "base");
    compareLmLogits(lmLogits(*lm, e["input_ids"], nullptr), e["base_logits"], "our model in transformers");
    auto adapter = fm::readAdapter(*lm, dir / "adapter");
    compareLmLogits(lmLogits(*lm, e["input_ids"], adapter.get()), e["logits"], "our adapter in PEFT");
  }

  // GPT-2: PEFT adapts its Conv1D layers (weights stored (in, out), fan_in_fan_out), here too:
  // PEFT's logits unmerged and merged, and an adapter saved here says fan_in_fan_out as PEFT's.
  void peftGpt2AdapterMatchesPeft() {
    const fs::path dir = fixture("gpt2_lora");
    const json e = fm::readJsonFile(dir / "expected.json");
    auto lm = loadLm(dir / "base");
    auto adapter = fm::readAdapter(*lm, dir / "adapter");
    QCOMPARE(adapter->entries().size(), size_t{8});  // c_attn, attn.c_proj, c_fc, mlp.c_proj x 2 layers
    compareLmLogits(lmLogits(*lm, e["input_ids"], adapter.get()), e["logits"], "PEFT GPT-2 adapter");
    QTemporaryDir saved;
    fm::saveAdapter(*adapter, saved.path().toStdString());
    QVERIFY(fm::readJsonFile(fs::path(saved.path().toStdString()) / "adapter_config.json")["fan_in_fan_out"].get<bool>());
    auto merged = loadLm(dir / "base");
    fm::mergeLora(*merged, *fm::readAdapter(*merged, saved.path().toStdString()));
    compareLmLogits(lmLogits(*merged, e["input_ids"], nullptr), e["merged_logits"], "PEFT GPT-2 adapter merged");
  }

  // VisionEncoderDecoderModel (ViT + GPT-2, with the encoder-to-decoder projection).
  void vitGpt2MatchesTransformers() {
    Loaded l = load("vit_gpt2");
    comparePixels(l);
    compareLogits(l);
    compareCaptions(l, "greedy", 1);
    compareCaptions(l, "beams3", 3);
  }
};

FM_TEST_MAIN_GUILESS(TestTransformersFixtures)
#include "test_transformers_fixtures.moc"
