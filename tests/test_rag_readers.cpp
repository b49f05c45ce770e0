// The Collections readers on small documents made by fixtures/documents/make_documents.py:
// every format's text in order with its page, section path and lines; spans that lead back to
// the text; encodings detected and named; broken, encrypted and scanned files explained.
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <map>

#include "io/atomic_file.h"
#include "jobs/cancelled.h"
#include "rag/document.h"
#include "rag/handbook.h"

namespace fs = std::filesystem;
using fm::rag::Block;
using fm::rag::Document;

namespace {

fs::path fixture(const char* name) { return fs::path(FM_TEST_FIXTURES) / "documents" / name; }

const Block* find(const Document& d, const std::string& text) {
  for (const Block& b : d.blocks)
    if (b.text.find(text) != std::string::npos) return &b;
  return nullptr;
}

// White space runs as single spaces (a PDF wraps lines where it likes).
std::string oneLine(const std::string& s) {
  std::string out;
  for (char c : s) {
    const bool sp = c == '\n' || c == ' ' || c == '\t';
    if (sp && (out.empty() || out.back() == ' ')) continue;
    out += sp ? ' ' : c;
  }
  return out;
}

std::vector<std::string> section(std::initializer_list<const char*> parts) { return {parts.begin(), parts.end()}; }

template <typename E>
QString thrown(const fs::path& p, const fm::rag::ReadOptions& o = {}) {
  try {
    fm::rag::readDocument(p, o);
  } catch (const E& e) {
    return QString::fromStdString(e.what());
  } catch (const std::exception& e) {
    return QStringLiteral("wrong kind: ") + e.what();
  }
  return QStringLiteral("nothing thrown");
}

}  // namespace

class TestRagReaders : public QObject {
  Q_OBJECT
  QTemporaryDir m_dir;

  // Every block's span leads back to its text, in order, without overlap.
  static void checkSpans(const Document& d) {
    uint64_t last = 0;
    for (const Block& b : d.blocks) {
      QVERIFY(b.where.begin >= last);
      QCOMPARE(d.text.substr(b.where.begin, b.where.end - b.where.begin), b.text);
      QVERIFY2(b.where.firstLine >= 1 && b.where.lastLine >= b.where.firstLine, b.text.c_str());
      last = b.where.end;
    }
  }

 private Q_SLOTS:
  void pdfPagesInOrderAndAScanReadByOcr() {
    QVERIFY2(!fm::rag::ocrLanguagesAvailable({"eng"}).empty(),
             "Tesseract's English data (tesseract-ocr-eng) is part of the install; it is missing");
    const Document d = fm::rag::readDocument(fixture("handbook.pdf"));
    QCOMPARE(d.format, std::string("pdf"));
    QCOMPARE(d.pages, 3);
    checkSpans(d);
    const Block* hours = find(d, "Working hours are from nine to five.");
    QVERIFY(hours);
    QCOMPARE(hours->where.page, 1);
    const Block* leave = find(d, "Every employee has 25 days of annual leave.");
    QVERIFY(leave);
    QCOMPARE(leave->where.page, 2);
    QVERIFY(leave->text.find("Unused leave expires") != std::string::npos);  // one paragraph
    // Titles set larger than the body text are headings: a block of their own, and the section
    // of what follows them.
    const Block* title = find(d, "Staff Handbook");
    QVERIFY(title && title->headingLevel > 0 && title->text == "Staff Handbook");
    QCOMPARE(hours->where.section, std::vector<std::string>{"Staff Handbook"});
    QCOMPARE(leave->where.section, std::vector<std::string>{"Leave"});
    QVERIFY(!find(d, "Visitors sign in")->headingLevel);
    QCOMPARE(d.ocrPages, std::vector<int>{3});
    QVERIFY(d.pagesWithoutText.empty());
    const Block* parking = find(d, "Parking permits");
    QVERIFY2(parking, d.text.c_str());
    QCOMPARE(parking->where.page, 3);
    QVERIFY2(parking->text.find("January") != std::string::npos, parking->text.c_str());
  }

