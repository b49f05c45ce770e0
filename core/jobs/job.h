// The contract every long operation in core follows:
//   - it takes a plain config struct and reports through a callback: typed events where the
//     caller needs data (training: TrainEvent, including Progress), otherwise a JobProgress
//     (a fraction and what it is doing: loading, preparing data, comparing, merging);
//   - the callback returns false to cancel; the job stops at its next safe point. An event
//     job returns JobStatus::Cancelled; a JobProgress job throws CancelledError
//     (jobs/cancelled.h) from wherever it is. Cancelling is an outcome, not an error;
//   - problems a person can fix are thrown as fm::Error subclasses with an actionable message.
// The UI bridge runs jobs on its worker pool, shows their progress, and reports a job that
// ended in CancelledError as cancelled.
#pragma once

#include <functional>
#include <string>

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

// Progress of a long operation that has no events of its own: the fraction done (0..1, or -1
// when unknown) and what it is doing. Returning false asks it to stop; it then throws
// CancelledError (jobs/cancelled.h) from wherever it is.
using JobProgress = std::function<bool(double fraction, const std::string& what)>;

}  // namespace fm
