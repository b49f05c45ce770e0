#include "playground/playground_panel.h"
#include "bridge/paths.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <atomic>

#include "arch/loaded_model.h"
#include "generate/generator.h"
#include "lora/adapter_control.h"
#include "shell/workbench.h"
#include "generate/prompt.h"
#include "tokenize/tokenizer.h"

namespace fm::ui {

namespace {

struct SystemPreset {
  const char* name;
  const char* text;
};
const SystemPreset kPresets[] = {
    {QT_TRANSLATE_NOOP("fm::ui::PlaygroundPanel", "Helpful assistant"), QT_TRANSLATE_NOOP("fm::ui::PlaygroundPanel", "You are a helpful assistant. Answer clearly and briefly.")},
    {QT_TRANSLATE_NOOP("fm::ui::PlaygroundPanel", "Teacher"), QT_TRANSLATE_NOOP("fm::ui::PlaygroundPanel", "You are a patient teacher. Explain step by step with a simple example.")},
    {QT_TRANSLATE_NOOP("fm::ui::PlaygroundPanel", "Strict classifier"), QT_TRANSLATE_NOOP("fm::ui::PlaygroundPanel", "Answer with one word only.")},
    {QT_TRANSLATE_NOOP("fm::ui::PlaygroundPanel", "None"), ""},
};

QString tokenCount(int n) { return n == 1 ? PlaygroundPanel::tr("1 token") : PlaygroundPanel::tr("%1 tokens").arg(n); }

// Why a generation stopped, in words.
QString stopReasonText(const std::string& reason) {
  if (reason == "eos") return PlaygroundPanel::tr("the model ended its answer");
  if (reason == "stop_string") return PlaygroundPanel::tr("a stop string");
  if (reason == "max_tokens") return PlaygroundPanel::tr("the token limit");
  if (reason == "context_full") return PlaygroundPanel::tr("the model's context is full");
  if (reason == "cancelled") return PlaygroundPanel::tr("stopped by you");
  return QString::fromStdString(reason);
}

}  // namespace

PlaygroundPanel::PlaygroundPanel(Workbench* wb, QWidget* parent) : QWidget(parent), m_wb(wb) {
  setObjectName(QStringLiteral("PlaygroundPanel"));
  auto* split = new QSplitter(this);
  auto* left = new QWidget(split);
  auto* lv = new QVBoxLayout(left);
  auto* form = new QFormLayout;
  m_form = form;
  m_mode = new QComboBox(left);
  m_mode->addItem(tr("Completion"), "completion");
  m_mode->addItem(tr("Chat"), "chat");
  m_mode->setToolTip(tr("Completion continues your text. Chat wraps it in the model's chat template."));
  form->addRow(tr("Mode"), m_mode);
  m_chatNote = new QLabel(left);
  m_chatNote->setWordWrap(true);
  m_chatNote->setStyleSheet(QStringLiteral("color:#e8590c"));
  m_chatNote->setText(tr("This model has no chat template: your message is sent as plain “User: …” lines, "
                         "which a model not trained for chat may not follow. Completion mode fits it better."));
  form->addRow(m_chatNote);
  m_systemPreset = new QComboBox(left);
  for (const auto& p : kPresets) m_systemPreset->addItem(tr(p.name), tr(p.text));
  form->addRow(tr("System prompt"), m_systemPreset);
  m_system = new QPlainTextEdit(tr(kPresets[0].text), left);
  m_system->setMaximumHeight(60);
  m_system->setToolTip(tr("Instructions the model sees before your message (chat mode)"));
  form->addRow(m_system);
  m_temperature = new QDoubleSpinBox(left);
  m_temperature->setRange(0, 2);
  m_temperature->setSingleStep(0.1);
  m_temperature->setValue(0.7);
  m_temperature->setToolTip(tr("0 always picks the most likely token; higher is more varied and more surprising."));
  form->addRow(tr("Temperature"), m_temperature);
  m_topK = new QSpinBox(left);
  m_topK->setRange(0, 1000);
  m_topK->setSpecialValueText(tr("off"));
  m_topK->setToolTip(tr("Choose only among the K most likely tokens (0: off)."));
  form->addRow(tr("Top-k"), m_topK);
  m_topP = new QDoubleSpinBox(left);
  m_topP->setRange(0.05, 1);
  m_topP->setSingleStep(0.05);
  m_topP->setValue(0.95);
  m_topP->setToolTip(tr("Choose among the most likely tokens that together hold this share of probability."));
  form->addRow(tr("Top-p"), m_topP);
  m_repetition = new QDoubleSpinBox(left);
  m_repetition->setRange(1, 2);
  m_repetition->setSingleStep(0.05);
  m_repetition->setValue(1.1);
  m_repetition->setToolTip(tr("Above 1 discourages repeating the same tokens."));
  form->addRow(tr("Repetition penalty"), m_repetition);
  m_maxTokens = new QSpinBox(left);
  m_maxTokens->setRange(1, 4096);
  m_maxTokens->setValue(64);
  form->addRow(tr("Max new tokens"), m_maxTokens);
  m_seed = new QSpinBox(left);
  m_seed->setRange(0, 1 << 30);
  m_seed->setToolTip(tr("The same seed and settings give the same answer."));
  form->addRow(tr("Seed"), m_seed);
  lv->addLayout(form);

  auto* adBox = new QGroupBox(tr("LoRA adapter"), left);
  auto* av = new QVBoxLayout(adBox);
  auto* arow = new QHBoxLayout;
  m_adapter = new QLineEdit(adBox);
  m_adapter->setPlaceholderText(tr("none: the base model"));
  auto* browse = new QPushButton(tr("Browse…"), adBox);
  arow->addWidget(m_adapter, 1);
  arow->addWidget(browse);
  av->addLayout(arow);
  m_useAdapter = new QCheckBox(tr("Use the adapter"), adBox);
  m_useAdapter->setChecked(true);
  m_sideBySide = new QCheckBox(tr("Base and adapted, side by side"), adBox);
  m_useTemplate = new QCheckBox(tr("Wrap my text as in training"), adBox);
  m_useTemplate->setChecked(true);
  m_useTemplate->hide();
  m_templateShown = new QLabel(adBox);
  m_templateShown->setWordWrap(true);
  m_templateShown->setStyleSheet(QStringLiteral("color:#868e96; font-family:monospace; margin-left:22px"));
  m_templateShown->hide();
  av->addWidget(m_useAdapter);
  av->addWidget(m_sideBySide);
  av->addWidget(m_useTemplate);
  av->addWidget(m_templateShown);
  lv->addWidget(adBox);
  lv->addStretch(1);

  auto* right = new QWidget(split);
  auto* rv = new QVBoxLayout(right);
  m_modelLine = new QLabel(right);
  m_modelLine->setWordWrap(true);
  m_modelLine->setTextFormat(Qt::RichText);
  rv->addWidget(m_modelLine);
  m_prompt = new QPlainTextEdit(right);
  m_prompt->setPlaceholderText(tr("Write a prompt, then press Generate (Ctrl+Enter)"));
  m_prompt->setMaximumHeight(120);
  rv->addWidget(m_prompt);
  auto* brow = new QHBoxLayout;
  m_go = new QPushButton(tr("Generate"), right);
  m_go->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
  m_stop = new QPushButton(tr("Stop"), right);
  m_stop->setEnabled(false);
  m_stats = new QLabel(right);
  brow->addWidget(m_go);
  brow->addWidget(m_stop);
  brow->addWidget(m_stats, 1);
  rv->addLayout(brow);
  m_error = new QLabel(right);
  m_error->setWordWrap(true);
  m_error->setStyleSheet(QStringLiteral("color:#c92a2a"));
  m_error->hide();
  rv->addWidget(m_error);
  auto* outs = new QHBoxLayout;
  auto* baseCol = new QVBoxLayout;
  m_outBaseLabel = new QLabel(tr("Base model"), right);
  m_outBase = new QTextBrowser(right);
  baseCol->addWidget(m_outBaseLabel);
  baseCol->addWidget(m_outBase);
  auto* mainCol = new QVBoxLayout;
  m_outLabel = new QLabel(tr("Answer"), right);
  m_out = new QTextBrowser(right);
  mainCol->addWidget(m_outLabel);
  mainCol->addWidget(m_out);
  outs->addLayout(baseCol);
  outs->addLayout(mainCol);
  rv->addLayout(outs, 1);
  m_outBase->hide();
  m_outBaseLabel->hide();
  split->setStretchFactor(1, 3);
  auto* top = new QVBoxLayout(this);
  top->addWidget(split);

  connect(m_systemPreset, qOverload<int>(&QComboBox::activated), this,
          [this](int i) { m_system->setPlainText(m_systemPreset->itemData(i).toString()); });
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString d = QFileDialog::getExistingDirectory(this, tr("Choose a PEFT adapter folder"), m_wb->runsDir());
    if (!d.isEmpty()) setAdapter(d);
  });
  connect(m_sideBySide, &QCheckBox::toggled, this, [this](bool on) {
    m_outBase->setVisible(on);
    m_outBaseLabel->setVisible(on);
    m_outLabel->setText(on ? tr("With the adapter") : tr("Answer"));
    // Side by side always shows the adapter's answer: "Use the adapter" follows it.
    if (on) m_useAdapter->setChecked(true);
    m_useAdapter->setEnabled(!on && !m_adapter->text().trimmed().isEmpty());
    updateModelLine();
    saveChoices();
  });
  connect(m_useAdapter, &QCheckBox::toggled, this, [this] {
    updateModelLine();
    saveChoices();
  });
  connect(m_useTemplate, &QCheckBox::toggled, this, [this] { saveChoices(); });
  connect(m_adapter, &QLineEdit::editingFinished, this, [this] { setAdapter(m_adapter->text().trimmed()); });
  connect(m_mode, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { updateModeRows(); });
  connect(m_go, &QPushButton::clicked, this, [this] { generate(); });
  connect(m_stop, &QPushButton::clicked, this, &PlaygroundPanel::stop);
  connect(wb, &Workbench::modelLoaded, this, [this] {
    auto m = m_wb->model();
    if (!m) return;
    // The model's generation_config.json, read the way the command line reads it.
    const fm::GenerateOptions d = fm::defaultGenerateOptions(*m);
    m_temperature->setValue(d.temperature);
    m_topP->setValue(d.topP);
    m_topK->setValue(d.topK);
    m_repetition->setValue(d.repetitionPenalty);
    if (m->generationDefaults().maxNewTokens > 0) m_maxTokens->setValue(d.maxNewTokens);
    m_mode->setCurrentIndex(m->info().chatFormat == "none" ? 0 : 1);
    {
      std::lock_guard<std::mutex> lock(m_adapterCache->mutex);  // read again for the new model
      m_adapterCache->adapter.reset();
      m_adapterCache->path.clear();
    }
    updateModelLine();
    updateModeRows();
  });
  // The adapter and how it is used are kept for the next start.
  QSettings s;
  const QString savedAdapter = s.value(QStringLiteral("playground/adapter")).toString();
  const bool savedUse = s.value(QStringLiteral("playground/use_adapter"), true).toBool();
  const bool savedSide = s.value(QStringLiteral("playground/side_by_side"), false).toBool();
  const bool savedTemplate = s.value(QStringLiteral("playground/use_run_template"), true).toBool();
  if (!savedAdapter.isEmpty() && QFileInfo::exists(savedAdapter + QStringLiteral("/adapter_config.json"))) {
    setAdapter(savedAdapter);
    m_useAdapter->setChecked(savedUse);
    m_sideBySide->setChecked(savedSide);
    m_useTemplate->setChecked(savedTemplate);
  }
  updateModelLine();
  updateModeRows();
}

