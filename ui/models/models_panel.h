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

namespace fm::ui {

class Workbench;

struct TokenPiece {
  QString piece;
  int id = 0;
  bool special = false;
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

 Q_SIGNALS:
  void tokensShown(int count);

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
};

// HTML for a row of coloured token pieces with their ids.
QString tokenPiecesHtml(const QVector<TokenPiece>& pieces);

}  // namespace fm::ui
