#include "tokenize/sentencepiece_tokenizer.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "tokenize/hf_components.h"
#include "tokenize/spm_backend.h"
#include "tokenize/text_util.h"
#include "util/error.h"

namespace fm {
namespace {

// The protobuf wire format, as far as needed to find the normalizer charsmaps of a
// ModelProto. Returns false on anything malformed (libsentencepiece then reports it).
bool readVarint(const std::string& b, size_t& i, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (i >= b.size()) return false;
    const unsigned char c = static_cast<unsigned char>(b[i++]);
    v |= static_cast<uint64_t>(c & 0x7F) << shift;
    if (c < 0x80) return true;
  }
  return false;
}

// Calls onField(field number, payload) for each length-delimited field of a message.
template <typename F>
bool forEachBytesField(const std::string& b, F onField) {
  size_t i = 0;
  while (i < b.size()) {
    uint64_t key = 0, n = 0;
    if (!readVarint(b, i, key)) return false;
    switch (key & 7) {
      case 0:
        if (!readVarint(b, i, n)) return false;
        break;
      case 1:
        i += 8;
        break;
      case 5:
        i += 4;
        break;
      case 2:
        if (!readVarint(b, i, n) || n > b.size() - i) return false;
        onField(key >> 3, b.substr(i, n));
        i += n;
        break;
      default:
        return false;
    }
    if (i > b.size()) return false;
  }
  return true;
}

// libsentencepiece follows the trie in precompiled_charsmap without bounds checks, so a
// damaged one crashes it: check NormalizerSpec (field 3) and DenormalizerSpec (field 5),
// whose field 2 is the charsmap, before loading.
void checkCharsmaps(const std::string& model, const std::string& file) {
  forEachBytesField(model, [&](uint64_t field, const std::string& spec) {
    if (field != 3 && field != 5) return;
    forEachBytesField(spec, [&](uint64_t inner, const std::string& charsmap) {
      if (inner == 2) hf::checkPrecompiledCharsmap(charsmap, file);
    });
  });
}

}  // namespace

SentencePieceTokenizer::SentencePieceTokenizer() : m_sp(createSpmBackend()) {}

SentencePieceTokenizer::~SentencePieceTokenizer() = default;

std::unique_ptr<SentencePieceTokenizer> SentencePieceTokenizer::fromFile(
    const std::filesystem::path& model) {
  const std::string file = model.string();
  // Read the bytes ourselves so a missing file is an IoError and a bad one a FormatError
  // (libsentencepiece reports both as a generic status).
  std::ifstream in(model, std::ios::binary);
  if (!in) throw IoError(file + ": cannot be opened for reading");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  checkCharsmaps(bytes.str(), file);
  std::unique_ptr<SentencePieceTokenizer> tok(new SentencePieceTokenizer());
  std::string error;
  if (!tok->m_sp->load(bytes.str(), &error))
    throw FormatError(file + ": not a valid SentencePiece model (" + error + ")");
  const auto& sp = *tok->m_sp;
  for (int id = 0; id < sp.pieceSize(); ++id) {
    if (sp.isControl(id) && !sp.idToPiece(id).empty()) {
      tok->m_controlPieces.emplace_back(sp.idToPiece(id), id);
    }
  }
  std::sort(tok->m_controlPieces.begin(), tok->m_controlPieces.end(),
            [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });

  SpecialTokens& special = tok->m_special;
  auto setId = [&sp](std::optional<int32_t>& id, std::string& text, int value) {
    if (value < 0 || value >= sp.pieceSize()) return;
    id = value;
    text = sp.idToPiece(value);
  };
  setId(special.bos, special.bosText, sp.bosId());
  setId(special.eos, special.eosText, sp.eosId());
  setId(special.pad, special.padText, sp.padId());
  setId(special.unk, special.unkText, sp.unkId());
  // LlamaTokenizer's defaults; tokenizer_config.json may override them.
  special.addBos = special.bos.has_value();
  special.addEos = false;
  return tok;
}

