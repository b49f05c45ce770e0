#include "vision/image_text_panel.h"

#include <QDirIterator>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>

#include "arch/loaded_model.h"
#include "arch/model_pool.h"
#include "bridge/core_text.h"
#include "bridge/job.h"
#include "bridge/paths.h"
#include "jobs/cancelled.h"
#include "shell/workbench.h"
#include "util/error.h"
#include "vision/caption.h"
#include "vision/captioner_trainer.h"
#include "vision/demo_shapes.h"
#include "vision/image_folder.h"
#include "vision/label_bars.h"
#include "vision/thumbnail_model.h"

namespace fm::ui {

namespace {

QStringList splitLabels(const QString& text) {
  QStringList out;
  for (const QString& part : text.split(QLatin1Char(','))) {
    const QString t = part.trimmed();
    if (!t.isEmpty()) out << t;
  }
  return out;
}

std::vector<std::string> toStd(const QStringList& l) {
  std::vector<std::string> out;
  for (const auto& s : l) out.push_back(s.toStdString());
  return out;
}

QStringList picturesIn(const QString& dir) {
  QStringList out;
  try {
    for (const auto& p : fm::listImages(toPath(dir))) out << fromPath(p);
  } catch (const fm::Error&) {
  }
  return out;
}

// A model folder through the pool, refused unless it is of `kind` (`what` names that kind).
Job* openModelOfKind(Workbench* wb, const QString& dir, fm::ModelKind kind, const std::string& what) {
  auto* pool = &wb->pool();
  const auto path = toPath(dir);
  return wb->jobs()->start(ImageTextPanel::tr("Open %1").arg(QFileInfo(dir).fileName()), JobRunner::Light, [=](Job&) {
    auto model = pool->acquire(path, {});
    if (model->kind() != kind)
      throw fm::UnsupportedError(model->info().dir + " is a " + fm::modelKindLabel(model->kind()) + ", not " + what);
    return model;
  });
}

}  // namespace

ImageTextPanel::ImageTextPanel(Workbench* wb, QWidget* parent) : QWidget(parent), m_wb(wb) {
  auto* outer = new QVBoxLayout(this);

  // Model and folder rows.
  auto* top = new QFormLayout;
  auto* modelRow = new QHBoxLayout;
  m_modelLabel = new QLabel(tr("No model: choose a CLIP or SigLIP folder, or make the demo model."), this);
  m_modelLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* chooseModel = new QPushButton(tr("Choose model…"), this);
  m_demoButton = new QPushButton(tr("Demo model"), this);
  m_demoButton->setToolTip(tr("Draws pictures of coloured shapes with captions, trains a tiny CLIP and a captioner "
                              "on them here (a few minutes) and opens its held-out pictures"));
  modelRow->addWidget(m_modelLabel, 1);
  modelRow->addWidget(chooseModel);
  modelRow->addWidget(m_demoButton);
  top->addRow(tr("Model:"), modelRow);
  auto* folderRow = new QHBoxLayout;
  m_folderLabel = new QLabel(tr("No folder"), this);
  m_folderLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* chooseFolder = new QPushButton(tr("Choose folder…"), this);
  folderRow->addWidget(m_folderLabel, 1);
  folderRow->addWidget(chooseFolder);
  top->addRow(tr("Pictures:"), folderRow);
  outer->addLayout(top);
  m_status = new QLabel(this);
  m_status->setWordWrap(true);
  outer->addWidget(m_status);

  auto* split = new QSplitter(this);
  m_thumbs = new ThumbnailModel(this);
  m_grid = new QListView(split);
  m_grid->setObjectName(QStringLiteral("thumbnailGrid"));
  m_grid->setViewMode(QListView::IconMode);
  m_grid->setResizeMode(QListView::Adjust);
  m_grid->setMovement(QListView::Static);
  m_grid->setUniformItemSizes(true);
  m_grid->setIconSize(QSize(ThumbnailModel::kSide, ThumbnailModel::kSide));
  const QSize cell(ThumbnailModel::kSide + 44, ThumbnailModel::kSide + 3 * fontMetrics().height() + 16);
  m_grid->setGridSize(cell);
  m_grid->setWordWrap(true);
  m_grid->setSpacing(4);
  m_grid->setModel(m_thumbs);
  m_grid->setSelectionMode(QAbstractItemView::SingleSelection);

  m_tabs = new QTabWidget(split);
  // Labels.
  auto* labelsPage = new QWidget(m_tabs);
  auto* lv = new QVBoxLayout(labelsPage);
  auto* lf = new QFormLayout;
  m_labelsEdit = new QLineEdit(labelsPage);
  m_labelsEdit->setPlaceholderText(tr("cat, dog, car"));
  m_templateEdit = new QLineEdit(QStringLiteral("a photo of a {}"), labelsPage);
  m_templateEdit->setToolTip(tr("Each label is put in place of {} before the model reads it"));
  lf->addRow(tr("Labels:"), m_labelsEdit);
  lf->addRow(tr("Template:"), m_templateEdit);
  lv->addLayout(lf);
  m_labelButton = new QPushButton(tr("Label the pictures"), labelsPage);
  lv->addWidget(m_labelButton, 0, Qt::AlignLeft);
  m_selected = new QLabel(tr("Choose a picture to see how sure the model is of each label."), labelsPage);
  m_selected->setWordWrap(true);
  lv->addWidget(m_selected);
  m_bars = new LabelBars(labelsPage);
  auto* barsScroll = new QScrollArea(labelsPage);
  barsScroll->setWidget(m_bars);
  barsScroll->setWidgetResizable(true);
  barsScroll->setFrameShape(QFrame::NoFrame);
  lv->addWidget(barsScroll, 1);
  m_tabs->addTab(labelsPage, tr("Labels"));

  // Search.
  auto* searchPage = new QWidget(m_tabs);
  auto* sv = new QVBoxLayout(searchPage);
  auto* sq = new QHBoxLayout;
  m_query = new QLineEdit(searchPage);
  m_query->setPlaceholderText(tr("Describe a picture, e.g. a red circle"));
  m_searchButton = new QPushButton(tr("Search"), searchPage);
  sq->addWidget(m_query, 1);
  sq->addWidget(m_searchButton);
  sv->addLayout(sq);
  m_similarButton = new QPushButton(tr("Find pictures like the chosen one"), searchPage);
  sv->addWidget(m_similarButton, 0, Qt::AlignLeft);
  m_results = new QListWidget(searchPage);
  m_results->setObjectName(QStringLiteral("searchResults"));
  m_results->setViewMode(QListView::IconMode);
  m_results->setIconSize(QSize(ThumbnailModel::kSide, ThumbnailModel::kSide));
  m_results->setResizeMode(QListView::Adjust);
  m_results->setMovement(QListView::Static);
  m_results->setGridSize(cell);
  m_results->setTextElideMode(Qt::ElideMiddle);
  m_results->setWordWrap(true);
  sv->addWidget(m_results, 1);
  m_tabs->addTab(searchPage, tr("Search"));

  // Evaluate.
  auto* evalPage = new QWidget(m_tabs);
  auto* ev = new QVBoxLayout(evalPage);
  auto* evalHelp = new QLabel(tr("For a folder with one subfolder per class (the folder name is the label): "
                                 "how often the model's best label is the right one."),
                              evalPage);
  evalHelp->setWordWrap(true);
  ev->addWidget(evalHelp);
  m_evalButton = new QPushButton(tr("Evaluate the folder"), evalPage);
  ev->addWidget(m_evalButton, 0, Qt::AlignLeft);
  m_accuracy = new QLabel(evalPage);
  m_accuracy->setWordWrap(true);
  ev->addWidget(m_accuracy);
  m_confusion = new QTableWidget(evalPage);
  m_confusion->setObjectName(QStringLiteral("confusionMatrix"));
  m_confusion->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_confusion->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  ev->addWidget(m_confusion, 1);
  m_tabs->addTab(evalPage, tr("Evaluate"));

  // Captions.
  auto* capPage = new QWidget(m_tabs);
  auto* cv = new QVBoxLayout(capPage);
  auto* capRow = new QHBoxLayout;
  m_captionerLabel = new QLabel(tr("No captioner: choose a folder of an image-to-text model, such as BLIP or ViT-GPT2."), capPage);
  m_captionerLabel->setWordWrap(true);
  auto* chooseCaptioner = new QPushButton(tr("Choose captioner…"), capPage);
  capRow->addWidget(m_captionerLabel, 1);
  capRow->addWidget(chooseCaptioner);
  cv->addLayout(capRow);
  auto* cf = new QFormLayout;
  m_sidecarMode = new QComboBox(capPage);
  m_sidecarMode->addItem(tr("Skip pictures that have a caption"), QStringLiteral("skip"));
  m_sidecarMode->addItem(tr("Add to the caption there"), QStringLiteral("append"));
  m_sidecarMode->addItem(tr("Replace the caption there"), QStringLiteral("overwrite"));
  cf->addRow(tr("Caption files:"), m_sidecarMode);
  m_prefix = new QLineEdit(capPage);
  m_suffix = new QLineEdit(capPage);
  m_removeWords = new QLineEdit(capPage);
  m_removeWords->setPlaceholderText(tr("image, picture"));
  cf->addRow(tr("Before each:"), m_prefix);
  cf->addRow(tr("After each:"), m_suffix);
  cf->addRow(tr("Words to remove:"), m_removeWords);
  m_beams = new QSpinBox(capPage);
  m_beams->setRange(1, 8);
  m_beams->setValue(1);
  m_beams->setToolTip(tr("1 writes the likeliest next word each time; more beams compare several captions"));
  cf->addRow(tr("Beams:"), m_beams);
  cv->addLayout(cf);
  m_captionButton = new QPushButton(tr("Caption the folder"), capPage);
  cv->addWidget(m_captionButton, 0, Qt::AlignLeft);
  m_captions = new QTableWidget(0, 2, capPage);
  m_captions->setObjectName(QStringLiteral("captionTable"));
  m_captions->setHorizontalHeaderLabels({tr("Picture"), tr("Caption (double-click to edit)")});
  m_captions->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
  m_captions->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
  m_captions->setIconSize(QSize(48, 48));
  m_captions->verticalHeader()->setDefaultSectionSize(52);
  m_captions->verticalHeader()->hide();
  cv->addWidget(m_captions, 1);
  m_tabs->addTab(capPage, tr("Captions"));

  // Training a captioner of one's own.
  m_trainer = new CaptionerTrainer(m_wb, m_tabs);
  m_tabs->addTab(m_trainer, tr("Train a captioner"));
  connect(m_trainer, &CaptionerTrainer::trained, this, [this](const QString& dir) { openCaptioner(dir); });
  connect(chooseCaptioner, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Choose a captioner folder"), m_wb->workspace());
    if (!dir.isEmpty()) openCaptioner(dir);
  });
  connect(m_captionButton, &QPushButton::clicked, this, [this] { captionFolder(); });
  connect(m_captions, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* item) {
    if (m_fillingCaptions || item->column() != 1) return;
    saveCaption(item->row(), item->text());
  });

  split->addWidget(m_grid);
  split->addWidget(m_tabs);
  split->setStretchFactor(0, 1);
  split->setStretchFactor(1, 1);
  outer->addWidget(split, 1);

  connect(chooseModel, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Choose a CLIP or SigLIP model folder"), m_wb->workspace());
    if (!dir.isEmpty()) openModel(dir);
  });
  connect(chooseFolder, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Choose a folder of pictures"), m_folder);
    if (!dir.isEmpty()) openFolder(dir);
  });
  connect(m_demoButton, &QPushButton::clicked, this, [this] { prepareDemo(); });
  connect(m_labelButton, &QPushButton::clicked, this, [this] { labelPictures(); });
  connect(m_labelsEdit, &QLineEdit::returnPressed, this, [this] { labelPictures(); });
  connect(m_searchButton, &QPushButton::clicked, this, [this] { search(m_query->text()); });
  connect(m_query, &QLineEdit::returnPressed, this, [this] { search(m_query->text()); });
  connect(m_similarButton, &QPushButton::clicked, this, [this] {
    const QModelIndex i = m_grid->currentIndex();
    if (i.isValid()) findSimilar(i.data(ThumbnailModel::PathRole).toString());
  });
  connect(m_evalButton, &QPushButton::clicked, this, [this] { evaluateFolder(); });
  connect(m_thumbs, &ThumbnailModel::thumbnailReady, this, [this](const QString& file) {
    for (int i = 0; i < m_results->count(); ++i)
      if (m_results->item(i)->data(Qt::UserRole).toString() == file)
        m_results->item(i)->setIcon(QPixmap::fromImage(m_thumbs->thumbnail(file)));
    const int row = m_thumbs->files().indexOf(file);
    if (row >= 0 && row < m_captions->rowCount() && m_captions->item(row, 0)) {
      const bool filling = m_fillingCaptions;
      m_fillingCaptions = true;
      m_captions->item(row, 0)->setIcon(QPixmap::fromImage(m_thumbs->thumbnail(file)));
      m_fillingCaptions = filling;
    }
  });
  connect(m_grid->selectionModel(), &QItemSelectionModel::currentChanged, this, [this] { showSelected(); });
  connect(m_results, &QListWidget::itemDoubleClicked, this, [this](QListWidgetItem* item) {
    const int row = m_thumbs->files().indexOf(item->data(Qt::UserRole).toString());
    if (row >= 0) selectPicture(row);
  });
  // A CLIP model opened in the Models panel is offered here too.
  connect(m_wb, &Workbench::modelOpened, this, [this](const QString& dir) {
    auto m = m_wb->openedModel();
    if (m && m->kind() == fm::ModelKind::VisionText && !m_model) {
      m_model = m;
      m_modelDir = dir;
      m_trainer->setImageModel(dir);
      m_modelLabel->setText(dir);
      updateButtons();
    }
  });
  updateButtons();
}

