// The settings dialog, and applying a theme or a language to the application.
#pragma once

#include <QDialog>

#include "shell/settings.h"

class QLineEdit;
class QSpinBox;
class QComboBox;

namespace fm::ui {

class SettingsDialog : public QDialog {
  Q_OBJECT
 public:
  SettingsDialog(const AppSettings& current, QWidget* parent);
  AppSettings result() const;

 private:
  AppSettings m_base;
  QLineEdit* m_workspace;
  QSpinBox* m_threads;
  QComboBox* m_language;
  QComboBox* m_theme;
};

// system | light | dark (Fusion style with a matching palette).
void applyTheme(const QString& theme);
// Installs the translation for "ko" (English needs none). Returns false when the translation
// is missing. Call before creating widgets.
bool installLanguage(const QString& language);

}  // namespace fm::ui
