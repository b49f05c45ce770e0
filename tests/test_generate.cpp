// Generation: the KV cache changes nothing but speed, sampling is reproducible by seed, and
// stop conditions, streaming and cancel behave as a chat user expects.
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <numeric>

#include "support/test_main.h"
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
    // What the stream shows after the prompt is what decoding the whole sequence shows after
    // the prompt's own text.
    const fm::Tokenizer& tok = *m_builtin->tokenizer();
    std::vector<int32_t> all = prompt;
    all.insert(all.end(), r.tokens.begin(), r.tokens.end());
    const std::string full = tok.decode(all, true), head = tok.decode(prompt, true);
    QCOMPARE(full.substr(0, head.size()), head);
    QCOMPARE(r.text, full.substr(head.size()));
  }

  // A byte-level vocabulary splits characters such as "é" or "한" over several tokens: no
  // streamed piece may end inside a character, and the pieces add up to the decoded text.
  void streamingNeverSplitsACharacter() {
    const std::string tokDir = std::string(FM_TEST_FIXTURES) + "/tokenizers/gpt2_bytelevel";
    auto tok = fm::Tokenizer::fromFolder(tokDir);
    nlohmann::json fx = fm::test::referenceFixture("tiny_llama");
    const int64_t vocab = tok->vocabSize();
    fx["config"]["vocab_size"] = vocab;
    for (auto& t : fx["tensors"])
      if (t["name"] == "model.embed_tokens.weight" || t["name"] == "lm_head.weight") t["shape"][0] = vocab;
    QTemporaryDir dir;
    fm::test::writeReferenceModel(fx, dir.path().toStdString());
    for (const char* f : {"tokenizer.json", "tokenizer_config.json"})
      QVERIFY(QFile::copy(QString::fromStdString(tokDir + "/" + f), dir.path() + "/" + f));
    auto model = fm::LoadedModel::load(dir.path().toStdString(), {});
    const auto prompt = tok->encode("Café 한국어 ", false);
    fm::GenerateOptions o;
    o.temperature = 3.0;  // wander over the whole vocabulary, byte tokens included
    o.maxNewTokens = 100;
    o.stopAtEos = false;
    int splitBytes = 0;
    for (uint64_t seed : {1, 2, 3}) {
      o.seed = seed;
      std::string streamed;
      auto r = fm::generate(*model, prompt, o, [&](const fm::TokenEvent& e) {
        const QString asText = QString::fromUtf8(e.text.data(), static_cast<int>(e.text.size()));
        // A piece cut inside a character would not survive a UTF-8 round trip.
        if (asText.toUtf8().toStdString() != e.text) ++splitBytes;
        streamed += e.text;
        return true;
      });
      std::vector<int32_t> all = prompt;
      all.insert(all.end(), r.tokens.begin(), r.tokens.end());
      const std::string full = tok->decode(all, true), head = tok->decode(prompt, true);
      QCOMPARE(streamed, full.substr(head.size()));
    }
    QCOMPARE(splitBytes, 0);
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

  // Generation ends when the sequence fills the model's context (max_position_embeddings 128
  // in the fixture's config), with and without the KV cache.
  void stopsAtTheContextLimit() {
    const nlohmann::json fx = fm::test::referenceFixture("tiny_llama");
    const size_t context = fx["config"]["max_position_embeddings"].get<size_t>();
    QTemporaryDir dir;
    fm::test::writeReferenceModel(fx, dir.path().toStdString());
    auto model = fm::LoadedModel::load(dir.path().toStdString(), {});
    fm::GenerateOptions o;
    o.temperature = 0;
    o.maxNewTokens = 1000;
    o.stopAtEos = false;
    const std::vector<int32_t> prompt = {1, 17, 42, 5, 63};
    for (bool cache : {true, false}) {
      o.useCache = cache;
      auto r = fm::generate(*model, prompt, o);
      QCOMPARE(r.stopReason, std::string("context_full"));
      QCOMPARE(r.tokens.size() + prompt.size(), context);
    }
    std::vector<int32_t> tooLong(context, 5);
    QVERIFY_THROWS_EXCEPTION(fm::ConfigError, fm::generate(*model, tooLong, o));
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
  }

  // Over evenly spread draws, each token is picked as often as its probability after the
  // filters: softmax(logits / T), cut to the top k, then to the smallest head holding top_p of
  // what is left, renormalised (transformers' warper order).
  void samplingFollowsTheDistribution_data() {
    QTest::addColumn<double>("temperature");
    QTest::addColumn<int>("topK");
    QTest::addColumn<double>("topP");
    QTest::newRow("full") << 1.0 << 0 << 1.0;
    QTest::newRow("hot") << 2.5 << 0 << 1.0;
    QTest::newRow("top-k 2") << 1.0 << 2 << 1.0;
    QTest::newRow("top-p 0.9") << 1.0 << 0 << 0.9;
    QTest::newRow("top-k 3, top-p 0.8") << 0.7 << 3 << 0.8;
  }

  void samplingFollowsTheDistribution() {
    QFETCH(double, temperature);
    QFETCH(int, topK);
    QFETCH(double, topP);
    // 200 ids with a few ties, so the head is sorted in several rounds.
    std::vector<float> logits(200);
    for (size_t i = 0; i < logits.size(); ++i) logits[i] = static_cast<float>(std::sin(i * 1.7) * 3.0 + (i % 7 == 0 ? 1.0 : 0.0));
    // Expected probabilities, computed here from the definition.
    std::vector<size_t> ids(logits.size());
    std::iota(ids.begin(), ids.end(), size_t{0});
    std::stable_sort(ids.begin(), ids.end(), [&](size_t a, size_t b) { return logits[a] > logits[b]; });
    std::vector<double> p(logits.size(), 0.0);
    double z = 0;
    for (size_t i : ids) z += std::exp(logits[i] / temperature);
    for (size_t i : ids) p[i] = std::exp(logits[i] / temperature) / z;
    size_t keep = topK > 0 ? static_cast<size_t>(topK) : ids.size();
    double kept = 0;
    for (size_t r = 0; r < keep; ++r) kept += p[ids[r]];
    double cum = 0;
    for (size_t r = 0; r < keep; ++r) {
      cum += p[ids[r]] / kept;
      if (topP < 1.0 && cum >= topP) {
        keep = r + 1;
        break;
      }
    }
    std::vector<double> expected(logits.size(), 0.0);
    double mass = 0;
    for (size_t r = 0; r < keep; ++r) mass += p[ids[r]];
    for (size_t r = 0; r < keep; ++r) expected[ids[r]] = p[ids[r]] / mass;

    fm::GenerateOptions o;
    o.temperature = temperature;
    o.topK = topK;
    o.topP = topP;
    const int draws = 20000;
    std::vector<double> seen(logits.size(), 0.0);
    for (int d = 0; d < draws; ++d) seen[static_cast<size_t>(fm::pickToken(logits, {}, o, (d + 0.5) / draws))] += 1.0 / draws;
    for (size_t i = 0; i < logits.size(); ++i)
      QVERIFY2(std::abs(seen[i] - expected[i]) < 2.0 / draws + 1e-9,
               qPrintable(QString("id %1: picked %2, expected %3").arg(i).arg(seen[i]).arg(expected[i])));
  }
};

FM_TEST_MAIN_APPLESS(TestGenerate)
#include "test_generate.moc"
