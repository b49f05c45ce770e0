// The workbench as a user drives it, on the offscreen platform: import the demo model, open
// the demo dataset, start a short fine-tune and watch points reach the chart, cancel, resume,
// generate in the playground with the adapter on and side by side, switch language. Every item
// model is checked with QAbstractItemModelTester, and the GUI thread's largest stall is
// measured while training and generation run.
#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QDialog>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QtTest>
#include <QAbstractButton>
#include <QGroupBox>
#include <QRegularExpression>
#include <QTabBar>
#include <QTabWidget>
#include <QLayout>
#include <QScrollArea>
#include <functional>
#include <QTextDocumentFragment>
#include <QAbstractAxis>
#include <QPushButton>
#include <QThread>
#include <atomic>
#include <filesystem>
#include <fstream>

#include "arch/builtin_model.h"
#include "data/demo_data.h"
#include "collections/chunk_map_view.h"
#include "collections/collections_panel.h"
#include "datasets/dataset_table_model.h"
#include "datasets/datasets_panel.h"
#include "finetune/finetune_panel.h"
#include "finetune/loss_chart.h"
#include "io/atomic_file.h"
#include "models/models_panel.h"
#include "vision/caption.h"
#include "vision/captioner_trainer.h"
#include "vision/collection_pictures.h"
#include "vision/demo_shapes.h"
#include "vision/image_text_panel.h"
#include "vision/label_bars.h"
#include "vision/thumbnail_model.h"
#include "playground/playground_panel.h"
#include "shell/demo_banner.h"
#include "shell/gui_driver.h"
#include "shell/main_window.h"
#include "shell/settings_dialog.h"
#include "shell/workbench.h"
#include "arch/loaded_model.h"
#include "support/tiny_models.h"
#include "util/runtime.h"
#include "support/small_clip.h"

using namespace fm::ui;
namespace fs = std::filesystem;

class TestGuiWorkbench : public QObject {
  Q_OBJECT
  QTemporaryDir m_tmp;
  QString m_ws;
  std::unique_ptr<Workbench> m_wb;
  std::unique_ptr<MainWindow> m_w;
  QString m_run;
  std::unique_ptr<QAbstractItemModelTester> m_jobsTester;

