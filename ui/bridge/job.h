// Jobs for the GUI: core work on a worker pool, its events back on the GUI thread.
//
//   Job* job = runner->start(tr("Fine-tune"), JobRunner::Heavy, [](Job& job) {
//     fm::train(cfg, [&](const fm::TrainEvent& e) {
//       job.setProgress(double(e.step) / e.totalSteps, "step ...");
//       job.post([e, chart] { chart->add(e); });   // runs on the GUI thread, batched
//       return !job.cancelRequested();
//     });
//   });
//   connect(job, &Job::finished, ...);
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
#include <atomic>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

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

  // Any thread.
  void cancel();
  bool cancelRequested() const { return m_cancel.load(); }
  void setProgress(double fraction, const QString& detail);
  void post(std::function<void()> onGuiThread);
  void log(const QString& line);

 Q_SIGNALS:
  void changed();                  // progress/detail/state, throttled
  void logLine(const QString& line);
  void finished(fm::ui::Job::State state, const QString& message);

 private:
  friend class JobRunner;
  void schedule();   // any thread, lock held
  void deliver();    // GUI thread
  void begin();      // worker: Queued -> Running
  void end(State s, const QString& message);  // worker

  QString m_title;
  int m_throttleMs;
  State m_state = State::Queued;
  double m_progress = -1;
  QString m_detail, m_message;
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
  using Work = std::function<void(Job&)>;

  explicit JobRunner(QObject* parent = nullptr);
  ~JobRunner() override;

  Job* start(const QString& title, Kind kind, Work work);
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
  QThreadPool* m_heavy;
  QThreadPool* m_light;
  JobsModel* m_model;
};

}  // namespace fm::ui