  void aScanWithoutOcrIsListedNotHidden() {
    fm::rag::ReadOptions o;
    o.ocr = false;
    const Document d = fm::rag::readDocument(fixture("handbook.pdf"), o);
    QCOMPARE(d.pagesWithoutText, std::vector<int>{3});
    QVERIFY(d.ocrPages.empty());
    QVERIFY(!find(d, "Parking"));
    QCOMPARE(d.notes.size(), size_t{1});
    QVERIFY2(d.notes[0].find("page 3") != std::string::npos && d.notes[0].find("no text layer") != std::string::npos,
             d.notes[0].c_str());
  }

  void brokenAndEncryptedPdfsSayWhich() {
    QString m = thrown<fm::rag::PasswordError>(fixture("encrypted.pdf"));
    QVERIFY2(m.contains("encrypted.pdf") && m.contains("password"), qPrintable(m));
    m = thrown<fm::FormatError>(fixture("truncated.pdf"));
    QVERIFY2(m.contains("truncated.pdf") && !m.startsWith("wrong kind") && m != "nothing thrown", qPrintable(m));
    const fs::path fake = fs::path(m_dir.path().toStdString()) / "fake.pdf";
    fm::writeFileAtomic(fake, "just some words\n");
    m = thrown<fm::FormatError>(fake);
    QVERIFY2(m.contains("fake.pdf") && m.contains("not a PDF"), qPrintable(m));
  }

  void docxParagraphsHeadingsAndTablesInOrder() {
    const Document d = fm::rag::readDocument(fixture("notes.docx"));
    checkSpans(d);
    std::vector<std::string> texts;
    for (const Block& b : d.blocks) texts.push_back(b.text);
    const std::vector<std::string> expected{"사내 규정",    "휴가는 연 25일입니다.", "Canteen",
                                            "Lunch is served\t from noon.", "Item | Price", "Coffee | 2 EUR",
                                            "Boxed note.", "Travel",  "Book trains two weeks ahead."};
    QCOMPARE(texts, expected);  // deleted text and the text box's fallback copy left out
    QCOMPARE(d.blocks[0].headingLevel, 1);  // style "1", outline level 0
    QCOMPARE(d.blocks[2].headingLevel, 2);  // style "2", named "heading 2"
    QCOMPARE(d.blocks[1].where.section, section({"사내 규정"}));
    QCOMPARE(d.blocks[5].where.section, section({"사내 규정", "Canteen"}));
    QCOMPARE(d.blocks[8].where.section, section({"Travel"}));
    QCOMPARE(d.blocks[3].where.firstLine, 4);  // paragraph numbers
  }

  void aDocxWithoutItsBodyOrNotAZipIsRefused() {
    QString m = thrown<fm::FormatError>(fixture("missing_part.docx"));
    QVERIFY2(m.contains("missing_part.docx") && m.contains("word/document.xml"), qPrintable(m));
    const fs::path fake = fs::path(m_dir.path().toStdString()) / "letter.docx";
    fm::writeFileAtomic(fake, "not a zip at all");
    m = thrown<fm::FormatError>(fake);
    QVERIFY2(m.contains("letter.docx") && m.contains("not a zip"), qPrintable(m));
  }

  void htmlVisibleTextWithoutScriptsOrNavigation() {
    const Document d = fm::rag::readDocument(fixture("page.html"));
    checkSpans(d);
    for (const char* gone : {"script text", "color: red", "Hidden promotion", "Home", "About us", "Copyright", "Policies"})
      QVERIFY2(d.text.find(gone) == std::string::npos, gone);
    const Block* receipts = find(d, "Receipts are needed for every claim over 20 euros.");
    QVERIFY2(receipts, d.text.c_str());
    QCOMPARE(receipts->where.section, section({"Expenses"}));
    QCOMPARE(receipts->where.firstLine, 8);
    QCOMPARE(receipts->where.lastLine, 9);
    const Block* trains = find(d, "Trains are booked by the office & paid by the company.");
    QVERIFY(trains);
    QCOMPARE(trains->where.section, section({"Expenses", "Travel"}));
    QVERIFY(find(d, "Class | Allowed"));
    QVERIFY(find(d, "Second | yes"));
    QVERIFY(find(d, "code   keeps   spaces"));
  }