void PlaygroundPanel::saveChoices() const {
  QSettings s;
  s.setValue(QStringLiteral("playground/adapter"), m_adapter->text().trimmed());
  s.setValue(QStringLiteral("playground/use_adapter"), m_useAdapter->isChecked());
  s.setValue(QStringLiteral("playground/side_by_side"), m_sideBySide->isChecked());
  s.setValue(QStringLiteral("playground/use_run_template"), m_useTemplate->isChecked());
}

// What is loaded, in one line above the prompt: the model and whether an adapter changes it.
void PlaygroundPanel::updateModelLine() {
  auto m = m_wb->model();
  const QString adapter = m_adapter->text().trimmed();
  QString text = m ? tr("<b>Model:</b> %1 (%2)")
                         .arg(QFileInfo(m_wb->modelDir()).fileName().toHtmlEscaped(),
                              QString::fromStdString(m->info().architecture).toHtmlEscaped())
                   : tr("<b>No model loaded</b>: open one in Models, or use the built-in demo.");
  if (!adapter.isEmpty()) {
    const QString name = QFileInfo(adapter).fileName() == QStringLiteral("adapter")
                             ? QFileInfo(QFileInfo(adapter).path()).fileName()
                             : QFileInfo(adapter).fileName();
    text += m_sideBySide->isChecked() ? tr(" · <b>Adapter:</b> %1, compared with the base model").arg(name.toHtmlEscaped())
            : m_useAdapter->isChecked() ? tr(" · <b>Adapter:</b> %1, in use").arg(name.toHtmlEscaped())
                                        : tr(" · <b>Adapter:</b> %1, switched off").arg(name.toHtmlEscaped());
  } else if (m) {
    text += tr(" · no adapter");
  }
  m_modelLine->setText(text);
}

