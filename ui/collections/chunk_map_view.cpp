#include "collections/chunk_map_view.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>
#include <algorithm>
#include <cmath>

#include "rag/chunk_map.h"

namespace fm::ui {

namespace {
// Colours told apart by most eyes (Okabe–Ito, then a few more), for documents in order.
const QColor kColours[] = {QColor(0x00, 0x72, 0xb2), QColor(0xe6, 0x9f, 0x00), QColor(0x00, 0x9e, 0x73),
                           QColor(0xcc, 0x79, 0xa7), QColor(0x56, 0xb4, 0xe9), QColor(0xd5, 0x5e, 0x00),
                           QColor(0x8a, 0x8a, 0x8a), QColor(0x7b, 0x61, 0xff), QColor(0x2b, 0x8a, 0x3e),
                           QColor(0xa6, 0x1e, 0x4d)};
constexpr int kLegendRows = 1;
}  // namespace

ChunkMapView::ChunkMapView(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ChunkMapView::clear() {
  m_map.reset();
  m_names.clear();
  m_docOrder.clear();
  m_hasQuery = false;
  m_hits.clear();
  m_hover = -1;
  update();
}

int ChunkMapView::pointCount() const { return m_map ? static_cast<int>(m_map->points.size()) : 0; }

void ChunkMapView::setMap(std::shared_ptr<const fm::rag::ChunkMap> map, const QHash<qint64, QString>& names) {
  m_map = std::move(map);
  m_names = names;
  m_docOrder.clear();
  m_hover = -1;
  if (m_map)
    for (const auto& p : m_map->points)
      if (!m_docOrder.contains(p.document)) m_docOrder.insert(p.document, m_docOrder.size());
  setQuery(false, {}, {});
}

void ChunkMapView::setQuery(bool hasQuery, QPointF at, const QVector<Mark>& hits) {
  m_hasQuery = hasQuery;
  m_query = at;
  m_hits = hits;
  // The view holds the middle 96% of the dots (a few far-off ones would squeeze the rest into a
  // corner; they sit on the edge instead), the question and the retrieved chunks, with a margin.
  QRectF b;
  if (m_map && !m_map->points.empty()) {
    std::vector<double> xs, ys;
    for (const auto& p : m_map->points) {
      xs.push_back(p.x);
      ys.push_back(p.y);
    }
    auto quantile = [](std::vector<double>& v, double q) {
      const size_t i = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5));
      std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
      return v[i];
    };
    const double x0 = quantile(xs, 0.02), x1 = quantile(xs, 0.98), y0 = quantile(ys, 0.02), y1 = quantile(ys, 0.98);
    b = QRectF(QPointF(x0, y0), QPointF(x1, y1));
  }
  bool have = m_map && !m_map->points.empty();
  auto grow = [&](QPointF p) {
    // QRectF::united ignores empty rectangles, so edges are moved by hand.
    if (!have) b = QRectF(p, QSizeF(0, 0));
    else b = QRectF(QPointF(std::min(b.left(), p.x()), std::min(b.top(), p.y())),
                    QPointF(std::max(b.right(), p.x()), std::max(b.bottom(), p.y())));
    have = true;
  };
  if (hasQuery) grow(at);
  for (const Mark& m : hits) grow(m.at);
  if (b.width() <= 0) b.adjust(-1, 0, 1, 0);
  if (b.height() <= 0) b.adjust(0, -1, 0, 1);
  m_bounds = b.adjusted(-b.width() * 0.06, -b.height() * 0.06, b.width() * 0.06, b.height() * 0.06);
  update();
}

QRectF ChunkMapView::plotRect() const {
  const int line = fontMetrics().lineSpacing();
  // Room below for the axis caption and the legend line.
  return QRectF(rect()).adjusted(10, 8, -10, -(line * (1 + kLegendRows) + 10));
}

QPointF ChunkMapView::widgetPos(QPointF p) const {
  const QRectF r = plotRect();
  const double x = r.left() + (p.x() - m_bounds.left()) / m_bounds.width() * r.width();
  const double y = r.bottom() - (p.y() - m_bounds.top()) / m_bounds.height() * r.height();
  return {std::clamp(x, r.left() + 2, r.right() - 2), std::clamp(y, r.top() + 2, r.bottom() - 2)};
}

QColor ChunkMapView::documentColour(qint64 document) const {
  const int i = m_docOrder.value(document, 0);
  return kColours[i % static_cast<int>(std::size(kColours))];
}

int ChunkMapView::pointAt(QPointF pos, double radius) const {
  if (!m_map) return -1;
  int best = -1;
  double bestD = radius * radius;
  for (size_t i = 0; i < m_map->points.size(); ++i) {
    const auto& p = m_map->points[i];
    const QPointF w = widgetPos(QPointF(p.x, p.y));
    const double d = (w.x() - pos.x()) * (w.x() - pos.x()) + (w.y() - pos.y()) * (w.y() - pos.y());
    if (d <= bestD) {
      bestD = d;
      best = static_cast<int>(i);
    }
  }
  return best;
}

