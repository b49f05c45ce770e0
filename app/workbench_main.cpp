#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QSettings>
#include <QTimer>

#include "shell/gui_driver.h"
#include "shell/main_window.h"
#include "shell/settings_dialog.h"
#include "shell/workbench.h"
#include "util/runtime.h"

int main(int argc, char** argv) {
  QElapsedTimer sinceMain;
  sinceMain.start();
  fm::ensureRuntimeEnvironment(argc, argv);
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("FM Workbench"));
  QApplication::setApplicationName(QStringLiteral("FM Workbench"));

  QCommandLineParser cli;
  cli.setApplicationDescription(QStringLiteral("FM Workbench: foundation models on your own computer, offline."));
  cli.addHelpOption();
  QCommandLineOption workspace(QStringLiteral("workspace"), QStringLiteral("Workspace folder for this session."), QStringLiteral("DIR"));
  QCommandLineOption bench(QStringLiteral("bench"), QStringLiteral("gui | startup | first-loss | collections"),
                           QStringLiteral("WHAT"));
  QCommandLineOption benchModel(QStringLiteral("bench-model"),
                                QStringLiteral("With --bench collections: the embedder to make the collection with."),
                                QStringLiteral("DIR"));
  QCommandLineOption steps(QStringLiteral("steps"), QStringLiteral("Training steps for --bench gui."), QStringLiteral("N"), QStringLiteral("300"));
  QCommandLineOption shots(QStringLiteral("screenshots"), QStringLiteral("Write a PNG of each panel into DIR."), QStringLiteral("DIR"));
  QCommandLineOption shotModels(QStringLiteral("screenshot-model"),
                                QStringLiteral("With --screenshots: also open and try this model folder (repeatable)."),
                                QStringLiteral("DIR"));
  QCommandLineOption shotPages(QStringLiteral("screenshot-pages"),
                               QStringLiteral("With --screenshots: only these parts, e.g. image-text,collections."),
                               QStringLiteral("LIST"));
  QCommandLineOption windowSize(QStringLiteral("window-size"), QStringLiteral("Window size, e.g. 1024x700."), QStringLiteral("WxH"));
  QCommandLineOption language(QStringLiteral("language"), QStringLiteral("en or ko for this session."), QStringLiteral("LANG"));
  QCommandLineOption theme(QStringLiteral("theme"), QStringLiteral("system, light or dark for this session."), QStringLiteral("THEME"));
  QCommandLineOption noDemo(QStringLiteral("no-demo"), QStringLiteral("Do not prepare the demo at start."));
  QCommandLineOption threads(QStringLiteral("threads"), QStringLiteral("CPU threads for model work."), QStringLiteral("N"));
  cli.addOptions({workspace, bench, benchModel, steps, shots, shotModels, shotPages, windowSize, language, theme, noDemo, threads});
  cli.process(app);

  QSettings stored;
  fm::ui::AppSettings settings = fm::ui::AppSettings::load(stored);
  if (cli.isSet(workspace)) settings.workspace = cli.value(workspace);
  if (cli.isSet(threads)) settings.threads = cli.value(threads).toInt();
  if (cli.isSet(language)) settings.language = cli.value(language);
  if (cli.isSet(theme)) settings.theme = cli.value(theme);
  fm::ui::installLanguage(settings.language);
  fm::ui::applyTheme(settings.theme);
  fm::initRuntime(settings.threads);

  fm::ui::Workbench wb(settings);
  fm::ui::MainWindow w(&wb);
  if (cli.isSet(windowSize)) {
    const QStringList wh = cli.value(windowSize).split(QLatin1Char('x'));
    if (wh.size() == 2 && wh[0].toInt() > 0 && wh[1].toInt() > 0) w.resize(wh[0].toInt(), wh[1].toInt());
  }
  w.show();
  if (cli.isSet(bench))
    return fm::ui::runGuiBenchmark(wb, w, cli.value(bench), cli.value(steps).toInt(), sinceMain, cli.value(benchModel));
  if (cli.isSet(shots)) return fm::ui::takeScreenshots(wb, w, cli.value(shots), cli.values(shotModels),
                                                     cli.value(shotPages).split(QLatin1Char(','), Qt::SkipEmptyParts));
  // First launch: the built-in demo is made (with progress in the jobs area) and selected.
  if (!cli.isSet(noDemo)) QTimer::singleShot(0, &w, [&w] { w.startWithDemo(); });
  return app.exec();
}