// The system prompt matters in chat mode only; the run's template in completion mode only.
void PlaygroundPanel::updateModeRows() {
  const bool chat = m_mode->currentData().toString() == QStringLiteral("chat");
  m_form->setRowVisible(m_systemPreset, chat);
  m_form->setRowVisible(m_system, chat);
  auto m = m_wb->model();
  m_form->setRowVisible(m_chatNote, chat && m && m->info().chatFormat == "none");
  m_useTemplate->setVisible(!chat && !m_runTemplate.isEmpty());
  m_templateShown->setVisible(!chat && !m_runTemplate.isEmpty());
}

QString PlaygroundPanel::wrappedPrompt() const {
  const QString text = m_prompt->toPlainText();
  const bool chat = m_mode->currentData().toString() == QStringLiteral("chat");
  if (chat || m_runTemplate.isEmpty() || !m_useTemplate->isChecked()) return text;
  // The first {column} of the run's template takes the text; a template is one example's prompt.
  static const QRegularExpression placeholder(QStringLiteral("\\{([A-Za-z_][A-Za-z0-9_]*)\\}"));
  const QRegularExpressionMatch first = placeholder.match(m_runTemplate);
  if (!first.hasMatch()) return text;
  QString out = m_runTemplate;
  out.replace(first.capturedStart(), first.capturedLength(), text);
  return out;
}

