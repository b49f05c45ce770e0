// Chat prompts must be byte-identical to transformers' apply_chat_template: a model fine-tuned
// on one layout answers worse on any other. The expected prompts come from python3-jinja2
// rendering the templates the fixture folders ship (fixtures/chat_templates/make_expected.py).
#include <QtTest>

#include <fstream>

#include <nlohmann/json.hpp>

#include "tokenize/chat_template.h"
#include "tokenize/tokenizer.h"
#include "util/error.h"

namespace {

using OJson = nlohmann::ordered_json;

const std::string kFixtures = std::string(FM_TEST_FIXTURES);

OJson readJson(const std::string& path) {
  std::ifstream in(path);
  return OJson::parse(in);
}

void writeFile(const QString& dir, const QString& name, const std::string& text) {
  QFile f(dir + "/" + name);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(text.data(), static_cast<qint64>(text.size()));
}

// A folder with a WordLevel tokenizer whose vocabulary has the given special tokens.
void writeTokenizerFolder(const QString& dir, const OJson& config) {
  const std::string tok = R"({"model": {"type": "WordLevel", "vocab": {"<unk>": 0, "<s>": 1, "</s>": 2,
    "<|im_end|>": 3}, "unk_token": "<unk>"}, "pre_tokenizer": {"type": "Whitespace"}})";
  writeFile(dir, "tokenizer.json", tok);
  writeFile(dir, "tokenizer_config.json", config.dump());
}

