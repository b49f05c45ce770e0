// Model folders as users bring them: sharded checkpoints load, pickle-only folders are refused
// with an explanation, and weights that do not fit config.json are named in one error.
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include "arch/causal_lm.h"
#include "arch/loaded_model.h"
#include "io/atomic_file.h"
#include "jobs/cancelled.h"
#include "io/model_folder.h"
#include "io/safetensors.h"
#include "support/tiny_models.h"
#include "util/error.h"

namespace fs = std::filesystem;
using nlohmann::json;

class TestModelFolder : public QObject {
  Q_OBJECT

 private:
  template <typename E, typename F>
  static QString errorOf(F&& f) {
    try {
      f();
    } catch (const E& e) {
      return QString::fromStdString(e.what());
    }
    return "(no error)";
  }

 private Q_SLOTS:
  void inspectReportsArchitecture() {
    QTemporaryDir dir;
    fm::test::writeReferenceModel(fm::test::referenceFixture("tiny_llama"), dir.path().toStdString());
    fm::ModelInfo i = fm::inspectModel(dir.path().toStdString());
    QCOMPARE(i.architecture, std::string("LlamaForCausalLM"));
    QCOMPARE(i.layers, 2);
    QCOMPARE(i.kvHeads, 2);
    // 96*32 embed + 96*32 head + 2 layers * (32*32 q + 2*16*32 kv + 32*32 o + 3*64*32 mlp + 64 norms) + 32
    const int64_t expected = 96 * 32 * 2 + 2 * (32 * 32 + 2 * 16 * 32 + 32 * 32 + 3 * 64 * 32 + 64) + 32;
    QCOMPARE(i.parameters, expected);
    QCOMPARE(i.dtypeOnDisk, std::string("F32"));
    QCOMPARE(i.memoryFp32, static_cast<uint64_t>(expected * 4));
    QVERIFY(i.tokenizerKind.empty());
    QVERIFY(!i.tokenizerError.empty());
  }

  void shardedMatchesSingleFile() {
    const json fx = fm::test::referenceFixture("tiny_qwen2");
    QTemporaryDir one, three;
    fm::test::writeReferenceModel(fx, one.path().toStdString(), 1);
    fm::test::writeReferenceModel(fx, three.path().toStdString(), 3);
    QVERIFY(fs::exists(fs::path(three.path().toStdString()) / "model-00003-of-00003.safetensors"));
    fm::ModelFolder f = fm::ModelFolder::open(three.path().toStdString());
    QCOMPARE(f.weightFiles().size(), size_t(3));
    auto a = fm::inspectModel(one.path().toStdString());
    auto b = fm::inspectModel(three.path().toStdString());
    QCOMPARE(a.parameters, b.parameters);
    // Loaded from three shards, the model computes the reference logits.
    auto model = fm::LoadedModel::load(three.path().toStdString(), {});
    QVERIFY2(maxLogitDiff(*model, fx) < 1e-4, qPrintable(QString::number(maxLogitDiff(*model, fx))));
  }

  // Largest |logit - reference| over the fixture's input (reference: the NumPy script).
  static double maxLogitDiff(const fm::LoadedModel& model, const json& fx) {
    torch::InferenceMode guard;
    std::vector<float> flat;
    for (const auto& row : fx["logits"])
      for (const auto& v : row) flat.push_back(static_cast<float>(v.get<double>()));
    const auto reference = torch::tensor(flat).view({static_cast<int64_t>(fx["logits"].size()), -1});
    const auto ids = torch::tensor(fx["input_ids"].get<std::vector<int64_t>>(), torch::kLong).view({1, -1});
    const auto logits = model.lm().forward({ids})[0];
    return (logits - reference).abs().max().item<double>();
  }

  // Loading reports how much of the weights is read and stops when asked.
  void loadReportsProgressAndStops() {
    const json fx = fm::test::referenceFixture("tiny_llama");
    QTemporaryDir dir;
    fm::test::writeReferenceModel(fx, dir.path().toStdString(), 3);
    std::vector<double> seen;
    fm::LoadOptions o;
    o.job = [&](double f, const std::string& what) {
      seen.push_back(f);
      return !what.empty();
    };
    QVERIFY(fm::LoadedModel::load(dir.path().toStdString(), o));
    QVERIFY(seen.size() >= 3);
    QVERIFY(std::is_sorted(seen.begin(), seen.end()));
    QCOMPARE(seen.back(), 1.0);
    o.job = [](double f, const std::string&) { return f < 0.5; };
    QVERIFY_THROWS_EXCEPTION(fm::CancelledError, fm::LoadedModel::load(dir.path().toStdString(), o));
  }

  void shardIndexErrors() {
    const json fx = fm::test::referenceFixture("tiny_llama");
    QTemporaryDir dir;
    const fs::path d = dir.path().toStdString();
    fm::test::writeReferenceModel(fx, d, 2);
    fs::remove(d / "model-00002-of-00002.safetensors");
    QString msg = errorOf<fm::IoError>([&] { fm::ModelFolder::open(d); });
    QVERIFY2(msg.contains("model-00002-of-00002.safetensors") && msg.contains("missing"), qPrintable(msg));

    fm::test::writeReferenceModel(fx, d, 2);
    json index = fm::readJsonFile(d / "model.safetensors.index.json");
    index["weight_map"]["model.norm.weight"] = index["weight_map"]["model.norm.weight"] == "model-00001-of-00002.safetensors"
                                                   ? "model-00002-of-00002.safetensors"
                                                   : "model-00001-of-00002.safetensors";
    fm::writeFileAtomic(d / "model.safetensors.index.json", index.dump());
    msg = errorOf<fm::FormatError>([&] { fm::ModelFolder::open(d).openWeights(); });
    QVERIFY2(msg.contains("model.norm.weight"), qPrintable(msg));
  }

