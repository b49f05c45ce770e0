#include "shell/gui_driver.h"

#include <QDialog>
#include <QLabel>
#include <QTabWidget>

#include "collections/chunk_map_view.h"
#include "collections/collections_panel.h"
#include "vision/captioner_trainer.h"
#include "vision/image_text_panel.h"
#include "vision/thumbnail_model.h"
#include "rag/demo_collection.h"
#include "util/paths.h"
#include "rag/handbook.h"
#include "bridge/paths.h"
#include <QLocale>

#include "arch/loaded_model.h"

#include <QFileInfo>

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QDir>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPixmap>
#include <QTableView>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <functional>

#include "datasets/datasets_panel.h"
#include "finetune/finetune_panel.h"
#include "finetune/loss_chart.h"
#include "models/models_panel.h"
#include "playground/playground_panel.h"
#include "shell/main_window.h"
#include "shell/workbench.h"
#include "train/demo.h"
#include "train/trainer.h"

namespace fm::ui {

StallMeter::StallMeter(int periodMs) : m_period(periodMs) {}
StallMeter::~StallMeter() { delete m_timer; }

void StallMeter::start() {
  m_gaps.clear();
  m_clock.start();
  m_last = -1;
  if (!m_timer) {
    m_timer = new QTimer();
    m_timer->setTimerType(Qt::PreciseTimer);
    m_timer->setInterval(m_period);
    QObject::connect(m_timer, &QTimer::timeout, [this] {
      const qint64 now = m_clock.nsecsElapsed();
      if (m_last >= 0) m_gaps.push_back((now - m_last) / 1e6);
      m_last = now;
    });
  }
  m_timer->start();
}

void StallMeter::stop() {
  if (m_timer) m_timer->stop();
}

double StallMeter::maxMs() const { return m_gaps.isEmpty() ? 0 : *std::max_element(m_gaps.begin(), m_gaps.end()); }

double StallMeter::percentileMs(double p) const {
  if (m_gaps.isEmpty()) return 0;
  QVector<double> s = m_gaps;
  std::sort(s.begin(), s.end());
  const int i = std::min(static_cast<int>(s.size()) - 1, static_cast<int>(p / 100.0 * s.size()));
  return s[i];
}

namespace {

// Runs the event loop until `done` holds or `timeoutMs` passes; true when done. The loop
// sleeps between events, as app.exec() does: a busy loop here would take a core from the jobs.
bool spinUntil(const std::function<bool()>& done, int timeoutMs) {
  QElapsedTimer t;
  t.start();
  QTimer tick;  // wakes the loop to look at `done` and the clock
  tick.start(20);
  while (!done()) {
    if (t.elapsed() > timeoutMs) return false;
    QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents);
  }
  return true;
}

bool prepareDemo(Workbench& wb) {
  if (wb.demoReady()) return true;
  std::fprintf(stderr, "preparing the demo model in %s ...\n", qPrintable(wb.workspace()));
  Job* j = wb.prepareDemo();
  bool ok = false, finished = false;
  QObject::connect(j, &Job::finished, [&](Job::State s) {
    ok = s == Job::State::Completed;
    finished = true;
  });
  spinUntil([&] { return finished; }, 30 * 60 * 1000);
  return ok;
}

bool loadDemo(Workbench& wb, MainWindow& w) {
  bool loaded = false;
  auto c = QObject::connect(&wb, &Workbench::modelLoaded, [&] { loaded = true; });
  w.startWithDemo();
  const bool ok = spinUntil([&] { return loaded && wb.dataChoice().path.size() > 0; }, 120000);
  QObject::disconnect(c);
  if (!ok) std::fprintf(stderr, "the demo model or dataset did not open in time\n");
  return ok;
}

void print(const QJsonObject& o) {
  std::printf("%s\n", QJsonDocument(o).toJson(QJsonDocument::Compact).constData());
  std::fflush(stdout);
}

}  // namespace