  // A short demo-style run: small enough for CI, long enough to cancel in the middle.
  void shortRun(FinetunePanel* ft, int steps) {
    ft->applyDemo();
    ft->setSetting("max_steps", steps);
    ft->setSetting("log_every", 2);
    ft->setSetting("eval_every", 10);
    ft->setSetting("eval_max_rows", 40);
    ft->setSetting("save_every", 10);
    ft->setSetting("batch_size", 8);
    ft->setSetting("lora_r", 4);
  }

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);  // QSettings go to a test location
    QVERIFY(m_tmp.isValid());
    m_ws = m_tmp.filePath("workspace");
    const fs::path ws = m_ws.toStdString();
    fm::writeDemoData(ws / "datasets" / "demo");
    // The demo model's place holds a tiny model (the real one takes a minute to pretrain).
    fm::createBuiltinModel(ws / "models" / "demo-tiny-llama", "tiny", 4,
                           fm::readFile(ws / "datasets" / "demo" / "corpus.txt"));
    AppSettings s;
    s.workspace = m_ws;
    s.threads = 2;
    m_wb = std::make_unique<Workbench>(s);
    m_w = std::make_unique<MainWindow>(m_wb.get());
    m_w->show();
    QVERIFY(m_wb->demoReady());
    m_jobsTester = std::make_unique<QAbstractItemModelTester>(m_wb->jobs()->model(),
                                                              QAbstractItemModelTester::FailureReportingMode::QtTest);
  }

  void cleanupTestCase() {
    m_jobsTester.reset();
    m_w.reset();
    m_wb.reset();
  }

  // While the demo is made, the banner says so and what comes next; once it is ready it offers
  // the Fine-tune panel. The chart shows no axes before the first point.
  void theDemoBannerSaysWhatHappensAndWhatNext() {
    DemoBanner* banner = m_w->demoBanner();
    QVERIFY(!banner->isVisible());
    QVERIFY(m_w->finetunePanel()->chart()->chart()->axes().at(0)->isVisible() == false);
    JobRunner runner;
    std::atomic<bool> release{false};
    Job* job = runner.start("prepare", JobRunner::Light, [&](Job& j) {
      j.setProgress(0.25, "pretraining step 75 of 300");
      while (!release) QThread::msleep(2);
    });
    Q_EMIT m_wb->demoPreparing(job);
    QVERIFY(banner->isVisible());
    QTRY_VERIFY2(banner->text().contains("pretraining step 75 of 300"), qPrintable(banner->text()));
    QVERIFY(banner->text().contains("Fine-tune") && banner->text().contains("Start"));
    release = true;
    QVERIFY(runner.waitForDone(5000));
    Q_EMIT m_wb->demoPrepared();
    QVERIFY2(banner->text().contains("ready"), qPrintable(banner->text()));
    auto* open = banner->findChild<QPushButton*>();
    QVERIFY(open);
    for (auto* b : banner->findChildren<QPushButton*>())
      if (b->text() == "Open Fine-tune") open = b;
    open->click();
    QCOMPARE(m_w->currentPage(), MainWindow::Finetune);
    QVERIFY(!banner->isVisible());
    m_w->showPage(MainWindow::Models);
  }

  // Presentation mode (View menu, F5): larger text everywhere, and back.
  void presentationModeEnlargesAndRestores() {
    const double normal = QApplication::font().pointSizeF();
    m_w->setPresentation(true);
    QVERIFY(m_w->presentation());
    QVERIFY(QApplication::font().pointSizeF() > normal * 1.3);
    m_w->setPresentation(false);
    QCOMPARE(QApplication::font().pointSizeF(), normal);
  }

  void importTheDemoModel() {
    QSignalSpy loaded(m_wb.get(), &Workbench::modelLoaded);
    m_w->modelsPanel()->importFolder(m_wb->demoModelDir());
    QVERIFY(loaded.wait(30000));
    const QString html = m_w->modelsPanel()->details()->toPlainText();
    QVERIFY2(html.contains("LlamaForCausalLM"), qPrintable(html));
    QVERIFY(html.contains("SentencePiece"));
    // The tokenizer view shows the pieces with their ids.
    QSignalSpy shown(m_w->modelsPanel(), &ModelsPanel::tokensShown);
    m_w->modelsPanel()->tokenizerInput()->setPlainText("The battery is great.");
    QVERIFY(shown.wait(5000));
    QVERIFY(shown.last().at(0).toInt() >= 4);
    const int n = shown.last().at(0).toInt();
    const QString out = m_w->modelsPanel()->tokenizerOutput()->toPlainText();
    QVERIFY2(out.contains(QString("%1 token").arg(n)), qPrintable(out));
    QVERIFY(out.contains(QChar(0x00B7)));  // word starts shown as "·"
    // Korean on a byte-fallback tokenizer reads as its characters with their byte tokens' ids,
    // not as a row of <0xEA> chips; the count is still of tokens.
    m_w->modelsPanel()->tokenizerInput()->setPlainText(QString::fromUtf8("한국어"));
    QVERIFY(shown.wait(5000));
    const QString korean = m_w->modelsPanel()->tokenizerOutput()->toPlainText();
    QVERIFY2(korean.contains(QString::fromUtf8("한")) && korean.contains(QString::fromUtf8("어")), qPrintable(korean));
    QVERIFY2(!korean.contains("<0x"), qPrintable(korean));
    QVERIFY(shown.last().at(0).toInt() >= 9);  // three characters of three bytes each
  }

  // An embedder and a reranker open beside the language model: the Models panel shows their
  // kind and lets the user try them; the Playground keeps the language model.
  void anEmbedderAndARerankerOpenBesideTheLanguageModel() {
    const QString llmDir = m_wb->modelDir();
    QVERIFY(!llmDir.isEmpty());
    const QString emb = m_tmp.filePath("embedder"), rer = m_tmp.filePath("reranker");
    fm::test::writeReferenceModel(fm::test::referenceFixture("tiny_bert_embedder"), emb.toStdString());
    fm::test::writeReferenceModel(fm::test::referenceFixture("tiny_bert_cross_encoder"), rer.toStdString());
    ModelsPanel* mp = m_w->modelsPanel();

    QSignalSpy opened(m_wb.get(), &Workbench::modelOpened);
    mp->importFolder(emb);
    QVERIFY(opened.wait(30000));
    QVERIFY2(mp->details()->toPlainText().contains("text encoder"), qPrintable(mp->details()->toPlainText()));
    QCOMPARE(m_wb->modelDir(), llmDir);  // the language model in use is kept
    QSignalSpy sim(mp, &ModelsPanel::similarityShown);
    mp->sentencesInput()->setPlainText("The cat sat on the mat.\nHello!\nThe cat sat on the mat.");
    mp->compareSentences();
    QVERIFY(sim.wait(30000));
    QTableWidget* t = mp->similarityTable();
    QCOMPARE(t->rowCount(), 3);
    QCOMPARE(t->item(0, 0)->text(), QString("1.00"));
    QCOMPARE(t->item(0, 2)->text(), QString("1.00"));  // the same sentence twice
    QVERIFY(t->item(0, 1)->text() != QString("1.00"));

    mp->importFolder(rer);
    QVERIFY(opened.wait(30000));
    QVERIFY(mp->details()->toPlainText().contains("cross-encoder"));
    QSignalSpy ranked(mp, &ModelsPanel::rankingShown);
    mp->passagesInput()->setPlainText("Paris is the capital of France.\nCats sleep a lot.");
    mp->scorePassages();
    QVERIFY(ranked.wait(30000));
    QTableWidget* r = mp->rankingTable();
    QCOMPARE(r->rowCount(), 2);
    QVERIFY(r->item(0, 0)->text().toDouble() >= r->item(1, 0)->text().toDouble());  // best first
    QCOMPARE(m_wb->modelDir(), llmDir);
    QVERIFY(m_wb->model()->kind() == fm::ModelKind::CausalLM);
  }

  void aPickleOnlyFolderIsRefusedWithAReason() {
    const QString dir = m_tmp.filePath("pickle-model");
    QDir().mkpath(dir);
    QFile cfg(dir + "/config.json");
    QVERIFY(cfg.open(QIODevice::WriteOnly));
    cfg.write(R"({"model_type": "llama", "architectures": ["LlamaForCausalLM"]})");
    cfg.close();
    QFile bin(dir + "/pytorch_model.bin");
    QVERIFY(bin.open(QIODevice::WriteOnly));
    bin.write("PK\x03\x04 not really");
    bin.close();
    QSignalSpy failed(m_wb.get(), &Workbench::modelFailed);
    const QString before = m_wb->modelDir();
    m_w->modelsPanel()->importFolder(dir);
    QVERIFY(failed.wait(10000));
    QVERIFY2(failed.last().at(1).toString().contains("pickle", Qt::CaseInsensitive),
             qPrintable(failed.last().at(1).toString()));
    QVERIFY(m_w->modelsPanel()->errorLabel()->isVisibleTo(m_w->modelsPanel()));
    QCOMPARE(m_wb->modelDir(), before);  // the model in use is kept
  }

  void openTheDemoDataset() {
    QSignalSpy opened(m_w->datasetsPanel(), &DatasetsPanel::opened);
    QSignalSpy chosen(m_wb.get(), &Workbench::dataChosen);
    m_w->datasetsPanel()->openDemo();
    QVERIFY(opened.wait(10000));
    QCOMPARE(opened.last().at(1).toLongLong(), 2400);
    QVERIFY(chosen.count() > 0 || chosen.wait(5000));
    DatasetTableModel* model = m_w->datasetsPanel()->tableModel();
    QAbstractItemModelTester t(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model->columnCount(), 2);
    QCOMPARE(model->headerData(1, Qt::Horizontal, Qt::DisplayRole).toString(), QString("label"));
    const QString label = model->data(model->index(0, 1), Qt::DisplayRole).toString();
    QVERIFY(label == "positive" || label == "negative");
    // The example marks the trained tokens (the label and EOS) and not the prompt.
    const QString html = m_w->datasetsPanel()->example()->toHtml();
    QVERIFY2(html.contains("#b2f2bb", Qt::CaseInsensitive), qPrintable(html.left(400)));
    QVERIFY(m_w->datasetsPanel()->example()->toPlainText().contains("2 trained on") ||
            m_w->datasetsPanel()->example()->toPlainText().contains("3 trained on"));
    // Statistics: the demo data is clean (2,400 different reviews), so the analysis says so.
    QSignalSpy analyzed(m_w->datasetsPanel(), &DatasetsPanel::analyzed);
    m_w->datasetsPanel()->analyze();
    QVERIFY(analyzed.wait(60000));
    const QString warn = m_w->datasetsPanel()->warnings()->text();
    QVERIFY2(warn.contains("2400 rows"), qPrintable(warn));
    QVERIFY2(warn.contains("No duplicates, no leakage, nothing cut."), qPrintable(warn));
  }

  void aMillionRowFileIsReadPageByPage() {
    const QString path = m_tmp.filePath("million.csv");
    {
      QFile f(path);
      QVERIFY(f.open(QIODevice::WriteOnly));
      QByteArray chunk;
      f.write("id,text\n");
      for (int i = 0; i < 1000000; ++i) {
        chunk += QByteArray::number(i) + ",\"row " + QByteArray::number(i) + ", with a comma\"\n";
        if (chunk.size() > (1 << 20)) {
          f.write(chunk);
          chunk.clear();
        }
      }
      f.write(chunk);
    }
    QSignalSpy opened(m_w->datasetsPanel(), &DatasetsPanel::opened);
    m_w->datasetsPanel()->openFile(path);
    QVERIFY(opened.wait(60000));
    QCOMPARE(opened.last().at(1).toLongLong(), 1000000);
    DatasetTableModel* model = m_w->datasetsPanel()->tableModel();
    QTableView* view = m_w->datasetsPanel()->table();
    view->scrollToBottom();
    QCoreApplication::processEvents();
    QCOMPARE(model->data(model->index(999999, 1), Qt::DisplayRole).toString(), QString("row 999999, with a comma"));
    QCOMPARE(model->data(model->index(500000, 0), Qt::DisplayRole).toString(), QString("500000"));
    // Only the pages looked at were read, not the file.
    QVERIFY2(model->pagesRead() <= 8, qPrintable(QString::number(model->pagesRead())));
    // Back to the demo data for the next tests.
    QSignalSpy again(m_w->datasetsPanel(), &DatasetsPanel::opened);
    m_w->datasetsPanel()->openDemo();
    QVERIFY(again.wait(10000));
  }

  void aBadRowIsShownWithItsLine() {
    const QString path = m_tmp.filePath("bad.jsonl");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{\"text\": \"fine\", \"label\": \"positive\"}\n{\"text\": \"broken\n{\"text\": \"ok\", \"label\": \"negative\"}\n");
    f.close();
    QSignalSpy opened(m_w->datasetsPanel(), &DatasetsPanel::opened);
    m_w->datasetsPanel()->openFile(path);
    QVERIFY(opened.wait(10000));
    DatasetTableModel* model = m_w->datasetsPanel()->tableModel();
    QCOMPARE(model->rowCount(), 3);
    QVERIFY(model->data(model->index(1, 0), Qt::ToolTipRole).toString().startsWith("Line 2"));
    int labelCol = -1;
    for (int c = 0; c < model->columnCount(); ++c)
      if (model->headerData(c, Qt::Horizontal, Qt::DisplayRole).toString() == "label") labelCol = c;
    QVERIFY(labelCol >= 0);
    QCOMPARE(model->data(model->index(2, labelCol), Qt::DisplayRole).toString(), QString("negative"));
    QSignalSpy again(m_w->datasetsPanel(), &DatasetsPanel::opened);
    m_w->datasetsPanel()->openDemo();
    QVERIFY(again.wait(10000));
  }

  void fineTuneShowsPointsThenCancelAndResume() {
    FinetunePanel* ft = m_w->finetunePanel();
    shortRun(ft, 60);
    QSignalSpy points(ft->chart(), &LossChart::pointAdded);
    Job* job = ft->start();
    QVERIFY2(job, "the run did not start");
    m_run = ft->currentRun();
    QVERIFY(m_run.startsWith(m_ws));
    QTRY_VERIFY_WITH_TIMEOUT(points.count() >= 8, 60000);
    QSignalSpy ended(ft, &FinetunePanel::runFinished);
    ft->cancel();
    QVERIFY(ended.wait(60000));
    QCOMPARE(ended.last().at(1).toBool(), false);
    QVERIFY(!QDir(m_run).entryList({"checkpoint-*"}, QDir::Dirs).isEmpty());
    QVERIFY(!QFileInfo::exists(m_run + "/adapter"));
    // The history lists it as resumable.
    ft->refreshHistory();
    QVERIFY(ft->history()->count() >= 1);
    // Runs have readable names: the model, the data, the method and the time.
    QCOMPARE(ft->history()->item(0)->data(Qt::UserRole).toString(), m_run);
    QVERIFY2(ft->history()->item(0)->text().contains("demo-tiny-llama · reviews.csv · LoRA"),
             qPrintable(ft->history()->item(0)->text()));
    // Resume and finish.
    const int before = ft->chart()->trainPoints();
    QVERIFY(ft->resume(m_run));
    QVERIFY(ended.wait(120000));
    QCOMPARE(ended.last().at(1).toBool(), true);
    QVERIFY(QFileInfo::exists(m_run + "/adapter/adapter_model.safetensors"));
    QVERIFY(ft->chart()->trainPoints() > before);
    QVERIFY(ft->chart()->evalPoints() >= 2);
    QVERIFY2(ft->resultLabel()->text().contains("accuracy"), qPrintable(ft->resultLabel()->text()));
    // Side-by-side answers on validation rows.
    QSignalSpy compared(ft, &FinetunePanel::comparisonReady);
    QVERIFY(compared.wait(60000));
    QCOMPARE(ft->generations()->rowCount(), 8);
    QVERIFY(!ft->generations()->item(0, 1)->text().isEmpty());
    // Replaying the run from metrics.jsonl gives the same chart.
    const int live = ft->chart()->trainPoints();
    ft->chart()->replay(m_run);
    QCOMPARE(ft->chart()->trainPoints(), live);
    // Opened again (as after a restart), the run shows its accuracy, answers and exports.
    const QString accuracyLine = ft->resultLabel()->text().section("<br>", 0, 0);
    ft->generations()->setRowCount(0);
    ft->resultLabel()->clear();
    ft->openRun(m_run);
    QCOMPARE(ft->resultLabel()->text().section("<br>", 0, 0), accuracyLine);
    QCOMPARE(ft->generations()->rowCount(), 8);
    QCOMPARE(ft->chart()->trainPoints(), live);
    QVERIFY(ft->chart()->accuracyPoints() >= 2);  // accuracy is drawn beside the loss
    // A name of the user's own replaces the made-up one.
    fm::writeFileAtomic((m_run + "/name.txt").toStdString(), "my first run");
    ft->refreshHistory();
    QVERIFY(ft->history()->item(0)->text().startsWith("my first run"));
  }

  void playgroundStreamsWithTheAdapterAndSideBySide() {
    PlaygroundPanel* pg = m_w->playgroundPanel();
    pg->setAdapter(m_run + "/adapter");
    // The panel says what answers, and offers the run's prompt template for a plain sentence.
    QVERIFY2(pg->modelLine()->text().contains("in use"), qPrintable(pg->modelLine()->text()));
    QVERIFY(pg->useRunTemplate()->isChecked());
    QVERIFY(!pg->useRunTemplate()->isHidden());
    pg->setPrompt("The film was great.");
    QCOMPARE(pg->wrappedPrompt(), QString("Review: The film was great.\nSentiment:"));
    pg->maxTokens()->setValue(6);
    pg->temperature()->setValue(0);
    QSignalSpy streamed(pg, &PlaygroundPanel::tokenStreamed);
    QSignalSpy done(pg, &PlaygroundPanel::generationFinished);
    QVERIFY(pg->generate());
    QVERIFY(done.wait(30000));
    QVERIFY(streamed.count() >= 1);
    QVERIFY(pg->output()->toPlainText().startsWith("Review: The film was great.\nSentiment:"));
    QVERIFY2(pg->stats()->text().contains("token") && !pg->stats()->text().contains("0.0 tokens/s"),
             qPrintable(pg->stats()->text()));
    pg->sideBySide()->setChecked(true);
    QVERIFY(pg->adapterEnabled()->isChecked() && !pg->adapterEnabled()->isEnabled());  // side by side uses it
    QVERIFY(pg->modelLine()->text().contains("compared with the base model"));
    QVERIFY(pg->generate());
    QVERIFY(done.wait(30000));
    QVERIFY(pg->baseOutput()->toPlainText().startsWith("Review:"));
    QVERIFY(pg->output()->toPlainText().startsWith("Review:"));
    pg->sideBySide()->setChecked(false);
  }

  void theGuiThreadStaysResponsiveWhileTrainingAndGenerating() {
    FinetunePanel* ft = m_w->finetunePanel();
    shortRun(ft, 120);
    ft->setSetting("save_every", 0);
    PlaygroundPanel* pg = m_w->playgroundPanel();
    pg->maxTokens()->setValue(24);
    StallMeter meter;
    meter.start();
    QSignalSpy ended(ft, &FinetunePanel::runFinished);
    QVERIFY(ft->start());
    int generations = 0;
    QElapsedTimer t;
    t.start();
    while (ft->currentJob() && t.elapsed() < 180000) {
      if (pg->generate()) ++generations;
      QTest::qWait(50);
      if (generations % 3 == 0) m_w->showPage(static_cast<MainWindow::Page>(generations % MainWindow::PageCount));
    }
    meter.stop();
    QVERIFY(ended.count() > 0 || ended.wait(60000));
    QTRY_VERIFY_WITH_TIMEOUT(m_wb->jobs()->model()->activeCount() == 0, 60000);
    qInfo("event-loop gaps: max %.1f ms, p99 %.1f ms over %d turns; %d generations",
          meter.maxMs(), meter.percentileMs(99), meter.samples(), generations);
    QVERIFY(generations >= 2);
    QVERIFY(meter.samples() > 100);
    // The gaps are measured and printed, not held to a frame budget (a busy machine stalls any
    // thread now and then); what must never happen is the GUI thread waiting for model work,
    // which shows as a gap as long as a training stretch or a whole generation.
    QVERIFY2(meter.maxMs() < 500, qPrintable(QString("largest stall %1 ms").arg(meter.maxMs())));
  }

  // Closing the window while a training runs asks the jobs to stop and returns at once: the
  // window stays up (disabled, saying it is stopping) and closes itself when the run has saved
  // its checkpoint. The GUI thread never waits for the job.
  void closingWhileTrainingNeverBlocks() {
    MainWindow w(m_wb.get());
    w.confirmClose = false;
    w.show();
    FinetunePanel* ft = w.finetunePanel();
    shortRun(ft, 2000);
    QVERIFY(ft->start());
    Job* job = ft->currentJob();
    QVERIFY(job);
    QTRY_VERIFY_WITH_TIMEOUT(job->progress() > 0, 60000);  // training, not just queued
    QVERIFY(!w.close());  // refused for now: the run is still stopping
    QVERIFY(w.isVisible());
    QVERIFY(w.isClosing());
    QVERIFY(job->cancelRequested());
    QTRY_VERIFY_WITH_TIMEOUT(!w.isVisible(), 60000);
    QCOMPARE(m_wb->jobs()->model()->activeCount(), 0);
  }

  // Collections from the panel: create one with an embedder, add documents (an encrypted PDF
  // among them is listed with its reason), search with every stage's score, ask with the
  // language model in use and get numbered sources, and see a document's chunks.
  void collectionsAddSearchAskAndCite() {
    CollectionsPanel* cp = m_w->collectionsPanel();
    QVERIFY(cp);
    m_w->showPage(MainWindow::Collections);
    const QString embedder = m_tmp.filePath("embedder");
    fm::test::writeReferenceModel(fm::test::referenceFixture("tiny_bert_embedder"), embedder.toStdString());
    QSignalSpy shown(cp, &CollectionsPanel::documentsShown);
    QVERIFY(!cp->createCollection(QStringLiteral("a/b"), embedder, {}, 64, 8, false));  // refused: a slash
    QVERIFY(cp->statusLabel()->text().contains("slash"));
    Job* made = cp->createCollection(QStringLiteral("handbook"), embedder, {}, 64, 8, false);
    QVERIFY(made);
    QTRY_VERIFY2_WITH_TIMEOUT(shown.count() >= 1, qPrintable(cp->statusLabel()->text() + " / " + made->message()), 60000);
    QCOMPARE(cp->currentCollection(), QDir(m_ws).filePath("collections/handbook"));
    const QString docs = QStringLiteral(FM_TEST_FIXTURES "/documents/");
    shown.clear();
    Job* add = cp->addPaths({docs + "notes.md", docs + "handbook.pdf", docs + "encrypted.pdf"});
    QVERIFY(add);
    QTRY_VERIFY_WITH_TIMEOUT(!add->isActive() && shown.count() >= 1, 120000);
    QCOMPARE(cp->documentsTable()->rowCount(), 3);
    QStringList statuses;
    for (int r = 0; r < 3; ++r) statuses << cp->documentsTable()->item(r, 1)->text();
    QVERIFY2(statuses.contains("needs a password"), qPrintable(statuses.join(",")));
    QVERIFY(cp->statusLabel()->text().contains("encrypted.pdf"));
    QSignalSpy searched(cp, &CollectionsPanel::searchShown);
    QVERIFY(cp->search(QStringLiteral("annual leave")));
    QTRY_VERIFY_WITH_TIMEOUT(searched.count() == 1, 60000);
    QVERIFY(cp->resultsTable()->rowCount() >= 1);
    QVERIFY2(cp->resultsTable()->item(0, 0)->text().contains("handbook.pdf, page 2"),
             qPrintable(cp->resultsTable()->item(0, 0)->text()));
    QVERIFY(cp->pictureResults()->isHidden());  // no picture folders yet
    // A picture folder in the collection: the same search also lists its closest pictures.
    {
      const fs::path ws = m_ws.toStdString();
      fm::ShapesDatasetOptions d;
      d.size = 32;
      d.trainPictures = 2;
      d.testPerClass = 1;
      fm::writeShapesDataset(ws / "datasets" / "collection-shapes", d);
      const fm::TinyClipOptions o = fm::test::smallClipOptions();
      fm::createTinyClip(ws / "models" / "collection-clip", {"a", "red", "circle"}, o);
      shown.clear();
      Job* pictures = cp->addPictures(QString::fromStdString((ws / "datasets" / "collection-shapes" / "test").string()),
                                      QString::fromStdString((ws / "models" / "collection-clip").string()));
      QVERIFY(pictures);
      QTRY_VERIFY_WITH_TIMEOUT(!pictures->isActive() && shown.count() >= 1, 60000);
      QVERIFY2(cp->statusLabel()->text().contains("12 pictures searchable"), qPrintable(cp->statusLabel()->text()));
      QCOMPARE(cp->documentsTable()->rowCount(), 4);  // three documents, then the picture folder
      QVERIFY2(cp->documentsTable()->item(3, 1)->text().startsWith("12 picture"),
               qPrintable(cp->documentsTable()->item(3, 1)->text()));
      QCOMPARE(fm::CollectionPictures(cp->currentCollection().toStdString()).folders().size(), size_t{1});
    }
    QVERIFY(cp->search(QStringLiteral("annual leave")));
    QTRY_VERIFY_WITH_TIMEOUT(searched.count() == 2, 60000);
    QVERIFY(!cp->pictureResults()->isHidden());
    QVERIFY(cp->pictureResults()->count() >= 1 && cp->pictureResults()->count() <= 12);
    QVERIFY(cp->pictureResults()->item(0)->data(Qt::UserRole).toString().endsWith(".png"));
    {
      // A damaged picture list leaves the pictures out, says so, and the passages still come.
      const fs::path list = fs::path(cp->currentCollection().toStdString()) / "pictures" / "pictures.json";
      const std::string kept = fm::readFile(list);
      std::ofstream(list, std::ios::trunc) << "{";
      QVERIFY(cp->search(QStringLiteral("annual leave")));
      QTRY_VERIFY_WITH_TIMEOUT(searched.count() == 3, 60000);
      QVERIFY(cp->resultsTable()->rowCount() >= 1);
      QVERIFY2(cp->statusLabel()->text().contains("Pictures not searched"), qPrintable(cp->statusLabel()->text()));
      QVERIFY(cp->pictureResults()->isHidden());
      std::ofstream(list, std::ios::trunc) << kept;
    }
    // The map: every chunk a dot, the question a star, the results ringed; a click names a chunk.
    QSignalSpy mapped(cp, &CollectionsPanel::mapShown);
    cp->tabs()->setCurrentWidget(cp->mapView()->parentWidget());
    QTRY_VERIFY_WITH_TIMEOUT(mapped.count() == 1, 60000);
    int chunksInAll = 0;
    for (int r = 0; r < cp->documentsTable()->rowCount(); ++r) chunksInAll += cp->documentsTable()->item(r, 3)->text().toInt();
    QCOMPARE(mapped.at(0).at(0).toInt(), chunksInAll);
    QCOMPARE(mapped.at(0).at(1).toInt(), cp->resultsTable()->rowCount());
    QVERIFY(cp->mapView()->hasQuery());
    QApplication::processEvents();
    {
      ChunkMapView* mv = cp->mapView();
      int hit = -1;
      QPoint at;
      for (int y = 0; y < mv->height() && hit < 0; y += 2)
        for (int x = 0; x < mv->width() && hit < 0; x += 2)
          if ((hit = mv->pointAt(QPointF(x, y), 2)) >= 0) at = QPoint(x, y);
      QVERIFY(hit >= 0);
      QTest::mouseClick(mv, Qt::LeftButton, {}, at);
      const QString note = mv->parentWidget()->findChild<QLabel*>(QStringLiteral("findings"))->text();
      QVERIFY2(note.contains(".md") || note.contains(".pdf"), qPrintable(note));
    }
    // A new search moves the marks without drawing the map again.
    mapped.clear();
    QVERIFY(cp->search(QStringLiteral("annual leave")));
    QTRY_VERIFY_WITH_TIMEOUT(mapped.count() == 1, 60000);
    QCOMPARE(mapped.at(0).at(1).toInt(), cp->resultsTable()->rowCount());
    cp->tabs()->setCurrentIndex(0);
    // Opened in place: the PDF page as printed, with the passage marked (where Qt PDF is built in).
    QSignalSpy opened(cp, &CollectionsPanel::sourceShown);
    cp->openResult(0);
    QTRY_VERIFY_WITH_TIMEOUT(opened.count() == 1, 60000);
    QCOMPARE(opened.at(0).at(0).toBool(), CollectionsPanel::canShowPdfPages());
    for (QWidget* top : QApplication::topLevelWidgets())
      if (qobject_cast<QDialog*>(top)) top->close();
    QSignalSpy answered(cp, &CollectionsPanel::answerFinished);
    if (!m_wb->model()) {
      QSignalSpy loaded(m_wb.get(), &Workbench::modelLoaded);
      m_wb->openModel(m_wb->demoModelDir());
      QTRY_VERIFY_WITH_TIMEOUT(loaded.count() == 1, 60000);
    }
    Job* asked = cp->ask(QStringLiteral("How many days of annual leave?"));
    QVERIFY(asked);
    QTRY_VERIFY2_WITH_TIMEOUT(answered.count() == 1,
                              qPrintable(cp->statusLabel()->text() + " / " + asked->message() + " / " + Job::stateName(asked->state())), 30000);
    QVERIFY2(cp->answerView()->toHtml().contains("source:1"), qPrintable(cp->answerView()->toPlainText()));
    // Beside the answer, the pictures closest to the question, each a link to its file.
    QVERIFY2(cp->answerView()->toPlainText().contains("Pictures close to the question"),
             qPrintable(cp->answerView()->toPlainText()));
    QVERIFY(cp->answerView()->toHtml().contains("collection-shapes/test/"));
    QSignalSpy chunks(cp, &CollectionsPanel::chunksShown);
    cp->showChunks(docs + "notes.md");
    QTRY_VERIFY_WITH_TIMEOUT(chunks.count() == 1, 60000);
    QVERIFY(chunks.at(0).at(0).toInt() >= 2);
    QVERIFY(cp->chunkView()->toPlainText().contains("chunk 1"));
    // The test bench: a question set in, Recall@k and MRR per setting out, as a table and bars.
    const QString questions = m_tmp.filePath("questions.csv");
    QFile qf(questions);
    QVERIFY(qf.open(QIODevice::WriteOnly));
    qf.write("question,document,page\nannual leave days,handbook.pdf,2\nequipment laptop,notes.md,\n");
    qf.close();
    QSignalSpy benched(cp, &CollectionsPanel::testBenchShown);
    QVERIFY(cp->runTestBench(questions));
    QTRY_VERIFY_WITH_TIMEOUT(benched.count() == 1, 120000);
    QCOMPARE(cp->benchTable()->rowCount(), 3);  // dense, keyword, hybrid (no reranker)
    QVERIFY2(cp->benchTable()->item(1, 1)->text().startsWith("100.0%"), qPrintable(cp->benchTable()->item(1, 1)->text()));
    // Another embedder: every document embedded again, none lost, and searching still works.
    const QString other = m_tmp.filePath("other-embedder");
    fm::test::writeReferenceModel(fm::test::referenceFixture("tiny_xlmr_embedder"), other.toStdString());
    shown.clear();
    Job* again = cp->changeEmbedder(other, false);
    QVERIFY(again);
    QTRY_VERIFY_WITH_TIMEOUT(!again->isActive() && shown.count() >= 1, 120000);
    QVERIFY2(cp->statusLabel()->text().contains("other-embedder"), qPrintable(cp->statusLabel()->text()));
    QCOMPARE(cp->documentsTable()->rowCount(), 4);  // the picture folder keeps its own CLIP vectors
    for (int r = 0; r < 3; ++r)  // each as before: none left waiting for the new embedder
      QCOMPARE(cp->documentsTable()->item(r, 1)->text(), statuses[r]);
    searched.clear();
    QVERIFY(cp->search(QStringLiteral("annual leave")));
    QTRY_VERIFY_WITH_TIMEOUT(searched.count() == 1, 60000);
    QVERIFY(cp->resultsTable()->rowCount() >= 1);
    // The same model from another folder keeps the vectors and only changes where it is.
    const QString moved = m_tmp.filePath("moved/other-embedder");  // the same folder name
    fm::test::writeReferenceModel(fm::test::referenceFixture("tiny_xlmr_embedder"), moved.toStdString());
    shown.clear();
    Job* same = cp->changeEmbedder(moved, false);
    QVERIFY(same);
    QTRY_VERIFY_WITH_TIMEOUT(!same->isActive() && shown.count() >= 1, 60000);
    QVERIFY2(cp->statusLabel()->text().contains("vectors stay"), qPrintable(cp->statusLabel()->text()));
  }

  // In Korean at 1024x700, every panel: the window keeps that size, no visible text is left in
  // English (two English words in a row, where no Hangul is), and no button or one-line label is
  // narrower than its text.
  void koreanAt1024x700ShowsEverythingTranslated() {
    QVERIFY(installLanguage("ko"));
    MainWindow korean(m_wb.get());
    korean.confirmClose = false;
    korean.resize(1024, 700);
    korean.show();
    QVERIFY(QTest::qWaitForWindowExposed(&korean));
    // The Models panel at its tallest: an embedder open, with its sentence comparison.
    const QString embedder = m_tmp.filePath("korean-embedder");
    fm::test::writeReferenceModel(fm::test::referenceFixture("tiny_bert_embedder"), embedder.toStdString());
    QSignalSpy opened(m_wb.get(), &Workbench::modelOpened);
    m_wb->openModel(embedder);
    QTRY_VERIFY_WITH_TIMEOUT(opened.count() == 1, 60000);
    QApplication::processEvents();
    QVERIFY2(korean.height() <= 700, qPrintable(QString::number(korean.height())));
    static const QRegularExpression english(QStringLiteral("\\b[A-Za-z]{3,}\\s+[a-z]{2,}\\b"));
    auto hasHangul = [](const QString& s) {
      for (QChar c : s)
        if (c.unicode() >= 0xAC00 && c.unicode() <= 0xD7A3) return true;
      return false;
    };
    QStringList untranslated, cut;
    for (int page = 0; page < MainWindow::PageCount; ++page) {
      korean.showPage(static_cast<MainWindow::Page>(page));
      QApplication::processEvents();
      for (QWidget* w : korean.findChildren<QWidget*>()) {
        if (!w->isVisibleTo(&korean) || w->width() <= 0) continue;
        QStringList texts;
        bool oneLine = false;
        if (auto* b = qobject_cast<QAbstractButton*>(w)) {
          texts << b->text();
          oneLine = qobject_cast<QPushButton*>(w) != nullptr;
        } else if (auto* l = qobject_cast<QLabel*>(w)) {
          texts << QTextDocumentFragment::fromHtml(l->text()).toPlainText();
          oneLine = !l->wordWrap() && !l->text().contains('\n') && !l->text().contains("<br");
        } else if (auto* g = qobject_cast<QGroupBox*>(w)) {
          texts << g->title();
        } else if (auto* t = qobject_cast<QTabBar*>(w)) {
          for (int i = 0; i < t->count(); ++i) texts << t->tabText(i);
        }
        for (const QString& text : texts) {
          // Names, paths, templates and numbers are what they are in every language.
          if (text.contains('/') || text.contains('{') || hasHangul(text)) continue;
          if (english.match(text).hasMatch()) untranslated << text;
        }
        if (oneLine && w->sizeHint().width() > w->width() + 2 && !texts.value(0).isEmpty())
          cut << QStringLiteral("%1 (%2 < %3)").arg(texts.value(0)).arg(w->width()).arg(w->sizeHint().width());
      }
    }
    QVERIFY2(untranslated.isEmpty(), qPrintable(untranslated.join(" | ")));
    QVERIFY2(cut.isEmpty(), qPrintable(cut.join(" | ")));
    QVERIFY(installLanguage("en"));
  }

  // At 1024x700 on every panel: widgets that share a layout never overlap (a progress bar over
  // the chart's legend, a button under a table), and switching a tab moves nothing outside the
  // tab widget (no layout jumps).
  // Image + Text: a CLIP folder and a folder of pictures; thumbnails load lazily (a broken one
  // says why), labels fill the bars and the captions, search finds a picture from its own
  // example first, and a labelled folder gives a confusion matrix. A language model is refused.
  void imageTextLabelsSearchesAndEvaluates() {
    const fs::path ws = m_ws.toStdString();
    fm::ShapesDatasetOptions d;
    d.size = 32;
    d.trainPictures = 2;
    d.testPerClass = 2;
    fm::writeShapesDataset(ws / "datasets" / "gui-shapes", d);
    const fm::TinyClipOptions o = fm::test::smallClipOptions();
    fm::createTinyClip(ws / "models" / "gui-clip", {"a", "red", "circle", "blue", "square"}, o);
    const QString pictures = QString::fromStdString((ws / "datasets" / "gui-shapes" / "test").string());
    QFile broken(pictures + "/red_circle/zz-broken.png");
    QVERIFY(broken.open(QIODevice::WriteOnly));
    broken.write("\x89PNG\r\n\x1a\n not really");
    broken.close();

    m_w->showPage(MainWindow::ImageText);
    ImageTextPanel* ip = m_w->imageTextPanel();
    QAbstractItemModelTester tester(ip->thumbnails(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    // A language model is not an image-text model.
    QVERIFY(ip->openModel(QString::fromStdString((ws / "models" / "demo-tiny-llama").string())));
    QTRY_VERIFY_WITH_TIMEOUT(ip->statusLabel()->text().contains("not an image-text model"), 60000);
    QSignalSpy ready(ip, &ImageTextPanel::modelReady);
    ip->openModel(QString::fromStdString((ws / "models" / "gui-clip").string()));
    QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, 60000);
    QSignalSpy captionsShown(ip, &ImageTextPanel::captionsShown);
    QSignalSpy folderShown(ip, &ImageTextPanel::folderShown);
    ip->openFolder(pictures);
    QTRY_COMPARE_WITH_TIMEOUT(folderShown.count(), 1, 30000);  // listed on a worker
    QCOMPARE(folderShown.at(0).at(0).toInt(), 25);
    QCOMPARE(ip->thumbnails()->rowCount(), 25);
    QTRY_COMPARE_WITH_TIMEOUT(captionsShown.count(), 1, 30000);  // read on a worker
    QCOMPARE(ip->captionTable()->rowCount(), 25);
    // Only what the grid shows is decoded; asking for a picture's thumbnail loads it.
    QTRY_VERIFY_WITH_TIMEOUT(ip->thumbnails()->loadedCount() >= 1, 30000);
    QVERIFY(ip->thumbnails()->loadedCount() < 25 || ip->grid()->viewport()->height() > 600);
    const QModelIndex brokenIndex = ip->thumbnails()->index(ip->thumbnails()->files().indexOf(broken.fileName()));
    brokenIndex.data(Qt::DecorationRole);
    QTRY_VERIFY_WITH_TIMEOUT(!ip->thumbnails()->thumbnail(broken.fileName()).isNull(), 30000);
    QVERIFY2(brokenIndex.data(Qt::ToolTipRole).toString().contains("truncated"),
             qPrintable(brokenIndex.data(Qt::ToolTipRole).toString()));

    QSignalSpy labelled(ip, &ImageTextPanel::labelsShown);
    ip->setLabels(QStringLiteral("red circle, blue square, green triangle"), QStringLiteral("a {}"));
    QVERIFY(ip->labelPictures());
    QTRY_COMPARE_WITH_TIMEOUT(labelled.count(), 1, 60000);
    QCOMPARE(labelled.at(0).at(0).toInt(), 24);
    QVERIFY(ip->statusLabel()->text().contains("could not be read"));
    ip->selectPicture(0);
    QCOMPARE(ip->labelBars()->rows(), 3);
    QVERIFY(ip->thumbnails()->index(0).data(Qt::DisplayRole).toString().contains('%'));

    QSignalSpy found(ip, &ImageTextPanel::searchShown);
    QVERIFY(ip->search(QStringLiteral("a red circle")));
    QTRY_COMPARE_WITH_TIMEOUT(found.count(), 1, 60000);
    QCOMPARE(ip->searchResults()->count(), 24);
    const QString example = ip->thumbnails()->files().at(3);
    QVERIFY(ip->findSimilar(example));
    QTRY_COMPARE_WITH_TIMEOUT(found.count(), 2, 60000);
    QCOMPARE(ip->searchResults()->item(0)->data(Qt::UserRole).toString(), example);

    QSignalSpy evaluated(ip, &ImageTextPanel::evaluationShown);
    QVERIFY(ip->evaluateFolder());
    QTRY_COMPARE_WITH_TIMEOUT(evaluated.count(), 1, 60000);
    QCOMPARE(ip->confusionTable()->rowCount(), 12);
    QCOMPARE(ip->confusionTable()->columnCount(), 13);
    int counted = 0;
    for (int r = 0; r < 12; ++r)
      for (int c = 0; c < 12; ++c) counted += ip->confusionTable()->item(r, c)->text().toInt();
    QCOMPARE(counted, 24);

    // Captions: the folder captioned into sidecar files (the broken picture reported), shown
    // beside the thumbnails, and an edit saved beside its picture.
    fm::test::writeTinyCaptioner(ws / "models" / "gui-captioner", true);
    QSignalSpy captioner(ip, &ImageTextPanel::captionerReady);
    ip->openCaptioner(QString::fromStdString((ws / "models" / "gui-captioner").string()));
    QTRY_COMPARE_WITH_TIMEOUT(captioner.count(), 1, 60000);
    QSignalSpy written(ip, &ImageTextPanel::captionsWritten);
    QVERIFY(ip->captionFolder());
    QTRY_COMPARE_WITH_TIMEOUT(written.count(), 1, 120000);
    QCOMPARE(written.at(0).at(0).toInt(), 24);
    QVERIFY(ip->statusLabel()->text().contains("unreadable"));
    QTRY_COMPARE_WITH_TIMEOUT(captionsShown.count(), 2, 30000);  // read again from the files
    QCOMPARE(ip->captionTable()->rowCount(), 25);
    const QString first = ip->thumbnails()->files().at(0);
    QCOMPARE(ip->captionTable()->item(0, 1)->text().toStdString(), fm::readSidecar(first.toStdString()));
    ip->captionTable()->item(0, 1)->setText(QStringLiteral("a red circle on a pale ground"));
    QCOMPARE(fm::readSidecar(first.toStdString()), std::string("a red circle on a pale ground"));
    // Captioning again with "skip" leaves every caption alone.
    QVERIFY(ip->captionFolder());
    QTRY_COMPARE_WITH_TIMEOUT(written.count(), 2, 120000);
    QCOMPARE(written.at(1).at(0).toInt(), 0);
    QCOMPARE(fm::readSidecar(first.toStdString()), std::string("a red circle on a pale ground"));
  }

  // Train a captioner: the CLIP above, a language model and pictures with captions; the loss
  // chart and the held-out samples fill while it trains, and the finished captioner opens in the
  // Captions tab. A missing language model is said, not attempted.
  void imageTextTrainsACaptioner() {
    const fs::path ws = m_ws.toStdString();
    fm::ShapesDatasetOptions d;
    d.size = 32;
    d.trainPictures = 24;
    d.testPerClass = 1;
    fm::writeShapesDataset(ws / "datasets" / "gui-captions", d);
    ImageTextPanel* ip = m_w->imageTextPanel();
    QVERIFY(!ip->modelDir().isEmpty());  // the CLIP of the test before
    CaptionerTrainer* t = ip->captionerTrainer();
    QVERIFY(!t->train());
    QVERIFY2(t->statusLabel()->text().contains("language model"), qPrintable(t->statusLabel()->text()));
    t->setLanguageModel(QString::fromStdString((ws / "models" / "demo-tiny-llama").string()));
    t->setTrainingFolder(QString::fromStdString((ws / "datasets" / "gui-captions" / "train").string()));
    t->setEpochs(2);
    QSignalSpy trained(t, &CaptionerTrainer::trained);
    QSignalSpy samples(t, &CaptionerTrainer::samplesShown);
    QSignalSpy opened(ip, &ImageTextPanel::captionerReady);
    QVERIFY(t->train());
    QTRY_COMPARE_WITH_TIMEOUT(trained.count(), 1, 180000);
    QVERIFY(t->chart()->trainPoints() >= 1);
    QVERIFY(t->chart()->evalPoints() >= 1);
    QTRY_VERIFY_WITH_TIMEOUT(samples.count() >= 2, 10000);  // before training and at the end
    QVERIFY(t->samples()->rowCount() >= 1);
    QVERIFY(!t->samples()->item(0, 2)->text().isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, 60000);
    QCOMPARE(opened.at(0).at(0).toString(), trained.at(0).at(0).toString());
    QVERIFY(t->statusLabel()->text().contains("Captions tab"));
  }

  void layoutHoldsStillAndNothingOverlaps() {
    MainWindow w(m_wb.get());
    w.confirmClose = false;
    w.resize(1024, 700);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    auto inWindow = [&](QWidget* x) { return QRect(x->mapTo(&w, QPoint(0, 0)), x->size()); };
    std::function<void(QLayout*, QList<QWidget*>&)> managed = [&](QLayout* l, QList<QWidget*>& out) {
      for (int i = 0; i < l->count(); ++i) {
        QLayoutItem* item = l->itemAt(i);
        if (item->widget() && item->widget()->isVisibleTo(&w)) out << item->widget();
        if (item->layout()) managed(item->layout(), out);
      }
    };
    QStringList overlaps, jumps;
    int findings = 0;
    for (int page = 0; page < MainWindow::PageCount; ++page) {
      w.showPage(static_cast<MainWindow::Page>(page));
      QApplication::processEvents();
      for (QWidget* parent : w.findChildren<QWidget*>()) {
        if (!parent->isVisibleTo(&w) || !parent->layout()) continue;
        QList<QWidget*> kids;
        managed(parent->layout(), kids);
        for (int a = 0; a < kids.size(); ++a)
          for (int b = a + 1; b < kids.size(); ++b)
            if (inWindow(kids[a]).intersects(inWindow(kids[b])))
              overlaps << QStringLiteral("page %1: %2 over %3")
                              .arg(page)
                              .arg(kids[a]->metaObject()->className(), kids[b]->metaObject()->className());
      }
      for (QTabWidget* tabs : w.findChildren<QTabWidget*>()) {
        if (!tabs->isVisibleTo(&w) || tabs->count() < 2) continue;
        QHash<QWidget*, QRect> before;
        for (QWidget* x : w.findChildren<QWidget*>())
          if (x->isVisibleTo(&w) && !tabs->isAncestorOf(x) && x != tabs) before[x] = inWindow(x);
        const int was = tabs->currentIndex();
        for (int t = 0; t < tabs->count(); ++t) {
          tabs->setCurrentIndex(t);
          QApplication::processEvents();
          for (auto it = before.cbegin(); it != before.cend(); ++it)
            if (it.key()->isVisibleTo(&w) && inWindow(it.key()) != it.value())
              jumps << QStringLiteral("page %1, tab %2: %3 moved").arg(page).arg(tabs->tabText(t),
                                                                                it.key()->metaObject()->className());
        }
        tabs->setCurrentIndex(was);
        QApplication::processEvents();
      }
      // Findings that come and go (none, or many lines: the labels panels name "findings")
      // scroll in their own room and move nothing else.
      for (QLabel* label : w.findChildren<QLabel*>(QStringLiteral("findings"))) {
        if (!label->isVisibleTo(&w)) continue;
        ++findings;
        QWidget* room = label;
        for (QWidget* p = label->parentWidget(); p; p = p->parentWidget())
          if (qobject_cast<QScrollArea*>(p)) {
            room = p;
            break;
          }
        QHash<QWidget*, QRect> before;
        for (QWidget* x : w.findChildren<QWidget*>())
          if (x->isVisibleTo(&w) && !room->isAncestorOf(x) && x != room) before[x] = inWindow(x);
        const QString was = label->text();
        label->setText(QStringLiteral("A finding<br>").repeated(9));
        QApplication::processEvents();
        for (auto it = before.cbegin(); it != before.cend(); ++it)
          if (it.key()->isVisibleTo(&w) && inWindow(it.key()) != it.value())
            jumps << QStringLiteral("page %1, nine lines in a label: %2 moved").arg(page).arg(it.key()->metaObject()->className());
        label->setText(was);
        QApplication::processEvents();
      }
    }
    QVERIFY(findings >= 1);
    overlaps.removeDuplicates();
    jumps.removeDuplicates();
    QVERIFY2(overlaps.isEmpty(), qPrintable(overlaps.join(" | ")));
    QVERIFY2(jumps.isEmpty(), qPrintable(jumps.join(" | ")));
  }

  void switchingToKoreanTranslatesTheWindow() {
    QVERIFY(installLanguage("ko"));
    MainWindow korean(m_wb.get());
    auto* nav = korean.findChild<QListWidget*>("navigation");
    QVERIFY(nav);
    const QString first = nav->item(0)->text();
    QVERIFY2(first != "Models", qPrintable(first));
    bool hangul = false;
    for (QChar c : first) hangul = hangul || (c.unicode() >= 0xAC00 && c.unicode() <= 0xD7A3);
    QVERIFY2(hangul, qPrintable(first));
    QVERIFY(installLanguage("en"));
    MainWindow english(m_wb.get());
    QCOMPARE(english.findChild<QListWidget*>("navigation")->item(0)->text(), QString("Models"));
  }

  void settingsAreVersioned() {
    QSettings s;
    s.clear();
    s.setValue("workspace_dir", "/old/place");  // layout 0
    AppSettings a = AppSettings::load(s);
    QCOMPARE(a.workspace, QString("/old/place"));
    a.theme = "dark";
    a.save(s);
    QCOMPARE(s.value("settings_version").toInt(), AppSettings::kVersion);
    QVERIFY(!s.contains("workspace_dir"));
    QCOMPARE(AppSettings::load(s).theme, QString("dark"));
    s.setValue("theme", "purple");
    QCOMPARE(AppSettings::load(s).theme, QString("system"));
  }
};

int main(int argc, char** argv) {
  fm::ensureRuntimeEnvironment(argc, argv);
  QApplication app(argc, argv);
  QApplication::setOrganizationName("FM Workbench Tests");
  fm::initRuntime(2);
  TestGuiWorkbench t;
  return QTest::qExec(&t, argc, argv);
}
#include "test_gui_workbench.moc"