void PlaygroundPanel::setAdapter(const QString& dir) {
  {
    // The folder may hold new weights under the same path: read it again.
    std::lock_guard<std::mutex> lock(m_adapterCache->mutex);
    m_adapterCache->adapter.reset();
    m_adapterCache->path.clear();
  }
  m_adapter->setText(dir);
  m_useAdapter->setChecked(true);
  m_useAdapter->setEnabled(!dir.isEmpty() && !m_sideBySide->isChecked());
  m_sideBySide->setEnabled(!dir.isEmpty());
  // A run's adapter lives in <run>/adapter; the run's config.json says how its prompts looked.
  m_runTemplate.clear();
  QFile cfg(QFileInfo(dir).path() + QStringLiteral("/config.json"));
  if (!dir.isEmpty() && cfg.open(QIODevice::ReadOnly)) {
    const QJsonObject run = QJsonDocument::fromJson(cfg.readAll()).object();
    if (run.value(QStringLiteral("method")).toString() != QStringLiteral("full"))
      m_runTemplate = run.value(QStringLiteral("prompt_template")).toString();
  }
  QString shown = m_runTemplate;
  shown.replace(QLatin1Char('\n'), QStringLiteral("⏎"));
  m_templateShown->setText(shown);
  m_useTemplate->setToolTip(tr("The fine-tuned model learned answers after prompts shaped like this; a plain "
                               "sentence without it may get the wrong kind of answer."));
  updateModeRows();
  updateModelLine();
  saveChoices();
}

void PlaygroundPanel::setPrompt(const QString& text) { m_prompt->setPlainText(text); }

void PlaygroundPanel::stop() {
  if (m_job) m_job->cancel();
}