ImageTextPanel::~ImageTextPanel() = default;

void ImageTextPanel::say(const QString& text, bool error) {
  m_status->setText(text);
  m_status->setStyleSheet(error ? QStringLiteral("color: #b00020;") : QString());
}

void ImageTextPanel::updateButtons() {
  const bool busy = m_busy && m_busy->isActive();
  const bool ready = m_model && !m_folder.isEmpty() && !busy;
  m_labelButton->setEnabled(ready);
  m_searchButton->setEnabled(ready);
  m_similarButton->setEnabled(ready && m_grid->currentIndex().isValid());
  m_evalButton->setEnabled(ready);
  m_demoButton->setEnabled(!busy);
  m_captionButton->setEnabled(m_captioner && !m_folder.isEmpty() && !busy);
}

Job* ImageTextPanel::openModel(const QString& dir) {
  m_modelLabel->setText(tr("Opening %1…").arg(dir));
  Job* job = openModelOfKind(m_wb, dir, fm::ModelKind::VisionText, "an image-text model such as CLIP");
  connect(job, &Job::finished, this, [this, job, dir](Job::State s, const QString& message) {
    const auto* m = job->result<std::shared_ptr<fm::LoadedModel>>();
    if (s != Job::State::Completed || !m) {
      m_modelLabel->setText(m_model ? m_modelDir : tr("No model"));
      say(message, true);
      return;
    }
    m_model = *m;
    m_modelDir = dir;
    m_trainer->setImageModel(dir);
    m_modelLabel->setText(tr("%1 — pictures of %2 px, %3-dimensional embeddings")
                              .arg(dir)
                              .arg(m_model->info().imageSize)
                              .arg(m_model->info().projectionDim));
    say(QString());
    updateButtons();
    Q_EMIT modelReady(dir);
  });
  return job;
}

