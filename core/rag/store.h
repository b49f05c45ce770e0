// The collection's database (SQLite): what it was made with, its documents with their status,
// and its chunks with their text, place and embedding; FTS5 over the chunk text for keyword
// search. The database is the source of truth: the vector index (vector_index.h) is rebuilt
// from the embeddings stored here whenever it does not match.
//
// A document's record, chunks and vectors are written in one transaction: a kill at any moment
// leaves each document either as it was or fully replaced.
//
// Thread safety: one CollectionStore per thread (SQLite connections are not shared); several
// may be open on one collection (WAL), one writing at a time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rag/chunker.h"
#include "rag/document.h"

namespace fm::rag {

namespace sql {
class Database;
}

// What made the collection's vectors; another embedder means re-embedding everything.
struct EmbedderStamp {
  std::string folder;       // the model folder, as chosen (UTF-8)
  std::string name;         // the folder's name
  int dimension = 0;
  std::string fingerprint;  // of the folder's configuration files (embedderFingerprint)
  bool operator==(const EmbedderStamp& o) const { return name == o.name && dimension == o.dimension && fingerprint == o.fingerprint; }
};

struct CollectionSettings {
  EmbedderStamp embedder;
  std::string reranker;       // a cross-encoder folder, or ""
  int chunkTokens = 256;
  int overlapTokens = 32;
  bool maskPii = false;       // personal data masked in the indexed text
  std::string indexKind = "flat";  // "flat" (exact) or "hnsw" (approximate)
};

enum class DocStatus { Ingested, Partial, Skipped, Failed, NeedsPassword };
const char* docStatusName(DocStatus s);  // "ingested", "partial", "skipped", "failed", "needs a password"

struct DocumentRecord {
  int64_t id = 0;
  std::string path;       // absolute, UTF-8
  std::string format, encoding;
  std::string hash;       // of the file's bytes (contentHash)
  int64_t mtime = 0, size = 0;
  DocStatus status = DocStatus::Ingested;
  std::string reason;     // why skipped or failed; what is missing for a partial one
  int pages = 0, chunks = 0;
  std::vector<int> ocrPages, pagesWithoutText;
  std::string ingestedAt;  // ISO 8601, UTC
};

struct StoredChunk {
  int64_t id = 0, documentId = 0;
  int ordinal = 0;
  std::string text;
  Location where;
  int tokens = 0;
  std::string flag;  // why the chunk was flagged (reads like an instruction to the model), or ""
};

struct KeywordHit {
  int64_t chunkId;
  double score;  // BM25, higher is better
};

class CollectionStore {
 public:
  static constexpr const char* kDatabaseName = "collection.sqlite";

  // A new collection in `dir` (made if missing, refused if it holds a collection already).
  static std::unique_ptr<CollectionStore> create(const std::filesystem::path& dir, const CollectionSettings& settings);
  // An existing collection; FormatError if `dir` holds none or one this version cannot read.
  static std::unique_ptr<CollectionStore> open(const std::filesystem::path& dir);
  ~CollectionStore();

  const std::filesystem::path& dir() const { return m_dir; }
  const CollectionSettings& settings() const { return m_settings; }
  void setEmbedder(const EmbedderStamp& stamp);  // after a full re-embedding
  void setReranker(const std::string& folder);

  std::vector<DocumentRecord> documents() const;
  std::optional<DocumentRecord> document(const std::string& path) const;
  std::string documentText(int64_t documentId) const;
  std::string documentPath(int64_t documentId) const;

  // Replaces the document at rec.path (record, chunks, vectors, keyword index) in one
  // transaction. `vectors` has one entry per chunk (or is empty for a document without chunks).
  int64_t putDocument(DocumentRecord rec, const std::string& text, const std::vector<Chunk>& chunks,
                      const std::vector<std::vector<float>>& vectors, const std::vector<std::string>& flags);
  // Removes a document and its chunks; returns the ids of the chunks removed.
  std::vector<int64_t> removeDocument(const std::string& path);
  // Documents whose content hash is `hash`: where a moved or renamed file was before.
  std::vector<DocumentRecord> documentsWithHash(const std::string& hash) const;
  // Gives a document the path its file has now (with its mtime and size); its chunks, vectors
  // and keyword rows stay as they are.
  void moveDocument(const std::string& from, const std::string& to, int64_t mtime, int64_t size);

  int64_t chunkCount() const;
  std::vector<StoredChunk> chunks(const std::vector<int64_t>& ids) const;  // in the order asked
  std::vector<StoredChunk> documentChunks(int64_t documentId) const;
  // Every stored embedding, in chunk id order (to rebuild the vector index).
  void forEachEmbedding(const std::function<void(int64_t id, const std::vector<float>& v)>& f) const;
  std::vector<float> embedding(int64_t chunkId) const;

  // BM25 over the chunk text; `documents` limits the search to those ids (empty: all).
  std::vector<KeywordHit> keywordSearch(const std::string& query, int k, const std::vector<int64_t>& documents = {}) const;
  // Of `chunkIds`, those that share a distinctive word with the query: a word of the query found
  // in at least one chunk and in at most `share` of the collection's chunks (or in two, so that
  // a collection of a few chunks is not judged by a share of a handful). A match on words most
  // chunks hold ("the", "is", a heading every page repeats) says nothing about relevance; a
  // match on a rare one does.
  std::vector<int64_t> distinctiveMatches(const std::string& query, const std::vector<int64_t>& chunkIds,
                                          double share) const;

  std::string meta(const std::string& key) const;
  void setMeta(const std::string& key, const std::string& value);

  sql::Database& database() const { return *m_db; }

 private:
  CollectionStore(std::filesystem::path dir, std::unique_ptr<sql::Database> db);
  void loadSettings();
  std::filesystem::path m_dir;
  std::unique_ptr<sql::Database> m_db;
  CollectionSettings m_settings;
};

// The text FTS5 indexes for a chunk or a query: the text itself, and after it every pair of
// neighbouring characters in runs of Hangul, kana or CJK ideographs, so that "회의실은" is found
// by "회의실" (words there carry their particles, and ideographs have no spaces).
std::string searchText(const std::string& text);
// A user's words as keyword search reads them: each word (runs of Hangul, kana or ideographs as
// their character pairs), once, in order.
std::vector<std::string> keywordTerms(const std::string& text);
// The same as an FTS5 query: every term quoted, joined by OR.
std::string keywordQuery(const std::string& text);

// The time now as ISO 8601 in UTC ("2026-11-26T04:10:00Z").
std::string utcNow();

// A 64-bit FNV-1a digest as 16 hex digits, and that of a file's bytes.
std::string contentHash(const std::string& bytes);
std::string fileHash(const std::filesystem::path& file);
// Of an embedder folder's configuration (config.json, modules, pooling, tokenizer files' sizes).
std::string embedderFingerprint(const std::filesystem::path& folder);

}  // namespace fm::rag
