// Our Llama / Qwen2 / GPT-2 forward passes against reference logits computed by an
// independent float64 implementation (tests/fixtures/reference/make_reference_logits.py).
#include <QTemporaryDir>
#include <QtTest>
#include <torch/torch.h>

#include "support/test_main.h"
#include "arch/causal_lm.h"
#include "arch/loaded_model.h"
#include "generate/generator.h"
#include "support/tiny_models.h"

using nlohmann::json;

class TestReferenceLogits : public QObject {
  Q_OBJECT

 private:
  static std::shared_ptr<fm::LoadedModel> loadFixtureModel(const json& fx, const QTemporaryDir& dir,
                                                           const fm::LoadOptions& lo = {}) {
    fm::test::writeReferenceModel(fx, dir.path().toStdString());
    return fm::LoadedModel::load(dir.path().toStdString(), lo);
  }
  static torch::Tensor referenceLogits(const json& fx) {
    std::vector<float> flat;
    for (const auto& row : fx["logits"])
      for (const auto& v : row) flat.push_back(static_cast<float>(v.get<double>()));
    const int64_t T = static_cast<int64_t>(fx["logits"].size());
    return torch::tensor(flat).view({T, -1});
  }
  static torch::Tensor inputIds(const json& fx) {
    return torch::tensor(fx["input_ids"].get<std::vector<int64_t>>(), torch::kLong).view({1, -1});
  }

 private Q_SLOTS:
  void formulaMatchesScript() {
    // Values the reference script printed for this tensor (float32 bit patterns).
    QCOMPARE(fm::test::formulaValue("model.embed_tokens.weight", 0), 0.05535237491130829f);
    QCOMPARE(fm::test::formulaValue("model.embed_tokens.weight", 2), -0.04122771695256233f);
    QCOMPARE(fm::test::formulaValue("model.norm.weight", 0), 1.151373028755188f);
  }

  void fullSequence_data() {
    QTest::addColumn<QString>("name");
    for (const char* n : {"tiny_llama", "tiny_qwen2", "tiny_llama3_rope", "tiny_llama_linear_rope", "tiny_mistral_window", "tiny_gpt2"})
      QTest::newRow(n) << QString(n);
  }

  void fullSequence() {
    QFETCH(QString, name);
    const json fx = fm::test::referenceFixture(name.toStdString());
    QTemporaryDir dir;
    auto model = loadFixtureModel(fx, dir);
    torch::InferenceMode guard;
    auto logits = model->lm().forward({inputIds(fx)})[0];  // (T, vocab)
    const double diff = (logits - referenceLogits(fx)).abs().max().item<double>();
    QVERIFY2(diff < 1e-4, qPrintable(QString("max |logit diff| %1").arg(diff)));
  }

  void kvCacheIncremental_data() { fullSequence_data(); }

  // Prefill of 7 tokens, then one token at a time through the cache: same logits.
  void kvCacheIncremental() {
    QFETCH(QString, name);
    const json fx = fm::test::referenceFixture(name.toStdString());
    QTemporaryDir dir;
    auto model = loadFixtureModel(fx, dir);
    torch::InferenceMode guard;
    auto ids = inputIds(fx);
    const int64_t T = ids.size(1);
    fm::KVCache cache = model->lm().makeCache(1, T);
    std::vector<torch::Tensor> parts;
    parts.push_back(model->lm().forward({ids.narrow(1, 0, 7), &cache})[0]);
    for (int64_t t = 7; t < T; ++t) parts.push_back(model->lm().forward({ids.narrow(1, t, 1), &cache})[0]);
    QCOMPARE(cache.length, T);
    const double diff = (torch::cat(parts, 0) - referenceLogits(fx)).abs().max().item<double>();
    QVERIFY2(diff < 1e-4, qPrintable(QString("max |logit diff| %1").arg(diff)));
  }

  void greedyContinuation_data() { fullSequence_data(); }

  void greedyContinuation() {
    QFETCH(QString, name);
    const json fx = fm::test::referenceFixture(name.toStdString());
    QTemporaryDir dir;
    auto model = loadFixtureModel(fx, dir);
    std::vector<int32_t> prompt;
    for (const auto& v : fx["input_ids"]) prompt.push_back(v.get<int32_t>());
    fm::GenerateOptions o;
    o.temperature = 0;
    o.stopAtEos = false;
    o.maxNewTokens = static_cast<int>(fx["greedy_continuation"].size());
    auto r = fm::generate(*model, prompt, o);
    std::vector<int32_t> want = fx["greedy_continuation"].get<std::vector<int32_t>>();
    QCOMPARE(r.tokens, want);
  }

  // The bf16 option runs the same model at reduced precision: close, not equal.
  void bfloat16Option() {
    const json fx = fm::test::referenceFixture("tiny_llama");
    QTemporaryDir dir;
    fm::test::writeReferenceModel(fx, dir.path().toStdString());
    fm::LoadOptions lo;
    lo.dtype = "bfloat16";
    auto model = fm::LoadedModel::load(dir.path().toStdString(), lo);
    QCOMPARE(model->lm().dtype(), torch::kBFloat16);
    torch::InferenceMode guard;
    auto logits = model->lm().forward({inputIds(fx)})[0];
    const double diff = (logits - referenceLogits(fx)).abs().max().item<double>();
    QVERIFY2(diff < 0.1, qPrintable(QString("bf16 max |logit diff| %1").arg(diff)));
  }
};

FM_TEST_MAIN_APPLESS(TestReferenceLogits)
#include "test_reference_logits.moc"
