#include "collections/collections_panel.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QValueAxis>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QDesktopServices>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QTextBrowser>
#include <QTextCursor>
#include <QTextDocument>
#include <QUrl>
#include <QImage>
#include <QPainter>
#include <QPixmap>
#include <QScrollArea>
#include <QScrollBar>
#include <QTabWidget>
#ifdef FM_HAVE_QTPDF
#include <QPdfDocument>
#include <QPdfSelection>
#endif
#include <QVBoxLayout>

#include <algorithm>
#include <map>
#include <set>

#include "arch/model_pool.h"
#include "bridge/core_text.h"
#include "collections/chunk_map_view.h"
#include "bridge/job.h"
#include "bridge/paths.h"
#include "rag/answer.h"
#include "rag/chunk_map.h"
#include "rag/demo_collection.h"
#include "rag/evaluate.h"
#include "rag/ingest.h"
#include "rag/retrieve.h"
#include "vision/collection_pictures.h"
#include "rag/store.h"
#include "rag/vector_index.h"
#include "shell/workbench.h"
#include "jobs/cancelled.h"
#include "util/error.h"
#include "util/paths.h"
#include "widgets/fixed_lines_area.h"
#include "widgets/steady_tabs.h"

namespace fm::ui {

namespace {

// Marks a row of the documents table that is a picture folder, not a document.
constexpr int kPictureFolderRole = Qt::UserRole + 1;

struct Opened {
  fm::rag::CollectionSettings settings;
  std::vector<fm::rag::DocumentRecord> docs;
  std::vector<char> missing;  // per document: its file is not where it was added from
  std::vector<std::pair<std::filesystem::path, size_t>> pictures;  // folder, pictures indexed
  std::filesystem::path clip;                                      // the pictures' image-text model
  std::string picturesProblem;
  std::shared_ptr<fm::rag::VectorIndex> index;
  fm::rag::IndexCheck check;
  int64_t chunks = 0;
  QString recall;  // the approximate index's recall@10 against exact search, when it is one
};

struct Synced {
  fm::rag::IngestReport documents;
  int64_t pictures = 0, picturesChanged = 0;
  QStringList problems;  // picture folders gone, pictures that could not be read

  void addPictures(const std::vector<fm::CollectionPictures::FolderReport>& reports) {
    for (const auto& f : reports) {
      pictures += static_cast<int64_t>(f.pictures);
      picturesChanged += f.sync.added + f.sync.updated + f.sync.removed;
      if (!f.problem.empty()) problems << fromPath(f.folder) + QStringLiteral(": ") + coreText(f.problem);
      for (const auto& bad : f.sync.failed)
        problems << QFileInfo(fromPath(bad.file)).fileName() + QStringLiteral(": ") + coreText(bad.reason);
    }
  }
};

// The collection's pictures closest to a question, with thumbnails made on the worker.
struct PictureHits {
  std::vector<fm::CollectionPictures::Hit> hits;
  std::vector<QImage> thumbs;
  QString problem;  // why the pictures could not be searched (the passages are found all the same)
};

PictureHits findPictures(fm::ModelPool& pool, const std::filesystem::path& collection, const std::string& query, size_t k) {
  PictureHits out;
  try {
    const fm::CollectionPictures pics(collection);
    if (pics.empty()) return out;
    auto clip = pool.acquire(pics.clipModel());
    out.hits = pics.search(*clip, query, k);
  } catch (const std::exception& e) {
    out.hits.clear();
    out.problem = coreText(fm::errorMessage(e));
    return out;
  }
  for (const auto& h : out.hits)
    out.thumbs.push_back(QImage(fromPath(h.file)).scaled(72, 72, Qt::KeepAspectRatio, Qt::SmoothTransformation));
  return out;
}

struct MapView {
  std::shared_ptr<const fm::rag::ChunkMap> map;
  bool hasQuery = false;
  QPointF query;
  QVector<ChunkMapView::Mark> hits;
};

struct ChunkView {
  std::string text;
  std::vector<fm::rag::StoredChunk> chunks;
  int limit = 0;
};

struct SourceView {
  std::string text;  // the document's text as the collection keeps it
  QImage page;       // a PDF's cited page with the passage marked (null when not a PDF or not found)
  int markTop = -1;  // where the mark starts on the image
};

#ifdef FM_HAVE_QTPDF
// The cited page of a PDF, rendered, with the passage's lines marked. The passage is found in
// the page's text by its opening and closing words (white space folded, since the PDF engine
// and the reader lay text out a little differently).
void renderPdfPage(const QString& file, int page, const std::string& passage, SourceView& out) {
  QPdfDocument doc;
  if (doc.load(file) != QPdfDocument::Error::None || page < 0 || page >= doc.pageCount()) return;
  const QString pageText = doc.getAllText(page).text();
  QString folded;
  std::vector<int> at;  // folded index -> page text index
  bool space = true;
  for (int i = 0; i < pageText.size(); ++i) {
    if (pageText[i].isSpace()) {
      if (!space) {
        folded += QLatin1Char(' ');
        at.push_back(i);
      }
      space = true;
      continue;
    }
    folded += pageText[i];
    at.push_back(i);
    space = false;
  }
  const QString want = QString::fromStdString(passage).simplified();
  int start = -1, end = -1;
  for (int n : {60, 30, 15}) {
    start = folded.indexOf(want.left(n));
    if (start >= 0) break;
  }
  if (start < 0) return;
  for (int n : {60, 30, 15}) {
    const int e = folded.indexOf(want.right(n), start);
    if (e >= 0) {
      end = e + std::min<int>(n, want.size());
      break;
    }
  }
  if (end < 0) end = std::min<int>(folded.size(), start + want.size());
  const int first = at[static_cast<size_t>(start)], last = at[static_cast<size_t>(std::max(start, end - 1))];
  const QPdfSelection sel = doc.getSelectionAtIndex(page, first, last - first + 1);
  const QSizeF points = doc.pagePointSize(page);
  if (points.isEmpty()) return;
  const int width = 900;
  const double scale = width / points.width();
  out.page = doc.render(page, QSize(width, static_cast<int>(points.height() * scale)));
  if (out.page.isNull()) return;
  out.page = out.page.convertToFormat(QImage::Format_ARGB32);
  QPainter painter(&out.page);
  painter.setPen(Qt::NoPen);
  painter.setBrush(QColor(255, 212, 59, 110));
  for (const QPolygonF& poly : sel.bounds()) {
    QPolygonF scaled;
    for (const QPointF& p : poly) scaled << p * scale;
    painter.drawPolygon(scaled);
    const int top = static_cast<int>(scaled.boundingRect().top());
    if (out.markTop < 0 || top < out.markTop) out.markTop = top;
  }
}
#endif

QString where(const fm::rag::SearchHit& h) {
  QString w = QFileInfo(QString::fromStdString(h.document)).fileName();
  if (h.chunk.where.page > 0) w += CollectionsPanel::tr(", page %1").arg(h.chunk.where.page);
  w += CollectionsPanel::tr(", lines %1-%2").arg(h.chunk.where.firstLine).arg(h.chunk.where.lastLine);
  return w;
}

QString stage(const fm::rag::StageScore& s, int decimals) {
  return s.present ? QStringLiteral("%1 (#%2)").arg(s.score, 0, 'f', decimals).arg(s.rank) : QStringLiteral("—");
}

QString statusText(fm::rag::DocStatus s) {
  switch (s) {
    case fm::rag::DocStatus::Ingested: return CollectionsPanel::tr("ingested");
    case fm::rag::DocStatus::Partial: return CollectionsPanel::tr("pages without text");
    case fm::rag::DocStatus::Skipped: return CollectionsPanel::tr("skipped");
    case fm::rag::DocStatus::Failed: return CollectionsPanel::tr("failed");
    case fm::rag::DocStatus::NeedsPassword: return CollectionsPanel::tr("needs a password");
  }
  return {};
}

// Bytes of UTF-8 -> UTF-16 positions (QTextCursor counts UTF-16 units).
int utf16At(const std::string& text, uint64_t byte) {
  return static_cast<int>(QString::fromUtf8(text.data(), static_cast<int>(std::min<uint64_t>(byte, text.size()))).size());
}

QString htmlText(const std::string& s) {
  return QString::fromStdString(s).toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>"));
}

}  // namespace

CollectionsPanel::CollectionsPanel(Workbench* wb, QWidget* parent) : QWidget(parent), m_wb(wb) {
  setAcceptDrops(true);
  auto* split = new QSplitter(Qt::Horizontal, this);

  // Left: the collections and what to do with them.
  auto* left = new QWidget(split);
  auto* lv = new QVBoxLayout(left);
  lv->setContentsMargins(0, 0, 0, 0);
  lv->addWidget(new QLabel(tr("Collections"), left));
  m_list = new QListWidget(left);
  m_list->setToolTip(tr("Each collection is a folder with its documents' text, chunks and vectors"));
  lv->addWidget(m_list, 1);
  m_new = new QPushButton(tr("New collection…"), left);
  m_demo = new QPushButton(tr("Demo collection"), left);
  m_demo->setToolTip(tr("A generated handbook in English and Korean, with an embedder and a reader model trained "
                        "here from scratch: about 70 minutes on two cores, no download"));
  m_addFiles = new QPushButton(tr("Add files…"), left);
  m_addFolder = new QPushButton(tr("Add a folder…"), left);
  m_addPictures = new QPushButton(tr("Add pictures…"), left);
  m_addPictures->setToolTip(tr("A folder of pictures, found by the same questions through an image-text model (CLIP)"));
  m_sync = new QPushButton(tr("Sync"), left);
  m_sync->setToolTip(tr("Read changed files again and drop deleted ones"));
  m_remove = new QPushButton(tr("Remove document"), left);
  m_changeEmbedder = new QPushButton(tr("Change embedder…"), left);
  m_changeEmbedder->setToolTip(tr("Embed every document again with another embedder model"));
  for (QPushButton* b : {m_new, m_demo, m_addFiles, m_addFolder, m_addPictures, m_sync, m_remove, m_changeEmbedder})
    lv->addWidget(b);
  m_status = new QLabel(left);
  m_status->setWordWrap(true);
  m_status->setObjectName(QStringLiteral("findings"));
  m_status->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
  lv->addWidget(new FixedLinesArea(m_status, 5, left));
  left->setMinimumWidth(190);

  // Right: documents above, the tabs below.
  auto* right = new QSplitter(Qt::Vertical, split);
  auto* top = new QWidget(right);
  auto* tv = new QVBoxLayout(top);
  tv->setContentsMargins(0, 0, 0, 0);
  m_title = new QLabel(tr("Create a collection, then drop documents here: PDF, Word, HTML, Markdown, text, CSV."), top);
  m_title->setWordWrap(true);
  tv->addWidget(m_title);
  m_docs = new QTableWidget(0, 5, top);
  m_docs->setHorizontalHeaderLabels({tr("Document"), tr("Status"), tr("Pages"), tr("Chunks"), tr("Notes")});
  m_docs->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Interactive);
  m_docs->horizontalHeader()->setSectionResizeMode(4, QHeaderView::Stretch);
  m_docs->setColumnWidth(0, 220);
  m_docs->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_docs->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_docs->verticalHeader()->hide();
  m_docs->setToolTip(tr("Double-click a document to see its chunks"));
  tv->addWidget(m_docs, 1);

