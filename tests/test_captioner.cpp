// A captioner of one's own (arch/prefix_captioner.h, vision/train_captioner.h): picture vectors
// in place of token embeddings give the same logits as the tokens, the trainer's loss falls,
// a stopped run resumes to exactly the weights of an unbroken one, the saved folder loads on its
// own and gives the captions the trainer showed, and bad input is refused by name.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>
#include <torch/torch.h>

#include "support/test_main.h"
#include "arch/builtin_model.h"
#include "train/demo.h"
#include "arch/causal_lm.h"
#include "arch/loaded_model.h"
#include "arch/prefix_captioner.h"
#include "embed/train_embedder.h"
#include "io/atomic_file.h"
#include "io/model_folder.h"
#include "io/safetensors.h"
#include "nn/weights.h"
#include "support/run_fmw.h"
#include "support/tiny_models.h"
#include "util/error.h"
#include "util/paths.h"
#include "vision/caption.h"
#include "vision/demo_shapes.h"
#include "vision/image.h"
#include "vision/train_captioner.h"
#include "support/small_clip.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using Run = fm::test::FmwRun;
Run fmw(const QStringList& args) { return fm::test::runFmw(args); }
using fm::test::thrown;

std::shared_ptr<fm::CausalLM> loadLm(const fs::path& dir) {
  const fm::ModelFolder folder = fm::ModelFolder::open(dir);
  auto lm = fm::createCausalLM(folder.config());
  fm::loadWeights(*lm, folder.openWeights());
  lm->eval();
  return lm;
}

// Every tensor of two safetensors files, compared exactly.
QString differingTensor(const fs::path& a, const fs::path& b) {
  const auto fa = fm::SafetensorsFile::open(a), fb = fm::SafetensorsFile::open(b);
  if (fa.tensors().size() != fb.tensors().size()) return "different tensor counts";
  for (const auto& t : fa.tensors()) {
    const fm::TensorInfo* u = fb.find(t.name);
    if (!u) return QString::fromStdString("missing " + t.name);
    if (!torch::equal(fm::readTensor(fa, t), fm::readTensor(fb, *u))) return QString::fromStdString(t.name);
  }
  return {};
}

}  // namespace

class TestCaptioner : public QObject {
  Q_OBJECT

  QTemporaryDir m_work;
  fs::path m_root, m_data, m_clip, m_lm;

  fm::CaptionerTrainConfig config(const std::string& out) const {
    fm::CaptionerTrainConfig c;
    c.imageModel = fm::utf8(m_clip);
    c.languageModel = fm::utf8(m_lm);
    c.data = fm::utf8(m_data / "train");
    c.outDir = fm::utf8(m_root / out);
    c.prefixLength = 4;
    c.mapperHidden = 32;
    c.batchSize = 16;
    c.lr = 3e-3;
    c.warmupSteps = 3;
    c.logEvery = 2;
    c.samplePictures = 3;
    c.lora.r = 4;
    c.lora.alpha = 8;
    return c;
  }

 private Q_SLOTS:
  void initTestCase() {
    torch::manual_seed(0);
    m_root = fs::path(m_work.path().toStdString());
    m_data = m_root / "data";
    fm::ShapesDatasetOptions d;
    d.size = 32;
    d.trainPictures = 64;
    d.testPerClass = 1;
    fm::writeShapesDataset(m_data, d);
    m_clip = m_root / "clip";
    const fm::TinyClipOptions o = fm::test::smallClipOptions();
    std::vector<std::string> words = {"a", "above", "below", "left", "right", "of"};
    for (const auto& w : fm::shapeNames()) words.push_back(w);
    for (const auto& w : fm::colourNames()) words.push_back(w);
    fm::createTinyClip(m_clip, words, o);
    std::vector<fs::path> images;
    std::vector<std::string> captions;
    fm::readCaptionedFolder(m_data / "train", images, captions);
    std::string corpus;
    for (const auto& c : captions) corpus += c + "\n";
    // A language model that has seen how captions go (as the demo makes one).
    fm::writeFileAtomic(m_root / "captions.txt", corpus);
    m_lm = m_root / "lm";
    QCOMPARE(fm::pretrainDemoModel(m_root / "captions.txt", m_lm, 60, 0, {}).status, fm::JobStatus::Completed);
  }

