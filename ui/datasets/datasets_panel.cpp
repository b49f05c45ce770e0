#include "datasets/datasets_panel.h"
#include "widgets/fixed_lines_area.h"
#include "bridge/paths.h"
#include "util/json_text.h"

#include <QApplication>
#include <QAreaSeries>
#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <QValueAxis>
#include <cmath>

#include "arch/loaded_model.h"
#include "data/dataset.h"
#include "datasets/dataset_table_model.h"
#include "shell/workbench.h"
#include "tokenize/tokenizer.h"
#include "train/examples.h"
#include "train/prepared_data.h"

namespace fm::ui {

struct DatasetSummary {
  fm::DatasetStats stats;
  std::vector<fm::DatasetProblem> problems;
  QString labelColumn;
};

namespace {

QChartView* makeChartView(const QString& title, QWidget* parent) {
  auto* chart = new QChart();
  if (QApplication::palette().color(QPalette::Window).lightness() < 128) chart->setTheme(QChart::ChartThemeDark);
  chart->setTitle(title);
  chart->legend()->hide();
  chart->setMargins(QMargins(4, 4, 4, 4));
  auto* view = new QChartView(chart, parent);
  view->setRenderHint(QPainter::Antialiasing);
  view->setMinimumHeight(125);
  return view;
}

// A cell as JSON: chat columns hold arrays of messages, written out as JSON text by the preview.
nlohmann::json cellJson(const std::string& cell) {
  if (!cell.empty() && (cell[0] == '[' || cell[0] == '{')) {
    if (fm::jsonTooDeep(cell)) return cell;
    auto j = nlohmann::json::parse(cell, nullptr, false);
    if (!j.is_discarded()) return j;
  }
  return cell;
}

}  // namespace

DatasetsPanel::DatasetsPanel(Workbench* wb, QWidget* parent) : QWidget(parent), m_wb(wb) {
  setObjectName(QStringLiteral("DatasetsPanel"));
  auto* outer = new QVBoxLayout(this);
  auto* head = new QHBoxLayout;
  m_title = new QLabel(tr("No dataset yet: open a CSV, JSONL, Alpaca or ShareGPT file, or drop one on the window."), this);
  m_title->setWordWrap(true);
  auto* openBtn = new QPushButton(tr("Open a dataset…"), this);
  auto* demoBtn = new QPushButton(tr("Demo reviews"), this);
  demoBtn->setToolTip(tr("2,400 short product and movie reviews labelled positive or negative"));
  head->addWidget(m_title, 1);
  head->addWidget(openBtn);
  head->addWidget(demoBtn);
  outer->addLayout(head);
  m_error = new QLabel(this);
  m_error->setStyleSheet(QStringLiteral("color:#c92a2a"));
  m_error->setWordWrap(true);
  m_error->hide();
  outer->addWidget(m_error);

  auto* split = new QSplitter(Qt::Vertical, this);
  m_model = new DatasetTableModel(this);
  m_table = new QTableView(split);
  m_table->setModel(m_model);
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setSelectionMode(QAbstractItemView::SingleSelection);
  m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
  m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
  m_table->horizontalHeader()->setStretchLastSection(true);
  m_table->setWordWrap(false);

  auto* bottom = new QWidget(split);
  auto* bl = new QHBoxLayout(bottom);
  // Template and split settings.
  auto* tplBox = new QGroupBox(tr("Prompt template"), bottom);
  auto* form = new QFormLayout(tplBox);
  m_prompt = new QPlainTextEdit(tplBox);
  m_prompt->setMaximumHeight(70);
  m_prompt->setToolTip(tr("The text the model reads. {column} is replaced by that column's value."));
  m_completion = new QLineEdit(tplBox);
  m_completion->setToolTip(tr("The answer the model learns to write. Only these tokens carry the loss."));
  m_insertColumn = new QComboBox(tplBox);
  m_insertColumn->setToolTip(tr("Insert a column's placeholder into the prompt"));
  m_trainOnPrompt = new QCheckBox(tr("Also train on the prompt"), tplBox);
  m_trainOnPrompt->setToolTip(tr("Usually off: the model should learn to answer, not to repeat questions."));
  m_skipBad = new QCheckBox(tr("Skip bad rows (and count them)"), tplBox);
  m_maxLength = new QSpinBox(tplBox);
  m_maxLength->setRange(8, 32768);
  m_maxLength->setValue(512);
  m_maxLength->setToolTip(tr("Longer rows are cut to this many tokens. Longer needs more memory and time."));
  m_validation = new QDoubleSpinBox(tplBox);
  m_validation->setRange(0, 0.5);
  m_validation->setSingleStep(0.05);
  m_validation->setValue(0.1);
  m_validation->setToolTip(tr("Share of rows held back to measure the model on text it never trained on."));
  m_seed = new QSpinBox(tplBox);
  m_seed->setRange(0, 1 << 30);
  m_seed->setValue(42);
  m_seed->setToolTip(tr("The same seed gives the same split."));
  form->addRow(tr("Prompt"), m_prompt);
  form->addRow(tr("Completion"), m_completion);
  form->addRow(tr("Insert column"), m_insertColumn);
  form->addRow(m_trainOnPrompt);
  form->addRow(m_skipBad);
  form->addRow(tr("Max length (tokens)"), m_maxLength);
  form->addRow(tr("Validation share"), m_validation);
  form->addRow(tr("Split seed"), m_seed);
  auto* btns = new QHBoxLayout;
  m_analyze = new QPushButton(tr("Analyze"), tplBox);
  m_analyze->setToolTip(tr("Tokenize every row: lengths, labels, duplicates and leakage"));
  auto* useBtn = new QPushButton(tr("Use for fine-tuning"), tplBox);
  btns->addWidget(m_analyze);
  btns->addWidget(useBtn);
  form->addRow(btns);
  bl->addWidget(tplBox, 2);

  auto* exBox = new QGroupBox(tr("Example (selected row)"), bottom);
  auto* el = new QVBoxLayout(exBox);
  m_example = new QTextBrowser(exBox);
  el->addWidget(m_example);
  auto* legend = new QLabel(tr("<span style='background:#b2f2bb;color:#111'>&nbsp;trained tokens&nbsp;</span> "
                               "<span style='color:#868e96'>masked prompt tokens</span>"),
                            exBox);
  el->addWidget(legend);
  bl->addWidget(exBox, 2);

  auto* statBox = new QGroupBox(tr("Before training"), bottom);
  auto* sl = new QVBoxLayout(statBox);
  m_lengthChart = makeChartView(tr("Tokens per row"), statBox);
  m_labelChart = makeChartView(tr("Labels"), statBox);
  m_warnings = new QLabel(tr("Analyze to see lengths, labels, duplicates and leakage."), statBox);
  m_warnings->setWordWrap(true);
  m_warnings->setTextFormat(Qt::RichText);
  m_warnings->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  m_warnings->setObjectName(QStringLiteral("findings"));
  sl->addWidget(m_lengthChart, 1);
  sl->addWidget(m_labelChart, 1);
  sl->addWidget(new FixedLinesArea(m_warnings, 4, statBox));
  bl->addWidget(statBox, 3);
  split->addWidget(m_table);
  split->addWidget(bottom);
  split->setStretchFactor(0, 2);
  split->setStretchFactor(1, 3);
  split->setSizes({260, 420});
  split->setChildrenCollapsible(false);
  m_table->setMinimumHeight(100);  // a few rows always show; the splitter gives it more
  outer->addWidget(split, 1);

  connect(openBtn, &QPushButton::clicked, this, &DatasetsPanel::chooseFile);
  connect(demoBtn, &QPushButton::clicked, this, &DatasetsPanel::openDemo);
  connect(m_insertColumn, qOverload<int>(&QComboBox::activated), this, [this](int i) {
    if (i > 0) m_prompt->insertPlainText(QStringLiteral("{%1}").arg(m_insertColumn->itemText(i)));
    m_insertColumn->setCurrentIndex(0);
  });
  for (auto* w : {static_cast<QObject*>(m_prompt)})
    connect(static_cast<QPlainTextEdit*>(w), &QPlainTextEdit::textChanged, this, &DatasetsPanel::renderExample);
  connect(m_completion, &QLineEdit::textChanged, this, &DatasetsPanel::renderExample);
  connect(m_trainOnPrompt, &QCheckBox::toggled, this, &DatasetsPanel::renderExample);
  connect(m_maxLength, qOverload<int>(&QSpinBox::valueChanged), this, &DatasetsPanel::renderExample);
  connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &DatasetsPanel::renderExample);
  connect(wb, &Workbench::modelLoaded, this, &DatasetsPanel::renderExample);
  connect(m_analyze, &QPushButton::clicked, this, &DatasetsPanel::analyze);
  connect(useBtn, &QPushButton::clicked, this, [this] {
    if (m_path.isEmpty()) {
      m_error->setText(tr("Open a dataset first."));
      m_error->show();
      return;
    }
    m_wb->setDataChoice(choice());
    Q_EMIT useForTraining();
  });
}

