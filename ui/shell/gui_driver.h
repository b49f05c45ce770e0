// Scripted runs of the whole window, for the figures and the README's screenshots:
//
//   fm-workbench --bench gui [--steps N]     event-loop stalls while training and generation
//                                            run, and training tokens/s against headless
//   fm-workbench --bench startup             time from main() to the first painted window
//   fm-workbench --bench first-loss          time from main() to the first point on the chart
//   fm-workbench --screenshots DIR           one PNG per panel
//
// Each prints one JSON line (benchmarks) and returns the process exit code.
#pragma once

#include <QElapsedTimer>
#include <QString>
#include <QVector>

class QTimer;

namespace fm::ui {

class MainWindow;
class Workbench;

// Measures how long the GUI thread goes between event-loop turns: a precise timer fires every
// `periodMs`; each interval longer than the period is time the loop was busy or starved.
class StallMeter {
 public:
  explicit StallMeter(int periodMs = 2);
  ~StallMeter();
  void start();
  void stop();
  double maxMs() const;
  double percentileMs(double p) const;
  int samples() const { return m_gaps.size(); }

 private:
  int m_period;
  QTimer* m_timer = nullptr;
  QElapsedTimer m_clock;
  qint64 m_last = -1;
  QVector<double> m_gaps;
};

// `model`: for "collections", the embedder a benchmark collection is made with.
int runGuiBenchmark(Workbench& wb, MainWindow& w, const QString& what, int steps, const QElapsedTimer& sinceMain,
                    const QString& model = {});
// `extraModels`: more model folders (an embedder, a reranker) to open in the Models panel and
// try (compare sentences, score passages), one screenshot each. `pages`: only these parts
// (models, datasets, finetune, playground, collections, image-text); empty: all.
int takeScreenshots(Workbench& wb, MainWindow& w, const QString& dir, const QStringList& extraModels = {},
                    const QStringList& pages = {});

}  // namespace fm::ui