void ChunkMapView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  const QPalette pal = palette();
  p.fillRect(rect(), pal.color(QPalette::Base));
  const QRectF r = plotRect();
  const QColor text = pal.color(QPalette::Text);
  QColor grid = text;
  grid.setAlphaF(0.15);
  p.setPen(QPen(grid, 1));
  p.drawRect(r);
  const int line = fontMetrics().lineSpacing();
  if (!m_map || m_map->points.empty()) {
    p.setPen(pal.color(QPalette::PlaceholderText));
    p.drawText(r, Qt::AlignCenter | Qt::TextWordWrap,
               m_map ? tr("The collection has no chunks yet.") : tr("The map is drawn when this tab is shown."));
    return;
  }
  // Dots, a little transparent so dense regions read as dense.
  p.setPen(Qt::NoPen);
  const double dot = std::max(2.5, fontMetrics().height() / 5.0);
  for (const auto& pt : m_map->points) {
    QColor c = documentColour(pt.document);
    c.setAlphaF(0.7);
    p.setBrush(c);
    p.drawEllipse(widgetPos(QPointF(pt.x, pt.y)), dot, dot);
  }
  // The question, lines to what it retrieved, the retrieved chunks ringed and numbered.
  const QColor mark = pal.color(QPalette::Text);
  if (m_hasQuery) {
    QColor l = mark;
    l.setAlphaF(0.35);
    p.setPen(QPen(l, 1, Qt::DashLine));
    for (const Mark& m : m_hits) p.drawLine(widgetPos(m_query), widgetPos(m.at));
  }
  QFont small = font();
  small.setPointSizeF(font().pointSizeF() * 0.85);
  p.setFont(small);
  for (const Mark& m : m_hits) {
    const QPointF w = widgetPos(m.at);
    p.setPen(QPen(mark, 1.6));
    p.setBrush(Qt::NoBrush);
    p.drawEllipse(w, dot + 4, dot + 4);
    p.drawText(QRectF(w.x() + dot + 4, w.y() - line, line * 2, line), Qt::AlignLeft | Qt::AlignVCenter,
               QString::number(m.rank));
  }
  if (m_hasQuery) {
    const QPointF c = widgetPos(m_query);
    QPainterPath star;
    const double R = dot + 6, rr = R * 0.45;
    for (int i = 0; i < 10; ++i) {
      const double a = -M_PI / 2 + i * M_PI / 5;
      const QPointF q = c + QPointF(std::cos(a), std::sin(a)) * (i % 2 ? rr : R);
      if (i == 0) star.moveTo(q);
      else star.lineTo(q);
    }
    star.closeSubpath();
    p.setPen(QPen(pal.color(QPalette::Base), 1));
    p.setBrush(QColor(0xe0, 0x31, 0x31));
    p.drawPath(star);
  }
  p.setFont(font());
  // Hovered dot.
  if (m_hover >= 0 && m_hover < static_cast<int>(m_map->points.size())) {
    const auto& h = m_map->points[static_cast<size_t>(m_hover)];
    p.setPen(QPen(mark, 2));
    p.setBrush(Qt::NoBrush);
    p.drawEllipse(widgetPos(QPointF(h.x, h.y)), dot + 2, dot + 2);
  }
  // Caption: what the axes are, then the documents' colours on one line.
  p.setPen(text);
  const QRectF caption(r.left(), r.bottom() + 4, r.width(), line);
  const QString shown = m_map->points.size() < static_cast<size_t>(m_map->chunks)
                            ? tr("%1 of %2 chunks").arg(m_map->points.size()).arg(m_map->chunks)
                            : tr("%n chunk(s)", "", static_cast<int>(m_map->chunks));
  p.drawText(caption, Qt::AlignLeft | Qt::AlignVCenter,
             fontMetrics().elidedText(tr("%1 · across: %2% of the spread · up: %3% · ★ the question, ○ what it found")
                                          .arg(shown)
                                          .arg(m_map->explained[0] * 100, 0, 'f', 0)
                                          .arg(m_map->explained[1] * 100, 0, 'f', 0),
                                      Qt::ElideRight, static_cast<int>(caption.width())));
  double x = r.left();
  const double y = r.bottom() + 4 + line;
  QVector<qint64> order(m_docOrder.size());
  for (auto it = m_docOrder.cbegin(); it != m_docOrder.cend(); ++it) order[it.value()] = it.key();
  for (int i = 0; i < order.size(); ++i) {
    const QString name = m_names.value(order[i], tr("document %1").arg(order[i]));
    const double w = fontMetrics().horizontalAdvance(name) + line + 8;
    // Room is kept for saying how many more there are, unless this is the last name.
    const QString more = tr("+%n more", "", static_cast<int>(order.size()) - i);
    const double moreW = i + 1 < order.size() ? fontMetrics().horizontalAdvance(more) + 8 : 0;
    if (x + w + moreW > r.right()) {
      p.drawText(QRectF(x, y, r.right() - x, line), Qt::AlignLeft | Qt::AlignVCenter, more);
      break;
    }
    p.setPen(Qt::NoPen);
    p.setBrush(documentColour(order[i]));
    p.drawEllipse(QPointF(x + line / 3.0, y + line / 2.0), line / 4.0, line / 4.0);
    p.setPen(text);
    p.drawText(QRectF(x + line * 0.8, y, w, line), Qt::AlignLeft | Qt::AlignVCenter, name);
    x += w;
  }
}

void ChunkMapView::mouseMoveEvent(QMouseEvent* event) {
  const int i = pointAt(event->position());
  if (i != m_hover) {
    m_hover = i;
    update();
  }
  if (i < 0) {
    QToolTip::hideText();
    return;
  }
  const auto& pt = m_map->points[static_cast<size_t>(i)];
  QToolTip::showText(event->globalPosition().toPoint(),
                     QStringLiteral("<b>%1</b><br>%2")
                         .arg(m_names.value(pt.document).toHtmlEscaped(),
                              QString::fromStdString(pt.preview).toHtmlEscaped()),
                     this);
}

void ChunkMapView::mousePressEvent(QMouseEvent* event) {
  const int i = pointAt(event->position());
  if (i >= 0) {
    const auto& pt = m_map->points[static_cast<size_t>(i)];
    Q_EMIT chunkClicked(pt.chunk, pt.document);
  }
}

void ChunkMapView::leaveEvent(QEvent*) {
  if (m_hover >= 0) {
    m_hover = -1;
    update();
  }
}

}  // namespace fm::ui