  m_tabs = new SteadyTabs(right);
  // Search.
  auto* searchPage = new QWidget(m_tabs);
  auto* sv = new QVBoxLayout(searchPage);
  auto* srow = new QHBoxLayout;
  m_query = new QLineEdit(searchPage);
  m_query->setPlaceholderText(tr("Words or a question"));
  m_mode = new QComboBox(searchPage);
  m_mode->addItem(tr("hybrid"), QStringLiteral("hybrid"));
  m_mode->addItem(tr("dense"), QStringLiteral("dense"));
  m_mode->addItem(tr("keyword"), QStringLiteral("keyword"));
  m_mode->setToolTip(tr("Dense: by meaning (vectors). Keyword: by words (BM25). Hybrid: both, fused by rank."));
  m_rerank = new QCheckBox(tr("Rerank"), searchPage);
  m_rerank->setToolTip(tr("Score the best candidates again with the collection's reranker (slower)"));
  m_k = new QSpinBox(searchPage);
  m_k->setRange(1, 50);
  m_k->setValue(5);
  m_k->setToolTip(tr("How many results"));
  m_searchButton = new QPushButton(tr("Search"), searchPage);
  srow->addWidget(m_query, 1);
  srow->addWidget(m_mode);
  srow->addWidget(m_rerank);
  srow->addWidget(m_k);
  srow->addWidget(m_searchButton);
  sv->addLayout(srow);
  m_results = new QTableWidget(0, 6, searchPage);
  m_results->setHorizontalHeaderLabels({tr("Where"), tr("Dense"), tr("Keyword"), tr("Fused"), tr("Rerank"), tr("Section")});
  m_results->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  m_results->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
  m_results->horizontalHeader()->setSectionResizeMode(5, QHeaderView::Interactive);
  m_results->verticalHeader()->hide();
  m_results->setWordWrap(false);
  m_results->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_results->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_results->setToolTip(tr("Each stage's score and rank: why a chunk came up. Double-click to open it in place."));
  m_hitText = new QTextBrowser(searchPage);
  // The passage under the results: the table keeps the width for where each hit is.
  auto* resultsSplit = new QSplitter(Qt::Vertical, searchPage);
  resultsSplit->addWidget(m_results);
  // Pictures of the collection's picture folders, searched with the same words through CLIP.
  m_pictureHits = new QListWidget(searchPage);
  m_pictureHits->setObjectName(QStringLiteral("collectionPictureHits"));
  m_pictureHits->setViewMode(QListView::IconMode);
  m_pictureHits->setIconSize(QSize(72, 72));
  m_pictureHits->setResizeMode(QListView::Adjust);
  m_pictureHits->setMovement(QListView::Static);
  m_pictureHits->setFlow(QListView::LeftToRight);
  m_pictureHits->setWrapping(false);
  m_pictureHits->setFixedHeight(72 + 2 * fontMetrics().height() + 18);
  m_pictureHits->setToolTip(tr("The collection's pictures closest to the same words (CLIP); double-click to open one"));
  m_pictureHits->hide();
  connect(m_pictureHits, &QListWidget::itemDoubleClicked, this, [](QListWidgetItem* item) {
    QDesktopServices::openUrl(QUrl::fromLocalFile(item->data(Qt::UserRole).toString()));
  });
  sv->addWidget(m_pictureHits);
  resultsSplit->addWidget(m_hitText);
  resultsSplit->setStretchFactor(0, 3);
  resultsSplit->setStretchFactor(1, 2);
  sv->addWidget(resultsSplit, 1);
  m_tabs->addTab(searchPage, tr("Search"));
  // Ask.
  auto* askPage = new QWidget(m_tabs);
  auto* av = new QVBoxLayout(askPage);
  auto* arow = new QHBoxLayout;
  m_question = new QLineEdit(askPage);
  m_question->setPlaceholderText(tr("A question about the documents"));
  m_askButton = new QPushButton(tr("Ask"), askPage);
  m_askButton->setToolTip(tr("Answer with the language model in use, from the best passages, citing them as [n]"));
  arow->addWidget(m_question, 1);
  arow->addWidget(m_askButton);
  av->addLayout(arow);
  m_answer = new QTextBrowser(askPage);
  m_answer->setOpenLinks(false);
  av->addWidget(m_answer, 1);
  m_tabs->addTab(askPage, tr("Ask"));
  // Chunks.
  m_chunks = new QTextBrowser(m_tabs);
  m_chunks->setPlaceholderText(tr("Double-click a document to see how it was cut into chunks."));
  m_tabs->addTab(m_chunks, tr("Chunks"));
  // Map.
  auto* mapPage = new QWidget(m_tabs);
  auto* mv = new QVBoxLayout(mapPage);
  m_mapView = new ChunkMapView(mapPage);
  m_mapView->setToolTip(tr("Each dot is a chunk, placed by its vector: near dots usually mean similar text. "
                           "Search to see where a question lands."));
  m_mapNote = new QLabel(mapPage);
  m_mapNote->setObjectName(QStringLiteral("findings"));
  m_mapNote->setWordWrap(true);
  m_mapNote->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  m_mapNote->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_mapNote->setText(tr("Two directions cannot hold a whole vector: dots far apart here are far apart, but some "
                        "dots that look close are not. Ranks come from the full vectors. Click a dot to read it."));
  mv->addWidget(m_mapView, 1);
  mv->addWidget(new FixedLinesArea(m_mapNote, 2, mapPage));
  m_tabs->addTab(mapPage, tr("Map"));
  // Test bench.
  auto* benchPage = new QWidget(m_tabs);
  auto* bv = new QVBoxLayout(benchPage);
  auto* brow = new QHBoxLayout;
  m_questions = new QLineEdit(benchPage);
  m_questions->setPlaceholderText(tr("A question set: CSV or JSONL with question, document, page, phrase"));
  auto* browse = new QPushButton(tr("Browse…"), benchPage);
  m_benchButton = new QPushButton(tr("Run"), benchPage);
  brow->addWidget(m_questions, 1);
  brow->addWidget(browse);
  brow->addWidget(m_benchButton);
  bv->addLayout(brow);
  m_bench = new QTableWidget(0, 4, benchPage);
  m_bench->setHorizontalHeaderLabels({tr("Setting"), tr("Recall@k"), tr("MRR"), tr("Time per question")});
  m_bench->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  m_bench->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_bench->verticalHeader()->hide();
  // Recall and MRR per setting as bars, beside the table: which settings serve these documents.
  m_benchChart = new QChartView(new QChart(), benchPage);
  m_benchChart->setRenderHint(QPainter::Antialiasing);
  m_benchChart->chart()->legend()->setAlignment(Qt::AlignBottom);
  m_benchChart->setMinimumHeight(120);
  auto* benchSplit = new QSplitter(Qt::Horizontal, benchPage);
  benchSplit->addWidget(m_bench);
  benchSplit->addWidget(m_benchChart);
  bv->addWidget(benchSplit, 1);
  m_tabs->addTab(benchPage, tr("Test bench"));
  right->addWidget(top);
  right->addWidget(m_tabs);
  right->setStretchFactor(0, 2);
  right->setStretchFactor(1, 3);
  split->addWidget(left);
  split->addWidget(right);
  split->setStretchFactor(0, 1);
  split->setStretchFactor(1, 4);
  auto* outer = new QVBoxLayout(this);
  outer->addWidget(split);

