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
    {QT_TRANSLATE_NOOP("PlaygroundPanel", "Helpful assistant"), QT_TRANSLATE_NOOP("PlaygroundPanel", "You are a helpful assistant. Answer clearly and briefly.")},
    {QT_TRANSLATE_NOOP("PlaygroundPanel", "Teacher"), QT_TRANSLATE_NOOP("PlaygroundPanel", "You are a patient teacher. Explain step by step with a simple example.")},
    {QT_TRANSLATE_NOOP("PlaygroundPanel", "Strict classifier"), QT_TRANSLATE_NOOP("PlaygroundPanel", "Answer with one word only.")},
    {QT_TRANSLATE_NOOP("PlaygroundPanel", "None"), ""},
};

}  // namespace

PlaygroundPanel::PlaygroundPanel(Workbench* wb, QWidget* parent) : QWidget(parent), m_wb(wb) {
  setObjectName(QStringLiteral("PlaygroundPanel"));
  auto* split = new QSplitter(this);
  auto* left = new QWidget(split);
  auto* lv = new QVBoxLayout(left);
  auto* form = new QFormLayout;
  m_mode = new QComboBox(left);
  m_mode->addItem(tr("Completion"), "completion");
  m_mode->addItem(tr("Chat"), "chat");
  m_mode->setToolTip(tr("Completion continues your text. Chat wraps it in the model's chat template."));
  form->addRow(tr("Mode"), m_mode);
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
  m_sideBySide = new QCheckBox(tr("Show base and adapted answers side by side"), adBox);
  av->addWidget(m_useAdapter);
  av->addWidget(m_sideBySide);
  lv->addWidget(adBox);
  lv->addStretch(1);

  auto* right = new QWidget(split);
  auto* rv = new QVBoxLayout(right);
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
  });
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
    std::lock_guard<std::mutex> lock(m_adapterCache->mutex);  // read again for the new model
    m_adapterCache->adapter.reset();
    m_adapterCache->path.clear();
  });
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
  const std::string prompt = m_prompt->toPlainText().toStdString();
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
          self->m_stats->setText(tr("%1 tokens · %2 tokens/s").arg(n).arg(secs > 0 ? n / secs : 0.0, 0, 'f', 1));
          Q_EMIT self->tokenStreamed(n);
        });
        return !job.cancelRequested();
      });
      const QString summary = tr("%1 tokens · %2 tokens/s · prompt %3 tokens · stopped: %4")
                                  .arg(r.tokens.size())
                                  .arg(r.decodeTokensPerSecond(), 0, 'f', 1)
                                  .arg(r.promptTokens)
                                  .arg(QString::fromStdString(r.stopReason));
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