DataChoice DatasetsPanel::choice() const {
  DataChoice c;
  c.path = m_path;
  c.prompt = m_prompt->toPlainText();
  c.completion = m_completion->text();
  c.trainOnPrompt = m_trainOnPrompt->isChecked();
  c.skipBadRows = m_skipBad->isChecked();
  c.maxLength = m_maxLength->value();
  c.validationFraction = m_validation->value();
  c.seed = m_seed->value();
  return c;
}

void DatasetsPanel::chooseFile() {
  const QString f = QFileDialog::getOpenFileName(this, tr("Open a dataset"), m_wb->workspace(),
                                                 tr("Datasets (*.csv *.tsv *.jsonl *.json *.txt)"));
  if (!f.isEmpty()) openFile(f);
}

void DatasetsPanel::openDemo() {
  auto go = [this] {
    m_prompt->setPlainText(QStringLiteral("Review: {text}\nSentiment:"));
    m_completion->setText(QStringLiteral(" {label}"));
    m_maxLength->setValue(96);
    m_validation->setValue(0.1);
    m_seed->setValue(3);
    openFile(m_wb->demoReviews(), [this] { m_wb->setDataChoice(choice()); });
  };
  if (QFileInfo::exists(m_wb->demoReviews())) {
    go();
    return;
  }
  if (Job* j = m_wb->prepareDemo())
    connect(j, &Job::finished, this, [go](Job::State s) {
      if (s == Job::State::Completed) go();
    });
}

