#include "shell/main_window.h"

#include <QLabel>
#include <QListWidget>
#include <QSplitter>
#include <QStackedWidget>

namespace fm::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle(tr("FM Workbench"));
  auto* split = new QSplitter(this);
  auto* nav = new QListWidget(split);
  nav->addItems({tr("Models"), tr("Datasets"), tr("Fine-tune"), tr("Playground")});
  nav->setMaximumWidth(180);
  auto* stack = new QStackedWidget(split);
  for (int i = 0; i < nav->count(); ++i) {
    auto* page = new QLabel(tr("%1 — use the fmw command line for now: fmw info, fmw tokenize, "
                               "fmw generate.")
                                .arg(nav->item(i)->text()),
                            stack);
    page->setAlignment(Qt::AlignCenter);
    page->setWordWrap(true);
    stack->addWidget(page);
  }
  connect(nav, &QListWidget::currentRowChanged, stack, &QStackedWidget::setCurrentIndex);
  nav->setCurrentRow(0);
  setCentralWidget(split);
  resize(1100, 720);
}

}  // namespace fm::ui