// The folder is listed on a worker (it may hold thousands of pictures, or be on a slow or
// network disk); the grid fills when it is read. The last folder asked for wins.
void ImageTextPanel::openFolder(const QString& dir) {
  m_folder = dir;
  m_trainer->setPicturesFolder(dir);
  m_thumbs->setFiles({});
  m_results->clear();
  m_bars->clear();
  m_folderLabel->setText(tr("%1 — reading the folder…").arg(dir));
  if (m_folderJob) m_folderJob->supersede();
  Job* job = m_wb->jobs()->start(tr("Read the folder"), JobRunner::Light, [dir](Job&) { return picturesIn(dir); });
  job->setRoutine(true);
  m_folderJob = job;
  connect(job, &Job::finished, this, [this, job, dir](Job::State s, const QString& message) {
    if (job != m_folderJob) return;  // another folder was asked for since
    const auto* found = job->result<QStringList>();
    if (!found) {
      if (s == Job::State::Failed) say(message, true);
      return;
    }
    const QStringList& files = *found;
    m_thumbs->setFiles(files);
    m_folderLabel->setText(tr("%1 — %n picture(s)", "", static_cast<int>(files.size())).arg(dir));
    if (files.isEmpty()) say(tr("The folder holds no pictures this reads (JPEG, PNG, WebP, BMP, TIFF, GIF)."), true);
    else say(QString());
    reloadCaptions();
    updateButtons();
    Q_EMIT folderShown(static_cast<int>(files.size()));
  });
  updateButtons();
}

