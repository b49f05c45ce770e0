// The trainer as a user relies on it: loss falls, only the adapter is trained, cancel leaves a
// checkpoint, resume equals an unbroken run, a NaN stops the run without touching the last good
// checkpoint, and a configuration that cannot fit is refused up front.
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <map>
#include <set>

#include <torch/torch.h>

#include "support/test_main.h"
#include "arch/builtin_model.h"
#include "data/demo_data.h"
#include "io/atomic_file.h"
#include "io/model_folder.h"
#include "io/safetensors.h"
#include "nn/weights.h"
#include "jobs/cancelled.h"
#include "train/compare.h"
#include "train/trainer.h"
#include "util/paths.h"

using nlohmann::json;
namespace fs = std::filesystem;

class TestTrainer : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  fs::path m_root, m_model, m_data;

  fm::TrainConfig config(const std::string& run) {
    fm::TrainConfig c;
    c.model = m_model.string();
    c.data = m_data.string();
    c.tpl = {"Review: {text}\nSentiment:", " {label}"};
    c.maxLength = 64;
    c.batchSize = 8;
    c.maxSteps = 24;
    c.lr = 1e-2;
    c.lora.targetModules = {"all-linear"};
    c.logEvery = 4;
    c.evalMaxRows = 24;
    c.saveEvery = 8;
    c.threads = 1;
    c.outDir = (m_root / run).string();
    return c;
  }

  static std::string bytes(const fs::path& p) { return fm::readFile(p); }

  static std::vector<json> metrics(const fs::path& run) {
    std::vector<json> out;
    std::istringstream in(fm::readFile(run / "metrics.jsonl"));
    std::string line;
    while (std::getline(in, line)) out.push_back(json::parse(line));
    return out;
  }

 private Q_SLOTS:
  void initTestCase() {
    m_root = m_dir.path().toStdString();
    m_model = m_root / "tiny";
    fm::createBuiltinModel(m_model, "tiny", 4);
    std::string csv = "text,label\n";
    for (const auto& r : fm::demoReviews(240, 5)) csv += "\"" + r.text + "\"," + r.label + "\n";
    m_data = m_root / "reviews.csv";
    fm::writeFileAtomic(m_data, csv);
  }

  void loraRunLearnsAndLeavesBaseUntouched() {
    auto c = config("run-a");
    std::map<std::string, std::string> baseFiles;
    for (const auto& e : fs::directory_iterator(m_model)) baseFiles[e.path().filename().string()] = bytes(e.path());
    std::vector<double> losses;
    int stepEvents = 0;
    auto r = fm::train(c, [&](const fm::TrainEvent& e) {
      if (e.kind == fm::TrainEvent::Kind::Log) losses.push_back(e.loss);
      if (e.kind == fm::TrainEvent::Kind::Step) ++stepEvents;
      return true;
    });
    QCOMPARE(r.status, fm::JobStatus::Completed);
    QCOMPARE(stepEvents, 24);
    QCOMPARE(losses.size(), size_t(6));
    QVERIFY2(losses.back() < losses.front() * 0.9, (std::to_string(losses.front()) + " -> " + std::to_string(losses.back())).c_str());
    QVERIFY(r.firstEval.loss > r.lastEval.loss);
    QVERIFY(r.lastEval.accuracy >= 0);  // a label-style template: accuracy is measured
    // metrics.jsonl has every logged event with the fields the charts read.
    auto m = metrics(c.outDir);
    int logs = 0;
    for (const auto& j : m)
      if (j["event"] == "log") {
        ++logs;
        for (const char* k : {"step", "epoch", "loss", "lr", "grad_norm", "tokens_per_s", "elapsed"})
          QVERIFY2(j.contains(k), k);
      }
    QCOMPARE(logs, 6);
    // The adapter is in PEFT format; the base folder's weights are unchanged on disk.
    QVERIFY(fs::exists(r.outputDir / "adapter_model.safetensors"));
    QVERIFY(fs::exists(r.outputDir / "adapter_config.json"));
    std::map<std::string, std::string> after;
    for (const auto& e : fs::directory_iterator(m_model)) after[e.path().filename().string()] = bytes(e.path());
    QVERIFY(after == baseFiles);
    // Checkpoints: every 8 steps, keeping the last 2, each complete.
    QVERIFY(!fs::exists(fs::path(c.outDir) / "checkpoint-8"));
    QVERIFY(fs::exists(fs::path(c.outDir) / "checkpoint-16" / "COMPLETE"));
    QVERIFY(fs::exists(fs::path(c.outDir) / "checkpoint-24" / "COMPLETE"));
  }

  void cancelThenResumeEqualsUnbrokenRun() {
    auto full = config("unbroken");
    full.lora.dropout = 0.1;  // resume must restore the random state too
    auto rf = fm::train(full, {});
    QCOMPARE(rf.status, fm::JobStatus::Completed);

    auto part = config("interrupted");
    part.lora.dropout = 0.1;
    auto rc = fm::train(part, [](const fm::TrainEvent& e) {
      return !(e.kind == fm::TrainEvent::Kind::Step && e.step == 11);
    });
    QCOMPARE(rc.status, fm::JobStatus::Cancelled);
    QVERIFY(fs::exists(fs::path(part.outDir) / "checkpoint-11" / "COMPLETE"));
    QVERIFY(!fs::exists(fs::path(part.outDir) / "adapter"));
    auto rr = fm::resumeTraining(part.outDir, {});
    QCOMPARE(rr.status, fm::JobStatus::Completed);
    QCOMPARE(bytes(rr.outputDir / "adapter_model.safetensors"), bytes(rf.outputDir / "adapter_model.safetensors"));
    // The resumed metrics read like one run: each step logged once.
    std::set<int64_t> steps;
    for (const auto& j : metrics(part.outDir))
      if (j["event"] == "log") QVERIFY(steps.insert(j["step"].get<int64_t>()).second);
    QCOMPARE(steps.size(), size_t(6));
  }

  void nanStopsAndKeepsLastGoodCheckpoint() {
    auto c = config("nan");
    fm::TrainHooks hooks;
    hooks.onLoss = [](int64_t step, double& loss) {
      if (step == 12) loss = std::nan("");
    };
    auto r = fm::train(c, {}, hooks);
    QCOMPARE(r.status, fm::JobStatus::Failed);
    QVERIFY2(r.message.find("step 13") != std::string::npos && r.message.find("NaN") != std::string::npos,
             r.message.c_str());
    const fs::path run = c.outDir;
    QVERIFY(fs::exists(run / "checkpoint-8" / "COMPLETE"));
    QVERIFY(!fs::exists(run / "checkpoint-16"));
    QVERIFY(!fs::exists(run / "adapter"));
    QCOMPARE(metrics(run).back()["event"].get<std::string>(), std::string("error"));
    // The kept checkpoint resumes.
    auto rr = fm::resumeTraining(run, {});
    QCOMPARE(rr.status, fm::JobStatus::Completed);
  }

  void refusesWhatWillNotFit() {
    auto c = config("too-big");
    c.batchSize = 4096;
    c.maxLength = 512;
    c.memoryLimitGb = 1;
    try {
      fm::train(c, {});
      QFAIL("an oversized configuration started");
    } catch (const fm::ResourceError& e) {
      const std::string msg = e.what();
      QVERIFY2(msg.find("will not fit in memory") != std::string::npos, msg.c_str());
      QVERIFY2(msg.find("lower batch_size (now 4096)") != std::string::npos, msg.c_str());
    }
    QVERIFY(!fs::exists(fs::path(c.outDir) / "metrics.jsonl"));
  }

  void configErrorsNameTheField() {
    try {
      fm::TrainConfig::fromJson(json{{"lr", "fast"}});
      QFAIL("accepted lr = \"fast\"");
    } catch (const fm::ConfigError& e) {
      QVERIFY(std::string(e.what()).find("\"lr\" must be a number") != std::string::npos);
    }
    QVERIFY_EXCEPTION_THROWN(fm::TrainConfig::fromJson(json{{"learning_rate", 1e-4}}), fm::ConfigError);
    auto c = config("x");
    c.set("batch_size", "3");
    c.set("lora_target_modules", "q_proj,k_proj");
    QCOMPARE(c.batchSize, int64_t(3));
    QCOMPARE(c.lora.targetModules, (std::vector<std::string>{"q_proj", "k_proj"}));
    QCOMPARE(fm::TrainConfig::fromJson(c.toJson()).toJson(), c.toJson());
  }

  void fullTrainingChangesTheModel() {
    auto c = config("full");
    c.method = "full";
    c.maxSteps = 6;
    c.lr = 1e-3;
    c.saveEvery = 0;
    auto r = fm::train(c, {});
    QCOMPARE(r.status, fm::JobStatus::Completed);
    QVERIFY(r.lastEval.loss < r.firstEval.loss);
    // A Hugging Face folder that loads, with weights that differ from the base.
    auto base = fm::SafetensorsFile::open(m_model / "model.safetensors");
    auto tuned = fm::SafetensorsFile::open(r.outputDir / "model.safetensors");
    const auto* a = base.find("model.layers.0.mlp.up_proj.weight");
    const auto* b = tuned.find("model.layers.0.mlp.up_proj.weight");
    QVERIFY(a && b);
    QVERIFY(std::memcmp(base.data(*a), tuned.data(*b), (a->end - a->begin)) != 0);
    QVERIFY(fs::exists(r.outputDir / "tokenizer.model"));
  }

  // Cancelling while the model is evaluated before training stops that evaluation, saves
  // checkpoint-0 (the folder resumes instead of being stuck), and the resumed run ends exactly
  // where an unbroken run with the same settings ends.
  void cancelDuringFirstEvaluationResumesExactly() {
    auto full = config("unbroken-2");
    full.lora.dropout = 0.1;
    auto rf = fm::train(full, {});
    QCOMPARE(rf.status, fm::JobStatus::Completed);

    auto part = config("cancel-in-eval");
    part.lora.dropout = 0.1;
    int evalEvents = 0;
    auto rc = fm::train(part, [&](const fm::TrainEvent& e) {
      if (e.kind == fm::TrainEvent::Kind::Eval) ++evalEvents;
      return !(e.kind == fm::TrainEvent::Kind::Progress && e.message.find("evaluating") != std::string::npos);
    });
    QCOMPARE(rc.status, fm::JobStatus::Cancelled);
    QCOMPARE(evalEvents, 0);
    QVERIFY2(rc.message.find("checkpoint-0") != std::string::npos, rc.message.c_str());
    QVERIFY(fs::exists(fs::path(part.outDir) / "checkpoint-0" / "COMPLETE"));
    auto rr = fm::resumeTraining(part.outDir, {});
    QCOMPARE(rr.status, fm::JobStatus::Completed);
    QCOMPARE(bytes(rr.outputDir / "adapter_model.safetensors"), bytes(rf.outputDir / "adapter_model.safetensors"));
  }

  // Reading and tokenizing the data report progress, and a cancel there stops at once without
  // leaving a run folder behind.
  void cancelWhilePreparingTheData() {
    auto c = config("cancel-in-prep");
    std::vector<double> fractions;
    auto r = fm::train(c, [&](const fm::TrainEvent& e) {
      if (e.kind != fm::TrainEvent::Kind::Progress) return true;
      fractions.push_back(e.fraction);
      return e.message != "tokenizing";
    });
    QCOMPARE(r.status, fm::JobStatus::Cancelled);
    QVERIFY(!fractions.empty());
    QVERIFY(fractions.back() >= 0.3 && fractions.back() <= 1.0);
    QVERIFY(!fs::exists(c.outDir));
  }

  // The before/after comparison reports each answer and stops when cancelled, mid-answer.
  void comparisonCanBeCancelled() {
    auto c = config("compare-cancel");
    c.maxSteps = 4;
    auto r = fm::train(c, {});
    QCOMPARE(r.status, fm::JobStatus::Completed);
    std::vector<std::string> said;
    const auto rows = fm::compareOnValidation(c, r.outputDir, 3, 8, [&](double, const std::string& what) {
      if (!what.empty()) said.push_back(what);
      return true;
    });
    QCOMPARE(rows.size(), size_t(3));
    QVERIFY(std::find(said.begin(), said.end(), "answering validation row 3 of 3") != said.end());
    // A stop asked in the middle of the first answer ends it there: no second row is answered.
    int tokens = 0, rowsStarted = 0;
    const fm::JobContext stopMidAnswer(
        [&](double, const std::string& what) {
          if (what.rfind("answering", 0) == 0) ++rowsStarted;
          return true;
        },
        {}, [&] { return rowsStarted > 0 && ++tokens >= 3; });
    QVERIFY_THROWS_EXCEPTION(fm::CancelledError, fm::compareOnValidation(c, r.outputDir, 3, 8, stopMidAnswer));
    QCOMPARE(rowsStarted, 1);
    QCOMPARE(tokens, 3);
    // Merging reports its stages; cancelled before writing, it leaves no folder.
    const fs::path merged = m_root / "merged-cancelled";
    std::vector<std::string> stages;
    QVERIFY_THROWS_EXCEPTION(fm::CancelledError, fm::mergeAdapterToFolder(m_model, r.outputDir, merged,
                                                                          [&](double, const std::string& what) {
                                                                            stages.push_back(what);
                                                                            return what != "writing the merged model";
                                                                          }));
    QVERIFY(!fs::exists(merged));
    QVERIFY(std::find(stages.begin(), stages.end(), "merging the adapter") != stages.end());
  }

  // Folder names outside ASCII (Korean here) go through every step: train, cancel, resume.
  void nonAsciiRunFolder() {
    auto c = config("실행 런 – é");
    c.maxSteps = 8;
    auto r = fm::train(c, [](const fm::TrainEvent& e) { return !(e.kind == fm::TrainEvent::Kind::Step && e.step == 3); });
    QCOMPARE(r.status, fm::JobStatus::Cancelled);
    auto rr = fm::resumeTraining(fm::pathOf(c.outDir), {});
    QCOMPARE(rr.status, fm::JobStatus::Completed);
    QVERIFY(fs::exists(rr.outputDir / "adapter_model.safetensors"));
    QCOMPARE(fm::utf8(rr.outputDir.parent_path().filename()), std::string("실행 런 – é"));
  }

  // A cancel at a step that would evaluate saves at once; the evaluation is not run.
  void cancelSavesWithoutEvaluating() {
    auto c = config("cancel-no-eval");
    c.evalEvery = 8;
    std::vector<int64_t> evalSteps;
    auto r = fm::train(c, [&](const fm::TrainEvent& e) {
      if (e.kind == fm::TrainEvent::Kind::Eval) evalSteps.push_back(e.step);
      return !(e.kind == fm::TrainEvent::Kind::Step && e.step == 8);
    });
    QCOMPARE(r.status, fm::JobStatus::Cancelled);
    QCOMPARE(evalSteps, std::vector<int64_t>{0});  // only the one before training
    QVERIFY(fs::exists(fs::path(c.outDir) / "checkpoint-8" / "COMPLETE"));
  }

  // A run changes nothing process-wide: the caller's thread count and torch's global random
  // state are as they were, and the same settings give the same adapter whatever was drawn
  // from the global generator before.
  void runsKeepToThemselves() {
    const int threadsBefore = torch::get_num_threads();
    auto c = config("own-state-a");
    c.lora.dropout = 0.1;
    c.maxSteps = 6;
    c.threads = std::max(1, threadsBefore - 1) == threadsBefore ? threadsBefore + 1 : threadsBefore - 1;
    torch::manual_seed(123);
    auto a = fm::train(c, {});
    QCOMPARE(a.status, fm::JobStatus::Completed);
    QCOMPARE(torch::get_num_threads(), threadsBefore);
    const auto drawn = torch::rand({4});
    torch::manual_seed(123);
    QVERIFY(torch::equal(drawn, torch::rand({4})));  // the run drew nothing from it
    torch::manual_seed(999);
    torch::rand({1000});
    auto c2 = config("own-state-b");
    c2.lora.dropout = 0.1;
    c2.maxSteps = 6;
    c2.threads = c.threads;
    auto b = fm::train(c2, {});
    QCOMPARE(bytes(a.outputDir / "adapter_model.safetensors"), bytes(b.outputDir / "adapter_model.safetensors"));
  }

  // A second job on a run folder that is training is refused, naming the folder.
  void runFolderIsLocked() {
    auto c = config("locked");
    std::string second;
    auto r = fm::train(c, [&](const fm::TrainEvent& e) {
      if (e.kind == fm::TrainEvent::Kind::Step && e.step == 9 && second.empty()) {
        try {
          fm::resumeTraining(c.outDir, {});
          second = "(started)";
        } catch (const fm::ConfigError& err) {
          second = err.what();
        }
      }
      return true;
    });
    QCOMPARE(r.status, fm::JobStatus::Completed);
    QVERIFY2(second.find("in use by another job") != std::string::npos, second.c_str());
  }

  // Damaged checkpoints are named, with the previous complete one offered; nothing is removed.
  void damagedCheckpointIsNamed_data() {
    QTest::addColumn<QString>("damage");
    QTest::newRow("optimizer truncated") << "optimizer-truncated";
    QTest::newRow("optimizer empty") << "optimizer-empty";
    QTest::newRow("optimizer random bytes") << "optimizer-random";
    QTest::newRow("rng state wrong size") << "rng-size";
    QTest::newRow("step -5") << "step";
  }

  void damagedCheckpointIsNamed() {
    QFETCH(QString, damage);
    auto c = config(("damaged-" + damage).toStdString());
    c.maxSteps = 16;
    auto r = fm::train(c, [](const fm::TrainEvent& e) { return !(e.kind == fm::TrainEvent::Kind::Step && e.step == 12); });
    QCOMPARE(r.status, fm::JobStatus::Cancelled);
    const fs::path ckpt = fs::path(c.outDir) / "checkpoint-12";
    const std::string opt = bytes(ckpt / "optimizer.pt");
    if (damage == "optimizer-truncated") fm::writeFileAtomic(ckpt / "optimizer.pt", opt.substr(0, opt.size() / 2));
    if (damage == "optimizer-empty") fm::writeFileAtomic(ckpt / "optimizer.pt", "");
    if (damage == "optimizer-random") {
      std::string junk(opt.size(), '\0');
      for (size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<char>((i * 2654435761u) >> 13);
      fm::writeFileAtomic(ckpt / "optimizer.pt", junk);
    }
    if (damage == "rng-size")
      fm::writeTensorFile(ckpt / "rng_state.safetensors", {{"dropout_generator", torch::zeros({7}, torch::kByte)}});
    if (damage == "step") {
      json s = json::parse(bytes(ckpt / "trainer_state.json"));
      s["step"] = -5;
      fm::writeFileAtomic(ckpt / "trainer_state.json", s.dump());
    }
    try {
      fm::resumeTraining(c.outDir, {});
      QFAIL("a damaged checkpoint was resumed");
    } catch (const fm::FormatError& e) {
      const std::string msg = e.what();
      QVERIFY2(msg.find("checkpoint-12 is damaged") != std::string::npos, msg.c_str());
      QVERIFY2(msg.find("previous complete checkpoint is checkpoint-8") != std::string::npos, msg.c_str());
    }
    QVERIFY(fs::exists(ckpt / "COMPLETE"));
    // Moving it away, as the message says, resumes from the previous one.
    fs::rename(ckpt, fs::path(c.outDir).parent_path() / ("moved-" + damage.toStdString()));
    auto rr = fm::resumeTraining(c.outDir, {});
    QCOMPARE(rr.status, fm::JobStatus::Completed);
  }

  // An absurd learning rate is never a quiet success: the run stops on a non-finite loss or
  // gradient (nothing of that step applied), or the log says the loss is diverging.
  void divergenceIsReported_data() {
    QTest::addColumn<double>("lr");
    QTest::newRow("1e6") << 1e6;
    QTest::newRow("1e30") << 1e30;
  }

  void divergenceIsReported() {
    QFETCH(double, lr);
    auto c = config("diverge-" + std::to_string(static_cast<int>(std::log10(lr))));
    c.lr = lr;
    c.maxGradNorm = 0;
    c.warmupRatio = 0;
    auto r = fm::train(c, {});
    bool warned = false;
    for (const auto& j : metrics(c.outDir)) warned = warned || j["event"] == "warning";
    QVERIFY2(r.status == fm::JobStatus::Failed || warned, r.message.c_str());
    if (r.status == fm::JobStatus::Failed) {
      QVERIFY2(r.message.find("nothing of this step was applied") != std::string::npos, r.message.c_str());
      QVERIFY(fs::exists(fs::path(c.outDir) / "checkpoint-0" / "COMPLETE"));
    }
  }
};

FM_TEST_MAIN_APPLESS(TestTrainer)
#include "test_trainer.moc"
