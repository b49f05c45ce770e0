#pragma once
// A tab widget whose height does not depend on the page shown.
//
// QTabWidget asks only the current page for its height-for-width. A page with word-wrapped text
// (an outcome summary, a note) then makes the whole panel re-lay out when the user switches tabs:
// the chart above jumps. Panels put their lower tab areas in a SteadyTabs instead; the pages
// share the room the layout gives and scroll or wrap inside it.
#include <QTabWidget>

namespace fm::ui {

class SteadyTabs : public QTabWidget {
 public:
  using QTabWidget::QTabWidget;
  bool hasHeightForWidth() const override { return false; }
};

}  // namespace fm::ui
