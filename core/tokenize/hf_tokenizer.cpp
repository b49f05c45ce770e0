#include "tokenize/hf_tokenizer.h"
#include "util/json_text.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "tokenize/text_util.h"
#include "util/error.h"

namespace fm {
namespace {

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(path.string() + ": cannot be opened for reading");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw IoError(path.string() + ": read failed");
  return buffer.str();
}


bool containsType(const hf::Json& section, const char* type) {
  if (section.is_object()) {
    if (section.value("type", std::string()) == type) return true;
    for (const auto& item : section.items()) {
      if (containsType(item.value(), type)) return true;
    }
  } else if (section.is_array()) {
    for (const auto& item : section) {
      if (containsType(item, type)) return true;
    }
  }
  return false;
}

// Whitespace before `end` (for lstrip) and after `begin` (for rstrip), as HF's \s*$ and ^\s*.
size_t whitespaceStartBefore(const std::string& s, size_t from, size_t end) {
  size_t start = end;
  while (start > from) {
    size_t prev = start - 1;
    while (prev > from && (static_cast<unsigned char>(s[prev]) & 0xC0) == 0x80) --prev;
    size_t n = 0;
    if (!text::isWhitespace(text::decodeAt(s, prev, &n))) break;
    start = prev;
  }
  return start;
}

size_t whitespaceEndAfter(const std::string& s, size_t begin) {
  size_t end = begin;
  while (end < s.size()) {
    size_t n = 0;
    if (!text::isWhitespace(text::decodeAt(s, end, &n))) break;
    end += n;
  }
  return end;
}

bool wordCharBefore(const std::string& s, size_t pos) {
  if (pos == 0) return false;
  size_t prev = pos - 1;
  while (prev > 0 && (static_cast<unsigned char>(s[prev]) & 0xC0) == 0x80) --prev;
  size_t n = 0;
  return text::isWordChar(text::decodeAt(s, prev, &n));
}

bool wordCharAt(const std::string& s, size_t pos) {
  if (pos >= s.size()) return false;
  size_t n = 0;
  return text::isWordChar(text::decodeAt(s, pos, &n));
}

}  // namespace

std::unique_ptr<HfTokenizer> HfTokenizer::fromFile(const std::filesystem::path& tokenizerJson) {
  const std::string file = tokenizerJson.string();
  hf::Json root = parseJson<hf::Json>(readFile(tokenizerJson), file);
  if (!root.is_object()) throw FormatError(file + ": the top level is not a JSON object");

  std::unique_ptr<HfTokenizer> tok(new HfTokenizer());
  tok->m_file = file;
  try {
    auto section = [&](const char* key) { return root.value(key, hf::Json()); };
    tok->m_normalizer = hf::makeNormalizer(section("normalizer"), file);
    tok->m_preTokenizer = hf::makePreTokenizer(section("pre_tokenizer"), file);
    tok->m_model = hf::makeModel(section("model"), file);
    tok->m_postProcessor = hf::makePostProcessor(section("post_processor"), file);
    tok->m_decoder = hf::makeDecoder(section("decoder"), file);

    const hf::Json model = section("model");
    const std::string modelType = model.value("type", std::string("BPE"));
    if (modelType == "BPE") {
      bool byteLevel = containsType(section("pre_tokenizer"), "ByteLevel") ||
                       containsType(section("decoder"), "ByteLevel");
      tok->m_kind = byteLevel ? "byte-level BPE" : "SentencePiece BPE (tokenizer.json)";
    } else if (modelType == "Unigram") {
      tok->m_kind = "SentencePiece Unigram (tokenizer.json)";
    } else {
      tok->m_kind = modelType;
    }

    if (modelType == "BPE" && !containsType(section("decoder"), "BPEDecoder")) {
      auto suffix = model.find("end_of_word_suffix");
      if (suffix != model.end() && suffix->is_string()) tok->m_wordEndToSpace = suffix->get<std::string>();
    }

    std::vector<AddedToken> added;
    for (const hf::Json& t : root.value("added_tokens", hf::Json::array())) {
      AddedToken a;
      a.content = t.at("content").get<std::string>();
      a.id = hf::checkedTokenId(t.at("id"), file, "the added token \"" + a.content + "\"");
      a.special = t.value("special", false);
      a.lstrip = t.value("lstrip", false);
      a.rstrip = t.value("rstrip", false);
      a.singleWord = t.value("single_word", false);
      a.normalized = t.value("normalized", !a.special);
      if (a.content.empty()) throw FormatError(file + ": an added token has empty content");
      added.push_back(std::move(a));
    }
    tok->setAddedTokens(std::move(added));

    if (auto unk = model.find("unk_token"); unk != model.end() && unk->is_string()) {
      tok->m_special.unkText = unk->get<std::string>();
      tok->m_special.unk = tok->pieceToId(tok->m_special.unkText);
    } else if (auto unkId = model.find("unk_id"); unkId != model.end() && unkId->is_number_integer()) {
      tok->m_special.unk = unkId->get<int32_t>();  // makeUnigram checked it is in range
      tok->m_special.unkText = tok->idToPiece(*tok->m_special.unk);
    }
  } catch (const hf::Json::exception& e) {
    throw FormatError(file + ": unexpected structure (" + e.what() + ")");
  }
  return tok;
}