void DatasetsPanel::openFile(const QString& path, std::function<void()> then) {
  m_error->hide();
  m_title->setText(tr("Opening %1…").arg(QFileInfo(path).fileName()));
  Job* job = m_wb->jobs()->start(tr("Open %1").arg(QFileInfo(path).fileName()), JobRunner::Light, [path](Job& job) {
    return fm::DatasetPreview::open(toPath(path), "auto", [&job](double f, const std::string&) {
      job.setProgress(f, tr("indexing rows"));
      return !job.cancelRequested();
    });
  });
  // The last file asked for wins, whichever finishes first.
  if (m_openJob) m_openJob->supersede();
  m_openJob = job;
  connect(job, &Job::finished, this, [this, job, path, then](Job::State s, const QString& msg) {
    if (job != m_openJob) return;
    const auto* preview = job->result<std::shared_ptr<fm::DatasetPreview>>();
    if (s != Job::State::Completed || !preview || !*preview) {
      m_title->setText(tr("Could not open %1").arg(QFileInfo(path).fileName()));
      m_error->setText(msg.isEmpty() ? Job::stateName(s) : msg);
      m_error->show();
      return;
    }
    const std::shared_ptr<fm::DatasetPreview> p = *preview;
    m_path = path;
    m_model->setPreview(p);
    clearSummary();  // the last file's analysis does not describe this one
    QStringList columns;
    for (const auto& c : p->columns()) columns << QString::fromStdString(c);
    const QString kind = QString::fromStdString(p->kind());
    m_title->setText(tr("%1 — %2 rows · %3 · columns: %4")
                         .arg(QFileInfo(path).fileName(), QLocale().toString(static_cast<qlonglong>(p->rows())),
                              QString::fromStdString(p->format()).toUpper(), columns.join(QStringLiteral(", "))) +
                     (kind == QStringLiteral("columns") ? QString() : QStringLiteral(" · %1").arg(kind)));
    m_insertColumn->clear();
    m_insertColumn->addItem(tr("(choose)"));
    for (const auto& c : p->columns()) m_insertColumn->addItem(QString::fromStdString(c));
    // A template for the kind of data, if the user has none that fits.
    const fm::TemplateSpec spec = fm::TemplateSpec::forKind(p->kind());
    bool fits = !m_prompt->toPlainText().isEmpty();
    for (const auto& c : fm::templateColumns(m_prompt->toPlainText().toStdString() + m_completion->text().toStdString()))
      if (std::find(p->columns().begin(), p->columns().end(), c) == p->columns().end()) fits = false;
    if (!fits) {
      if (p->kind() == "columns" && p->columns().size() >= 2) {
        m_prompt->setPlainText(QStringLiteral("{%1}\n").arg(QString::fromStdString(p->columns()[0])));
        m_completion->setText(QStringLiteral(" {%1}").arg(QString::fromStdString(p->columns()[1])));
      } else {
        m_prompt->setPlainText(QString::fromStdString(spec.prompt));
        m_completion->setText(QString::fromStdString(spec.completion));
      }
    }
    if (m_model->rowCount() > 0) m_table->selectRow(0);
    // Fixed widths: measuring contents would read every row of a big file.
    for (int c = 0; c + 1 < m_model->columnCount(); ++c) m_table->setColumnWidth(c, c == 0 ? 520 : 200);
    renderExample();
    if (then) then();
    Q_EMIT opened(path, p->rows());
  });
}

