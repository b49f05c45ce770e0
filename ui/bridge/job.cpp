#include "bridge/job.h"
#include "bridge/core_text.h"

#include "jobs/cancelled.h"
#include "util/error.h"

#include <QMetaObject>
#include <QThread>
#include <QThreadPool>
#include <QTimer>
#include <exception>

#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace fm::ui {

Job::Job(const QString& title, int throttleMs, QObject* parent)
    : QObject(parent), m_title(title), m_throttleMs(throttleMs) {
  m_clock.start();
}

double Job::elapsedSeconds() const { return m_clock.elapsed() / 1000.0; }

double Job::etaSeconds() const {
  if (m_state != State::Running || m_progress <= 0.001 || m_progress >= 1 || m_rate.size() < 2) return -1;
  const auto& [t0, p0] = m_rate.front();
  const auto& [t1, p1] = m_rate.back();
  if (t1 - t0 < 3 || p1 <= p0) return -1;  // too early to say
  return (1 - m_progress) * (t1 - t0) / (p1 - p0);
}

void Job::supersede() {
  m_superseded = true;
  cancel();
}

bool Job::leavesList() const {
  if (isActive()) return false;
  if (m_superseded && m_state == State::Cancelled) return true;
  return m_routine && m_state != State::Failed;
}

QString Job::stateName(State s) {
  switch (s) {
    case State::Queued: return tr("queued");
    case State::Running: return tr("running");
    case State::Completed: return tr("done");
    case State::Cancelled: return tr("cancelled");
    case State::Failed: return tr("failed");
  }
  return {};
}

void Job::cancel() { m_cancel.store(true); }

void Job::schedule() {
  if (m_scheduled) return;
  m_scheduled = true;
  QMetaObject::invokeMethod(this, &Job::deliver, Qt::QueuedConnection);
}

void Job::setProgress(double fraction, const QString& detail) {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_pendingProgress = fraction;
  m_pendingDetail = detail;
  m_hasPendingProgress = true;
  schedule();
}

void Job::post(std::function<void()> onGuiThread) {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_pending.push_back(std::move(onGuiThread));
  schedule();
}

void Job::log(const QString& line) {
  post([this, line] { Q_EMIT logLine(line); });
}

fm::JobContext Job::context() {
  return fm::JobContext(
      [this](double fraction, const std::string& what) {
        setProgress(fraction, coreText(what));
        return !cancelRequested();
      },
      [this](const std::string& line) { log(coreText(line)); }, [this] { return cancelRequested(); });
}

void Job::begin() {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_started = true;
  schedule();
}

void Job::end(State s, const QString& message, std::any result) {
  std::lock_guard<std::mutex> lock(m_mutex);
  m_ended = true;
  m_endState = s;
  m_endMessage = message;
  m_endResult = std::move(result);
  schedule();
}

void Job::deliver() {
  // Throttle: at most one delivery per m_throttleMs, except the final one.
  bool ending;
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    ending = m_ended;
  }
  if (!ending && m_lastDelivery.isValid() && m_lastDelivery.elapsed() < m_throttleMs) {
    QTimer::singleShot(static_cast<int>(m_throttleMs - m_lastDelivery.elapsed()), this, &Job::deliver);
    return;
  }
  std::vector<std::function<void()>> work;
  bool started, ended;
  State endState;
  QString endMessage;
  std::any endResult;
  {
    std::lock_guard<std::mutex> lock(m_mutex);
    work.swap(m_pending);
    if (m_hasPendingProgress) {
      if (m_pendingProgress < m_progress || m_pendingProgress < 0) m_rate.clear();  // a new stage
      m_progress = m_pendingProgress;
      m_detail = m_pendingDetail;
      m_hasPendingProgress = false;
      if (m_progress >= 0) {
        const double now = elapsedSeconds();
        m_rate.emplace_back(now, m_progress);
        while (m_rate.size() > 2 && now - m_rate[1].first >= 30) m_rate.pop_front();
      }
    }
    started = m_started;
    ended = m_ended;
    endState = m_endState;
    endMessage = m_endMessage;
    if (ended) endResult = std::move(m_endResult);
    m_scheduled = false;
  }
  m_lastDelivery.start();
  if (started && m_state == State::Queued) {
    m_state = State::Running;
    m_clock.restart();  // elapsed time and ETA count from the start of the work, not the queue
    m_rate.clear();
  }
  for (auto& f : work) f();
  if (ended && isActive()) {
    m_state = endState;
    m_message = endMessage;
    m_result = std::move(endResult);
    if (endState == State::Completed) m_progress = 1;
    Q_EMIT changed();
    Q_EMIT finished(endState, endMessage);
    m_result.reset();  // a finished job kept in the list must not hold a model or a dataset
    return;
  }
  Q_EMIT changed();
}

