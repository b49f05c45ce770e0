// Chat templates must render byte for byte as transformers renders them (jinja2's sandbox with
// trim_blocks/lstrip_blocks/loopcontrols): a prompt laid out differently from training makes
// the model answer worse. Expectations come from python3-jinja2 via
// fixtures/chat_templates/make_expected.py, never from this interpreter.
#include <QtTest>

#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "tokenize/jinja.h"
#include "util/error.h"

namespace {

const std::string kDir = std::string(FM_TEST_FIXTURES) + "/chat_templates/";

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const nlohmann::ordered_json& expectedRows() {
  static const nlohmann::ordered_json rows =
      nlohmann::ordered_json::parse(readFile(kDir + "expected.json"))["rows"];
  return rows;
}

std::string templateOf(const nlohmann::ordered_json& row) {
  if (row.contains("template")) return row["template"].get<std::string>();
  return readFile(kDir + row["template_file"].get<std::string>());
}

}  // namespace

class TestJinja : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void matchesJinja2_data() {
    QTest::addColumn<int>("row");
    const auto& rows = expectedRows();
    QVERIFY(rows.size() > 100);
    for (size_t k = 0; k < rows.size(); ++k)
      QTest::newRow(rows[k]["name"].get<std::string>().c_str()) << int(k);
  }

  void matchesJinja2() {
    QFETCH(int, row);
    const auto& r = expectedRows()[size_t(row)];
    const std::string src = templateOf(r);
    if (r.contains("expected")) {
      std::string got;
      try {
        got = fm::jinja::Template::parse(src).render(r["context"]);
      } catch (const std::exception& e) {
        QFAIL(qPrintable(QString("threw: ") + e.what()));
      }
      QCOMPARE(QString::fromStdString(got), QString::fromStdString(r["expected"].get<std::string>()));
      QCOMPARE(got, r["expected"].get<std::string>());  // bytes, not only the decoded text
      return;
    }
    const std::string kind = r["error_kind"].get<std::string>();
    try {
      fm::jinja::Template::parse(src).render(r["context"]);
      QFAIL(qPrintable(QString::fromStdString("expected a " + kind + " error: " + r["error"].get<std::string>())));
    } catch (const fm::ConfigError& e) {
      const std::string msg = e.what();
      if (kind == "raise") QCOMPARE(QString::fromStdString(msg), QString::fromStdString(r["error"].get<std::string>()));
      if (kind == "syntax") {
        const std::string line = "line " + std::to_string(r["line"].get<int>());
        QVERIFY2(msg.find(line) != std::string::npos, (msg + " (wanted " + line + ")").c_str());
      }
    }
  }

  // A template is parsed once and rendered by several generation jobs at the same time.
  void rendersConcurrently() {
    const auto& rows = expectedRows();
    const nlohmann::ordered_json* row = nullptr;
    for (const auto& r : rows)
      if (r["name"] == "qwen2_5/tools") row = &r;
    QVERIFY(row);
    const auto tpl = fm::jinja::Template::parse(templateOf(*row));
    const std::string want = (*row)["expected"].get<std::string>();
    std::atomic<int> mismatches{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
      threads.emplace_back([&] {
        for (int k = 0; k < 50; ++k)
          if (tpl.render((*row)["context"]) != want) ++mismatches;
      });
    for (auto& t : threads) t.join();
    QCOMPARE(mismatches.load(), 0);
  }

  void plainJsonContextSortsKeys() {
    nlohmann::json ctx = {{"d", {{"b", 1}, {"a", 2}}}};
    QCOMPARE(fm::jinja::Template::parse("{{ d|tojson }}").render(ctx), std::string("{\"a\": 2, \"b\": 1}"));
  }

  void strftimeNowUsesClockWithoutOverride() {
    const std::string year = fm::jinja::Template::parse("{{ strftime_now('%Y') }}").render(nlohmann::json::object());
    QCOMPARE(int(year.size()), 4);
    QVERIFY(year >= "2024");
  }

  // Hostile templates fail with ConfigError instead of crashing or running forever.
  void boundsRunawayTemplates() {
    const nlohmann::json ctx = nlohmann::json::object();
    const std::string deepParens = std::string(5000, '(') + "1" + std::string(5000, ')');
    QVERIFY_THROWS_EXCEPTION(fm::ConfigError, fm::jinja::Template::parse("{{ " + deepParens + " }}"));
    QVERIFY_THROWS_EXCEPTION(fm::ConfigError,
                             fm::jinja::Template::parse("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}").render(ctx));
    QVERIFY_THROWS_EXCEPTION(
        fm::ConfigError,
        fm::jinja::Template::parse("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}")
            .render(ctx));
    QVERIFY_THROWS_EXCEPTION(
        fm::ConfigError,
        fm::jinja::Template::parse("{% set s = 'x' * 1000000 %}{% for a in range(100000) %}{{ s }}{% endfor %}").render(ctx));
    QVERIFY_THROWS_EXCEPTION(
        fm::ConfigError,
        fm::jinja::Template::parse("{% set ns = namespace(x=[]) %}{% for i in range(100000) %}{% set ns.x = [ns.x] %}{% endfor %}")
            .render(ctx));
    QVERIFY_THROWS_EXCEPTION(fm::ConfigError,
                             fm::jinja::Template::parse("{% set ns = namespace() %}{% set ns.me = ns %}{{ ns }}").render(ctx));
    nlohmann::json deep = nlohmann::json::array();
    for (int k = 0; k < 2000; ++k) deep = nlohmann::json::array({deep});
    QVERIFY_THROWS_EXCEPTION(fm::ConfigError, fm::jinja::Template::parse("{{ d }}").render(nlohmann::json{{"d", deep}}));
    std::string nestedIfs;
    for (int k = 0; k < 1000; ++k) nestedIfs += "{% if true %}";
    QVERIFY_THROWS_EXCEPTION(fm::ConfigError, fm::jinja::Template::parse(nestedIfs));
  }
};

QTEST_APPLESS_MAIN(TestJinja)
#include "test_jinja.moc"
