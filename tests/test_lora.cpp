// LoRA as PEFT defines it: the adapter math, a no-op at initialisation, a base that training
// never changes, PEFT's file format both ways, choosing the adapter per call, and merging.
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include "support/test_main.h"
#include "arch/causal_lm.h"
#include "nn/layers.h"
#include "nn/lora_adapter.h"
#include "io/atomic_file.h"
#include "io/model_folder.h"
#include "io/safetensors.h"
#include "lora/lora.h"
#include "support/tiny_models.h"
#include "train/session.h"
#include "util/error.h"

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::shared_ptr<fm::CausalLM> referenceLlama(const fs::path& dir) {
  const json fx = fm::test::referenceFixture("tiny_llama");
  fm::test::writeReferenceModel(fx, dir);
  auto folder = fm::ModelFolder::open(dir);
  auto lm = fm::createCausalLM(folder.config());
  fm::loadWeights(*lm, folder.openWeights());
  lm->eval();
  return lm;
}

fm::LinearImpl* linearAt(fm::CausalLM& lm, const std::string& path) {
  for (const auto& m : lm.named_modules("", false))
    if (m.key() == path) return dynamic_cast<fm::LinearImpl*>(m.value().get());
  return nullptr;
}

torch::Tensor logitsOf(fm::CausalLM& lm, const fm::LoraAdapter* adapter = nullptr) {
  torch::NoGradGuard ng;
  fm::AdapterScope use(adapter);
  fm::ForwardArgs a;
  a.ids = torch::tensor({{1, 5, 9, 3, 7, 2, 11, 4}}, torch::kLong);
  return lm.forward(a);
}

// Fills every adapter with small deterministic non-zero values (a trained adapter).
void fillAdapters(const fm::LoraAdapter& adapter) {
  torch::NoGradGuard ng;
  int k = 0;
  for (auto& t : fm::loraParameters(adapter)) {
    auto v = torch::arange(t.numel(), torch::kFloat).reshape(t.sizes());
    t.copy_(torch::sin(v * 0.37 + ++k) * 0.05);
  }
}

}  // namespace

