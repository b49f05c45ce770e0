#include "vision/captioner_trainer.h"

#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include "bridge/core_text.h"
#include "bridge/job.h"
#include "bridge/paths.h"
#include "finetune/loss_chart.h"
#include "shell/workbench.h"
#include "train/run_folder.h"
#include "util/paths.h"
#include "vision/train_captioner.h"

namespace fm::ui {

namespace {

struct Sample {
  QString file, now, data;
  QImage thumb;
};

}  // namespace

CaptionerTrainer::CaptionerTrainer(Workbench* wb, QWidget* parent) : QWidget(parent), m_wb(wb) {
  auto* v = new QVBoxLayout(this);
  // What this tab does, for whoever hovers (the room is needed for the chart and the samples).
  setToolTip(tr("Teach a language model to describe pictures: the CLIP above sees each picture, a small "
                "network learns to turn what it sees into words.") +
             QLatin1Char('\n') +
             tr("CLIP stays as it is. The small network turns CLIP's view of a picture into a few vectors put "
                "before the caption; the language model learns to continue them with the caption. A "
                "metadata.csv needs file_name and caption columns."));
  auto* form = new QFormLayout;
  auto* lmRow = new QHBoxLayout;
  m_lmLabel = new QLabel(tr("No language model"), this);
  m_lmLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_lmLabel->setWordWrap(true);
  auto* chooseLm = new QPushButton(tr("Choose…"), this);
  lmRow->addWidget(m_lmLabel, 1);
  lmRow->addWidget(chooseLm);
  form->addRow(tr("Language model:"), lmRow);
  auto* dataRow = new QHBoxLayout;
  m_dataLabel = new QLabel(tr("The pictures folder above"), this);
  m_dataLabel->setToolTip(tr("NAME.txt beside each picture, or a metadata.csv with file_name and caption columns"));
  m_dataLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_dataLabel->setWordWrap(true);
  auto* chooseData = new QPushButton(tr("Choose…"), this);
  dataRow->addWidget(m_dataLabel, 1);
  dataRow->addWidget(chooseData);
  form->addRow(tr("Pictures with captions:"), dataRow);
  auto* settingsRow = new QHBoxLayout;
  m_mode = new QComboBox(this);
  m_mode->addItem(tr("LoRA on the language model"), QStringLiteral("lora"));
  m_mode->addItem(tr("Language model unchanged"), QStringLiteral("frozen"));
  m_mode->addItem(tr("Every weight of the language model"), QStringLiteral("full"));
  m_mode->setToolTip(tr("What learns besides the small network: a LoRA adapter (a few weights, recommended), "
                        "nothing, or the whole language model (most memory)"));
  m_epochs = new QSpinBox(this);
  m_epochs->setRange(1, 200);
  m_epochs->setValue(6);
  settingsRow->addWidget(m_mode, 1);
  settingsRow->addWidget(new QLabel(tr("Epochs:"), this));
  settingsRow->addWidget(m_epochs);
  form->addRow(tr("Training:"), settingsRow);
  v->addLayout(form);
  auto* buttons = new QHBoxLayout;
  m_train = new QPushButton(tr("Train"), this);
  m_stop = new QPushButton(tr("Stop"), this);
  m_resume = new QPushButton(tr("Resume"), this);
  m_resume->setToolTip(tr("Continue the stopped run from its last checkpoint"));
  m_progress = new QLabel(this);
  buttons->addWidget(m_train);
  buttons->addWidget(m_stop);
  buttons->addWidget(m_resume);
  buttons->addWidget(m_progress, 1);
  v->addLayout(buttons);
  m_status = new QLabel(this);
  m_status->setWordWrap(true);
  v->addWidget(m_status);
  // The chart and the samples share the rest; the divider moves.
  auto* split = new QSplitter(Qt::Vertical, this);
  m_chart = new LossChart(split);
  m_chart->setExplainPlateaus(false);
  m_chart->setMinimumHeight(110);
  m_samples = new QTableWidget(0, 3, split);
  m_samples->setObjectName(QStringLiteral("captionerSamples"));
  m_samples->setHorizontalHeaderLabels({tr("Held-out picture"), tr("Its caption now"), tr("Caption in the data")});
  m_samples->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
  m_samples->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
  m_samples->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
  m_samples->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_samples->setIconSize(QSize(40, 40));
  m_samples->verticalHeader()->setDefaultSectionSize(44);
  m_samples->verticalHeader()->hide();
  m_samples->setWordWrap(true);
  m_samples->setMinimumHeight(70);
  split->addWidget(m_chart);
  split->addWidget(m_samples);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);
  split->setSizes({600, 250});  // most of the room to the chart; the samples need four rows
  split->setChildrenCollapsible(false);
  v->addWidget(split, 1);

