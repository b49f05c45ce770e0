// Sentence embedders and cross-encoders against an independent float64 implementation
// (tests/fixtures/reference/make_reference_encoders.py): BERT and XLM-RoBERTa encoders, every
// sentence-transformers pooling mode, normalisation, prompts, max_seq_length, lower-casing, and
// cross-encoder scores on pairs, including truncated ones.
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include <filesystem>

#include "support/test_main.h"
#include "arch/encoder.h"
#include "arch/loaded_model.h"
#include "embed/embedder.h"
#include "embed/sentence_config.h"
#include "io/atomic_file.h"
#include "jobs/cancelled.h"
#include "support/tiny_models.h"
#include "tokenize/tokenizer.h"
#include "util/error.h"

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// The fixture's folder with one embedding case's pooling, normalisation and
// sentence_bert_config.json written over the defaults.
json withCase(json fx, const json& c) {
  fx["files"]["1_Pooling/config.json"] = c["pooling"];
  fx["files"]["sentence_bert_config.json"] = c["sentence_bert_config"];
  if (!c["normalize"].get<bool>()) {
    json modules = json::array();
    for (const auto& m : fx["files"]["modules.json"])
      if (m["type"].get<std::string>().find("Normalize") == std::string::npos) modules.push_back(m);
    fx["files"]["modules.json"] = modules;
    fx["files"].erase("2_Normalize");
  }
  return fx;
}

double maxDiff(const std::vector<float>& got, const json& want) {
  if (got.size() != want.size()) return 1e9;
  double d = 0;
  for (size_t i = 0; i < got.size(); ++i) d = std::max(d, std::abs(double(got[i]) - want[i].get<double>()));
  return d;
}

}  // namespace