int runGuiBenchmark(Workbench& wb, MainWindow& w, const QString& what, int steps, const QElapsedTimer& sinceMain,
                    const QString& model) {
  if (what == "collections") {
    // The GUI thread's longest stalls while a generated handbook is added to a collection and
    // while it is searched and asked (with the demo language model).
    if (model.isEmpty()) {
      std::fprintf(stderr, "--bench collections needs --bench-model EMBEDDER_DIR\n");
      return 2;
    }
    if (!prepareDemo(wb) || !loadDemo(wb, w)) return 1;
    CollectionsPanel* cp = w.collectionsPanel();
    w.showPage(MainWindow::Collections);
    const QString docs = QDir(wb.workspace()).filePath(QStringLiteral("datasets/.bench-handbook"));
    QDir(docs).removeRecursively();
    fm::rag::HandbookOptions ho;
    ho.documents = steps > 0 ? std::min(steps, 200) : 30;
    ho.sectionsPerDocument = 4;
    fm::rag::writeHandbook(toPath(docs), ho);
    const QString dir = QDir(cp->collectionsDir()).filePath(QStringLiteral("bench-collection"));
    QDir(dir).removeRecursively();
    bool ready = false;
    auto c = QObject::connect(cp, &CollectionsPanel::documentsShown, [&] { ready = true; });
    if (!cp->createCollection(QStringLiteral("bench-collection"), model, {}, 128, 16, false)) return 1;
    spinUntil([&] { return ready; }, 120000);
    ready = false;
    StallMeter ingest, query;
    ingest.start();
    Job* add = cp->addPaths({docs});
    if (!add) return 1;
    spinUntil([&] { return ready && !add->isActive(); }, 30 * 60 * 1000);
    ingest.stop();
    QObject::disconnect(c);
    int searches = 0, answers = 0;
    auto c1 = QObject::connect(cp, &CollectionsPanel::searchShown, [&] { ++searches; });
    auto c2 = QObject::connect(cp, &CollectionsPanel::answerFinished, [&] { ++answers; });
    auto errorShown = [&] { return cp->statusLabel()->text().contains(QStringLiteral("c92a2a")); };
    query.start();
    for (int i = 0; i < 10; ++i) {
      const int before = searches;
      cp->search(QStringLiteral("Which floor is the Finance office on? %1").arg(i));
      spinUntil([&] { return searches > before; }, 60000);
    }
    for (int i = 0; i < 3; ++i) {
      const int before = answers;
      if (!cp->ask(QStringLiteral("How long does Payroll take to answer a request?"))) break;
      spinUntil([&] { return answers > before || errorShown(); }, 120000);
    }
    query.stop();
    QObject::disconnect(c1);
    QObject::disconnect(c2);
    print({{"bench", "collections"},
           {"documents", ho.documents},
           {"ingest_seconds", add->elapsedSeconds()},
           {"stall_max_ms_while_ingesting", ingest.maxMs()},
           {"stall_p99_ms_while_ingesting", ingest.percentileMs(99)},
           {"searches", searches},
           {"answers", answers},
           {"stall_max_ms_while_searching_and_answering", query.maxMs()},
           {"stall_p99_ms_while_searching_and_answering", query.percentileMs(99)}});
    QDir(dir).removeRecursively();
    QDir(docs).removeRecursively();
    return 0;
  }
  if (what == "startup") {
    // The window is shown by the caller; wait for its first paint.
    spinUntil([&] { return w.isVisible(); }, 10000);
    QCoreApplication::processEvents();
    print({{"bench", "startup"}, {"ms_to_first_window", static_cast<double>(sinceMain.elapsed())}});
    return 0;
  }
  if (what == "first-loss") {
    const bool fresh = !wb.demoReady();
    if (!prepareDemo(wb) || !loadDemo(wb, w)) return 1;
    const double readyMs = sinceMain.elapsed();
    bool point = false;
    QObject::connect(w.finetunePanel()->chart(), &LossChart::pointAdded, [&] { point = true; });
    w.showPage(MainWindow::Finetune);
    if (!w.finetunePanel()->start()) {
      std::fprintf(stderr, "the fine-tune did not start\n");
      return 1;
    }
    if (!spinUntil([&] { return point; }, 120000)) {
      std::fprintf(stderr, "no loss point within two minutes\n");
      return 1;
    }
    const double ms = sinceMain.elapsed();
    w.finetunePanel()->cancel();
    spinUntil([&] { return !w.finetunePanel()->currentJob(); }, 60000);
    print({{"bench", "first-loss"}, {"demo_prepared_in_this_run", fresh}, {"ms_to_demo_ready", readyMs},
           {"ms_to_first_loss_point", ms}});
    return 0;
  }
  if (what != "gui") {
    std::fprintf(stderr, "unknown benchmark %s (gui | startup | first-loss)\n", qPrintable(what));
    return 2;
  }
  if (!prepareDemo(wb) || !loadDemo(wb, w)) return 1;
  // With the window: the Fine-tune panel runs the same config, its chart live. Run 1: nothing
  // else happens (throughput against headless). Run 2: the playground streams answers and the
  // panels switch meanwhile (the stall figures).
  FinetunePanel* ft = w.finetunePanel();
  PlaygroundPanel* pg = w.playgroundPanel();
  pg->setPrompt(QStringLiteral("Review: The phone was great.\nSentiment:"));
  pg->maxTokens()->setValue(48);
  const QString guiRun = QDir(wb.workspace()).filePath(QStringLiteral("runs/.bench-gui"));
  auto guiRunOnce = [&](bool busy, StallMeter& meter, int& generations) -> double {
    ft->applyDemo();
    ft->setSetting("max_steps", steps);
    ft->setSetting("eval_every", 0);
    ft->setSetting("eval_at_start", false);
    ft->setSetting("save_every", 0);
    QDir(guiRun).removeRecursively();
    ft->setSetting("out_dir", guiRun);
    w.showPage(MainWindow::Finetune);
    meter.start();
    if (!ft->start()) return -1;
    QTimer gen, flip;
    gen.setInterval(200);
    QObject::connect(&gen, &QTimer::timeout, [&] {
      if (pg->generate()) ++generations;
    });
    int pages = 0;
    flip.setInterval(700);
    QObject::connect(&flip, &QTimer::timeout,
                     [&] { w.showPage(static_cast<MainWindow::Page>(++pages % MainWindow::PageCount)); });
    if (busy) {
      gen.start();
      flip.start();
    }
    spinUntil([&] { return ft->currentJob() == nullptr; }, 30 * 60 * 1000);
    gen.stop();
    flip.stop();
    meter.stop();
    spinUntil([&] { return wb.jobs()->model()->activeCount() == 0; }, 60000);
    // The run's speed from its own metrics: the same figure the trainer reports headless.
    double tokens = 0;
    QFile f(guiRun + QStringLiteral("/metrics.jsonl"));
    if (f.open(QIODevice::ReadOnly))
      while (!f.atEnd()) {
        const QJsonObject e = QJsonDocument::fromJson(f.readLine()).object();
        if (e.value("event").toString() == "log") tokens = e.value("tokens_per_s").toDouble();
      }
    QDir(guiRun).removeRecursively();
    return tokens;
  };
  // Headless: the same trainer and config, no window involved.
  auto headlessOnce = [&]() -> double {
    fm::TrainConfig cfg = fm::demoFinetuneConfig(fm::DemoPaths(toPath(wb.workspace())));
    cfg.maxSteps = steps;
    cfg.evalEvery = 0;
    cfg.evalAtStart = false;
    cfg.saveEvery = 0;
    cfg.threads = wb.settings().threads;
    const QString tmp = QDir(wb.workspace()).filePath(QStringLiteral("runs/.bench-headless"));
    QDir(tmp).removeRecursively();
    cfg.outDir = tmp.toStdString();
    const double t = fm::train(cfg, {}).tokensPerS;
    QDir(tmp).removeRecursively();
    return t;
  };
  // Shared machines drift: headless and windowed runs alternate, and the median of the
  // per-pair ratios is the figure.
  StallMeter quietMeter, meter;
  int none = 0, generations = 0;
  QJsonArray pairs;
  std::vector<double> ratios;
  double headlessTokens = 0, guiTokens = 0;
  for (int k = 0; k < 3; ++k) {
    headlessTokens = headlessOnce();
    guiTokens = guiRunOnce(false, quietMeter, none);
    ratios.push_back(headlessTokens > 0 ? guiTokens / headlessTokens : 0);
    pairs.append(QJsonArray{headlessTokens, guiTokens});
  }
  std::sort(ratios.begin(), ratios.end());
  const double busyTokens = guiRunOnce(true, meter, generations);
  print({{"bench", "gui"},
         {"steps", steps},
         {"stall_max_ms", meter.maxMs()},
         {"stall_p99_ms", meter.percentileMs(99)},
         {"stall_p50_ms", meter.percentileMs(50)},
         {"loop_samples", meter.samples()},
         {"generations_during_training", generations},
         {"headless_and_gui_tokens_per_s", pairs},
         {"gui_quiet_stall_max_ms", quietMeter.maxMs()},
         {"gui_busy_tokens_per_s", busyTokens},
         {"gui_over_headless_median", ratios[1]}});
  return 0;
}

