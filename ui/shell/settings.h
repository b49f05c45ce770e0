// The application's settings, stored with QSettings and versioned: a newer layout migrates
// older keys once, at load.
#pragma once

#include <QString>

class QSettings;

namespace fm::ui {

struct AppSettings {
  static constexpr int kVersion = 1;
  QString workspace;            // holds models/, datasets/, runs/
  int threads = 0;              // CPU threads for model work; 0 = all cores
  QString language = "en";      // en | ko
  QString theme = "system";     // system | light | dark

  static QString defaultWorkspace();
  static AppSettings load(QSettings& s);
  void save(QSettings& s) const;
};

}  // namespace fm::ui
