#include "shell/settings_dialog.h"

#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLibraryInfo>
#include <QLineEdit>
#include <QPalette>
#include <QPushButton>
#include <QSpinBox>
#include <QStyle>
#include <QStyleFactory>
#include <QThread>
#include <QTranslator>

namespace fm::ui {

SettingsDialog::SettingsDialog(const AppSettings& current, QWidget* parent) : QDialog(parent), m_base(current) {
  setWindowTitle(tr("Settings"));
  auto* form = new QFormLayout(this);
  auto* row = new QHBoxLayout;
  m_workspace = new QLineEdit(current.workspace, this);
  auto* browse = new QPushButton(tr("Browse…"), this);
  row->addWidget(m_workspace, 1);
  row->addWidget(browse);
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString d = QFileDialog::getExistingDirectory(this, tr("Workspace folder"), m_workspace->text());
    if (!d.isEmpty()) m_workspace->setText(d);
  });
  form->addRow(tr("Workspace folder"), row);
  m_threads = new QSpinBox(this);
  m_threads->setRange(0, QThread::idealThreadCount() * 4);
  m_threads->setSpecialValueText(tr("all cores (%1)").arg(QThread::idealThreadCount()));
  m_threads->setValue(current.threads);
  m_threads->setToolTip(tr("How many CPU cores model work may use. Used from the next start."));
  form->addRow(tr("CPU threads"), m_threads);
  m_language = new QComboBox(this);
  m_language->addItem(QStringLiteral("English"), "en");
  m_language->addItem(QStringLiteral("한국어"), "ko");
  m_language->setCurrentIndex(current.language == "ko" ? 1 : 0);
  form->addRow(tr("Language"), m_language);
  m_theme = new QComboBox(this);
  m_theme->addItem(tr("System"), "system");
  m_theme->addItem(tr("Light"), "light");
  m_theme->addItem(tr("Dark"), "dark");
  m_theme->setCurrentIndex(std::max(0, m_theme->findData(current.theme)));
  form->addRow(tr("Theme"), m_theme);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  form->addRow(buttons);
}

AppSettings SettingsDialog::result() const {
  AppSettings a = m_base;
  a.workspace = m_workspace->text().trimmed().isEmpty() ? m_base.workspace : m_workspace->text().trimmed();
  a.threads = m_threads->value();
  a.language = m_language->currentData().toString();
  a.theme = m_theme->currentData().toString();
  return a;
}

void applyTheme(const QString& theme) {
  static const QPalette systemPalette = QApplication::palette();
  if (theme == "system") {
    QApplication::setPalette(systemPalette);
    return;
  }
  QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
  if (theme == "light") {
    QApplication::setPalette(QApplication::style()->standardPalette());
    return;
  }
  QPalette p;
  const QColor bg(45, 45, 48), base(30, 30, 30), text(220, 220, 220), accent(42, 130, 218);
  p.setColor(QPalette::Window, bg);
  p.setColor(QPalette::WindowText, text);
  p.setColor(QPalette::Base, base);
  p.setColor(QPalette::AlternateBase, bg);
  p.setColor(QPalette::ToolTipBase, bg);
  p.setColor(QPalette::ToolTipText, text);
  p.setColor(QPalette::Text, text);
  p.setColor(QPalette::Button, bg);
  p.setColor(QPalette::ButtonText, text);
  p.setColor(QPalette::Highlight, accent);
  p.setColor(QPalette::HighlightedText, Qt::white);
  p.setColor(QPalette::Link, accent.lighter());
  p.setColor(QPalette::PlaceholderText, text.darker(150));
  p.setColor(QPalette::Disabled, QPalette::Text, text.darker(170));
  p.setColor(QPalette::Disabled, QPalette::ButtonText, text.darker(170));
  QApplication::setPalette(p);
}

bool installLanguage(const QString& language) {
  static QTranslator* current = nullptr;
  static QTranslator* qtOwn = nullptr;  // Qt's own dialogs and buttons
  for (QTranslator** t : {&current, &qtOwn})
    if (*t) {
      QCoreApplication::removeTranslator(*t);
      delete *t;
      *t = nullptr;
    }
  if (language == "en") return true;
  auto* t = new QTranslator(qApp);
  if (!t->load(QStringLiteral(":/i18n/fmw_%1.qm").arg(language))) {
    delete t;
    return false;
  }
  QCoreApplication::installTranslator(t);
  current = t;
  // Qt's translations: beside the program (an installed bundle), else where Qt keeps them.
  auto* q = new QTranslator(qApp);
  const QString beside = QCoreApplication::applicationDirPath() + QStringLiteral("/translations");
  if (q->load(QStringLiteral("qtbase_%1").arg(language), beside) ||
      q->load(QStringLiteral("qtbase_%1").arg(language), QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
    QCoreApplication::installTranslator(q);
    qtOwn = q;
  } else {
    delete q;
  }
  return true;
}

}  // namespace fm::ui