  connect(m_list, &QListWidget::currentRowChanged, this, [this](int row) {
    if (row >= 0) selectCollection(m_list->item(row)->data(Qt::UserRole).toString());
  });
  connect(m_new, &QPushButton::clicked, this, &CollectionsPanel::newCollectionDialog);
  connect(m_demo, &QPushButton::clicked, this, [this] { prepareDemoCollection(); });
  connect(m_addFiles, &QPushButton::clicked, this, [this] { chooseAndAdd(false); });
  connect(m_addFolder, &QPushButton::clicked, this, [this] { chooseAndAdd(true); });
  connect(m_addPictures, &QPushButton::clicked, this, &CollectionsPanel::choosePictures);
  connect(m_sync, &QPushButton::clicked, this, [this] { sync(); });
  connect(m_remove, &QPushButton::clicked, this, &CollectionsPanel::removeSelected);
  connect(m_changeEmbedder, &QPushButton::clicked, this, [this] {
    const QString f = QFileDialog::getExistingDirectory(this, tr("The new embedder's model folder"), m_embedderFolder);
    if (!f.isEmpty()) changeEmbedder(f);
  });
  connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
    if (m_tabs->currentWidget() == m_mapView->parentWidget() && (!m_map || m_marksStale)) refreshMap();
  });
  connect(m_mapView, &ChunkMapView::chunkClicked, this, [this](qint64 chunk, qint64 document) {
    if (!m_map) return;
    for (const auto& p : m_map->points)
      if (p.chunk == chunk)
        m_mapNote->setText(QStringLiteral("<b>%1</b> — %2")
                               .arg(m_docNames.value(document).toHtmlEscaped(),
                                    QString::fromStdString(p.preview).toHtmlEscaped()));
  });
  connect(m_docs, &QTableWidget::cellDoubleClicked, this, [this](int row, int) {
    QTableWidgetItem* it = m_docs->item(row, 0);
    if (!it) return;
    if (it->data(kPictureFolderRole).toBool())
      QDesktopServices::openUrl(QUrl::fromLocalFile(it->data(Qt::UserRole).toString()));
    else
      showChunks(it->data(Qt::UserRole).toString());
  });
  connect(m_searchButton, &QPushButton::clicked, this, [this] { search(m_query->text()); });
  connect(m_query, &QLineEdit::returnPressed, this, [this] { search(m_query->text()); });
  connect(m_results, &QTableWidget::currentCellChanged, this, [this](int row) {
    if (row >= 0 && row < static_cast<int>(m_hits.size())) showHit(*m_hits[static_cast<size_t>(row)]);
  });
  connect(m_results, &QTableWidget::cellDoubleClicked, this, [this](int row) { openResult(row); });
  connect(m_askButton, &QPushButton::clicked, this, [this] { ask(m_question->text()); });
  connect(m_question, &QLineEdit::returnPressed, this, [this] { ask(m_question->text()); });
  connect(m_answer, &QTextBrowser::anchorClicked, this, [this](const QUrl& url) {
    if (url.scheme() == QStringLiteral("source")) showSource(url.path().toInt() - 1);
    else if (url.isLocalFile()) QDesktopServices::openUrl(url);
  });
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString f = QFileDialog::getOpenFileName(this, tr("Question set"), QString(),
                                                   tr("Question sets (*.csv *.jsonl *.json *.tsv)"));
    if (!f.isEmpty()) m_questions->setText(f);
  });
  connect(m_benchButton, &QPushButton::clicked, this, [this] { runTestBench(m_questions->text()); });
  refreshList();
  updateButtons();
}

CollectionsPanel::~CollectionsPanel() = default;

bool CollectionsPanel::canShowPdfPages() {
#ifdef FM_HAVE_QTPDF
  return true;
#else
  return false;
#endif
}

void CollectionsPanel::openResult(int row) {
  if (row < 0 || row >= static_cast<int>(m_hits.size())) return;
  m_sources = m_hits;
  showSource(row);
}

QString CollectionsPanel::collectionsDir() const { return QDir(m_wb->workspace()).filePath(QStringLiteral("collections")); }

void CollectionsPanel::say(const QString& text, bool error) {
  m_status->setText(error ? QStringLiteral("<span style='color:#c92a2a'>%1</span>").arg(coreText(text).toHtmlEscaped())
                          : text.toHtmlEscaped());
}

void CollectionsPanel::updateButtons() {
  const bool open = !m_current.isEmpty();
  const bool busy = m_ingest && m_ingest->isActive();
  for (QWidget* w : std::initializer_list<QWidget*>{m_addFiles, m_addFolder, m_addPictures, m_sync, m_remove, m_searchButton,
                                                    m_askButton, m_benchButton})
    w->setEnabled(open);
  m_sync->setEnabled(open && !busy);
  m_remove->setEnabled(open && !busy);
  m_changeEmbedder->setEnabled(open && !busy);
  m_rerank->setEnabled(open && !m_rerankerFolder.isEmpty());
  if (m_rerankerFolder.isEmpty()) m_rerank->setChecked(false);
}

void CollectionsPanel::refreshList() {
  const QString keep = m_current;
  QSignalBlocker block(m_list);
  m_list->clear();
  const QDir dir(collectionsDir());
  for (const QFileInfo& fi : dir.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
    if (!QFileInfo::exists(QDir(fi.absoluteFilePath()).filePath(QString::fromLatin1(fm::rag::CollectionStore::kDatabaseName))))
      continue;
    auto* item = new QListWidgetItem(fi.fileName(), m_list);
    item->setData(Qt::UserRole, fi.absoluteFilePath());
    if (fi.absoluteFilePath() == keep) m_list->setCurrentItem(item);
  }
  if (m_list->count() == 0)
    say(tr("No collection yet. Press \"New collection…\" and choose an embedding model, or \"Demo collection\" to "
           "make one from a generated handbook."));
  Q_EMIT collectionsChanged();
}

void CollectionsPanel::selectCollection(const QString& dir) {
  const QString abs = QFileInfo(dir).absoluteFilePath();
  for (int i = 0; i < m_list->count(); ++i)
    if (m_list->item(i)->data(Qt::UserRole).toString() == abs && m_list->currentRow() != i) {
      QSignalBlocker block(m_list);
      m_list->setCurrentRow(i);
    }
  m_current = abs;
  m_index.reset();
  m_map.reset();
  m_queryVector.clear();
  m_mapView->clear();
  m_docs->setRowCount(0);
  m_results->setRowCount(0);
  m_hits.clear();
  m_sources.clear();
  m_title->setText(QFileInfo(abs).fileName());
  m_syncOnOpen = true;
  openCollection();
}

