// The fmw command line as scripts use it: exit codes, stdout formats, and errors on stderr
// that name the file and the problem.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include "arch/builtin_model.h"
#include "io/atomic_file.h"
#include "tokenize/tokenizer.h"

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
};

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
