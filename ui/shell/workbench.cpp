#include "shell/workbench.h"
#include "bridge/paths.h"

#include <QDir>
#include <QFileInfo>
#include <QPointer>
#include <QSettings>
#include <filesystem>

#include "arch/loaded_model.h"
#include "arch/model_pool.h"
#include "io/model_folder.h"
#include "data/demo_data.h"
#include "train/demo.h"

namespace fm::ui {

Workbench::Workbench(const AppSettings& settings, QObject* parent)
    : QObject(parent),
      m_settings(settings),
      m_jobs(new JobRunner(this)),
      m_pool(std::make_shared<fm::ModelPool>(fm::ModelPool::defaultBudget())) {}

Workbench::~Workbench() { m_jobs->cancelAllAndWait(); }

void Workbench::saveSettings() {
  QSettings s;
  m_settings.save(s);
}


QString Workbench::demoModelDir() const {
  return fromPath(fm::DemoPaths(toPath(workspace())).model);
}
QString Workbench::demoDataDir() const {
  return fromPath(fm::DemoPaths(toPath(workspace())).data);
}
QString Workbench::demoReviews() const {
  return fromPath(fm::DemoPaths(toPath(workspace())).reviews);
}
QString Workbench::runsDir() const { return QDir(workspace()).filePath(QStringLiteral("runs")); }

bool Workbench::demoReady() const {
  const fm::DemoPaths p(toPath(workspace()));
  return std::filesystem::exists(p.reviews) && std::filesystem::exists(p.corpus) &&
         std::filesystem::exists(p.model / "config.json") && std::filesystem::exists(p.model / "model.safetensors");
}

Job* Workbench::prepareDemo() {
  if (m_demoJob) return m_demoJob;
  if (demoReady()) return nullptr;
  const fm::DemoPaths p(toPath(workspace()));
  const int threads = m_settings.threads;
  Job* job = m_jobs->start(tr("Prepare the demo model"), JobRunner::Heavy, [p, threads](Job& job) {
    if (!std::filesystem::exists(p.reviews) || !std::filesystem::exists(p.corpus)) {
      job.setProgress(0, tr("writing the demo datasets"));
      fm::writeDemoData(p.data);
      job.log(tr("Demo datasets written to %1").arg(fromPath(p.data)));
    }
    if (std::filesystem::exists(p.model / "model.safetensors")) return;
    job.log(tr("Pretraining the tiny demo model from scratch (a minute or two on two cores)"));
    auto r = fm::pretrainDemoModel(p.corpus, p.model, 300, threads, [&job](const fm::TrainEvent& e) {
      if (e.totalSteps > 0 && (e.kind == fm::TrainEvent::Kind::Step || e.kind == fm::TrainEvent::Kind::Log))
        job.setProgress(static_cast<double>(e.step) / e.totalSteps,
                        tr("pretraining step %1 of %2").arg(e.step).arg(e.totalSteps));
      return !job.cancelRequested();
    });
    if (r.status == fm::JobStatus::Failed) throw std::runtime_error(r.message);
  });
  m_demoJob = job;
  connect(job, &Job::finished, this, [this](Job::State s, const QString& msg) {
    m_demoJob = nullptr;
    if (s == Job::State::Completed) Q_EMIT demoPrepared();
    else Q_EMIT demoFailed(s == Job::State::Cancelled ? tr("cancelled") : msg);
  });
  Q_EMIT demoPreparing(job);
  return job;
}

Job* Workbench::openModel(const QString& dir) {
  auto pool = m_pool;
  // The models this switch lets go of count as idle when the pool makes room.
  // An encoder shown in the Models panel is replaced by any new model; the language model in
  // use only by another language model.
  const fm::LoadedModel* shown = m_opened && m_opened != m_model ? m_opened.get() : nullptr;
  const fm::LoadedModel* language = m_model.get();
  Job* job = m_jobs->start(tr("Load %1").arg(QFileInfo(dir).fileName()), JobRunner::Light,
                           [dir, pool, shown, language](Job& job) {
    job.setProgress(-1, tr("reading %1").arg(dir));
    std::vector<const fm::LoadedModel*> replacing;
    if (shown) replacing.push_back(shown);
    if (language && fm::summarizeArch(fm::readJsonFile(toPath(dir) / "config.json")).kind == fm::ModelKind::CausalLM)
      replacing.push_back(language);
    fm::LoadOptions options;
    options.job = job.context();
    return pool->acquire(toPath(dir), options, replacing);
  });
  // The last folder asked for wins, whichever load finishes first.
  if (m_openJob) m_openJob->supersede();
  m_openJob = job;
  connect(job, &Job::finished, this, [this, job, dir](Job::State s, const QString& msg) {
    if (job != m_openJob) return;
    const auto* loaded = job->result<std::shared_ptr<fm::LoadedModel>>();
    if (s == Job::State::Completed && loaded && *loaded) {
      // The previous model stays in the pool while memory allows; jobs hold their own copy.
      m_opened = *loaded;
      m_openedDir = dir;
      rememberModel(dir);
      Q_EMIT modelOpened(dir);
      if (m_opened->kind() == fm::ModelKind::CausalLM) {
        m_model = m_opened;
        m_modelDir = dir;
        Q_EMIT modelLoaded(dir);
      }
    } else {
      Q_EMIT modelFailed(dir, msg.isEmpty() ? tr("cancelled") : msg);
    }
  });
  return job;
}

void Workbench::setDataChoice(const DataChoice& c) {
  m_data = c;
  Q_EMIT dataChosen();
}

QStringList Workbench::recentModels() const {
  QSettings s;
  return s.value(QStringLiteral("recent_models")).toStringList();
}

void Workbench::rememberModel(const QString& dir) {
  QSettings s;
  QStringList list = s.value(QStringLiteral("recent_models")).toStringList();
  list.removeAll(dir);
  list.prepend(dir);
  while (list.size() > 12) list.removeLast();
  s.setValue(QStringLiteral("recent_models"), list);
}

}  // namespace fm::ui
