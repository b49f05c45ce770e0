// Jobs for the GUI: core work on a worker pool, its events and result back on the GUI thread.
//
//   Job* job = runner->start(tr("Merge"), JobRunner::Heavy, [=](Job& job) {
//     return fm::compareOnValidation(cfg, out, 4, 24, job.context());  // progress, cancel, log
//   });
//   connect(job, &Job::finished, this, [this, job](Job::State s, const QString& message) {
//     if (const auto* rows = job->result<std::vector<fm::SideBySide>>()) show(*rows);
//   });
//
// A job's result is the value its work returns; it arrives with `finished`. Work that streams
// data for the GUI (training's chart points) hands it over with post(), which runs on the GUI
// thread, batched.
//
// Worker-side calls (setProgress, post, log) are thread-safe and never block on the GUI. Their
// effects reach the GUI thread as one queued call at a time, at most every `throttleMs`
// (100 ms: about 10 deliveries a second however fast the job reports). An exception thrown by
// the work (fm::Error, c10::Error, std::bad_alloc...) ends the job as Failed with its message;
// the application keeps running.
#pragma once

#include <QAbstractTableModel>
#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QString>
#include <any>
#include <atomic>
#include <deque>
#include <functional>
#include <mutex>
#include <type_traits>
#include <utility>
#include <vector>

#include "jobs/job.h"

class QThreadPool;

namespace fm::ui {

class Job : public QObject {
  Q_OBJECT
 public:
  enum class State { Queued, Running, Completed, Cancelled, Failed };

  Job(const QString& title, int throttleMs, QObject* parent);

  // GUI thread.
  QString title() const { return m_title; }
  State state() const { return m_state; }
  bool isActive() const { return m_state == State::Queued || m_state == State::Running; }
  double progress() const { return m_progress; }  // 0..1, or < 0 when unknown
  QString detail() const { return m_detail; }
  QString message() const { return m_message; }  // error or outcome, once finished
  double elapsedSeconds() const;
  double etaSeconds() const;  // < 0 when unknown
  static QString stateName(State s);
  static QString formatDuration(double seconds);  // "1 min 05 s", "42 s", "—" when < 0
  // In handlers of `finished`: the value the work returned (also when a cancel came too late to
  // stop it), or nullptr when it threw, was cancelled before returning, or returns nothing.
  // Released after `finished`, so finished jobs in the list hold no models or datasets.
  template <typename T>
  const T* result() const {
    return std::any_cast<T>(&m_result);
  }

  // GUI thread. A job replaced by a newer request of the same kind (the last folder asked for
  // wins) is cancelled and leaves the list when it stops, instead of showing as a cancelled job.
  void supersede();
  bool superseded() const { return m_superseded; }
  // Routine, frequent jobs (generations, tokenizing) leave the list once done; failures stay.
  void setRoutine(bool routine) { m_routine = routine; }
  bool leavesList() const;

  // Any thread.
  void cancel();
  bool cancelRequested() const { return m_cancel.load(); }
  void setProgress(double fraction, const QString& detail);
  void post(std::function<void()> onGuiThread);
  void log(const QString& line);
  // The core side of this job: progress and log lines go to the job; a cancel asks core to stop.
  fm::JobContext context();

 Q_SIGNALS:
  void changed();                  // progress/detail/state, throttled
  void logLine(const QString& line);
  void finished(fm::ui::Job::State state, const QString& message);

 private:
  friend class JobRunner;
  void schedule();   // any thread, lock held
  void deliver();    // GUI thread
  void begin();      // worker: Queued -> Running
  void end(State s, const QString& message, std::any result);  // worker

  QString m_title;
  int m_throttleMs;
  bool m_superseded = false, m_routine = false;
  // (seconds since start, progress) over the last half minute: time left follows the recent
  // rate, not the average since the start (slow first steps would double it).
  std::deque<std::pair<double, double>> m_rate;
  State m_state = State::Queued;
  double m_progress = -1;
  QString m_detail, m_message;
  std::any m_result;
  QElapsedTimer m_clock, m_lastDelivery;
  std::atomic<bool> m_cancel{false};

  std::mutex m_mutex;  // guards the fields below
  bool m_scheduled = false;
  std::vector<std::function<void()>> m_pending;
  double m_pendingProgress = -1;
  QString m_pendingDetail;
  bool m_hasPendingProgress = false;
  bool m_started = false, m_ended = false;
  State m_endState = State::Completed;
  QString m_endMessage;
  std::any m_endResult;
};

// The session's jobs, newest last: title, state, progress, ETA, and a cancel cell. Running
// jobs always stay; beyond kKeepFinished finished ones, the oldest finished are dropped.
class JobsModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { Title, State, Progress, Eta, Cancel, ColumnCount };
  static constexpr int kKeepFinished = 50;
  explicit JobsModel(QObject* parent) : QAbstractTableModel(parent) {}
  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation o, int role) const override;
  void add(Job* job);
  Job* jobAt(int row) const;
  int activeCount() const;

 private:
  void prune();
  std::vector<QPointer<Job>> m_jobs;
};

class JobRunner : public QObject {
  Q_OBJECT
 public:
  // Heavy jobs (training, pretraining, merging) run one at a time, in order; light jobs (load,
  // tokenize, generate, scan a file) run beside them.
  enum Kind { Light, Heavy };
  // The work runs on a worker thread; what it returns becomes Job::result().
  using Work = std::function<std::any(Job&)>;

  explicit JobRunner(QObject* parent = nullptr);
  ~JobRunner() override;

  template <typename F>
  Job* start(const QString& title, Kind kind, F work) {
    using R = std::invoke_result_t<F&, Job&>;
    if constexpr (std::is_void_v<R>) {
      return startWork(title, kind, [work = std::move(work)](Job& job) mutable {
        work(job);
        return std::any();
      });
    } else {
      return startWork(title, kind, [work = std::move(work)](Job& job) mutable { return std::any(work(job)); });
    }
  }
  JobsModel* model() const { return m_model; }
  // Asks every job to stop (returns at once).
  void cancelAll();
  // Asks every job to stop and waits for the pools (tests, and the last step of shutdown).
  void cancelAllAndWait();
  bool waitForDone(int msecs);
  int throttleMs = 100;

 Q_SIGNALS:
  void jobStarted(fm::ui::Job* job);
  void logLine(const QString& line);

 private:
  Job* startWork(const QString& title, Kind kind, Work work);
  QThreadPool* m_heavy;
  QThreadPool* m_light;
  JobsModel* m_model;
};

}  // namespace fm::ui
