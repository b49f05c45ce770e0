#include "shell/main_window.h"

#include <QAction>
#include <algorithm>
#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QTimer>
#include <QMimeData>
#include <QPainter>
#include <QProcess>
#include <QPushButton>
#include <QPlainTextEdit>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QSplitter>
#include <QVBoxLayout>

#include "datasets/datasets_panel.h"
#include "shell/demo_banner.h"
#include "finetune/finetune_panel.h"
#include "finetune/loss_chart.h"
#include "models/models_panel.h"
#include "playground/playground_panel.h"
#include "collections/collections_panel.h"
#include "vision/image_text_panel.h"
#include "shell/settings_dialog.h"
#include "shell/workbench.h"

namespace fm::ui {

namespace {

// Draws the progress cell as a bar and the cancel cell as a button.
class JobsDelegate : public QStyledItemDelegate {
 public:
  using QStyledItemDelegate::QStyledItemDelegate;
  void paint(QPainter* p, const QStyleOptionViewItem& opt, const QModelIndex& idx) const override {
    if (idx.column() == JobsModel::Progress) {
      QStyleOptionProgressBar bar;
      bar.rect = opt.rect.adjusted(2, 3, -2, -3);
      bar.minimum = 0;
      bar.maximum = 100;
      const QVariant v = idx.data();
      bar.progress = v.isValid() ? v.toInt() : 0;
      if (!v.isValid()) bar.maximum = 0;  // busy indicator
      bar.text = v.isValid() ? QStringLiteral("%1%").arg(v.toInt()) : QString();
      bar.textVisible = v.isValid();
      bar.state = opt.state | QStyle::State_Horizontal;
      QApplication::style()->drawControl(QStyle::CE_ProgressBar, &bar, p);
      return;
    }
    if (idx.column() == JobsModel::Cancel && !idx.data().toString().isEmpty()) {
      QStyleOptionButton b;
      b.rect = opt.rect.adjusted(2, 2, -2, -2);
      b.text = idx.data().toString();
      b.state = QStyle::State_Enabled | QStyle::State_Raised;
      QApplication::style()->drawControl(QStyle::CE_PushButton, &b, p);
      return;
    }
    QStyledItemDelegate::paint(p, opt, idx);
  }
};

}  // namespace

MainWindow::MainWindow(Workbench* wb, QWidget* parent) : QMainWindow(parent), m_wb(wb) {
  setWindowTitle(tr("FM Workbench"));
  setAcceptDrops(true);
  setObjectName(QStringLiteral("MainWindow"));

  auto* split = new QSplitter(this);
  m_nav = new QListWidget(split);
  m_nav->setObjectName(QStringLiteral("navigation"));
  m_nav->setMaximumWidth(170);
  m_nav->setStyleSheet(QStringLiteral("QListWidget { font-size: 11pt; } QListWidget::item { padding: 8px; }"));
  m_stack = new QStackedWidget(split);
  // The panels, in sidebar order (the order of MainWindow::Page). A new panel is one line here.
  struct PageSpec {
    const char* title;
    QWidget* (*make)(Workbench*, QWidget*);
  };
  static const PageSpec kPages[] = {
      {QT_TR_NOOP("Models"), [](Workbench* w, QWidget* p) -> QWidget* { return new ModelsPanel(w, p); }},
      {QT_TR_NOOP("Datasets"), [](Workbench* w, QWidget* p) -> QWidget* { return new DatasetsPanel(w, p); }},
      {QT_TR_NOOP("Fine-tune"), [](Workbench* w, QWidget* p) -> QWidget* { return new FinetunePanel(w, p); }},
      {QT_TR_NOOP("Collections"), [](Workbench* w, QWidget* p) -> QWidget* { return new CollectionsPanel(w, p); }},
      {QT_TR_NOOP("Image + Text"), [](Workbench* w, QWidget* p) -> QWidget* { return new ImageTextPanel(w, p); }},
      {QT_TR_NOOP("Playground"), [](Workbench* w, QWidget* p) -> QWidget* { return new PlaygroundPanel(w, p); }},
  };
  static_assert(sizeof(kPages) / sizeof(kPages[0]) == PageCount, "one entry per MainWindow::Page");
  for (const PageSpec& page : kPages) {
    m_nav->addItem(tr(page.title));
    m_stack->addWidget(page.make(wb, m_stack));
  }
  // The sidebar fits its longest name in every language, at any window size.
  m_nav->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  m_nav->setMinimumWidth(std::min(170, m_nav->sizeHintForColumn(0) + 2 * m_nav->frameWidth() + 20));
  m_models = qobject_cast<ModelsPanel*>(m_stack->widget(Models));
  m_datasets = qobject_cast<DatasetsPanel*>(m_stack->widget(Datasets));
  m_finetune = qobject_cast<FinetunePanel*>(m_stack->widget(Finetune));
  m_playground = qobject_cast<PlaygroundPanel*>(m_stack->widget(Playground));
  m_collections = qobject_cast<CollectionsPanel*>(m_stack->widget(Collections));
  m_imageText = qobject_cast<ImageTextPanel*>(m_stack->widget(ImageText));
  split->setStretchFactor(0, 0);
  split->setStretchFactor(1, 1);
  split->setSizes({170, 1110});
  connect(m_nav, &QListWidget::currentRowChanged, m_stack, &QStackedWidget::setCurrentIndex);
  m_nav->setCurrentRow(0);
  // The demo banner sits above the panels, where a new user looks first.
  auto* central = new QWidget(this);
  auto* column = new QVBoxLayout(central);
  column->setContentsMargins(0, 0, 0, 0);
  column->setSpacing(0);
  m_banner = new DemoBanner(wb, central);
  column->addWidget(m_banner);
  column->addWidget(split, 1);
  setCentralWidget(central);
  connect(m_banner, &DemoBanner::openFinetune, this, [this] { showPage(Finetune); });
  connect(m_banner, &DemoBanner::retry, this, &MainWindow::startWithDemo);

  // Jobs area.
  auto* jobsDock = new QDockWidget(tr("Jobs"), this);
  jobsDock->setObjectName(QStringLiteral("jobsDock"));
  m_jobsView = new QTableView(jobsDock);
  m_jobsView->setModel(wb->jobs()->model());
  m_jobsView->setMinimumHeight(60);  // two rows; the panels above need the height more
  m_jobsView->setItemDelegate(new JobsDelegate(m_jobsView));
  m_jobsView->verticalHeader()->hide();
  m_jobsView->setSelectionMode(QAbstractItemView::NoSelection);
  m_jobsView->horizontalHeader()->setSectionResizeMode(JobsModel::Title, QHeaderView::Stretch);
  m_jobsView->horizontalHeader()->resizeSection(JobsModel::Progress, 160);
  connect(m_jobsView, &QTableView::clicked, this, [wb](const QModelIndex& idx) {
    if (idx.column() != JobsModel::Cancel) return;
    if (Job* j = wb->jobs()->model()->jobAt(idx.row())) j->cancel();
  });
  connect(wb->jobs()->model(), &QAbstractItemModel::rowsInserted, m_jobsView, [this] { m_jobsView->scrollToBottom(); });
  jobsDock->setWidget(m_jobsView);
  addDockWidget(Qt::BottomDockWidgetArea, jobsDock);

  auto* logDock = new QDockWidget(tr("Log"), this);
  logDock->setObjectName(QStringLiteral("logDock"));
  m_log = new QPlainTextEdit(logDock);
  m_log->setReadOnly(true);
  m_log->setMaximumBlockCount(5000);
  logDock->setWidget(m_log);
  addDockWidget(Qt::BottomDockWidgetArea, logDock);
  tabifyDockWidget(jobsDock, logDock);
  jobsDock->raise();
  resizeDocks({jobsDock}, {150}, Qt::Vertical);  // about four jobs; the panels get the rest
  connect(wb->jobs(), &JobRunner::logLine, this, &MainWindow::appendLog);

  // Menus.
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("Import a model folder…"), this, [this] {
    showPage(Models);
    m_models->chooseFolder();
  });
  file->addAction(tr("Open a dataset…"), this, [this] {
    showPage(Datasets);
    m_datasets->chooseFile();
  });
  file->addAction(tr("Use the built-in demo"), this, [this] { startWithDemo(); });
  file->addSeparator();
  file->addAction(tr("Settings…"), this, &MainWindow::openSettings);
  file->addSeparator();
  file->addAction(tr("Quit"), this, &QWidget::close);
  QMenu* view = menuBar()->addMenu(tr("&View"));
  view->addAction(jobsDock->toggleViewAction());
  view->addAction(logDock->toggleViewAction());
  view->addSeparator();
  m_presentation = view->addAction(tr("Presentation mode"), this, [this](bool on) { setPresentation(on); });
  m_presentation->setCheckable(true);
  m_presentation->setShortcut(QKeySequence(Qt::Key_F5));
  m_presentation->setToolTip(tr("Large text and thick chart lines, readable from the back of a room (F5)"));
  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("About FM Workbench"), this, [this] {
    QMessageBox::about(this, tr("About FM Workbench"),
                       tr("FM Workbench: pre-train, adapt, ground and deploy foundation models on "
                          "your own computer, offline.\n\nWorkspace: %1")
                           .arg(m_wb->workspace()));
  });

  m_status = new QLabel(this);
  statusBar()->addPermanentWidget(m_status);
  auto updateStatus = [this] {
    const int n = m_wb->jobs()->model()->activeCount();
    m_status->setText(n ? tr("%n job(s) running", "", n) : tr("Ready"));
  };
  connect(wb->jobs()->model(), &QAbstractItemModel::dataChanged, this, updateStatus);
  connect(wb->jobs()->model(), &QAbstractItemModel::rowsInserted, this, updateStatus);
  updateStatus();

  connect(wb, &Workbench::modelLoaded, this, [this](const QString& d) { appendLog(tr("Model ready: %1").arg(d)); });
  connect(wb, &Workbench::modelFailed, this,
          [this](const QString& d, const QString& m) { appendLog(tr("Model refused: %1 — %2").arg(d, m)); });
  connect(m_datasets, &DatasetsPanel::useForTraining, this, [this] { showPage(Finetune); });
  connect(m_finetune, &FinetunePanel::tryInPlayground, this, [this](const QString& adapter) {
    m_playground->setAdapter(adapter);
    showPage(Playground);
  });
  resize(1280, 820);
}