  connect(chooseLm, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Choose a language model folder"), m_wb->workspace());
    if (!dir.isEmpty()) setLanguageModel(dir);
  });
  connect(chooseData, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Choose a folder of pictures with captions"), m_data);
    if (!dir.isEmpty()) setTrainingFolder(dir);
  });
  connect(m_train, &QPushButton::clicked, this, [this] { train(); });
  connect(m_stop, &QPushButton::clicked, this, [this] { stop(); });
  connect(m_resume, &QPushButton::clicked, this, [this] { resume(); });
  updateButtons();
}

void CaptionerTrainer::say(const QString& text, bool error) {
  m_status->setText(text);
  m_status->setStyleSheet(error ? QStringLiteral("color: #b00020;") : QString());
}

void CaptionerTrainer::setImageModel(const QString& dir) {
  m_imageModel = dir;
  updateButtons();
}

void CaptionerTrainer::setPicturesFolder(const QString& dir) {
  if (m_dataChosen) return;
  m_data = dir;
  m_dataLabel->setText(dir.isEmpty() ? tr("The pictures folder above") : dir);
  updateButtons();
}

void CaptionerTrainer::setTrainingFolder(const QString& dir) {
  m_dataChosen = true;
  m_data = dir;
  m_dataLabel->setText(dir);
  updateButtons();
}

void CaptionerTrainer::setLanguageModel(const QString& dir) {
  m_languageModel = dir;
  m_lmLabel->setText(dir);
  updateButtons();
}

void CaptionerTrainer::setEpochs(int epochs) { m_epochs->setValue(epochs); }

void CaptionerTrainer::updateButtons() {
  const bool busy = m_job && m_job->isActive();
  m_train->setEnabled(!busy);
  m_stop->setEnabled(busy);
  bool resumable = false;
  if (!busy && !m_runDir.isEmpty()) {
    const auto dir = toPath(m_runDir);
    resumable = !completeCheckpoints(dir).empty() && !QFileInfo::exists(m_runDir + QStringLiteral("/captioner"));
  }
  m_resume->setEnabled(resumable);
}