  void pickleOnlyRefused_data() {
    QTest::addColumn<QString>("file");
    QTest::newRow("pytorch_model.bin") << "pytorch_model.bin";
    QTest::newRow("model.pt") << "model.pt";
    QTest::newRow("last.ckpt") << "last.ckpt";
  }

  void pickleOnlyRefused() {
    QFETCH(QString, file);
    QTemporaryDir dir;
    const fs::path d = dir.path().toStdString();
    fm::writeFileAtomic(d / "config.json", R"({"model_type":"llama"})");
    fm::writeFileAtomic(d / file.toStdString(), std::string("\x80\x02}q\x00.", 6));
    const QString msg = errorOf<fm::UnsupportedError>([&] { fm::ModelFolder::open(d); });
    QVERIFY2(msg.contains(file) && msg.contains("pickle") && msg.contains("arbitrary code") &&
                 msg.contains("safe_serialization=True"),
             qPrintable(msg));
  }

  void missingConfig() {
    QTemporaryDir dir;
    const QString msg = errorOf<fm::IoError>([&] { fm::ModelFolder::open(dir.path().toStdString()); });
    QVERIFY2(msg.contains("config.json"), qPrintable(msg));
  }

  void invalidConfigJson() {
    QTemporaryDir dir;
    const fs::path d = dir.path().toStdString();
    fm::writeFileAtomic(d / "config.json", "{\"model_type\": \"llama\",,}");
    const QString msg = errorOf<fm::FormatError>([&] { fm::ModelFolder::open(d); });
    QVERIFY2(msg.contains("config.json is not valid JSON"), qPrintable(msg));
  }

  void unsupportedArchitecture() {
    json fx = fm::test::referenceFixture("tiny_llama");
    fx["config"]["model_type"] = "mamba";
    QTemporaryDir dir;
    fm::test::writeReferenceModel(fx, dir.path().toStdString());
    const QString msg = errorOf<fm::UnsupportedError>([&] { fm::inspectModel(dir.path().toStdString()); });
    QVERIFY2(msg.contains("mamba") && msg.contains("llama") && msg.contains("gpt2"), qPrintable(msg));
  }

  // Missing, unexpected and mis-shaped tensors are all named in one error.
  void strictLoadingNamesEveryProblem() {
    json fx = fm::test::referenceFixture("tiny_llama");
    json tensors = json::array();
    for (auto t : fx["tensors"]) {
      const std::string n = t["name"];
      if (n == "model.layers.1.mlp.up_proj.weight") continue;                            // missing
      if (n == "model.layers.0.self_attn.k_proj.weight") t["shape"] = json::array({32, 32});  // mis-shaped
      tensors.push_back(t);
    }
    tensors.push_back({{"name", "model.layers.0.self_attn.extra.weight"}, {"shape", {4}}});  // unexpected
    fx["tensors"] = tensors;
    QTemporaryDir dir;
    fm::test::writeReferenceModel(fx, dir.path().toStdString());
    const QString msg = errorOf<fm::FormatError>([&] { fm::LoadedModel::load(dir.path().toStdString(), {}); });
    QVERIFY2(msg.contains("missing 1: model.layers.1.mlp.up_proj.weight"), qPrintable(msg));
    QVERIFY2(msg.contains("unexpected 1: model.layers.0.self_attn.extra.weight"), qPrintable(msg));
    QVERIFY2(msg.contains("model.layers.0.self_attn.k_proj.weight is [32, 32] but config.json needs [16, 32]"),
             qPrintable(msg));
  }

  void bf16WeightsOnDiskLoad() {
    // A checkpoint stored in BF16 loads (converted to the compute dtype) and reports its dtype.
    QTemporaryDir dir;
    const fs::path d = dir.path().toStdString();
    const json fx = fm::test::referenceFixture("tiny_gpt2");
    fm::test::writeReferenceModel(fx, d);
    auto f32 = fm::SafetensorsFile::open(d / "model.safetensors");
    std::vector<std::vector<uint16_t>> bufs;
    std::vector<fm::TensorView> views;
    for (const auto& t : f32.tensors()) {
      const float* src = reinterpret_cast<const float*>(f32.data(t));
      std::vector<uint16_t> b(static_cast<size_t>(t.numel()));
      for (size_t i = 0; i < b.size(); ++i) {
        uint32_t bits;
        std::memcpy(&bits, &src[i], 4);
        b[i] = static_cast<uint16_t>((bits + 0x7fff + ((bits >> 16) & 1)) >> 16);
      }
      bufs.push_back(std::move(b));
      views.push_back({t.name, fm::DType::BF16, t.shape, nullptr});
    }
    for (size_t i = 0; i < views.size(); ++i) views[i].data = bufs[i].data();
    fm::writeSafetensors(d / "model.safetensors", views);
    QCOMPARE(fm::inspectModel(d).dtypeOnDisk, std::string("BF16"));
    // The weights lost their low mantissa bits, nothing else: logits stay within bfloat16's
    // rounding of the reference (|logits| are about 1 here), far from a wrong mapping.
    auto model = fm::LoadedModel::load(d, {});
    const double diff = maxLogitDiff(*model, fx);
    QVERIFY2(diff > 0 && diff < 0.05, qPrintable(QString("max |logit diff| %1").arg(diff)));
  }
};

QTEST_APPLESS_MAIN(TestModelFolder)
#include "test_model_folder.moc"
