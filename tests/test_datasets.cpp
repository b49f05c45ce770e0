// Dataset files as users bring them, and what training makes of them: CSV quirks, JSONL,
// Alpaca, ShareGPT, bad rows reported with their line, templates, loss masks, split, stats.
#include <QTemporaryDir>
#include <QtTest>

#include <set>

#include "arch/builtin_model.h"
#include "data/dataset.h"
#include "data/records.h"
#include "data/row_index.h"
#include "io/atomic_file.h"
#include "jobs/cancelled.h"
#include "train/examples.h"

using nlohmann::json;
namespace fs = std::filesystem;

class TestDatasets : public QObject {
  Q_OBJECT

  QTemporaryDir m_dir;
  std::unique_ptr<fm::Tokenizer> m_tok;

  fs::path write(const std::string& name, const std::string& text) {
    const fs::path p = fs::path(m_dir.path().toStdString()) / name;
    fm::writeFileAtomic(p, text);
    return p;
  }

  template <typename F>
  std::string errorOf(F&& f) {
    try {
      f();
    } catch (const fm::Error& e) {
      return e.what();
    }
    return "";
  }

 private Q_SLOTS:
  void initTestCase() {
    const fs::path model = fs::path(m_dir.path().toStdString()) / "tiny";
    fm::createBuiltinModel(model, "tiny", 3);
    m_tok = fm::Tokenizer::fromFolder(model);
  }

  void csvQuotingNewlinesBomCrlf() {
    auto p = write("a.csv",
                   "\xEF\xBB\xBFtext,label\r\n"
                   "\"Great, really \"\"great\"\" phone\",positive\r\n"
                   "\"Two\nlines\",negative\r\n"
                   "plain,positive\r\n");
    auto ds = fm::readDataset(p);
    QCOMPARE(ds.fileFormat, std::string("csv"));
    QCOMPARE(ds.columns, (std::vector<std::string>{"text", "label"}));
    QCOMPARE(ds.rows.size(), size_t(3));
    QCOMPARE(ds.rows[0]["text"].get<std::string>(), std::string("Great, really \"great\" phone"));
    QCOMPARE(ds.rows[1]["text"].get<std::string>(), std::string("Two\nlines"));
    QCOMPARE(ds.lines, (std::vector<int64_t>{2, 3, 5}));  // the quoted newline moves line 4 on
  }