// The sidecar files are read on a worker (a folder may hold thousands); the table is filled
// when they are all read.
void ImageTextPanel::reloadCaptions() {
  const QStringList files = m_thumbs->files();
  if (m_captionsJob) m_captionsJob->supersede();
  Job* job = m_wb->jobs()->start(tr("Read the captions"), JobRunner::Light, [files](Job&) {
    QStringList captions;
    captions.reserve(files.size());
    for (const QString& f : files) captions << QString::fromStdString(fm::readSidecar(toPath(f)));
    return captions;
  });
  job->setRoutine(true);
  m_captionsJob = job;
  const int edits = m_captionEdits;
  connect(job, &Job::finished, this, [this, job, files, edits](Job::State s, const QString& message) {
    if (job != m_captionsJob) return;  // another folder or a newer read
    if (s == Job::State::Failed) say(message, true);
    const auto* captions = job->result<QStringList>();
    if (!captions || files != m_thumbs->files()) return;
    if (edits != m_captionEdits) {  // a caption was saved meanwhile: read them again
      reloadCaptions();
      return;
    }
    m_fillingCaptions = true;
    m_captions->setRowCount(static_cast<int>(files.size()));
    for (int i = 0; i < files.size(); ++i) {
      auto* name = new QTableWidgetItem(QFileInfo(files[i]).fileName());
      name->setFlags(name->flags() & ~Qt::ItemIsEditable);
      name->setToolTip(files[i]);
      const QImage thumb = m_thumbs->thumbnail(files[i]);
      if (!thumb.isNull()) name->setIcon(QPixmap::fromImage(thumb));
      m_captions->setItem(i, 0, name);
      m_captions->setItem(i, 1, new QTableWidgetItem(captions->at(i)));
    }
    m_fillingCaptions = false;
    Q_EMIT captionsShown(static_cast<int>(files.size()));
  });
}

