// The main window: a sidebar of panels, the jobs area (every job with progress, time left and
// a cancel button) and the log. Dropping a model folder or a dataset file imports it.
#pragma once

#include <QMainWindow>

class QListWidget;
class QStackedWidget;
class QPlainTextEdit;
class QTableView;
class QLabel;

class QAction;

namespace fm::ui {

class DemoBanner;

class Workbench;
class ModelsPanel;
class DatasetsPanel;
class FinetunePanel;
class PlaygroundPanel;
class CollectionsPanel;
class ImageTextPanel;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  enum Page { Models, Datasets, Finetune, Collections, ImageText, Playground, PageCount };
  explicit MainWindow(Workbench* wb, QWidget* parent = nullptr);

  void showPage(Page p);
  Page currentPage() const;
  void setPresentation(bool on);
  bool presentation() const { return m_presentation->isChecked(); }
  ModelsPanel* modelsPanel() const { return m_models; }
  DatasetsPanel* datasetsPanel() const { return m_datasets; }
  FinetunePanel* finetunePanel() const { return m_finetune; }
  PlaygroundPanel* playgroundPanel() const { return m_playground; }
  CollectionsPanel* collectionsPanel() const { return m_collections; }
  ImageTextPanel* imageTextPanel() const { return m_imageText; }
  QTableView* jobsView() const { return m_jobsView; }
  QPlainTextEdit* logView() const { return m_log; }
  DemoBanner* demoBanner() const { return m_banner; }
  // Imports what was dropped or chosen: a folder with config.json is a model, a file a dataset.
  bool importPath(const QString& path);
  // First launch: prepares the demo (with progress) and selects it in every panel.
  void startWithDemo();
  // Closing while jobs run asks first (tests switch that off); it never blocks either way.
  bool confirmClose = true;
  bool isClosing() const { return m_closing; }

 protected:
  void dragEnterEvent(QDragEnterEvent* e) override;
  void dropEvent(QDropEvent* e) override;
  void closeEvent(QCloseEvent* e) override;

 private:
  void openSettings();
  void restart();
  void appendLog(const QString& line);
  void useDemo();
  Workbench* m_wb;
  QListWidget* m_nav;
  QStackedWidget* m_stack;
  QTableView* m_jobsView;
  QPlainTextEdit* m_log;
  QLabel* m_status;
  DemoBanner* m_banner;
  ModelsPanel* m_models;
  DatasetsPanel* m_datasets;
  FinetunePanel* m_finetune;
  PlaygroundPanel* m_playground;
  CollectionsPanel* m_collections;
  ImageTextPanel* m_imageText;
  bool m_closing = false;
  bool m_restart = false;
  QAction* m_presentation = nullptr;
  double m_baseFontSize = -1;
};

}  // namespace fm::ui
