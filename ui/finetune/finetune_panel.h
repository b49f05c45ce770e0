// Fine-tune panel: every trainer setting (with presets and plain-words tooltips), start /
// cancel / resume, the live chart, progress, the log, the outcome (accuracy before and after,
// side-by-side answers, export), and the history of runs in the workspace.
#pragma once

#include <QJsonObject>
#include <QMap>
#include <QPointer>
#include <QJsonArray>
#include <QWidget>

class QComboBox;
class QFormLayout;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace fm::ui {

class Workbench;
class LossChart;
class Job;

class FinetunePanel : public QWidget {
  Q_OBJECT
 public:
  explicit FinetunePanel(Workbench* wb, QWidget* parent = nullptr);

  // The form as a trainer config (JSON with the trainer's keys); errors name the setting.
  QJsonObject configJson() const;
  void setSetting(const QString& key, const QVariant& value);
  QVariant setting(const QString& key) const;
  void applyPreset(const QString& name);  // "quick" | "balanced" | "thorough"
  void applyDemo();                       // demo model + reviews + the quick preset

  Job* start();
  Job* resume(const QString& runDir);
  void cancel();
  Job* currentJob() const { return m_job; }
  QString currentRun() const { return m_runDir; }
  void refreshHistory();
  // A run from the history as it ended: its chart, outcome, side-by-side answers, and the
  // export and Playground buttons when it produced an adapter.
  void openRun(const QString& runDir);

  struct Measure {
    double accuracy = -1, loss = -1, perplexity = -1;
  };
  static QString outcomeHtml(const Measure& before, const Measure& after, qint64 steps, double seconds,
                             double tokensPerS, const QString& output);

  LossChart* chart() const { return m_chart; }
  QLabel* resultLabel() const { return m_result; }
  QTableWidget* generations() const { return m_generations; }
  QListWidget* history() const { return m_history; }
  QPlainTextEdit* log() const { return m_log; }

 Q_SIGNALS:
  void runFinished(const QString& runDir, bool completed);
  void comparisonReady();
  void tryInPlayground(const QString& adapterDir);

 private:
  void updateButtons();
  void refreshPresetTimes();
  void buildForm(QFormLayout* data, QFormLayout* lora, QFormLayout* optim, QFormLayout* book);
  void fromDataChoice();
  Job* launch(const QString& runDir, bool resuming, const QJsonObject& cfg);
  void finished(bool completed, const QString& message);
  void compareAnswers();
  void exportAdapter();
  void exportMerged();
  void showAnswers(const QJsonArray& rows);
  QString chooseNewFolder(const QString& title, const QString& suggestedName);

  Workbench* m_wb;
  QMap<QString, QWidget*> m_fields;
  QComboBox* m_preset;
  QPushButton* m_start;
  QPushButton* m_cancel;
  QPushButton* m_resume;
  QPushButton* m_exportAdapter;
  QPushButton* m_exportMerged;
  QPushButton* m_tryIt;
  QLabel* m_error;
  LossChart* m_chart;
  QProgressBar* m_progress;
  QLabel* m_speed;
  QPlainTextEdit* m_log;
  QLabel* m_result;
  QTableWidget* m_generations;
  QListWidget* m_history;
  QPointer<Job> m_job;
  QPointer<Job> m_compareJob;
  bool m_pendingData = false;  // a dataset chosen while a run trained
  QString m_pendingModel;      // a model loaded while a run trained
  QString m_runDir, m_output;
  QJsonObject m_runConfig;
  bool m_presetExact = false;  // the form holds a preset as it was applied
  QString m_launchPreset;      // the preset the running run started from ("" when none)
};

}  // namespace fm::ui