bool ImageTextPanel::saveCaption(int row, const QString& text) {
  if (row < 0 || row >= m_thumbs->files().size()) return false;
  try {
    fm::writeSidecarText(toPath(m_thumbs->files().at(row)), text.toStdString());
    ++m_captionEdits;
    say(tr("Saved the caption of %1.").arg(QFileInfo(m_thumbs->files().at(row)).fileName()));
    return true;
  } catch (const std::exception& e) {
    say(QString::fromStdString(fm::errorMessage(e)), true);
    return false;
  }
}

Job* ImageTextPanel::openCaptioner(const QString& dir) {
  m_captionerLabel->setText(tr("Opening %1…").arg(dir));
  Job* job = openModelOfKind(m_wb, dir, fm::ModelKind::ImageToText, "a captioner (an image-to-text model such as BLIP or ViT-GPT2)");
  connect(job, &Job::finished, this, [this, job, dir](Job::State s, const QString& message) {
    const auto* m = job->result<std::shared_ptr<fm::LoadedModel>>();
    if (s != Job::State::Completed || !m) {
      m_captionerLabel->setText(m_captioner ? m_captionerDir : tr("No captioner: choose a folder of an image-to-text model, such as BLIP or ViT-GPT2."));
      say(message, true);
      return;
    }
    m_captioner = *m;
    m_captionerDir = dir;
    m_captionerLabel->setText(dir);
    updateButtons();
    Q_EMIT captionerReady(dir);
  });
  return job;
}

Job* ImageTextPanel::captionFolder() {
  if (!m_captioner || m_folder.isEmpty()) return nullptr;
  auto model = m_captioner;
  std::vector<std::filesystem::path> files;
  for (const auto& f : m_thumbs->files()) files.push_back(toPath(f));
  fm::CaptionOptions o;
  o.beams = m_beams->value();
  fm::CaptionStyle style;
  style.mode = fm::sidecarModeOf(m_sidecarMode->currentData().toString().toStdString());
  style.prefix = m_prefix->text().toStdString();
  style.suffix = m_suffix->text().toStdString();
  style.removeWords = toStd(splitLabels(m_removeWords->text()));
  // Captions stream into the table as they are written, word by word.
  QPointer<ImageTextPanel> self(this);
  Job* job = m_wb->jobs()->start(
      tr("Caption %n picture(s)", "", static_cast<int>(files.size())), JobRunner::Heavy, [=](Job& job) {
        return fm::captionFiles(*model, files, o, style, job.context(),
                                [&job, self](const std::filesystem::path& file, const std::string& text, bool) {
                                  const QString f = fromPath(file), t = QString::fromStdString(text);
                                  job.post([self, f, t] {
                                    if (self) self->showCaption(f, t);
                                  });
                                });
      });
  m_busy = job;
  updateButtons();
  m_tabs->setCurrentIndex(3);
  connect(job, &Job::finished, this, [this, job](Job::State s, const QString& message) {
    updateButtons();
    reloadCaptions();  // what was written before a stop is there too
    const auto* r = job->result<fm::CaptionFolderReport>();
    if (s == Job::State::Failed) say(message, true);
    if (!r) return;
    say(tr("%n caption file(s) written, %1 added to, %2 left as they were, %3 pictures unreadable.", "",
           static_cast<int>(r->written))
            .arg(r->appended)
            .arg(r->skipped)
            .arg(r->failed.size()));
    Q_EMIT captionsWritten(static_cast<int>(r->written + r->appended));
  });
  return job;
}

void ImageTextPanel::showCaption(const QString& file, const QString& text) {
  const int row = m_thumbs->files().indexOf(file);
  if (row < 0 || row >= m_captions->rowCount() || !m_captions->item(row, 1)) return;
  const bool filling = m_fillingCaptions;
  m_fillingCaptions = true;  // shown, not an edit to save
  m_captions->item(row, 1)->setText(text);
  m_fillingCaptions = filling;
  m_captions->scrollToItem(m_captions->item(row, 1));
}

