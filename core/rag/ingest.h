// Adding documents to a collection: read, chunk with the embedder's tokenizer, embed, and
// commit each document (record, chunks, vectors, keyword index) in one transaction. A job with
// per-file progress; a stop ends it between documents or batches, losing at most the document
// being read. Running it again continues where it stopped: unchanged files (same content
// hash) are not read again, changed ones are replaced, so nothing is duplicated. A file moved
// or renamed (its content that of a document whose file is gone) keeps its document, with its
// chunks and vectors, under the new path.
//
//   auto store = fm::rag::CollectionStore::open(dir);
//   auto index = fm::rag::VectorIndex::open(*store);
//   fm::rag::IngestReport r = fm::rag::addToCollection(*store, *index, *embedder, {"docs/"}, opt);
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "rag/document.h"
#include "rag/store.h"
#include "rag/vector_index.h"

namespace fm {
class LoadedModel;
}

namespace fm::rag {

struct IngestOptions {
  JobContext job;
  ReadOptions read;          // OCR choices (its job is set per file)
  bool retryFailed = false;  // read failed and skipped files again even when unchanged
};

struct IngestProblem {
  std::string path;
  std::string status;  // "skipped", "failed", "needs a password", "partial"
  std::string reason;
};

struct IngestReport {
  int added = 0, updated = 0, unchanged = 0, removed = 0, skipped = 0, failed = 0;
  int moved = 0;    // files found by their content where a document's file used to be: kept, not read again
  int missing = 0;  // documents whose folder is gone (sync keeps them; see syncCollection)
  int64_t chunks = 0, pages = 0;
  double seconds = 0, embedSeconds = 0;
  std::vector<IngestProblem> problems;
};

// What identifies an embedder's vectors.
EmbedderStamp stampOf(const LoadedModel& embedder, const std::filesystem::path& folder);
// ConfigError, saying what to do, when `embedder` did not make the collection's vectors.
void checkEmbedder(const CollectionStore& store, const EmbedderStamp& embedder);

// The collection's own embedder found in another folder (moved, or the workspace moved): the
// collection records the new place. Returns false, changing nothing, for another model or the
// same place.
bool rememberEmbedderPlace(CollectionStore& store, const EmbedderStamp& embedder);

// Files, and folders read recursively (hidden files and editors' lock files left out).
IngestReport addToCollection(CollectionStore& store, VectorIndex& index, const LoadedModel& embedder,
                             const std::vector<std::filesystem::path>& paths, const IngestOptions& options);
// Every document of the collection checked against its file: changed ones read again,
// deleted ones removed. A document whose whole folder is gone (a drive not connected, a folder
// moved) is kept and reported as missing, so that an unplugged drive does not empty the
// collection; Remove forgets it, and adding its file from the new place finds it again.
IngestReport syncCollection(CollectionStore& store, VectorIndex& index, const LoadedModel& embedder,
                            const IngestOptions& options);
// Removes documents (a folder removes every document under it). Returns how many.
int removeFromCollection(CollectionStore& store, VectorIndex& index, const std::vector<std::filesystem::path>& paths);
// Embeds every chunk again with another embedder and records it; the index is rebuilt.
void reembedCollection(CollectionStore& store, std::unique_ptr<VectorIndex>& index, const LoadedModel& embedder,
                       const EmbedderStamp& stamp, const JobContext& job = {});

// The prompt names an embedder uses for passages and for queries ("" when it has none).
std::string passagePrompt(const LoadedModel& embedder);
std::string queryPrompt(const LoadedModel& embedder);

}  // namespace fm::rag