void SentencePieceTokenizer::encodePlain(const std::string& raw, std::vector<int32_t>& ids) const {
  std::string s = raw;
  if (m_canonical) {
    // SiglipTokenizer: lower-case (Python's str.lower), drop string.punctuation, collapse
    // \s+ to one space, strip.
    if (m_lowercase) s = text::lowercase(s);
    static const std::string kPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    std::string kept;
    kept.reserve(s.size());
    bool space = false;
    for (size_t i = 0; i < s.size();) {
      size_t len = 1;
      const char32_t c = text::decodeAt(s, i, &len);
      if (c < 0x80 && kPunctuation.find(static_cast<char>(c)) != std::string::npos) {
        i += len;
        continue;
      }
      if (text::isWhitespace(c)) {
        space = true;
      } else {
        if (space && !kept.empty()) kept += ' ';
        space = false;
        kept.append(s, i, len);
      }
      i += len;
    }
    s = std::move(kept);
  }
  if (s.empty()) return;
  std::vector<int> pieces;
  std::string error;
  if (!m_sp->encode(s, &pieces, &error)) throw FormatError("sentencepiece encode failed: " + error);
  ids.insert(ids.end(), pieces.begin(), pieces.end());
}

std::vector<int32_t> SentencePieceTokenizer::encode(const std::string& text, bool addSpecial) const {
  std::vector<int32_t> ids;
  if (addSpecial && m_special.addBos && m_special.bos) ids.push_back(*m_special.bos);
  size_t segmentStart = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    auto match = std::find_if(m_controlPieces.begin(), m_controlPieces.end(), [&](const auto& c) {
      return text.compare(pos, c.first.size(), c.first) == 0;
    });
    if (match == m_controlPieces.end()) {
      ++pos;
      continue;
    }
    encodePlain(text.substr(segmentStart, pos - segmentStart), ids);
    ids.push_back(match->second);
    pos += match->first.size();
    segmentStart = pos;
  }
  encodePlain(text.substr(segmentStart), ids);
  if (addSpecial && m_special.addEos && m_special.eos) ids.push_back(*m_special.eos);
  return ids;
}

size_t SentencePieceTokenizer::specialTokenCount(bool pair) const {
  const size_t one = (m_special.addBos && m_special.bos ? 1 : 0) +
                     (m_special.addEos && m_special.eos ? 1 : 0);
  return pair ? 2 * one : one;
}

Encoding SentencePieceTokenizer::withSpecialTokens(std::vector<int32_t> first,
                                                   const std::vector<int32_t>* second) const {
  Encoding out;
  auto append = [&](const std::vector<int32_t>& ids) {
    if (m_special.addBos && m_special.bos) out.ids.push_back(*m_special.bos);
    out.ids.insert(out.ids.end(), ids.begin(), ids.end());
    if (m_special.addEos && m_special.eos) out.ids.push_back(*m_special.eos);
  };
  append(first);
  if (second) append(*second);
  out.typeIds.assign(out.ids.size(), 0);
  return out;
}

std::string SentencePieceTokenizer::decode(const std::vector<int32_t>& ids, bool skipSpecial) const {
  // libsentencepiece renders control ids as nothing; when they are kept, write their text
  // between the decoded runs so the user sees where a turn ended.
  std::string out;
  std::vector<int> run;
  auto flush = [&]() {
    if (run.empty()) return;
    out += m_sp->decode(run);
    run.clear();
  };
  for (int32_t id : ids) {
    if (id < 0 || id >= m_sp->pieceSize()) continue;
    if (m_sp->isControl(id)) {
      if (skipSpecial) continue;
      flush();
      out += m_sp->idToPiece(id);
      continue;
    }
    run.push_back(id);
  }
  flush();
  return out;
}

int32_t SentencePieceTokenizer::vocabSize() const { return m_sp->pieceSize(); }

std::string SentencePieceTokenizer::idToPiece(int32_t id) const {
  if (id < 0 || id >= m_sp->pieceSize()) return std::string();
  return m_sp->idToPiece(id);
}

std::optional<int32_t> SentencePieceTokenizer::pieceToId(const std::string& piece) const {
  int id = m_sp->pieceToId(piece);
  // PieceToId answers unk_id for unknown pieces; only the unk piece itself maps to it.
  if (id == m_sp->unkId() && piece != m_sp->idToPiece(id)) return std::nullopt;
  return id;
}

bool SentencePieceTokenizer::isSpecial(int32_t id) const {
  return id >= 0 && id < m_sp->pieceSize() && m_sp->isControl(id);
}

}  // namespace fm
