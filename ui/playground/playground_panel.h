// Playground: chat or plain completion with streaming tokens, sampling controls, a system
// prompt with presets, tokens/s and a stop button; the LoRA adapter on or off, or base and
// adapted answers side by side.
#pragma once

#include <QPointer>
#include <QWidget>
#include <memory>
#include <mutex>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTextBrowser;

namespace fm {
class LoadedModel;
class LoraAdapter;
}  // namespace fm

namespace fm::ui {

class Workbench;
class Job;

class PlaygroundPanel : public QWidget {
  Q_OBJECT
 public:
  explicit PlaygroundPanel(Workbench* wb, QWidget* parent = nullptr);
  void setAdapter(const QString& dir);
  void setPrompt(const QString& text);
  Job* generate();
  void stop();
  QTextBrowser* output() const { return m_out; }
  QTextBrowser* baseOutput() const { return m_outBase; }
  QLabel* stats() const { return m_stats; }
  QCheckBox* adapterEnabled() const { return m_useAdapter; }
  QCheckBox* sideBySide() const { return m_sideBySide; }
  QComboBox* mode() const { return m_mode; }
  QSpinBox* maxTokens() const { return m_maxTokens; }
  QDoubleSpinBox* temperature() const { return m_temperature; }
  QLabel* modelLine() const { return m_modelLine; }
  QCheckBox* useRunTemplate() const { return m_useTemplate; }
  QLabel* chatNote() const { return m_chatNote; }
  // The prompt as the model will read it: the run's template around the text when chosen.
  QString wrappedPrompt() const;

 Q_SIGNALS:
  void tokenStreamed(int count);
  void generationFinished();

 private:
  void updateModelLine();
  void updateModeRows();
  void saveChoices() const;
  Workbench* m_wb;
  QFormLayout* m_form;
  QLabel* m_modelLine;
  QLabel* m_chatNote;
  QCheckBox* m_useTemplate;
  QLabel* m_templateShown;
  QString m_runTemplate;  // the fine-tuned run's prompt template, "" when none
  QComboBox* m_mode;
  QComboBox* m_systemPreset;
  QPlainTextEdit* m_system;
  QPlainTextEdit* m_prompt;
  QDoubleSpinBox* m_temperature;
  QSpinBox* m_topK;
  QDoubleSpinBox* m_topP;
  QDoubleSpinBox* m_repetition;
  QSpinBox* m_maxTokens;
  QSpinBox* m_seed;
  QLineEdit* m_adapter;
  QCheckBox* m_useAdapter;
  QCheckBox* m_sideBySide;
  QPushButton* m_go;
  QPushButton* m_stop;
  QTextBrowser* m_out;
  QTextBrowser* m_outBase;
  QLabel* m_outLabel;
  QLabel* m_outBaseLabel;
  QLabel* m_stats;
  QLabel* m_error;
  QPointer<Job> m_job;
  // The adapter read for the current model, reused while its folder and model stay the same.
  // Jobs read and fill it one at a time (one generation per panel at once).
  struct AdapterCache {
    std::mutex mutex;
    QString path;
    std::weak_ptr<const fm::LoadedModel> model;
    std::shared_ptr<const fm::LoraAdapter> adapter;
  };
  std::shared_ptr<AdapterCache> m_adapterCache = std::make_shared<AdapterCache>();
};

}  // namespace fm::ui