void ImageTextPanel::setLabels(const QString& labels, const QString& tmpl) {
  m_labelsEdit->setText(labels);
  if (!tmpl.isEmpty()) m_templateEdit->setText(tmpl);
}

void ImageTextPanel::selectPicture(int row) {
  if (row < 0 || row >= m_thumbs->rowCount()) return;
  m_grid->setCurrentIndex(m_thumbs->index(row));
  m_grid->scrollTo(m_thumbs->index(row));
  showSelected();
}

void ImageTextPanel::showSelected() {
  updateButtons();
  const QModelIndex i = m_grid->currentIndex();
  if (!i.isValid()) return;
  const QString file = i.data(ThumbnailModel::PathRole).toString();
  const auto* p = m_thumbs->probabilitiesOf(file);
  if (!p) {
    m_bars->clear();
    m_selected->setText(m_thumbs->labels().isEmpty() ? QFileInfo(file).fileName()
                                                     : tr("%1 could not be read.").arg(QFileInfo(file).fileName()));
    return;
  }
  m_selected->setText(QFileInfo(file).fileName());
  m_bars->setScores(m_thumbs->labels(), *p);
}

Job* ImageTextPanel::labelPictures() {
  const QStringList labels = splitLabels(m_labelsEdit->text());
  if (!m_model || m_folder.isEmpty()) return nullptr;
  if (labels.isEmpty()) {
    say(tr("Type the labels to choose from, separated by commas."), true);
    return nullptr;
  }
  if (!m_templateEdit->text().contains(QStringLiteral("{}"))) {
    say(tr("The template needs {} where the label goes, for example \"a photo of a {}\"."), true);
    return nullptr;
  }
  auto model = m_model;
  std::vector<std::filesystem::path> files;
  for (const auto& f : m_thumbs->files()) files.push_back(toPath(f));
  const auto lab = toStd(labels);
  const std::string tmpl = m_templateEdit->text().toStdString();
  Job* job = m_wb->jobs()->start(tr("Label %n picture(s)", "", static_cast<int>(files.size())), JobRunner::Heavy,
                                 [=](Job& job) { return fm::labelImageFiles(*model, files, lab, tmpl, job.context()); });
  m_busy = job;
  updateButtons();
  connect(job, &Job::finished, this, [this, job, labels](Job::State s, const QString& message) {
    updateButtons();
    const auto* r = job->result<fm::LabelledFiles>();
    if (s == Job::State::Failed || !r) {
      if (s == Job::State::Failed) say(message, true);
      return;
    }
    QHash<QString, std::vector<double>> probs;
    for (size_t i = 0; i < r->files.size(); ++i) probs.insert(fromPath(r->files[i]), r->scores[i].probabilities);
    m_thumbs->setLabels(labels, probs);
    say(r->failed.empty() ? tr("%n picture(s) labelled.", "", static_cast<int>(r->files.size()))
                          : tr("%n picture(s) labelled; %1 could not be read (hover over them to see why).", "",
                               static_cast<int>(r->files.size()))
                                .arg(r->failed.size()));
    if (!m_grid->currentIndex().isValid() && m_thumbs->rowCount() > 0) selectPicture(0);
    else showSelected();
    Q_EMIT labelsShown(static_cast<int>(r->files.size()));
  });
  return job;
}

void ImageTextPanel::showHits(const std::vector<std::pair<QString, double>>& hits) {
  m_results->clear();
  for (size_t i = 0; i < hits.size(); ++i) {
    const auto& [file, score] = hits[i];
    auto* item = new QListWidgetItem(QStringLiteral("%1. %2\n%3").arg(i + 1).arg(QFileInfo(file).fileName()).arg(score, 0, 'f', 3));
    item->setData(Qt::UserRole, file);
    item->setToolTip(file);
    const QImage thumb = m_thumbs->thumbnail(file);
    if (!thumb.isNull()) item->setIcon(QPixmap::fromImage(thumb));
    m_results->addItem(item);
  }
  // Thumbnails not loaded yet arrive later (thumbnailReady).
  for (const auto& h : hits) {
    const int row = m_thumbs->files().indexOf(h.first);
    if (row >= 0) m_thumbs->data(m_thumbs->index(row), Qt::DecorationRole);  // asks for the thumbnail
  }
}

