// The Collections panel: a user's own documents, searched and answered from with citations.
// Collections (folders under the workspace's collections/) on the left; the chosen one's
// documents with their status; tabs to search (every stage's score side by side), ask (a
// streamed answer whose [n] open the cited place), look at a document's chunks, see the map of
// all chunks with the last question on it, and run the retrieval test bench. Files and folders dropped on the panel are added. All work runs in jobs.
#pragma once

#include <QHash>
#include <QPointer>
#include <QWidget>

#include <memory>

class QChartView;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QTabWidget;
class QTextBrowser;

namespace fm::rag {
class VectorIndex;
struct ChunkMap;
struct SearchHit;
}

namespace fm::ui {

class ChunkMapView;
class Job;
class Workbench;

class CollectionsPanel : public QWidget {
  Q_OBJECT
 public:
  explicit CollectionsPanel(Workbench* wb, QWidget* parent = nullptr);
  ~CollectionsPanel() override;

  QString collectionsDir() const;
  QString currentCollection() const { return m_current; }
  void selectCollection(const QString& dir);
  // Each starts a job and returns it (null when the input is not usable; the panel says why).
  Job* createCollection(const QString& name, const QString& embedder, const QString& reranker, int chunkTokens,
                        int overlapTokens, bool maskPii, const QString& indexKind = QStringLiteral("flat"));
  Job* addPaths(const QStringList& paths);
  // Adds a folder of pictures, searched by the same words in CLIP's space. `clipModel` is
  // needed for the first folder; later ones use the collection's.
  Job* addPictures(const QString& folder, const QString& clipModel);
  Job* sync();
  Job* search(const QString& query);
  Job* ask(const QString& question);
  Job* runTestBench(const QString& questionsFile);
  void showChunks(const QString& documentPath);
  // The demo: a generated handbook, an embedder and a reader trained here, the collection made
  // and selected, its question set in the test bench, the reader in use for Ask.
  Job* prepareDemoCollection();
  // Draws (or updates) the map of the collection's chunks, marking the last search.
  Job* refreshMap();
  // Embeds every document again with another embedder (asks first when `confirm`).
  Job* changeEmbedder(const QString& folder, bool confirm = true);
  // Opens a search result in place (as double-clicking it does).
  void openResult(int row);
  // Whether this build shows a cited PDF page as printed (Qt PDF), besides its text.
  static bool canShowPdfPages();

  QTableWidget* documentsTable() const { return m_docs; }
  QTableWidget* resultsTable() const { return m_results; }
  // The collection's pictures closest to the last search (hidden when it has none).
  QListWidget* pictureResults() const { return m_pictureHits; }
  QTextBrowser* answerView() const { return m_answer; }
  QTextBrowser* chunkView() const { return m_chunks; }
  QTableWidget* benchTable() const { return m_bench; }
  ChunkMapView* mapView() const { return m_mapView; }
  QTabWidget* tabs() const { return m_tabs; }
  QLabel* statusLabel() const { return m_status; }

 Q_SIGNALS:
  void collectionsChanged();
  void documentsShown(int documents);
  void searchShown(int hits);
  void answerFinished(bool grounded);
  void chunksShown(int chunks);
  void testBenchShown();
  void sourceShown(bool pageShown);
  void mapShown(int points, int marks);
  void demoCollectionReady(double hybridRecall);

 protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void refreshList();
  void openCollection();
  void newCollectionDialog();
  void chooseAndAdd(bool folders);
  void choosePictures();
  void removeSelected();
  void showSource(int sourceIndex);
  void showHit(const fm::rag::SearchHit& hit);
  void say(const QString& text, bool error = false);
  void updateButtons();

  Workbench* m_wb;
  QString m_current;
  bool m_syncOnOpen = false;
  std::shared_ptr<fm::rag::VectorIndex> m_index;  // read-only searches share it
  QString m_embedderFolder, m_rerankerFolder;
  std::vector<std::shared_ptr<fm::rag::SearchHit>> m_sources;  // the last answer's, numbered from 1
  std::vector<std::shared_ptr<fm::rag::SearchHit>> m_hits;     // the last search's

  QListWidget* m_list;
  QPushButton *m_new, *m_addFiles, *m_addFolder, *m_addPictures, *m_sync, *m_remove;
  QLabel* m_title;
  QLabel* m_status;
  QTableWidget* m_docs;
  QTabWidget* m_tabs;
  QLineEdit* m_query;
  QComboBox* m_mode;
  QCheckBox* m_rerank;
  QSpinBox* m_k;
  QPushButton* m_searchButton;
  QTableWidget* m_results;
  QListWidget* m_pictureHits = nullptr;
  QTextBrowser* m_hitText;
  QLineEdit* m_question;
  QPushButton* m_askButton;
  QTextBrowser* m_answer;
  QTextBrowser* m_chunks;
  QLineEdit* m_questions;
  QPushButton* m_benchButton;
  QTableWidget* m_bench;
  QChartView* m_benchChart;
  ChunkMapView* m_mapView;
  QLabel* m_mapNote;
  QPushButton* m_changeEmbedder;
  QPushButton* m_demo;
  std::shared_ptr<const fm::rag::ChunkMap> m_map;
  QHash<qint64, QString> m_docNames;
  std::vector<float> m_queryVector;  // the last search's
  bool m_marksStale = false;
  QPointer<Job> m_ingest, m_open, m_answerJob, m_mapJob, m_demoJob;
};

}  // namespace fm::ui