// Reads the collection's documents and loads (or repairs) its vector index.
void CollectionsPanel::openCollection() {
  if (m_current.isEmpty()) return;
  const std::filesystem::path dir = toPath(m_current);
  if (m_open) m_open->supersede();
  Job* job = m_wb->jobs()->start(tr("Open collection %1").arg(QFileInfo(m_current).fileName()), JobRunner::Light,
                                 [dir](Job& job) {
                                   Opened o;
                                   auto store = fm::rag::CollectionStore::open(dir);
                                   o.settings = store->settings();
                                   o.docs = store->documents();
                                   for (const auto& d : o.docs) {
                                     std::error_code ec;
                                     o.missing.push_back(!std::filesystem::exists(fm::pathOf(d.path), ec) && !ec);
                                   }
                                   o.chunks = store->chunkCount();
                                   o.index = fm::rag::VectorIndex::open(*store, &o.check, job.context());
                                   o.recall = QString::fromStdString(store->meta("hnsw_recall_at_10"));
                                   try {
                                     const fm::CollectionPictures pics(dir);
                                     o.clip = pics.clipModel();
                                     o.pictures = pics.counts();
                                   } catch (const std::exception& e) {
                                     o.picturesProblem = e.what();
                                   }
                                   return o;
                                 });
  job->setRoutine(true);
  m_open = job;
  const QString current = m_current;
  connect(job, &Job::finished, this, [this, job, current](Job::State s, const QString& message) {
    if (current != m_current) return;
    if (s == Job::State::Failed) {
      say(message, true);
      return;
    }
    const Opened* o = job->result<Opened>();
    if (!o) return;
    m_index = o->index;
    m_embedderFolder = QString::fromStdString(o->settings.embedder.folder);
    m_rerankerFolder = QString::fromStdString(o->settings.reranker);
    m_docs->setRowCount(static_cast<int>(o->docs.size() + o->pictures.size()));
    m_docNames.clear();
    for (const auto& d : o->docs)
      m_docNames.insert(d.id, QFileInfo(QString::fromStdString(d.path)).fileName());
    // Documents may have changed: the map is drawn again when it is looked at.
    m_map.reset();
    m_mapView->clear();
    if (m_tabs->currentWidget() == m_mapView->parentWidget()) refreshMap();
    if (!QFileInfo(m_embedderFolder).isDir())
      say(tr("This collection's embedder is not at %1 any more. Use \"Change embedder…\" to embed the documents "
             "again with another one; keyword search works meanwhile.")
              .arg(m_embedderFolder),
          true);
    int pages = 0;
    for (size_t i = 0; i < o->docs.size(); ++i) {
      const auto& d = o->docs[i];
      const int row = static_cast<int>(i);
      auto* name = new QTableWidgetItem(QFileInfo(QString::fromStdString(d.path)).fileName());
      name->setData(Qt::UserRole, QString::fromStdString(d.path));
      name->setToolTip(QString::fromStdString(d.path));
      m_docs->setItem(row, 0, name);
      const bool missing = i < o->missing.size() && o->missing[i];
      auto* st = new QTableWidgetItem(missing ? tr("file not found") : statusText(d.status));
      if (missing) st->setToolTip(tr("Not at %1 any more. Its chunks stay searchable; add the file from its new place "
                                     "to follow it, or remove the document.")
                                      .arg(QString::fromStdString(d.path)));
      if (missing || d.status != fm::rag::DocStatus::Ingested) st->setForeground(QColor(0xe8, 0x59, 0x0c));
      m_docs->setItem(row, 1, st);
      m_docs->setItem(row, 2, new QTableWidgetItem(d.pages ? QString::number(d.pages) : QStringLiteral("—")));
      m_docs->setItem(row, 3, new QTableWidgetItem(QString::number(d.chunks)));
      QString notes = coreText(d.reason);
      if (!d.ocrPages.empty()) notes = tr("%n page(s) read by OCR", "", static_cast<int>(d.ocrPages.size())) +
                                       (notes.isEmpty() ? QString() : QStringLiteral("; ") + notes);
      auto* n = new QTableWidgetItem(notes);
      n->setToolTip(notes);
      m_docs->setItem(row, 4, n);
      pages += d.pages;
    }
    for (size_t i = 0; i < o->pictures.size(); ++i) {
      const int row = static_cast<int>(o->docs.size() + i);
      const QString folder = fromPath(o->pictures[i].first);
      auto* name = new QTableWidgetItem(QDir(folder).dirName() + QLatin1Char('/'));
      name->setData(Qt::UserRole, folder);
      name->setData(kPictureFolderRole, true);
      name->setToolTip(folder);
      m_docs->setItem(row, 0, name);
      m_docs->setItem(row, 1, new QTableWidgetItem(tr("%n picture(s)", "", static_cast<int>(o->pictures[i].second))));
      m_docs->setItem(row, 2, new QTableWidgetItem(QStringLiteral("—")));
      m_docs->setItem(row, 3, new QTableWidgetItem(QStringLiteral("—")));
      const QString notes = tr("searched by image-text model %1").arg(QDir(fromPath(o->clip)).dirName());
      auto* n = new QTableWidgetItem(notes);
      n->setToolTip(fromPath(o->clip));
      m_docs->setItem(row, 4, n);
    }
    if (!o->picturesProblem.empty())
      say(tr("The collection's pictures could not be read: %1").arg(coreText(o->picturesProblem)), true);
    QString title = tr("%1 — %2 documents, %3 chunks · embedder %4 (%5 numbers a vector)")
                        .arg(QFileInfo(m_current).fileName())
                        .arg(o->docs.size())
                        .arg(o->chunks)
                        .arg(QString::fromStdString(o->settings.embedder.name))
                        .arg(o->settings.embedder.dimension);
    if (o->settings.indexKind == "hnsw")
      title += tr(" · approximate index, recall@10 %1 against exact search")
                   .arg(o->recall.isEmpty() ? QStringLiteral("?") : QString::number(o->recall.toDouble(), 'f', 3));
    m_title->setText(title);
    if (o->check.rebuilt && !o->check.reason.empty())
      say(tr("The vector index was rebuilt from the stored vectors: %1").arg(coreText(o->check.reason)));
    else if (o->docs.empty())
      say(tr("Drop files or folders here, or use \"Add files…\"."));
    updateButtons();
    Q_EMIT documentsShown(static_cast<int>(o->docs.size()));
    // A collection chosen in the list is brought up to date with its files.
    if (m_syncOnOpen && !o->docs.empty() && !(m_ingest && m_ingest->isActive())) {
      m_syncOnOpen = false;
      sync();
    }
    m_syncOnOpen = false;
  });
}

void CollectionsPanel::newCollectionDialog() {
  QDialog d(this);
  d.setWindowTitle(tr("New collection"));
  auto* form = new QFormLayout(&d);
  auto* name = new QLineEdit(&d);
  name->setPlaceholderText(tr("for example: handbook"));
  auto* embedder = new QLineEdit(&d);
  auto* reranker = new QLineEdit(&d);
  reranker->setPlaceholderText(tr("optional"));
  auto browseRow = [&](QLineEdit* edit) {
    auto* row = new QHBoxLayout;
    auto* b = new QPushButton(tr("Browse…"), &d);
    row->addWidget(edit, 1);
    row->addWidget(b);
    connect(b, &QPushButton::clicked, &d, [&d, edit] {
      const QString dir = QFileDialog::getExistingDirectory(&d, tr("Model folder"));
      if (!dir.isEmpty()) edit->setText(dir);
    });
    return row;
  };
  // The embedder opened last in Models, when it is one.
  if (auto m = m_wb->openedModel(); m && m->kind() == fm::ModelKind::TextEncoder) embedder->setText(m_wb->openedDir());
  auto* chunk = new QSpinBox(&d);
  chunk->setRange(32, 2048);
  chunk->setValue(256);
  chunk->setSuffix(tr(" tokens"));
  auto* overlap = new QSpinBox(&d);
  overlap->setRange(0, 512);
  overlap->setValue(32);
  overlap->setSuffix(tr(" tokens"));
  auto* mask = new QCheckBox(tr("Mask e-mail addresses, phone and card numbers in the indexed text"), &d);
  auto* kind = new QComboBox(&d);
  kind->addItem(tr("exact (best for up to about 100,000 chunks)"), QStringLiteral("flat"));
  kind->addItem(tr("approximate, HNSW (faster for large collections)"), QStringLiteral("hnsw"));
  form->addRow(tr("Name"), name);
  form->addRow(tr("Embedding model"), browseRow(embedder));
  form->addRow(tr("Reranker"), browseRow(reranker));
  form->addRow(tr("Chunk size"), chunk);
  form->addRow(tr("Overlap"), overlap);
  form->addRow(tr("Vector index"), kind);
  form->addRow(QString(), mask);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &d);
  form->addRow(buttons);
  connect(buttons, &QDialogButtonBox::accepted, &d, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, &d, &QDialog::reject);
  if (d.exec() != QDialog::Accepted) return;
  createCollection(name->text(), embedder->text(), reranker->text(), chunk->value(), overlap->value(), mask->isChecked(),
                   kind->currentData().toString());
}

Job* CollectionsPanel::createCollection(const QString& nameIn, const QString& embedder, const QString& reranker,
                                        int chunkTokens, int overlapTokens, bool maskPii, const QString& indexKind) {
  const QString name = nameIn.trimmed();
  if (name.isEmpty() || name.contains(QLatin1Char('/')) || name.contains(QLatin1Char('\\')) || name.startsWith('.')) {
    say(tr("Give the collection a name (letters, digits, spaces; no slashes)."), true);
    return nullptr;
  }
  if (embedder.trimmed().isEmpty()) {
    say(tr("Choose an embedding model folder (a sentence encoder such as MiniLM or E5)."), true);
    return nullptr;
  }
  const QString dir = QDir(collectionsDir()).filePath(name);
  if (QFileInfo::exists(QDir(dir).filePath(QString::fromLatin1(fm::rag::CollectionStore::kDatabaseName)))) {
    say(tr("A collection named %1 exists already.").arg(name), true);
    return nullptr;
  }
  auto* pool = &m_wb->pool();
  const auto embPath = toPath(QFileInfo(embedder.trimmed()).absoluteFilePath());
  const auto rrPath = reranker.trimmed().isEmpty() ? std::filesystem::path() : toPath(QFileInfo(reranker.trimmed()).absoluteFilePath());
  const auto target = toPath(dir);
  const std::string kindName = indexKind.toStdString();
  Job* job = m_wb->jobs()->start(tr("Create collection %1").arg(name), JobRunner::Light, [=](Job& job) {
    fm::LoadOptions lo;
    lo.job = job.context().part(0, 0.8, "loading the embedder");
    auto model = pool->acquire(embPath, lo);
    fm::rag::CollectionSettings s;
    s.embedder = fm::rag::stampOf(*model, embPath);
    if (!rrPath.empty()) {
      auto rr = pool->acquire(rrPath);
      if (rr->kind() != fm::ModelKind::SequenceClassifier)
        throw fm::ConfigError(fm::utf8(rrPath) + " is not a reranker (a cross-encoder that scores a query and a passage)");
      s.reranker = fm::utf8(rrPath);
    }
    s.chunkTokens = chunkTokens;
    s.overlapTokens = overlapTokens;
    s.maskPii = maskPii;
    s.indexKind = kindName;
    auto store = fm::rag::CollectionStore::create(target, s);
    fm::rag::VectorIndex::rebuild(*store);
    return true;
  });
  connect(job, &Job::finished, this, [this, job, dir](Job::State s, const QString& message) {
    if (s == Job::State::Failed) {
      say(message, true);
      return;
    }
    if (!job->result<bool>()) return;
    refreshList();
    selectCollection(dir);
    say(tr("Collection ready. Drop files or folders here to add them."));
  });
  say(tr("Creating the collection…"));
  return job;
}

void CollectionsPanel::chooseAndAdd(bool folders) {
  if (folders) {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Add a folder"));
    if (!dir.isEmpty()) addPaths({dir});
  } else {
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Add files"), QString(), tr("Documents (*.pdf *.docx *.html *.htm *.md *.markdown *.txt *.csv *.tsv);;All files (*)"));
    if (!files.isEmpty()) addPaths(files);
  }
}