namespace {
// The folder's index brought up to date, then searched with `query` (text) or `example` (a file).
std::vector<std::pair<QString, double>> searchFolder(fm::LoadedModel& model, const std::filesystem::path& folder,
                                                     const std::filesystem::path& modelDir,
                                                     const std::filesystem::path& workspace, const std::string& query,
                                                     const std::filesystem::path& example, const JobContext& job) {
  fm::ImageIndex index(folder, modelDir, fm::ImageIndex::defaultLocation(workspace, folder, modelDir));
  index.sync(model, job);
  std::vector<float> q;
  if (!query.empty()) {
    q = fm::embedTextsForImages(model, {query})[0];
  } else {
    const fm::EmbeddedFiles e = fm::embedImageFiles(model, {example});
    if (e.vectors.empty()) throw fm::FormatError(e.failed.empty() ? "the picture could not be read" : e.failed[0].reason);
    q = e.vectors[0];
  }
  std::vector<std::pair<QString, double>> out;
  for (const auto& h : index.search(q, 24)) out.emplace_back(fromPath(h.file), h.score);
  return out;
}
}  // namespace

Job* ImageTextPanel::search(const QString& query) {
  if (!m_model || m_folder.isEmpty() || query.trimmed().isEmpty()) return nullptr;
  if (m_query->text() != query) m_query->setText(query);
  auto model = m_model;
  const auto folder = toPath(m_folder), modelDir = toPath(m_modelDir), ws = toPath(m_wb->workspace());
  const std::string q = query.trimmed().toStdString();
  Job* job = m_wb->jobs()->start(tr("Search pictures"), JobRunner::Heavy,
                                 [=](Job& job) { return searchFolder(*model, folder, modelDir, ws, q, {}, job.context()); });
  m_busy = job;
  updateButtons();
  connect(job, &Job::finished, this, [this, job](Job::State s, const QString& message) {
    updateButtons();
    if (s == Job::State::Failed) say(message, true);
    const auto* hits = job->result<std::vector<std::pair<QString, double>>>();
    if (!hits) return;
    showHits(*hits);
    say(tr("%n picture(s), most similar first (cosine similarity).", "", static_cast<int>(hits->size())));
    Q_EMIT searchShown(static_cast<int>(hits->size()));
  });
  return job;
}

Job* ImageTextPanel::findSimilar(const QString& file) {
  if (!m_model || m_folder.isEmpty() || file.isEmpty()) return nullptr;
  auto model = m_model;
  const auto folder = toPath(m_folder), modelDir = toPath(m_modelDir), ws = toPath(m_wb->workspace());
  const auto example = toPath(file);
  Job* job = m_wb->jobs()->start(tr("Find similar pictures"), JobRunner::Heavy,
                                 [=](Job& job) { return searchFolder(*model, folder, modelDir, ws, {}, example, job.context()); });
  m_busy = job;
  updateButtons();
  m_tabs->setCurrentIndex(1);
  connect(job, &Job::finished, this, [this, job](Job::State s, const QString& message) {
    updateButtons();
    if (s == Job::State::Failed) say(message, true);
    const auto* hits = job->result<std::vector<std::pair<QString, double>>>();
    if (!hits) return;
    showHits(*hits);
    say(tr("%n picture(s) like the chosen one, most similar first.", "", static_cast<int>(hits->size())));
    Q_EMIT searchShown(static_cast<int>(hits->size()));
  });
  return job;
}

