#include "models/models_panel.h"
#include "bridge/core_text.h"
#include "util/utf8.h"

#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QStackedWidget>
#include <QTableWidget>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTextBrowser>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent>

#include "arch/loaded_model.h"
#include "arch/model_pool.h"
#include "embed/embedder.h"
#include "shell/workbench.h"
#include "tokenize/tokenizer.h"

namespace fm::ui {

namespace {

QString bytes(quint64 b) {
  const double g = b / 1073741824.0, m = b / 1048576.0;
  return g >= 1 ? QStringLiteral("%1 GB").arg(g, 0, 'f', 2) : QStringLiteral("%1 MB").arg(m, 0, 'f', 1);
}

QString count(qint64 n) {
  if (n >= 1000000000) return QStringLiteral("%1 B").arg(n / 1e9, 0, 'f', 2);
  if (n >= 1000000) return QStringLiteral("%1 M").arg(n / 1e6, 0, 'f', 1);
  if (n >= 1000) return QStringLiteral("%1 K").arg(n / 1e3, 0, 'f', 1);
  return QString::number(n);
}

QString row(const QString& k, const QString& v) {
  return QStringLiteral("<tr><td style='padding-right:14px;color:palette(mid)'><b>%1</b></td><td>%2</td></tr>")
      .arg(k.toHtmlEscaped(), v.toHtmlEscaped());
}

}  // namespace

QString tokenPiecesHtml(const QVector<TokenPiece>& pieces) {
  static const char* colors[] = {"#ffd8a8", "#c5f6fa", "#d3f9d8", "#ffdeeb", "#e5dbff", "#fff3bf", "#d0ebff"};
  QString html = QStringLiteral("<div style='line-height:190%'>");
  if (pieces.size() == 1 && pieces[0].id < 0)
    return QStringLiteral("<p style='color:#c92a2a'>%1</p>").arg(pieces[0].piece.toHtmlEscaped());
  for (int i = 0; i < pieces.size(); ++i) {
    QString text = pieces[i].piece;
    text.replace(QChar(0x2581), QChar(0x00B7)).replace(QChar(0x0120), QChar(0x00B7));  // "▁"/"Ġ" -> "·"
    text.replace(QStringLiteral("\n"), QStringLiteral("\\n"));
    const QString bg = pieces[i].special ? QStringLiteral("#dee2e6") : QString::fromLatin1(colors[i % 7]);
    QStringList ids;
    for (int id : pieces[i].ids) ids << QString::number(id);
    html += QStringLiteral("<span style='background:%1;color:#111;font-family:monospace'>&nbsp;%2&nbsp;</span>"
                           "<sub style='color:#868e96'>%3</sub> ")
                .arg(bg, text.toHtmlEscaped())
                .arg(ids.isEmpty() ? QString::number(pieces[i].id) : ids.join(QLatin1Char(' ')));
  }
  return html + QStringLiteral("</div>");
}

ModelsPanel::ModelsPanel(Workbench* wb, QWidget* parent) : QWidget(parent), m_wb(wb) {
  setObjectName(QStringLiteral("ModelsPanel"));
  auto* split = new QSplitter(this);
  auto* left = new QWidget(split);
  auto* lv = new QVBoxLayout(left);
  auto* importBtn = new QPushButton(tr("Import a model folder…"), left);
  importBtn->setToolTip(tr("A Hugging Face folder with config.json, safetensors weights and a tokenizer"));
  auto* demoBtn = new QPushButton(tr("Use the demo model"), left);
  demoBtn->setToolTip(tr("A tiny Llama-style model that the app trains from scratch on its own demo text"));
  lv->addWidget(importBtn);
  lv->addWidget(demoBtn);
  lv->addWidget(new QLabel(tr("Your models"), left));
  m_list = new QListWidget(left);
  lv->addWidget(m_list, 1);
  m_memory = new QLabel(left);
  m_memory->setWordWrap(true);
  m_memory->setStyleSheet(QStringLiteral("color:palette(mid)"));
  lv->addWidget(m_memory);
  lv->addWidget(new QLabel(tr("Model families that work"), left));
  m_catalog = new QTreeWidget(left);
  m_catalog->setHeaderLabels({tr("Family"), tr("Tokenizer"), tr("Chat")});
  m_catalog->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
  lv->addWidget(m_catalog, 1);

  auto* right = new QWidget(split);
  auto* rv = new QVBoxLayout(right);
  m_title = new QLabel(tr("No model yet: import a folder, drop one on the window, or use the demo model."), right);
  m_title->setWordWrap(true);
  QFont f = m_title->font();
  f.setPointSizeF(f.pointSizeF() * 1.3);
  f.setBold(true);
  m_title->setFont(f);
  m_error = new QLabel(right);
  m_error->setWordWrap(true);
  m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_error->setStyleSheet(QStringLiteral("color:#c92a2a"));
  m_error->hide();
  m_details = new QTextBrowser(right);
  rv->addWidget(m_title);
  rv->addWidget(m_error);
  // Everything here fits 1024x700 in Korean with an embedder's sentence comparison open: the
  // text views may shrink to about two lines and scroll.
  m_details->setMinimumHeight(48);
  rv->addWidget(m_details, 2);
  rv->addWidget(new QLabel(tr("Tokenizer: type text to see its tokens and their ids"), right));
  m_tokInput = new QPlainTextEdit(right);
  m_tokInput->setPlaceholderText(tr("Type or paste text here"));
  m_tokInput->setMaximumHeight(60);
  m_tokOutput = new QTextBrowser(right);
  rv->addWidget(m_tokInput);
  m_tokOutput->setMinimumHeight(48);
  rv->addWidget(m_tokOutput, 1);

  // What the model does, tried on the spot: an embedder compares sentences, a reranker scores
  // passages. Language models are tried in the Playground.
  m_tryStack = new QStackedWidget(right);
  m_tryStack->addWidget(new QWidget(m_tryStack));
  auto* simBox = new QGroupBox(tr("Compare sentences: one per line; the map shows how close their meanings are"), m_tryStack);
  auto* sv = new QVBoxLayout(simBox);
  m_sentences = new QPlainTextEdit(simBox);
  m_sentences->setPlainText(tr("The weather is lovely today.\nIt is sunny and warm outside.\nThe stock market fell sharply.\n오늘은 날씨가 좋다."));
  m_sentences->setMaximumHeight(80);
  m_sentences->setMinimumHeight(48);
  m_compare = new QPushButton(tr("Compare"), simBox);
  m_similarity = new QTableWidget(simBox);
  m_similarity->setEditTriggers(QAbstractItemView::NoEditTriggers);
  sv->addWidget(m_sentences);
  sv->addWidget(m_compare, 0, Qt::AlignLeft);
  sv->addWidget(m_similarity, 1);
  m_tryStack->addWidget(simBox);
  auto* rankBox = new QGroupBox(tr("Score passages: how well each passage answers the query"), m_tryStack);
  auto* kv = new QVBoxLayout(rankBox);
  m_query = new QLineEdit(rankBox);
  m_query->setPlaceholderText(tr("Query"));
  m_query->setText(tr("How do I reset my password?"));
  m_passages = new QPlainTextEdit(rankBox);
  m_passages->setPlainText(tr("Open Settings, choose Account, then Reset password.\nOur office is open from 9 to 5.\nPasswords must have at least 12 characters."));
  m_passages->setMaximumHeight(80);
  m_passages->setMinimumHeight(48);
  m_score = new QPushButton(tr("Score"), rankBox);
  m_ranking = new QTableWidget(0, 3, rankBox);
  m_ranking->setHorizontalHeaderLabels({tr("Score"), tr("Probability"), tr("Passage")});
  m_ranking->horizontalHeader()->setStretchLastSection(true);
  m_ranking->setEditTriggers(QAbstractItemView::NoEditTriggers);
  kv->addWidget(m_query);
  kv->addWidget(m_passages);
  kv->addWidget(m_score, 0, Qt::AlignLeft);
  kv->addWidget(m_ranking, 1);
  m_tryStack->addWidget(rankBox);
  m_tryStatus = new QLabel(right);
  m_tryStatus->setWordWrap(true);
  m_tryStatus->hide();
  rv->addWidget(m_tryStack, 4);
  for (QTableWidget* t : {m_similarity, m_ranking}) {
    t->verticalHeader()->setDefaultSectionSize(t->fontMetrics().height() + 6);
    t->setMinimumHeight(4 * (t->fontMetrics().height() + 6));
  }
  rv->addWidget(m_tryStatus);
  m_tryStack->hide();
  connect(m_compare, &QPushButton::clicked, this, &ModelsPanel::compareSentences);
  connect(m_score, &QPushButton::clicked, this, &ModelsPanel::scorePassages);
  split->setStretchFactor(1, 2);
  auto* top = new QVBoxLayout(this);
  top->addWidget(split);

  // The catalog ships inside the application.
  QFile cat(QStringLiteral(":/catalog/catalog.json"));
  if (cat.open(QIODevice::ReadOnly)) {
    const QJsonObject o = QJsonDocument::fromJson(cat.readAll()).object();
    for (const QJsonValue& v : o.value(QStringLiteral("families")).toArray()) {
      const QJsonObject fam = v.toObject();
      auto* item = new QTreeWidgetItem(m_catalog, {fam.value("name").toString(), fam.value("tokenizer").toString(),
                                                   fam.value("chat").toString()});
      for (const QJsonValue& ex : fam.value(QStringLiteral("examples")).toArray())
        new QTreeWidgetItem(item, {ex.toString()});
      item->setToolTip(0, tr("model_type \"%1\"").arg(fam.value("model_type").toString()));
    }
    const QJsonObject files = o.value(QStringLiteral("folder_files")).toObject();
    auto* need = new QTreeWidgetItem(m_catalog, {tr("What a folder needs")});
    for (const QString& k : {QStringLiteral("required"), QStringLiteral("tokenizer"), QStringLiteral("recommended"),
                             QStringLiteral("refused")}) {
      QStringList names;
      for (const QJsonValue& x : files.value(k).toArray()) names << x.toString();
      new QTreeWidgetItem(need, {k, names.join(QStringLiteral(", "))});
    }
  }

  m_tokTimer = new QTimer(this);
  m_tokTimer->setSingleShot(true);
  m_tokTimer->setInterval(120);
  connect(m_tokInput, &QPlainTextEdit::textChanged, m_tokTimer, qOverload<>(&QTimer::start));
  connect(m_tokTimer, &QTimer::timeout, this, &ModelsPanel::tokenize);
  connect(&m_tokWatch, &QFutureWatcher<QVector<TokenPiece>>::finished, this, [this] {
    const auto pieces = m_tokWatch.result();
    int tokens = 0;
    for (const auto& p : pieces) tokens += p.ids.isEmpty() ? 1 : p.ids.size();
    m_tokOutput->setHtml(tokenPiecesHtml(pieces) + QStringLiteral("<p style='color:#868e96'>%1</p>")
                                                       .arg(tokens == 1 ? tr("1 token") : tr("%1 tokens").arg(tokens)));
    Q_EMIT tokensShown(tokens);
  });

  connect(importBtn, &QPushButton::clicked, this, &ModelsPanel::chooseFolder);
  connect(demoBtn, &QPushButton::clicked, this, [this] {
    if (m_wb->demoReady()) {
      importFolder(m_wb->demoModelDir());
      return;
    }
    if (Job* j = m_wb->prepareDemo())
      connect(j, &Job::finished, this, [this](Job::State s) {
        if (s == Job::State::Completed) importFolder(m_wb->demoModelDir());
      });
  });
  connect(m_list, &QListWidget::itemActivated, this,
          [this](QListWidgetItem* it) { importFolder(it->data(Qt::UserRole).toString()); });
  connect(wb, &Workbench::modelOpened, this, [this] {
    refreshList();
    showModel();
    refreshMemory();
  });
  connect(wb, &Workbench::modelFailed, this, [this](const QString& dir, const QString& msg) {
    m_error->setText(tr("Could not open %1:\n%2").arg(dir, msg));
    m_error->show();
  });
  connect(wb, &Workbench::demoPrepared, this, &ModelsPanel::refreshList);
  // "Use the demo model" waits while the demo is being made (its own job shows the progress).
  auto demoBusy = [demoBtn, wb] {
    demoBtn->setEnabled(!wb->demoJob());
    demoBtn->setToolTip(wb->demoJob() ? tr("Waiting for the built-in demo to be prepared") : QString());
  };
  connect(wb, &Workbench::demoPreparing, demoBtn, demoBusy);
  connect(wb, &Workbench::demoPrepared, demoBtn, demoBusy);
  connect(wb, &Workbench::demoFailed, demoBtn, demoBusy);
  demoBusy();
  refreshList();
}

void ModelsPanel::refreshList() {
  m_list->clear();
  QStringList dirs;
  // One entry per folder, however its path was written (a trailing slash, a link).
  QStringList seen;
  auto add = [&](const QString& d) {
    const QString canonical = QFileInfo(d).canonicalFilePath();
    if (canonical.isEmpty() || seen.contains(canonical) || !QFileInfo::exists(d + QStringLiteral("/config.json"))) return;
    seen << canonical;
    dirs << d;
  };
  if (m_wb->demoReady()) add(m_wb->demoModelDir());
  for (const QString& d : m_wb->recentModels()) add(d);
  for (const QString& d : dirs) {
    auto* it = new QListWidgetItem(QFileInfo(d).fileName(), m_list);
    it->setData(Qt::UserRole, d);
    it->setToolTip(d);
    if (d == m_wb->openedDir()) {
      QFont f = it->font();
      f.setBold(true);
      it->setFont(f);
    }
  }
}

void ModelsPanel::refreshMemory() {
  const fm::ModelPool& pool = m_wb->pool();
  QStringList lines;
  for (const auto& e : pool.entries())
    lines << QStringLiteral("%1 (%2)").arg(QFileInfo(QString::fromStdString(e.dir)).fileName(), bytes(e.bytes));
  m_memory->setText(tr("In memory: %1 of %2 kept for models").arg(bytes(pool.usedBytes()), bytes(pool.budgetBytes())) +
                    (lines.isEmpty() ? QString() : QStringLiteral("\n") + lines.join(QStringLiteral(", "))));
  m_memory->setToolTip(tr("Several models can be open at once. When a new one does not fit, models that no job is "
                          "using are closed, least recently used first."));
}

void ModelsPanel::chooseFolder() {
  const QString d = QFileDialog::getExistingDirectory(this, tr("Choose a Hugging Face model folder"));
  if (!d.isEmpty()) importFolder(d);
}

void ModelsPanel::importFolder(const QString& dir) {
  m_error->hide();
  m_title->setText(tr("Opening %1…").arg(QFileInfo(dir).fileName()));
  m_wb->openModel(dir);
}

static QString kindText(fm::ModelKind k) {
  switch (k) {
    case fm::ModelKind::CausalLM: return ModelsPanel::tr("language model: writes text (Playground, Fine-tune)");
    case fm::ModelKind::TextEncoder: return ModelsPanel::tr("text encoder: turns text into vectors (search, similarity)");
    case fm::ModelKind::SequenceClassifier: return ModelsPanel::tr("cross-encoder: scores how well a passage answers a query (reranking)");
    case fm::ModelKind::VisionText: return ModelsPanel::tr("image-text model: labels and searches pictures by words (Image + Text)");
    case fm::ModelKind::ImageToText: return ModelsPanel::tr("captioner: describes pictures in words");
  }
  return {};
}

void ModelsPanel::showModel() {
  auto model = m_wb->openedModel();
  if (!model) return;
  const fm::ModelInfo& i = model->info();
  m_error->hide();
  m_title->setText(tr("%1 — %2 parameters").arg(QFileInfo(m_wb->openedDir()).fileName(), count(i.parameters)));
  QString h = QStringLiteral("<table>");
  h += row(tr("Kind"), kindText(i.kind));
  h += row(tr("Folder"), QString::fromStdString(i.dir));
  h += row(tr("Architecture"), QString::fromStdString(i.architecture + " (model_type " + i.modelType + ")"));
  h += row(tr("Parameters"), QStringLiteral("%1 (%2)").arg(count(i.parameters)).arg(i.parameters));
  h += row(tr("Weights on disk"), QStringLiteral("%1, %2").arg(QString::fromStdString(i.dtypeOnDisk), bytes(i.weightBytesOnDisk)));
  if (i.kind == fm::ModelKind::CausalLM)
    h += row(tr("Memory needed"), tr("%1 in float32, %2 in bfloat16, plus %3 per 1,000 tokens of context")
                                      .arg(bytes(i.memoryFp32), bytes(i.memoryBf16), bytes(i.kvBytesPerToken * 1000)));
  else
    h += row(tr("Memory needed"), tr("%1 in float32, %2 in bfloat16").arg(bytes(i.memoryFp32), bytes(i.memoryBf16)));
  h += row(tr("Layers × hidden"), QStringLiteral("%1 × %2, %3 heads (%4 key/value), MLP %5")
                                       .arg(i.layers).arg(i.hidden).arg(i.heads).arg(i.kvHeads).arg(i.intermediate));
  h += row(tr("Context"), tr("%1 tokens, %2").arg(i.maxPositions).arg(coreText(i.positionEncoding)));
  h += row(tr("Tokenizer"), i.tokenizerKind.empty()
                                ? tr("none: %1").arg(QString::fromStdString(i.tokenizerError))
                                : QStringLiteral("%1, %2 tokens").arg(QString::fromStdString(i.tokenizerKind)).arg(i.tokenizerVocab));
  if (i.kind == fm::ModelKind::CausalLM)
    h += row(tr("Chat template"), coreText(i.chatFormat) + (i.chatMessage.empty() ? QString() : QStringLiteral(" — ") + QString::fromStdString(i.chatMessage)));
  QStringList specials;
  for (const auto& [role, text] : i.specialTokens)
    specials << QString::fromStdString(role + ": " + text);
  h += row(tr("Special tokens"), specials.join(QStringLiteral(", ")));
  if (i.kind == fm::ModelKind::TextEncoder) {
    QStringList prompts;
    for (const auto& [name, text] : i.prompts) prompts << QStringLiteral("%1 “%2”").arg(QString::fromStdString(name), QString::fromStdString(text));
    h += row(tr("Embedding"), tr("%1 dimensions, %2 pooling, %3").arg(i.embeddingDim).arg(QString::fromStdString(i.pooling),
                                                                             i.normalize ? tr("normalised") : tr("not normalised")));
    h += row(tr("Longest text"), tr("%1 tokens (longer texts are cut)").arg(i.maxLength));
    h += row(tr("Prompts"), prompts.isEmpty() ? tr("none") : prompts.join(QStringLiteral(", ")));
  }
  if (i.kind == fm::ModelKind::ImageToText)
    h += row(tr("Pictures"), tr("%1 × %1 pixels in patches of %2; image tower %3 layers × %4")
                                 .arg(i.imageSize).arg(i.patchSize).arg(i.visionLayers).arg(i.visionHidden));
  if (i.kind == fm::ModelKind::VisionText) {
    h += row(tr("Pictures"), tr("%1 × %1 pixels in patches of %2; image tower %3 layers × %4")
                                 .arg(i.imageSize).arg(i.patchSize).arg(i.visionLayers).arg(i.visionHidden));
    h += row(tr("Embedding"), tr("%1 dimensions, shared by pictures and texts").arg(i.projectionDim));
    h += row(tr("Longest text"), tr("%1 tokens (longer texts are cut)").arg(i.maxLength));
  }
  if (i.kind == fm::ModelKind::SequenceClassifier) {
    QStringList labels;
    for (const auto& l : i.labels) labels << QString::fromStdString(l);
    h += row(tr("Labels"), labels.join(QStringLiteral(", ")));
    h += row(tr("Longest pair"), tr("%1 tokens (the passage is cut first)").arg(i.maxLength));
  }
  for (const auto& n : i.notes) h += row(tr("Note"), QString::fromStdString(n));
  h += QStringLiteral("</table>");
  m_details->setHtml(h);
  m_tryStatus->hide();
  const int page = i.kind == fm::ModelKind::TextEncoder ? 1 : i.kind == fm::ModelKind::SequenceClassifier ? 2 : 0;
  m_tryStack->setCurrentIndex(page);
  m_tryStack->setVisible(page != 0);
  if (m_tokInput->toPlainText().isEmpty())
    m_tokInput->setPlainText(tr("The film was not great, but the soundtrack is wonderful."));
  else
    tokenize();
}

void ModelsPanel::tokenize() {
  auto model = m_wb->openedModel();
  if (!model || !model->tokenizer()) {
    m_tokOutput->setHtml(tr("<i>Load a model with a tokenizer first.</i>"));
    return;
  }
  if (m_tokWatch.isRunning()) {
    m_tokTimer->start();  // try again when the previous one is done
    return;
  }
  const std::string text = m_tokInput->toPlainText().toStdString();
  m_tokWatch.setFuture(QtConcurrent::run([model, text] {
    QVector<TokenPiece> out;
    try {
      const fm::Tokenizer* tok = model->tokenizer();
      const auto ids = tok->encode(text, true);
      // Whole characters: valid UTF-8, and no U+FFFD standing in for a cut one (decoders
      // differ: some return the raw bytes, some the replacement character).
      auto whole = [tok](const std::vector<int32_t>& group) {
        const std::string d = tok->decode(group, false);
        return fm::isUtf8(d) && d.find("\xEF\xBF\xBD") == std::string::npos;
      };
      for (size_t i = 0; i < ids.size();) {
        // A token that is part of a character (a byte of its UTF-8) joins the tokens after it
        // until they make whole characters.
        size_t j = i + 1;
        if (!tok->isSpecial(ids[i]) && !whole({ids[i]})) {
          while (j < ids.size() && j - i < 8 && !tok->isSpecial(ids[j]) &&
                 !whole(std::vector<int32_t>(ids.begin() + static_cast<long>(i), ids.begin() + static_cast<long>(j))))
            ++j;
          const std::vector<int32_t> group(ids.begin() + static_cast<long>(i), ids.begin() + static_cast<long>(j));
          if (j - i > 1 && whole(group)) {
            TokenPiece p{QString::fromStdString(tok->decode(group, false)), group[0], false, {}};
            for (int32_t id : group) p.ids << id;
            out.push_back(p);
            i = j;
            continue;
          }
          j = i + 1;
        }
        out.push_back({QString::fromStdString(tok->idToPiece(ids[i])), ids[i], tok->isSpecial(ids[i]), {}});
        i = j;
      }
    } catch (const std::exception& e) {
      out = {TokenPiece{QString::fromStdString(e.what()), -1, true}};
    }
    return out;
  }));
}

namespace {

QStringList nonEmptyLines(const QString& text) {
  QStringList out;
  for (const QString& l : text.split(QLatin1Char('\n')))
    if (!l.trimmed().isEmpty()) out << l.trimmed();
  return out;
}

// White (no similarity) to a deep blue (identical); negative similarity shades toward red.
QColor heat(double c) {
  const double t = std::min(1.0, std::abs(c));
  return c >= 0 ? QColor::fromRgbF(1 - 0.75 * t, 1 - 0.55 * t, 1 - 0.1 * t) : QColor::fromRgbF(1, 1 - 0.6 * t, 1 - 0.6 * t);
}

}  // namespace

void ModelsPanel::compareSentences() {
  auto model = m_wb->openedModel();
  const QStringList lines = nonEmptyLines(m_sentences->toPlainText());
  if (!model || model->kind() != fm::ModelKind::TextEncoder) return;
  if (lines.size() < 2) {
    m_tryStatus->setText(tr("Type at least two sentences, one per line."));
    m_tryStatus->show();
    return;
  }
  std::vector<std::string> texts;
  for (const QString& l : lines) texts.push_back(l.toStdString());
  Job* job = m_wb->jobs()->start(tr("Compare sentences"), JobRunner::Light, [model, texts](Job& job) {
    return fm::cosineMatrix(fm::embedTexts(*model, texts, {}, job.context()).vectors);
  });
  job->setRoutine(true);
  m_compare->setEnabled(false);
  m_tryStatus->setText(tr("Embedding %n sentence(s)…", "", static_cast<int>(lines.size())));
  m_tryStatus->show();
  QPointer<ModelsPanel> self(this);
  connect(job, &Job::finished, this, [this, job, lines](Job::State s, const QString& msg) {
    m_compare->setEnabled(true);
    const auto* result = job->result<std::vector<std::vector<double>>>();
    if (s != Job::State::Completed || !result || result->empty()) {
      m_tryStatus->setText(s == Job::State::Failed ? msg : tr("Cancelled."));
      return;
    }
    const int n = lines.size();
    m_similarity->clear();
    m_similarity->setRowCount(n);
    m_similarity->setColumnCount(n);
    QStringList heads;
    for (int k = 0; k < n; ++k) heads << QString::number(k + 1);
    m_similarity->setHorizontalHeaderLabels(heads);
    QStringList rows;
    for (int k = 0; k < n; ++k) rows << QStringLiteral("%1  %2").arg(k + 1).arg(lines[k].left(40));
    m_similarity->setVerticalHeaderLabels(rows);
    for (int r = 0; r < n; ++r)
      for (int c = 0; c < n; ++c) {
        const double v = (*result)[static_cast<size_t>(r)][static_cast<size_t>(c)];
        auto* it = new QTableWidgetItem(QString::number(v, 'f', 2));
        it->setBackground(heat(v));
        it->setForeground(QColor(17, 17, 17));
        it->setTextAlignment(Qt::AlignCenter);
        it->setToolTip(tr("“%1” and “%2”: cosine similarity %3").arg(lines[r], lines[c]).arg(v, 0, 'f', 4));
        m_similarity->setItem(r, c, it);
      }
    m_similarity->resizeColumnsToContents();
    m_tryStatus->setText(tr("1.00 = the same meaning; near 0 = unrelated."));
    Q_EMIT similarityShown();
  });
}

void ModelsPanel::scorePassages() {
  auto model = m_wb->openedModel();
  const QStringList passages = nonEmptyLines(m_passages->toPlainText());
  const QString query = m_query->text().trimmed();
  if (!model || model->kind() != fm::ModelKind::SequenceClassifier) return;
  if (query.isEmpty() || passages.isEmpty()) {
    m_tryStatus->setText(tr("Type a query and at least one passage."));
    m_tryStatus->show();
    return;
  }
  std::vector<std::string> texts;
  for (const QString& p : passages) texts.push_back(p.toStdString());
  const std::string q = query.toStdString();
  Job* job = m_wb->jobs()->start(tr("Score passages"), JobRunner::Light, [model, q, texts](Job& job) {
    return fm::scorePairs(*model, q, texts, {}, job.context());
  });
  job->setRoutine(true);
  m_score->setEnabled(false);
  m_tryStatus->setText(tr("Scoring %n passage(s)…", "", static_cast<int>(passages.size())));
  m_tryStatus->show();
  const auto labels = model->info().labels;
  connect(job, &Job::finished, this, [this, job, passages, labels](Job::State s, const QString& msg) {
    m_score->setEnabled(true);
    const auto* result = job->result<std::vector<fm::PairScore>>();
    if (s != Job::State::Completed || !result || result->size() != static_cast<size_t>(passages.size())) {
      m_tryStatus->setText(s == Job::State::Failed ? msg : tr("Cancelled."));
      return;
    }
    std::vector<int> order(passages.size());
    for (int k = 0; k < passages.size(); ++k) order[static_cast<size_t>(k)] = k;
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return (*result)[a].score > (*result)[b].score; });
    m_ranking->setRowCount(passages.size());
    for (int r = 0; r < passages.size(); ++r) {
      const fm::PairScore& sc = (*result)[static_cast<size_t>(order[static_cast<size_t>(r)])];
      QString prob = QString::number(sc.probabilities.size() == 1 ? sc.probabilities[0] : sc.score, 'f', 3);
      if (sc.probabilities.size() > 1 && sc.label < static_cast<int>(labels.size()))
        prob += QStringLiteral(" (%1)").arg(QString::fromStdString(labels[static_cast<size_t>(sc.label)]));
      m_ranking->setItem(r, 0, new QTableWidgetItem(QString::number(sc.score, 'f', 4)));
      m_ranking->setItem(r, 1, new QTableWidgetItem(prob));
      auto* text = new QTableWidgetItem(passages[order[static_cast<size_t>(r)]]);
      text->setToolTip(passages[order[static_cast<size_t>(r)]]);
      m_ranking->setItem(r, 2, text);
    }
    m_ranking->resizeColumnToContents(0);
    m_ranking->resizeColumnToContents(1);
    m_tryStatus->setText(tr("Best first. The score is the model's raw output; the probability is its sigmoid (or softmax)."));
    Q_EMIT rankingShown();
  });
}

}  // namespace fm::ui
