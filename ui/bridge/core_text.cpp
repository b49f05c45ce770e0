#include "bridge/core_text.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QStringList>

namespace fm::ui {

namespace {

// Every message core shows often, with numbers as %1, %2, ... (for lupdate).
[[maybe_unused]] const char* const kCoreTexts[] = {
    // Progress of jobs.
    QT_TRANSLATE_NOOP("core", "reading the weights"),
    QT_TRANSLATE_NOOP("core", "reading the data"),
    QT_TRANSLATE_NOOP("core", "tokenizing"),
    QT_TRANSLATE_NOOP("core", "loading the models"),
    QT_TRANSLATE_NOOP("core", "reading the base model"),
    QT_TRANSLATE_NOOP("core", "merging the adapter"),
    QT_TRANSLATE_NOOP("core", "writing the merged model"),
    QT_TRANSLATE_NOOP("core", "answering validation row %1 of %2"),
    QT_TRANSLATE_NOOP("core", "embedding %1 of %2"),
    QT_TRANSLATE_NOOP("core", "scoring %1 of %2"),
    QT_TRANSLATE_NOOP("core", "evaluating the model before training: %1 of %2 validation rows"),
    QT_TRANSLATE_NOOP("core", "%1 training rows, %2 validation rows, %3 steps"),
    QT_TRANSLATE_NOOP("core", "before training"),
    // Model details.
    QT_TRANSLATE_NOOP("core", "none"),
    QT_TRANSLATE_NOOP("core", "the model's own (Jinja)"),
    QT_TRANSLATE_NOOP("core", "learned"),
    QT_TRANSLATE_NOOP("core", "learned, counted from padding_idx + 1"),
    QT_TRANSLATE_NOOP("core", "RoPE theta=%1"),
    // Collections: statuses, reasons and steps.
    QT_TRANSLATE_NOOP("core", "skipped"),
    QT_TRANSLATE_NOOP("core", "failed"),
    QT_TRANSLATE_NOOP("core", "partial"),
    QT_TRANSLATE_NOOP("core", "flagged"),
    QT_TRANSLATE_NOOP("core", "needs a password"),
    QT_TRANSLATE_NOOP("core", "missing"),
    QT_TRANSLATE_NOOP("core", "its folder is not there (a drive not connected, or the folder moved or renamed); kept until you remove it, and found again when added from its new place"),
    QT_TRANSLATE_NOOP("core", "no text found"),
    QT_TRANSLATE_NOOP("core", "the PDF is protected with a password; save a copy without it to add it"),
    QT_TRANSLATE_NOOP("core", "the PDF is damaged and cannot be read"),
    QT_TRANSLATE_NOOP("core", "not a PDF file (no %PDF header)"),
    QT_TRANSLATE_NOOP("core", "not a complete Word document (word/document.xml is missing)"),
    QT_TRANSLATE_NOOP("core", "not a Word .docx file (it is not a zip archive)"),
    QT_TRANSLATE_NOOP("core", "the file is damaged or incomplete (its zip structure is inconsistent)"),
    QT_TRANSLATE_NOOP("core", "not a kind of file Collections reads (PDF, Word .docx, HTML, Markdown, text, CSV)"),
    QT_TRANSLATE_NOOP("core", "page %1: no text layer; OCR is not available (install Tesseract's language data, such as tesseract-ocr-eng)"),
    QT_TRANSLATE_NOOP("core", "page %1: no text layer; OCR is turned off"),
    QT_TRANSLATE_NOOP("core", "page %1: no text layer, and OCR found no text on it"),
    QT_TRANSLATE_NOOP("core", "page %1: damaged, left out"),
    QT_TRANSLATE_NOOP("core", "page %1 of %2"),
    QT_TRANSLATE_NOOP("core", "reading page %1 of %2 with OCR"),
    QT_TRANSLATE_NOOP("core", "read %1 pages"),
    QT_TRANSLATE_NOOP("core", "searching the collection"),
    QT_TRANSLATE_NOOP("core", "answering"),
    QT_TRANSLATE_NOOP("core", "indexing vectors: %1 of %2"),
    QT_TRANSLATE_NOOP("core", "loading the embedder"),
    QT_TRANSLATE_NOOP("core", "reading vectors"),
    QT_TRANSLATE_NOOP("core", "finding the main directions"),
    QT_TRANSLATE_NOOP("core", "placing the chunks"),
    QT_TRANSLATE_NOOP("core", "writing the demo handbook"),
    QT_TRANSLATE_NOOP("core", "training the demo embedder"),
    QT_TRANSLATE_NOOP("core", "making the embedder's tokenizer"),
    QT_TRANSLATE_NOOP("core", "training the embedder: step %1 of %2"),
    QT_TRANSLATE_NOOP("core", "adding the handbook"),
    QT_TRANSLATE_NOOP("core", "measuring retrieval"),
    QT_TRANSLATE_NOOP("core", "pretraining the demo reader"),
    QT_TRANSLATE_NOOP("core", "writing reading-comprehension text"),
    QT_TRANSLATE_NOOP("core", "making the reader's tokenizer"),
    QT_TRANSLATE_NOOP("core", "pretraining the demo reader, stage %1 of %2: step %3 of %4"),
    QT_TRANSLATE_NOOP("core", "the demo was stopped"),
    QT_TRANSLATE_NOOP("core", "done"),
    QT_TRANSLATE_NOOP("core", "the index file is missing"),
    QT_TRANSLATE_NOOP("core", "the index file does not match its checksum (damaged, or from an interrupted save)"),
    QT_TRANSLATE_NOOP("core", "the index holds %1 vectors; the collection has %2"),
    QT_TRANSLATE_NOOP("core", "the question and its best source take %1 tokens; the model reads at most %2 (use smaller chunks, or a model with a longer context)"),
};

const QRegularExpression& numbers() {
  static const QRegularExpression re(QStringLiteral("(?<![A-Za-z_%])\\d+(?:\\.\\d+)?(?:e[-+]?\\d+)?"));
  return re;
}

}  // namespace

QString coreText(const QString& message) {
  if (message.isEmpty()) return message;
  // Several findings joined by "; " are translated one by one.
  if (message.contains(QStringLiteral("; ")) &&
      QCoreApplication::translate("core", message.toUtf8().constData()) == message) {
    const QStringList parts = message.split(QStringLiteral("; "));
    QStringList out;
    bool changed = false;
    for (const QString& part : parts) {
      out << coreText(part);
      changed |= out.back() != part;
    }
    if (changed) return out.join(QStringLiteral("; "));
  }
  const QString direct = QCoreApplication::translate("core", message.toUtf8().constData());
  if (direct != message) return direct;
  // Numbers become placeholders, the pattern is translated, and the numbers go back in.
  QStringList found;
  QString pattern;
  int last = 0;
  auto it = numbers().globalMatch(message);
  while (it.hasNext()) {
    const auto m = it.next();
    pattern += message.mid(last, m.capturedStart() - last);
    found << m.captured();
    pattern += QStringLiteral("%") + QString::number(found.size());
    last = m.capturedEnd();
  }
  if (found.isEmpty() || found.size() > 9) return message;
  pattern += message.mid(last);
  QString out = QCoreApplication::translate("core", pattern.toUtf8().constData());
  if (out == pattern) return message;
  for (const QString& n : found) out = out.arg(n);
  return out;
}

QString coreText(const std::string& message) { return coreText(QString::fromStdString(message)); }

}  // namespace fm::ui