std::unique_ptr<HfTokenizer> HfTokenizer::fromWordPieceVocab(const std::filesystem::path& vocabTxt,
                                                             bool lowercase) {
  const std::string file = vocabTxt.string();
  std::istringstream lines(readFile(vocabTxt));
  std::unordered_map<std::string, int32_t> vocab;
  std::string line;
  int32_t id = 0;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    vocab.emplace(line, id++);
  }
  if (vocab.empty()) throw FormatError(file + ": the vocabulary is empty");

  std::unique_ptr<HfTokenizer> tok(new HfTokenizer());
  tok->m_file = file;
  tok->m_kind = "WordPiece";
  // transformers' BertTokenizerFast defaults, written as the tokenizer.json it would convert to.
  const hf::Json normalizer = {{"type", "BertNormalizer"}, {"clean_text", true},
                               {"handle_chinese_chars", true}, {"strip_accents", nullptr},
                               {"lowercase", lowercase}};
  tok->m_normalizer = hf::makeNormalizer(normalizer, file);
  tok->m_preTokenizer = hf::makePreTokenizer({{"type", "BertPreTokenizer"}}, file);
  tok->m_decoder = hf::makeDecoder({{"type", "WordPiece"}, {"prefix", "##"}, {"cleanup", true}},
                                   file);

  std::vector<AddedToken> added;
  for (const char* special : {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}) {
    auto it = vocab.find(special);
    if (it == vocab.end()) continue;
    AddedToken a;
    a.id = it->second;
    a.content = special;
    a.special = true;
    added.push_back(a);
  }
  auto cls = vocab.find("[CLS]"), sep = vocab.find("[SEP]");
  if (cls == vocab.end() || sep == vocab.end()) {
    throw FormatError(file + ": a BERT vocabulary must contain [CLS] and [SEP]");
  }
  tok->m_postProcessor = hf::makePostProcessor(
      {{"type", "BertProcessing"}, {"cls", {"[CLS]", cls->second}}, {"sep", {"[SEP]", sep->second}}},
      file);
  tok->m_model = hf::makeWordPieceFromVocab(std::move(vocab), "[UNK]");
  tok->setAddedTokens(std::move(added));
  SpecialTokens& sp = tok->m_special;
  sp.cls = tok->pieceToId("[CLS]");
  sp.sep = tok->pieceToId("[SEP]");
  sp.mask = tok->pieceToId("[MASK]");
  sp.pad = tok->pieceToId("[PAD]");
  sp.unk = tok->pieceToId("[UNK]");
  sp.padText = "[PAD]";
  sp.unkText = "[UNK]";
  return tok;
}

void HfTokenizer::setAddedTokens(std::vector<AddedToken> tokens) {
  m_added = std::move(tokens);
  m_rawMatcher = Matcher();
  m_normalizedMatcher = Matcher();
  m_rawMatcher.patterns.resize(m_added.size());
  m_normalizedMatcher.patterns.resize(m_added.size());
  for (size_t i = 0; i < m_added.size(); ++i) {
    const AddedToken& a = m_added[i];
    m_addedById[a.id] = i;
    m_addedByContent.emplace(a.content, i);
    // Normalized tokens are looked for in normalised text, so their pattern is normalised too.
    Matcher& m = a.normalized ? m_normalizedMatcher : m_rawMatcher;
    std::string pattern =
        a.normalized && m_normalizer ? m_normalizer->normalize(a.content) : a.content;
    if (pattern.empty()) continue;
    m.patterns[i] = pattern;
    m.byFirstByte[static_cast<unsigned char>(pattern[0])].push_back(i);
    m.empty = false;
  }
  for (Matcher* m : {&m_rawMatcher, &m_normalizedMatcher}) {
    for (auto& bucket : m->byFirstByte) {
      std::stable_sort(bucket.begin(), bucket.end(), [m](size_t a, size_t b) {
        return m->patterns[a].size() > m->patterns[b].size();
      });
    }
  }
}

