// The contract every long operation in core follows:
//   - it takes a plain config struct and a JobContext: progress (a fraction and what it is
//     doing), a way to hear "stop", and lines for the log;
//   - asked to stop, it throws CancelledError (jobs/cancelled.h) from wherever it is, at the
//     next safe point; a cancel is an outcome, not an error. Only training, whose outcome
//     (a checkpoint to resume) is worth returning, ends with JobStatus::Cancelled instead;
//   - it also streams typed data where the caller draws it (training: TrainEvent points for
//     the loss chart); progress and cancel still go through the context;
//   - problems a person can fix are thrown as fm::Error subclasses with an actionable message.
// The UI bridge runs jobs on its worker pool, makes their JobContext from the job, shows
// their progress and log lines, and reports a job that ended in CancelledError as cancelled.
//
//   void importThings(const Config& c, const JobContext& job) {
//     readAll(c, job.part(0, 0.3, "reading"));          // 0..30% of this job's bar
//     for (size_t i = 0; i < n; ++i) {
//       job.report(0.3 + 0.7 * i / n, "embedding");      // throws CancelledError when asked
//       ...
//       job.checkCancel();                               // between reports, cheap
//     }
//     job.log("imported " + std::to_string(n) + " things");
//   }
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

namespace fm {

enum class JobStatus { Completed, Cancelled, Failed };

inline const char* jobStatusName(JobStatus s) {
  switch (s) {
    case JobStatus::Completed: return "completed";
    case JobStatus::Cancelled: return "cancelled";
    case JobStatus::Failed: return "failed";
  }
  return "?";
}

template <typename Event>
using JobCallback = std::function<bool(const Event&)>;

// What a long operation is handed. Copies share the listener and the stop flag; part() gives
// a piece of the progress bar to a sub-step. A default context reports nowhere and never
// stops. Thread-compatible: one operation reports from one thread at a time.
class JobContext {
 public:
  // fraction: 0..1 of the whole job, or -1 when unknown. Returns false to ask the job to stop.
  using Report = std::function<bool(double fraction, const std::string& what)>;
  using Log = std::function<void(const std::string& line)>;
  using Probe = std::function<bool()>;  // true when a stop was asked (cheap, called often)

  JobContext() = default;
  JobContext(Report report, Log log, Probe stopAsked = {});
  // A lambda `bool(double fraction, const std::string& what)` converts implicitly.
  template <typename F, typename = std::enable_if_t<std::is_invocable_r_v<bool, F&, double, const std::string&> &&
                                                    !std::is_same_v<std::decay_t<F>, JobContext>>>
  JobContext(F report) : JobContext(Report(std::move(report)), Log()) {}

  // Whether anyone listens (callers may skip work that only feeds the report).
  bool reporting() const { return m_shared && m_shared->report; }

  // Reports progress within this context's part of the bar; throws CancelledError when the
  // listener asks to stop (now or earlier).
  void report(double fraction, const std::string& what) const;
  // Throws CancelledError when a stop was asked, without reporting.
  void checkCancel() const;
  bool stopAsked() const;
  void log(const std::string& line) const;

  // The sub-range [from, to] of this context's bar, for a step of the job. `what` (when not
  // empty) replaces the sub-step's own description of what it is doing.
  JobContext part(double from, double to, std::string what = {}) const;

 private:
  struct Shared {
    Report report;
    Log log;
    Probe stopAsked;
    std::atomic<bool> stopped{false};
  };
  std::shared_ptr<Shared> m_shared;
  double m_from = 0, m_to = 1;
  std::string m_what;
};

}  // namespace fm