void CollectionsPanel::choosePictures() {
  if (m_current.isEmpty()) return;
  QString clip;
  try {
    clip = fromPath(fm::CollectionPictures(toPath(m_current)).clipModel());
  } catch (const std::exception& e) {
    say(QString::fromStdString(e.what()), true);
    return;
  }
  if (clip.isEmpty()) {
    // The first picture folder chooses the image-text model: the one open in Models when it
    // is one, else the workspace's demo CLIP, else the user's choice.
    if (auto m = m_wb->openedModel(); m && m->kind() == fm::ModelKind::VisionText) clip = m_wb->openedDir();
    const QString demo = QDir(m_wb->workspace()).filePath(QStringLiteral("models/demo-clip"));
    if (clip.isEmpty() && QFileInfo(demo).isDir()) clip = demo;
    clip = QFileDialog::getExistingDirectory(this, tr("The image-text model (CLIP) that makes the pictures searchable"), clip);
    if (clip.isEmpty()) return;
  }
  const QString folder = QFileDialog::getExistingDirectory(this, tr("Add a folder of pictures"));
  if (!folder.isEmpty()) addPictures(folder, clip);
}

Job* CollectionsPanel::addPictures(const QString& folder, const QString& clipModel) {
  if (m_current.isEmpty()) {
    say(tr("Choose or create a collection first."), true);
    return nullptr;
  }
  const auto dir = toPath(m_current);
  auto* pool = &m_wb->pool();
  const auto pictures = toPath(folder);
  const auto clip = toPath(clipModel);
  Job* job = m_wb->jobs()->start(tr("Add pictures to %1").arg(QFileInfo(m_current).fileName()), JobRunner::Heavy,
                                 [dir, pool, pictures, clip](Job& job) {
                                   fm::CollectionPictures pics(dir);
                                   pics.addFolders({pictures}, clip);
                                   auto model = pool->acquire(pics.clipModel());
                                   Synced r;
                                   r.addPictures(pics.sync(*model, job.context()));
                                   return r;
                                 });
  m_ingest = job;
  updateButtons();
  connect(job, &Job::finished, this, [this, job](Job::State s, const QString& message) {
    updateButtons();
    if (s == Job::State::Failed) say(message, true);
    if (const auto* r = job->result<Synced>()) {
      QString text = tr("%1 pictures searchable; %2 embedded now.").arg(r->pictures).arg(r->picturesChanged);
      for (const QString& p : r->problems) text += QLatin1Char('\n') + p;
      say(text);
    } else if (s == Job::State::Cancelled) {
      say(tr("Stopped. The pictures embedded so far are kept; Sync continues."));
    }
    openCollection();
  });
  say(tr("Embedding the pictures…"));
  return job;
}

Job* CollectionsPanel::addPaths(const QStringList& paths) {
  if (m_current.isEmpty()) {
    say(tr("Choose or create a collection first."), true);
    return nullptr;
  }
  if (paths.isEmpty()) return nullptr;
  std::vector<std::filesystem::path> ps;
  for (const QString& p : paths) ps.push_back(toPath(p));
  const auto dir = toPath(m_current);
  auto* pool = &m_wb->pool();
  Job* job = m_wb->jobs()->start(tr("Add to %1").arg(QFileInfo(m_current).fileName()), JobRunner::Heavy,
                                 [dir, ps, pool](Job& job) {
                                   auto store = fm::rag::CollectionStore::open(dir);
                                   const std::string folder = store->settings().embedder.folder;
                                   if (!std::filesystem::is_directory(fm::pathOf(folder)))
                                     throw fm::ConfigError("the collection's embedder " + folder + " is not there any more");
                                   fm::LoadOptions lo;
                                   lo.job = job.context().part(0, 0.05, "loading the embedder");
                                   auto model = pool->acquire(fm::pathOf(folder), lo);
                                   auto index = fm::rag::VectorIndex::open(*store);
                                   fm::rag::IngestOptions o;
                                   o.job = job.context().part(0.05, 1, "adding");
                                   return fm::rag::addToCollection(*store, *index, *model, ps, o);
                                 });
  m_ingest = job;
  updateButtons();
  connect(job, &Job::finished, this, [this, job](Job::State s, const QString& message) {
    updateButtons();
    if (s == Job::State::Failed) say(message, true);
    if (const auto* r = job->result<fm::rag::IngestReport>()) {
      QString text = tr("Added %1, updated %2, unchanged %3, moved %4; %5 chunks in %6.")
                         .arg(r->added)
                         .arg(r->updated)
                         .arg(r->unchanged)
                         .arg(r->moved)
                         .arg(r->chunks)
                         .arg(Job::formatDuration(r->seconds));
      for (const auto& p : r->problems)
        text += QStringLiteral("\n%1 — %2: %3")
                    .arg(QFileInfo(QString::fromStdString(p.path)).fileName(), coreText(p.status), coreText(p.reason));
      say(text);
    } else if (s == Job::State::Cancelled) {
      say(tr("Stopped. What was added stays; adding the same files again continues where it stopped."));
    }
    openCollection();
  });
  say(tr("Adding… (documents are committed one by one: stopping keeps what is done)"));
  return job;
}

Job* CollectionsPanel::sync() {
  if (m_current.isEmpty()) return nullptr;
  const auto dir = toPath(m_current);
  auto* pool = &m_wb->pool();
  Job* job = m_wb->jobs()->start(tr("Sync %1").arg(QFileInfo(m_current).fileName()), JobRunner::Heavy, [dir, pool](Job& job) {
    Synced r;
    fm::CollectionPictures pics(dir);
    const double split = pics.empty() ? 1.0 : 0.8;
    auto store = fm::rag::CollectionStore::open(dir);
    auto model = pool->acquire(fm::pathOf(store->settings().embedder.folder));
    auto index = fm::rag::VectorIndex::open(*store);
    fm::rag::IngestOptions o;
    o.job = job.context().part(0, split, "documents");
    r.documents = fm::rag::syncCollection(*store, *index, *model, o);
    if (!pics.empty()) {
      auto clip = pool->acquire(pics.clipModel());
      r.addPictures(pics.sync(*clip, job.context().part(split, 1, "pictures")));
    }
    return r;
  });
  m_ingest = job;
  updateButtons();
  connect(job, &Job::finished, this, [this, job](Job::State s, const QString& message) {
    updateButtons();
    if (s == Job::State::Failed) say(message, true);
    if (const auto* r = job->result<Synced>()) {
      QString text = tr("In sync: %1 read again, %2 removed, %3 unchanged.")
                         .arg(r->documents.updated)
                         .arg(r->documents.removed)
                         .arg(r->documents.unchanged);
      if (r->pictures > 0 || r->picturesChanged > 0)
        text += QLatin1Char(' ') + tr("Pictures: %1, %2 embedded again or removed.").arg(r->pictures).arg(r->picturesChanged);
      // Documents with the same finding share one line (a missing folder holds many).
      QList<QPair<QString, QStringList>> findings;
      for (const auto& p : r->documents.problems) {
        const QString finding = coreText(p.status) + QStringLiteral(": ") + coreText(p.reason);
        const QString name = QFileInfo(QString::fromStdString(p.path)).fileName();
        auto it = std::find_if(findings.begin(), findings.end(), [&](const auto& f) { return f.first == finding; });
        if (it == findings.end()) findings.append({finding, {name}});
        else it->second << name;
      }
      for (const auto& [finding, names] : findings)
        text += QStringLiteral("\n%1 — %2").arg(finding, names.join(QStringLiteral(", ")));
      for (const QString& p : r->problems) text += QLatin1Char('\n') + p;
      say(text);
    }
    openCollection();
  });
  return job;
}

void CollectionsPanel::removeSelected() {
  const int row = m_docs->currentRow();
  if (row < 0 || m_current.isEmpty()) {
    say(tr("Select a document to remove."), true);
    return;
  }
  const QString path = m_docs->item(row, 0)->data(Qt::UserRole).toString();
  if (m_docs->item(row, 0)->data(kPictureFolderRole).toBool()) {
    if (QMessageBox::question(this, tr("Remove pictures"),
                              tr("Stop searching the pictures in %1? The pictures themselves stay.").arg(path)) !=
        QMessageBox::Yes)
      return;
    const auto dir = toPath(m_current);
    Job* job = m_wb->jobs()->start(tr("Remove a picture folder"), JobRunner::Light, [dir, path](Job&) {
      fm::CollectionPictures pics(dir);
      return pics.removeFolder(toPath(path));
    });
    connect(job, &Job::finished, this, [this](Job::State s, const QString& message) {
      if (s == Job::State::Failed) say(message, true);
      openCollection();
    });
    return;
  }
  if (QMessageBox::question(this, tr("Remove document"),
                            tr("Remove %1 from the collection? The file itself stays.").arg(QFileInfo(path).fileName())) !=
      QMessageBox::Yes)
    return;
  const auto dir = toPath(m_current);
  Job* job = m_wb->jobs()->start(tr("Remove a document"), JobRunner::Light, [dir, path](Job&) {
    auto store = fm::rag::CollectionStore::open(dir);
    auto index = fm::rag::VectorIndex::open(*store);
    return fm::rag::removeFromCollection(*store, *index, {toPath(path)});
  });
  connect(job, &Job::finished, this, [this](Job::State s, const QString& message) {
    if (s == Job::State::Failed) say(message, true);
    openCollection();
  });
}