void DatasetsPanel::renderExample() {
  auto model = m_wb->model();
  auto preview = m_model->preview();
  if (!preview) return;
  if (!model || !model->tokenizer()) {
    m_example->setHtml(tr("<i>Load a model to see how its tokenizer cuts this row.</i>"));
    return;
  }
  const int rowIdx = std::max(0, m_table->currentIndex().row());
  const auto* row = m_model->rowAt(rowIdx);
  if (!row) return;
  if (!row->error.empty()) {
    m_example->setHtml(tr("<p style='color:#c92a2a'>Line %1: %2</p>").arg(row->line).arg(QString::fromStdString(row->error).toHtmlEscaped()));
    return;
  }
  fm::Dataset one;
  one.path = preview->path();
  one.fileFormat = preview->format();
  one.kind = preview->kind();
  one.columns = preview->columns();
  nlohmann::json obj = nlohmann::json::object();
  // JSON files hold structured cells (chat turns) that the preview shows as JSON text; a CSV
  // cell is text whatever it looks like, as the reader keeps it.
  const bool structured = one.fileFormat == "jsonl" || one.fileFormat == "json";
  for (size_t c = 0; c < one.columns.size(); ++c)
    obj[one.columns[c]] = structured ? cellJson(row->cells[c]) : nlohmann::json(row->cells[c]);
  one.rows.push_back(obj);
  one.lines.push_back(row->line);
  fm::TemplateSpec spec = one.kind == "chat" ? fm::TemplateSpec::forKind("chat") : fm::TemplateSpec{};
  if (!spec.chat) {
    spec.prompt = m_prompt->toPlainText().toStdString();
    spec.completion = m_completion->text().toStdString();
    if (spec.prompt.empty() && spec.completion.empty()) spec = fm::TemplateSpec::forKind(one.kind);
  }
  spec.trainOnPrompt = m_trainOnPrompt->isChecked();
  try {
    fm::BuildOptions bo;
    bo.maxLength = m_maxLength->value();
    const fm::ExampleSet set = fm::buildExamples(one, spec, *model->tokenizer(), bo);
    if (set.examples.empty()) {
      m_example->setHtml(tr("<p style='color:#c92a2a'>%1</p>")
                             .arg(set.problems.empty() ? tr("This row gives no example.")
                                                       : QString::fromStdString(set.problems[0].message).toHtmlEscaped()));
      return;
    }
    const fm::Example& ex = set.examples[0];
    const fm::Tokenizer& tok = *model->tokenizer();
    QString html = QStringLiteral("<div style='font-family:monospace;line-height:170%'>");
    int trained = 0;
    for (size_t i = 0; i < ex.ids.size(); ++i) {
      QString piece = QString::fromStdString(tok.idToPiece(ex.ids[i]));
      piece.replace(QChar(0x2581), QLatin1Char(' ')).replace(QChar(0x0120), QLatin1Char(' '));
      const bool t = ex.target[i] != 0;
      trained += t;
      QString esc = piece.toHtmlEscaped().replace(QLatin1Char(' '), QStringLiteral("&nbsp;"));
      esc.replace(QStringLiteral("\n"), QStringLiteral("↵<br>"));
      html += t ? QStringLiteral("<span style='background:#b2f2bb;color:#111'>%1</span>").arg(esc)
                : QStringLiteral("<span style='color:#868e96'>%1</span>").arg(esc);
      html += QStringLiteral("<span style='color:#ced4da'>|</span>");
    }
    html += QStringLiteral("</div><p>") +
            tr("%1 tokens, %2 trained on%3").arg(ex.ids.size()).arg(trained)
                .arg(ex.fullLength > static_cast<int64_t>(ex.ids.size()) ? tr(", cut from %1").arg(ex.fullLength) : QString()) +
            QStringLiteral("</p>");
    m_example->setHtml(html);
  } catch (const std::exception& e) {
    m_example->setHtml(QStringLiteral("<p style='color:#c92a2a'>%1</p>").arg(QString::fromStdString(e.what()).toHtmlEscaped()));
  }
}