class TestEncoders : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void embeddings_data() {
    QTest::addColumn<QString>("fixture");
    QTest::addColumn<int>("index");
    for (const char* name : {"tiny_bert_embedder", "tiny_xlmr_embedder"}) {
      const json fx = fm::test::referenceFixture(name);
      for (size_t i = 0; i < fx["embedding_cases"].size(); ++i) {
        const json& c = fx["embedding_cases"][i];
        const std::string row = std::string(name) + " " + std::to_string(i) + " " +
                                fm::PoolingConfig::fromJson(c["pooling"], "case").describe() +
                                (c["normalize"].get<bool>() ? " norm" : "") +
                                (c["prompt_name"].is_string() ? " " + c["prompt_name"].get<std::string>() : "");
        QTest::newRow(row.c_str()) << QString(name) << int(i);
      }
    }
  }

  // Each case: the folder as sentence-transformers would save it; our vectors equal the
  // reference's for every text of a batch with very different lengths.
  void embeddings() {
    QFETCH(QString, fixture);
    QFETCH(int, index);
    const json fx = fm::test::referenceFixture(fixture.toStdString());
    const json& c = fx["embedding_cases"][static_cast<size_t>(index)];
    QTemporaryDir dir;
    fm::test::writeReferenceModel(withCase(fx, c), dir.path().toStdString());
    auto model = fm::LoadedModel::load(dir.path().toStdString(), {});
    QCOMPARE(model->kind(), fm::ModelKind::TextEncoder);
    fm::EmbedOptions o;
    if (c["prompt_name"].is_string()) o.promptName = c["prompt_name"].get<std::string>();
    o.maxBatchTexts = 3;  // several batches, so sorting and reordering are exercised
    const auto texts = c["texts"].get<std::vector<std::string>>();
    const fm::EmbedResult r = fm::embedTexts(*model, texts, o);
    QCOMPARE(r.vectors.size(), texts.size());
    for (size_t i = 0; i < texts.size(); ++i) {
      const double d = maxDiff(r.vectors[i], c["embeddings"][i]);
      QVERIFY2(d < 1e-5, qPrintable(QString("text %1 \"%2\": max |diff| %3").arg(i).arg(QString::fromStdString(texts[i])).arg(d)));
    }
    int64_t real = 0;
    for (const auto& ids : c["input_ids"]) real += static_cast<int64_t>(ids.size());
    QCOMPARE(r.realTokens, real);  // tokenization (prompt, strip, lower-case, cut) as the reference
  }

  // A checkpoint saved by transformers' BertModel carries the "bert." prefix (and XLM-R's
  // "roberta."); it loads to the same model as one saved by sentence-transformers.
  void prefixedCheckpointLoads_data() {
    QTest::addColumn<QString>("fixture");
    QTest::addColumn<QString>("prefix");
    QTest::newRow("bert.") << "tiny_bert_embedder" << "bert.";
    QTest::newRow("roberta.") << "tiny_xlmr_embedder" << "roberta.";
  }
  void prefixedCheckpointLoads() {
    QFETCH(QString, fixture);
    QFETCH(QString, prefix);
    const json fx = fm::test::referenceFixture(fixture.toStdString());
    const json& c = fx["embedding_cases"][3];
    QTemporaryDir dir;
    fm::test::writeReferenceModel(withCase(fx, c), dir.path().toStdString(), 1, prefix.toStdString());
    auto model = fm::LoadedModel::load(dir.path().toStdString(), {});
    const auto texts = c["texts"].get<std::vector<std::string>>();
    fm::EmbedOptions o;
    if (c["prompt_name"].is_string()) o.promptName = c["prompt_name"].get<std::string>();
    const auto r = fm::embedTexts(*model, texts, o);
    for (size_t i = 0; i < texts.size(); ++i) QVERIFY(maxDiff(r.vectors[i], c["embeddings"][i]) < 1e-5);
  }

  // Without sentence-transformers files: mean pooling and normalisation, and info says so.
  void plainFolderGetsMeanPoolingAndSaysSo() {
    json fx = fm::test::referenceFixture("tiny_bert_embedder");
    json files = json::object();
    for (const char* keep : {"config.json", "tokenizer.json", "tokenizer_config.json"}) files[keep] = fx["files"][keep];
    fx["files"] = files;
    QTemporaryDir dir;
    fm::test::writeReferenceModel(fx, dir.path().toStdString());
    const fm::ModelInfo info = fm::inspectModel(dir.path().toStdString());
    QCOMPARE(info.kind, fm::ModelKind::TextEncoder);
    QCOMPARE(info.pooling, std::string("mean"));
    QVERIFY(info.normalize);
    QVERIFY(!info.notes.empty() && info.notes[0].find("mean pooling") != std::string::npos);
    // Mean pooling + normalisation: the reference case with exactly that configuration.
    const json reference = fm::test::referenceFixture("tiny_bert_embedder");
    for (const auto& c : reference["embedding_cases"]) {
      const fm::PoolingConfig p = fm::PoolingConfig::fromJson(c["pooling"], "case");
      if (p.describe() != "mean" || !c["normalize"].get<bool>() || !c["prompt_name"].is_null() ||
          c["sentence_bert_config"]["max_seq_length"] != 48 || c["sentence_bert_config"]["do_lower_case"] != false)
        continue;
      auto model = fm::LoadedModel::load(dir.path().toStdString(), {});
      const auto texts = c["texts"].get<std::vector<std::string>>();
      const auto r = fm::embedTexts(*model, texts, {});
      for (size_t i = 0; i < texts.size(); ++i) QVERIFY(maxDiff(r.vectors[i], c["embeddings"][i]) < 1e-5);
      // Batch by batch it reports how far it is, and stops after the batch where it is told to.
      fm::EmbedOptions one;
      one.maxBatchTexts = 1;
      std::vector<double> seen;
      QVERIFY_THROWS_EXCEPTION(fm::CancelledError, fm::embedTexts(*model, texts, one, [&](double f, const std::string&) {
                                 seen.push_back(f);
                                 return seen.size() < 2;
                               }));
      QCOMPARE(seen.size(), size_t(2));
      QCOMPARE(seen[0], 1.0 / static_cast<double>(texts.size()));
      return;
    }
    QFAIL("the reference has no mean + normalize case");
  }

  void crossEncoderScores_data() {
    QTest::addColumn<QString>("fixture");
    QTest::addColumn<int>("index");
    for (const char* name : {"tiny_bert_cross_encoder", "tiny_xlmr_cross_encoder"}) {
      const json fx = fm::test::referenceFixture(name);
      for (size_t i = 0; i < fx["pair_cases"].size(); ++i)
        QTest::newRow((std::string(name) + " " + std::to_string(i)).c_str()) << QString(name) << int(i);
    }
  }

  // Pairs encoded as the post-processor says (token types for BERT, </s></s> for XLM-R),
  // truncated longest-first, scored: one label -> logit + sigmoid; three -> softmax.
  void crossEncoderScores() {
    QFETCH(QString, fixture);
    QFETCH(int, index);
    const json fx = fm::test::referenceFixture(fixture.toStdString());
    const json& c = fx["pair_cases"][static_cast<size_t>(index)];
    QTemporaryDir dir;
    fm::test::writeReferenceModel(fx, dir.path().toStdString());
    auto model = fm::LoadedModel::load(dir.path().toStdString(), {});
    QCOMPARE(model->kind(), fm::ModelKind::SequenceClassifier);
    const auto enc = model->tokenizer()->encodePair(c["query"], c["passage"], c["max_length"].get<size_t>());
    QCOMPARE(enc.ids, c["input_ids"].get<std::vector<int32_t>>());
    QCOMPARE(enc.typeIds, c["token_type_ids"].get<std::vector<int32_t>>());
    fm::RerankOptions o;
    o.maxLength = c["max_length"].get<int64_t>();
    const auto s = fm::scorePairs(*model, c["query"], {c["passage"].get<std::string>()}, o);
    QCOMPARE(s.size(), size_t(1));
    const auto logits = c["logits"].get<std::vector<double>>();
    const auto probs = c["probabilities"].get<std::vector<double>>();
    QCOMPARE(s[0].logits.size(), logits.size());
    // The tiny model's logits differ by ~1e-4 between inputs: compare far below that.
    for (size_t k = 0; k < logits.size(); ++k) {
      QVERIFY2(std::abs(s[0].logits[k] - logits[k]) < 1e-6, qPrintable(QString("logit %1: %2 vs %3").arg(k).arg(s[0].logits[k], 0, 'g', 10).arg(logits[k], 0, 'g', 10)));
      QVERIFY(std::abs(s[0].probabilities[k] - probs[k]) < 1e-6);
    }
    if (logits.size() == 1) QVERIFY(std::abs(s[0].score - c["score"].get<double>()) < 1e-6);
  }

  // Every pair of a fixture in one forward pass, packed end to end and then right-padded with
  // a mask: each row's logits equal the reference's for that pair alone (padding, RoBERTa's
  // pad positions and per-sequence attention cannot leak between rows).
  void classifierBatchesMatchThePairsAlone_data() {
    QTest::addColumn<QString>("fixture");
    QTest::addColumn<bool>("packed");
    for (const char* name : {"tiny_bert_cross_encoder", "tiny_xlmr_cross_encoder"}) {
      QTest::newRow((std::string(name) + " packed").c_str()) << QString(name) << true;
      QTest::newRow((std::string(name) + " padded").c_str()) << QString(name) << false;
    }
  }
  void classifierBatchesMatchThePairsAlone() {
    QFETCH(QString, fixture);
    QFETCH(bool, packed);
    const json fx = fm::test::referenceFixture(fixture.toStdString());
    QTemporaryDir dir;
    fm::test::writeReferenceModel(fx, dir.path().toStdString());
    auto model = fm::LoadedModel::load(dir.path().toStdString(), {});
    const json& cases = fx["pair_cases"];
    const int64_t B = static_cast<int64_t>(cases.size());
    int64_t width = 0, total = 0;
    for (const auto& c : cases) {
      width = std::max<int64_t>(width, c["input_ids"].size());
      total += static_cast<int64_t>(c["input_ids"].size());
    }
    const int64_t pad = fx["files"]["config.json"].value("pad_token_id", 0);
    fm::EncoderArgs a;
    if (packed) {
      std::vector<int64_t> ids, types;
      for (const auto& c : cases) {
        for (const auto& v : c["input_ids"]) ids.push_back(v.get<int64_t>());
        for (const auto& v : c["token_type_ids"]) types.push_back(v.get<int64_t>());
        a.segments.push_back(static_cast<int64_t>(c["input_ids"].size()));
      }
      a.ids = torch::tensor(ids, torch::kLong).view({1, total});
      a.typeIds = torch::tensor(types, torch::kLong).view({1, total});
    } else {
      a.ids = torch::full({B, width}, pad, torch::kLong);
      a.typeIds = torch::zeros({B, width}, torch::kLong);
      a.keep = torch::zeros({B, width}, torch::kLong);
      for (int64_t r = 0; r < B; ++r) {
        const json& c = cases[static_cast<size_t>(r)];
        for (size_t t = 0; t < c["input_ids"].size(); ++t) {
          a.ids[r][static_cast<int64_t>(t)] = c["input_ids"][t].get<int64_t>();
          a.typeIds[r][static_cast<int64_t>(t)] = c["token_type_ids"][t].get<int64_t>();
          a.keep[r][static_cast<int64_t>(t)] = 1;
        }
      }
    }
    torch::InferenceMode guard;
    const auto logits = model->classifier().forward(a).to(torch::kDouble);  // (B, labels)
    QCOMPARE(logits.size(0), B);
    for (int64_t r = 0; r < B; ++r) {
      const auto want = cases[static_cast<size_t>(r)]["logits"].get<std::vector<double>>();
      for (size_t k = 0; k < want.size(); ++k) {
        const double got = logits[r][static_cast<int64_t>(k)].item<double>();
        QVERIFY2(std::abs(got - want[k]) < 1e-6, qPrintable(QString("pair %1 logit %2: %3 vs %4").arg(r).arg(k).arg(got, 0, 'g', 10).arg(want[k], 0, 'g', 10)));
      }
    }
  }

  // With several labels, passages rank by the positive label (entailment here), not by
  // whichever label the model is surest of.
  void severalLabelsRankByThePositiveOne() {
    QCOMPARE(fm::rankedLabel({"contradiction", "entailment", "neutral"}), 1);
    QCOMPARE(fm::rankedLabel({"LABEL_0", "LABEL_1"}), 1);
    QCOMPARE(fm::rankedLabel({"score"}), 0);
    const json fx = fm::test::referenceFixture("tiny_xlmr_cross_encoder");
    QTemporaryDir dir;
    fm::test::writeReferenceModel(fx, dir.path().toStdString());
    auto model = fm::LoadedModel::load(dir.path().toStdString(), {});
    const json& c = fx["pair_cases"][0];
    const auto s = fm::scorePairs(*model, c["query"], {c["passage"].get<std::string>()}, {});
    const auto probs = c["probabilities"].get<std::vector<double>>();
    QCOMPARE(s[0].label, 1);
    QVERIFY(std::abs(s[0].score - probs[1]) < 1e-6);
  }

  // A prompt name on a model without prompts is an error that says what to do, not a silent
  // embedding without the prefix the model needs.
  void unknownPromptIsRefused() {
    json fx = fm::test::referenceFixture("tiny_bert_embedder");
    fx["files"].erase("config_sentence_transformers.json");
    QTemporaryDir dir;
    fm::test::writeReferenceModel(fx, dir.path().toStdString());
    auto model = fm::LoadedModel::load(dir.path().toStdString(), {});
    fm::EmbedOptions o;
    o.promptName = "query";
    try {
      fm::embedTexts(*model, {"x"}, o);
      QFAIL("an unknown prompt was accepted");
    } catch (const fm::ConfigError& e) {
      QVERIFY2(std::string(e.what()).find("--prompt") != std::string::npos, e.what());
    }
    // The prefix given as text works, and equals the named prompt of the original folder.
    o.promptName.clear();
    o.promptText = "query: ";
    o.usePromptText = true;
    const auto byText = fm::embedTexts(*model, {"What is the capital of France?"}, o).vectors;
    QTemporaryDir dir2;
    fm::test::writeReferenceModel(fm::test::referenceFixture("tiny_bert_embedder"), dir2.path().toStdString());
    auto named = fm::LoadedModel::load(dir2.path().toStdString(), {});
    fm::EmbedOptions q;
    q.promptName = "query";
    QVERIFY(byText == fm::embedTexts(*named, {"What is the capital of France?"}, q).vectors);
  }

  void kindAndLabelsInInfo() {
    const json fx = fm::test::referenceFixture("tiny_xlmr_cross_encoder");
    QTemporaryDir dir;
    fm::test::writeReferenceModel(fx, dir.path().toStdString());
    const fm::ModelInfo info = fm::inspectModel(dir.path().toStdString());
    QCOMPARE(info.kind, fm::ModelKind::SequenceClassifier);
    QCOMPARE(info.labels, (std::vector<std::string>{"contradiction", "entailment", "neutral"}));
    // A language-model job on a cross-encoder says what the model is.
    auto model = fm::LoadedModel::load(dir.path().toStdString(), {});
    try {
      fm::embedTexts(*model, {"x"}, {});
      QFAIL("a cross-encoder embedded text");
    } catch (const fm::UnsupportedError& e) {
      QVERIFY2(std::string(e.what()).find("cross-encoder") != std::string::npos, e.what());
    }
  }

  void pickleOnlyEncoderIsRefused() {
    const json fx = fm::test::referenceFixture("tiny_bert_embedder");
    QTemporaryDir dir;
    const fs::path d = dir.path().toStdString();
    fm::test::writeReferenceModel(fx, d);
    fs::remove(d / "model.safetensors");
    fm::writeFileAtomic(d / "pytorch_model.bin", "PK\x03\x04 not really a zip");
    try {
      fm::LoadedModel::load(d, {});
      QFAIL("a pickle-only encoder loaded");
    } catch (const fm::UnsupportedError& e) {
      const std::string msg = e.what();
      QVERIFY2(msg.find("pytorch_model.bin") != std::string::npos && msg.find("safetensors") != std::string::npos,
               msg.c_str());
    }
  }
};

FM_TEST_MAIN_APPLESS(TestEncoders)
#include "test_encoders.moc"