// The Collections panel with a generated handbook in a collection made with `embedder`: a search
// and an answer from the demo model.
template <typename Shot>
bool shootCollections(Workbench& wb, MainWindow& w, const QString& embedder, const QString& shotDir, const Shot& shot) {
  CollectionsPanel* cp = w.collectionsPanel();
  w.showPage(MainWindow::Collections);
  const QString docs = QDir(wb.workspace()).filePath(QStringLiteral("datasets/handbook"));
  fm::rag::HandbookOptions ho;
  ho.documents = 5;
  fm::rag::writeHandbook(toPath(docs), ho);
  const QString dir = QDir(cp->collectionsDir()).filePath(QStringLiteral("handbook"));
  if (!QFileInfo::exists(dir)) {
    bool made = false;
    auto c = QObject::connect(cp, &CollectionsPanel::documentsShown, [&] { made = true; });
    if (!cp->createCollection(QStringLiteral("handbook"), embedder, {}, 128, 16, false)) return false;
    spinUntil([&] { return made; }, 120000);
    QObject::disconnect(c);
  } else {
    cp->selectCollection(dir);
  }
  bool added = false;
  auto c1 = QObject::connect(cp, &CollectionsPanel::documentsShown, [&] { added = true; });
  // A damaged file among them, to show how one is reported.
  QFile broken(QDir(docs).filePath(QStringLiteral("minutes-2019.pdf")));
  if (broken.open(QIODevice::WriteOnly)) broken.write("%PDF-1.4\n1 0 obj << /Type /Catalog");
  broken.close();
  Job* job = cp->addPaths({docs});
  if (!job) return false;
  spinUntil([&] { return added && !job->isActive(); }, 10 * 60 * 1000);
  QObject::disconnect(c1);
  bool searched = false;
  auto c2 = QObject::connect(cp, &CollectionsPanel::searchShown, [&] { searched = true; });
  cp->search(QStringLiteral("Which floor is the Finance office on?"));
  spinUntil([&] { return searched; }, 120000);
  QObject::disconnect(c2);
  shot(QStringLiteral("collections"));
  // The first result opened in place (for a PDF: its page with the passage marked).
  bool opened = false;
  auto c4 = QObject::connect(cp, &CollectionsPanel::sourceShown, [&] { opened = true; });
  cp->openResult(0);
  spinUntil([&] { return opened; }, 60000);
  QObject::disconnect(c4);
  for (QWidget* top : QApplication::topLevelWidgets())
    if (auto* d = qobject_cast<QDialog*>(top); d && d->isVisible()) {
      spinUntil([] { return false; }, 300);
      const QString file = QDir(shotDir).filePath(QStringLiteral("collections-source.png"));
      std::printf("%s %s\n", d->grab().save(file) ? "wrote" : "could not write", qPrintable(file));
      d->close();
    }
  bool answered = false;
  auto c3 = QObject::connect(cp, &CollectionsPanel::answerFinished, [&] { answered = true; });
  cp->findChild<QTabWidget*>()->setCurrentIndex(1);
  cp->ask(QStringLiteral("Which floor is the Finance office on?"));
  spinUntil([&] { return answered; }, 120000);
  QObject::disconnect(c3);
  shot(QStringLiteral("collections-ask"));
  // The map with the question and what it found (after a search, the marks are its hits).
  bool mapped = false;
  auto c5 = QObject::connect(cp, &CollectionsPanel::mapShown, [&] { mapped = true; });
  cp->search(QStringLiteral("Which floor is the Finance office on?"));
  cp->tabs()->setCurrentWidget(cp->mapView()->parentWidget());
  spinUntil([&] { return mapped && cp->mapView()->markCount() > 0; }, 120000);
  QObject::disconnect(c5);
  shot(QStringLiteral("collections-map"));
  return true;
}