Job* CollectionsPanel::search(const QString& query) {
  if (m_current.isEmpty() || query.trimmed().isEmpty()) return nullptr;
  if (m_query->text() != query) m_query->setText(query);
  if (!m_index) {
    say(tr("The collection is still opening."), true);
    return nullptr;
  }
  const auto dir = toPath(m_current);
  auto index = m_index;
  auto* pool = &m_wb->pool();
  const std::string embedder = m_embedderFolder.toStdString();
  const std::string reranker = m_rerank->isChecked() ? m_rerankerFolder.toStdString() : std::string();
  fm::rag::SearchOptions o;
  o.k = m_k->value();
  o.mode = fm::rag::searchModeOf(m_mode->currentData().toString().toStdString());
  o.rerank = !reranker.empty();
  const std::string q = query.toStdString();
  struct Found {
    fm::rag::SearchResult text;
    PictureHits pictures;
  };
  Job* job = m_wb->jobs()->start(tr("Search"), JobRunner::Light, [=](Job& job) {
    auto store = fm::rag::CollectionStore::open(dir);
    auto model = pool->acquire(fm::pathOf(embedder));
    std::shared_ptr<fm::LoadedModel> rr;
    if (!reranker.empty()) rr = pool->acquire(fm::pathOf(reranker));
    Found f;
    f.text = fm::rag::searchCollection(*store, *index, *model, rr.get(), q, o, job.context());
    f.pictures = findPictures(*pool, dir, q, static_cast<size_t>(o.k));
    return f;
  });
  job->setRoutine(true);
  m_searchButton->setEnabled(false);
  connect(job, &Job::finished, this, [this, job](Job::State s, const QString& message) {
    m_searchButton->setEnabled(!m_current.isEmpty());
    if (s == Job::State::Failed) say(message, true);
    const auto* found = job->result<Found>();
    if (!found) return;
    const fm::rag::SearchResult* r = &found->text;
    m_pictureHits->clear();
    const PictureHits& pics = found->pictures;
    for (size_t i = 0; i < pics.hits.size(); ++i) {
      const QString file = fromPath(pics.hits[i].file);
      auto* item = new QListWidgetItem(QPixmap::fromImage(pics.thumbs[i]),
                                       QStringLiteral("%1\n%2").arg(QFileInfo(file).fileName()).arg(pics.hits[i].score, 0, 'f', 3),
                                       m_pictureHits);
      item->setData(Qt::UserRole, file);
      const QString caption = QString::fromStdString(pics.hits[i].caption);
      item->setToolTip(caption.isEmpty() ? file : file + QLatin1Char('\n') + caption);
    }
    m_pictureHits->setVisible(!pics.hits.empty());
    m_hits.clear();
    m_results->setRowCount(static_cast<int>(r->hits.size()));
    for (size_t i = 0; i < r->hits.size(); ++i) {
      const auto& h = r->hits[i];
      m_hits.push_back(std::make_shared<fm::rag::SearchHit>(h));
      const int row = static_cast<int>(i);
      m_results->setItem(row, 0, new QTableWidgetItem(QStringLiteral("%1. %2").arg(i + 1).arg(where(h))));
      m_results->setItem(row, 1, new QTableWidgetItem(stage(h.dense, 3)));
      m_results->setItem(row, 2, new QTableWidgetItem(stage(h.keyword, 2)));
      m_results->setItem(row, 3, new QTableWidgetItem(stage(h.fused, 4)));
      m_results->setItem(row, 4, new QTableWidgetItem(stage(h.rerank, 3)));
      QStringList section;
      for (const auto& s : h.chunk.where.section) section << QString::fromStdString(s);
      m_results->setItem(row, 5, new QTableWidgetItem(section.join(QStringLiteral(" › "))));
    }
    if (!r->hits.empty()) m_results->selectRow(0);
    m_queryVector = r->queryVector;
    m_marksStale = true;
    if (m_tabs->currentWidget() == m_mapView->parentWidget()) refreshMap();
    say(tr("%n result(s). Dense %1 ms, keyword %2 ms%3.", "", static_cast<int>(r->hits.size()))
            .arg(r->denseMs, 0, 'f', 0)
            .arg(r->keywordMs, 0, 'f', 0)
            .arg(r->rerankMs > 0 ? tr(", rerank %1 ms").arg(r->rerankMs, 0, 'f', 0) : QString()) +
        (pics.problem.isEmpty() ? QString() : QLatin1Char('\n') + tr("Pictures not searched: %1").arg(pics.problem)));
    Q_EMIT searchShown(static_cast<int>(r->hits.size()));
  });
  return job;
}

Job* CollectionsPanel::prepareDemoCollection() {
  if (m_demoJob && m_demoJob->isActive()) return m_demoJob;
  const auto workspace = toPath(m_wb->workspace());
  Job* job = m_wb->jobs()->start(tr("Prepare the demo collection"), JobRunner::Heavy, [workspace](Job& job) {
    fm::rag::CollectionDemoOptions o;
    o.workspace = workspace;
    o.answers = 0;  // measured by `fmw collection demo`; here the class asks
    fm::rag::CollectionDemoReport r = fm::rag::runCollectionDemo(o, job.context());
    if (r.status == fm::JobStatus::Cancelled) throw fm::CancelledError("the demo was stopped");
    return r;
  });
  m_demoJob = job;
  m_demo->setEnabled(false);
  say(tr("Preparing the demo collection: a handbook is written, then an embedder and a reader are trained here "
         "(about 70 minutes on two cores; stopping keeps what is done, and pressing again continues)."));
  connect(job, &Job::finished, this, [this, job, workspace](Job::State s, const QString& message) {
    m_demo->setEnabled(true);
    if (s == Job::State::Failed) say(message, true);
    if (s == Job::State::Cancelled) say(tr("Stopped. The parts that were finished are kept; pressing again continues."));
    const auto* r = job->result<fm::rag::CollectionDemoReport>();
    if (!r) return;
    const fm::rag::CollectionDemoPaths paths(workspace);
    refreshList();
    selectCollection(QString::fromStdString(fm::utf8(paths.collection)));
    m_questions->setText(QString::fromStdString(fm::utf8(paths.questions)));
    m_question->setPlaceholderText(tr("For example: Which floor is the Finance office on? / 재무팀 사무실은 몇 층에 있나요?"));
    // The reader answers in Ask, unless the user chose a language model of their own.
    const QString reader = QString::fromStdString(fm::utf8(paths.reader));
    auto llm = m_wb->model();
    if (!llm || QFileInfo(QString::fromStdString(llm->info().dir)).canonicalFilePath() ==
                    QFileInfo(m_wb->demoModelDir()).canonicalFilePath())
      m_wb->openModel(reader);
    auto pct = [&](const char* k) {
      const auto it = r->recall.find(k);
      return it == r->recall.end() ? QStringLiteral("—") : QString::number(it->second * 100, 'f', 0);
    };
    say(tr("The demo collection is ready: %1 questions in the test bench; Recall@3 hybrid %2%, dense %3%, keyword "
           "%4%. In Ask, the demo reader answers citing its sources; it is a beginner, so check what it says "
           "against the [n] it cites.")
            .arg(r->questions)
            .arg(pct("hybrid"), pct("dense"), pct("keyword")));
    const auto h = r->recall.find("hybrid");
    Q_EMIT demoCollectionReady(h == r->recall.end() ? -1 : h->second);
  });
  return job;
}

Job* CollectionsPanel::refreshMap() {
  if (m_current.isEmpty() || !m_index) return nullptr;
  const auto dir = toPath(m_current);
  auto map = m_map;
  const std::vector<float> query = m_queryVector;
  std::vector<int64_t> hits;
  for (const auto& h : m_hits) hits.push_back(h->chunk.id);
  if (m_mapJob) m_mapJob->supersede();
  Job* job = m_wb->jobs()->start(tr("Map of %1").arg(QFileInfo(m_current).fileName()), JobRunner::Light,
                                 [dir, map, query, hits](Job& job) {
                                   MapView v;
                                   auto store = fm::rag::CollectionStore::open(dir);
                                   v.map = map ? map : std::make_shared<const fm::rag::ChunkMap>(
                                                           fm::rag::mapCollection(*store, 4000, job.context()));
                                   if (v.map->mean.empty()) return v;
                                   if (query.size() == v.map->mean.size()) {
                                     const auto q = v.map->project(query);
                                     v.hasQuery = true;
                                     v.query = QPointF(q[0], q[1]);
                                   }
                                   int rank = 0;
                                   for (int64_t id : hits) {
                                     ++rank;
                                     const std::vector<float> e = store->embedding(id);
                                     if (e.size() != v.map->mean.size()) continue;
                                     const auto xy = v.map->project(e);
                                     v.hits.push_back({id, QPointF(xy[0], xy[1]), rank});
                                   }
                                   return v;
                                 });
  job->setRoutine(true);
  m_mapJob = job;
  m_marksStale = false;
  const QString current = m_current;
  connect(job, &Job::finished, this, [this, job, current](Job::State s, const QString& message) {
    if (current != m_current) return;
    if (s == Job::State::Failed) say(message, true);
    const auto* v = job->result<MapView>();
    if (!v) return;
    if (v->map != m_map) {
      m_map = v->map;
      m_mapView->setMap(m_map, m_docNames);
    }
    m_mapView->setQuery(v->hasQuery, v->query, v->hits);
    Q_EMIT mapShown(m_mapView->pointCount(), m_mapView->markCount());
  });
  return job;
}