  // Feeding a language model its own token embeddings is feeding it the tokens (Llama and GPT-2,
  // whose learned positions are still added), and a prefix followed by tokens gives, step by
  // step through the cache, the logits of the whole sequence at once.
  void pictureVectorsEnterWhereTokenEmbeddingsWould() {
    QTemporaryDir gptDir;
    const json gpt = fm::test::referenceFixture("tiny_gpt2")["config"];
    fm::writeRandomModel(gptDir.path().toStdString(), gpt, 3);
    for (const fs::path& dir : {m_lm, fs::path(gptDir.path().toStdString())}) {
      auto lm = loadLm(dir);
      torch::InferenceMode guard;
      const torch::Tensor ids = torch::tensor({{3, 7, 11, 5, 2}, {9, 4, 4, 8, 6}}, torch::kLong);
      fm::ForwardArgs byIds;
      byIds.ids = ids;
      fm::ForwardArgs byEmbeds;
      byEmbeds.inputEmbeds = lm->embedTokens(ids);
      const double d = (lm->forward(byIds) - lm->forward(byEmbeds)).abs().max().item<double>();
      QVERIFY2(d < 1e-5, qPrintable(QString("%1: %2").arg(QString::fromStdString(dir.string())).arg(d)));

      const int64_t H = lm->summary().hidden;
      const torch::Tensor prefix = torch::randn({2, 3, H}) * 0.1;
      const torch::Tensor whole = fm::logitsAfterPrefix(*lm, prefix, ids, nullptr);  // (2, 5, V)
      QCOMPARE(whole.size(1), int64_t{5});
      fm::KVCache cache = lm->makeCache(2, 8);
      torch::Tensor first = fm::logitsAfterPrefix(*lm, prefix, ids.slice(1, 0, 2), &cache);
      QVERIFY((first - whole.slice(1, 0, 2)).abs().max().item<double>() < 1e-5);
      for (int64_t t = 2; t < 5; ++t) {
        auto step = fm::logitsAfterPrefix(*lm, {}, ids.slice(1, t, t + 1), &cache);
        QVERIFY2((step - whole.slice(1, t, t + 1)).abs().max().item<double>() < 1e-5, qPrintable(QString("step %1").arg(t)));
      }
    }
  }

  // Trained with LoRA on the language model: the held-out loss falls, the run folder is laid
  // out as the trainer's, and the captioner folder loads on its own (LoRA merged in) and captions
  // the held-out pictures exactly as the trainer's last samples did.
  void aCaptionerLearnsAndItsFolderGivesTheSameCaptions() {
    fm::CaptionerTrainConfig c = config("run-lora");
    c.epochs = 10;
    std::vector<fm::TrainEvent> samples;
    int steps = 0;
    const fm::TrainResult r = fm::trainCaptioner(c, [&](const fm::TrainEvent& e) {
      if (e.kind == fm::TrainEvent::Kind::Sample) samples.push_back(e);
      if (e.kind == fm::TrainEvent::Kind::Step) ++steps;
      return true;
    });
    QCOMPARE(r.status, fm::JobStatus::Completed);
    QCOMPARE(steps, static_cast<int>(r.totalSteps));
    QVERIFY2(r.lastEval.loss < 0.6 * r.firstEval.loss,
             qPrintable(QString("held-out loss %1 -> %2").arg(r.firstEval.loss).arg(r.lastEval.loss)));
    for (const char* f : {"config.json", "data_stats.json", "metrics.jsonl", "features.safetensors", "pictures.json"})
      QVERIFY2(fs::exists(r.runDir / f), f);
    QCOMPARE(fm::readJsonFile(r.runDir / "config.json")["task"], json("captioner"));
    QVERIFY(fm::isCaptionerRun(r.runDir));
    QCOMPARE(samples.size(), size_t{2});  // before training and at the end
    QCOMPARE(samples.back().samples.size(), size_t{3});

    auto model = fm::LoadedModel::load(r.outputDir, {});
    QCOMPARE(model->kind(), fm::ModelKind::ImageToText);
    QCOMPARE(model->info().architecture, std::string("PrefixCaptioner"));
    std::vector<fm::Image> images;
    for (const auto& s : samples.back().samples) images.push_back(fm::decodeImageFile(fm::pathOf(s.input)).image);
    std::vector<const fm::Image*> ptrs;
    for (const auto& im : images) ptrs.push_back(&im);
    fm::CaptionOptions o;
    o.maxNewTokens = static_cast<int>(c.maxCaptionTokens);  // as long as the trainer's samples may be
    const auto caps = fm::captionImages(*model, ptrs, o);
    for (size_t i = 0; i < caps.size(); ++i) {
      QCOMPARE(QString::fromStdString(caps[i].text), QString::fromStdString(samples.back().samples[i].output));
      QVERIFY(!caps[i].text.empty());
    }
  }