void DatasetsPanel::analyze() {
  auto model = m_wb->model();
  if (m_path.isEmpty() || !model || !model->tokenizer()) {
    m_warnings->setText(tr("<span style='color:#c92a2a'>Open a dataset and load a model (for its tokenizer) first.</span>"));
    return;
  }
  const DataChoice c = choice();
  m_analyze->setEnabled(false);
  Job* job = m_wb->jobs()->start(tr("Analyze %1").arg(QFileInfo(c.path).fileName()), JobRunner::Light,
                                 [c, model](Job& job) {
                                   job.setProgress(-1, tr("reading and tokenizing rows"));
                                   fm::TrainConfig tc;
                                   tc.data = c.path.toStdString();
                                   tc.tpl.prompt = c.prompt.toStdString();
                                   tc.tpl.completion = c.completion.toStdString();
                                   tc.tpl.trainOnPrompt = c.trainOnPrompt;
                                   tc.skipBadRows = c.skipBadRows;
                                   tc.maxLength = c.maxLength;
                                   tc.validationFraction = c.validationFraction;
                                   tc.seed = static_cast<uint64_t>(c.seed);
                                   const fm::PreparedData p = fm::prepareData(tc, *model->tokenizer(), job.context());
                                   const fm::ExampleSet& ex = p.examples;
                                   DatasetSummary out;
                                   out.stats = fm::datasetStats(ex, p.split, c.maxLength);
                                   out.problems = ex.problems;
                                   out.labelColumn = QString::fromStdString(ex.labelColumn);
                                   return out;
                                 });
  connect(job, &Job::finished, this, [this, job](Job::State s, const QString& msg) {
    m_analyze->setEnabled(true);
    const auto* out = job->result<DatasetSummary>();
    if (s != Job::State::Completed || !out) {
      m_warnings->setText(QStringLiteral("<span style='color:#c92a2a'>%1</span>")
                              .arg((msg.isEmpty() ? Job::stateName(s) : msg).toHtmlEscaped()));
      return;
    }
    showSummary(*out);
    Q_EMIT analyzed();
  });
}

