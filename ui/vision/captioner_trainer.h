// The "Train a captioner" tab of the Image + Text panel: a captioner of one's own
// (vision/train_captioner.h) from the panel's CLIP model, a language model and a folder of
// pictures with captions. While it trains: the live loss chart and, at every evaluation, what
// it now writes for a few held-out pictures beside the captions in the data. Stop keeps a
// checkpoint; Resume continues it; a finished captioner opens in the Captions tab.
#pragma once

#include <QPointer>
#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace fm::ui {

class Job;
class LossChart;
class Workbench;

class CaptionerTrainer : public QWidget {
  Q_OBJECT
 public:
  explicit CaptionerTrainer(Workbench* wb, QWidget* parent = nullptr);

  // The panel's CLIP model and its pictures folder (used for training unless another was chosen).
  void setImageModel(const QString& dir);
  void setPicturesFolder(const QString& dir);
  void setLanguageModel(const QString& dir);
  void setTrainingFolder(const QString& dir);  // chosen on purpose: no longer follows the panel
  void setEpochs(int epochs);

  // Starts a run (null when something is missing; the tab says what).
  Job* train();
  Job* resume();
  void stop();

  QString runDir() const { return m_runDir; }
  LossChart* chart() const { return m_chart; }
  QTableWidget* samples() const { return m_samples; }
  QLabel* statusLabel() const { return m_status; }

 Q_SIGNALS:
  // A finished captioner folder (captioner/ inside the run folder).
  void trained(const QString& captionerDir);
  void samplesShown(int step);

 private:
  Job* launch(bool resuming);
  void updateButtons();
  void say(const QString& text, bool error = false);

  Workbench* m_wb;
  QString m_imageModel, m_languageModel, m_data, m_runDir;
  bool m_dataChosen = false;
  QLabel *m_lmLabel = nullptr, *m_dataLabel = nullptr, *m_status = nullptr, *m_progress = nullptr;
  QComboBox* m_mode = nullptr;
  QSpinBox* m_epochs = nullptr;
  QPushButton *m_train = nullptr, *m_stop = nullptr, *m_resume = nullptr;
  LossChart* m_chart = nullptr;
  QTableWidget* m_samples = nullptr;
  QPointer<Job> m_job;
};

}  // namespace fm::ui