class TestLora : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void forwardIsBasePlusScaledLowRank() {
    QTemporaryDir dir;
    auto lm = referenceLlama(dir.path().toStdString());
    fm::LoraConfig cfg;
    cfg.r = 4;
    cfg.alpha = 8;
    cfg.dropout = 0;
    auto adapter = fm::createLora(*lm, cfg, 1);
    QVERIFY(!adapter->entries().empty());
    fillAdapters(*adapter);
    fm::LinearImpl* q = linearAt(*lm, "model.layers.0.self_attn.q_proj");
    QVERIFY(q);
    const fm::LoraWeights* w = adapter->find(q);
    QVERIFY(w);
    torch::NoGradGuard ng;
    auto x = torch::randn({3, q->in});
    auto base = torch::matmul(x, q->weight.t());
    auto expected = base + (8.0 / 4.0) * torch::matmul(torch::matmul(x, w->A.t()), w->B.t());
    {
      fm::AdapterScope use(adapter.get());
      QVERIFY(torch::allclose(q->forward(x), expected, 1e-5, 1e-6));
    }
    // Outside the scope the same module is the base layer again.
    QVERIFY(torch::allclose(q->forward(x), base, 1e-5, 1e-6));
    // rsLoRA scales by alpha / sqrt(r).
    cfg.rslora = true;
    QCOMPARE(cfg.scale(), 8.0 / 2.0);
  }

  // Scopes nest and restore; dropout applies only while the model trains.
  void scopesNestAndDropoutOnlyInTraining() {
    QTemporaryDir dir;
    auto lm = referenceLlama(dir.path().toStdString());
    fm::LoraConfig cfg;
    cfg.dropout = 0.5;
    auto a = fm::createLora(*lm, cfg, 1), b = fm::createLora(*lm, cfg, 2);
    fillAdapters(*a);
    fillAdapters(*b);
    QVERIFY(fm::activeAdapter() == nullptr);
    {
      fm::AdapterScope outer(a.get());
      {
        fm::AdapterScope inner(b.get());
        QVERIFY(fm::activeAdapter() == b.get());
      }
      QVERIFY(fm::activeAdapter() == a.get());
      // Evaluation mode: deterministic despite dropout 0.5.
      QVERIFY(torch::equal(logitsOf(*lm, a.get()), logitsOf(*lm, a.get())));
      lm->train();
      torch::manual_seed(3);
      auto t1 = logitsOf(*lm, a.get());
      auto t2 = logitsOf(*lm, a.get());
      lm->eval();
      QVERIFY(!torch::equal(t1, t2));  // dropout draws differ between calls
    }
    QVERIFY(fm::activeAdapter() == nullptr);
  }

  void untrainedAdapterChangesNothing() {
    QTemporaryDir dir;
    auto lm = referenceLlama(dir.path().toStdString());
    auto before = logitsOf(*lm);
    fm::LoraConfig cfg;
    cfg.targetModules = {"all-linear"};
    auto adapter = fm::createLora(*lm, cfg, 7);
    for (const auto& e : adapter->entries()) QVERIFY(e.path != "lm_head");
    QCOMPARE(adapter->entries().size(), size_t(2 * 7));  // 2 layers x q, k, v, o, gate, up, down
    QVERIFY(torch::equal(logitsOf(*lm, adapter.get()), before));
    // PEFT init: A ~ U(-1/sqrt(in), 1/sqrt(in)) and non-zero, B zero.
    fm::LinearImpl* v = linearAt(*lm, "model.layers.1.mlp.down_proj");
    const fm::LoraWeights* w = adapter->find(v);
    QVERIFY(v && w);
    const double bound = 1.0 / std::sqrt(static_cast<double>(v->in));
    QVERIFY(w->A.abs().max().item<double>() <= bound);
    QVERIFY(w->A.abs().max().item<double>() > bound / 2);
    QCOMPARE(w->B.abs().sum().item<double>(), 0.0);
  }

  void trainingChangesOnlyAdapters() {
    QTemporaryDir dir;
    auto lm = referenceLlama(dir.path().toStdString());
    std::map<std::string, torch::Tensor> base;
    for (const auto& p : lm->named_parameters(true)) base[p.key()] = p.value().clone();
    fm::LoraConfig cfg;
    cfg.dropout = 0.1;
    for (auto& p : lm->parameters()) p.set_requires_grad(false);  // as LoadedModel leaves them
    auto adapter = fm::createLora(*lm, cfg, 3);
    auto adaptersBefore = fm::loraParameters(*adapter);
    std::vector<torch::Tensor> snapshot;
    for (auto& t : adaptersBefore) snapshot.push_back(t.clone());
    lm->train();
    fm::AdapterScope use(adapter.get());
    fm::Session s(*lm, fm::loraParameters(*adapter), {}, {});
    fm::Example e;
    e.ids = {1, 5, 9, 3, 7, 2, 11, 4, 6, 8};
    e.target.assign(e.ids.size(), 1);
    e.target[0] = 0;
    for (int i = 0; i < 3; ++i) {
      auto r = s.computeGradients({fm::packExamples({&e})});
      s.applyUpdate(1e-2, r);
    }
    for (const auto& p : lm->named_parameters(true)) {
      QVERIFY2(torch::equal(p.value(), base[p.key()]), p.key().c_str());
    }
    bool anyChanged = false;
    auto after = fm::loraParameters(*adapter);
    for (size_t i = 0; i < after.size(); ++i) anyChanged |= !torch::equal(after[i], snapshot[i]);
    QVERIFY(anyChanged);
  }

  void peftFormatRoundTrip() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    auto lm = referenceLlama(root / "base");
    fm::LoraConfig cfg;
    cfg.r = 4;
    cfg.alpha = 16;
    cfg.baseModel = "fm-test/llama-reference";
    auto adapter = fm::createLora(*lm, cfg, 5);
    fillAdapters(*adapter);
    auto withAdapter = logitsOf(*lm, adapter.get());
    QVERIFY(!torch::allclose(withAdapter, logitsOf(*lm), 1e-4, 1e-4));  // the adapter matters
    fm::saveAdapter(*adapter, root / "adapter");

    // Keys exactly as PEFT names them.
    auto f = fm::SafetensorsFile::open(root / "adapter" / "adapter_model.safetensors");
    const int64_t layers = lm->summary().layers;
    QCOMPARE(static_cast<int64_t>(f.tensors().size()), layers * 4);
    for (int64_t i = 0; i < layers; ++i)
      for (const char* m : {"q_proj", "v_proj"})
        for (const char* ab : {"lora_A", "lora_B"}) {
          const std::string key = "base_model.model.model.layers." + std::to_string(i) + ".self_attn." + m + "." + ab + ".weight";
          QVERIFY2(f.find(key), key.c_str());
        }
    const auto* a0 = f.find("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight");
    QCOMPARE(a0->shape, (std::vector<int64_t>{4, lm->summary().hidden}));

    // adapter_config.json carries what PEFT reads, with PEFT's values.
    const json ours = fm::readJsonFile(root / "adapter" / "adapter_config.json");
    const json peft = fm::readJsonFile(FM_TEST_FIXTURES "/peft/adapter_config.json");
    for (const char* k : {"peft_type", "task_type", "r", "lora_alpha", "lora_dropout", "bias",
                          "fan_in_fan_out", "use_rslora", "use_dora", "init_lora_weights",
                          "modules_to_save", "base_model_name_or_path"})
      QVERIFY2(ours.contains(k) && ours[k] == peft[k], k);
    std::set<std::string> ourTargets(ours["target_modules"].begin(), ours["target_modules"].end());
    std::set<std::string> peftTargets(peft["target_modules"].begin(), peft["target_modules"].end());
    QVERIFY(ourTargets == peftTargets);

    // Reads back for a fresh base: same logits with it, the base model's logits without it.
    auto lm2 = referenceLlama(root / "base2");
    auto baseLogits = logitsOf(*lm2);
    auto loaded = fm::readAdapter(*lm2, root / "adapter");
    QCOMPARE(loaded->config().r, 4);
    QVERIFY(torch::allclose(logitsOf(*lm2, loaded.get()), withAdapter, 1e-6, 1e-6));
    QVERIFY(torch::equal(logitsOf(*lm2), baseLogits));

    // A config as PEFT writes it (all of its fields, targets as a set) loads here.
    fm::writeFileAtomic(root / "adapter" / "adapter_config.json", peft.dump(2));
    auto lm3 = referenceLlama(root / "base3");
    auto fromPeft = fm::readAdapter(*lm3, root / "adapter");
    QVERIFY(torch::allclose(logitsOf(*lm3, fromPeft.get()), withAdapter, 1e-6, 1e-6));
  }

  void mergedModelMatchesAdapter() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    auto lm = referenceLlama(root / "base");
    fm::LoraConfig cfg;
    cfg.targetModules = {"all-linear"};
    auto adapter = fm::createLora(*lm, cfg, 9);
    fillAdapters(*adapter);
    auto withAdapter = logitsOf(*lm, adapter.get());
    fm::mergeLora(*lm, *adapter);
    QVERIFY(torch::allclose(logitsOf(*lm), withAdapter, 1e-5, 1e-5));
    // Written as a Hugging Face folder that loads like any other.
    fm::writeModelFolder(*lm, root / "base", root / "merged");
    auto folder = fm::ModelFolder::open(root / "merged");
    auto lm2 = fm::createCausalLM(folder.config());
    fm::loadWeights(*lm2, folder.openWeights());
    QVERIFY(torch::allclose(logitsOf(*lm2), withAdapter, 1e-5, 1e-5));
  }

  void mismatchedAdapterIsRefusedWithNames() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    auto lm = referenceLlama(root / "base");
    fm::LoraConfig cfg;
    cfg.r = 4;
    fm::saveAdapter(*fm::createLora(*lm, cfg, 1), root / "adapter");
    json c = fm::readJsonFile(root / "adapter" / "adapter_config.json");
    c["r"] = 8;  // the weights say 4
    fm::writeFileAtomic(root / "adapter" / "adapter_config.json", c.dump());
    auto lm2 = referenceLlama(root / "base2");
    const auto before = logitsOf(*lm2);
    try {
      fm::readAdapter(*lm2, root / "adapter");
      QFAIL("a mis-shaped adapter loaded");
    } catch (const fm::FormatError& e) {
      const std::string msg = e.what();
      QVERIFY2(msg.find("mis-shaped") != std::string::npos, msg.c_str());
      QVERIFY2(msg.find("q_proj.lora_A.weight") != std::string::npos, msg.c_str());
    }
    QVERIFY(torch::equal(logitsOf(*lm2), before));  // the model is untouched
    c["r"] = 4;
    c["target_modules"] = json::array({"nonexistent_proj"});
    fm::writeFileAtomic(root / "adapter" / "adapter_config.json", c.dump());
    QVERIFY_EXCEPTION_THROWN(fm::readAdapter(*lm2, root / "adapter"), fm::ConfigError);
    c["target_modules"] = json::array({"q_proj", "v_proj"});
    c["use_dora"] = true;
    fm::writeFileAtomic(root / "adapter" / "adapter_config.json", c.dump());
    QVERIFY_EXCEPTION_THROWN(fm::readAdapter(*lm2, root / "adapter"), fm::UnsupportedError);
  }
};

FM_TEST_MAIN_APPLESS(TestLora)
#include "test_lora.moc"