  // Stopped at step 5 (a checkpoint is written at once) and resumed: the finished weights and
  // every logged loss equal those of an unbroken run, LoRA dropout included.
  void aStoppedRunResumesExactly() {
    fm::CaptionerTrainConfig c = config("run-a");
    c.maxSteps = 10;
    c.lora.dropout = 0.1;
    c.samplePictures = 0;
    c.logEvery = 1;
    const fm::TrainResult a = fm::trainCaptioner(c, {});
    QCOMPARE(a.status, fm::JobStatus::Completed);

    c.outDir = fm::utf8(m_root / "run-b");
    const fm::TrainResult b = fm::trainCaptioner(c, [](const fm::TrainEvent& e) {
      return !(e.kind == fm::TrainEvent::Kind::Step && e.step == 5);
    });
    QCOMPARE(b.status, fm::JobStatus::Cancelled);
    QVERIFY(fs::exists(b.runDir / "checkpoint-5" / "COMPLETE"));
    QVERIFY(!fs::exists(b.runDir / "captioner"));
    const fm::TrainResult b2 = fm::resumeCaptioner(b.runDir, {});
    QCOMPARE(b2.status, fm::JobStatus::Completed);
    const QString diff = differingTensor(a.outputDir / "model.safetensors", b2.outputDir / "model.safetensors");
    QVERIFY2(diff.isEmpty(), qPrintable("differs: " + diff));
    auto losses = [](const fs::path& run) {
      std::vector<double> out;
      std::ifstream in(run / "metrics.jsonl");
      std::string line;
      while (std::getline(in, line)) {
        const json j = json::parse(line);
        if (j["event"] == "log") out.push_back(j["loss"].get<double>());
      }
      return out;
    };
    QCOMPARE(losses(b.runDir), losses(a.runDir));
    QCOMPARE(losses(a.runDir).size(), size_t{10});
  }

  // Pictures listed in metadata.csv (the Hugging Face image-folder layout); a row whose picture
  // is missing and one with no caption are left out with the line and the reason.
  void aMetadataTableIsReadWithItsProblemsNamed() {
    QTemporaryDir dir;
    const fs::path d(dir.path().toStdString());
    fs::copy_file(m_data / "train" / "0000.png", d / "one.png");
    fs::copy_file(m_data / "train" / "0001.png", d / "two.png");
    fm::writeFileAtomic(d / "metadata.csv", "file_name,caption\none.png,a red circle\nmissing.png,a blue square\ntwo.png,\n");
    const fm::CaptionedPictures p = fm::readCaptionedPictures(d);
    QCOMPARE(p.images.size(), size_t{1});
    QCOMPARE(p.captions[0], std::string("a red circle"));
    QCOMPARE(p.skipped.size(), size_t{2});
    QVERIFY(p.skipped[0].reason.find("line 3") != std::string::npos);
    QVERIFY(p.skipped[0].reason.find("does not exist") != std::string::npos);
    QVERIFY(p.skipped[1].reason.find("caption is empty") != std::string::npos);
  }