int takeScreenshots(Workbench& wb, MainWindow& w, const QString& dir, const QStringList& extraModels,
                    const QStringList& pages) {
  QDir().mkpath(dir);
  auto want = [&](const char* page) { return pages.isEmpty() || pages.contains(QLatin1String(page)); };
  const bool languageModelPages = want("models") || want("datasets") || want("finetune") || want("playground");
  if (languageModelPages && (!prepareDemo(wb) || !loadDemo(wb, w))) return 1;
  auto shot = [&](const QString& name) {
    spinUntil([] { return false; }, 300);
    const bool ok = w.grab().save(QDir(dir).filePath(name + QStringLiteral(".png")));
    std::printf("%s %s\n", ok ? "wrote" : "could not write", qPrintable(QDir(dir).filePath(name + ".png")));
    // What keeps the window from being smaller: the smallest size each part accepts.
    std::printf("  window %dx%d, smallest %dx%d\n", w.width(), w.height(), w.minimumSizeHint().width(),
                w.minimumSizeHint().height());
    for (QWidget* part : w.findChildren<QWidget*>(QString(), Qt::FindDirectChildrenOnly))
      if (part->isVisible() && part->minimumSizeHint().height() > 150)
        std::printf("  %s: smallest %dx%d\n", part->metaObject()->className(), part->minimumSizeHint().width(),
                    part->minimumSizeHint().height());
  };
  // Image + Text with the demo: a tiny CLIP trained here on drawn shapes, its held-out pictures
  // labelled, searched and evaluated.
  if (want("image-text")) {
    ImageTextPanel* ip = w.imageTextPanel();
    w.showPage(MainWindow::ImageText);
    bool ready = false, labelled = false, found = false, evaluated = false;
    auto c1 = QObject::connect(ip, &ImageTextPanel::demoReady, [&] { ready = true; });
    auto c2 = QObject::connect(ip, &ImageTextPanel::labelsShown, [&] { labelled = true; });
    auto c3 = QObject::connect(ip, &ImageTextPanel::searchShown, [&] { found = true; });
    auto c4 = QObject::connect(ip, &ImageTextPanel::evaluationShown, [&] { evaluated = true; });
    ip->prepareDemo();
    spinUntil([&] { return ready; }, 15 * 60 * 1000);
    spinUntil([&] { return ip->thumbnails()->rowCount() > 0; }, 60000);  // the folder is listed on a worker
    ip->labelPictures();
    spinUntil([&] { return labelled; }, 120000);
    ip->selectPicture(13);
    spinUntil([&] { return ip->thumbnails()->loadedCount() >= 20; }, 20000);
    shot(QStringLiteral("image-text-labels"));
    ip->tabs()->setCurrentIndex(1);
    ip->search(QStringLiteral("a yellow triangle"));
    spinUntil([&] { return found; }, 120000);
    shot(QStringLiteral("image-text-search"));
    ip->evaluateFolder();
    spinUntil([&] { return evaluated; }, 120000);
    shot(QStringLiteral("image-text-evaluate"));
    // Captions from the demo's own captioner (the demo opened it), written beside the pictures.
    ip->tabs()->setCurrentIndex(3);
    bool captioned = false;
    auto c5 = QObject::connect(ip, &ImageTextPanel::captionsWritten, [&] { captioned = true; });
    spinUntil([&] { return ip->hasCaptioner(); }, 60000);
    ip->captionFolder();
    spinUntil([&] { return captioned; }, 300000);
    shot(QStringLiteral("image-text-captions"));
    // Training a captioner again, from the demo's CLIP and language model: chart and samples.
    ip->tabs()->setCurrentIndex(4);
    bool trained = false;
    auto c6 = QObject::connect(ip->captionerTrainer(), &CaptionerTrainer::trained, [&] { trained = true; });
    ip->captionerTrainer()->train();
    spinUntil([&] { return trained; }, 600000);
    shot(QStringLiteral("image-text-train"));
    for (const auto& c : {c1, c2, c3, c4, c5, c6}) QObject::disconnect(c);
  }
  // Pictures inside a collection: the demo collection with the image demo's held-out shapes
  // added; a search lists the passages and the closest pictures, an answer shows them below it.
  // Needs a workspace where both demos were made (`fmw collection demo`, `fmw vision demo`).
  if (!pages.isEmpty() && want("collections-pictures")) {
    const fm::rag::CollectionDemoPaths demo(toPath(wb.workspace()));
    const QString clip = QDir(wb.workspace()).filePath(QStringLiteral("models/demo-clip"));
    const QString shapes = QDir(wb.workspace()).filePath(QStringLiteral("datasets/demo-shapes/test"));
    if (!QFileInfo::exists(fromPath(demo.reader / "config.json")) || !QFileInfo::exists(clip) ||
        !QFileInfo::exists(shapes)) {
      std::printf("collections-pictures: make the collection demo and the image demo in this workspace first\n");
      return 1;
    }
    CollectionsPanel* cp = w.collectionsPanel();
    w.showPage(MainWindow::Collections);
    bool ready = false, loaded = false, shown = false, searched = false, answered = false;
    auto c1 = QObject::connect(cp, &CollectionsPanel::demoCollectionReady, [&] { ready = true; });
    auto c2 = QObject::connect(&wb, &Workbench::modelLoaded, [&] { loaded = true; });
    auto c3 = QObject::connect(cp, &CollectionsPanel::documentsShown, [&] { shown = true; });
    auto c4 = QObject::connect(cp, &CollectionsPanel::searchShown, [&] { searched = true; });
    auto c5 = QObject::connect(cp, &CollectionsPanel::answerFinished, [&] { answered = true; });
    cp->prepareDemoCollection();
    spinUntil([&] { return ready; }, 10 * 60 * 1000);
    spinUntil([&] { return loaded || (wb.model() && wb.model()->info().dir.find("demo-reader") != std::string::npos); }, 60000);
    shown = false;
    Job* add = cp->addPictures(shapes, clip);
    if (!add) return 1;
    spinUntil([&] { return shown && !add->isActive(); }, 10 * 60 * 1000);
    cp->tabs()->setCurrentIndex(0);
    cp->search(QStringLiteral("a red circle"));
    spinUntil([&] { return searched; }, 120000);
    shot(QStringLiteral("collections-pictures"));
    cp->tabs()->setCurrentIndex(1);
    cp->ask(QStringLiteral("a red circle above a blue square"));
    spinUntil([&] { return answered; }, 120000);
    shot(QStringLiteral("collections-pictures-ask"));
    for (const auto& c : {c1, c2, c3, c4, c5}) QObject::disconnect(c);
  }
  // Adding the demo handbook's folder to its collection again: the report says what was added,
  // updated, left unchanged or found moved (in a workspace moved since the demo was made, all nine).
  if (!pages.isEmpty() && want("collections-add")) {
    const fm::rag::CollectionDemoPaths demo(toPath(wb.workspace()));
    if (!QFileInfo::exists(fromPath(demo.collection)) || !QFileInfo::exists(fromPath(demo.docs))) {
      std::printf("collections-add: make the collection demo in this workspace first\n");
      return 1;
    }
    CollectionsPanel* cp = w.collectionsPanel();
    w.showPage(MainWindow::Collections);
    int shows = 0;
    auto c1 = QObject::connect(cp, &CollectionsPanel::documentsShown, [&] { ++shows; });
    // Opened, then synced with its files (documents whose folder is gone are kept and listed).
    cp->selectCollection(fromPath(demo.collection));
    spinUntil([&] { return shows >= 2; }, 60000);
    shot(QStringLiteral("collections-sync"));
    const int before = shows;
    Job* add = cp->addPaths({fromPath(demo.docs)});
    if (!add) return 1;
    spinUntil([&] { return shows > before && !add->isActive(); }, 10 * 60 * 1000);
    shot(QStringLiteral("collections-add"));
    QObject::disconnect(c1);
  }
  // Preparing the demo collection in a workspace without its reader: the panel's message and the
  // job's progress once the reader's pretraining has begun; then stopped (it resumes next time).
  if (!pages.isEmpty() && want("collections-demo-start")) {
    const fm::rag::CollectionDemoPaths demo(toPath(wb.workspace()));
    CollectionsPanel* cp = w.collectionsPanel();
    w.showPage(MainWindow::Collections);
    Job* job = cp->prepareDemoCollection();
    if (!job) return 1;
    const QString run = fromPath(demo.readerRun(1));
    spinUntil([&] { return QFileInfo::exists(run + QStringLiteral("/metrics.jsonl")) || !job->isActive(); },
              10 * 60 * 1000);
    spinUntil([] { return false; }, 3000);
    shot(QStringLiteral("collections-demo-start"));
    job->cancel();
    spinUntil([&] { return !job->isActive(); }, 120000);
  }
  if (!languageModelPages && !want("collections")) return 0;

  ModelsPanel* mp = w.modelsPanel();
  mp->tokenizerInput()->setPlainText(QStringLiteral("Although the battery was hardly reliable, the camera is superb."));
  w.showPage(MainWindow::Models);
  shot(QStringLiteral("models"));

  DatasetsPanel* dp = w.datasetsPanel();
  w.showPage(MainWindow::Datasets);
  bool analyzed = false;
  QObject::connect(dp, &DatasetsPanel::analyzed, [&] { analyzed = true; });
  dp->table()->selectRow(3);
  dp->analyze();
  spinUntil([&] { return analyzed; }, 120000);
  shot(QStringLiteral("datasets"));

  FinetunePanel* ft = w.finetunePanel();
  ft->applyDemo();
  w.showPage(MainWindow::Finetune);
  bool compared = false;
  QObject::connect(ft, &FinetunePanel::comparisonReady, [&] { compared = true; });
  if (!ft->start()) return 1;
  spinUntil([&] { return ft->chart()->trainPoints() > 60; }, 10 * 60 * 1000);
  shot(QStringLiteral("finetune-live"));
  spinUntil([&] { return compared; }, 20 * 60 * 1000);
  shot(QStringLiteral("finetune"));

  PlaygroundPanel* pg = w.playgroundPanel();
  pg->setAdapter(ft->currentRun() + QStringLiteral("/adapter"));
  pg->sideBySide()->setChecked(true);
  pg->mode()->setCurrentIndex(0);
  pg->temperature()->setValue(0);
  pg->maxTokens()->setValue(3);
  pg->setPrompt(QStringLiteral("The plot was not boring, but the ending is dreadful."));
  w.showPage(MainWindow::Playground);
  bool done = false;
  QObject::connect(pg, &PlaygroundPanel::generationFinished, [&] { done = true; });
  pg->generate();
  spinUntil([&] { return done; }, 120000);
  shot(QStringLiteral("playground"));

  for (const QString& extra : extraModels) {
    bool opened = false, tried = false;
    auto c1 = QObject::connect(&wb, &Workbench::modelOpened, [&] { opened = true; });
    auto c2 = QObject::connect(mp, &ModelsPanel::similarityShown, [&] { tried = true; });
    auto c3 = QObject::connect(mp, &ModelsPanel::rankingShown, [&] { tried = true; });
    w.showPage(MainWindow::Models);
    mp->importFolder(extra);
    spinUntil([&] { return opened; }, 120000);
    const auto kind = wb.openedModel() ? wb.openedModel()->kind() : fm::ModelKind::CausalLM;
    if (kind == fm::ModelKind::TextEncoder) mp->compareSentences();
    if (kind == fm::ModelKind::SequenceClassifier) mp->scorePassages();
    if (kind != fm::ModelKind::CausalLM) spinUntil([&] { return tried; }, 120000);
    QObject::disconnect(c1);
    QObject::disconnect(c2);
    QObject::disconnect(c3);
    shot(kind == fm::ModelKind::TextEncoder ? QStringLiteral("models-embedder")
         : kind == fm::ModelKind::SequenceClassifier ? QStringLiteral("models-reranker")
                                                     : QStringLiteral("models-") + QFileInfo(extra).fileName());
    if (kind == fm::ModelKind::TextEncoder && !shootCollections(wb, w, extra, dir, shot)) return 1;
  }
  // The demo collection, when this workspace has its models already (`fmw collection demo`):
  // a question in each language answered by the demo reader, and the map.
  const fm::rag::CollectionDemoPaths demo(toPath(wb.workspace()));
  if (QFileInfo::exists(QString::fromStdString(fm::utf8(demo.reader / "config.json")))) {
    CollectionsPanel* cp = w.collectionsPanel();
    w.showPage(MainWindow::Collections);
    bool ready = false, answered = false, loaded = false;
    auto c1 = QObject::connect(cp, &CollectionsPanel::demoCollectionReady, [&] { ready = true; });
    auto c2 = QObject::connect(cp, &CollectionsPanel::answerFinished, [&] { answered = true; });
    auto c3 = QObject::connect(&wb, &Workbench::modelLoaded, [&] { loaded = true; });
    cp->prepareDemoCollection();
    spinUntil([&] { return ready; }, 10 * 60 * 1000);
    spinUntil([&] { return loaded || (wb.model() && wb.model()->info().dir.find("demo-reader") != std::string::npos); }, 60000);
    cp->tabs()->setCurrentIndex(1);
    const bool korean = QLocale().language() == QLocale::Korean;
    cp->ask(korean ? QStringLiteral("재무팀 사무실은 몇 층에 있나요?") : QStringLiteral("How many members does the Facilities team have?"));
    spinUntil([&] { return answered; }, 120000);
    shot(QStringLiteral("collections-demo-ask"));
    QObject::disconnect(c1);
    QObject::disconnect(c2);
    QObject::disconnect(c3);
  }
  return 0;
}

}  // namespace fm::ui
