// Datasets panel: a paged preview of a dataset file, the prompt template with a live example
// (trained tokens highlighted), and the statistics that matter before training: token lengths
// against the max length, labels, duplicates and train/validation leakage.
#pragma once

#include <QPointer>
#include <QWidget>
#include <functional>
#include <memory>

class QLabel;
class QTableView;
class QPlainTextEdit;
class QLineEdit;
class QCheckBox;
class QSpinBox;
class QDoubleSpinBox;
class QTextBrowser;
class QComboBox;
class QPushButton;
class QChartView;

namespace fm::ui {

class Workbench;
class Job;
class DatasetTableModel;
struct DataChoice;

struct DatasetSummary;  // statistics handed from the analysis job to the charts

class DatasetsPanel : public QWidget {
  Q_OBJECT
 public:
  explicit DatasetsPanel(Workbench* wb, QWidget* parent = nullptr);
  // Opens in a job; `then` runs on the GUI thread once the preview is in place.
  void openFile(const QString& path, std::function<void()> then = {});
  void openDemo();
  void chooseFile();  // asks for a file, then opens it
  DataChoice choice() const;
  DatasetTableModel* tableModel() const { return m_model; }
  QTableView* table() const { return m_table; }
  QTextBrowser* example() const { return m_example; }
  QLabel* warnings() const { return m_warnings; }
  void analyze();

 Q_SIGNALS:
  void opened(const QString& path, qint64 rows);
  void analyzed();
  void useForTraining();

 private:
  void renderExample();
  void showSummary(const DatasetSummary& s);
  void clearSummary();
  Workbench* m_wb;
  QString m_path;
  QLabel* m_title;
  QLabel* m_error;
  DatasetTableModel* m_model;
  QTableView* m_table;
  QPlainTextEdit* m_prompt;
  QLineEdit* m_completion;
  QComboBox* m_insertColumn;
  QCheckBox* m_trainOnPrompt;
  QCheckBox* m_skipBad;
  QSpinBox* m_maxLength;
  QDoubleSpinBox* m_validation;
  QSpinBox* m_seed;
  QTextBrowser* m_example;
  QLabel* m_warnings;
  QChartView* m_lengthChart;
  QChartView* m_labelChart;
  QPushButton* m_analyze;
  QPointer<Job> m_openJob;
};

}  // namespace fm::ui