  // Each mistake a person can make is refused with what and where; a broken picture is left out
  // of training and listed in data_stats.json.
  void badInputIsRefusedByName() {
    fm::CaptionerTrainConfig c = config("bad-1");
    c.languageModel = fm::utf8(m_clip);
    QVERIFY(thrown<fm::Error>([&] { fm::trainCaptioner(c, {}); }).contains("the captioner needs a language model"));
    c = config("bad-2");
    c.imageModel = fm::utf8(m_lm);
    QVERIFY(thrown<fm::Error>([&] { fm::trainCaptioner(c, {}); }).contains("through a CLIP model"));
    c = config("bad-3");
    c.lmTraining = "half";
    QVERIFY(thrown<fm::ConfigError>([&] { fm::trainCaptioner(c, {}); }).contains("\"lm_training\" must be frozen, lora or full"));
    QVERIFY(thrown<fm::ConfigError>([&] { fm::CaptionerTrainConfig::fromJson({{"learning_rate", 1}}); })
                .contains("unknown setting \"learning_rate\""));
    QVERIFY(thrown<fm::ConfigError>([&] { fm::CaptionerTrainConfig::fromJson({{"task", "lm"}}); }).contains("\"task\""));
    QTemporaryDir empty;
    fm::writeFileAtomic(fs::path(empty.path().toStdString()) / "lonely.png",
                        fm::readFile(m_data / "train" / "0000.png"));
    QVERIFY(thrown<fm::ConfigError>([&] { fm::readCaptionedPictures(empty.path().toStdString()); })
                .contains("no pictures with captions"));
    QVERIFY(thrown<fm::IoError>([&] { fm::resumeCaptioner(m_data, {}); }).contains("not a captioner run folder"));

    // A broken picture among good ones: trained without it, and named.
    QTemporaryDir mixed;
    const fs::path m(mixed.path().toStdString());
    for (int i = 0; i < 8; ++i) {
      char name[16];
      std::snprintf(name, sizeof name, "%04d", i);
      fs::copy_file(m_data / "train" / (std::string(name) + ".png"), m / (std::string(name) + ".png"));
      fs::copy_file(m_data / "train" / (std::string(name) + ".txt"), m / (std::string(name) + ".txt"));
    }
    fm::writeFileAtomic(m / "broken.png", "\x89PNG\r\n\x1a\n not really");
    fm::writeFileAtomic(m / "broken.txt", "a red circle");
    c = config("run-mixed");
    c.data = fm::utf8(m);
    c.maxSteps = 2;
    const fm::TrainResult r = fm::trainCaptioner(c, {});
    QCOMPARE(r.status, fm::JobStatus::Completed);
    const json stats = fm::readJsonFile(r.runDir / "data_stats.json");
    QCOMPARE(stats["pictures"].get<int>(), 8);
    QCOMPARE(stats["skipped"].size(), size_t{1});
    QVERIFY(stats["skipped"][0]["file"].get<std::string>().find("broken.png") != std::string::npos);
  }

  // fmw captioner train prints the samples and writes a captioner that fmw caption uses.
  void theCommandLineTrainsAndCaptions() {
    const QString out = QString::fromStdString((m_root / "run-cli").string());
    const Run t = fmw({"captioner", "train", "--image-model", QString::fromStdString(m_clip.string()), "--language-model",
                       QString::fromStdString(m_lm.string()), "--data", QString::fromStdString((m_data / "train").string()),
                       "--out-dir", out, "--max-steps", "3", "--prefix-length", "2", "--lm-training", "frozen"});
    QVERIFY2(t.code == 0, t.err.constData());
    QVERIFY(t.out.contains("captions of held-out pictures at step 3"));
    const Run cap = fmw({"caption", out + "/captioner", QString::fromStdString((m_data / "test" / "red_circle").string())});
    QVERIFY2(cap.code == 0, cap.err.constData());
    QVERIFY(cap.out.contains("red_circle"));
    const Run again = fmw({"resume", out});  // finished already: the captioner is written again, the same
    QVERIFY2(again.code == 0, again.err.constData());
    QVERIFY(fs::exists(m_root / "run-cli" / "captioner" / "model.safetensors"));
    const Run unknown = fmw({"captioner", "train", "--learning-rate", "1"});
    QVERIFY(unknown.code != 0);
    QVERIFY(unknown.err.contains("--learning-rate"));
  }
};

FM_TEST_MAIN_GUILESS(TestCaptioner)
#include "test_captioner.moc"