std::vector<HfTokenizer::Segment> HfTokenizer::splitOnAdded(const std::string& text,
                                                           const Matcher& matcher) const {
  std::vector<Segment> out;
  if (matcher.empty) {
    out.push_back({0, text.size(), -1});
    return out;
  }
  size_t emitted = 0;  // end of the text already assigned to a segment
  size_t pos = 0;
  while (pos < text.size()) {
    int found = -1;
    for (size_t idx : matcher.byFirstByte[static_cast<unsigned char>(text[pos])]) {
      if (text.compare(pos, matcher.patterns[idx].size(), matcher.patterns[idx]) == 0) {
        found = static_cast<int>(idx);
        break;
      }
    }
    if (found < 0) {
      ++pos;
      continue;
    }
    const AddedToken& a = m_added[found];
    size_t start = pos;
    size_t stop = pos + matcher.patterns[found].size();
    // Like the Aho-Corasick scan HF uses, a rejected match is skipped whole, not re-searched.
    pos = stop;
    if (a.singleWord && (wordCharBefore(text, start) || wordCharAt(text, stop))) continue;
    if (a.lstrip) start = std::max(whitespaceStartBefore(text, 0, start), emitted);
    if (a.rstrip) stop = whitespaceEndAfter(text, stop);
    if (emitted < start) out.push_back({emitted, start, -1});
    out.push_back({start, stop, found});
    emitted = stop;
    pos = stop;
  }
  if (emitted < text.size()) out.push_back({emitted, text.size(), -1});
  return out;
}

void HfTokenizer::encodeSegment(const std::string& text, bool atOrigin,
                                std::vector<int32_t>& ids) const {
  const std::string normalized = m_normalizer ? m_normalizer->normalize(text) : text;
  for (const Segment& seg : splitOnAdded(normalized, m_normalizedMatcher)) {
    if (seg.addedIndex >= 0) {
      ids.push_back(m_added[seg.addedIndex].id);
      continue;
    }
    hf::Piece piece{normalized.substr(seg.start, seg.end - seg.start), atOrigin && seg.start == 0};
    if (piece.text.empty()) continue;
    if (!m_preTokenizer) {
      m_model->tokenize(piece.text, ids);
      continue;
    }
    for (const hf::Piece& word : m_preTokenizer->split(piece)) m_model->tokenize(word.text, ids);
  }
}

std::vector<int32_t> HfTokenizer::encode(const std::string& text, bool addSpecial) const {
  std::vector<int32_t> ids;
  for (const Segment& seg : splitOnAdded(text, m_rawMatcher)) {
    if (seg.addedIndex >= 0) {
      ids.push_back(m_added[seg.addedIndex].id);
    } else if (seg.end > seg.start) {
      encodeSegment(text.substr(seg.start, seg.end - seg.start), seg.start == 0, ids);
    }
  }
  if (addSpecial && m_postProcessor) {
    return hf::postProcess(m_postProcessor.get(), std::move(ids), nullptr, true).ids;
  }
  return ids;
}

size_t HfTokenizer::specialTokenCount(bool pair) const {
  return m_postProcessor ? m_postProcessor->addedTokens(pair) : 0;
}

Encoding HfTokenizer::withSpecialTokens(std::vector<int32_t> first,
                                        const std::vector<int32_t>* second) const {
  return hf::postProcess(m_postProcessor.get(), std::move(first), second, true);
}

std::string HfTokenizer::decode(const std::vector<int32_t>& ids, bool skipSpecial) const {
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (int32_t id : ids) {
    if (auto it = m_addedById.find(id); it != m_addedById.end()) {
      if (skipSpecial && m_added[it->second].special) continue;
      tokens.push_back(m_added[it->second].content);
    } else if (auto token = m_model->idToToken(id)) {
      tokens.push_back(std::move(*token));
    }
  }
  if (!m_decoder) {
    std::string joined;
    for (size_t i = 0; i < tokens.size(); ++i) joined += (i ? " " : "") + tokens[i];
    return joined;
  }
  std::string out;
  for (const std::string& piece : m_decoder->decodeChain(std::move(tokens))) out += piece;
  if (!m_wordEndToSpace.empty()) {
    for (size_t pos = out.find(m_wordEndToSpace); pos != std::string::npos;
         pos = out.find(m_wordEndToSpace, pos + 1)) {
      out.replace(pos, m_wordEndToSpace.size(), " ");
    }
  }
  return out;
}

int32_t HfTokenizer::vocabSize() const {
  int32_t size = m_model->vocabSize();
  for (const AddedToken& a : m_added) size = std::max(size, a.id + 1);
  return size;
}

std::string HfTokenizer::idToPiece(int32_t id) const {
  if (auto it = m_addedById.find(id); it != m_addedById.end()) return m_added[it->second].content;
  return m_model->idToToken(id).value_or(std::string());
}

std::optional<int32_t> HfTokenizer::pieceToId(const std::string& piece) const {
  if (auto it = m_addedByContent.find(piece); it != m_addedByContent.end()) {
    return m_added[it->second].id;
  }
  return m_model->tokenToId(piece);
}

bool HfTokenizer::isSpecial(int32_t id) const {
  auto it = m_addedById.find(id);
  return it != m_addedById.end() && m_added[it->second].special;
}

}  // namespace fm