template <typename E, typename F>
std::string messageOf(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

class TestChatTemplate : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  // The templates real model folders ship (Llama 3, Qwen2, TinyLlama/Zephyr, Mistral as a
  // named-template list, Llama 2 beside a tokenizer.model) render exactly as jinja2 renders
  // them, including the template's own refusals.
  void folderTemplatesMatchJinja2_data() {
    QTest::addColumn<int>("row");
    const OJson rows = readJson(kFixtures + "/chat_templates/folders_expected.json")["rows"];
    QVERIFY(rows.size() >= 20);
    for (size_t i = 0; i < rows.size(); ++i)
      QTest::newRow(rows[i]["name"].get<std::string>().c_str()) << static_cast<int>(i);
  }

  void folderTemplatesMatchJinja2() {
    QFETCH(int, row);
    const OJson r = readJson(kFixtures + "/chat_templates/folders_expected.json")["rows"][static_cast<size_t>(row)];
    auto tok = fm::Tokenizer::fromFolder(kFixtures + "/tokenizers/" + r["folder"].get<std::string>());
    const fm::ChatTemplate chat = fm::ChatTemplate::forTokenizer(*tok);
    QVERIFY(!chat.isFallback());
    const bool gen = r["add_generation_prompt"].get<bool>();
    if (r.contains("error")) {
      QCOMPARE(QString::fromStdString(messageOf<fm::ConfigError>([&] { chat.render(r["messages"], gen); })),
               QString::fromStdString(r["error"].get<std::string>()));
      return;
    }
    QCOMPARE(QString::fromStdString(chat.render(r["messages"], gen)),
             QString::fromStdString(r["expected"].get<std::string>()));
  }

  // Generation stops at the marker each family writes after an assistant turn, and that
  // marker is one vocabulary token, so the stop also works on ids.
  void stopStringsOfFolders_data() {
    QTest::addColumn<QString>("folder");
    QTest::addColumn<QString>("endOfTurn");
    QTest::newRow("llama3") << "llama3_bytelevel" << "<|eot_id|>";
    QTest::newRow("qwen2") << "qwen2_bytelevel" << "<|im_end|>";
    QTest::newRow("tinyllama zephyr") << "llama2_spbpe" << "</s>";
    QTest::newRow("mistral") << "metaspace_spbpe" << "</s>";
    QTest::newRow("llama2") << "sp_bpe_model" << "</s>";
  }

  void stopStringsOfFolders() {
    QFETCH(QString, folder);
    QFETCH(QString, endOfTurn);
    auto tok = fm::Tokenizer::fromFolder(kFixtures + "/tokenizers/" + folder.toStdString());
    const auto stops = fm::ChatTemplate::forTokenizer(*tok).stopStrings();
    QVERIFY(!stops.empty());
    QCOMPARE(QString::fromStdString(stops.front()), endOfTurn);
    QVERIFY(tok->pieceToId(stops.front()).has_value());
  }

  // The family templates written in each family's style: the end-of-turn marker found by
  // rendering one assistant turn.
  void stopStringsOfFamilies_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("endOfTurn");
    QTest::newRow("llama2") << "llama2" << "</s>";
    QTest::newRow("llama3") << "llama3" << "<|eot_id|>";
    QTest::newRow("qwen2.5") << "qwen2_5" << "<|im_end|>";
    QTest::newRow("mistral") << "mistral" << "</s>";
    QTest::newRow("gemma") << "gemma" << "<end_of_turn>";
    QTest::newRow("phi3") << "phi3" << "<|end|>";
    QTest::newRow("zephyr") << "zephyr" << "</s>";
    QTest::newRow("smollm2") << "smollm2" << "<|im_end|>";
  }

  void stopStringsOfFamilies() {
    QFETCH(QString, file);
    QFETCH(QString, endOfTurn);
    std::ifstream in(kFixtures + "/chat_templates/" + file.toStdString() + ".jinja");
    const std::string src((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    QVERIFY(!src.empty());
    const auto chat = fm::ChatTemplate::fromSources({{"default", src}}, {{"bos_token", "<s>"}, {"eos_token", "</s>"}});
    QVERIFY(!chat.stopStrings().empty());
    QCOMPARE(QString::fromStdString(chat.stopStrings().front()), endOfTurn);
  }

  // Named templates: "tool_use" is chosen when tools are given (as transformers does), the
  // default otherwise; a list without a default names what it has.
  void namedTemplates() {
    QTemporaryDir dir;
    writeTokenizerFolder(dir.path(), OJson{{"eos_token", "</s>"},
                                           {"chat_template", OJson::array({
                                               {{"name", "default"}, {"template", "D{{ messages|length }}"}},
                                               {{"name", "tool_use"}, {"template", "T{{ tools|length }}"}}})}});
    auto tok = fm::Tokenizer::fromFolder(dir.path().toStdString());
    const auto chat = fm::ChatTemplate::forTokenizer(*tok);
    const OJson messages = OJson::array({{{"role", "user"}, {"content", "hi"}}});
    QCOMPARE(QString::fromStdString(chat.render(messages, true)), QString("D1"));
    QCOMPARE(QString::fromStdString(chat.render(messages, true, OJson::array({1, 2, 3}))), QString("T3"));

    QTemporaryDir other;
    writeTokenizerFolder(other.path(), OJson{{"chat_template", OJson::array({
                                                 {{"name", "rag"}, {"template", "R"}},
                                                 {{"name", "tool_use"}, {"template", "T"}}})}});
    auto tok2 = fm::Tokenizer::fromFolder(other.path().toStdString());
    const auto chat2 = fm::ChatTemplate::forTokenizer(*tok2);
    const std::string msg = messageOf<fm::ConfigError>([&] { chat2.render(messages, true); });
    QVERIFY2(msg.find("rag, tool_use") != std::string::npos && msg.find("default") != std::string::npos,
             msg.c_str());
  }

  // transformers saves templates in chat_template.jinja; that file wins over the config.
  void jinjaFileWins() {
    QTemporaryDir dir;
    writeTokenizerFolder(dir.path(), OJson{{"chat_template", "from config"}});
    writeFile(dir.path(), "chat_template.jinja", "from file {{ eos_token }}");
    auto tok = fm::Tokenizer::fromFolder(dir.path().toStdString());
    QCOMPARE(QString::fromStdString(fm::ChatTemplate::forTokenizer(*tok).render(OJson::array(), false)),
             QString("from file "));
  }

  // Variables transformers passes: special tokens, add_generation_prompt, and tools /
  // documents as None (defined, but none) when not given.
  void contextVariables() {
    const auto chat = fm::ChatTemplate::fromSources(
        {{"default", "{{ bos_token }}|{{ eos_token }}|{{ add_generation_prompt }}|{{ tools is defined }}|"
                     "{{ tools is none }}|{{ documents is none }}|{{ unk_token is defined }}"}},
        {{"bos_token", "<s>"}, {"eos_token", "</s>"}});
    QCOMPARE(QString::fromStdString(chat.render(OJson::array(), true)),
             QString("<s>|</s>|True|True|True|True|False"));
  }

  void raiseExceptionIsTheMessage() {
    const auto chat = fm::ChatTemplate::fromSources(
        {{"default", "{% if messages[0]['role'] != 'user' %}{{ raise_exception('First message must be from the user') }}{% endif %}ok"}},
        {});
    const OJson sys = OJson::array({{{"role", "system"}, {"content", "x"}}});
    QCOMPARE(QString::fromStdString(messageOf<fm::ConfigError>([&] { chat.render(sys, true); })),
             QString("First message must be from the user"));
  }

  void unparsableTemplateIsNamed() {
    const std::string msg = messageOf<fm::ConfigError>(
        [] { fm::ChatTemplate::fromSources({{"default", "{% for m in messages %}"}}, {}); });
    QVERIFY2(msg.find("chat template does not parse") != std::string::npos, msg.c_str());
  }

  // A folder without a template still chats, in plain "Role: text" lines, and says so.
  void fallbackWithoutTemplate() {
    auto tok = fm::Tokenizer::fromFolder(kFixtures + "/tokenizers/gpt2_bytelevel");
    const auto chat = fm::ChatTemplate::forTokenizer(*tok);
    QVERIFY(chat.isFallback());
    QVERIFY(QString::fromStdString(chat.note()).contains("no chat template"));
    const std::vector<fm::ChatMessage> msgs = {{"system", "Be terse."}, {"user", "Hi!"}, {"assistant", "Hello."},
                                               {"user", "Bye"}};
    QCOMPARE(QString::fromStdString(chat.render(msgs, true)),
             QString("System: Be terse.\nUser: Hi!\nAssistant: Hello.\nUser: Bye\nAssistant:"));
    QCOMPARE(QString::fromStdString(chat.stopStrings().front()), QString("\nUser:"));
  }
};

QTEST_APPLESS_MAIN(TestChatTemplate)
#include "test_chat_template.moc"
