// LoRA as PEFT defines it: the adapter math, a no-op at initialisation, a frozen base, PEFT's
// file format both ways, switching adapters off, and merging.
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include "arch/causal_lm.h"
#include "arch/layers.h"
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

torch::Tensor logitsOf(fm::CausalLM& lm) {
  torch::NoGradGuard ng;
  fm::ForwardArgs a;
  a.ids = torch::tensor({{1, 5, 9, 3, 7, 2, 11, 4}}, torch::kLong);
  return lm.forward(a);
}

// Fills every adapter with small deterministic non-zero values (a trained adapter).
void fillAdapters(fm::CausalLM& lm) {
  torch::NoGradGuard ng;
  int k = 0;
  for (auto& t : fm::loraParameters(lm)) {
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
    auto targets = fm::attachLora(*lm, cfg, 1);
    QVERIFY(!targets.empty());
    fillAdapters(*lm);
    fm::LinearImpl* q = linearAt(*lm, "model.layers.0.self_attn.q_proj");
    QVERIFY(q && q->lora);
    torch::NoGradGuard ng;
    auto x = torch::randn({3, q->in});
    auto expected = torch::matmul(x, q->weight.t()) +
                    (8.0 / 4.0) * torch::matmul(torch::matmul(x, q->lora->A.t()), q->lora->B.t());
    QVERIFY(torch::allclose(q->forward(x), expected, 1e-5, 1e-6));
    // rsLoRA scales by alpha / sqrt(r).
    cfg.rslora = true;
    QCOMPARE(cfg.scale(), 8.0 / 2.0);
  }

  void untrainedAdapterChangesNothing() {
    QTemporaryDir dir;
    auto lm = referenceLlama(dir.path().toStdString());
    auto before = logitsOf(*lm);
    fm::LoraConfig cfg;
    cfg.targetModules = {"all-linear"};
    auto targets = fm::attachLora(*lm, cfg, 7);
    QVERIFY(std::find(targets.begin(), targets.end(), "lm_head") == targets.end());
    QVERIFY(torch::equal(logitsOf(*lm), before));
    // PEFT init: A ~ U(-1/sqrt(in), 1/sqrt(in)) and non-zero, B zero.
    fm::LinearImpl* v = linearAt(*lm, "model.layers.1.mlp.down_proj");
    QVERIFY(v && v->lora);
    const double bound = 1.0 / std::sqrt(static_cast<double>(v->in));
    QVERIFY(v->lora->A.abs().max().item<double>() <= bound);
    QVERIFY(v->lora->A.abs().max().item<double>() > bound / 2);
    QCOMPARE(v->lora->B.abs().sum().item<double>(), 0.0);
  }

  void trainingChangesOnlyAdapters() {
    QTemporaryDir dir;
    auto lm = referenceLlama(dir.path().toStdString());
    std::map<std::string, torch::Tensor> base;
    for (const auto& p : lm->named_parameters(true)) base[p.key()] = p.value().clone();
    fm::LoraConfig cfg;
    cfg.dropout = 0.1;
    fm::attachLora(*lm, cfg, 3);
    auto adaptersBefore = fm::loraParameters(*lm);
    std::vector<torch::Tensor> snapshot;
    for (auto& t : adaptersBefore) snapshot.push_back(t.clone());
    lm->train();
    fm::Session s(*lm, fm::loraParameters(*lm), {}, {});
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
      QVERIFY(!p.value().requires_grad());
    }
    bool anyChanged = false;
    auto after = fm::loraParameters(*lm);
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
    fm::attachLora(*lm, cfg, 5);
    fillAdapters(*lm);
    auto withAdapter = logitsOf(*lm);
    fm::saveAdapter(*lm, cfg, root / "adapter");

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

    // Loads back into a fresh base: same logits; switching off gives the base model's logits.
    auto lm2 = referenceLlama(root / "base2");
    auto baseLogits = logitsOf(*lm2);
    fm::LoraConfig loaded = fm::loadAdapter(*lm2, root / "adapter");
    QCOMPARE(loaded.r, 4);
    QVERIFY(torch::allclose(logitsOf(*lm2), withAdapter, 1e-6, 1e-6));
    fm::setLoraEnabled(*lm2, false);
    QVERIFY(torch::equal(logitsOf(*lm2), baseLogits));
    fm::setLoraEnabled(*lm2, true);

    // A config as PEFT writes it (all of its fields, targets as a set) loads here.
    fm::writeFileAtomic(root / "adapter" / "adapter_config.json", peft.dump(2));
    auto lm3 = referenceLlama(root / "base3");
    fm::loadAdapter(*lm3, root / "adapter");
    QVERIFY(torch::allclose(logitsOf(*lm3), withAdapter, 1e-6, 1e-6));
  }

  void mergedModelMatchesAdapter() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    auto lm = referenceLlama(root / "base");
    fm::LoraConfig cfg;
    cfg.targetModules = {"all-linear"};
    fm::attachLora(*lm, cfg, 9);
    fillAdapters(*lm);
    auto withAdapter = logitsOf(*lm);
    fm::mergeLora(*lm);
    QVERIFY(!fm::hasLora(*lm));
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
    fm::attachLora(*lm, cfg, 1);
    fm::saveAdapter(*lm, cfg, root / "adapter");
    json c = fm::readJsonFile(root / "adapter" / "adapter_config.json");
    c["r"] = 8;  // the weights say 4
    fm::writeFileAtomic(root / "adapter" / "adapter_config.json", c.dump());
    auto lm2 = referenceLlama(root / "base2");
    try {
      fm::loadAdapter(*lm2, root / "adapter");
      QFAIL("a mis-shaped adapter loaded");
    } catch (const fm::FormatError& e) {
      const std::string msg = e.what();
      QVERIFY2(msg.find("mis-shaped") != std::string::npos, msg.c_str());
      QVERIFY2(msg.find("q_proj.lora_A.weight") != std::string::npos, msg.c_str());
    }
    QVERIFY(!fm::hasLora(*lm2));  // nothing half-attached
    c["r"] = 4;
    c["target_modules"] = json::array({"nonexistent_proj"});
    fm::writeFileAtomic(root / "adapter" / "adapter_config.json", c.dump());
    QVERIFY_EXCEPTION_THROWN(fm::loadAdapter(*lm2, root / "adapter"), fm::ConfigError);
    c["target_modules"] = json::array({"q_proj", "v_proj"});
    c["use_dora"] = true;
    fm::writeFileAtomic(root / "adapter" / "adapter_config.json", c.dump());
    QVERIFY_EXCEPTION_THROWN(fm::loadAdapter(*lm2, root / "adapter"), fm::UnsupportedError);
  }
};

QTEST_APPLESS_MAIN(TestLora)
#include "test_lora.moc"
