// Models panel: import a Hugging Face folder, see what it is, try its tokenizer.
#pragma once

#include <QFutureWatcher>
#include <QWidget>

class QLabel;
class QListWidget;
class QTextBrowser;
class QPlainTextEdit;
class QTreeWidget;
class QTimer;
class QStackedWidget;
class QTableWidget;
class QLineEdit;
class QPushButton;

namespace fm::ui {

class Workbench;

// One chip of the tokenizer view: a token, or several byte tokens that together make
// characters (Korean on a byte-level tokenizer), shown as the characters with all their ids.
struct TokenPiece {
  QString piece;
  int id = 0;
  bool special = false;
  QVector<int> ids;  // more than one: a group of byte tokens
};

class ModelsPanel : public QWidget {
  Q_OBJECT
 public:
  explicit ModelsPanel(Workbench* wb, QWidget* parent = nullptr);
  void importFolder(const QString& dir);
  void chooseFolder();  // asks for a folder, then imports it
  QTextBrowser* details() const { return m_details; }
  QLabel* errorLabel() const { return m_error; }
  QPlainTextEdit* tokenizerInput() const { return m_tokInput; }
  QTextBrowser* tokenizerOutput() const { return m_tokOutput; }
  // Text encoders: sentences (one per line) -> cosine heat map.
  QPlainTextEdit* sentencesInput() const { return m_sentences; }
  QTableWidget* similarityTable() const { return m_similarity; }
  void compareSentences();
  // Cross-encoders: a query and passages (one per line) -> passages ranked by score.
  QLineEdit* queryInput() const { return m_query; }
  QPlainTextEdit* passagesInput() const { return m_passages; }
  QTableWidget* rankingTable() const { return m_ranking; }
  void scorePassages();

 Q_SIGNALS:
  void tokensShown(int count);
  void similarityShown();
  void rankingShown();

 private:
  void refreshList();
  void showModel();
  void tokenize();
  Workbench* m_wb;
  QListWidget* m_list;
  QTreeWidget* m_catalog;
  QLabel* m_title;
  QLabel* m_error;
  QTextBrowser* m_details;
  QPlainTextEdit* m_tokInput;
  QTextBrowser* m_tokOutput;
  QTimer* m_tokTimer;
  QFutureWatcher<QVector<TokenPiece>> m_tokWatch;
  QStackedWidget* m_tryStack;
  QPlainTextEdit* m_sentences;
  QPushButton* m_compare;
  QTableWidget* m_similarity;
  QLineEdit* m_query;
  QPlainTextEdit* m_passages;
  QPushButton* m_score;
  QTableWidget* m_ranking;
  QLabel* m_tryStatus;
  QLabel* m_memory;  // what the model pool holds
  void refreshMemory();
};

// HTML for a row of coloured token pieces with their ids.
QString tokenPiecesHtml(const QVector<TokenPiece>& pieces);

}  // namespace fm::ui