Job* CollectionsPanel::changeEmbedder(const QString& folder, bool confirm) {
  if (m_current.isEmpty() || folder.isEmpty()) return nullptr;
  if (m_ingest && m_ingest->isActive()) {
    say(tr("Wait for the documents being added to finish, or stop them, first."), true);
    return nullptr;
  }
  if (confirm &&
      QMessageBox::question(this, tr("Change embedder"),
                            tr("Every document in %1 will be read and embedded again with %2. Vectors of two "
                               "embedders are never mixed, so until a document is done it is found by keywords "
                               "only. Stopping keeps what is done; Sync finishes the rest.")
                                .arg(QFileInfo(m_current).fileName(), QFileInfo(folder).fileName())) !=
          QMessageBox::Yes)
    return nullptr;
  const auto dir = toPath(m_current);
  const auto newFolder = std::filesystem::absolute(toPath(folder));
  auto* pool = &m_wb->pool();
  Job* job = m_wb->jobs()->start(tr("Embed %1 again").arg(QFileInfo(m_current).fileName()), JobRunner::Heavy,
                                 [dir, newFolder, pool](Job& job) {
                                   auto store = fm::rag::CollectionStore::open(dir);
                                   fm::LoadOptions lo;
                                   lo.job = job.context().part(0, 0.05, "loading the embedder");
                                   auto model = pool->acquire(newFolder, lo);
                                   const auto stamp = fm::rag::stampOf(*model, newFolder);
                                   std::unique_ptr<fm::rag::VectorIndex> index = fm::rag::VectorIndex::open(*store);
                                   // The same model (a moved folder, say): only where it is changes.
                                   if (stamp == store->settings().embedder) {
                                     fm::rag::rememberEmbedderPlace(*store, stamp);
                                     return QString();
                                   }
                                   fm::rag::reembedCollection(*store, index, *model, stamp, job.context().part(0.05, 1));
                                   return QString::fromStdString(stamp.name);
                                 });
  m_ingest = job;
  updateButtons();
  connect(job, &Job::finished, this, [this, job](Job::State s, const QString& message) {
    updateButtons();
    if (s == Job::State::Failed) say(message, true);
    else if (s == Job::State::Cancelled)
      say(tr("Stopped. The documents done so far use the new embedder; Sync embeds the rest."));
    else if (const auto* name = job->result<QString>())
      say(name->isEmpty() ? tr("This is the collection's embedder: its vectors stay, and the collection now uses it from here.")
                          : tr("Every document is embedded with %1 now.").arg(*name));
    openCollection();
  });
  say(tr("Embedding every document again…"));
  return job;
}

void CollectionsPanel::showHit(const fm::rag::SearchHit& h) {
  QString html = QStringLiteral("<p><b>%1</b></p>").arg(where(h).toHtmlEscaped());
  if (!h.chunk.flag.empty())
    html += QStringLiteral("<p style='color:#e8590c'>⚠ %1</p>").arg(coreText(h.chunk.flag).toHtmlEscaped());
  html += QStringLiteral("<p>%1</p>").arg(htmlText(h.chunk.text));
  m_hitText->setHtml(html);
}

Job* CollectionsPanel::ask(const QString& question) {
  if (m_current.isEmpty() || question.trimmed().isEmpty()) return nullptr;
  if (m_question->text() != question) m_question->setText(question);
  auto llm = m_wb->model();
  if (!llm) {
    say(tr("Open a language model first (Models panel, or the demo model): it writes the answer."), true);
    return nullptr;
  }
  if (!m_index) {
    say(tr("The collection is still opening."), true);
    return nullptr;
  }
  if (m_answerJob) m_answerJob->supersede();
  const auto dir = toPath(m_current);
  auto index = m_index;
  auto* pool = &m_wb->pool();
  const std::string embedder = m_embedderFolder.toStdString();
  const std::string q = question.toStdString();
  m_answer->clear();
  m_sources.clear();
  QPointer<QTextBrowser> view = m_answer;
  struct Answered {
    fm::rag::AnswerResult answer;
    PictureHits pictures;
  };
  Job* job = m_wb->jobs()->start(tr("Answer"), JobRunner::Light, [=](Job& job) {
    auto store = fm::rag::CollectionStore::open(dir);
    auto model = pool->acquire(fm::pathOf(embedder));
    fm::rag::AnswerOptions o;
    Answered a;
    a.answer = fm::rag::answerQuestion(*store, *index, *model, nullptr, *llm, q, o,
                                   [&job, view](const std::string& piece) {
                                     const QString text = QString::fromStdString(piece);
                                     job.post([view, text] {
                                       if (!view) return;
                                       view->moveCursor(QTextCursor::End);
                                       view->insertPlainText(text);
                                     });
                                     return !job.cancelRequested();
                                   },
                                   job.context());
    // The language model reads text only: the pictures closest to the question are shown
    // beside the answer, not cited in it.
    a.pictures = findPictures(*pool, dir, q, 4);
    return a;
  });
  job->setRoutine(true);
  m_answerJob = job;
  m_askButton->setEnabled(false);
  connect(job, &Job::finished, this, [this, job](Job::State s, const QString& message) {
    m_askButton->setEnabled(!m_current.isEmpty());
    if (s == Job::State::Failed) say(message, true);
    const auto* answered = job->result<Answered>();
    if (!answered) return;
    const fm::rag::AnswerResult* r = &answered->answer;
    m_sources.clear();
    for (const auto& h : r->sources) m_sources.push_back(std::make_shared<fm::rag::SearchHit>(h));
    // The answer again, with every [n] a link to its source.
    QString answer = QString::fromStdString(r->answer).toHtmlEscaped();
    static const QRegularExpression cite(QStringLiteral("\\[(\\d+)\\]"));
    answer.replace(cite, QStringLiteral("<a href='source:\\1'>[\\1]</a>"));
    answer.replace(QLatin1Char('\n'), QStringLiteral("<br>"));
    QString html = QStringLiteral("<p>%1</p>").arg(answer);
    if (!r->grounded) html += QStringLiteral("<p style='color:#868e96'>%1</p>").arg(tr("No passage was close enough to the question, so the model was not asked."));
    for (const auto& f : r->flagged)
      html += QStringLiteral("<p style='color:#e8590c'>⚠ %1</p>").arg(coreText(f).toHtmlEscaped());
    if (!r->sources.empty()) html += QStringLiteral("<p><b>%1</b><br>").arg(tr("Sources"));
    for (size_t i = 0; i < r->sources.size(); ++i) {
      const bool cited = std::any_of(r->citations.begin(), r->citations.end(),
                                     [&](const fm::rag::Citation& c) { return c.number == static_cast<int>(i) + 1; });
      html += QStringLiteral("<a href='source:%1'>[%1]</a> %2%3<br>")
                  .arg(i + 1)
                  .arg(where(r->sources[i]).toHtmlEscaped())
                  .arg(cited ? tr(" (cited)") : QString());
    }
    for (int n : r->unknownCitations)
      html += QStringLiteral("<p style='color:#e8590c'>%1</p>").arg(tr("The answer cites [%1], which is not one of its sources.").arg(n));
    const PictureHits& pics = answered->pictures;
    if (!pics.problem.isEmpty())
      html += QStringLiteral("<p style='color:#e8590c'>%1</p>").arg(tr("Pictures not searched: %1").arg(pics.problem).toHtmlEscaped());
    if (!pics.hits.empty()) {
      // One row of thumbnails, each with its file name, similarity and caption below it.
      html += QStringLiteral("<p><b>%1</b> <span style='color:#868e96'>%2</span></p><table cellspacing='6'><tr>")
                  .arg(tr("Pictures close to the question"), tr("(found by the image-text model; the answer reads text only)"));
      for (size_t i = 0; i < pics.hits.size(); ++i) {
        const QUrl name(QStringLiteral("thumb:%1").arg(i));
        m_answer->document()->addResource(QTextDocument::ImageResource, name, QVariant(pics.thumbs[i]));
        const QString caption = QString::fromStdString(pics.hits[i].caption);
        html += QStringLiteral("<td valign='top' align='center'><a href='%1'><img src='%2'></a><br>%3<br>%4%5</td>")
                    .arg(QUrl::fromLocalFile(fromPath(pics.hits[i].file)).toString(QUrl::FullyEncoded), name.toString(),
                         QFileInfo(fromPath(pics.hits[i].file)).fileName().toHtmlEscaped())
                    .arg(pics.hits[i].score, 0, 'f', 3)
                    .arg(caption.isEmpty() ? QString() : QStringLiteral("<br><i>%1</i>").arg(caption.toHtmlEscaped()));
      }
      html += QStringLiteral("</tr></table>");
    }
    m_answer->setHtml(html);
    Q_EMIT answerFinished(r->grounded);
  });
  return job;
}