  void htmlInTheCharsetItDeclares() {
    const Document d = fm::rag::readDocument(fixture("page_euckr.html"));
    QVERIFY2(d.encoding.find("EUC-KR") != std::string::npos, d.encoding.c_str());
    const Block* b = find(d, "주차권은 매년 1월에 갱신합니다.");
    QVERIFY2(b, d.text.c_str());
    QCOMPARE(b->where.section, section({"주차 안내"}));
  }

  void markdownHeadingsBecomeTheSectionPath() {
    const Document d = fm::rag::readDocument(fixture("notes.md"));
    checkSpans(d);
    const Block* welcome = find(d, "Welcome to the team.\nThis line continues the paragraph.");
    QVERIFY2(welcome, d.text.c_str());
    QCOMPARE(welcome->where.firstLine, 3);
    QCOMPARE(welcome->where.lastLine, 4);
    QCOMPARE(welcome->where.section, section({"Onboarding"}));
    const Block* laptop = find(d, "- A laptop on day one");
    QVERIFY(laptop);
    QCOMPARE(laptop->where.section, section({"Onboarding", "Equipment"}));
    QCOMPARE(laptop->where.firstLine, 8);
    QVERIFY(find(d, "Item | Owner"));
    QVERIFY(find(d, "Laptop | IT"));
    QVERIFY(find(d, "install --all"));
    const Block* ask = find(d, "Ask IT for e-mail access.");
    QVERIFY(ask);
    QCOMPARE(ask->where.section, section({"Onboarding", "Equipment", "Accounts & access"}));
    QCOMPARE(ask->where.firstLine, 21);
  }

  void textInAnyCommonEncodingIsDetectedAndNamed() {
    struct Case {
      const char* file;
      const char* encoding;
      const char* text;
    };
    for (const Case& c : {Case{"cp949.txt", "CP949", "회의실 예약은 하루 전까지 해야 합니다."},
                          Case{"utf16.txt", "UTF-16LE", "점심 시간은 12시부터 1시까지입니다."},
                          Case{"utf16_nobom.txt", "UTF-16LE", "Plain words in UTF-16 without a byte order mark."},
                          Case{"latin1.txt", "1", "Le café est ouvert à midi.\nLa réunion a lieu en salle Müller."},
                          Case{"utf8bom.txt", "UTF-8 with BOM", "Second paragraph, line one.\nLine two."}}) {
      const Document d = fm::rag::readDocument(fixture(c.file));
      checkSpans(d);
      QVERIFY2(d.encoding.find(c.encoding) != std::string::npos, (std::string(c.file) + ": " + d.encoding).c_str());
      QVERIFY2(find(d, c.text), (std::string(c.file) + ": " + d.text).c_str());
    }
    const Document two = fm::rag::readDocument(fixture("utf8bom.txt"));
    QCOMPARE(two.blocks.size(), size_t{2});
    QCOMPARE(two.blocks[1].where.firstLine, 3);
    QCOMPARE(two.blocks[1].where.lastLine, 4);
  }

  void csvRecordsReadAsColumnValueLines() {
    const Document d = fm::rag::readDocument(fixture("records.csv"));
    QCOMPARE(d.blocks.size(), size_t{2});
    QCOMPARE(d.blocks[0].text, std::string("name: Alice\nphone: 555-0101\nnotes: Prefers e-mail,\nnot calls"));
    QCOMPARE(d.blocks[0].where.firstLine, 2);
    QCOMPARE(d.blocks[0].where.lastLine, 3);
    QCOMPARE(d.blocks[1].text, std::string("name: Bob\nphone: 555-0102"));
    QCOMPARE(d.blocks[1].where.firstLine, 4);
  }