  void badRowsStopOrSkipWithLineNumbers_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("message");
    QTest::addColumn<int>("goodRows");
    QTest::newRow("csv field count") << "b.csv" << QByteArray("text,label\nok,positive\nbad\nfine,negative\n")
                                     << "b.csv:3: expected 2 fields (as in the header), found 1" << 2;
    QTest::newRow("csv open quote") << "c.csv" << QByteArray("text,label\nok,positive\n\"never closed,negative\n")
                                    << "c.csv:3: a quoted field is never closed" << 1;
    QTest::newRow("jsonl broken line") << "d.jsonl" << QByteArray("{\"text\": \"a\"}\n{\"text\": \n{\"text\": \"c\"}\n")
                                       << "d.jsonl:2: not valid JSON" << 2;
    QTest::newRow("jsonl not an object") << "e.jsonl" << QByteArray("{\"text\": \"a\"}\n[1, 2]\n")
                                         << "e.jsonl:2: expected a JSON object" << 1;
    QTest::newRow("jsonl number out of range") << "f.jsonl" << QByteArray("{\"text\": \"a\"}\n{\"text\": 1e999}\n")
                                               << "f.jsonl:2: not valid JSON" << 1;
    QTest::newRow("csv in Latin-1") << "g.csv" << QByteArray("text,label\nok,positive\nn\xe9gatif,negative\n")
                                    << "g.csv:3: field 1 is not UTF-8 text" << 1;
  }
  void badRowsStopOrSkipWithLineNumbers() {
    QFETCH(QString, name);
    QFETCH(QByteArray, text);
    QFETCH(QString, message);
    QFETCH(int, goodRows);
    auto p = write(name.toStdString(), text.toStdString());
    const std::string err = errorOf([&] { fm::readDataset(p); });
    QVERIFY2(err.find(message.toStdString()) != std::string::npos, err.c_str());
    fm::ReadOptions skip;
    skip.skipBadRows = true;
    auto ds = fm::readDataset(p, skip);
    QCOMPARE(static_cast<int>(ds.rows.size()), goodRows);
    QCOMPARE(ds.skipped(), int64_t(1));
    QVERIFY(ds.problems[0].line > 1);
  }

  void jsonFormatsAndKinds() {
    auto alpaca = fm::readDataset(write("al.json",
        R"([{"instruction": "Add", "input": "1 2", "output": "3"}, {"instruction": "Echo", "input": "", "output": "hi"}])"));
    QCOMPARE(alpaca.fileFormat, std::string("json"));
    QCOMPARE(alpaca.kind, std::string("alpaca"));
    QCOMPARE(alpaca.rows.size(), size_t(2));

    auto chat = fm::readDataset(write("sg.jsonl",
        R"({"conversations": [{"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello!"}]})" "\n"
        R"({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}]})" "\n"));
    QCOMPARE(chat.kind, std::string("chat"));
    auto turns = fm::chatTurns(chat.rows[0], "sg.jsonl", 1);
    QCOMPARE(turns.size(), size_t(2));
    QCOMPARE(turns[0].role, std::string("user"));
    QCOMPARE(turns[1].role, std::string("assistant"));
    const std::string err = errorOf([&] { fm::chatTurns(json{{"messages", {{{"role", "wizard"}, {"content", "x"}}}}}, "x.jsonl", 4); });
    QVERIFY2(err.find("x.jsonl:4: unknown chat role \"wizard\"") != std::string::npos, err.c_str());

    auto text = fm::readDataset(write("t.txt", "First paragraph\nstill first.\n\n\nSecond one.\n"));
    QCOMPARE(text.kind, std::string("text"));
    QCOMPARE(text.rows.size(), size_t(2));
    QCOMPARE(text.lines, (std::vector<int64_t>{1, 5}));

    const std::string empty = errorOf([&] { fm::readDataset(write("empty.jsonl", "\n\n")); });
    QVERIFY2(empty.find("no usable rows") != std::string::npos, empty.c_str());
    const std::string missing = errorOf([&] { fm::readDataset("/nonexistent/file.csv"); });
    QVERIFY2(missing.find("file not found") != std::string::npos, missing.c_str());
  }

  void templateMissingColumnNamesIt() {
    auto ds = fm::readDataset(write("m.jsonl", "{\"text\": \"good\", \"label\": \"positive\"}\n{\"text\": \"bad\"}\n"));
    fm::TemplateSpec t{"Review: {text}\nSentiment:", " {label}"};
    const std::string err = errorOf([&] { fm::buildExamples(ds, t, *m_tok, {}); });
    QVERIFY2(err.find("m.jsonl:2: column \"label\" is missing (the row has: text)") != std::string::npos, err.c_str());
    fm::BuildOptions skip;
    skip.skipBadRows = true;
    auto ex = fm::buildExamples(ds, t, *m_tok, skip);
    QCOMPARE(ex.examples.size(), size_t(1));
    QCOMPARE(ex.problems.size(), size_t(1));
    QCOMPARE(ex.problems[0].line, int64_t(2));
    QCOMPARE(fm::fillTemplate("{{literal}} {text}", ds.rows[0], "m.jsonl", 1), std::string("{literal} good"));
  }

  void lossCoversOnlyTheCompletion() {
    auto ds = fm::readDataset(write("l.csv", "text,label\nthe river reads,positive\n"));
    fm::TemplateSpec t{"Review: {text}\nSentiment:", " {label}"};
    auto ex = fm::buildExamples(ds, t, *m_tok, {});
    const auto& e = ex.examples[0];
    // BOS (this tokenizer adds one), the prompt's tokens, the completion's tokens, EOS.
    std::vector<int32_t> ids = {*m_tok->special().bos};
    const auto prompt = m_tok->encode("Review: the river reads\nSentiment:", false);
    const auto completion = m_tok->encode(" positive", false);
    ids.insert(ids.end(), prompt.begin(), prompt.end());
    const int64_t promptLen = static_cast<int64_t>(ids.size());
    ids.insert(ids.end(), completion.begin(), completion.end());
    ids.push_back(*m_tok->special().eos);
    QCOMPARE(e.ids, ids);
    for (int64_t i = 0; i < promptLen; ++i) QCOMPARE(int(e.target[i]), 0);
    for (size_t i = promptLen; i < e.ids.size(); ++i) QCOMPARE(int(e.target[i]), 1);
    QCOMPARE(e.ids.back(), *m_tok->special().eos);  // EOS is learned too
    t.trainOnPrompt = true;
    auto all = fm::buildExamples(ds, t, *m_tok, {});
    QCOMPARE(all.examples[0].targets(), static_cast<int64_t>(ids.size()) - 1);
  }

  void chatLossOnAssistantTurnsOnly() {
    auto ds = fm::readDataset(write("c.jsonl",
        R"({"messages": [{"role": "user", "content": "Hi there"}, {"role": "assistant", "content": "Hello friend"}]})" "\n"));
    fm::TemplateSpec t;
    t.chat = true;
    auto ex = fm::buildExamples(ds, t, *m_tok, {});
    const auto& e = ex.examples[0];
    // The learned tokens decode to the assistant's answer (plus the template's turn end).
    std::vector<int32_t> learned;
    for (size_t i = 0; i < e.ids.size(); ++i)
      if (e.target[i]) learned.push_back(e.ids[i]);
    const std::string text = m_tok->decode(learned, true);
    QVERIFY2(text.find("Hello friend") != std::string::npos, text.c_str());
    QVERIFY2(text.find("Hi there") == std::string::npos, text.c_str());
  }

  void truncationAndPromptTooLong() {
    std::string longText;
    for (int i = 0; i < 80; ++i) longText += "word ";
    auto ds = fm::readDataset(write("tr.csv", "text,label\n" + longText + ",positive\nshort,negative\n"));
    fm::TemplateSpec t{"{text}", " {label}"};
    fm::BuildOptions o;
    o.maxLength = 16;
    auto ex = fm::buildExamples(ds, t, *m_tok, o);
    QCOMPARE(ex.examples.size(), size_t(1));  // the long row has no completion token left
    QCOMPARE(ex.problems.size(), size_t(1));
    QVERIFY(ex.problems[0].message.find("no completion token fits") != std::string::npos);
    QCOMPARE(ex.truncated, int64_t(1));
  }

  void splitStatsDuplicatesLeakage() {
    std::string csv = "text,label\n";
    for (int i = 0; i < 40; ++i) csv += "review number " + std::to_string(i) + "," + (i % 4 == 0 ? "negative" : "positive") + "\n";
    for (int i = 0; i < 5; ++i) csv += "review number 7,positive\n";  // duplicates of row 7
    auto ds = fm::readDataset(write("s.csv", csv));
    fm::TemplateSpec t{"{text}\nSentiment:", " {label}"};
    auto ex = fm::buildExamples(ds, t, *m_tok, {});
    QCOMPARE(ex.labelOptions, (std::vector<std::string>{" negative", " positive"}));
    auto a = fm::splitExamples(45, 0.2, 11), b = fm::splitExamples(45, 0.2, 11), c = fm::splitExamples(45, 0.2, 12);
    QCOMPARE(a.validation, b.validation);
    QVERIFY(a.validation != c.validation);
    QCOMPARE(a.validation.size(), size_t(9));
    std::set<int64_t> all(a.train.begin(), a.train.end());
    for (int64_t v : a.validation) QVERIFY(!all.count(v));
    QCOMPARE(all.size() + a.validation.size(), size_t(45));

    // A split that puts copies of row 7 (rows 7 and 40..44, the only repeated text) on both
    // sides, so that leakage has something to find.
    const std::set<int64_t> copies = {7, 40, 41, 42, 43, 44};
    fm::Split leaky;
    int64_t inValidation = 0;
    for (uint64_t seed = 1; seed < 200 && inValidation == 0; ++seed) {
      leaky = fm::splitExamples(45, 0.2, seed);
      int64_t inTraining = 0;
      inValidation = 0;
      for (auto i : leaky.validation) inValidation += copies.count(i);
      for (auto i : leaky.train) inTraining += copies.count(i);
      if (inTraining == 0) inValidation = 0;
    }
    QVERIFY(inValidation > 0);
    auto st = fm::datasetStats(ex, leaky, 8);
    QCOMPARE(st.duplicateRows, int64_t(5));
    QCOMPARE(st.labels[" negative"], int64_t(10));
    QCOMPARE(st.labels[" positive"], int64_t(35));
    int64_t histTotal = 0;
    for (auto n : st.histCounts) histTotal += n;
    QCOMPARE(histTotal, int64_t(45));
    QVERIFY(st.truncatedRows > 0);  // max length 8 cuts these rows
    // Leakage: each copy in validation leaks, since another copy is in training.
    QCOMPARE(st.leakedRows, inValidation);
  }

  // The paged preview splits records exactly as the full reader does: quotes open only at the
  // start of a field, "" is an escaped quote, an empty first TSV cell is kept, and a quoted
  // newline stays inside its record.
  void previewAgreesWithTheReader() {
    const std::string csv =
        "text,label\r\nMy 27\" monitor died,negative\r\n\"quoted, with \"\"escapes\"\"\nand a newline\",positive\r\n"
        "\r\nlast line without newline,negative";
    const std::string tsv = "a\tb\tlabel\n\tonly b\tpositive\nx\ty\tnegative\n";
    for (const auto& [name, text] : {std::pair<std::string, std::string>{"tricky.csv", csv}, {"tricky.tsv", tsv}}) {
      const fs::path p = write(name, text);
      const fm::Dataset full = fm::readDataset(p);
      auto preview = fm::DatasetPreview::open(p, "auto");
      QVERIFY(preview);
      QCOMPARE(preview->rows(), static_cast<int64_t>(full.rows.size()));
      QCOMPARE(preview->columns(), full.columns);
      const auto rows = preview->read(0, preview->rows());
      for (size_t r = 0; r < rows.size(); ++r) {
        QVERIFY2(rows[r].error.empty(), rows[r].error.c_str());
        QCOMPARE(rows[r].line, full.lines[r]);
        for (size_t c = 0; c < full.columns.size(); ++c)
          QCOMPARE(rows[r].cells[c], full.rows[r][full.columns[c]].get<std::string>());
      }
    }
  }

  // Quoting mistakes cost one record and never merge records: a stray opening quote that the
  // next line's quote "closes" (text follows it), and a quote that is never closed. The bad
  // record is its first line; the lines after it are read normally. Preview and reader agree.
  void quotingMistakesCostOneRecord_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("problem");
    QTest::addColumn<int>("badLine");
    QTest::addColumn<QList<int>>("goodLines");
    QTest::newRow("stray quote") << "id,text,label\n1,\"great movie,pos\n2,\"bad\",neg\n3,fine,pos\n"
                                 << "text after the closing quote" << 2 << QList<int>{3, 4};
    QTest::newRow("never closed") << "id,text,label\n1,\"oops,pos\n2,fine,neg\n3,ok,pos\n"
                                  << "never closed" << 2 << QList<int>{3, 4};
    QTest::newRow("never closed, last line") << "id,text,label\n1,ok,pos\n2,\"oops,neg"
                                             << "never closed" << 3 << QList<int>{2};
    QTest::newRow("text after quote, one line") << "id,text,label\n1,\"a\"b,pos\n2,fine,neg\n"
                                                << "text after the closing quote" << 2 << QList<int>{3};
  }

  void quotingMistakesCostOneRecord() {
    QFETCH(QString, text);
    QFETCH(QString, problem);
    QFETCH(int, badLine);
    QFETCH(QList<int>, goodLines);
    const fs::path p = write("quotes.csv", text.toStdString());
    fm::ReadOptions ro;
    ro.skipBadRows = true;
    const fm::Dataset ds = fm::readDataset(p, ro);
    QCOMPARE(ds.problems.size(), size_t(1));
    QCOMPARE(ds.problems[0].line, int64_t(badLine));
    QVERIFY2(QString::fromStdString(ds.problems[0].message).contains(problem), ds.problems[0].message.c_str());
    std::vector<int64_t> expected(goodLines.begin(), goodLines.end());
    QCOMPARE(ds.lines, expected);
    for (const auto& row : ds.rows) QVERIFY(row["text"].get<std::string>().find('\n') == std::string::npos);
    // Without skipping, the import stops at that line.
    QVERIFY(QString::fromStdString(errorOf([&] { fm::readDataset(p); })).startsWith(QString("quotes.csv:%1:").arg(badLine)));
    // The preview shows the same rows, the bad one in place with the same reason.
    auto preview = fm::DatasetPreview::open(p, "auto");
    QVERIFY(preview);
    const auto rows = preview->read(0, preview->rows());
    QCOMPARE(rows.size(), expected.size() + 1);
    size_t good = 0;
    for (const auto& r : rows) {
      if (r.line == badLine) {
        QCOMPARE(r.error, ds.problems[0].message);
      } else {
        QVERIFY2(r.error.empty(), r.error.c_str());
        QCOMPARE(r.line, expected[good]);
        QCOMPARE(r.cells[1], ds.rows[good]["text"].get<std::string>());
        ++good;
      }
    }
  }

  // JSON Lines: whitespace-only lines are not records (for the preview either), columns come
  // in the file's order, a BOM is not part of the first record.
  void jsonlAsWritten() {
    const fs::path p = write("order.jsonl",
                             "\xEF\xBB\xBF{\"zeta\": \"z1\", \"alpha\": \"a1\", \"mid\": [1, 2]}\n   \n\t\n"
                             "{\"zeta\": \"z2\", \"alpha\": \"a2\", \"new\": \"n\"}\n");
    const fm::Dataset ds = fm::readDataset(p);
    QCOMPARE(ds.columns, (std::vector<std::string>{"zeta", "alpha", "mid", "new"}));
    QCOMPARE(ds.lines, (std::vector<int64_t>{1, 4}));
    auto preview = fm::DatasetPreview::open(p, "auto");
    QVERIFY(preview);
    QCOMPARE(preview->columns(), ds.columns);
    QCOMPARE(preview->rows(), int64_t(2));
    const auto rows = preview->read(0, 2);
    QVERIFY2(rows[0].error.empty(), rows[0].error.c_str());
    QCOMPARE(rows[0].cells[0], std::string("z1"));
    QCOMPARE(rows[1].line, int64_t(4));
  }

  // A CSV cell is text: "[1, 2]" stays exactly that for the reader and the preview.
  void csvCellsKeepTheirText() {
    const fs::path p = write("cells.csv", "text,label\n\"[1, 2]\",{\"a\": 1}\n");
    const fm::Dataset ds = fm::readDataset(p);
    QCOMPARE(ds.rows[0]["text"], json("[1, 2]"));
    QCOMPARE(ds.rows[0]["label"], json("{\"a\": 1}"));
    auto preview = fm::DatasetPreview::open(p, "auto");
    const auto rows = preview->read(0, 1);
    QCOMPARE(rows[0].cells, (std::vector<std::string>{"[1, 2]", "{\"a\": 1}"}));
  }

  // A job's parts fill their share of the bar, say what they do, and a stop is final.
  void jobContextPartsAndStop() {
    std::vector<std::pair<double, std::string>> seen;
    std::vector<std::string> logged;
    bool stop = false;
    const fm::JobContext job(
        [&](double f, const std::string& what) {
          seen.emplace_back(f, what);
          return !stop;
        },
        [&](const std::string& line) { logged.push_back(line); });
    const fm::JobContext reading = job.part(0.2, 0.6, "reading");
    reading.report(0.5, "bytes");
    reading.part(0.5, 1).report(0.5, "inner");
    job.report(-1, "waiting");
    job.log("a line");
    QCOMPARE(seen.size(), size_t(3));
    QCOMPARE(seen[0].first, 0.4);
    QCOMPARE(seen[0].second, std::string("reading"));
    QCOMPARE(seen[1].first, 0.5);  // half of the second half of 0.2..0.6
    QCOMPARE(seen[2].first, -1.0);
    QCOMPARE(logged, std::vector<std::string>{"a line"});
    QVERIFY(!job.stopAsked());
    stop = true;
    QVERIFY_THROWS_EXCEPTION(fm::CancelledError, reading.report(0.9, "bytes"));
    stop = false;  // the listener changed its mind: the job has stopped all the same
    QVERIFY(job.stopAsked());
    QVERIFY_THROWS_EXCEPTION(fm::CancelledError, job.checkCancel());
    QVERIFY(!fm::JobContext().stopAsked());
    fm::JobContext().report(0.5, "nobody listens");
  }

  // JSON Lines split the same whatever the pieces: a BOM, CRLF, blank lines, no final newline.
  void jsonlLinesSplitAlikeInAnyPieces() {
    const std::string text = "\xEF\xBB\xBF{\"a\": 1}\r\n  \n\n{\"a\": 2}\n\t\r\n{\"a\": 3}";
    using Line = fm::LineSplitter::Line;
    auto split = [&](size_t piece) {
      std::vector<Line> out;
      fm::LineSplitter s;
      for (size_t i = 0; i < text.size(); i += piece)
        s.feed(text.data() + i, std::min(piece, text.size() - i), [&](Line&& l) { out.push_back(std::move(l)); });
      s.finish([&](Line&& l) { out.push_back(std::move(l)); });
      return out;
    };
    const auto whole = split(text.size());
    QCOMPARE(whole.size(), size_t(3));
    QCOMPARE(whole[0].text, std::string("{\"a\": 1}"));
    QCOMPARE(whole[0].line, int64_t(1));
    QCOMPARE(whole[0].begin, uint64_t(3));  // after the byte order mark
    QCOMPARE(whole[1].line, int64_t(4));
    QCOMPARE(text.substr(whole[1].begin, 8), std::string("{\"a\": 2}"));
    QCOMPARE(whole[2].line, int64_t(6));
    QCOMPARE(whole[2].end, uint64_t(text.size()));
    for (size_t piece : {1, 2, 5}) {
      const auto parts = split(piece);
      QCOMPARE(parts.size(), whole.size());
      for (size_t i = 0; i < parts.size(); ++i) {
        QCOMPARE(parts[i].text, whole[i].text);
        QCOMPARE(parts[i].line, whole[i].line);
        QCOMPARE(parts[i].begin, whole[i].begin);
        QCOMPARE(parts[i].end, whole[i].end);
      }
    }
  }

  // Reading reports progress and stops when asked.
  void readingCanBeCancelled() {
    std::string csv = "text,label\n";
    for (int i = 0; i < 200000; ++i) csv += "row number " + std::to_string(i) + ",positive\n";
    const fs::path p = write("big.csv", csv);
    fm::ReadOptions ro;
    int calls = 0;
    ro.job = [&](double f, const std::string&) {
      ++calls;
      return f < 0.5;
    };
    QVERIFY_THROWS_EXCEPTION(fm::CancelledError, fm::readDataset(p, ro));
    QVERIFY(calls >= 2);
  }
};

QTEST_APPLESS_MAIN(TestDatasets)
#include "test_datasets.moc"