Job* ImageTextPanel::evaluateFolder() {
  if (!m_model || m_folder.isEmpty()) return nullptr;
  auto model = m_model;
  const auto folder = toPath(m_folder);
  const std::string tmpl = m_templateEdit->text().toStdString();
  Job* job = m_wb->jobs()->start(tr("Evaluate %1").arg(QFileInfo(m_folder).fileName()), JobRunner::Heavy, [=](Job& job) {
    return fm::evaluateZeroShot(*model, fm::readLabelledFolder(folder), {}, tmpl, job.context());
  });
  m_busy = job;
  updateButtons();
  m_tabs->setCurrentIndex(2);
  connect(job, &Job::finished, this, [this, job](Job::State s, const QString& message) {
    updateButtons();
    if (s == Job::State::Failed) {
      say(message, true);
      m_accuracy->setText(message);
    }
    const auto* r = job->result<fm::ZeroShotReport>();
    if (!r) return;
    const int n = static_cast<int>(r->classes.size());
    say(QString());
    m_accuracy->setText(tr("Accuracy %1% on %n picture(s) (chance: %2%).", "", static_cast<int>(r->images))
                            .arg(r->accuracy * 100, 0, 'f', 1)
                            .arg(100.0 / std::max(1, n), 0, 'f', 1) +
                        (r->failed.empty() ? QString() : tr(" %1 could not be read.").arg(r->failed.size())));
    m_confusion->clear();
    m_confusion->setRowCount(n);
    m_confusion->setColumnCount(n + 1);
    // Rows carry the names; columns are numbered the same way, so twelve classes fit.
    QStringList rows, columns;
    for (size_t c = 0; c < r->labels.size(); ++c) {
      rows << QStringLiteral("%1  %2").arg(c + 1).arg(QString::fromStdString(r->labels[c]));
      columns << QString::number(c + 1);
    }
    m_confusion->setVerticalHeaderLabels(rows);
    m_confusion->setHorizontalHeaderLabels(QStringList(columns) << tr("accuracy"));
    for (int c = 0; c < n; ++c) {
      m_confusion->horizontalHeaderItem(c)->setToolTip(QString::fromStdString(r->labels[static_cast<size_t>(c)]));
      m_confusion->horizontalHeader()->setSectionResizeMode(c, QHeaderView::Fixed);
      m_confusion->setColumnWidth(c, std::max(24, fontMetrics().horizontalAdvance(QStringLiteral("00")) + 10));
    }
    for (int t = 0; t < n; ++t) {
      int64_t total = 0;
      for (int64_t v : r->confusion[static_cast<size_t>(t)]) total += v;
      for (int p = 0; p < n; ++p) {
        const int64_t v = r->confusion[static_cast<size_t>(t)][static_cast<size_t>(p)];
        auto* item = new QTableWidgetItem(QString::number(v));
        item->setTextAlignment(Qt::AlignCenter);
        const double share = total ? static_cast<double>(v) / static_cast<double>(total) : 0.0;
        const QColor base = t == p ? QColor(40, 140, 70) : QColor(200, 60, 60);
        QColor c = base;
        c.setAlphaF(static_cast<float>(0.08 + 0.6 * share));
        if (v > 0) item->setBackground(c);
        m_confusion->setItem(t, p, item);
      }
      const double acc = r->classAccuracy[static_cast<size_t>(t)];
      auto* a = new QTableWidgetItem(std::isnan(acc) ? QStringLiteral("—") : QStringLiteral("%1%").arg(acc * 100, 0, 'f', 0));
      a->setTextAlignment(Qt::AlignCenter);
      m_confusion->setItem(t, n, a);
    }
    m_confusion->setToolTip(tr("Rows: the true class. Columns: the model's best label."));
    Q_EMIT evaluationShown(r->accuracy);
  });
  return job;
}

Job* ImageTextPanel::prepareDemo() {
  const auto ws = toPath(m_wb->workspace());
  Job* job = m_wb->jobs()->start(tr("Image demo: shapes, a tiny CLIP and a captioner"), JobRunner::Heavy, [=](Job& job) {
    fm::VisionDemoOptions o;
    fm::VisionDemoResult r = fm::runVisionDemo(ws, o, job.context());
    if (r.status == fm::JobStatus::Cancelled) throw fm::CancelledError("the demo was stopped");
    return r;
  });
  m_busy = job;
  updateButtons();
  say(tr("Making the demo: drawing pictures of shapes, training a tiny CLIP on them, then a captioner (a few minutes)…"));
  connect(job, &Job::finished, this, [this, job, ws](Job::State s, const QString& message) {
    updateButtons();
    const auto* r = job->result<fm::VisionDemoResult>();
    if (s != Job::State::Completed || !r) {
      if (s == Job::State::Failed) say(message, true);
      else say(tr("The demo was stopped; what was finished is kept."));
      return;
    }
    const fm::VisionDemoPaths p = fm::visionDemoPaths(ws);
    QStringList labels;
    for (const auto& c : r->zeroShot.labels) labels << QString::fromStdString(c);
    setLabels(labels.join(QStringLiteral(", ")), QStringLiteral("a {}"));
    openFolder(fromPath(p.data / "test"));
    // The demo's captioner in the Captions tab, and what made it ready to train again.
    if (QFileInfo::exists(fromPath(p.captionLm))) m_trainer->setLanguageModel(fromPath(p.captionLm));
    m_trainer->setTrainingFolder(fromPath(p.data / "train"));
    if (QFileInfo::exists(fromPath(p.captioner / "config.json"))) openCaptioner(fromPath(p.captioner));
    Job* open = openModel(fromPath(p.model));
    const QString ready = tr("Demo ready: a tiny CLIP trained here labels held-out pictures with %1% accuracy (chance %2%), "
                             "and the captioner trained on it names the right shape and colour in %3% of them. "
                             "Press \"Label the pictures\", search for \"a yellow triangle\", or caption the folder.")
                              .arg(r->zeroShot.accuracy * 100, 0, 'f', 0)
                              .arg(100.0 / std::max<size_t>(1, r->zeroShot.classes.size()), 0, 'f', 1)
                              .arg(r->captions.both * 100, 0, 'f', 0);
    connect(open, &Job::finished, this, [this, ready](Job::State st) {
      if (st != Job::State::Completed) return;
      say(ready);
      Q_EMIT demoReady();
    });
  });
  return job;
}

}  // namespace fm::ui