  void unknownKindsAndDisguisedFilesAreRefused() {
    const fs::path root(m_dir.path().toStdString());
    fm::writeFileAtomic(root / "photo.jpg", "\xFF\xD8\xFF");
    QString m = thrown<fm::UnsupportedError>(root / "photo.jpg");
    QVERIFY2(m.contains("photo.jpg") && m.contains(".jpg"), qPrintable(m));
    fs::copy_file(fixture("handbook.pdf"), root / "handbook.txt");
    m = thrown<fm::FormatError>(root / "handbook.txt");
    QVERIFY2(m.contains("handbook.txt") && m.contains("PDF"), qPrintable(m));
    m = thrown<fm::IoError>(root / "absent.md");
    QVERIFY2(m.contains("absent.md"), qPrintable(m));
  }

  // The generated handbook (benchmarks, the demo): every format reads back, and every fact a
  // question asks about is in its document, on the page the question says.
  void theGeneratedHandbookReadsBack() {
    const fs::path dir = fs::path(m_dir.path().toStdString()) / "handbook";
    fm::rag::HandbookOptions o;
    o.documents = 6;
    o.sectionsPerDocument = 4;
    o.koreanDocuments = 4;
    const auto questions = fm::rag::writeHandbook(dir, o);
    QCOMPARE(questions.size(), size_t{40});
    // Korean questions ask in Korean, with the topic particle the noun takes (은 after a final
    // consonant, 는 after a vowel).
    int korean = 0;
    for (const auto& q : questions)
      if (q.document.find("-ko-") != std::string::npos) {
        ++korean;
        QVERIFY2(q.question.find("니까") != std::string::npos || q.question.find("나요") != std::string::npos ||
                     q.question.find("가요") != std::string::npos,
                 q.question.c_str());
        QVERIFY2(q.question.find("팀는") == std::string::npos && q.question.find("데스크은") == std::string::npos,
                 q.question.c_str());
      }
    QCOMPARE(korean, 16);
    std::map<std::string, Document> docs;
    for (const auto& entry : fs::directory_iterator(dir)) {
      Document d = fm::rag::readDocument(entry.path());
      checkSpans(d);
      QVERIFY2(d.notes.empty(), entry.path().c_str());
      docs[entry.path().filename().string()] = std::move(d);
    }
    QCOMPARE(docs.size(), size_t{10});
    for (const auto& q : questions) {
      const Document& d = docs.at(q.document);
      bool found = false;
      for (const Block& b : d.blocks)
        if (oneLine(b.text).find(q.phrase) != std::string::npos) {
          found = true;
          if (q.page) QCOMPARE(b.where.page, q.page);
          // Headings are markup in Word, HTML and Markdown, and larger type in a PDF; plain text
          // carries none.
          const std::string ext = fs::path(q.document).extension().string();
          if (ext == ".docx" || ext == ".html" || ext == ".md" || ext == ".pdf") QVERIFY2(!b.where.section.empty(), b.text.c_str());
        }
      QVERIFY2(found, (q.document + ": " + q.phrase).c_str());
    }
    QCOMPARE(docs.begin()->second.format, std::string("pdf"));
    QCOMPARE(docs.begin()->second.pages, 2);
  }

  void readingStopsWhenAsked() {
    fm::rag::ReadOptions o;
    o.job = fm::JobContext([](double, const std::string&) { return false; }, {});
    bool cancelled = false;
    try {
      fm::rag::readDocument(fixture("handbook.pdf"), o);
    } catch (const fm::CancelledError&) {
      cancelled = true;
    }
    QVERIFY(cancelled);
  }
};

QTEST_GUILESS_MAIN(TestRagReaders)
#include "test_rag_readers.moc"
