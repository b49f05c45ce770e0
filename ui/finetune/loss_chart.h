// The live training chart: train loss and eval loss (left axis), learning rate (right axis),
// and a marker where eval loss starts rising while train loss still falls (overfitting).
// Also replays a run from its metrics.jsonl and overlays a second run for comparison.
#pragma once

#include <QChartView>
#include <QJsonObject>
#include <QString>
#include <QVector>

class QLineSeries;
class QScatterSeries;
class QValueAxis;
class QLogValueAxis;

namespace fm::ui {

class LossChart : public QChartView {
  Q_OBJECT
 public:
  explicit LossChart(QWidget* parent = nullptr);
  void clear();
  void addTrainPoint(double step, double loss, double lr);
  // accuracy: 0..1 on the validation rows, or < 0 when the run measures none.
  void addEvalPoint(double step, double loss, double accuracy = -1);
  // Whether a plateau of the train loss is explained above the plot (the fine-tuning lesson:
  // the format is learned first, then what decides the answer). On by default.
  void setExplainPlateaus(bool on) { m_explainPlateaus = on; }
  // Presentation mode: thick lines and large text, readable from the back of a room.
  void setPresentation(bool on);
  int accuracyPoints() const;
  // The note shown while the train loss sits on a plateau ("" when none).
  QString plateauNote() const { return m_plateau ? m_note : QString(); }
  // One metrics.jsonl event ({"event": "log"|"eval", ...}).
  void addMetrics(const QJsonObject& event);
  // Replays a run folder's metrics.jsonl; returns the number of events read.
  // Events after `untilStep` (when >= 0) are left out.
  int replay(const QString& runDir, double untilStep = -1);
  // Overlays another run's train and eval loss (comparison).
  int overlay(const QString& runDir, const QString& name);

  int trainPoints() const;
  int evalPoints() const;
  bool overfitting() const { return m_overfitStep >= 0; }
  double lastEvalLoss() const { return m_lastEval; }

 Q_SIGNALS:
  void pointAdded(double step, double loss);
  void overfittingDetected(double step);

 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  void grow(double step, double loss, double lr);
  // The note above the plot, wrapped to the chart's width (a chart title does not wrap itself).
  void setNote(const QString& note);
  // Texts that depend on the room there is: the note's line breaks, long or short legend names
  // and axis titles, so that nothing is cut to "..." at 1024x700.
  void fitTexts();
  QString m_note;
  bool m_fitting = false;
  bool m_explainPlateaus = true;
  void setEmpty(bool empty);
  void checkPlateau();
  bool m_empty = false;
  bool m_plateau = false;
  double m_plateauLevel = 0;
  QLineSeries* m_acc;
  QValueAxis* m_yAcc;
  void checkOverfitting(double step, double evalLoss);
  QLineSeries* m_train;
  QLineSeries* m_eval;
  QLineSeries* m_lr;
  QScatterSeries* m_marker;
  QValueAxis* m_x;
  QLogValueAxis* m_y;  // loss spans orders of magnitude: ~ln(vocab) at the start, near 0 at the end
  QValueAxis* m_yLr;
  QVector<QLineSeries*> m_overlays;
  double m_maxStep = 1, m_maxLoss = 0.1, m_minLoss = 1, m_maxLr = 1e-6;
  double m_lastEval = -1;
  QVector<QPointF> m_evals;
  double m_overfitStep = -1;
  bool m_replaying = false;  // no overfittingDetected signal for replayed history
};

}  // namespace fm::ui
