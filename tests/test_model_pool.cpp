// Several models and jobs at once: inference on one shared model from several threads (with
// and without an adapter, generation beside embedding) gives exactly what each gives alone,
// and the model pool keeps to its memory budget.
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include <chrono>
#include <exception>
#include <thread>

#include "support/test_main.h"
#include "arch/causal_lm.h"
#include "arch/loaded_model.h"
#include "arch/model_pool.h"
#include "embed/embedder.h"
#include "generate/generator.h"
#include "lora/adapter_control.h"
#include "lora/lora.h"
#include "support/tiny_models.h"
#include "util/error.h"

using nlohmann::json;
namespace fs = std::filesystem;

class TestModelPool : public QObject {
  Q_OBJECT

 private:
  // A trained-looking adapter (non-zero B) saved as a PEFT folder for the tiny Llama.
  static void writeAdapter(const fm::LoadedModel& model, const fs::path& dir) {
    fm::LoraConfig cfg;
    cfg.r = 4;
    cfg.targetModules = {"all-linear"};
    auto a = fm::createLora(model.lm(), cfg, 11);
    torch::NoGradGuard ng;
    int k = 0;
    for (auto& t : fm::loraParameters(*a))
      t.copy_(torch::sin(torch::arange(t.numel(), torch::kFloat).reshape(t.sizes()) * 0.41 + ++k) * 0.2);
    fm::saveAdapter(*a, dir);
  }

 private Q_SLOTS:
  void concurrentJobsGetTheirOwnResults() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    fm::test::writeReferenceModel(fm::test::referenceFixture("tiny_llama"), root / "llm");
    fm::test::writeReferenceModel(fm::test::referenceFixture("tiny_bert_embedder"), root / "embedder");
    auto llm = fm::LoadedModel::load(root / "llm", {});
    auto embedder = fm::LoadedModel::load(root / "embedder", {});
    writeAdapter(*llm, root / "adapter");
    auto adapter = fm::loadAdapterFor(*llm, root / "adapter");

    const std::vector<int32_t> prompt = {1, 17, 42, 5, 63, 88, 23};
    fm::GenerateOptions base;
    base.temperature = 0;
    base.stopAtEos = false;
    base.maxNewTokens = 40;
    fm::GenerateOptions adapted = base;
    adapted.adapter = adapter;
    const std::vector<std::string> texts = {"The cat sat on the mat.", "Hello!", "What is the capital of France?"};

    const auto aloneBase = fm::generate(*llm, prompt, base).tokens;
    const auto aloneAdapted = fm::generate(*llm, prompt, adapted).tokens;
    const auto aloneEmbed = fm::embedTexts(*embedder, texts, {}).vectors;
    QVERIFY(aloneBase != aloneAdapted);  // the adapter changes the answer

    for (int round = 0; round < 3; ++round) {
      std::vector<int32_t> gotBase, gotAdapted;
      std::vector<std::vector<float>> gotEmbed;
      std::exception_ptr errors[3];
      auto guarded = [](std::exception_ptr& err, auto f) {
        return [&err, f] {
          try {
            f();
          } catch (...) {
            err = std::current_exception();
          }
        };
      };
      std::thread t1(guarded(errors[0], [&] { gotBase = fm::generate(*llm, prompt, base).tokens; }));
      std::thread t2(guarded(errors[1], [&] { gotAdapted = fm::generate(*llm, prompt, adapted).tokens; }));
      std::thread t3(guarded(errors[2], [&] {
        for (int i = 0; i < 5; ++i) gotEmbed = fm::embedTexts(*embedder, texts, {}).vectors;
      }));
      t1.join();
      t2.join();
      t3.join();
      for (auto& e : errors)
        if (e) std::rethrow_exception(e);
      QCOMPARE(gotBase, aloneBase);
      QCOMPARE(gotAdapted, aloneAdapted);
      QVERIFY(gotEmbed == aloneEmbed);
    }
  }

  void loadThatCannotFitIsRefusedOrUnloadsIdle() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    fm::test::writeReferenceModel(fm::test::referenceFixture("tiny_llama"), root / "llm");
    fm::test::writeReferenceModel(fm::test::referenceFixture("tiny_bert_embedder"), root / "embedder");
    const uint64_t llmBytes = fm::ModelPool::estimateBytes(fm::inspectModel(root / "llm"), {});
    const uint64_t embBytes = fm::ModelPool::estimateBytes(fm::inspectModel(root / "embedder"), {});
    QVERIFY(llmBytes > 0 && embBytes > 0);

    // Room for either model, not both.
    fm::ModelPool pool(std::max(llmBytes, embBytes) + std::min(llmBytes, embBytes) / 2);
    auto llm = pool.acquire(root / "llm");
    QCOMPARE(pool.acquire(root / "llm").get(), llm.get());  // loaded once, shared
    try {
      pool.acquire(root / "embedder");
      QFAIL("a load past the budget was accepted while the other model was in use");
    } catch (const fm::ResourceError& e) {
      const std::string msg = e.what();
      QVERIFY2(msg.find("llm") != std::string::npos && msg.find("in use") != std::string::npos, msg.c_str());
    }
    QCOMPARE(pool.entries().size(), size_t(1));

    llm.reset();  // now idle: the next load unloads it
    auto embedder = pool.acquire(root / "embedder");
    QVERIFY(embedder);
    const auto entries = pool.entries();
    QCOMPARE(entries.size(), size_t(1));
    QCOMPARE(entries[0].kind, fm::ModelKind::TextEncoder);
    QVERIFY(entries[0].inUse);
    QVERIFY(pool.usedBytes() <= pool.budgetBytes());

    // Switching models: the one being replaced counts as idle, so the switch is not refused.
    auto back = pool.acquire(root / "llm", {}, {embedder.get()});
    QVERIFY(back);
    QCOMPARE(pool.entries().size(), size_t(1));
  }

  // A folder rewritten in place (a merge, an export) is loaded again, not served stale.
  void changedFolderIsLoadedAgain() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    fm::test::writeReferenceModel(fm::test::referenceFixture("tiny_bert_embedder"), root / "m");
    fm::ModelPool pool(1ull << 30);
    auto first = pool.acquire(root / "m");
    QCOMPARE(pool.acquire(root / "m").get(), first.get());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    fm::test::writeReferenceModel(fm::test::referenceFixture("tiny_bert_embedder"), root / "m", 1, "bert.");
    auto second = pool.acquire(root / "m");
    QVERIFY(second.get() != first.get());
  }

  // An adapter read for one model is refused by another instead of silently doing nothing.
  void adapterOfAnotherModelIsRefused() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    fm::test::writeReferenceModel(fm::test::referenceFixture("tiny_llama"), root / "llm");
    auto a = fm::LoadedModel::load(root / "llm", {});
    auto b = fm::LoadedModel::load(root / "llm", {});
    writeAdapter(*a, root / "adapter");
    fm::GenerateOptions o;
    o.maxNewTokens = 4;
    o.adapter = fm::loadAdapterFor(*a, root / "adapter");
    QVERIFY_EXCEPTION_THROWN(fm::generate(*b, {1, 2, 3}, o), fm::ConfigError);
    QCOMPARE(fm::generate(*a, {1, 2, 3}, o).tokens.size(), size_t(4));
  }
};

FM_TEST_MAIN_APPLESS(TestModelPool)
#include "test_model_pool.moc"