// ---- JobsModel ----

int JobsModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_jobs.size());
}
int JobsModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

Job* JobsModel::jobAt(int row) const {
  return row >= 0 && row < static_cast<int>(m_jobs.size()) ? m_jobs[static_cast<size_t>(row)].data() : nullptr;
}

int JobsModel::activeCount() const {
  int n = 0;
  for (const auto& j : m_jobs)
    if (j && j->isActive()) ++n;
  return n;
}

QString Job::formatDuration(double s) {
  if (s < 0) return QStringLiteral("—");
  const int t = static_cast<int>(s + 0.5);
  return t >= 60 ? tr("%1 min %2 s").arg(t / 60).arg(t % 60, 2, 10, QLatin1Char('0')) : tr("%1 s").arg(t);
}

QVariant JobsModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  Job* j = jobAt(index.row());
  if (!j) return {};
  if (role == Qt::DisplayRole) {
    switch (index.column()) {
      case Title: return j->title();
      case State: return Job::stateName(j->state());
      case Progress: return j->progress() < 0 ? QVariant() : QVariant(static_cast<int>(j->progress() * 100 + 0.5));
      case Eta: return Job::formatDuration(j->etaSeconds());
      case Cancel: return j->isActive() ? (j->cancelRequested() ? tr("stopping…") : tr("Cancel")) : QString();
    }
  }
  if (role == Qt::ToolTipRole) {
    if (index.column() == Cancel && j->isActive()) return tr("Stop this job at its next safe point");
    return j->message().isEmpty() ? j->detail() : j->message();
  }
  if (role == Qt::UserRole && index.column() == Progress) return j->detail();
  return {};
}

QVariant JobsModel::headerData(int section, Qt::Orientation o, int role) const {
  if (o != Qt::Horizontal || role != Qt::DisplayRole) return QAbstractTableModel::headerData(section, o, role);
  switch (section) {
    case Title: return tr("Job");
    case State: return tr("State");
    case Progress: return tr("Progress");
    case Eta: return tr("Time left");
    case Cancel: return QString();
  }
  return {};
}

void JobsModel::add(Job* job) {
  const int row = rowCount();
  beginInsertRows({}, row, row);
  m_jobs.emplace_back(job);
  endInsertRows();
  QPointer<Job> guard(job);
  connect(job, &Job::changed, this, [this, guard] {
    for (int r = 0; r < rowCount(); ++r)
      if (m_jobs[static_cast<size_t>(r)] == guard) Q_EMIT dataChanged(index(r, 0), index(r, ColumnCount - 1));
  });
  connect(job, &Job::finished, this, &JobsModel::prune, Qt::QueuedConnection);
}

