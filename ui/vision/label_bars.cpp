#include "vision/label_bars.h"

#include <QPainter>
#include <algorithm>

namespace fm::ui {

LabelBars::LabelBars(QWidget* parent) : QWidget(parent) { setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Minimum); }

void LabelBars::setScores(const QStringList& labels, const std::vector<double>& probabilities) {
  m_rows.clear();
  for (int i = 0; i < labels.size() && i < static_cast<int>(probabilities.size()); ++i)
    m_rows.emplace_back(labels[i], probabilities[static_cast<size_t>(i)]);
  std::stable_sort(m_rows.begin(), m_rows.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  updateGeometry();
  update();
}

void LabelBars::clear() { setScores({}, {}); }

QSize LabelBars::sizeHint() const {
  const int line = fontMetrics().height() + 8;
  return {260, std::max(1, static_cast<int>(m_rows.size())) * line + 4};
}

QSize LabelBars::minimumSizeHint() const { return {160, sizeHint().height()}; }

void LabelBars::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  const QFontMetrics fm = fontMetrics();
  const int line = fm.height() + 8;
  int labelWidth = 0;
  for (const auto& r : m_rows) labelWidth = std::max(labelWidth, fm.horizontalAdvance(r.first));
  labelWidth = std::min(labelWidth + 8, width() / 2);
  const int percentWidth = fm.horizontalAdvance(QStringLiteral("100.0%")) + 6;
  const int barLeft = labelWidth, barWidth = std::max(10, width() - labelWidth - percentWidth);
  for (size_t i = 0; i < m_rows.size(); ++i) {
    const int y = static_cast<int>(i) * line + 2;
    const auto& [label, prob] = m_rows[i];
    p.setPen(palette().color(QPalette::WindowText));
    p.drawText(QRect(0, y, labelWidth - 6, line), Qt::AlignVCenter | Qt::AlignRight,
               fm.elidedText(label, Qt::ElideRight, labelWidth - 6));
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(225, 229, 236));
    p.drawRoundedRect(QRectF(barLeft, y + 4, barWidth, line - 8), 3, 3);
    p.setBrush(i == 0 ? QColor(52, 120, 200) : QColor(140, 170, 210));
    p.drawRoundedRect(QRectF(barLeft, y + 4, std::max(2.0, barWidth * prob), line - 8), 3, 3);
    p.setPen(palette().color(QPalette::WindowText));
    p.drawText(QRect(barLeft + barWidth + 4, y, percentWidth, line), Qt::AlignVCenter | Qt::AlignLeft,
               QStringLiteral("%1%").arg(prob * 100, 0, 'f', 1));
  }
}

}  // namespace fm::ui
