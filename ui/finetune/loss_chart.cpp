#include "finetune/loss_chart.h"

#include <QApplication>
#include <QFile>
#include <QJsonDocument>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QScatterSeries>
#include <QValueAxis>
#include <cmath>

namespace fm::ui {

LossChart::LossChart(QWidget* parent) : QChartView(new QChart(), parent) {
  setRenderHint(QPainter::Antialiasing);
  QChart* c = chart();
  if (QApplication::palette().color(QPalette::Window).lightness() < 128) c->setTheme(QChart::ChartThemeDark);
  c->setMargins(QMargins(6, 6, 6, 6));
  m_train = new QLineSeries(c);
  m_train->setName(tr("train loss"));
  m_eval = new QLineSeries(c);
  m_eval->setName(tr("eval loss"));
  m_eval->setPointsVisible(true);
  m_lr = new QLineSeries(c);
  m_lr->setName(tr("learning rate"));
  QPen lrPen(QColor(173, 181, 189));
  lrPen.setStyle(Qt::DashLine);
  m_lr->setPen(lrPen);
  m_train->setPen(QPen(QColor(76, 110, 245), 2));
  m_eval->setPen(QPen(QColor(247, 103, 7), 2));
  m_acc = new QLineSeries(c);
  m_acc->setName(tr("validation accuracy (%)"));
  m_acc->setPointsVisible(true);
  m_acc->setPen(QPen(QColor(47, 158, 68), 2));
  m_marker = new QScatterSeries(c);
  m_marker->setName(tr("eval loss rising: overfitting?"));
  m_marker->setColor(QColor(224, 49, 49));
  m_marker->setMarkerSize(14);
  for (QAbstractSeries* s : {static_cast<QAbstractSeries*>(m_train), static_cast<QAbstractSeries*>(m_eval),
                             static_cast<QAbstractSeries*>(m_marker), static_cast<QAbstractSeries*>(m_lr),
                             static_cast<QAbstractSeries*>(m_acc)})
    c->addSeries(s);
  m_x = new QValueAxis(c);
  m_x->setTitleText(tr("step"));
  m_x->setLabelFormat(QStringLiteral("%d"));
  m_y = new QLogValueAxis(c);
  m_y->setTitleText(tr("loss (log scale)"));
  m_y->setBase(10);
  m_y->setLabelFormat(QStringLiteral("%g"));
  m_y->setMinorTickCount(-1);
  m_yLr = new QValueAxis(c);
  m_yLr->setTitleText(tr("learning rate"));
  m_yLr->setLabelFormat(QStringLiteral("%.1e"));
  c->addAxis(m_x, Qt::AlignBottom);
  c->addAxis(m_y, Qt::AlignLeft);
  c->addAxis(m_yLr, Qt::AlignRight);
  m_yAcc = new QValueAxis(c);
  m_yAcc->setTitleText(tr("accuracy %"));
  m_yAcc->setRange(0, 100);
  m_yAcc->setLabelFormat(QStringLiteral("%d"));
  c->addAxis(m_yAcc, Qt::AlignRight);
  m_acc->attachAxis(m_x);
  m_acc->attachAxis(m_yAcc);
  for (QXYSeries* s : {static_cast<QXYSeries*>(m_train), static_cast<QXYSeries*>(m_eval), static_cast<QXYSeries*>(m_marker)}) {
    s->attachAxis(m_x);
    s->attachAxis(m_y);
  }
  m_lr->attachAxis(m_x);
  m_lr->attachAxis(m_yLr);
  c->legend()->setAlignment(Qt::AlignBottom);
  connect(c, &QChart::plotAreaChanged, this, [this] { fitTexts(); });
  clear();
}

void LossChart::resizeEvent(QResizeEvent* event) {
  QChartView::resizeEvent(event);
  fitTexts();
}

void LossChart::setNote(const QString& note) {
  m_note = note;
  fitTexts();
}

void LossChart::fitTexts() {
  if (m_fitting) return;
  m_fitting = true;
  // The note: words filled into lines as wide as the chart.
  const QFontMetrics titleMetrics(chart()->titleFont());
  const int room = std::max(120, width() - 40);
  QStringList lines;
  QString line;
  for (const QString& word : m_note.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
    const QString longer = line.isEmpty() ? word : line + QLatin1Char(' ') + word;
    if (!line.isEmpty() && titleMetrics.horizontalAdvance(longer) > room) {
      lines << line.toHtmlEscaped();
      line = word;
    } else {
      line = longer;
    }
  }
  if (!line.isEmpty()) lines << line.toHtmlEscaped();
  const QString title = lines.join(QStringLiteral("<br>"));
  if (chart()->title() != title) chart()->setTitle(title);
  // Legend names: with the figures when the chart is wide, the bare names when it is not.
  const bool wide = width() >= 860;
  m_acc->setName(wide ? tr("validation accuracy (%)") : tr("accuracy"));
  if (m_lastEval > 0) {
    const double ppl = std::exp(m_lastEval);
    const QString pplText = ppl < 100 ? QString::number(ppl, 'f', 2)
                            : ppl < 1e5 ? QString::number(ppl, 'f', 0)
                                        : QString::number(ppl, 'g', 2);
    m_eval->setName(wide ? tr("eval loss %1 (perplexity %2)").arg(m_lastEval, 0, 'f', 3).arg(pplText)
                         : tr("eval loss %1").arg(m_lastEval, 0, 'f', 3));
  } else {
    m_eval->setName(tr("eval loss"));
  }
  // Axis titles run along the plot's height: the long ones only where they fit.
  const QFontMetrics axisMetrics(m_y->titleFont());
  const double tall = chart()->plotArea().height();
  auto fit = [&](QAbstractAxis* axis, const QString& full, const QString& brief) {
    const QString text = axisMetrics.horizontalAdvance(full) + 8 <= tall ? full : brief;
    if (axis->titleText() != text) axis->setTitleText(text);
  };
  fit(m_y, tr("loss (log scale)"), tr("loss"));
  fit(m_yLr, tr("learning rate"), QString());
  fit(m_yAcc, tr("accuracy %"), QStringLiteral("%"));
  m_fitting = false;
}

void LossChart::clear() {
  m_train->clear();
  m_eval->clear();
  m_lr->clear();
  m_acc->clear();
  m_marker->clear();
  m_plateau = false;
  for (QLineSeries* s : m_overlays) {
    chart()->removeSeries(s);
    delete s;
  }
  m_overlays.clear();
  m_evals.clear();
  m_overfitStep = -1;
  for (QLegendMarker* lm : chart()->legend()->markers(m_marker)) lm->setVisible(false);
  m_lastEval = -1;
  m_maxStep = 1;
  m_maxLoss = 0.1;
  m_minLoss = 1;
  m_maxLr = 1e-6;
  m_x->setRange(0, 1);
  m_y->setRange(0.01, 1);
  m_yLr->setRange(0, 1e-6);
  setEmpty(true);
  fitTexts();
}

// An empty chart shows what will appear instead of axes with meaningless ranges.
void LossChart::setEmpty(bool empty) {
  if (empty == m_empty) return;
  m_empty = empty;
  for (QAbstractAxis* a : {static_cast<QAbstractAxis*>(m_x), static_cast<QAbstractAxis*>(m_y), static_cast<QAbstractAxis*>(m_yLr)})
    a->setVisible(!empty);
  chart()->legend()->setVisible(!empty);
  setNote(empty ? tr("The loss curve appears here when a run starts: lower is better.") : QString());
  if (empty) {
    m_yAcc->setVisible(false);
    for (QLegendMarker* lm : chart()->legend()->markers(m_acc)) lm->setVisible(false);
  }
}

int LossChart::accuracyPoints() const { return m_acc->count(); }

void LossChart::setPresentation(bool on) {
  const int scale = on ? 2 : 1;
  m_train->setPen(QPen(QColor(76, 110, 245), 2 * scale));
  m_eval->setPen(QPen(QColor(247, 103, 7), 2 * scale));
  m_acc->setPen(QPen(QColor(47, 158, 68), 2 * scale));
  QPen lrPen(QColor(173, 181, 189), scale);
  lrPen.setStyle(Qt::DashLine);
  m_lr->setPen(lrPen);
  m_marker->setMarkerSize(14 * scale);
  // The application's font (presentation mode has made it larger), for the chart's texts too.
  QFont f = QApplication::font();
  QFont title = f;
  title.setBold(true);
  for (QAbstractAxis* a : chart()->axes()) {
    a->setLabelsFont(f);
    a->setTitleFont(title);
  }
  chart()->legend()->setFont(f);
  chart()->setTitleFont(title);
  fitTexts();
}

// A plateau: the last ten train points within 8% of their mean, after the loss first fell. Early
// in fine-tuning a small model learns the answer format fast, then stays flat while it looks for
// what decides the answer; a class should hear that this is expected.
void LossChart::checkPlateau() {
  const int n = m_train->count();
  if (m_replaying || !m_explainPlateaus || n < 12) return;
  double lo = 1e300, hi = 0, sum = 0;
  for (int i = n - 10; i < n; ++i) {
    const double y = m_train->at(i).y();
    lo = std::min(lo, y);
    hi = std::max(hi, y);
    sum += y;
  }
  const double mean = sum / 10;
  const bool fell = m_train->at(0).y() > 2 * mean;
  if (!m_plateau && fell && hi <= mean * 1.08 && lo >= mean * 0.92) {
    m_plateau = true;
    m_plateauLevel = mean;
    setNote(tr("The loss is on a plateau: this is expected. The model has learned the shape of the answer "
               "and is now finding what decides it; keep going."));
  } else if (m_plateau && m_train->at(n - 1).y() < m_plateauLevel * 0.8) {
    m_plateau = false;
    setNote(QString());
  }
}

int LossChart::trainPoints() const { return m_train->count(); }
int LossChart::evalPoints() const { return m_eval->count(); }

void LossChart::grow(double step, double loss, double lr) {
  setEmpty(false);
  bool changed = false;
  if (step > m_maxStep) {
    m_maxStep = step;
    changed = true;
  }
  if (std::isfinite(loss) && loss > 0 && loss * 1.2 > m_maxLoss) {
    m_maxLoss = loss * 1.2;
    changed = true;
  }
  if (std::isfinite(loss) && loss > 0 && loss / 1.2 < m_minLoss) {
    m_minLoss = loss / 1.2;
    changed = true;
  }
  if (changed) {
    m_x->setRange(0, m_maxStep);
    // Whole decades, so the log axis labels read 0.01, 0.1, 1, 10.
    m_y->setRange(std::pow(10.0, std::floor(std::log10(m_minLoss))), std::pow(10.0, std::ceil(std::log10(m_maxLoss))));
  }
  if (lr * 1.05 > m_maxLr) {
    m_maxLr = lr * 1.05;
    m_yLr->setRange(0, m_maxLr);
  }
}

void LossChart::addTrainPoint(double step, double loss, double lr) {
  if (!std::isfinite(loss) || loss <= 0) return;
  m_train->append(step, loss);
  if (lr > 0) m_lr->append(step, lr);
  grow(step, loss, lr);
  checkPlateau();
  Q_EMIT pointAdded(step, loss);
}

void LossChart::addEvalPoint(double step, double loss, double accuracy) {
  if (accuracy >= 0 && accuracy <= 1) {
    m_acc->append(step, accuracy * 100);
    m_yAcc->setVisible(true);
    for (QLegendMarker* lm : chart()->legend()->markers(m_acc)) lm->setVisible(true);
  }
  if (!std::isfinite(loss) || loss <= 0) return;
  m_eval->append(step, loss);
  m_lastEval = loss;
  fitTexts();
  grow(step, loss, 0);
  checkOverfitting(step, loss);
}

// Overfitting: eval loss rose at two evaluations in a row while the train loss over the same
// stretch kept falling. The marker sits at the first evaluation where it started rising.
void LossChart::checkOverfitting(double step, double evalLoss) {
  m_evals.push_back({step, evalLoss});
  if (m_overfitStep >= 0 || m_evals.size() < 3) return;
  const QPointF a = m_evals[m_evals.size() - 3], b = m_evals[m_evals.size() - 2], c = m_evals.back();
  if (!(b.y() > a.y() && c.y() > b.y())) return;
  // Train loss near a.x() against near c.x().
  double before = -1, after = -1;
  for (int i = 0; i < m_train->count(); ++i) {
    const QPointF p = m_train->at(i);
    if (p.x() <= a.x()) before = p.y();
    if (p.x() <= c.x()) after = p.y();
  }
  if (before < 0 || after < 0 || after >= before) return;
  m_overfitStep = b.x();
  m_marker->append(b);
  for (QLegendMarker* lm : chart()->legend()->markers(m_marker)) lm->setVisible(true);
  if (!m_replaying) Q_EMIT overfittingDetected(b.x());
}

namespace {
// A metrics.jsonl event as a chart point: train loss (log events) or eval loss (eval events).
struct MetricPoint {
  enum Kind { None, Train, Eval } kind = None;
  double step = 0, loss = 0, lr = 0, accuracy = -1;
};
MetricPoint metricPoint(const QJsonObject& e) {
  MetricPoint p;
  const QString kind = e.value(QStringLiteral("event")).toString();
  p.step = e.value(QStringLiteral("step")).toDouble();
  if (kind == QLatin1String("log") && e.contains(QStringLiteral("loss"))) {
    p.kind = MetricPoint::Train;
    p.loss = e.value(QStringLiteral("loss")).toDouble();
    p.lr = e.value(QStringLiteral("lr")).toDouble();
  } else if (kind == QLatin1String("eval") && e.contains(QStringLiteral("eval_loss"))) {
    p.kind = MetricPoint::Eval;
    p.loss = e.value(QStringLiteral("eval_loss")).toDouble();
    p.accuracy = e.value(QStringLiteral("accuracy")).toDouble(-1);
  }
  return p;
}
}  // namespace

void LossChart::addMetrics(const QJsonObject& e) {
  const MetricPoint p = metricPoint(e);
  if (p.kind == MetricPoint::Train) addTrainPoint(p.step, p.loss, p.lr);
  if (p.kind == MetricPoint::Eval) addEvalPoint(p.step, p.loss, p.accuracy);
}

static QVector<QJsonObject> readMetrics(const QString& runDir) {
  QVector<QJsonObject> out;
  QFile f(runDir + QStringLiteral("/metrics.jsonl"));
  if (!f.open(QIODevice::ReadOnly)) return out;
  while (!f.atEnd()) {
    const QByteArray line = f.readLine().trimmed();
    if (line.isEmpty()) continue;
    const QJsonDocument d = QJsonDocument::fromJson(line);
    if (d.isObject()) out.push_back(d.object());  // a line cut by a crash is skipped
  }
  return out;
}

int LossChart::replay(const QString& runDir, double untilStep) {
  clear();
  const auto events = readMetrics(runDir);
  m_replaying = true;
  int n = 0;
  for (const QJsonObject& e : events) {
    if (untilStep >= 0 && e.value(QStringLiteral("step")).toDouble() > untilStep) continue;
    addMetrics(e);
    ++n;
  }
  m_replaying = false;
  return n;
}

int LossChart::overlay(const QString& runDir, const QString& name) {
  const auto events = readMetrics(runDir);
  auto* train = new QLineSeries(chart());
  train->setName(tr("%1: train loss").arg(name));
  auto* eval = new QLineSeries(chart());
  eval->setName(tr("%1: eval loss").arg(name));
  eval->setPointsVisible(true);
  QPen p1(QColor(18, 184, 134), 2), p2(QColor(174, 62, 201), 2);
  p1.setStyle(Qt::DotLine);
  p2.setStyle(Qt::DotLine);
  train->setPen(p1);
  eval->setPen(p2);
  for (const QJsonObject& e : events) {
    const MetricPoint p = metricPoint(e);
    if (p.kind == MetricPoint::None || !(p.loss > 0)) continue;  // the log axis needs loss > 0
    (p.kind == MetricPoint::Train ? train : eval)->append(p.step, p.loss);
    grow(p.step, p.loss, 0);
  }
  for (QLineSeries* s : {train, eval}) {
    chart()->addSeries(s);
    s->attachAxis(m_x);
    s->attachAxis(m_y);
    m_overlays.push_back(s);
  }
  return events.size();
}

}  // namespace fm::ui