void JobsModel::prune() {
  for (int r = 0; r < rowCount();) {
    Job* j = m_jobs[static_cast<size_t>(r)].data();
    if (!j || !j->leavesList()) {
      ++r;
      continue;
    }
    beginRemoveRows({}, r, r);
    m_jobs.erase(m_jobs.begin() + r);
    endRemoveRows();
    j->deleteLater();
  }
  int finished = 0;
  for (const auto& j : m_jobs)
    if (!j || !j->isActive()) ++finished;
  for (int r = 0; r < rowCount() && finished > kKeepFinished;) {
    Job* j = m_jobs[static_cast<size_t>(r)].data();
    if (j && j->isActive()) {
      ++r;
      continue;
    }
    beginRemoveRows({}, r, r);
    m_jobs.erase(m_jobs.begin() + r);
    endRemoveRows();
    if (j) j->deleteLater();  // panels hold QPointer<Job>: they see null
    --finished;
  }
}

// ---- JobRunner ----

// Model work yields to the GUI thread when cores are scarce. Threads the work starts (libtorch's
// OpenMP team) inherit the lower priority. Throughput is unchanged when nothing else runs.
static void lowerThreadPriority() {
#if defined(__linux__)
  // Linux ignores QThread priorities for normal threads; a per-thread nice value works.
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 5);
#else
  QThread::currentThread()->setPriority(QThread::LowPriority);
#endif
}

JobRunner::JobRunner(QObject* parent)
    : QObject(parent), m_heavy(new QThreadPool(this)), m_light(new QThreadPool(this)), m_model(new JobsModel(this)) {
  m_heavy->setMaxThreadCount(1);
  m_light->setMaxThreadCount(2);
  // Model work needs deep stacks (libtorch autograd on some platforms).
  m_heavy->setStackSize(16u << 20);
  m_light->setStackSize(16u << 20);
}

JobRunner::~JobRunner() { cancelAllAndWait(); }

Job* JobRunner::startWork(const QString& title, Kind kind, Work work) {
  auto* job = new Job(title, throttleMs, this);
  m_model->add(job);
  connect(job, &Job::logLine, this, &JobRunner::logLine);
  QPointer<Job> guard(job);
  Q_EMIT logLine(tr("%1: started").arg(title));
  connect(job, &Job::finished, this, [this, job, title](Job::State s, const QString& msg) {
    if (job->superseded() && s == Job::State::Cancelled) {
      Q_EMIT logLine(tr("%1: replaced by a newer request").arg(title));
      return;
    }
    Q_EMIT logLine(msg.isEmpty() ? tr("%1: %2").arg(title, Job::stateName(s))
                                 : tr("%1: %2 — %3").arg(title, Job::stateName(s), msg));
  });
  (kind == Heavy ? m_heavy : m_light)->start([job, work = std::move(work)] {
    lowerThreadPriority();
    job->begin();
    if (job->cancelRequested()) {  // cancelled while queued: the work never starts
      job->end(Job::State::Cancelled, QString(), {});
      return;
    }
    Job::State state = Job::State::Completed;
    QString message;
    std::any result;
    try {
      result = work(*job);
      if (job->cancelRequested()) state = Job::State::Cancelled;
    } catch (const fm::CancelledError&) {
      state = Job::State::Cancelled;  // stopped from deep inside the work, as asked
    } catch (const std::exception& e) {
      state = Job::State::Failed;
      message = QString::fromStdString(fm::errorMessage(e));  // libtorch's without its backtrace
    } catch (...) {
      state = Job::State::Failed;
      message = tr("unknown error");
    }
    job->end(state, message, std::move(result));
  });
  Q_EMIT jobStarted(job);
  return job;
}

void JobRunner::cancelAll() {
  for (int r = 0; r < m_model->rowCount(); ++r)
    if (Job* j = m_model->jobAt(r)) j->cancel();
}

void JobRunner::cancelAllAndWait() {
  cancelAll();
  m_heavy->waitForDone();
  m_light->waitForDone();
}

bool JobRunner::waitForDone(int msecs) { return m_heavy->waitForDone(msecs) && m_light->waitForDone(msecs); }

}  // namespace fm::ui
