// Generation: the KV cache changes nothing but speed, sampling is reproducible by seed, and
// stop conditions, streaming and cancel behave as a chat user expects.
#include <QTemporaryDir>
#include <QtTest>

#include "arch/builtin_model.h"
#include "arch/loaded_model.h"
#include "generate/generator.h"
#include "support/tiny_models.h"
#include "tokenize/tokenizer.h"
#include "util/error.h"

class TestGenerate : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir m_dir;
  std::shared_ptr<fm::LoadedModel> m_builtin;  // random weights + SentencePiece tokenizer

 private Q_SLOTS:
  void initTestCase() {
    const std::string d = m_dir.path().toStdString() + "/tiny";
    fm::createBuiltinModel(d, "tiny", 3);
    m_builtin = fm::LoadedModel::load(d, {});
    QVERIFY(m_builtin->tokenizer());
  }

  void cacheAndNoCacheIdentical_data() {
    QTest::addColumn<QString>("name");
    QTest::newRow("llama") << "tiny_llama";
    QTest::newRow("qwen2") << "tiny_qwen2";
    QTest::newRow("gpt2") << "tiny_gpt2";
  }

  // Greedy output over 64 tokens is the same with and without the KV cache.
  void cacheAndNoCacheIdentical() {
    QFETCH(QString, name);
    nlohmann::json fx = fm::test::referenceFixture(name.toStdString());
    if (fx["config"].contains("n_positions")) {
      // GPT-2's learned positions end at n_positions; give room for prompt + 64 tokens.
      fx["config"]["n_positions"] = 128;
      for (auto& t : fx["tensors"])
        if (t["name"] == "transformer.wpe.weight") t["shape"][0] = 128;
    }
    QTemporaryDir dir;
    fm::test::writeReferenceModel(fx, dir.path().toStdString());
    auto model = fm::LoadedModel::load(dir.path().toStdString(), {});
    fm::GenerateOptions o;
    o.temperature = 0;
    o.maxNewTokens = 64;
    o.stopAtEos = false;
    const std::vector<int32_t> prompt = {1, 17, 42, 5};
    auto cached = fm::generate(*model, prompt, o);
    o.useCache = false;
    auto uncached = fm::generate(*model, prompt, o);
    QCOMPARE(cached.tokens.size(), size_t(64));
    QCOMPARE(cached.tokens, uncached.tokens);
  }

  void samplingReproducibleBySeed() {
    auto prompt = m_builtin->tokenizer()->encode("The teacher reads", true);
    fm::GenerateOptions o;
    o.temperature = 1.0;
    o.maxNewTokens = 24;
    o.stopAtEos = false;
    o.seed = 11;
    auto a = fm::generate(*m_builtin, prompt, o);
    auto b = fm::generate(*m_builtin, prompt, o);
    QCOMPARE(a.tokens, b.tokens);
    o.seed = 12;
    auto c = fm::generate(*m_builtin, prompt, o);
    QVERIFY(a.tokens != c.tokens);
  }

  void streamedTextEqualsResult() {
    auto prompt = m_builtin->tokenizer()->encode("A curious cat", true);
    fm::GenerateOptions o;
    o.temperature = 0.9;
    o.seed = 5;
    o.maxNewTokens = 40;
    o.stopAtEos = false;
    std::string streamed;
    int events = 0;
    auto r = fm::generate(*m_builtin, prompt, o, [&](const fm::TokenEvent& e) {
      streamed += e.text;
      ++events;
      return true;
    });
    QCOMPARE(streamed, r.text);
    QVERIFY(events >= 40);
    // The streamed text is the decoding of the new tokens (after the prompt's last token).
    std::vector<int32_t> all = {prompt.back()};
    all.insert(all.end(), r.tokens.begin(), r.tokens.end());
    const std::string full = m_builtin->tokenizer()->decode(all, true);
    const std::string head = m_builtin->tokenizer()->decode({prompt.back()}, true);
    QCOMPARE(r.text, full.substr(head.size()));
  }

  void cancelAtAnyToken() {
    auto prompt = m_builtin->tokenizer()->encode("Our team", true);
    fm::GenerateOptions o;
    o.temperature = 0;
    o.maxNewTokens = 50;
    o.stopAtEos = false;
    int seen = 0;
    auto r = fm::generate(*m_builtin, prompt, o, [&](const fm::TokenEvent&) { return ++seen < 7; });
    QCOMPARE(r.stopReason, std::string("cancelled"));
    QCOMPARE(r.tokens.size(), size_t(7));
  }

  void stopStringEndsGeneration() {
    auto prompt = m_builtin->tokenizer()->encode("The red train", true);
    fm::GenerateOptions o;
    o.temperature = 0;
    o.maxNewTokens = 30;
    o.stopAtEos = false;
    auto free = fm::generate(*m_builtin, prompt, o);
    QVERIFY(free.text.size() > 6);
    // Stop at a piece of text we know greedy decoding will produce.
    const std::string stop = free.text.substr(free.text.size() / 2, 3);
    o.stopStrings = {stop};
    std::string streamed;
    auto r = fm::generate(*m_builtin, prompt, o, [&](const fm::TokenEvent& e) {
      streamed += e.text;
      return true;
    });
    QCOMPARE(r.stopReason, std::string("stop_string"));
    QCOMPARE(r.text, free.text.substr(0, free.text.find(stop)));
    QCOMPARE(streamed, r.text);
  }

  void maxNewTokensAndContext() {
    fm::GenerateOptions o;
    o.temperature = 0;
    o.maxNewTokens = 5;
    o.stopAtEos = false;
    auto r = fm::generate(*m_builtin, {1, 40, 41}, o);
    QCOMPARE(r.tokens.size(), size_t(5));
    QCOMPARE(r.stopReason, std::string("max_tokens"));
    QVERIFY_THROWS_EXCEPTION(fm::ConfigError, fm::generate(*m_builtin, {}, o));
    QVERIFY_THROWS_EXCEPTION(fm::ConfigError, fm::generate(*m_builtin, {1, 99999}, o));
  }

  void pickTokenRules() {
    const std::vector<float> logits = {1.0f, 3.0f, 2.0f, -1.0f};
    fm::GenerateOptions o;
    o.temperature = 0;
    QCOMPARE(fm::pickToken(logits, {}, o, 0.0), 1);
    // Repetition penalty as transformers applies it: positive logits divided, negative multiplied.
    o.repetitionPenalty = 2.0;
    QCOMPARE(fm::pickToken(logits, {1}, o, 0.0), 2);  // 3/2 = 1.5 < 2
    QCOMPARE(fm::pickToken({-1.0f, -1.5f}, {0}, o, 0.0), 1);  // -1*2 = -2 < -1.5
    o.repetitionPenalty = 1.0;
    o.temperature = 1.0;
    o.topK = 1;
    for (double u : {0.0, 0.5, 0.999}) QCOMPARE(fm::pickToken(logits, {}, o, u), 1);
    o.topK = 0;
    o.topP = 0.5;  // softmax of 3 is ~0.66 of the mass: top-p keeps only token 1
    for (double u : {0.0, 0.7, 0.999}) QCOMPARE(fm::pickToken(logits, {}, o, u), 1);
    o.topP = 1.0;
    // Full distribution: u near 1 falls on the least likely token.
    QCOMPARE(fm::pickToken(logits, {}, o, 0.9999), 3);
    QCOMPARE(fm::pickToken(logits, {}, o, 0.0), 1);
  }
};

QTEST_APPLESS_MAIN(TestGenerate)
#include "test_generate.moc"
