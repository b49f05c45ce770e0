#include "shell/settings.h"

#include <QDir>
#include <QLocale>
#include <QSettings>
#include <QStandardPaths>
#include <QThread>

namespace fm::ui {

QString AppSettings::defaultWorkspace() {
  const QByteArray env = qgetenv("FMW_WORKSPACE");
  if (!env.isEmpty()) return QString::fromLocal8Bit(env);
  QString docs = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
  if (docs.isEmpty()) docs = QDir::homePath();
  return QDir(docs).filePath(QStringLiteral("FM Workbench"));
}

AppSettings AppSettings::load(QSettings& s) {
  AppSettings a;
  const int version = s.value(QStringLiteral("settings_version"), 0).toInt();
  if (version == 0 && s.contains(QStringLiteral("workspace_dir"))) {
    // Layout 0 (early builds) kept the workspace under another key.
    s.setValue(QStringLiteral("workspace"), s.value(QStringLiteral("workspace_dir")));
    s.remove(QStringLiteral("workspace_dir"));
  }
  a.workspace = s.value(QStringLiteral("workspace"), defaultWorkspace()).toString();
  a.threads = s.value(QStringLiteral("threads"), 0).toInt();
  const QString sysLang = QLocale::system().language() == QLocale::Korean ? "ko" : "en";
  a.language = s.value(QStringLiteral("language"), sysLang).toString();
  if (a.language != "en" && a.language != "ko") a.language = "en";
  a.theme = s.value(QStringLiteral("theme"), "system").toString();
  if (a.theme != "system" && a.theme != "light" && a.theme != "dark") a.theme = "system";
  if (a.threads < 0 || a.threads > QThread::idealThreadCount() * 4) a.threads = 0;
  return a;
}

void AppSettings::save(QSettings& s) const {
  s.setValue(QStringLiteral("settings_version"), kVersion);
  s.setValue(QStringLiteral("workspace"), workspace);
  s.setValue(QStringLiteral("threads"), threads);
  s.setValue(QStringLiteral("language"), language);
  s.setValue(QStringLiteral("theme"), theme);
  s.sync();
}

}  // namespace fm::ui
