#include <QApplication>

#include "shell/main_window.h"
#include "util/runtime.h"

int main(int argc, char** argv) {
  fm::ensureRuntimeEnvironment(argc, argv);
  QApplication app(argc, argv);
  QApplication::setOrganizationName("FM Workbench");
  QApplication::setApplicationName("FM Workbench");
  fm::initRuntime();
  fm::ui::MainWindow w;
  w.show();
  return app.exec();
}
