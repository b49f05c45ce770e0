#include "rag/store.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <ctime>
#include <fstream>

#include "io/atomic_file.h"
#include "rag/sqlite.h"
#include "util/hash.h"
#include "util/paths.h"

namespace fm::rag {

using nlohmann::json;

namespace {

constexpr int kSchema = 1;

const char* kCreate = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE documents(
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,
  format TEXT, encoding TEXT, hash TEXT, mtime INTEGER, size INTEGER,
  status TEXT NOT NULL, reason TEXT,
  pages INTEGER, chunks INTEGER, ocr_pages TEXT, pages_without_text TEXT,
  ingested_at TEXT, text TEXT);
CREATE TABLE chunks(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  ordinal INTEGER NOT NULL, text TEXT NOT NULL,
  span_begin INTEGER, span_end INTEGER, page INTEGER, section TEXT, first_line INTEGER, last_line INTEGER,
  tokens INTEGER, flag TEXT, embedding BLOB);
CREATE INDEX chunks_document ON chunks(document_id);
CREATE VIRTUAL TABLE chunks_fts USING fts5(body, content='', tokenize='unicode61 remove_diacritics 2');
)sql";

}  // namespace

std::string utcNow() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
#ifdef _WIN32
  gmtime_s(&tm, &t);
#else
  gmtime_r(&t, &tm);
#endif
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {

json settingsJson(const CollectionSettings& s) {
  return {{"embedder",
           {{"folder", s.embedder.folder},
            {"name", s.embedder.name},
            {"dimension", s.embedder.dimension},
            {"fingerprint", s.embedder.fingerprint}}},
          {"reranker", s.reranker},
          {"chunk_tokens", s.chunkTokens},
          {"overlap_tokens", s.overlapTokens},
          {"mask_pii", s.maskPii},
          {"index", s.indexKind}};
}

DocStatus statusOf(const std::string& s) {
  if (s == "ingested") return DocStatus::Ingested;
  if (s == "partial") return DocStatus::Partial;
  if (s == "skipped") return DocStatus::Skipped;
  if (s == "needs a password") return DocStatus::NeedsPassword;
  return DocStatus::Failed;
}

std::vector<int> intList(const std::string& text) {
  std::vector<int> out;
  if (text.empty()) return out;
  const json j = json::parse(text, nullptr, false);
  if (j.is_array())
    for (const auto& v : j)
      if (v.is_number_integer()) out.push_back(v.get<int>());
  return out;
}

uint32_t nextCodePoint(const std::string& s, size_t& i) {
  const auto c = static_cast<unsigned char>(s[i]);
  int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
  if (i + static_cast<size_t>(len) > s.size()) len = 1;
  uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
  for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<size_t>(k)]) & 0x3F);
  i += static_cast<size_t>(len);
  return cp;
}

bool pairedScript(uint32_t cp) {
  return (cp >= 0xAC00 && cp <= 0xD7A3) ||  // Hangul syllables
         (cp >= 0x3040 && cp <= 0x30FF) ||  // kana
         (cp >= 0x4E00 && cp <= 0x9FFF) ||  // CJK ideographs
         (cp >= 0x3400 && cp <= 0x4DBF);
}

// Runs of Hangul, kana or ideographs in `text`, as strings.
std::vector<std::vector<std::string>> pairedRuns(const std::string& text) {
  std::vector<std::vector<std::string>> runs;
  std::vector<std::string> run;
  for (size_t i = 0; i < text.size();) {
    const size_t at = i;
    const uint32_t cp = nextCodePoint(text, i);
    if (pairedScript(cp)) {
      run.push_back(text.substr(at, i - at));
    } else if (!run.empty()) {
      runs.push_back(std::move(run));
      run.clear();
    }
  }
  if (!run.empty()) runs.push_back(std::move(run));
  return runs;
}

}  // namespace