Job* CaptionerTrainer::train() {
  if (m_imageModel.isEmpty()) {
    say(tr("Choose a CLIP model first (the model above): the captioner sees pictures through it."), true);
    return nullptr;
  }
  if (m_languageModel.isEmpty()) {
    say(tr("Choose a language model: it writes the captions."), true);
    return nullptr;
  }
  if (m_data.isEmpty()) {
    say(tr("Choose a folder of pictures with captions."), true);
    return nullptr;
  }
  m_runDir = QDir(m_wb->workspace()).filePath(QStringLiteral("runs/captioner-") +
                                               QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")));
  return launch(false);
}

Job* CaptionerTrainer::resume() {
  if (m_runDir.isEmpty()) return nullptr;
  return launch(true);
}

void CaptionerTrainer::stop() {
  if (!m_job) return;
  m_job->cancel();
  m_stop->setEnabled(false);
  say(tr("Stopping at the next step; a checkpoint is saved…"));
}

Job* CaptionerTrainer::launch(bool resuming) {
  fm::CaptionerTrainConfig cfg;
  cfg.imageModel = m_imageModel.toStdString();
  cfg.languageModel = m_languageModel.toStdString();
  cfg.data = m_data.toStdString();
  cfg.outDir = m_runDir.toStdString();
  cfg.lmTraining = m_mode->currentData().toString().toStdString();
  cfg.epochs = m_epochs->value();
  cfg.batchSize = 32;
  cfg.logEvery = 5;
  cfg.evalEvery = 50;
  const QString runDir = m_runDir;
  if (!resuming) {
    m_chart->clear();
    m_samples->setRowCount(0);
  }
  m_progress->clear();
  QPointer<CaptionerTrainer> self(this);
  Job* job = m_wb->jobs()->start(
      (resuming ? tr("Resume %1") : tr("Train captioner %1")).arg(QFileInfo(runDir).fileName()), JobRunner::Heavy,
      [=](Job& job) {
        auto onEvent = [&job, self](const fm::TrainEvent& e) {
          using K = fm::TrainEvent::Kind;
          if (e.totalSteps > 0 && e.kind == K::Step)
            job.setProgress(static_cast<double>(e.step) / e.totalSteps, tr("step %1 of %2").arg(e.step).arg(e.totalSteps));
          if (e.kind == K::Progress) job.setProgress(e.fraction, coreText(e.message));
          if (e.kind == K::Sample) {
            // Thumbnails are made here, on the worker, never on the GUI thread.
            std::vector<Sample> rows;
            for (const auto& s : e.samples) {
              const QString file = QString::fromStdString(s.input);
              rows.push_back({file, QString::fromStdString(s.output), QString::fromStdString(s.reference),
                              QImage(file).scaled(40, 40, Qt::KeepAspectRatio, Qt::SmoothTransformation)});
            }
            const int64_t step = e.step;
            job.post([self, rows, step] {
              if (!self) return;
              self->m_samples->setRowCount(static_cast<int>(rows.size()));
              for (int i = 0; i < static_cast<int>(rows.size()); ++i) {
                const Sample& s = rows[static_cast<size_t>(i)];
                auto* pic = new QTableWidgetItem(QFileInfo(s.file).fileName());
                pic->setIcon(QPixmap::fromImage(s.thumb));
                pic->setToolTip(s.file);
                self->m_samples->setItem(i, 0, pic);
                auto* now = new QTableWidgetItem(s.now.isEmpty() ? tr("(nothing yet)") : s.now);
                now->setToolTip(tr("at step %1").arg(step));
                self->m_samples->setItem(i, 1, now);
                self->m_samples->setItem(i, 2, new QTableWidgetItem(s.data));
              }
              Q_EMIT self->samplesShown(static_cast<int>(step));
            });
          }
          if (e.kind == K::Log || e.kind == K::Eval || e.kind == K::Status) {
            job.post([self, e] {
              if (!self) return;
              if (e.kind == K::Log) {
                self->m_chart->addTrainPoint(e.step, e.loss, e.lr);
                const double eta = e.step > 0 ? e.elapsed / e.step * (e.totalSteps - e.step) : -1;
                self->m_progress->setText(tr("step %1 / %2 · loss %3 · %4 left")
                                              .arg(e.step)
                                              .arg(e.totalSteps)
                                              .arg(e.loss, 0, 'f', 3)
                                              .arg(Job::formatDuration(eta)));
              } else if (e.kind == K::Eval) {
                self->m_chart->addEvalPoint(e.step, e.eval.loss);
              } else if (!e.message.empty()) {
                self->say(coreText(e.message));
              }
            });
          }
          return !job.cancelRequested();
        };
        fm::TrainResult r = resuming ? fm::resumeCaptioner(toPath(runDir), onEvent) : fm::trainCaptioner(cfg, onEvent);
        if (r.status == fm::JobStatus::Failed) throw std::runtime_error(r.message);
        return r;
      });
  m_job = job;
  say(resuming ? tr("Resuming %1…").arg(runDir) : tr("Reading the pictures, then training; the run is kept in %1").arg(runDir));
  updateButtons();
  connect(job, &Job::finished, this, [this, job](Job::State s, const QString& message) {
    const auto* r = job->result<fm::TrainResult>();
    if (s == Job::State::Failed || !r) {
      say(s == Job::State::Cancelled ? tr("Stopped before the first step; nothing was trained.") : message, s != Job::State::Cancelled);
    } else if (r->status == fm::JobStatus::Completed) {
      say(tr("Trained: held-out loss %1 → %2. The captioner is in %3 and is open in the Captions tab.")
              .arg(r->firstEval.loss, 0, 'f', 3)
              .arg(r->lastEval.loss, 0, 'f', 3)
              .arg(fromPath(r->outputDir)));
      Q_EMIT trained(fromPath(r->outputDir));
    } else if (r->totalSteps == 0) {
      say(tr("Stopped before training started; nothing was written."));
    } else {
      say(tr("Stopped at step %1 of %2. The checkpoint is kept: press Resume to continue.").arg(r->step).arg(r->totalSteps));
    }
    updateButtons();
  });
  return job;
}

}  // namespace fm::ui