void MainWindow::showPage(Page p) { m_nav->setCurrentRow(p); }

// Presentation mode: every text 1.4 times larger and the chart's lines and labels thicker.
void MainWindow::setPresentation(bool on) {
  if (m_baseFontSize <= 0) m_baseFontSize = QApplication::font().pointSizeF();
  QFont f = QApplication::font();
  f.setPointSizeF(m_baseFontSize * (on ? 1.4 : 1.0));
  QApplication::setFont(f);
  m_finetune->chart()->setPresentation(on);
  m_nav->setMinimumWidth(std::min(on ? 240 : 170, m_nav->sizeHintForColumn(0) + 2 * m_nav->frameWidth() + 20));
  m_nav->setMaximumWidth(on ? 240 : 170);
  m_nav->setStyleSheet(QStringLiteral("QListWidget { font-size: %1pt; } QListWidget::item { padding: 8px; }").arg(on ? 15 : 11));
  if (m_presentation->isChecked() != on) m_presentation->setChecked(on);
}
MainWindow::Page MainWindow::currentPage() const { return static_cast<Page>(m_nav->currentRow()); }

void MainWindow::appendLog(const QString& line) {
  m_log->appendPlainText(QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss  ")) + line);
}

bool MainWindow::importPath(const QString& path) {
  const QFileInfo fi(path);
  if (fi.isDir()) {
    showPage(Models);
    m_models->importFolder(path);
    return true;
  }
  if (fi.isFile()) {
    showPage(Datasets);
    m_datasets->openFile(path);
    return true;
  }
  appendLog(tr("Nothing to import at %1").arg(path));
  return false;
}

void MainWindow::startWithDemo() {
  if (m_wb->demoReady()) {
    useDemo();
    return;
  }
  appendLog(tr("Preparing the built-in demo: datasets and a tiny model trained from scratch."));
  Job* job = m_wb->prepareDemo();
  if (!job) {
    useDemo();
    return;
  }
  connect(job, &Job::finished, this, [this](Job::State s, const QString& msg) {
    if (s == Job::State::Completed) useDemo();
    else appendLog(tr("The demo could not be prepared: %1").arg(msg.isEmpty() ? Job::stateName(s) : msg));
  });
}

void MainWindow::useDemo() {
  m_models->importFolder(m_wb->demoModelDir());
  m_datasets->openDemo();
  m_finetune->applyDemo();
}

void MainWindow::openSettings() {
  SettingsDialog dlg(m_wb->settings(), this);
  if (dlg.exec() != QDialog::Accepted) return;
  const AppSettings before = m_wb->settings();
  m_wb->settings() = dlg.result();
  m_wb->saveSettings();
  if (before.language != m_wb->settings().language) {
    QMessageBox ask(QMessageBox::Question, tr("Language"),
                    tr("The new language is used from the next start. Restart FM Workbench now?"), QMessageBox::NoButton,
                    this);
    QPushButton* now = ask.addButton(tr("Restart now"), QMessageBox::AcceptRole);
    ask.addButton(tr("Later"), QMessageBox::RejectRole);
    ask.exec();
    if (ask.clickedButton() == now) restart();
  }
  if (before.theme != m_wb->settings().theme) applyTheme(m_wb->settings().theme);
  if (before.workspace != m_wb->settings().workspace) appendLog(tr("Workspace: %1").arg(m_wb->workspace()));
}

// Starts a new copy with the same arguments once this one has closed (jobs stop first, as on
// any close; a training run keeps its checkpoint).
void MainWindow::restart() {
  m_restart = true;
  close();
}

// The same program with the same arguments, less a --language given for the last session (the
// language just chosen in Settings applies).
static void startAgain() {
  QStringList args = QCoreApplication::arguments().mid(1);
  for (int i = 0; i < args.size();) {
    if (args[i] == QStringLiteral("--language") && i + 1 < args.size()) args.erase(args.begin() + i, args.begin() + i + 2);
    else if (args[i].startsWith(QStringLiteral("--language="))) args.removeAt(i);
    else ++i;
  }
  QProcess::startDetached(QCoreApplication::applicationFilePath(), args);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* e) {
  if (e->mimeData()->hasUrls()) e->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* e) {
  for (const QUrl& u : e->mimeData()->urls())
    if (u.isLocalFile()) importPath(u.toLocalFile());
  e->acceptProposedAction();
}

void MainWindow::closeEvent(QCloseEvent* e) {
  JobRunner* jobs = m_wb->jobs();
  if (jobs->model()->activeCount() == 0 && jobs->waitForDone(0)) {
    e->accept();
    if (m_restart) startAgain();
    m_restart = false;
    return;
  }
  e->ignore();
  if (m_closing) return;  // already winding down
  if (confirmClose) {
    const auto answer = QMessageBox::question(
        this, tr("Jobs are running"),
        tr("Stop the running jobs and quit? A training run stops at its next step and keeps a "
           "checkpoint you can resume."));
    if (answer != QMessageBox::Yes) {
      m_restart = false;  // not closing, so not restarting either
      return;
    }
  }
  // The jobs stop on their own threads; the window stays responsive (and says so) and closes
  // itself once the last one has finished. The GUI thread never waits for them.
  m_closing = true;
  jobs->cancelAll();
  centralWidget()->setEnabled(false);
  m_status->setText(tr("Stopping the running jobs, then closing…"));
  auto* poll = new QTimer(this);
  connect(poll, &QTimer::timeout, this, [this, poll, jobs] {
    // Jobs that finishing jobs start (a comparison after a run) are stopped too.
    jobs->cancelAll();
    if (jobs->model()->activeCount() > 0 || !jobs->waitForDone(0)) return;
    poll->stop();
    close();
  });
  poll->start(50);
}

}  // namespace fm::ui