// The cited place: the document's text with the passage highlighted and scrolled into view.
void CollectionsPanel::showSource(int sourceIndex) {
  if (sourceIndex < 0 || sourceIndex >= static_cast<int>(m_sources.size()) || m_current.isEmpty()) return;
  const fm::rag::SearchHit hit = *m_sources[static_cast<size_t>(sourceIndex)];
  const auto dir = toPath(m_current);
  const int64_t docId = hit.chunk.documentId;
  const QString file = QString::fromStdString(hit.document);
  Job* job = m_wb->jobs()->start(tr("Open source"), JobRunner::Light, [dir, docId, file, hit](Job&) {
    auto store = fm::rag::CollectionStore::open(dir);
    SourceView v;
    v.text = store->documentText(docId);
#ifdef FM_HAVE_QTPDF
    if (hit.chunk.where.page > 0 && file.endsWith(QStringLiteral(".pdf"), Qt::CaseInsensitive) && QFileInfo::exists(file))
      renderPdfPage(file, hit.chunk.where.page - 1, hit.chunk.text, v);
#endif
    return v;
  });
  job->setRoutine(true);
  connect(job, &Job::finished, this, [this, job, hit](Job::State s, const QString& message) {
    if (s == Job::State::Failed) {
      say(message, true);
      return;
    }
    const auto* source = job->result<SourceView>();
    if (!source) return;
    const std::string* text = &source->text;
    auto* d = new QDialog(this);
    d->setAttribute(Qt::WA_DeleteOnClose);
    d->setWindowTitle(QFileInfo(QString::fromStdString(hit.document)).fileName());
    auto* v = new QVBoxLayout(d);
    QStringList section;
    for (const auto& part : hit.chunk.where.section) section << QString::fromStdString(part);
    auto* label = new QLabel(where(hit) + (section.isEmpty() ? QString() : QStringLiteral(" · ") + section.join(QStringLiteral(" › "))), d);
    label->setWordWrap(true);
    v->addWidget(label);
    auto* view = new QTextBrowser(d);
    view->setPlainText(QString::fromStdString(*text));
    QTextCursor c(view->document());
    c.setPosition(utf16At(*text, hit.chunk.where.begin));
    c.setPosition(utf16At(*text, hit.chunk.where.end), QTextCursor::KeepAnchor);
    QTextEdit::ExtraSelection mark;
    mark.cursor = c;
    mark.format.setBackground(QColor(255, 236, 153));
    mark.format.setForeground(QColor(33, 37, 41));
    view->setExtraSelections({mark});
    QTextCursor at(view->document());
    at.setPosition(utf16At(*text, hit.chunk.where.end));
    view->setTextCursor(at);
    view->ensureCursorVisible();
    at.setPosition(utf16At(*text, hit.chunk.where.begin));
    view->setTextCursor(at);
    view->ensureCursorVisible();
    if (!source->page.isNull()) {
      // The page as printed, the passage marked; its text below.
      auto* tabs = new QTabWidget(d);
      auto* scroll = new QScrollArea(tabs);
      auto* image = new QLabel(scroll);
      image->setPixmap(QPixmap::fromImage(source->page));
      scroll->setWidget(image);
      tabs->addTab(scroll, tr("Page %1").arg(hit.chunk.where.page));
      tabs->addTab(view, tr("Text"));
      v->addWidget(tabs, 1);
      d->resize(960, 720);
      d->show();
      scroll->verticalScrollBar()->setValue(std::max(0, source->markTop - 80));
      Q_EMIT sourceShown(true);
      return;
    }
    v->addWidget(view, 1);
    d->resize(720, 520);
    d->show();
    Q_EMIT sourceShown(false);
  });
}

void CollectionsPanel::showChunks(const QString& documentPath) {
  if (m_current.isEmpty()) return;
  const auto dir = toPath(m_current);
  const std::string path = documentPath.toStdString();
  Job* job = m_wb->jobs()->start(tr("Show chunks"), JobRunner::Light, [dir, path](Job&) {
    auto store = fm::rag::CollectionStore::open(dir);
    ChunkView v;
    const auto rec = store->document(path);
    if (!rec) throw fm::ConfigError(path + " is not in the collection");
    v.text = store->documentText(rec->id);
    v.chunks = store->documentChunks(rec->id);
    v.limit = store->settings().chunkTokens;
    return v;
  });
  job->setRoutine(true);
  connect(job, &Job::finished, this, [this, job](Job::State s, const QString& message) {
    if (s == Job::State::Failed) {
      say(message, true);
      return;
    }
    const auto* v = job->result<ChunkView>();
    if (!v) return;
    // Every stretch of text coloured by the chunks covering it: alternating colours, overlaps
    // in a third; before each chunk its number and token count against the limit.
    std::set<uint64_t> cuts{0, v->text.size()};
    for (const auto& c : v->chunks) {
      cuts.insert(std::min<uint64_t>(c.where.begin, v->text.size()));
      cuts.insert(std::min<uint64_t>(c.where.end, v->text.size()));
    }
    const std::vector<uint64_t> at(cuts.begin(), cuts.end());
    QString html = QStringLiteral("<div style='font-family:monospace'>");
    for (size_t i = 0; i + 1 < at.size(); ++i) {
      const uint64_t a = at[i], b = at[i + 1];
      int covering = 0, first = -1;
      for (size_t k = 0; k < v->chunks.size(); ++k)
        if (v->chunks[k].where.begin <= a && v->chunks[k].where.end >= b) {
          ++covering;
          if (first < 0) first = static_cast<int>(k);
        }
      for (size_t k = 0; k < v->chunks.size(); ++k)
        if (v->chunks[k].where.begin == a) {
          const auto& c = v->chunks[k];
          html += QStringLiteral("<span style='color:#fff;background:#495057'>&nbsp;%1&nbsp;</span> ")
                      .arg(tr("chunk %1 · %2/%3 tokens").arg(k + 1).arg(c.tokens).arg(v->limit));
        }
      const QString piece = htmlText(v->text.substr(a, b - a));
      if (covering == 0) html += QStringLiteral("<span style='color:#868e96'>%1</span>").arg(piece);
      else if (covering > 1) html += QStringLiteral("<span style='background:#ffd8a8;color:#212529'>%1</span>").arg(piece);
      else html += QStringLiteral("<span style='background:%1;color:#212529'>%2</span>")
                       .arg(first % 2 ? QStringLiteral("#d0ebff") : QStringLiteral("#d3f9d8"), piece);
    }
    html += QStringLiteral("</div>");
    m_chunks->setHtml(html);
    m_tabs->setCurrentWidget(m_chunks);
    say(tr("%n chunk(s); overlaps in orange.", "", static_cast<int>(v->chunks.size())));
    Q_EMIT chunksShown(static_cast<int>(v->chunks.size()));
  });
}

Job* CollectionsPanel::runTestBench(const QString& questionsFile) {
  if (m_current.isEmpty()) return nullptr;
  if (questionsFile.trimmed().isEmpty()) {
    say(tr("Choose a question set first: a CSV or JSONL file with question and document columns."), true);
    return nullptr;
  }
  if (!m_index) {
    say(tr("The collection is still opening."), true);
    return nullptr;
  }
  const auto dir = toPath(m_current);
  const auto file = toPath(questionsFile.trimmed());
  auto index = m_index;
  auto* pool = &m_wb->pool();
  const std::string embedder = m_embedderFolder.toStdString(), reranker = m_rerankerFolder.toStdString();
  Job* job = m_wb->jobs()->start(tr("Retrieval test bench"), JobRunner::Heavy, [=](Job& job) {
    const auto questions = fm::rag::readQuestions(file);
    auto store = fm::rag::CollectionStore::open(dir);
    auto model = pool->acquire(fm::pathOf(embedder));
    std::shared_ptr<fm::LoadedModel> rr;
    if (!reranker.empty()) rr = pool->acquire(fm::pathOf(reranker));
    return fm::rag::evaluateRetrieval(*store, *index, *model, rr.get(), questions, 3, job.context());
  });
  connect(job, &Job::finished, this, [this, job](Job::State s, const QString& message) {
    if (s == Job::State::Failed) say(message, true);
    const auto* rows = job->result<std::vector<fm::rag::EvalRow>>();
    if (!rows) return;
    m_bench->setRowCount(static_cast<int>(rows->size()));
    for (size_t i = 0; i < rows->size(); ++i) {
      const auto& r = (*rows)[i];
      const int row = static_cast<int>(i);
      const QString setting = r.setting == "dense"     ? tr("dense")
                              : r.setting == "keyword" ? tr("keyword")
                              : r.setting == "hybrid"  ? tr("hybrid")
                                                       : tr("hybrid + rerank");
      m_bench->setItem(row, 0, new QTableWidgetItem(setting));
      m_bench->setItem(row, 1, new QTableWidgetItem(QStringLiteral("%1% (%2/%3, k=%4)")
                                                        .arg(r.recall * 100, 0, 'f', 1)
                                                        .arg(r.found)
                                                        .arg(r.questions)
                                                        .arg(r.k)));
      m_bench->setItem(row, 2, new QTableWidgetItem(QString::number(r.mrr, 'f', 3)));
      m_bench->setItem(row, 3, new QTableWidgetItem(tr("%1 ms").arg(r.msPerQuestion, 0, 'f', 0)));
    }
    QChart* chart = m_benchChart->chart();
    chart->removeAllSeries();
    for (QAbstractAxis* a : chart->axes()) {
      chart->removeAxis(a);
      delete a;
    }
    auto* recall = new QBarSet(tr("Recall@%1").arg(rows->empty() ? 3 : rows->front().k));
    auto* mrr = new QBarSet(tr("MRR"));
    QStringList names;
    for (int i = 0; i < m_bench->rowCount(); ++i) names << m_bench->item(i, 0)->text();
    for (const auto& r : *rows) {
      *recall << r.recall;
      *mrr << r.mrr;
    }
    auto* series = new QBarSeries(chart);
    series->append(recall);
    series->append(mrr);
    chart->addSeries(series);
    auto* x = new QBarCategoryAxis(chart);
    x->append(names);
    auto* y = new QValueAxis(chart);
    y->setRange(0, 1);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);
    Q_EMIT testBenchShown();
  });
  return job;
}

void CollectionsPanel::dragEnterEvent(QDragEnterEvent* event) {
  if (event->mimeData()->hasUrls() && !m_current.isEmpty()) event->acceptProposedAction();
}

void CollectionsPanel::dropEvent(QDropEvent* event) {
  QStringList paths;
  for (const QUrl& u : event->mimeData()->urls())
    if (u.isLocalFile()) paths << u.toLocalFile();
  if (!paths.isEmpty()) {
    addPaths(paths);
    event->acceptProposedAction();
  }
}

}  // namespace fm::ui
