// The Image + Text panel: a folder of pictures and a CLIP-style model. The pictures fill a
// thumbnail grid that loads lazily; tabs label them zero-shot (labels typed by the user, put in
// a prompt template, probabilities shown as bars for the chosen picture and the best label under
// each thumbnail), search them by a description or by an example picture (the folder is
// embedded once and kept up to date), and evaluate the model on a folder with one subfolder per
// class (accuracy per class and the confusion matrix). "Demo model" trains a tiny CLIP on
// generated shapes and opens its held-out pictures. "Captions" captions the folder with an
// image-to-text model; "Train a captioner" makes one (vision/captioner_trainer.h). All model
// work runs in jobs.
#pragma once

#include <QPointer>
#include <QWidget>

#include <memory>
#include <vector>

class QComboBox;
class QLabel;
class QSpinBox;
class QLineEdit;
class QListView;
class QListWidget;
class QPushButton;
class QTableWidget;
class QTabWidget;

namespace fm {
class LoadedModel;
}

namespace fm::ui {

class CaptionerTrainer;
class Job;
class LabelBars;
class ThumbnailModel;
class Workbench;

class ImageTextPanel : public QWidget {
  Q_OBJECT
 public:
  explicit ImageTextPanel(Workbench* wb, QWidget* parent = nullptr);
  ~ImageTextPanel() override;

  // Each starts a job and returns it (null when the input is not usable; the panel says why).
  Job* openModel(const QString& dir);
  void openFolder(const QString& dir);
  Job* labelPictures();
  Job* search(const QString& query);
  Job* findSimilar(const QString& file);
  Job* evaluateFolder();
  Job* prepareDemo();
  // Captions: a captioner (an image-to-text model), the folder captioned into sidecar .txt
  // files as the options say, and the captions shown and edited beside the thumbnails.
  Job* openCaptioner(const QString& dir);
  Job* captionFolder();
  void reloadCaptions();
  // Saves an edited caption (row of the caption table) beside its picture, atomically.
  bool saveCaption(int row, const QString& text);
  QTableWidget* captionTable() const { return m_captions; }
  bool hasCaptioner() const { return m_captioner != nullptr; }
  QComboBox* sidecarMode() const { return m_sidecarMode; }
  void setLabels(const QString& labels, const QString& tmpl = QString());
  void selectPicture(int row);

  QString modelDir() const { return m_modelDir; }
  QString folder() const { return m_folder; }
  ThumbnailModel* thumbnails() const { return m_thumbs; }
  QListView* grid() const { return m_grid; }
  QListWidget* searchResults() const { return m_results; }
  QTableWidget* confusionTable() const { return m_confusion; }
  QTabWidget* tabs() const { return m_tabs; }
  QLabel* statusLabel() const { return m_status; }
  LabelBars* labelBars() const { return m_bars; }
  CaptionerTrainer* captionerTrainer() const { return m_trainer; }

 Q_SIGNALS:
  void modelReady(const QString& dir);
  void labelsShown(int pictures);
  void searchShown(int hits);
  void evaluationShown(double accuracy);
  void demoReady();
  void captionerReady(const QString& dir);
  void captionsWritten(int pictures);
  void captionsShown(int pictures);  // the caption table filled from the sidecar files
  void folderShown(int pictures);    // the grid filled with the folder's pictures

 private:
  void say(const QString& text, bool error = false);
  void updateButtons();
  void showSelected();
  void showHits(const std::vector<std::pair<QString, double>>& hits);
  // A caption as it is being made or was just written, in its row of the caption table.
  void showCaption(const QString& file, const QString& text);
  std::shared_ptr<fm::LoadedModel> model() const { return m_model; }

  Workbench* m_wb;
  QString m_modelDir, m_folder;
  std::shared_ptr<fm::LoadedModel> m_model;
  QLabel *m_modelLabel = nullptr, *m_folderLabel = nullptr, *m_status = nullptr, *m_accuracy = nullptr;
  QLabel* m_selected = nullptr;
  QPushButton *m_labelButton = nullptr, *m_searchButton = nullptr, *m_similarButton = nullptr,
              *m_evalButton = nullptr, *m_demoButton = nullptr;
  QLineEdit *m_labelsEdit = nullptr, *m_templateEdit = nullptr, *m_query = nullptr;
  QListView* m_grid = nullptr;
  ThumbnailModel* m_thumbs = nullptr;
  QTabWidget* m_tabs = nullptr;
  LabelBars* m_bars = nullptr;
  QListWidget* m_results = nullptr;
  QTableWidget* m_confusion = nullptr;
  QPointer<Job> m_busy;
  QPointer<Job> m_folderJob;    // listing the pictures of the folder
  QPointer<Job> m_captionsJob;  // reading the sidecar files for the caption table
  int m_captionEdits = 0;       // captions saved from the table, so a slower read does not undo one
  // Captions.
  QString m_captionerDir;
  std::shared_ptr<fm::LoadedModel> m_captioner;
  QLabel* m_captionerLabel = nullptr;
  QComboBox* m_sidecarMode = nullptr;
  QLineEdit *m_prefix = nullptr, *m_suffix = nullptr, *m_removeWords = nullptr;
  QSpinBox* m_beams = nullptr;
  QPushButton* m_captionButton = nullptr;
  QTableWidget* m_captions = nullptr;
  bool m_fillingCaptions = false;
  CaptionerTrainer* m_trainer = nullptr;
};

}  // namespace fm::ui
