// The strip above the panels that says what the built-in demo is doing on a first launch:
// while it is prepared (what, how far, time left, what to do next) and once it is ready (open
// Fine-tune and press Start), or why it could not be made (with a retry).
#pragma once

#include <QFrame>
#include <QPointer>

class QLabel;
class QProgressBar;
class QPushButton;

namespace fm::ui {

class Job;
class Workbench;

class DemoBanner : public QFrame {
  Q_OBJECT
 public:
  explicit DemoBanner(Workbench* wb, QWidget* parent = nullptr);
  QString text() const;

 Q_SIGNALS:
  void openFinetune();
  void retry();

 private:
  void preparing(Job* job);
  void refresh();
  void ready();
  void failed(const QString& message);
  void setTone(const char* background, const char* border);

  Workbench* m_wb;
  QPointer<Job> m_job;
  QLabel* m_text;
  QProgressBar* m_bar;
  QPushButton* m_action;
  QPushButton* m_close;
  enum class Mode { Preparing, Ready, Failed } m_mode = Mode::Preparing;
};

}  // namespace fm::ui
