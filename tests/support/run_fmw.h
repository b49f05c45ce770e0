// Small helpers the Qt tests share: running the fmw command line and catching the message of
// an expected error.
#pragma once

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <functional>

namespace fm::test {

// The message of the E that f throws, or "(nothing thrown)".
template <typename E>
QString thrown(const std::function<void()>& f) {
  try {
    f();
  } catch (const E& e) {
    return QString::fromStdString(e.what());
  }
  return QStringLiteral("(nothing thrown)");
}

struct FmwRun {
  int code;
  QByteArray out, err;
};

// Runs the built fmw with `args` (stdin closed) and waits up to `timeoutMs`.
inline FmwRun runFmw(const QStringList& args, int timeoutMs = 300000) {
  QProcess p;
  p.start(QStringLiteral(FM_BINARY_DIR "/app/fmw"), args);
  if (!p.waitForStarted()) return {-1, {}, "could not start fmw"};
  p.closeWriteChannel();
  p.waitForFinished(timeoutMs);
  return {p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError()};
}

}  // namespace fm::test
