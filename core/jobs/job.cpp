#include "jobs/job.h"

#include "jobs/cancelled.h"

#include <algorithm>

namespace fm {

JobContext::JobContext(Report report, Log log, Probe stopAsked) {
  if (!report && !log && !stopAsked) return;
  m_shared = std::make_shared<Shared>();
  m_shared->report = std::move(report);
  m_shared->log = std::move(log);
  m_shared->stopAsked = std::move(stopAsked);
}

void JobContext::report(double fraction, const std::string& what) const {
  if (!m_shared) return;
  checkCancel();
  if (!m_shared->report) return;
  const double f = fraction < 0 ? -1 : m_from + std::clamp(fraction, 0.0, 1.0) * (m_to - m_from);
  if (!m_shared->report(f, m_what.empty() ? what : m_what)) {
    m_shared->stopped = true;
    throw CancelledError("cancelled while " + (m_what.empty() ? what : m_what));
  }
}

bool JobContext::stopAsked() const {
  if (!m_shared) return false;
  if (m_shared->stopped) return true;
  if (m_shared->stopAsked && m_shared->stopAsked()) m_shared->stopped = true;
  return m_shared->stopped;
}

void JobContext::checkCancel() const {
  if (stopAsked()) throw CancelledError("cancelled");
}

void JobContext::log(const std::string& line) const {
  if (m_shared && m_shared->log) m_shared->log(line);
}

JobContext JobContext::part(double from, double to, std::string what) const {
  JobContext c = *this;
  c.m_from = m_from + std::clamp(from, 0.0, 1.0) * (m_to - m_from);
  c.m_to = m_from + std::clamp(to, 0.0, 1.0) * (m_to - m_from);
  if (!what.empty()) c.m_what = std::move(what);
  return c;
}

}  // namespace fm
