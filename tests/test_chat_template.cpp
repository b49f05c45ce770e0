// Chat prompts must be byte-identical to transformers' apply_chat_template for each family's
// official template: a model fine-tuned on one layout answers worse on any other.
#include <QtTest>

#include "tokenize/chat_template.h"

namespace {

using Kind = fm::ChatFormat::Kind;

const std::vector<fm::ChatMessage> kConversation = {
    {"system", "You are terse."},
    {"user", "Hi!"},
    {"assistant", "Hello. How can I help?"},
    {"user", "Name a colour."},
};

fm::SpecialTokens specials(const char* bos, const char* eos) {
  fm::SpecialTokens s;
  s.bosText = bos;
  s.eosText = eos;
  return s;
}

const std::string kFixtures = std::string(FM_TEST_FIXTURES) + "/tokenizers/";

}  // namespace

Q_DECLARE_METATYPE(fm::ChatFormat::Kind)

class TestChatTemplate : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void detect_data() {
    QTest::addColumn<QString>("jinja");
    QTest::addColumn<Kind>("kind");
    QTest::addColumn<bool>("warns");
    QTest::newRow("qwen2 chatml")
        << "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + "
           "message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
        << Kind::ChatML << false;
    QTest::newRow("llama3")
        << "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' }}"
        << Kind::Llama3 << false;
    QTest::newRow("llama2")
        << "{{ bos_token + '[INST] ' + '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' }}"
        << Kind::Llama2 << false;
    QTest::newRow("mistral") << "{{ bos_token }}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
                             << Kind::Mistral << false;
    QTest::newRow("zephyr eos_token") << "{{ '<|user|>\\n' + message['content'] + eos_token }}"
                                      << Kind::Zephyr << false;
    QTest::newRow("zephyr literal") << "{{ '<|user|>\\n' + message['content'] + '</s>' }}"
                                    << Kind::Zephyr << false;
    QTest::newRow("empty") << "" << Kind::Plain << false;
    QTest::newRow("unknown") << "{{ '<start_of_turn>' + role }}" << Kind::Plain << true;
  }

  void detect() {
    QFETCH(QString, jinja);
    QFETCH(Kind, kind);
    QFETCH(bool, warns);
    const fm::ChatFormat format = fm::ChatFormat::detect(jinja.toStdString());
    QCOMPARE(format.kind, kind);
    QCOMPARE(!format.message.empty(), warns);
    if (warns) QVERIFY(QString::fromStdString(format.message).contains("not recognised"));
  }

  void render_data() {
    QTest::addColumn<Kind>("kind");
    QTest::addColumn<bool>("generationPrompt");
    QTest::addColumn<QString>("bos");
    QTest::addColumn<QString>("eos");
    QTest::addColumn<QString>("expected");
    QTest::newRow("chatml") << Kind::ChatML << true << "" << "<|im_end|>"
        << "<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n"
           "<|im_start|>assistant\nHello. How can I help?<|im_end|>\n"
           "<|im_start|>user\nName a colour.<|im_end|>\n<|im_start|>assistant\n";
    QTest::newRow("chatml, no prompt") << Kind::ChatML << false << "" << "<|im_end|>"
        << "<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n"
           "<|im_start|>assistant\nHello. How can I help?<|im_end|>\n"
           "<|im_start|>user\nName a colour.<|im_end|>\n";
    QTest::newRow("llama3") << Kind::Llama3 << true << "<|begin_of_text|>" << "<|eot_id|>"
        << "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|>"
           "<|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|>"
           "<|start_header_id|>assistant<|end_header_id|>\n\nHello. How can I help?<|eot_id|>"
           "<|start_header_id|>user<|end_header_id|>\n\nName a colour.<|eot_id|>"
           "<|start_header_id|>assistant<|end_header_id|>\n\n";
    QTest::newRow("llama2") << Kind::Llama2 << true << "<s>" << "</s>"
        << "<s>[INST] <<SYS>>\nYou are terse.\n<</SYS>>\n\nHi! [/INST] Hello. How can I help? </s>"
           "<s>[INST] Name a colour. [/INST]";
    QTest::newRow("mistral") << Kind::Mistral << true << "<s>" << "</s>"
        << "<s>[INST] You are terse.\n\nHi! [/INST]Hello. How can I help?</s>"
           "[INST] Name a colour. [/INST]";
    QTest::newRow("zephyr") << Kind::Zephyr << true << "<s>" << "</s>"
        << "<|system|>\nYou are terse.</s>\n<|user|>\nHi!</s>\n"
           "<|assistant|>\nHello. How can I help?</s>\n<|user|>\nName a colour.</s>\n"
           "<|assistant|>\n";
    QTest::newRow("zephyr, no prompt") << Kind::Zephyr << false << "<s>" << "</s>"
        << "<|system|>\nYou are terse.</s>\n<|user|>\nHi!</s>\n"
           "<|assistant|>\nHello. How can I help?</s>\n<|user|>\nName a colour.</s>\n";
    QTest::newRow("plain") << Kind::Plain << true << "" << ""
        << "System: You are terse.\nUser: Hi!\nAssistant: Hello. How can I help?\n"
           "User: Name a colour.\nAssistant:";
  }

  void render() {
    QFETCH(Kind, kind);
    QFETCH(bool, generationPrompt);
    QFETCH(QString, bos);
    QFETCH(QString, eos);
    QFETCH(QString, expected);
    fm::SpecialTokens special;
    special.bosText = bos.toStdString();
    special.eosText = eos.toStdString();
    QCOMPARE(QString::fromStdString(fm::renderChat(kind, kConversation, generationPrompt, special)),
             expected);
  }

  void renderWithoutSystem_data() {
    QTest::addColumn<Kind>("kind");
    QTest::addColumn<QString>("expected");
    QTest::newRow("llama2") << Kind::Llama2 << "<s>[INST] Hi! [/INST]";
    QTest::newRow("mistral") << Kind::Mistral << "<s>[INST] Hi! [/INST]";
    QTest::newRow("chatml") << Kind::ChatML << "<|im_start|>user\nHi!<|im_end|>\n<|im_start|>assistant\n";
  }

  void renderWithoutSystem() {
    QFETCH(Kind, kind);
    QFETCH(QString, expected);
    QCOMPARE(QString::fromStdString(fm::renderChat(kind, {{"user", "Hi!"}}, true, specials("<s>", "</s>"))),
             expected);
  }

  void stopStrings_data() {
    QTest::addColumn<Kind>("kind");
    QTest::addColumn<QString>("eos");
    QTest::addColumn<QStringList>("stops");
    QTest::newRow("chatml") << Kind::ChatML << "<|im_end|>" << QStringList{"<|im_end|>"};
    QTest::newRow("chatml, endoftext eos") << Kind::ChatML << "<|endoftext|>"
                                           << QStringList{"<|im_end|>", "<|endoftext|>"};
    QTest::newRow("llama3") << Kind::Llama3 << "<|eot_id|>"
                            << QStringList{"<|eot_id|>", "<|end_of_text|>"};
    QTest::newRow("llama2") << Kind::Llama2 << "</s>" << QStringList{"</s>"};
    QTest::newRow("mistral") << Kind::Mistral << "</s>" << QStringList{"</s>"};
    QTest::newRow("zephyr") << Kind::Zephyr << "</s>" << QStringList{"</s>", "<|user|>"};
    QTest::newRow("plain") << Kind::Plain << "" << QStringList{"\nUser:"};
  }

  void stopStrings() {
    QFETCH(Kind, kind);
    QFETCH(QString, eos);
    QFETCH(QStringList, stops);
    QStringList got;
    for (const auto& s : fm::chatStopStrings(kind, specials("", eos.toUtf8().constData()))) {
      got << QString::fromStdString(s);
    }
    QCOMPARE(got, stops);
  }

  void kindNames() {
    QCOMPARE(QString(fm::chatKindName(Kind::ChatML)), QString("ChatML"));
    QCOMPARE(QString(fm::chatKindName(Kind::Llama3)), QString("Llama 3"));
    QCOMPARE(QString(fm::chatKindName(Kind::Plain)), QString("Plain"));
  }

  // The rendered prompt is tokenized without added specials; the template's own markers must
  // come out as single special ids, BOS first.
  void fixtureFoldersEndToEnd_data() {
    QTest::addColumn<QString>("folder");
    QTest::addColumn<Kind>("kind");
    QTest::addColumn<QString>("firstPiece");
    QTest::newRow("llama3") << "llama3_bytelevel" << Kind::Llama3 << "<|begin_of_text|>";
    QTest::newRow("qwen2") << "qwen2_bytelevel" << Kind::ChatML << "<|im_start|>";
    // Zephyr has no BOS in its template (TinyLlama adds it as add_bos_token).
    QTest::newRow("tinyllama") << "llama2_spbpe" << Kind::Zephyr << "▁<";
    QTest::newRow("mistral (template list)") << "metaspace_spbpe" << Kind::Mistral << "<s>";
    QTest::newRow("llama2 (tokenizer.model)") << "sp_bpe_model" << Kind::Llama2 << "<s>";
  }

  void fixtureFoldersEndToEnd() {
    QFETCH(QString, folder);
    QFETCH(Kind, kind);
    QFETCH(QString, firstPiece);
    auto tok = fm::Tokenizer::fromFolder(kFixtures + folder.toStdString());
    const fm::ChatFormat format = fm::ChatFormat::detect(tok->chatTemplate());
    QCOMPARE(format.kind, kind);
    const std::string prompt = fm::renderChat(format.kind, kConversation, true, tok->special());
    const auto pieces = tok->encodePieces(prompt, false);
    QVERIFY(!pieces.empty());
    QVERIFY2(QString::fromStdString(pieces.front()).contains(firstPiece), pieces.front().c_str());
    // The end-of-turn stop string is a single vocabulary token, so generation can stop on
    // its id as well as on text.
    const auto stops = fm::chatStopStrings(format.kind, tok->special());
    QVERIFY(!stops.empty());
    QVERIFY2(tok->pieceToId(stops.front()).has_value(), stops.front().c_str());
  }
};

QTEST_APPLESS_MAIN(TestChatTemplate)
#include "test_chat_template.moc"
