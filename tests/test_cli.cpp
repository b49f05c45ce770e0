// The fmw command line as scripts use it: exit codes, stdout formats, and errors on stderr
// that name the file and the problem.
#include <QElapsedTimer>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "arch/builtin_model.h"
#include "support/tiny_models.h"
#include "io/atomic_file.h"
#include "io/model_folder.h"
#include "tokenize/tokenizer.h"
#include "util/runtime.h"

using nlohmann::json;

class TestCli : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir m_dir;
  QString m_model;

  struct Run {
    int code;
    QByteArray out, err;
  };

  Run fmw(const QStringList& args, const QByteArray& input = {}) {
    QProcess p;
    p.start(QStringLiteral(FM_BINARY_DIR "/app/fmw"), args);
    if (!p.waitForStarted()) return {-1, {}, "could not start fmw"};
    p.write(input);
    p.closeWriteChannel();
    p.waitForFinished(120000);
    return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
  }

 private Q_SLOTS:
  void initTestCase() {
    m_model = m_dir.path() + "/tiny";
    auto r = fmw({"create-model", "--preset", "tiny", "--out", m_model, "--seed", "2"});
    QVERIFY2(r.code == 0, r.err.constData());
  }

  void infoJson() {
    auto r = fmw({"info", m_model, "--json"});
    QCOMPARE(r.code, 0);
    json j = json::parse(r.out.toStdString());
    QCOMPARE(j["architecture"].get<std::string>(), std::string("LlamaForCausalLM"));
    QCOMPARE(j["tokenizer"].get<std::string>(), std::string("SentencePiece (tokenizer.model)"));
    QCOMPARE(j["layers"].get<int>(), 2);
    QVERIFY(j["parameters"].get<int64_t>() > 100000);
    QCOMPARE(j["special_tokens"]["bos"].get<std::string>(), std::string("<s> (1)"));
  }

  // The encoder commands on the reference embedder and cross-encoder: vectors and scores as
  // the independent implementation computed them, in input order.
  void embedAndSimilarity() {
    const json fx = fm::test::referenceFixture("tiny_bert_embedder");
    const QString dir = m_dir.path() + "/embedder";
    fm::test::writeReferenceModel(fx, dir.toStdString());
    const json* chosen = nullptr;  // the folder's own pooling (mean, normalised), no prompt
    for (const auto& c : fx["embedding_cases"])
      if (c["pooling"] == fx["files"]["1_Pooling/config.json"] && c["normalize"].get<bool>() &&
          c["prompt_name"].is_null() && c["sentence_bert_config"] == fx["files"]["sentence_bert_config.json"]) {
        chosen = &c;
        break;
      }
    QVERIFY(chosen);
    const auto texts = (*chosen)["texts"].get<std::vector<std::string>>();
    std::string input;
    for (const auto& t : texts) input += json(t).dump() + "\n";
    auto r = fmw({"embed", dir, "--jsonl"}, QByteArray::fromStdString(input));
    QVERIFY2(r.code == 0, r.err.constData());
    const auto lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), static_cast<int>(texts.size()));
    for (int i = 0; i < lines.size(); ++i) {
      const json v = json::parse(lines[i].toStdString());
      const json& want = (*chosen)["embeddings"][static_cast<size_t>(i)];
      QCOMPARE(v.size(), want.size());
      for (size_t k = 0; k < v.size(); ++k) QVERIFY(std::abs(v[k].get<double>() - want[k].get<double>()) < 1e-5);
    }
    auto sim = fmw({"similarity", dir, QString::fromStdString(texts[0]), QString::fromStdString(texts[1]), "--json"});
    QVERIFY2(sim.code == 0, sim.err.constData());
    const json m = json::parse(sim.out.toStdString())["cosine"];
    double dot = 0;
    for (size_t k = 0; k < (*chosen)["embeddings"][0].size(); ++k)
      dot += (*chosen)["embeddings"][0][k].get<double>() * (*chosen)["embeddings"][1][k].get<double>();
    QVERIFY(std::abs(m[0][1].get<double>() - dot) < 1e-5);  // unit vectors: cosine = dot product
    QVERIFY(std::abs(m[0][0].get<double>() - 1.0) < 1e-6);
    auto info = fmw({"info", dir, "--json"});
    const json j = json::parse(info.out.toStdString());
    QCOMPARE(j["kind"].get<std::string>(), std::string("text-encoder"));
    QCOMPARE(j["embedding"]["dimension"].get<int>(), 32);
    QCOMPARE(j["embedding"]["prompts"]["query"].get<std::string>(), std::string("query: "));
    // A language-model command on an encoder says what the model is.
    auto gen = fmw({"generate", dir, "--prompt", "hi"});
    QCOMPARE(gen.code, 1);
    QVERIFY2(gen.err.contains("text encoder"), gen.err.constData());
  }

  void rerankScoresInInputOrder() {
    const json fx = fm::test::referenceFixture("tiny_bert_cross_encoder");
    const QString dir = m_dir.path() + "/reranker";
    fm::test::writeReferenceModel(fx, dir.toStdString());
    // The cases that share the first case's query and need no truncation.
    std::vector<const json*> cases;
    for (const auto& c : fx["pair_cases"])
      if (c["query"] == fx["pair_cases"][0]["query"] && c["max_length"] == fx["pair_cases"][0]["max_length"]) cases.push_back(&c);
    std::string input;
    for (const json* c : cases) input += (*c)["passage"].dump() + "\n";
    auto r = fmw({"rerank", dir, "--query", QString::fromStdString((*cases[0])["query"].get<std::string>()), "--json"},
                 QByteArray::fromStdString(input));
    QVERIFY2(r.code == 0, r.err.constData());
    const auto lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), static_cast<int>(cases.size()));
    for (int i = 0; i < lines.size(); ++i) {
      const json j = json::parse(lines[i].toStdString());
      QCOMPARE(j["index"].get<int>(), i);
      QVERIFY(std::abs(j["score"].get<double>() - (*cases[static_cast<size_t>(i)])["score"].get<double>()) < 1e-6);
      QVERIFY(std::abs(j["probability"].get<double>() - (*cases[static_cast<size_t>(i)])["probabilities"][0].get<double>()) < 1e-6);
    }
    auto bad = fmw({"rerank", dir, "--query", "q"}, "not json\n");
    QCOMPARE(bad.code, 1);
    QVERIFY2(bad.err.contains("line 1"), bad.err.constData());
  }

  // Settings that make no sense are refused with the setting's name; a thread count past the
  // cores is lowered and said (it used to start thousands of threads and stall the machine).
  void generationSettingsAreChecked() {
    for (const char* t : {"-1", "nan", "inf"}) {
      auto r = fmw({"generate", m_model, "--prompt", "The", "--max-new-tokens", "2", "--temperature", t});
      QCOMPARE(r.code, 1);
      QVERIFY2(r.err.contains("temperature"), r.err.constData());
    }
    auto k = fmw({"generate", m_model, "--prompt", "The", "--max-new-tokens", "2", "--top-k", "-3"});
    QCOMPARE(k.code, 1);
    QVERIFY2(k.err.contains("top-k"), k.err.constData());
    auto neg = fmw({"generate", m_model, "--prompt", "The", "--max-new-tokens", "2", "--threads", "-1"});
    QCOMPARE(neg.code, 1);
    QVERIFY2(neg.err.contains("threads"), neg.err.constData());
    auto many = fmw({"generate", m_model, "--prompt", "The", "--max-new-tokens", "2", "--threads", "100000"});
    QVERIFY2(many.code == 0, many.err.constData());
    QVERIFY2(many.err.contains("more than this machine"), many.err.constData());
  }

  // Nothing a person had is overwritten: the input model's folder, another model, or a folder
  // holding their own data is refused (with --overwrite offered where it makes sense), and the
  // files are untouched.
  void outputsNeverOverwriteWhatIsThere() {
    const QByteArray modelBytes = [&] {
      QFile f(m_model + "/model.safetensors");
      f.open(QIODevice::ReadOnly);
      return f.readAll();
    }();
    auto create = fmw({"create-model", "--preset", "tiny", "--out", m_model});
    QCOMPARE(create.code, 1);
    QVERIFY2(create.err.contains("already holds") && create.err.contains("--overwrite"), create.err.constData());

    const QString data = m_dir.path() + "/mydata";
    QDir().mkpath(data);
    fm::writeFileAtomic((data + "/reviews.csv").toStdString(), "text,label\nmine,positive\n");
    auto demo = fmw({"demo-data", "--out", data});
    QCOMPARE(demo.code, 1);
    QVERIFY2(demo.err.contains("reviews.csv"), demo.err.constData());
    QCOMPARE(QString::fromStdString(fm::readFile((data + "/reviews.csv").toStdString())), QString("text,label\nmine,positive\n"));

    auto train = fmw({"train", "--model", m_model, "--data", data + "/reviews.csv", "--out-dir", m_model,
                      "--max-steps", "1"});
    QCOMPARE(train.code, 1);
    QVERIFY2(train.err.contains("input"), train.err.constData());
    auto intoModel = fmw({"merge", m_model, m_model, "--out", m_model});
    QCOMPARE(intoModel.code, 1);
    QVERIFY2(intoModel.err.contains("input"), intoModel.err.constData());

    QFile f(m_model + "/model.safetensors");
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.readAll() == modelBytes);  // the model is untouched
  }

  // An output folder that is a file, or inside a folder the user cannot write to, is refused
  // with the folder and the reason, never an internal error. As root every folder is writable,
  // so there the commands run as the unprivileged user "nobody" (setpriv).
  void outputsThatCannotBeWrittenSayWhy() {
    const QString file = m_dir.path() + "/a-file";
    fm::writeFileAtomic(file.toStdString(), "mine");
    auto intoFile = fmw({"create-model", "--preset", "tiny", "--out", file});
    QCOMPARE(intoFile.code, 1);
    QVERIFY2(intoFile.err.contains("is a file"), intoFile.err.constData());

    QTemporaryDir root(QDir::tempPath() + "/fmw-readonly-XXXXXX");
    const QString ro = root.path() + "/read-only";
    QVERIFY(QDir().mkpath(ro));
    QFile::setPermissions(root.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                                           QFileDevice::ReadOther | QFileDevice::ExeOther | QFileDevice::ReadGroup |
                                           QFileDevice::ExeGroup);
    QFile::setPermissions(ro, QFileDevice::ReadOwner | QFileDevice::ExeOwner | QFileDevice::ReadOther |
                                  QFileDevice::ExeOther | QFileDevice::ReadGroup | QFileDevice::ExeGroup);
    QStringList prefix;
    if (::geteuid() == 0) {
      const QString setpriv = QStandardPaths::findExecutable("setpriv");
      if (setpriv.isEmpty()) QSKIP("running as root without setpriv: every folder is writable to root");
      prefix = {"--reuid=65534", "--regid=65534", "--clear-groups", QStringLiteral(FM_BINARY_DIR "/app/fmw")};
      auto asNobody = [&](QStringList args) {
        QProcess p;
        p.start(setpriv, prefix + args);
        p.waitForFinished(120000);
        return Run{p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
      };
      for (const QStringList& args : {QStringList{"create-model", "--preset", "tiny", "--out", ro + "/model"},
                                      QStringList{"demo-data", "--out", ro + "/demo"}}) {
        const Run r = asNobody(args);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("cannot create the folder " + (args[0] == "demo-data" ? ro + "/demo" : ro + "/model").toUtf8()) &&
                     r.err.contains("choose a folder you can write to"),
                 r.err.constData());
      }
    } else {
      const Run r = fmw({"demo-data", "--out", ro + "/demo"});
      QCOMPARE(r.code, 1);
      QVERIFY2(r.err.contains("cannot create the folder") && r.err.contains("choose a folder you can write to"),
               r.err.constData());
    }
    QVERIFY(QDir(ro).isEmpty());
  }

  // Matrix products run on kernels the CPU can use: OpenBLAS takes a CPU newer than itself for
  // a "Prescott" (SSE3, half the training speed measured on these machines), so fmw names the
  // right kernels for it; a choice the user made in OPENBLAS_CORETYPE stands.
  void blasKernelsFitTheCpu() {
    const QStringList args = {"bench", "generate", m_model, "--prompt-tokens", "8", "--new-tokens", "4", "--skip-no-cache"};
    auto r = fmw(args);
    QVERIFY2(r.code == 0, r.err.constData());
    const std::string blas = json::parse(r.out.toStdString())["blas"].get<std::string>();
    if (blas.empty()) QSKIP("this libtorch does not use OpenBLAS; nothing to choose");
    QVERIFY2(blas.rfind("OpenBLAS ", 0) == 0, blas.c_str());
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) QSKIP("this CPU has no AVX2: OpenBLAS's own choice stands");
    QVERIFY2(!fm::preAvx2BlasCore(blas.substr(9)), blas.c_str());
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("OPENBLAS_CORETYPE", "Haswell");
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(FM_BINARY_DIR "/app/fmw"), args);
    QVERIFY(p.waitForFinished(120000));
    QCOMPARE(p.exitCode(), 0);
    QCOMPARE(json::parse(p.readAllStandardOutput().toStdString())["blas"].get<std::string>(), std::string("OpenBLAS Haswell"));