void DatasetsPanel::clearSummary() {
  for (QChart* chart : {m_lengthChart->chart(), m_labelChart->chart()}) {
    chart->removeAllSeries();
    for (QAbstractAxis* a : chart->axes()) chart->removeAxis(a);
    chart->setTitle(QString());
  }
  m_warnings->setText(tr("Analyze tokenizes every row: lengths, labels, duplicates and leakage."));
}

namespace {
// 1, 2 or 5 times a power of ten, at least `raw`: axis steps people read at a glance.
double niceStep(double raw) {
  if (!(raw > 0)) return 1;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= raw) return std::max(1.0, m * p);
  return std::max(1.0, 10 * p);
}
}  // namespace

void DatasetsPanel::showSummary(const DatasetSummary& sum) {
  const fm::DatasetStats& st = sum.stats;
  // Length histogram; bins past the max length in red.
  QChart* lc = m_lengthChart->chart();
  lc->removeAllSeries();
  for (QAbstractAxis* a : lc->axes()) lc->removeAxis(a);
  // Bars drawn as steps over a numeric token axis, so the ticks are round numbers that fit, and
  // the max-length line sits where it belongs.
  auto* fitsTop = new QLineSeries(lc);
  auto* cutTop = new QLineSeries(lc);
  double top = 1;
  for (size_t i = 0; i < st.histCounts.size() && i + 1 < st.histEdges.size(); ++i) {
    const double a = static_cast<double>(st.histEdges[i]), b = static_cast<double>(st.histEdges[i + 1]);
    const double c = static_cast<double>(st.histCounts[i]);
    QLineSeries* s = st.histEdges[i] >= st.maxLength ? cutTop : fitsTop;
    *s << QPointF(a, 0) << QPointF(a, c) << QPointF(b, c) << QPointF(b, 0);
    top = std::max(top, c);
  }
  auto* fits = new QAreaSeries(fitsTop);
  fits->setName(tr("rows kept whole"));
  fits->setColor(QColor(76, 110, 245));
  fits->setBorderColor(QColor(76, 110, 245));
  auto* cut = new QAreaSeries(cutTop);
  cut->setName(tr("rows cut"));
  cut->setColor(QColor(240, 62, 62));
  cut->setBorderColor(QColor(240, 62, 62));
  auto* limit = new QLineSeries(lc);
  limit->setName(tr("max length %1").arg(st.maxLength));
  QPen dashed(QColor(201, 42, 42), 2);
  dashed.setStyle(Qt::DashLine);
  limit->setPen(dashed);
  *limit << QPointF(st.maxLength, 0) << QPointF(st.maxLength, top * 1.05);
  const double right = std::max<double>(st.histEdges.empty() ? 1 : st.histEdges.back(), st.maxLength * 1.05);
  auto* ax = new QValueAxis();
  ax->setRange(0, right);
  ax->setTickType(QValueAxis::TicksDynamic);
  ax->setTickAnchor(0);
  ax->setTickInterval(niceStep(right / 4));
  ax->setLabelFormat(QStringLiteral("%d"));
  // No axis title: the chart's title says what the axis counts, and a short chart needs the
  // height for the tick labels.
  auto* ay = new QValueAxis();
  ay->setRange(0, top * 1.1);
  ay->setTickType(QValueAxis::TicksDynamic);
  ay->setTickAnchor(0);
  ay->setTickInterval(niceStep(top * 1.1 / 4));
  ay->setLabelFormat(QStringLiteral("%d"));
  lc->addAxis(ax, Qt::AlignBottom);
  lc->addAxis(ay, Qt::AlignLeft);
  for (QAbstractSeries* s : {static_cast<QAbstractSeries*>(fits), static_cast<QAbstractSeries*>(cut),
                             static_cast<QAbstractSeries*>(limit)}) {
    lc->addSeries(s);
    s->attachAxis(ax);
    s->attachAxis(ay);
  }
  if (st.truncatedRows == 0) cut->setVisible(false);  // nothing is cut: no red baseline
  lc->setTitle(tr("Tokens per row: mean %1, p95 %2, longest %3").arg(st.meanLength, 0, 'f', 0).arg(st.p95).arg(st.longest));

  QChart* bc = m_labelChart->chart();
  bc->removeAllSeries();
  for (QAbstractAxis* a : bc->axes()) bc->removeAxis(a);
  if (!st.labels.empty()) {
    auto* set = new QBarSet(tr("rows"));
    set->setColor(QColor(18, 184, 134));
    QStringList names;
    for (const auto& [label, n] : st.labels) {
      *set << n;
      names << QString::fromStdString(label).trimmed();
    }
    auto* s = new QBarSeries();
    s->append(set);
    bc->addSeries(s);
    auto* x = new QBarCategoryAxis();
    x->append(names);
    auto* y = new QValueAxis();
    y->setLabelFormat(QStringLiteral("%d"));
    double most = 1;
    for (const auto& [label, n] : st.labels) most = std::max(most, static_cast<double>(n));
    y->setRange(0, most * 1.1);
    y->setTickType(QValueAxis::TicksDynamic);
    y->setTickAnchor(0);
    y->setTickInterval(niceStep(most * 1.1 / 4));
    bc->addAxis(x, Qt::AlignBottom);
    bc->addAxis(y, Qt::AlignLeft);
    s->attachAxis(x);
    s->attachAxis(y);
    bc->setTitle(tr("Labels (%1)").arg(sum.labelColumn));
  } else {
    bc->setTitle(tr("Labels: the completion is free text, not a label"));
  }

  QStringList lines;
  lines << tr("%1 rows: %2 for training, %3 for validation.").arg(st.rows).arg(st.trainRows).arg(st.validationRows);
  auto warn = [&](const QString& s) { lines << QStringLiteral("<span style='color:#e8590c'>⚠ %1</span>").arg(s); };
  if (st.truncatedRows) warn(tr("%1 rows are longer than %2 tokens and will be cut.").arg(st.truncatedRows).arg(st.maxLength));
  if (st.duplicateRows) warn(tr("%1 rows repeat an earlier row.").arg(st.duplicateRows));
  if (st.leakedRows) warn(tr("%1 validation rows also appear in training: validation scores will look better than they are.").arg(st.leakedRows));
  if (st.skippedRows || !sum.problems.empty()) {
    warn(tr("%1 rows skipped:").arg(sum.problems.size()));
    for (size_t i = 0; i < sum.problems.size() && i < 5; ++i)
      lines << QStringLiteral("&nbsp;&nbsp;") +
                   tr("line %1: %2").arg(sum.problems[i].line).arg(QString::fromStdString(sum.problems[i].message).toHtmlEscaped());
  }
  if (lines.size() == 1) lines << QStringLiteral("<span style='color:#2b8a3e'>✓ %1</span>").arg(tr("No duplicates, no leakage, nothing cut."));
  m_warnings->setText(lines.join(QStringLiteral("<br>")));
}

}  // namespace fm::ui