const char* docStatusName(DocStatus s) {
  switch (s) {
    case DocStatus::Ingested: return "ingested";
    case DocStatus::Partial: return "partial";
    case DocStatus::Skipped: return "skipped";
    case DocStatus::Failed: return "failed";
    case DocStatus::NeedsPassword: return "needs a password";
  }
  return "failed";
}

std::string searchText(const std::string& text) {
  std::string out = text;
  for (const auto& run : pairedRuns(text)) {
    if (run.size() < 2) continue;
    out += '\n';
    for (size_t i = 0; i + 1 < run.size(); ++i) out += run[i] + run[i + 1] + ' ';
  }
  return out;
}

std::vector<std::string> keywordTerms(const std::string& text) {
  std::vector<std::string> terms;
  auto addTerm = [&](const std::string& t) {
    if (t.empty() || std::find(terms.begin(), terms.end(), t) != terms.end()) return;
    terms.push_back(t);
  };
  // Words: runs of letters and digits (any script); FTS5's own tokenizer folds case.
  std::string word;
  auto endWord = [&] {
    if (word.empty()) return;
    const auto runs = pairedRuns(word);
    bool paired = false;
    for (const auto& run : runs)
      if (run.size() >= 2) {
        paired = true;
        for (size_t i = 0; i + 1 < run.size(); ++i) addTerm(run[i] + run[i + 1]);
      }
    if (!paired) addTerm(word);
    word.clear();
  };
  for (size_t i = 0; i < text.size();) {
    const size_t at = i;
    const uint32_t cp = nextCodePoint(text, i);
    const bool letter = cp >= 0x80 ? !(cp >= 0x2000 && cp <= 0x206F) && !(cp >= 0x3000 && cp <= 0x303F) && cp != 0xA0 &&
                                         !(cp >= 0xFF00 && cp <= 0xFF0F)
                                   : std::isalnum(static_cast<int>(cp)) != 0;
    if (letter) word += text.substr(at, i - at);
    else endWord();
  }
  endWord();
  return terms;
}

namespace {
std::string ftsString(const std::string& term) {
  std::string quoted = "\"";
  for (char c : term) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}
}  // namespace

std::string keywordQuery(const std::string& text) {
  std::string q;
  for (const std::string& t : keywordTerms(text)) q += (q.empty() ? "" : " OR ") + ftsString(t);
  return q;
}

std::string contentHash(const std::string& bytes) { return fingerprint(bytes); }

std::string fileHash(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw IoError(utf8(file) + ": cannot be opened");
  uint64_t h = kFnvStart;
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    h = fnv1a64(h, buf.data(), static_cast<size_t>(in.gcount()));
  }
  return hex16(h);
}