#endif
  }

  void infoText() {
    auto r = fmw({"info", m_model});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.contains("LlamaForCausalLM"));
    QVERIFY(r.out.contains("parameters"));
  }

  void tokenizeMatchesLibrary() {
    auto tok = fm::Tokenizer::fromFolder(m_model.toStdString());
    const std::string text = "The teacher reads a long story.\nThe quiet library";
    auto r = fmw({"tokenize", m_model, "--ids"}, QByteArray::fromStdString(text));
    QCOMPARE(r.code, 0);
    std::string want;
    for (int32_t id : tok->encode(text, false)) want += (want.empty() ? "" : " ") + std::to_string(id);
    QCOMPARE(r.out.trimmed().toStdString(), want);
    auto withSpecial = fmw({"tokenize", m_model, "--ids", "--special"}, QByteArray::fromStdString(text));
    QVERIFY(withSpecial.out.startsWith("1 "));
    auto pieces = fmw({"tokenize", m_model}, "The teacher");
    QVERIFY2(pieces.out.contains("\xE2\x96\x81"), pieces.out.constData());  // "▁"
  }

  void tokenizeJsonl() {
    auto tok = fm::Tokenizer::fromFolder(m_model.toStdString());
    auto r = fmw({"tokenize", m_model, "--jsonl"}, "\"line one\\nstill one\"\n\"two\"\n");
    QCOMPARE(r.code, 0);
    auto lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 2);
    QCOMPARE(json::parse(lines[0].toStdString()).get<std::vector<int32_t>>(), tok->encode("line one\nstill one", false));
    auto bad = fmw({"tokenize", m_model, "--jsonl"}, "\"ok\"\nnot json\n");
    QVERIFY(bad.code != 0);
    QVERIFY2(bad.err.contains("line 2"), bad.err.constData());
  }

  void generateGreedyIsDeterministic() {
    QStringList args = {"generate", m_model, "--prompt", "The red train", "--temperature", "0",
                        "--max-new-tokens", "12"};
    auto a = fmw(args), b = fmw(args);
    QCOMPARE(a.code, 0);
    QVERIFY(a.out.startsWith("The red train"));
    QCOMPARE(a.out, b.out);
    QVERIFY2(a.err.contains("12 new"), a.err.constData());
  }

  void generateFromEmptyPrompt() {
    auto r = fmw({"generate", m_model, "--prompt", "", "--max-new-tokens", "5", "--seed", "4"});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.err.contains("1 prompt tokens"), r.err.constData());
  }

  void errorsNameTheProblem() {
    QTemporaryDir bad;
    fm::writeFileAtomic(bad.path().toStdString() + "/config.json", R"({"model_type":"llama"})");
    fm::writeFileAtomic(bad.path().toStdString() + "/pytorch_model.bin", "x");
    auto r = fmw({"info", bad.path()});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("pytorch_model.bin") && r.err.contains("pickle"), r.err.constData());
    QVERIFY(r.out.isEmpty());
    auto missing = fmw({"generate", m_model});
    QVERIFY(missing.code != 0);
    QVERIFY2(missing.err.contains("--prompt"), missing.err.constData());
    auto badNum = fmw({"generate", m_model, "--prompt", "x", "--temperature", "hot"});
    QVERIFY2(badNum.err.contains("--temperature expects a number"), badNum.err.constData());
    auto unknown = fmw({"frobnicate"});
    QCOMPARE(unknown.code, 2);
  }

  // fmw render-chat prints exactly what jinja2 renders for the folder's template (the
  // expected texts come from python3-jinja2: fixtures/chat_templates/make_expected.py), with
  // nothing added; a template that refuses the conversation fails with its own message.
  void renderChatIsByteExact() {
    std::ifstream in(std::string(FM_TEST_FIXTURES) + "/chat_templates/folders_expected.json");
    const auto rows = nlohmann::ordered_json::parse(in)["rows"];
    QVERIFY(rows.size() >= 20);
    for (const auto& row : rows) {
      const QString folder = QStringLiteral(FM_TEST_FIXTURES "/tokenizers/") + QString::fromStdString(row["folder"]);
      QStringList args = {"render-chat", folder};
      if (!row["add_generation_prompt"].get<bool>()) args << "--no-generation-prompt";
      const nlohmann::ordered_json input = {{"messages", row["messages"]}};
      const auto r = fmw(args, QByteArray::fromStdString(input.dump()));
      const QByteArray name = QByteArray::fromStdString(row["name"].get<std::string>());
      if (row.contains("error")) {
        QVERIFY2(r.code == 1, name.constData());
        QVERIFY2(r.err.contains(QByteArray::fromStdString(row["error"].get<std::string>())), r.err.constData());
        QVERIFY(r.out.isEmpty());
      } else {
        QVERIFY2(r.code == 0, (name + ": " + r.err).constData());
        QCOMPARE(r.out, QByteArray::fromStdString(row["expected"].get<std::string>()));
      }
    }
    auto bad = fmw({"render-chat", QStringLiteral(FM_TEST_FIXTURES "/tokenizers/qwen2_bytelevel")}, "[1, 2]");
    QCOMPARE(bad.code, 1);
    QVERIFY2(bad.err.contains("messages"), bad.err.constData());
    auto deep = fmw({"render-chat", QStringLiteral(FM_TEST_FIXTURES "/tokenizers/qwen2_bytelevel")},
                    QByteArray(300000, '[') + QByteArray(300000, ']'));
    QCOMPARE(deep.code, 1);
    QVERIFY2(deep.err.contains("nests deeper"), deep.err.constData());
  }

  // fmw info checks config.json against the weights as loading does, without loading: a
  // config from another model (a 7B config, a billion layers, one layer too many, another
  // model_type) is an error naming the problem, and generation refuses it before allocating.
  void infoChecksConfigAgainstWeights_data() {
    QTest::addColumn<QString>("change");
    QTest::addColumn<QString>("expected");
    QTest::newRow("7B config") << R"({"hidden_size": 4096, "intermediate_size": 11008, "num_hidden_layers": 32,
        "num_attention_heads": 32, "num_key_value_heads": 32, "vocab_size": 32000})" << "describes a model of at least";
    QTest::newRow("a billion layers") << R"({"num_hidden_layers": 1000000000})" << "describes a model of at least";
    QTest::newRow("one layer more") << R"({"num_hidden_layers": 3})" << "missing";
    QTest::newRow("gpt2 on llama weights") << R"({"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"],
        "n_embd": 64, "n_layer": 2, "n_head": 4, "n_positions": 512})" << "do not match config.json";
    QTest::newRow("hidden_act of the wrong type") << R"({"hidden_act": 5})" << R"("hidden_act" must be a string, found number)";
    QTest::newRow("rope type of the wrong type") << R"({"rope_scaling": {"type": ["linear"], "factor": 2.0}})"
                                                 << R"("type" must be a string, found array)";
    QTest::newRow("negative intermediate size") << R"({"intermediate_size": -5})" << "must be positive";
    QTest::newRow("gpt2 with no heads") << R"({"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"],
        "n_embd": 64, "n_layer": 2, "n_head": 0, "n_positions": 512})" << "must be positive";
  }

  void infoChecksConfigAgainstWeights() {
    QFETCH(QString, change);
    QFETCH(QString, expected);
    const QString dir = m_dir.path() + "/mismatch-" + QString::number(qHash(change));
    QVERIFY(QDir().mkpath(dir));
    for (const QString& f : QDir(m_model).entryList(QDir::Files)) QVERIFY(QFile::copy(m_model + "/" + f, dir + "/" + f));
    json cfg = json::parse(fm::readFile((dir + "/config.json").toStdString()));
    cfg.update(json::parse(change.toStdString()));
    QFile::remove(dir + "/config.json");
    fm::writeFileAtomic((dir + "/config.json").toStdString(), cfg.dump());
    auto info = fmw({"info", dir});
    QCOMPARE(info.code, 1);
    QVERIFY2(info.err.contains(expected.toUtf8()), info.err.constData());
    auto gen = fmw({"generate", dir, "--prompt", "x", "--max-new-tokens", "1"});
    QCOMPARE(gen.code, 1);
    QVERIFY2(gen.err.contains(expected.toUtf8()), gen.err.constData());
    QVERIFY2(!gen.err.contains("internal error"), gen.err.constData());
  }

  void float16OnTheCpuIsExplained() {
    auto r = fmw({"generate", m_model, "--prompt", "x", "--dtype", "float16", "--max-new-tokens", "1"});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("float16 needs a GPU") && r.err.contains("bfloat16"), r.err.constData());
    auto xpu = fmw({"generate", m_model, "--prompt", "x", "--device", "xpu", "--max-new-tokens", "1"});
    QCOMPARE(xpu.code, 1);
    QVERIFY2(xpu.err.contains("device \"xpu\" is not supported"), xpu.err.constData());
  }

  // Pretraining into a folder that holds the user's files is refused, and the files stay.
  void pretrainKeepsWhatIsThere() {
    const QString out = m_dir.path() + "/notes";
    QVERIFY(QDir().mkpath(out));
    fm::writeFileAtomic((out + "/notes.txt").toStdString(), "mine");
    auto r = fmw({"pretrain", "--out", out, "--steps", "1", "--workspace", m_dir.path() + "/pt-ws"});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("already holds") && r.err.contains("--overwrite"), r.err.constData());
    QCOMPARE(QString::fromStdString(fm::readFile((out + "/notes.txt").toStdString())), QString("mine"));
  }

  // Every command refuses an option it does not know, naming it (and the near miss).
  void unknownOptionsAreErrors() {
    auto typo = fmw({"generate", m_model, "--prompt", "x", "--temprature", "0.5"});
    QCOMPARE(typo.code, 1);
    QVERIFY2(typo.err.contains("unknown option --temprature") && typo.err.contains("--temperature"),
             typo.err.constData());
    auto eval = fmw({"eval", m_model, "--data", "x.csv", "--bogus-flag", "1"});
    QCOMPARE(eval.code, 1);
    QVERIFY2(eval.err.contains("unknown option --bogus-flag"), eval.err.constData());
    auto info = fmw({"info", m_model, "--jsn"});
    QCOMPARE(info.code, 1);
    QVERIFY2(info.err.contains("--json"), info.err.constData());
    auto train = fmw({"train", "--model", m_model, "--lora-rank", "8"});
    QCOMPARE(train.code, 1);
    QVERIFY2(train.err.contains("unknown option --lora-rank"), train.err.constData());
  }

  // generation_config.json's do_sample false means greedy: different seeds give the same
  // text, the text --temperature 0 gives.
  void generationConfigDoSampleFalseIsGreedy() {
    const QString dir = m_dir.path() + "/greedy-model";
    QVERIFY(QDir().mkpath(dir));
    for (const QString& f : QDir(m_model).entryList(QDir::Files)) QVERIFY(QFile::copy(m_model + "/" + f, dir + "/" + f));
    QFile::remove(dir + "/generation_config.json");
    fm::writeFileAtomic((dir + "/generation_config.json").toStdString(),
                        R"({"do_sample": false, "temperature": 1.5, "top_k": 3})");
    const QStringList base = {"generate", dir, "--prompt", "The red", "--max-new-tokens", "8"};
    auto a = fmw(base + QStringList{"--seed", "1"}), b = fmw(base + QStringList{"--seed", "2"});
    auto greedy = fmw(base + QStringList{"--temperature", "0"});
    QVERIFY2(a.code == 0, a.err.constData());
    QCOMPARE(a.out, b.out);
    QCOMPARE(a.out, greedy.out);
    auto sampled = fmw(base + QStringList{"--temperature", "5", "--seed", "1"});
    auto sampled2 = fmw(base + QStringList{"--temperature", "5", "--seed", "2"});
    QVERIFY2(sampled.out != a.out || sampled2.out != a.out, "sampling at temperature 5 never left the greedy path");
  }

  // Training commands share one set of settings; the run folder is what a user keeps.
  QStringList trainArgs(const QString& out, const QString& data) {
    return {"train", "--model", m_model, "--data", data, "--out-dir", out,
            "--prompt-template", "Review: {text}\nSentiment:", "--completion-template", " {label}",
            "--lora-target-modules", "all-linear", "--lora-dropout", "0.1", "--max-steps", "60",
            "--save-every", "10", "--log-every", "10", "--eval-max-rows", "16", "--batch-size", "8",
            "--max-length", "64", "--threads", "1", "--lr", "5e-3"};
  }

  QString demoData() {
    const QString dir = m_dir.path() + "/demo-data";
    if (!QFile::exists(dir + "/reviews.csv")) {
      auto r = fmw({"demo-data", "--out", dir});
      if (r.code != 0) qWarning() << r.err;
    }
    return dir + "/reviews.csv";
  }

  // A finished run for the tests that use one, made by whichever test asks first.
  QString wholeRun() {
    const QString whole = m_dir.path() + "/run-whole";
    if (!QFile::exists(whole + "/adapter/adapter_model.safetensors")) {
      auto r = fmw(trainArgs(whole, demoData()));
      if (r.code != 0) qWarning() << r.err;
    }
    return whole;
  }

  void trainKilledAndResumedEqualsUnbroken() {
    const QString data = demoData();
    const QString whole = wholeRun(), killed = m_dir.path() + "/run-killed";
    QVERIFY(QFile::exists(whole + "/adapter/adapter_model.safetensors"));

    // A real SIGKILL once the first checkpoint is on disk.
    QProcess p;
    p.start(QStringLiteral(FM_BINARY_DIR "/app/fmw"), trainArgs(killed, data));
    QVERIFY(p.waitForStarted());
    QByteArray seen;
    while (!seen.contains("checkpoint step 10") && p.state() == QProcess::Running) {
      p.waitForReadyRead(100);
      seen += p.readAllStandardOutput();
    }
    p.kill();  // SIGKILL on Unix
    p.waitForFinished();
    QVERIFY2(seen.contains("checkpoint step 10"), seen.constData());
    QVERIFY2(!QFile::exists(killed + "/adapter"), "the run finished before it could be killed");

    auto res = fmw({"resume", killed, "--threads", "1"});
    QVERIFY2(res.code == 0, res.err.constData());
    QVERIFY(res.out.contains("resuming from checkpoint-"));
    QCOMPARE(fm::readFile((killed + "/adapter/adapter_model.safetensors").toStdString()),
             fm::readFile((whole + "/adapter/adapter_model.safetensors").toStdString()));
  }

  void trainRefusesBadSettingsAndBadRows() {
    const QString data = demoData();
    auto r = fmw({"train", "--model", m_model, "--data", data, "--out-dir", m_dir.path() + "/x", "--learning-rate", "1"});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("unknown option --learning-rate"), r.err.constData());
    fm::writeFileAtomic((m_dir.path() + "/bad.jsonl").toStdString(),
                        "{\"text\": \"fine\", \"label\": \"positive\"}\n{\"text\": oops}\n");
    r = fmw({"train", "--model", m_model, "--data", m_dir.path() + "/bad.jsonl", "--out-dir", m_dir.path() + "/y",
             "--prompt-template", "{text}", "--completion-template", " {label}"});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("bad.jsonl:2: not valid JSON"), r.err.constData());
  }

  // Counted by hand: five rows, one skipped; four identical rows are three repeats; half of them validate, and both
  // validation rows also appear in training; the unterminated quote on line 6 is skipped.
  void statsCountRepeatsLeakageAndBadRows() {
    fm::writeFileAtomic((m_dir.path() + "/stats.csv").toStdString(),
                        "text,label\na good day,positive\na good day,positive\na good day,positive\n"
                        "a good day,positive\n\"never closed,negative\n");
    auto r = fmw({"stats", m_model, "--data", m_dir.path() + "/stats.csv", "--prompt-template", "{text}\n",
                  "--completion-template", " {label}", "--validation-fraction", "0.5", "--skip-bad-rows", "true"});
    QVERIFY2(r.code == 0, r.err.constData());
    const json j = json::parse(r.out.toStdString());
    QCOMPARE(j["rows"].get<int>(), 5);
    QCOMPARE(j["skipped_rows"].get<int>(), 1);
    QCOMPARE(j["duplicate_rows"].get<int>(), 3);
    QCOMPARE(j["validation_rows"].get<int>(), 2);
    QCOMPARE(j["leaked_rows"].get<int>(), 2);
    QCOMPARE(j["problems"].size(), size_t(1));
    QCOMPARE(j["problems"][0]["line"].get<int>(), 6);
  }

  void generateWithAnAdapter() {
    auto bad = fmw({"generate", m_model, "--prompt", "Hi", "--adapter", m_dir.path() + "/no-such-adapter"});
    QCOMPARE(bad.code, 1);
    QVERIFY2(bad.err.contains("no adapter_config.json"), bad.err.constData());
    // With the adapter, greedy text is what the merged model writes (a separate code path:
    // the adapter folded into the weights), and not what the base model writes.
    const QString run = wholeRun();
    const QStringList prompt = {"--prompt", "Review: The film was dull and far too long.\nSentiment:",
                                "--temperature", "0", "--max-new-tokens", "6"};
    auto with = fmw(QStringList{"generate", m_model, "--adapter", run + "/adapter"} + prompt);
    QVERIFY2(with.code == 0, with.err.constData());
    const QString merged = m_dir.path() + "/merged-for-generate";
    auto m = fmw({"merge", m_model, run + "/adapter", "--out", merged});
    QVERIFY2(m.code == 0, m.err.constData());
    auto viaMerge = fmw(QStringList{"generate", merged} + prompt);
    auto base = fmw(QStringList{"generate", m_model} + prompt);
    QCOMPARE(with.out, viaMerge.out);
    QVERIFY2(with.out != base.out, with.out.constData());
  }

  void mergeAndEvalFromTheCommandLine() {
    const QString data = demoData();
    const QString run = wholeRun();

    auto withAdapter = fmw({"eval", m_model, "--data", data, "--adapter", run + "/adapter", "--prompt-template",
                            "Review: {text}\nSentiment:", "--completion-template", " {label}", "--max-rows", "16",
                            "--max-length", "64"});
    QVERIFY2(withAdapter.code == 0, withAdapter.err.constData());
    auto m = fmw({"merge", m_model, run + "/adapter", "--out", m_dir.path() + "/merged"});
    QVERIFY2(m.code == 0, m.err.constData());
    auto merged = fmw({"eval", m_dir.path() + "/merged", "--data", data, "--prompt-template",
                       "Review: {text}\nSentiment:", "--completion-template", " {label}", "--max-rows", "16",
                       "--max-length", "64"});
    QVERIFY2(merged.code == 0, merged.err.constData());
    const json a = json::parse(withAdapter.out.toStdString()), b = json::parse(merged.out.toStdString());
    QVERIFY(std::abs(a["eval_loss"].get<double>() - b["eval_loss"].get<double>()) < 1e-4);
    QCOMPARE(a["accuracy"].get<double>(), b["accuracy"].get<double>());
  }
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
