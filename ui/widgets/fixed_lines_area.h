#pragma once
// A scroll area as tall as a given number of text lines, whatever it holds.
//
// Findings and warnings under a chart come and go (none, one, nine lines). In a plain layout
// they would squeeze the charts above each time; in a FixedLinesArea the room is the same for
// none or many, and more than fits scrolls. The height follows the font (presentation mode) and
// the window (at least two lines in a small one), never the text.
#include <QFrame>
#include <QScrollArea>
#include <algorithm>

namespace fm::ui {

class FixedLinesArea : public QScrollArea {
 public:
  FixedLinesArea(QWidget* content, int lines, QWidget* parent = nullptr) : QScrollArea(parent), m_lines(lines) {
    setWidget(content);
    setWidgetResizable(true);
    setFrameShape(QFrame::NoFrame);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
  }
  QSize sizeHint() const override { return {QScrollArea::sizeHint().width(), height(m_lines)}; }
  QSize minimumSizeHint() const override { return {QScrollArea::minimumSizeHint().width(), height(std::min(2, m_lines))}; }

 private:
  int height(int lines) const { return fontMetrics().lineSpacing() * lines + 6; }
  int m_lines;
};

}  // namespace fm::ui