std::string embedderFingerprint(const std::filesystem::path& folder) {
  std::string all;
  for (const char* name : {"config.json", "modules.json", "1_Pooling/config.json", "sentence_bert_config.json",
                           "config_sentence_transformers.json", "tokenizer_config.json"}) {
    std::ifstream in(folder / name, std::ios::binary);
    if (!in) continue;
    all += name;
    all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::error_code ec;
  for (const char* name : {"model.safetensors", "tokenizer.json", "vocab.txt"}) {
    const auto size = std::filesystem::file_size(folder / name, ec);
    if (!ec) all += std::string(name) + ":" + std::to_string(size);
  }
  return contentHash(all);
}

CollectionStore::CollectionStore(std::filesystem::path dir, std::unique_ptr<sql::Database> db)
    : m_dir(std::move(dir)), m_db(std::move(db)) {}

CollectionStore::~CollectionStore() = default;

std::unique_ptr<CollectionStore> CollectionStore::create(const std::filesystem::path& dir,
                                                         const CollectionSettings& settings) {
  if (std::filesystem::exists(dir / kDatabaseName))
    throw ConfigError(utf8(dir) + ": already holds a collection; open it, or choose another folder");
  if (settings.chunkTokens < 16 || settings.chunkTokens > 8192)
    throw ConfigError("chunk size must be between 16 and 8192 tokens (it is " + std::to_string(settings.chunkTokens) + ")");
  if (settings.overlapTokens < 0 || settings.overlapTokens * 2 > settings.chunkTokens)
    throw ConfigError("overlap must be between 0 and half the chunk size (it is " +
                      std::to_string(settings.overlapTokens) + " tokens)");
  if (settings.indexKind != "flat" && settings.indexKind != "hnsw")
    throw ConfigError("index must be flat (exact) or hnsw (approximate), not " + settings.indexKind);
  makeFolder(dir);
  // Made under a temporary name and renamed when complete: a half-made collection is never found.
  const std::filesystem::path tmp = dir / (std::string(kDatabaseName) + ".new");
  std::filesystem::remove(tmp);
  {
    sql::Database db(tmp, true);
    db.exec("PRAGMA journal_mode = DELETE");
    sql::Transaction t(db);
    db.exec(kCreate);
    sql::Statement put(db, "INSERT INTO meta(key, value) VALUES(?1, ?2)");
    put.bind(1, std::string("schema")).bind(2, std::to_string(kSchema)).run();
    put.bind(1, std::string("settings")).bind(2, settingsJson(settings).dump()).run();
    put.bind(1, std::string("created")).bind(2, utcNow()).run();
    t.commit();
  }
  std::filesystem::rename(tmp, dir / kDatabaseName);
  return open(dir);
}

std::unique_ptr<CollectionStore> CollectionStore::open(const std::filesystem::path& dir) {
  const std::filesystem::path file = dir / kDatabaseName;
  if (!std::filesystem::exists(file))
    throw FormatError(utf8(dir) + ": not a collection (it has no " + kDatabaseName + ")");
  auto db = std::make_unique<sql::Database>(file, false);
  std::unique_ptr<CollectionStore> store(new CollectionStore(dir, std::move(db)));
  std::string schema;
  try {
    schema = store->meta("schema");
  } catch (const IoError&) {
    throw FormatError(utf8(file) + ": not a collection database, or a damaged one");
  }
  if (schema.empty()) throw FormatError(utf8(file) + ": not a collection database");
  if (std::stoi(schema) > kSchema)
    throw UnsupportedError(utf8(dir) + ": made by a newer version of FM Workbench (collection format " + schema + ")");
  store->loadSettings();
  return store;
}

void CollectionStore::loadSettings() {
  const json j = json::parse(meta("settings"), nullptr, false);
  if (!j.is_object()) throw FormatError(utf8(m_dir) + ": the collection's settings are damaged");
  const json e = j.value("embedder", json::object());
  m_settings.embedder.folder = e.value("folder", "");
  m_settings.embedder.name = e.value("name", "");
  m_settings.embedder.dimension = e.value("dimension", 0);
  m_settings.embedder.fingerprint = e.value("fingerprint", "");
  m_settings.reranker = j.value("reranker", "");
  m_settings.chunkTokens = j.value("chunk_tokens", 256);
  m_settings.overlapTokens = j.value("overlap_tokens", 32);
  m_settings.maskPii = j.value("mask_pii", false);
  m_settings.indexKind = j.value("index", "flat");
}

void CollectionStore::setEmbedder(const EmbedderStamp& stamp) {
  m_settings.embedder = stamp;
  setMeta("settings", settingsJson(m_settings).dump());
}

void CollectionStore::setReranker(const std::string& folder) {
  m_settings.reranker = folder;
  setMeta("settings", settingsJson(m_settings).dump());
}

std::string CollectionStore::meta(const std::string& key) const {
  sql::Statement q(*m_db, "SELECT value FROM meta WHERE key = ?1");
  q.bind(1, key);
  return q.step() ? q.text(0) : std::string();
}

void CollectionStore::setMeta(const std::string& key, const std::string& value) {
  sql::Statement q(*m_db, "INSERT INTO meta(key, value) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  q.bind(1, key).bind(2, value).run();
}

namespace {

const char* kDocColumns =
    "id, path, format, encoding, hash, mtime, size, status, reason, pages, chunks, ocr_pages, pages_without_text, "
    "ingested_at";

DocumentRecord readDoc(const sql::Statement& q) {
  DocumentRecord r;
  r.id = q.integer(0);
  r.path = q.text(1);
  r.format = q.text(2);
  r.encoding = q.text(3);
  r.hash = q.text(4);
  r.mtime = q.integer(5);
  r.size = q.integer(6);
  r.status = statusOf(q.text(7));
  r.reason = q.text(8);
  r.pages = static_cast<int>(q.integer(9));
  r.chunks = static_cast<int>(q.integer(10));
  r.ocrPages = intList(q.text(11));
  r.pagesWithoutText = intList(q.text(12));
  r.ingestedAt = q.text(13);
  return r;
}

StoredChunk readChunk(const sql::Statement& q) {
  StoredChunk c;
  c.id = q.integer(0);
  c.documentId = q.integer(1);
  c.ordinal = static_cast<int>(q.integer(2));
  c.text = q.text(3);
  c.where.begin = static_cast<uint64_t>(q.integer(4));
  c.where.end = static_cast<uint64_t>(q.integer(5));
  c.where.page = static_cast<int>(q.integer(6));
  const json s = json::parse(q.text(7), nullptr, false);
  if (s.is_array())
    for (const auto& v : s)
      if (v.is_string()) c.where.section.push_back(v.get<std::string>());
  c.where.firstLine = static_cast<int>(q.integer(8));
  c.where.lastLine = static_cast<int>(q.integer(9));
  c.tokens = static_cast<int>(q.integer(10));
  c.flag = q.text(11);
  return c;
}

const char* kChunkColumns = "id, document_id, ordinal, text, span_begin, span_end, page, section, first_line, last_line, tokens, flag";

}  // namespace

std::vector<DocumentRecord> CollectionStore::documents() const {
  sql::Statement q(*m_db, (std::string("SELECT ") + kDocColumns + " FROM documents ORDER BY path").c_str());
  std::vector<DocumentRecord> out;
  while (q.step()) out.push_back(readDoc(q));
  return out;
}

std::optional<DocumentRecord> CollectionStore::document(const std::string& path) const {
  sql::Statement q(*m_db, (std::string("SELECT ") + kDocColumns + " FROM documents WHERE path = ?1").c_str());
  q.bind(1, path);
  if (!q.step()) return std::nullopt;
  return readDoc(q);
}

std::string CollectionStore::documentText(int64_t documentId) const {
  sql::Statement q(*m_db, "SELECT text FROM documents WHERE id = ?1");
  q.bind(1, documentId);
  return q.step() ? q.text(0) : std::string();
}

std::string CollectionStore::documentPath(int64_t documentId) const {
  sql::Statement q(*m_db, "SELECT path FROM documents WHERE id = ?1");
  q.bind(1, documentId);
  return q.step() ? q.text(0) : std::string();
}

namespace {

// The keyword index keeps no copy of the text: a row is removed by giving its text again.
std::vector<int64_t> deleteChunks(sql::Database& db, int64_t documentId) {
  std::vector<int64_t> ids;
  sql::Statement q(db, "SELECT id, text FROM chunks WHERE document_id = ?1");
  sql::Statement del(db, "INSERT INTO chunks_fts(chunks_fts, rowid, body) VALUES('delete', ?1, ?2)");
  q.bind(1, documentId);
  while (q.step()) {
    ids.push_back(q.integer(0));
    del.bind(1, q.integer(0)).bind(2, searchText(q.text(1))).run();
  }
  sql::Statement drop(db, "DELETE FROM chunks WHERE document_id = ?1");
  drop.bind(1, documentId).run();
  return ids;
}

}  // namespace

int64_t CollectionStore::putDocument(DocumentRecord rec, const std::string& text, const std::vector<Chunk>& chunks,
                                     const std::vector<std::vector<float>>& vectors,
                                     const std::vector<std::string>& flags) {
  if (!vectors.empty() && vectors.size() != chunks.size())
    throw std::logic_error("putDocument: one vector per chunk");
  sql::Transaction t(*m_db);
  int64_t id = 0;
  {
    sql::Statement find(*m_db, "SELECT id FROM documents WHERE path = ?1");
    find.bind(1, rec.path);
    if (find.step()) id = find.integer(0);
  }
  if (id) deleteChunks(*m_db, id);
  const json ocr = rec.ocrPages, empty = rec.pagesWithoutText;
  if (rec.ingestedAt.empty()) rec.ingestedAt = utcNow();
  sql::Statement put(*m_db, id ? "UPDATE documents SET format=?2, encoding=?3, hash=?4, mtime=?5, size=?6, status=?7, "
                                 "reason=?8, pages=?9, chunks=?10, ocr_pages=?11, pages_without_text=?12, "
                                 "ingested_at=?13, text=?14 WHERE path=?1"
                               : "INSERT INTO documents(path, format, encoding, hash, mtime, size, status, reason, "
                                 "pages, chunks, ocr_pages, pages_without_text, ingested_at, text) "
                                 "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
  put.bind(1, rec.path).bind(2, rec.format).bind(3, rec.encoding).bind(4, rec.hash).bind(5, rec.mtime);
  put.bind(6, rec.size).bind(7, std::string(docStatusName(rec.status))).bind(8, rec.reason).bind(9, rec.pages);
  put.bind(10, static_cast<int>(chunks.size())).bind(11, ocr.dump()).bind(12, empty.dump());
  put.bind(13, rec.ingestedAt).bind(14, text).run();
  if (!id) id = m_db->lastInsertId();
  sql::Statement add(*m_db, "INSERT INTO chunks(document_id, ordinal, text, span_begin, span_end, page, section, first_line, "
                            "last_line, tokens, flag, embedding) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
  sql::Statement fts(*m_db, "INSERT INTO chunks_fts(rowid, body) VALUES(?1, ?2)");
  for (size_t i = 0; i < chunks.size(); ++i) {
    const Chunk& c = chunks[i];
    add.bind(1, id).bind(2, c.ordinal).bind(3, c.text).bind(4, static_cast<int64_t>(c.where.begin));
    add.bind(5, static_cast<int64_t>(c.where.end)).bind(6, c.where.page).bind(7, json(c.where.section).dump());
    add.bind(8, c.where.firstLine).bind(9, c.where.lastLine).bind(10, c.tokens);
    add.bind(11, i < flags.size() ? flags[i] : std::string());
    if (i < vectors.size()) add.bindBlob(12, vectors[i].data(), vectors[i].size() * sizeof(float));
    else add.bindNull(12);
    add.run();
    fts.bind(1, m_db->lastInsertId()).bind(2, searchText(c.text)).run();
  }
  t.commit();
  return id;
}

std::vector<int64_t> CollectionStore::removeDocument(const std::string& path) {
  sql::Transaction t(*m_db);
  sql::Statement find(*m_db, "SELECT id FROM documents WHERE path = ?1");
  find.bind(1, path);
  if (!find.step()) return {};
  const int64_t id = find.integer(0);
  std::vector<int64_t> ids = deleteChunks(*m_db, id);
  sql::Statement del(*m_db, "DELETE FROM documents WHERE id = ?1");
  del.bind(1, id).run();
  t.commit();
  return ids;
}

std::vector<DocumentRecord> CollectionStore::documentsWithHash(const std::string& hash) const {
  sql::Statement q(*m_db, (std::string("SELECT ") + kDocColumns + " FROM documents WHERE hash = ?1 ORDER BY path").c_str());
  q.bind(1, hash);
  std::vector<DocumentRecord> out;
  while (q.step()) out.push_back(readDoc(q));
  return out;
}

void CollectionStore::moveDocument(const std::string& from, const std::string& to, int64_t mtime, int64_t size) {
  sql::Statement move(*m_db, "UPDATE documents SET path = ?2, mtime = ?3, size = ?4 WHERE path = ?1");
  move.bind(1, from).bind(2, to).bind(3, mtime).bind(4, size).run();
}

int64_t CollectionStore::chunkCount() const {
  sql::Statement q(*m_db, "SELECT count(*) FROM chunks WHERE embedding IS NOT NULL");
  return q.step() ? q.integer(0) : 0;
}

std::vector<StoredChunk> CollectionStore::chunks(const std::vector<int64_t>& ids) const {
  sql::Statement q(*m_db, (std::string("SELECT ") + kChunkColumns + " FROM chunks WHERE id = ?1").c_str());
  std::vector<StoredChunk> out;
  for (int64_t id : ids) {
    q.bind(1, id);
    if (q.step()) out.push_back(readChunk(q));
    q.reset();
  }
  return out;
}

std::vector<StoredChunk> CollectionStore::documentChunks(int64_t documentId) const {
  sql::Statement q(*m_db,
                   (std::string("SELECT ") + kChunkColumns + " FROM chunks WHERE document_id = ?1 ORDER BY ordinal").c_str());
  q.bind(1, documentId);
  std::vector<StoredChunk> out;
  while (q.step()) out.push_back(readChunk(q));
  return out;
}

void CollectionStore::forEachEmbedding(const std::function<void(int64_t, const std::vector<float>&)>& f) const {
  sql::Statement q(*m_db, "SELECT id, embedding FROM chunks WHERE embedding IS NOT NULL ORDER BY id");
  while (q.step()) f(q.integer(0), q.floats(1));
}

std::vector<float> CollectionStore::embedding(int64_t chunkId) const {
  sql::Statement q(*m_db, "SELECT embedding FROM chunks WHERE id = ?1");
  q.bind(1, chunkId);
  return q.step() ? q.floats(0) : std::vector<float>();
}

std::vector<KeywordHit> CollectionStore::keywordSearch(const std::string& query, int k,
                                                       const std::vector<int64_t>& documents) const {
  const std::string match = keywordQuery(query);
  if (match.empty() || k <= 0) return {};
  sql::Statement q(*m_db, documents.empty()
                              ? "SELECT rowid, bm25(chunks_fts) FROM chunks_fts WHERE chunks_fts MATCH ?1 "
                                "ORDER BY bm25(chunks_fts) LIMIT ?2"
                              : "SELECT f.rowid, bm25(chunks_fts) FROM chunks_fts f JOIN chunks c ON c.id = f.rowid "
                                "WHERE chunks_fts MATCH ?1 AND c.document_id IN (SELECT value FROM json_each(?3)) "
                                "ORDER BY bm25(chunks_fts) LIMIT ?2");
  q.bind(1, match).bind(2, k);
  if (!documents.empty()) q.bind(3, json(documents).dump());
  std::vector<KeywordHit> out;
  while (q.step()) out.push_back({q.integer(0), -q.real(1)});  // SQLite's bm25: lower is better
  return out;
}

std::vector<int64_t> CollectionStore::distinctiveMatches(const std::string& query, const std::vector<int64_t>& chunkIds,
                                                         double share) const {
  if (chunkIds.empty()) return {};
  const double most = std::max(2.0, share * static_cast<double>(chunkCount()));
  std::string match;
  sql::Statement count(*m_db, "SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH ?1");
  for (const std::string& t : keywordTerms(query)) {
    count.reset();
    count.bind(1, ftsString(t));
    const int64_t found = count.step() ? count.integer(0) : 0;
    if (found > 0 && static_cast<double>(found) <= most) match += (match.empty() ? "" : " OR ") + ftsString(t);
  }
  if (match.empty()) return {};
  sql::Statement q(*m_db, "SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ?1 AND rowid IN (SELECT value FROM json_each(?2))");
  q.bind(1, match).bind(2, json(chunkIds).dump());
  std::vector<int64_t> out;
  while (q.step()) out.push_back(q.integer(0));
  return out;
}

}  // namespace fm::rag