Job* PlaygroundPanel::generate() {
  m_error->hide();
  if (m_job) return nullptr;
  auto model = m_wb->model();
  if (!model || !model->tokenizer()) {
    m_error->setText(tr("Load a model with a tokenizer first (Models panel)."));
    m_error->show();
    return nullptr;
  }
  const QString adapter = m_adapter->text().trimmed();
  const bool side = m_sideBySide->isChecked() && !adapter.isEmpty();
  const bool use = m_useAdapter->isChecked() && !adapter.isEmpty();
  const bool chat = m_mode->currentData().toString() == "chat";
  const std::string prompt = wrappedPrompt().toStdString();
  const std::string system = m_system->toPlainText().toStdString();
  fm::GenerateOptions o;
  o.temperature = m_temperature->value();
  o.topK = m_topK->value();
  o.topP = m_topP->value();
  o.repetitionPenalty = m_repetition->value();
  o.maxNewTokens = m_maxTokens->value();
  o.seed = static_cast<uint64_t>(m_seed->value());
  m_out->clear();
  m_outBase->clear();
  m_stats->setText(tr("starting…"));
  if (!chat) {
    m_out->insertPlainText(QString::fromStdString(prompt));
    if (side) m_outBase->insertPlainText(QString::fromStdString(prompt));
  }
  QPointer<PlaygroundPanel> self(this);
  auto cache = m_adapterCache;
  Workbench* wb = m_wb;
  Job* job = wb->jobs()->start(tr("Generate"), JobRunner::Light, [=](Job& job) {
    // The adapter is read once per folder and model, then chosen per generation: the shared
    // model is never changed, so other jobs on it run unaffected.
    std::shared_ptr<const fm::LoraAdapter> adapterObj;
    if (!adapter.isEmpty()) {
      {
        std::lock_guard<std::mutex> lock(cache->mutex);
        if (cache->path == adapter && cache->model.lock() == model) adapterObj = cache->adapter;
      }
      if (!adapterObj) {
        // Read outside the lock: the GUI thread may clear the cache meanwhile.
        job.setProgress(-1, tr("loading the adapter"));
        adapterObj = fm::loadAdapterFor(*model, toPath(adapter));
        std::lock_guard<std::mutex> lock(cache->mutex);
        cache->adapter = adapterObj;
        cache->path = adapter;
        cache->model = model;
      }
    }
    fm::GenerateOptions opts = o;
    const fm::BuiltPrompt built = fm::buildPrompt(*model, {chat, system, prompt});
    const std::vector<int32_t>& ids = built.ids;
    opts.stopStrings = built.stopStrings;
    if (!built.note.empty()) {
      const QString note = QString::fromStdString(built.note);
      job.post([self, note] {
        if (self) self->m_stats->setText(note);
      });
    }
    auto run = [&](bool adapterOn, bool toBase) {
      fm::GenerateOptions callOpts = opts;
      callOpts.adapter = adapterOn ? adapterObj : nullptr;
      QElapsedTimer clock;
      clock.start();
      auto count = std::make_shared<std::atomic<int>>(0);
      const fm::GenerateResult r = fm::generate(*model, ids, callOpts, [&, count](const fm::TokenEvent& t) {
        const int n = ++*count;
        const double secs = clock.elapsed() / 1000.0;
        const QString text = QString::fromStdString(t.text);
        job.post([self, text, n, secs, toBase] {
          if (!self) return;
          QTextBrowser* out = toBase ? self->m_outBase : self->m_out;
          out->moveCursor(QTextCursor::End);
          out->insertPlainText(text);
          // A rate needs a few tokens and a moment to mean anything.
          self->m_stats->setText(n < 3 || secs < 0.2 ? tokenCount(n)
                                                     : tr("%1 · %2 tokens/s").arg(tokenCount(n)).arg(n / secs, 0, 'f', 1));
          Q_EMIT self->tokenStreamed(n);
        });
        return !job.cancelRequested();
      });
      const int n = static_cast<int>(r.tokens.size());
      const QString rate = n >= 3 && r.decodeTokensPerSecond() > 0
                               ? tr(" · %1 tokens/s").arg(r.decodeTokensPerSecond(), 0, 'f', 1)
                               : QString();
      const QString summary = tr("%1%2 · prompt %3 tokens · stopped: %4")
                                  .arg(tokenCount(n), rate)
                                  .arg(r.promptTokens)
                                  .arg(stopReasonText(r.stopReason));
      job.post([self, summary] {
        if (self) self->m_stats->setText(summary);
      });
    };
    if (side) {
      run(false, true);
      if (!job.cancelRequested()) run(true, false);
    } else {
      run(use, false);
    }
  });
  job->setRoutine(true);  // a generation is not worth a row in the Jobs list once done
  m_job = job;
  m_go->setEnabled(false);
  m_stop->setEnabled(true);
  connect(job, &Job::finished, this, [this](Job::State s, const QString& msg) {
    m_go->setEnabled(true);
    m_stop->setEnabled(false);
    m_job = nullptr;
    if (s == Job::State::Failed) {
      m_error->setText(msg);
      m_error->show();
    }
    Q_EMIT generationFinished();
  });
  return job;
}

}  // namespace fm::ui
