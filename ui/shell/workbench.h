// What the panels share: settings, the job runner, the model in use, the dataset in use, and
// the built-in demo. Lives on the GUI thread; all model work goes through jobs.
#pragma once

#include <QObject>
#include <QPointer>
#include <QString>
#include <memory>

#include "bridge/job.h"
#include "shell/settings.h"

namespace fm {
class LoadedModel;
class ModelPool;
}

namespace fm::ui {

// The dataset and template chosen in the Datasets panel, handed to the Fine-tune panel.
struct DataChoice {
  QString path;
  QString prompt, completion;  // empty: the dataset kind's default
  bool trainOnPrompt = false;
  bool skipBadRows = false;
  int maxLength = 512;
  double validationFraction = 0.1;
  qint64 seed = 42;
};

class Workbench : public QObject {
  Q_OBJECT
 public:
  explicit Workbench(const AppSettings& settings, QObject* parent = nullptr);
  ~Workbench() override;

  AppSettings& settings() { return m_settings; }
  void saveSettings();
  JobRunner* jobs() const { return m_jobs; }

  QString workspace() const { return m_settings.workspace; }
  QString demoModelDir() const;
  QString demoDataDir() const;
  QString demoReviews() const;
  QString runsDir() const;
  bool demoReady() const;
  // Writes the demo data and pretrains the demo model (a heavy job with progress); nothing is
  // done for parts that exist. Returns the job, or null when everything is ready.
  Job* prepareDemo();
  // The demo preparation while it runs (null otherwise): panels disable what needs the demo.
  Job* demoJob() const { return m_demoJob; }

  // Loads a model folder of any kind through the model pool in a light job; modelOpened (and
  // modelLoaded for a language model) or modelFailed follow.
  Job* openModel(const QString& dir);
  // The language model in use (Playground, Fine-tune, Datasets); an embedder or reranker
  // opened later does not replace it.
  std::shared_ptr<fm::LoadedModel> model() const { return m_model; }
  QString modelDir() const { return m_modelDir; }
  // The model opened last, of any kind (the Models panel shows it).
  std::shared_ptr<fm::LoadedModel> openedModel() const { return m_opened; }
  QString openedDir() const { return m_openedDir; }
  // Models loaded at once under one memory budget.
  fm::ModelPool& pool() const { return *m_pool; }

  void setDataChoice(const DataChoice& c);
  const DataChoice& dataChoice() const { return m_data; }

  // The most recent models, newest first (for the Models panel list).
  QStringList recentModels() const;

 Q_SIGNALS:
  void modelLoaded(const QString& dir);  // a language model is now model()
  void modelOpened(const QString& dir);  // any kind is now openedModel()
  void modelFailed(const QString& dir, const QString& message);
  void dataChosen();
  void demoPreparing(fm::ui::Job* job);  // a demo preparation started
  void demoPrepared();
  void demoFailed(const QString& message);
  void runsChanged();

 private:
  void rememberModel(const QString& dir);
  AppSettings m_settings;
  JobRunner* m_jobs;
  std::shared_ptr<fm::ModelPool> m_pool;
  std::shared_ptr<fm::LoadedModel> m_model, m_opened;
  QString m_modelDir, m_openedDir;
  DataChoice m_data;
  Job* m_demoJob = nullptr;
  QPointer<Job> m_openJob;
};

}  // namespace fm::ui
