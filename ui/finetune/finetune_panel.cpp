#include "finetune/finetune_panel.h"
#include "widgets/steady_tabs.h"
#include "bridge/core_text.h"
#include "bridge/paths.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QDoubleValidator>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>

#include "finetune/loss_chart.h"
#include "shell/workbench.h"
#include "train/compare.h"
#include "train/demo.h"
#include "train/trainer.h"

namespace fm::ui {

namespace {

nlohmann::json toNl(const QJsonObject& o) {
  return nlohmann::json::parse(QJsonDocument(o).toJson(QJsonDocument::Compact).toStdString());
}

QJsonObject toQt(const nlohmann::json& j) {
  return QJsonDocument::fromJson(QByteArray::fromStdString(j.dump())).object();
}

// Plain words for every setting: what it does, and when to change it.
QString tooltipFor(const QString& key) {
  static const QMap<QString, const char*> tips = {
      {"model", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "The model folder to start from. The Models panel sets it.")},
      {"data", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "The dataset file. The Datasets panel sets it with its template.")},
      {"format", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "How to read the file. 'auto' decides from the file name and content.")},
      {"prompt_template", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "What the model reads; {column} is replaced by the row's value.")},
      {"completion_template", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "What the model learns to answer. Only these tokens are trained on.")},
      {"chat_template", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "For chat data: format rows with the model's own chat template and train on the assistant's turns.")},
      {"train_on_prompt", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Also learn to predict the prompt. Usually off.")},
      {"skip_bad_rows", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Skip rows that cannot be read (they are counted and listed) instead of stopping.")},
      {"validation_fraction", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Share of rows held back to measure progress on unseen text. 0.1 = 10%.")},
      {"max_length", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Longest row in tokens; longer rows are cut. Lower it if memory runs short.")},
      {"method", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "lora: train small adapters, fast and light (recommended). full: train every weight.")},
      {"lora_r", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Adapter rank: how much the adapter can learn. 8-16 is typical; higher learns more but is slower.")},
      {"lora_alpha", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Adapter strength. Often twice the rank.")},
      {"lora_dropout", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Randomly drops adapter inputs while training, against overfitting. 0-0.1.")},
      {"lora_target_modules", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Which layers get adapters: names like q_proj, v_proj, or all-linear.")},
      {"use_rslora", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Rank-stabilised scaling (alpha/sqrt(r)); helps with high ranks.")},
      {"epochs", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "How many times to go through the training rows. More helps small datasets, until it overfits.")},
      {"max_steps", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Stop after this many steps instead (-1: use epochs).")},
      {"batch_size", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Rows per step. Larger is smoother but needs more memory.")},
      {"grad_accum", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Add up several batches before each update: a bigger batch without more memory.")},
      {"lr", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Learning rate: the size of each update. Too high and the loss jumps or turns NaN; too low and nothing is learned.")},
      {"schedule", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "How the learning rate changes over the run: constant, linear decay or cosine decay.")},
      {"warmup_steps", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Steps at the start with a rising learning rate, for a gentle start.")},
      {"warmup_ratio", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Warmup as a share of all steps (used when warmup steps is 0).")},
      {"weight_decay", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Pulls weights toward zero a little each step, against overfitting.")},
      {"max_grad_norm", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Caps the size of each update (gradient clipping). 1.0 is a safe default; 0 turns it off.")},
      {"adam_beta1", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "AdamW momentum. Rarely changed.")},
      {"adam_beta2", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "AdamW second-moment decay. Rarely changed.")},
      {"adam_eps", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "AdamW epsilon. Rarely changed.")},
      {"seed", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Fixes every random choice: the same seed and settings give the same run.")},
      {"log_every", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Add a point to the chart every this many steps.")},
      {"eval_every", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Measure on the validation rows every this many steps (0: only at the start and the end).")},
      {"eval_at_start", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Measure the model before training, to compare before and after.")},
      {"eval_max_rows", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Validation rows used per measurement (-1: all). Fewer is faster.")},
      {"save_every", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Save a checkpoint every this many steps, to resume after a stop or crash (0: by time only).")},
      {"save_minutes", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Also save a checkpoint after this many minutes of training, so a crash loses minutes, not the run (0: off).")},
      {"keep_checkpoints", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "How many checkpoints to keep on disk.")},
      {"out_dir", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "The run folder. Empty: a new folder under runs/ in the workspace.")},
      {"threads", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "CPU threads for training (0: the application's setting).")},
      {"memory_limit_gb", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Refuse settings that need more memory than this (0: the memory this computer has free).")},
  };
  auto it = tips.find(key);
  return it == tips.end() ? QString() : FinetunePanel::tr(it.value());
}

// Plain words for the form's labels (the settings file keeps the keys).
QString labelFor(const QString& key) {
  static const QMap<QString, const char*> labels = {
      {"model", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Model")},
      {"data", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Data")},
      {"format", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "File format")},
      {"prompt_template", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Prompt template")},
      {"completion_template", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Answer template")},
      {"chat_template", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Use the chat template")},
      {"train_on_prompt", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Also learn the prompt")},
      {"skip_bad_rows", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Skip unreadable rows")},
      {"validation_fraction", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Held-back share")},
      {"max_length", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Longest row (tokens)")},
      {"method", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Method")},
      {"lora_r", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "LoRA rank")},
      {"lora_alpha", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "LoRA strength (alpha)")},
      {"lora_dropout", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "LoRA dropout")},
      {"lora_target_modules", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Layers with adapters")},
      {"use_rslora", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Rank-stabilised scaling")},
      {"epochs", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Passes over the data (epochs)")},
      {"max_steps", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Step limit")},
      {"batch_size", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Rows per step (batch)")},
      {"grad_accum", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Batches per update")},
      {"lr", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Learning rate")},
      {"schedule", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Learning-rate schedule")},
      {"warmup_steps", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Warm-up steps")},
      {"warmup_ratio", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Warm-up share")},
      {"weight_decay", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Weight decay")},
      {"max_grad_norm", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Largest update (gradient clipping)")},
      {"adam_beta1", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "AdamW momentum (beta1)")},
      {"adam_beta2", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "AdamW beta2")},
      {"adam_eps", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "AdamW epsilon")},
      {"seed", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Random seed")},
      {"log_every", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Chart point every (steps)")},
      {"eval_every", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Measure every (steps)")},
      {"eval_at_start", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Measure before training")},
      {"eval_max_rows", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Rows per measurement")},
      {"save_every", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Save every (steps)")},
      {"save_minutes", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Save every (minutes)")},
      {"keep_checkpoints", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Checkpoints to keep")},
      {"out_dir", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Run folder")},
      {"threads", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "CPU threads")},
      {"memory_limit_gb", QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "Memory limit (GB)")},
  };
  auto it = labels.find(key);
  if (it != labels.end()) return FinetunePanel::tr(it.value());
  QString s = key;
  s.replace(QLatin1Char('_'), QLatin1Char(' '));
  s[0] = s[0].toUpper();
  return s;
}

// What a number field's special value means, in words (the spin box shows it instead of -1 or 0).
struct SpecialValue {
  int value;
  const char* text;
};
const QMap<QString, SpecialValue>& specialValues() {
  static const QMap<QString, SpecialValue> m = {
      {"max_steps", {-1, QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "no limit (use the passes)")}},
      {"eval_max_rows", {-1, QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "all rows")}},
      {"eval_every", {0, QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "at the start and the end")}},
      {"save_every", {0, QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "by time only")}},
      {"save_minutes", {0, QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "off")}},
      {"threads", {0, QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "the application's setting")}},
      {"warmup_steps", {0, QT_TRANSLATE_NOOP("fm::ui::FinetunePanel", "none (or the warm-up share)")}},
  };
  return m;
}

const QStringList kDataKeys = {"model", "data", "prompt_template", "completion_template", "max_length",
                               "validation_fraction", "train_on_prompt", "chat_template", "skip_bad_rows", "format"};
const QStringList kLoraKeys = {"method", "lora_r", "lora_alpha", "lora_dropout", "lora_target_modules", "use_rslora"};
const QStringList kOptimKeys = {"epochs", "max_steps", "batch_size", "grad_accum", "lr", "schedule", "warmup_steps",
                                "warmup_ratio", "weight_decay", "max_grad_norm", "adam_beta1", "adam_beta2", "adam_eps", "seed"};

// A run's name: the one the user gave it, else what it trained and when
// ("demo-tiny-llama · reviews.csv · LoRA · Nov 26 00:07").
QString runName(const QString& dir) {
  QFile named(dir + QStringLiteral("/name.txt"));
  if (named.open(QIODevice::ReadOnly)) {
    const QString n = QString::fromUtf8(named.readAll()).trimmed();
    if (!n.isEmpty()) return n;
  }
  QFile f(dir + QStringLiteral("/config.json"));
  if (!f.open(QIODevice::ReadOnly)) return QFileInfo(dir).fileName();
  const QJsonObject c = QJsonDocument::fromJson(f.readAll()).object();
  const QString method = c.value(QStringLiteral("method")).toString() == QStringLiteral("full")
                             ? FinetunePanel::tr("full training")
                             : QStringLiteral("LoRA");
  // The folder's own time stamp (run-yyyyMMdd-HHmmss), else when it was made.
  QDateTime when = QDateTime::fromString(QFileInfo(dir).fileName().section(QLatin1Char('-'), 1), QStringLiteral("yyyyMMdd-HHmmss"));
  if (!when.isValid()) when = QFileInfo(dir).birthTime().isValid() ? QFileInfo(dir).birthTime() : QFileInfo(dir).lastModified();
  return QStringLiteral("%1 · %2 · %3 · %4")
      .arg(QFileInfo(c.value(QStringLiteral("model")).toString()).fileName(),
           QFileInfo(c.value(QStringLiteral("data")).toString()).fileName(), method,
           QLocale().toString(when, QLocale::ShortFormat));
}

QString formatPerplexity(double p) {
  // Perplexity for people: "1.40", "152" or "1.5 × 10⁵", never a wall of digits.
  if (p < 100) return QString::number(p, 'f', 2);
  if (p < 100000) return QString::number(p, 'f', 0);
  const int e = static_cast<int>(std::floor(std::log10(p)));
  return QStringLiteral("%1 × 10^%2").arg(p / std::pow(10.0, e), 0, 'f', 1).arg(e);
}

}  // namespace

// The outcome of a finished run, the same whether it just ended or was opened from the history.
QString FinetunePanel::outcomeHtml(const Measure& a, const Measure& b, qint64 steps, double seconds, double tokensPerS,
                                   const QString& output) {
  QString text;
  if (a.accuracy >= 0 && b.accuracy >= 0)
    text = tr("<b>Validation accuracy: base %1% → fine-tuned %2%</b>").arg(a.accuracy * 100, 0, 'f', 1).arg(b.accuracy * 100, 0, 'f', 1);
  else if (b.accuracy >= 0)
    text = tr("<b>Validation accuracy after fine-tuning: %1%</b>").arg(b.accuracy * 100, 0, 'f', 1);
  if (a.loss >= 0 && b.loss >= 0)
    text += tr("<br>Eval loss %1 → %2 (perplexity %3 → %4)")
                .arg(a.loss, 0, 'f', 3).arg(b.loss, 0, 'f', 3).arg(formatPerplexity(a.perplexity), formatPerplexity(b.perplexity));
  text += tr("<br>%1 steps in %2, %3 tokens/s. Output: %4")
              .arg(steps).arg(Job::formatDuration(seconds)).arg(tokensPerS, 0, 'f', 0).arg(output.toHtmlEscaped());
  return text;
}

namespace {

QString runStatus(const QString& dir) {
  if (QFileInfo::exists(dir + "/adapter/adapter_config.json") || QFileInfo::exists(dir + "/model/config.json"))
    return FinetunePanel::tr("finished");
  if (!QDir(dir).entryList({QStringLiteral("checkpoint-*")}, QDir::Dirs).isEmpty()) return FinetunePanel::tr("can resume");
  return FinetunePanel::tr("no checkpoint");
}

}  // namespace

FinetunePanel::FinetunePanel(Workbench* wb, QWidget* parent) : QWidget(parent), m_wb(wb) {
  setObjectName(QStringLiteral("FinetunePanel"));
  auto* split = new QSplitter(this);

  // Left: presets, the settings, and the buttons.
  auto* left = new QWidget(split);
  auto* lv = new QVBoxLayout(left);
  auto* presetRow = new QHBoxLayout;
  m_preset = new QComboBox(left);
  m_preset->addItem(tr("Class demo"), "class");
  m_preset->addItem(tr("Quick demo"), "quick");
  m_preset->addItem(tr("Balanced"), "balanced");
  m_preset->addItem(tr("Thorough"), "thorough");
  m_preset->setToolTip(tr("Class demo: about a minute on two cores, and the demo model still goes from guessing to "
                          "right. Quick demo: a short first try. Balanced: a good first real run. Thorough: more "
                          "epochs and a larger adapter for the best result. The time each took here is shown once "
                          "it has run."));
  refreshPresetTimes();
  presetRow->addWidget(new QLabel(tr("Preset"), left));
  presetRow->addWidget(m_preset, 1);
  lv->addLayout(presetRow);
  auto* tabs = new QTabWidget(left);
  QFormLayout* forms[4];
  const QString names[4] = {tr("Data"), tr("Adapter"), tr("Training"), tr("Run")};
  for (int i = 0; i < 4; ++i) {
    auto* scroll = new QScrollArea(tabs);
    auto* inner = new QWidget(scroll);
    forms[i] = new QFormLayout(inner);
    scroll->setWidget(inner);
    scroll->setWidgetResizable(true);
    tabs->addTab(scroll, names[i]);
  }
  buildForm(forms[0], forms[1], forms[2], forms[3]);
  lv->addWidget(tabs, 1);
  m_error = new QLabel(left);
  m_error->setWordWrap(true);
  m_error->setStyleSheet(QStringLiteral("color:#c92a2a"));
  m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_error->hide();
  lv->addWidget(m_error);
  auto* buttons = new QHBoxLayout;
  m_start = new QPushButton(tr("Start"), left);
  m_start->setToolTip(tr("Start a new run with these settings"));
  m_cancel = new QPushButton(tr("Cancel"), left);
  m_cancel->setToolTip(tr("Stop at the next step; a checkpoint is kept so the run can be resumed"));
  m_cancel->setEnabled(false);
  m_resume = new QPushButton(tr("Resume"), left);
  m_resume->setToolTip(tr("Continue the run selected in the history (or the last one) from its last checkpoint"));
  buttons->addWidget(m_start);
  buttons->addWidget(m_cancel);
  buttons->addWidget(m_resume);
  lv->addLayout(buttons);

  // Right: chart, progress, outcome, log, history.
  auto* right = new QWidget(split);
  auto* rv = new QVBoxLayout(right);
  m_chart = new LossChart(right);
  m_chart->setMinimumHeight(220);
  rv->addWidget(m_chart, 3);
  auto* prog = new QHBoxLayout;
  m_progress = new QProgressBar(right);
  m_progress->setRange(0, 1000);
  m_progress->setValue(0);
  m_progress->setFormat(QString());
  m_speed = new QLabel(right);
  prog->addWidget(m_progress, 2);
  prog->addWidget(m_speed, 3);
  rv->addLayout(prog);
  auto* bottom = new SteadyTabs(right);
  auto* outcome = new QWidget(bottom);
  auto* ov = new QVBoxLayout(outcome);
  m_result = new QLabel(tr("When a run ends, its accuracy before and after and a few answers appear here."), outcome);
  m_result->setWordWrap(true);
  m_result->setTextFormat(Qt::RichText);
  m_generations = new QTableWidget(0, 4, outcome);
  m_generations->setHorizontalHeaderLabels({tr("Prompt"), tr("Expected"), tr("Base model"), tr("Fine-tuned")});
  // The key slide of a class: every answer readable in full, wrapped, the prompt widest.
  m_generations->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  m_generations->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
  m_generations->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_generations->setWordWrap(true);
  m_generations->setTextElideMode(Qt::ElideNone);
  m_generations->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  auto* exportRow = new QHBoxLayout;
  m_exportAdapter = new QPushButton(tr("Export adapter (PEFT)…"), outcome);
  m_exportMerged = new QPushButton(tr("Export merged model…"), outcome);
  m_tryIt = new QPushButton(tr("Try it in the Playground"), outcome);
  for (auto* b : {m_exportAdapter, m_exportMerged, m_tryIt}) {
    b->setEnabled(false);
    exportRow->addWidget(b);
  }
  ov->addWidget(m_result);
  ov->addWidget(m_generations, 1);
  ov->addLayout(exportRow);
  bottom->addTab(outcome, tr("Outcome"));
  m_log = new QPlainTextEdit(bottom);
  m_log->setReadOnly(true);
  m_log->setMaximumBlockCount(3000);
  bottom->addTab(m_log, tr("Log"));
  auto* hist = new QWidget(bottom);
  auto* hv = new QVBoxLayout(hist);
  m_history = new QListWidget(hist);
  m_history->setSelectionMode(QAbstractItemView::ExtendedSelection);
  m_history->setToolTip(tr("Select a run to replay its chart; select two and press Compare"));
  auto* hb = new QHBoxLayout;
  auto* compare = new QPushButton(tr("Compare two runs"), hist);
  auto* rename = new QPushButton(tr("Rename…"), hist);
  rename->setToolTip(tr("Give the selected run a name of your own"));
  auto* refresh = new QPushButton(tr("Refresh"), hist);
  hb->addWidget(compare);
  hb->addWidget(rename);
  hb->addWidget(refresh);
  hv->addWidget(m_history, 1);
  hv->addLayout(hb);
  bottom->addTab(hist, tr("Run history"));
  rv->addWidget(bottom, 2);
  split->setStretchFactor(0, 2);
  split->setStretchFactor(1, 5);
  left->setMinimumWidth(330);
  auto* top = new QVBoxLayout(this);
  top->addWidget(split);

  connect(m_preset, qOverload<int>(&QComboBox::activated), this,
          [this](int) { applyPreset(m_preset->currentData().toString()); });
  connect(m_start, &QPushButton::clicked, this, [this] { start(); });
  m_start->setProperty("idleTip", m_start->toolTip());
  m_resume->setProperty("idleTip", m_resume->toolTip());
  connect(wb, &Workbench::demoPreparing, this, &FinetunePanel::updateButtons);
  connect(wb, &Workbench::demoPrepared, this, &FinetunePanel::updateButtons);
  connect(wb, &Workbench::demoFailed, this, &FinetunePanel::updateButtons);
  updateButtons();
  connect(m_cancel, &QPushButton::clicked, this, &FinetunePanel::cancel);
  connect(m_resume, &QPushButton::clicked, this, [this] {
    QString dir = m_runDir;
    if (auto* it = m_history->currentItem()) dir = it->data(Qt::UserRole).toString();
    if (dir.isEmpty()) {
      m_error->setText(tr("Choose a run in the history to resume."));
      m_error->show();
      return;
    }
    resume(dir);
  });
  connect(m_exportAdapter, &QPushButton::clicked, this, &FinetunePanel::exportAdapter);
  connect(m_exportMerged, &QPushButton::clicked, this, &FinetunePanel::exportMerged);
  connect(m_tryIt, &QPushButton::clicked, this, [this] { Q_EMIT tryInPlayground(m_output); });
  connect(m_history, &QListWidget::itemSelectionChanged, this, [this] {
    if (m_job) return;  // the live run owns the chart
    const auto items = m_history->selectedItems();
    if (items.size() == 1) openRun(items[0]->data(Qt::UserRole).toString());
  });
  connect(rename, &QPushButton::clicked, this, [this] {
    auto* it = m_history->currentItem();
    if (!it) return;
    const QString dir = it->data(Qt::UserRole).toString();
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Rename the run"), tr("Name"), QLineEdit::Normal, runName(dir), &ok);
    if (!ok || name.trimmed().isEmpty()) return;
    QSaveFile f(dir + QStringLiteral("/name.txt"));
    if (f.open(QIODevice::WriteOnly) && f.write(name.trimmed().toUtf8()) >= 0 && f.commit()) refreshHistory();
    else m_log->appendPlainText(tr("Could not rename %1: %2").arg(dir, f.errorString()));
  });
  connect(compare, &QPushButton::clicked, this, [this] {
    const auto items = m_history->selectedItems();
    if (items.size() != 2 || m_job) return;
    m_chart->replay(items[0]->data(Qt::UserRole).toString());
    m_chart->overlay(items[1]->data(Qt::UserRole).toString(), items[1]->text().section(QStringLiteral(" — "), 0, 0));
  });
  connect(refresh, &QPushButton::clicked, this, &FinetunePanel::refreshHistory);
  connect(wb, &Workbench::modelLoaded, this, [this](const QString& dir) {
    if (m_job)
      m_pendingModel = dir;  // applied when the run ends
    else
      setSetting(QStringLiteral("model"), dir);
  });
  connect(wb, &Workbench::dataChosen, this, &FinetunePanel::fromDataChoice);
  connect(m_chart, &LossChart::overfittingDetected, this, [this](double step) {
    m_log->appendPlainText(tr("Eval loss has risen since step %1 while train loss keeps falling: the model is "
                              "starting to memorise (overfitting). Fewer epochs or more data would help.")
                               .arg(step));
  });
  applyPreset(QStringLiteral("balanced"));
  refreshHistory();
}

void FinetunePanel::buildForm(QFormLayout* data, QFormLayout* lora, QFormLayout* optim, QFormLayout* book) {
  const nlohmann::json typed = fm::TrainConfig().toJson();  // keeps integer and real apart
  const QJsonObject defaults = toQt(typed);
  const QMap<QString, QStringList> choices = {{"method", {"lora", "full"}},
                                              {"schedule", {"constant", "linear", "cosine"}},
                                              {"format", {"auto", "csv", "tsv", "jsonl", "json", "text"}}};
  // The groups' own order first (model and data before the fine print), then the rest.
  QStringList order = kDataKeys + kLoraKeys + kOptimKeys;
  for (auto it = defaults.begin(); it != defaults.end(); ++it)
    if (!order.contains(it.key())) order << it.key();
  for (const QString& key : order) {
    if (!defaults.contains(key)) continue;
    const QJsonValue v = defaults.value(key);
    QWidget* w = nullptr;
    if (choices.contains(key)) {
      auto* c = new QComboBox(this);
      c->addItems(choices[key]);
      c->setCurrentText(v.toString());
      w = c;
    } else if (v.isBool()) {
      auto* c = new QCheckBox(this);
      c->setChecked(v.toBool());
      w = c;
    } else if (typed.at(key.toStdString()).is_number_integer()) {
      auto* s = new QSpinBox(this);
      const auto special = specialValues().find(key);
      s->setRange(special != specialValues().end() ? special->value : 0, 1 << 30);
      if (special != specialValues().end()) s->setSpecialValueText(tr(special->text));
      s->setValue(v.toInt());
      w = s;
    } else if (v.isDouble()) {
      auto* e = new QLineEdit(QString::number(v.toDouble(), 'g', 8), this);
      e->setValidator(new QDoubleValidator(e));
      w = e;
    } else if (v.isArray()) {
      QStringList parts;
      for (const QJsonValue& x : v.toArray()) parts << x.toString();
      w = new QLineEdit(parts.join(QStringLiteral(", ")), this);
    } else if (key == "prompt_template") {
      auto* e = new QPlainTextEdit(v.toString(), this);
      e->setMaximumHeight(60);
      w = e;
    } else {
      w = new QLineEdit(v.toString(), this);
    }
    w->setObjectName(key);
    w->setToolTip(tooltipFor(key));
    m_fields[key] = w;
    QFormLayout* f = kDataKeys.contains(key) ? data : kLoraKeys.contains(key) ? lora : kOptimKeys.contains(key) ? optim : book;
    auto* label = new QLabel(labelFor(key), this);
    label->setToolTip(tooltipFor(key));
    if (key == "model" || key == "data") {
      // The two fields a run cannot do without can be chosen, not only typed.
      auto* row = new QWidget(this);
      row->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
      auto* h = new QHBoxLayout(row);
      h->setContentsMargins(0, 0, 0, 0);
      auto* browse = new QPushButton(tr("Browse…"), row);
      browse->setObjectName(key + QStringLiteral("Browse"));
      h->addWidget(w, 1);
      h->addWidget(browse);
      auto* edit = qobject_cast<QLineEdit*>(w);
      connect(browse, &QPushButton::clicked, this, [this, key, edit] {
        const QString now = edit->text().trimmed();
        const QString picked =
            key == "model" ? QFileDialog::getExistingDirectory(this, tr("Choose a model folder"), now)
                           : QFileDialog::getOpenFileName(this, tr("Choose the training data"), now,
                                                          tr("Datasets (*.csv *.tsv *.jsonl *.json *.txt)"));
        if (!picked.isEmpty()) edit->setText(picked);
      });
      f->addRow(label, row);
      continue;
    }
    f->addRow(label, w);
  }
}

void FinetunePanel::setSetting(const QString& key, const QVariant& value) {
  QWidget* w = m_fields.value(key);
  if (auto* c = qobject_cast<QComboBox*>(w)) c->setCurrentText(value.toString());
  else if (auto* b = qobject_cast<QCheckBox*>(w)) b->setChecked(value.toBool());
  else if (auto* s = qobject_cast<QSpinBox*>(w)) s->setValue(value.toInt());
  else if (auto* p = qobject_cast<QPlainTextEdit*>(w)) p->setPlainText(value.toString());
  else if (auto* e = qobject_cast<QLineEdit*>(w))
    e->setText(value.typeId() == QMetaType::Double ? QString::number(value.toDouble(), 'g', 8)
               : value.typeId() == QMetaType::QStringList ? value.toStringList().join(QStringLiteral(", "))
                                                          : value.toString());
}

QVariant FinetunePanel::setting(const QString& key) const {
  QWidget* w = m_fields.value(key);
  if (auto* c = qobject_cast<QComboBox*>(w)) return c->currentText();
  if (auto* b = qobject_cast<QCheckBox*>(w)) return b->isChecked();
  if (auto* s = qobject_cast<QSpinBox*>(w)) return s->value();
  if (auto* p = qobject_cast<QPlainTextEdit*>(w)) return p->toPlainText();
  if (auto* e = qobject_cast<QLineEdit*>(w)) return e->text();
  return {};
}

QJsonObject FinetunePanel::configJson() const {
  const QJsonObject defaults = toQt(fm::TrainConfig().toJson());
  QJsonObject o;
  for (auto it = defaults.begin(); it != defaults.end(); ++it) {
    const QString key = it.key();
    const QVariant v = setting(key);
    if (it.value().isBool()) {
      o[key] = v.toBool();
    } else if (it.value().isArray()) {
      QJsonArray a;
      for (const QString& part : v.toString().split(QLatin1Char(','), Qt::SkipEmptyParts)) a.append(part.trimmed());
      o[key] = a;
    } else if (it.value().isDouble()) {
      bool ok = false;
      const double d = QLocale::c().toDouble(v.toString().trimmed(), &ok);
      const double d2 = ok ? d : QLocale().toDouble(v.toString().trimmed(), &ok);
      o[key] = ok ? QJsonValue(d2) : QJsonValue(v.toString());  // the trainer names the bad field
    } else {
      o[key] = v.toString();
    }
  }
  return o;
}

void FinetunePanel::applyPreset(const QString& name) {
  struct P {
    int r, alpha, epochs, batch, evalEvery, saveEvery, logEvery;
    double lr;
    const char* targets;
    const char* schedule;
  };
  const P p = name == "class"   ? P{16, 32, 7, 16, 300, 300, 5, 1e-3, "all-linear", "cosine"}
            : name == "quick" ? P{8, 16, 2, 16, 50, 100, 5, 1e-3, "all-linear", "cosine"}
            : name == "thorough" ? P{32, 64, 5, 8, 200, 200, 10, 2e-4, "all-linear", "cosine"}
                                 : P{16, 32, 3, 8, 100, 200, 10, 2e-4, "all-linear", "cosine"};
  setSetting("method", "lora");
  setSetting("lora_r", p.r);
  setSetting("lora_alpha", static_cast<double>(p.alpha));
  setSetting("lora_target_modules", QString::fromLatin1(p.targets));
  setSetting("epochs", p.epochs);
  setSetting("batch_size", p.batch);
  setSetting("lr", p.lr);
  setSetting("schedule", QString::fromLatin1(p.schedule));
  setSetting("warmup_steps", 10);
  setSetting("eval_every", p.evalEvery);
  setSetting("save_every", p.saveEvery);
  setSetting("log_every", p.logEvery);
  setSetting("eval_max_rows", name == "class" ? 120 : name == "quick" ? 240 : 500);
  m_preset->setCurrentIndex(std::max(0, m_preset->findData(name)));
  m_presetExact = true;
}

// Each preset's name with how long it took on this computer the last time it ran here.
void FinetunePanel::refreshPresetTimes() {
  QSettings s;
  const QString names[] = {tr("Class demo"), tr("Quick demo"), tr("Balanced"), tr("Thorough")};
  for (int i = 0; i < m_preset->count() && i < 4; ++i) {
    const double secs = s.value(QStringLiteral("preset_seconds/") + m_preset->itemData(i).toString(), -1).toDouble();
    m_preset->setItemText(i, secs > 0 ? tr("%1 (took %2 here)").arg(names[i], Job::formatDuration(secs)) : names[i]);
  }
}

void FinetunePanel::applyDemo() {
  // The demo's own recipe (what `fmw demo` runs), so the GUI reaches the same accuracy.
  const fm::TrainConfig demo = fm::demoFinetuneConfig(fm::DemoPaths(toPath(m_wb->workspace())));
  const QJsonObject j = toQt(demo.toJson());
  for (auto it = j.begin(); it != j.end(); ++it)
    if (m_fields.contains(it.key()) && it.key() != "out_dir")
      setSetting(it.key(), it.value().isArray() ? QVariant(it.value().toVariant().toStringList()) : it.value().toVariant());
  setSetting("out_dir", QString());
  setSetting("threads", m_wb->settings().threads);
  m_preset->setCurrentIndex(m_preset->findData(QStringLiteral("quick")));
  m_presetExact = false;  // the demo's own recipe, not the Quick demo preset: its time is not the preset's
}

void FinetunePanel::fromDataChoice() {
  if (m_job) {  // applied when the run ends
    m_pendingData = true;
    return;
  }
  m_pendingData = false;
  const DataChoice& c = m_wb->dataChoice();
  setSetting("data", c.path);
  setSetting("prompt_template", c.prompt);
  setSetting("completion_template", c.completion);
  setSetting("train_on_prompt", c.trainOnPrompt);
  setSetting("skip_bad_rows", c.skipBadRows);
  setSetting("max_length", c.maxLength);
  setSetting("validation_fraction", c.validationFraction);
  setSetting("seed", static_cast<int>(c.seed));
}

void FinetunePanel::updateButtons() {
  // Nothing to start while a run trains, or while the demo (model and data) is being made.
  const bool demoBusy = m_wb->demoJob() != nullptr;
  for (QPushButton* b : {m_start, m_resume}) {
    b->setEnabled(!m_job && !demoBusy);
    b->setToolTip(demoBusy ? tr("Waiting for the built-in demo to be prepared") : b->property("idleTip").toString());
  }
  m_cancel->setEnabled(m_job != nullptr);
}

Job* FinetunePanel::start() {
  m_error->hide();
  if (m_job) return nullptr;
  QJsonObject cfg = configJson();
  QString missing;
  if (cfg.value("model").toString().trimmed().isEmpty())
    missing = tr("Choose a model first: load one in Models (or File ▸ Use the built-in demo), or type its folder in "
                 "Model.");
  else if (cfg.value("data").toString().trimmed().isEmpty())
    missing = tr("Choose the training data first: open a file in Datasets and press “Use for training”, or type "
                 "its path in Data.");
  if (!missing.isEmpty()) {
    m_error->setText(missing);
    m_error->show();
    return nullptr;
  }
  if (cfg.value("out_dir").toString().isEmpty())
    cfg["out_dir"] = QDir(m_wb->runsDir()).filePath(
        QStringLiteral("run-%1").arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"))));
  if (cfg.value("threads").toInt() == 0) cfg["threads"] = m_wb->settings().threads;
  try {
    fm::TrainConfig tc = fm::TrainConfig::fromJson(toNl(cfg));
    tc.validate();
  } catch (const std::exception& e) {
    m_error->setText(QString::fromStdString(e.what()));
    m_error->show();
    return nullptr;
  }
  m_chart->clear();
  m_launchPreset = m_presetExact ? m_preset->currentData().toString() : QString();
  return launch(cfg.value("out_dir").toString(), false, cfg);
}

Job* FinetunePanel::resume(const QString& runDir) {
  m_error->hide();
  if (m_job) return nullptr;
  QFile f(runDir + QStringLiteral("/config.json"));
  if (!f.open(QIODevice::ReadOnly)) {
    m_error->setText(tr("%1 is not a run folder (no config.json).").arg(runDir));
    m_error->show();
    return nullptr;
  }
  const QJsonObject cfg = QJsonDocument::fromJson(f.readAll()).object();
  // The chart continues from the checkpoint the run resumes at; later points of the stopped run
  // are dropped, as the trainer drops them from metrics.jsonl.
  int64_t from = 0;
  for (const QString& d : QDir(runDir).entryList({QStringLiteral("checkpoint-*")}, QDir::Dirs))
    if (QFileInfo::exists(runDir + QLatin1Char('/') + d + QStringLiteral("/COMPLETE")))
      from = std::max<int64_t>(from, d.section(QLatin1Char('-'), 1).toLongLong());
  m_chart->replay(runDir, static_cast<double>(from));
  m_launchPreset.clear();  // a resumed run's time is not a preset's
  return launch(runDir, true, cfg);
}

Job* FinetunePanel::launch(const QString& runDir, bool resuming, const QJsonObject& cfg) {
  if (m_compareJob) m_compareJob->cancel();
  m_runDir = runDir;
  m_runConfig = cfg;
  m_output.clear();
  m_result->setText(resuming ? tr("Resuming %1…").arg(runDir) : tr("Training…"));
  m_generations->setRowCount(0);
  for (auto* b : {m_exportAdapter, m_exportMerged, m_tryIt}) b->setEnabled(false);
  m_log->appendPlainText((resuming ? tr("Resuming %1") : tr("New run in %1")).arg(runDir));
  const std::string cfgText = QJsonDocument(cfg).toJson(QJsonDocument::Compact).toStdString();
  QPointer<FinetunePanel> self(this);
  Job* job = m_wb->jobs()->start(resuming ? tr("Resume %1").arg(QFileInfo(runDir).fileName())
                                          : tr("Fine-tune %1").arg(QFileInfo(runDir).fileName()),
                                 JobRunner::Heavy, [=](Job& job) {
    // Time left from this session's pace: after a resume the first steps are not part of it.
    int64_t baseStep = -1;
    double baseElapsed = 0;
    auto onEvent = [&job, self, &baseStep, &baseElapsed](const fm::TrainEvent& e) {
      using K = fm::TrainEvent::Kind;
      if (e.totalSteps > 0 && (e.kind == K::Step || e.kind == K::Log))
        job.setProgress(static_cast<double>(e.step) / e.totalSteps,
                        tr("step %1 of %2").arg(e.step).arg(e.totalSteps));
      if (e.kind == K::Progress) job.setProgress(e.fraction, coreText(e.message));
      if (e.kind == K::Log && baseStep < 0) {
        baseStep = e.step;
        baseElapsed = e.elapsed;
      }
      if (e.kind == K::Log || e.kind == K::Eval || e.kind == K::Status || e.kind == K::Checkpoint) {
        job.post([self, e, baseStep, baseElapsed] {
          if (!self) return;
          if (e.kind == K::Log) {
            self->m_chart->addTrainPoint(e.step, e.loss, e.lr);
            self->m_progress->setValue(e.totalSteps ? static_cast<int>(1000.0 * e.step / e.totalSteps) : 0);
            self->m_progress->setFormat(tr("step %1 / %2").arg(e.step).arg(e.totalSteps));
            const double eta = e.step > baseStep && baseStep >= 0
                                   ? (e.elapsed - baseElapsed) * (e.totalSteps - e.step) / (e.step - baseStep)
                                   : -1;
            self->m_speed->setText(tr("loss %1 · %2 tokens/s · %3 left")
                                       .arg(e.loss, 0, 'f', 4)
                                       .arg(e.tokensPerS, 0, 'f', 0)
                                       .arg(eta < 0 ? QStringLiteral("?") : Job::formatDuration(eta)));
          } else if (e.kind == K::Eval) {
            self->m_chart->addEvalPoint(e.step, e.eval.loss, e.eval.accuracy);
            self->m_log->appendPlainText(
                tr("eval at step %1: loss %2, perplexity %3%4")
                    .arg(e.step)
                    .arg(e.eval.loss, 0, 'f', 4)
                    .arg(e.eval.perplexity, 0, 'f', 2)
                    .arg(e.eval.accuracy >= 0 ? tr(", accuracy %1%").arg(e.eval.accuracy * 100, 0, 'f', 1) : QString()));
          } else if (!e.message.empty()) {
            self->m_log->appendPlainText(coreText(e.message));
          }
        });
      }
      return !job.cancelRequested();
    };
    fm::TrainResult result = resuming ? fm::resumeTraining(toPath(runDir), onEvent)
                                      : fm::train(fm::TrainConfig::fromJson(nlohmann::json::parse(cfgText)), onEvent);
    if (result.status == fm::JobStatus::Failed) throw std::runtime_error(result.message);
    return result;
  });
  m_job = job;
  // While a run trains, the chart redraws ~10 times a second on the GUI thread; without
  // antialiasing a redraw costs a fraction, leaving the cores to the trainer.
  m_chart->setRenderHint(QPainter::Antialiasing, false);
  updateButtons();
  connect(job, &Job::finished, this, [this, job](Job::State jobState, const QString& msg) {
    // The trainer's outcome decides: a Cancel pressed during the last step or the final save
    // still ends with a complete run and its output.
    const fm::TrainResult* result = job->result<fm::TrainResult>();
    const Job::State s = jobState == Job::State::Failed || !result ? Job::State::Failed
                         : result->status == fm::JobStatus::Completed ? Job::State::Completed
                                                                      : Job::State::Cancelled;
    if (s == Job::State::Completed) {
      m_output = fromPath(result->outputDir);
      const auto& a = result->firstEval;
      const auto& b = result->lastEval;
      m_result->setText(outcomeHtml({a.accuracy, a.loss, a.perplexity}, {b.accuracy, b.loss, b.perplexity}, result->step,
                                    result->seconds, result->tokensPerS, m_output));
      // Presets say how long they take on this computer once one has run here (a fresh run
      // started from the preset as it was applied).
      if (!m_launchPreset.isEmpty()) {
        QSettings().setValue(QStringLiteral("preset_seconds/") + m_launchPreset, result->seconds);
        refreshPresetTimes();
      }
    } else {
      m_result->setText(s == Job::State::Cancelled
                            ? tr("Stopped. The last checkpoint is kept: press Resume to continue.")
                            : tr("<span style='color:#c92a2a'>The run failed: %1</span>").arg(msg.toHtmlEscaped()));
    }
    finished(s == Job::State::Completed, msg);
  });
  return job;
}

void FinetunePanel::cancel() {
  if (m_job) {
    m_job->cancel();
    m_cancel->setEnabled(false);
    m_log->appendPlainText(tr("Stopping at the next step…"));
  }
}

void FinetunePanel::finished(bool completed, const QString&) {
  m_job = nullptr;
  m_chart->setRenderHint(QPainter::Antialiasing, true);
  updateButtons();
  if (!m_pendingModel.isEmpty()) setSetting(QStringLiteral("model"), m_pendingModel);
  m_pendingModel.clear();
  if (m_pendingData) fromDataChoice();
  refreshHistory();
  Q_EMIT runFinished(m_runDir, completed);
  if (!completed) return;
  const bool lora = QFileInfo::exists(m_output + QStringLiteral("/adapter_config.json"));
  m_exportAdapter->setEnabled(lora);
  m_exportMerged->setEnabled(lora);
  m_tryIt->setEnabled(lora);
  compareAnswers();
}

void FinetunePanel::compareAnswers() {
  const std::string cfgText = QJsonDocument(m_runConfig).toJson(QJsonDocument::Compact).toStdString();
  const std::filesystem::path output = toPath(m_output);
  const QString runDir = m_runDir;
  Job* job = m_wb->jobs()->start(tr("Answers before and after"), JobRunner::Light, [=](Job& job) {
    return fm::compareOnValidation(fm::TrainConfig::fromJson(nlohmann::json::parse(cfgText)), output, 8, 24,
                                   job.context());
  });
  m_compareJob = job;
  connect(job, &Job::finished, this, [this, job, runDir](Job::State s, const QString& msg) {
    if (m_job || m_runDir != runDir) return;  // another run started meanwhile
    const auto* rows = job->result<std::vector<fm::SideBySide>>();
    if (s != Job::State::Completed || !rows) {
      m_log->appendPlainText(tr("Could not generate the side-by-side answers: %1").arg(msg));
      return;
    }
    QJsonArray list;
    for (const auto& r : *rows)
      list.append(QJsonObject{{QStringLiteral("row"), static_cast<qint64>(r.row)},
                              {QStringLiteral("prompt"), QString::fromStdString(r.prompt)},
                              {QStringLiteral("expected"), QString::fromStdString(r.expected)},
                              {QStringLiteral("base"), QString::fromStdString(r.base)},
                              {QStringLiteral("tuned"), QString::fromStdString(r.tuned)}});
    showAnswers(list);
    // Kept with the run, so opening it later shows the same answers.
    QSaveFile f(runDir + QStringLiteral("/answers.json"));
    if (!f.open(QIODevice::WriteOnly) || f.write(QJsonDocument(list).toJson()) < 0 || !f.commit())
      m_log->appendPlainText(tr("Could not keep the answers with the run: %1").arg(f.errorString()));
    Q_EMIT comparisonReady();
  });
}

void FinetunePanel::showAnswers(const QJsonArray& rows) {
  m_generations->setRowCount(rows.size());
  for (int i = 0; i < rows.size(); ++i) {
    const QJsonObject r = rows[i].toObject();
    const QString cells[4] = {r.value(QStringLiteral("prompt")).toString(), r.value(QStringLiteral("expected")).toString(),
                              r.value(QStringLiteral("base")).toString(), r.value(QStringLiteral("tuned")).toString()};
    for (int c = 0; c < 4; ++c) {
      auto* item = new QTableWidgetItem(cells[c].trimmed());
      item->setToolTip(cells[c]);
      m_generations->setItem(i, c, item);
    }
  }
}

void FinetunePanel::openRun(const QString& runDir) {
  if (m_job) return;
  m_chart->replay(runDir);
  m_runDir = runDir;
  QFile cf(runDir + QStringLiteral("/config.json"));
  m_runConfig = cf.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(cf.readAll()).object() : QJsonObject();
  // The outcome from the run's own log: the first and last evaluation and the end.
  Measure first, last;
  bool haveFirst = false, done = false;
  qint64 steps = 0;
  double seconds = 0, tokensPerS = 0, tokensSum = 0;
  int tokenEvents = 0;
  QFile mf(runDir + QStringLiteral("/metrics.jsonl"));
  if (mf.open(QIODevice::ReadOnly)) {
    while (!mf.atEnd()) {
      const QJsonObject e = QJsonDocument::fromJson(mf.readLine()).object();
      const QString kind = e.value(QStringLiteral("event")).toString();
      if (kind == QStringLiteral("eval")) {
        Measure m{e.value(QStringLiteral("accuracy")).toDouble(-1), e.value(QStringLiteral("eval_loss")).toDouble(-1),
                  e.value(QStringLiteral("perplexity")).toDouble(-1)};
        if (!haveFirst) first = m;
        haveFirst = true;
        last = m;
      } else if (kind == QStringLiteral("log") && e.contains(QStringLiteral("tokens_per_s"))) {
        tokensSum += e.value(QStringLiteral("tokens_per_s")).toDouble();
        ++tokenEvents;
      } else if (kind == QStringLiteral("done")) {
        done = true;
        steps = e.value(QStringLiteral("step")).toInteger();
        seconds = e.value(QStringLiteral("elapsed")).toDouble();
      }
    }
  }
  tokensPerS = tokenEvents ? tokensSum / tokenEvents : 0;
  m_output.clear();
  for (const char* out : {"/adapter", "/model"})
    if (QFileInfo::exists(runDir + QLatin1String(out) + QStringLiteral("/config.json")) ||
        QFileInfo::exists(runDir + QLatin1String(out) + QStringLiteral("/adapter_config.json")))
      m_output = runDir + QLatin1String(out);
  if (done && !m_output.isEmpty()) {
    m_result->setText(outcomeHtml(first, last, steps, seconds, tokensPerS, m_output));
  } else {
    m_result->setText(runStatus(runDir) == tr("can resume")
                          ? tr("This run stopped before the end: press Resume to continue it from its last checkpoint.")
                          : tr("This run has no checkpoint to resume and no result."));
  }
  m_generations->setRowCount(0);
  QFile af(runDir + QStringLiteral("/answers.json"));
  if (af.open(QIODevice::ReadOnly)) showAnswers(QJsonDocument::fromJson(af.readAll()).array());
  const bool lora = QFileInfo::exists(m_output + QStringLiteral("/adapter_config.json"));
  m_exportAdapter->setEnabled(lora);
  m_exportMerged->setEnabled(lora);
  m_tryIt->setEnabled(lora);
}

// A folder chosen or typed: the save dialog lets a new name be written; the folder must be
// new or empty, and is made here.
QString FinetunePanel::chooseNewFolder(const QString& title, const QString& suggestedName) {
  const QString start = QDir(QDir::homePath()).filePath(suggestedName);
  const QString dir = QFileDialog::getSaveFileName(this, title, start, QString(), nullptr, QFileDialog::ShowDirsOnly);
  if (dir.isEmpty()) return {};
  const QFileInfo fi(dir);
  if (fi.exists() && !fi.isDir()) {
    QMessageBox::warning(this, title, tr("%1 is a file. Choose a new or empty folder.").arg(dir));
    return {};
  }
  if (fi.isDir() && !QDir(dir).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot)) {
    QMessageBox::warning(this, title, tr("%1 already holds files. Choose a new or empty folder, so nothing is overwritten.").arg(dir));
    return {};
  }
  if (!QDir().mkpath(dir)) {
    QMessageBox::warning(this, title, tr("Could not create %1. Choose a folder you can write to.").arg(dir));
    return {};
  }
  return dir;
}

void FinetunePanel::exportAdapter() {
  const QString dir = chooseNewFolder(tr("Export the adapter to a new folder"),
                                      QFileInfo(m_runDir).fileName() + QStringLiteral("-adapter"));
  if (dir.isEmpty()) return;
  QStringList failed;
  for (const QString& f : QDir(m_output).entryList(QDir::Files))
    if (!QFile::copy(QDir(m_output).filePath(f), QDir(dir).filePath(f))) failed << f;
  const QString said = failed.isEmpty() ? tr("The adapter (PEFT format) was written to %1").arg(dir)
                                        : tr("Could not copy %1 to %2").arg(failed.join(QStringLiteral(", ")), dir);
  m_log->appendPlainText(said);
  if (failed.isEmpty()) QMessageBox::information(this, tr("Adapter exported"), said);
  else QMessageBox::warning(this, tr("Export failed"), said);
}

void FinetunePanel::exportMerged() {
  const QString dir = chooseNewFolder(tr("Write the merged model into a new folder"),
                                      QFileInfo(m_runDir).fileName() + QStringLiteral("-merged"));
  if (dir.isEmpty()) return;
  const std::filesystem::path base = toPath(m_runConfig.value("model").toString());
  const std::filesystem::path adapter = toPath(m_output);
  const std::filesystem::path out = toPath(dir);
  Job* job = m_wb->jobs()->start(tr("Merge into %1").arg(QFileInfo(dir).fileName()), JobRunner::Heavy,
                                 [=](Job& job) {
                                   fm::mergeAdapterToFolder(base, adapter, out, job.context());
                                 });
  connect(job, &Job::finished, this, [this, dir](Job::State s, const QString& msg) {
    const QString said = s == Job::State::Completed ? tr("The merged model was written to %1").arg(dir)
                                                    : tr("Merge failed: %1").arg(msg.isEmpty() ? Job::stateName(s) : msg);
    m_log->appendPlainText(said);
    if (s == Job::State::Completed) QMessageBox::information(this, tr("Merged model written"), said);
    else if (s == Job::State::Failed) QMessageBox::warning(this, tr("Merge failed"), said);
  });
}

void FinetunePanel::refreshHistory() {
  const QSignalBlocker quiet(m_history);  // rebuilding the list must not replay a run on the chart
  const QString keep = m_history->currentItem() ? m_history->currentItem()->data(Qt::UserRole).toString() : QString();
  m_history->clear();
  QDir runs(m_wb->runsDir());
  const auto entries = runs.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Time);
  for (const QFileInfo& fi : entries) {
    if (!QFileInfo::exists(fi.filePath() + QStringLiteral("/config.json"))) continue;
    auto* it = new QListWidgetItem(QStringLiteral("%1 — %2").arg(runName(fi.filePath()), runStatus(fi.filePath())), m_history);
    it->setData(Qt::UserRole, fi.filePath());
    it->setToolTip(fi.filePath());
    if (fi.filePath() == keep) m_history->setCurrentItem(it);
  }
}

}  // namespace fm::ui
