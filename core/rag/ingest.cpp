#include "rag/ingest.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "arch/loaded_model.h"
#include "embed/embedder.h"
#include "jobs/cancelled.h"
#include "rag/chunker.h"
#include "rag/safety.h"
#include "tokenize/tokenizer.h"
#include "util/paths.h"

namespace fm::rag {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string promptNamed(const LoadedModel& m, std::initializer_list<const char*> names) {
  for (const char* n : names)
    for (const auto& [name, text] : m.info().prompts)
      if (name == n) return name;
  return {};
}

bool hiddenName(const fs::path& p) {
  const std::string n = p.filename().string();
  return n.empty() || n[0] == '.' || n.rfind("~$", 0) == 0 || n == "Thumbs.db" || n == "desktop.ini";
}

int64_t mtimeOf(const fs::path& p) {
  std::error_code ec;
  const auto t = fs::last_write_time(p, ec);
  return ec ? 0 : static_cast<int64_t>(t.time_since_epoch().count());
}

fs::path absoluteOf(const fs::path& p) {
  std::error_code ec;
  fs::path a = fs::weakly_canonical(fs::absolute(p, ec), ec);
  return ec ? fs::absolute(p) : a;
}

// The files under `paths`, sorted, each once.
std::vector<fs::path> expand(const std::vector<fs::path>& paths, IngestReport& report) {
  std::set<fs::path> files;
  for (const fs::path& given : paths) {
    const fs::path p = absoluteOf(given);
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec), end;
           !ec && it != end; it.increment(ec)) {
        if (hiddenName(it->path())) {
          if (it->is_directory(ec)) it.disable_recursion_pending();
          continue;
        }
        if (it->is_regular_file(ec)) files.insert(it->path());
      }
      if (ec) report.problems.push_back({utf8(p), "failed", "the folder could not be read to the end (" + ec.message() + ")"});
    } else if (fs::is_regular_file(p, ec)) {
      files.insert(p);
    } else {
      report.problems.push_back({utf8(given), "failed", "no such file or folder"});
      ++report.failed;
    }
  }
  return {files.begin(), files.end()};
}

struct Ingester {
  CollectionStore& store;
  VectorIndex& index;
  const LoadedModel& embedder;
  const IngestOptions& options;
  IngestReport& report;
  int maxTokens = 0;
  std::string prompt;
  Clock::time_point lastSave = Clock::now();

  Ingester(CollectionStore& s, VectorIndex& i, const LoadedModel& e, const IngestOptions& o, IngestReport& r)
      : store(s), index(i), embedder(e), options(o), report(r) {
    checkEmbedder(store, stampOf(embedder, store.settings().embedder.folder));
    const Tokenizer* tok = embedder.tokenizer();
    if (!tok) throw ConfigError("the embedder has no tokenizer");
    prompt = passagePrompt(embedder);
    int limit = static_cast<int>(embedder.info().maxLength > 0 ? embedder.info().maxLength : embedder.info().maxPositions);
    if (limit <= 0) limit = 512;
    limit -= static_cast<int>(tok->encode("", true).size());
    if (!prompt.empty())
      for (const auto& [name, text] : embedder.info().prompts)
        if (name == prompt) limit -= static_cast<int>(tok->encode(text, false).size());
    maxTokens = std::max(16, std::min(store.settings().chunkTokens, limit));
  }

  void record(const fs::path& file, DocStatus status, const std::string& reason, const std::string& hash) {
    DocumentRecord rec;
    rec.path = utf8(file);
    rec.format = formatOf(file);
    rec.hash = hash;
    rec.mtime = mtimeOf(file);
    std::error_code ec;
    rec.size = static_cast<int64_t>(fs::file_size(file, ec));
    rec.status = status;
    // Readers name the file in their messages; the record already does.
    const std::string prefix = rec.path + ": ";
    rec.reason = reason.rfind(prefix, 0) == 0 ? reason.substr(prefix.size()) : reason;
    std::vector<int64_t> old;
    if (auto prev = store.document(rec.path)) old = store.removeDocument(rec.path);
    index.remove(old);
    store.putDocument(rec, {}, {}, {}, {});
    report.problems.push_back({rec.path, docStatusName(status), rec.reason});
    if (status == DocStatus::Skipped) ++report.skipped;
    else ++report.failed;
  }

  // One file: read, chunk, embed, commit. `job` covers this file's share of the progress bar.
  void ingest(const fs::path& file, const JobContext& job, const std::string& what) {
    const std::string path = utf8(file);
    const std::optional<DocumentRecord> prev = store.document(path);
    if (formatOf(file).empty()) {
      if (prev && prev->status == DocStatus::Skipped) {
        ++report.unchanged;
        return;
      }
      record(file, DocStatus::Skipped, "not a kind of file Collections reads (PDF, Word .docx, HTML, Markdown, text, CSV)",
             "");
      return;
    }
    std::string hash;
    try {
      hash = fileHash(file);
    } catch (const Error& e) {
      record(file, DocStatus::Failed, e.what(), "");
      return;
    }
    const bool settled = prev && (prev->status == DocStatus::Ingested || prev->status == DocStatus::Partial ||
                                  !options.retryFailed);
    if (prev && prev->hash == hash && settled) {
      ++report.unchanged;
      return;
    }
    if (!prev && !hash.empty()) {
      // The same content as a document whose file is gone: the file was moved or renamed (a
      // folder reorganised, a workspace moved). The document follows it, nothing is read or
      // embedded again, and the old place does not linger beside the new one.
      for (const DocumentRecord& d : store.documentsWithHash(hash)) {
        std::error_code ec;
        if ((d.status != DocStatus::Ingested && d.status != DocStatus::Partial) || fs::exists(pathOf(d.path), ec) || ec)
          continue;
        store.moveDocument(d.path, path, mtimeOf(file), static_cast<int64_t>(fs::file_size(file, ec)));
        ++report.moved;
        return;
      }
    }
    Document doc;
    ReadOptions read = options.read;
    read.job = job.part(0, 0.4, what + ": reading");
    try {
      doc = readDocument(file, read);
    } catch (const CancelledError&) {
      throw;
    } catch (const PasswordError& e) {
      record(file, DocStatus::NeedsPassword, e.what(), hash);
      return;
    } catch (const UnsupportedError& e) {
      record(file, DocStatus::Skipped, e.what(), hash);
      return;
    } catch (const Error& e) {
      record(file, DocStatus::Failed, e.what(), hash);
      return;
    } catch (const std::bad_alloc&) {
      record(file, DocStatus::Failed, "not enough memory to read it", hash);
      return;
    }
    if (store.settings().maskPii) {
      // Masked before chunking: spans and lines then refer to the masked text the store keeps.
      Document masked = doc;
      masked.text.clear();
      masked.blocks.clear();
      DocumentBuilder b(masked);
      for (const Block& blk : doc.blocks)
        b.add(maskPersonalData(blk.text), blk.where.firstLine, blk.where.lastLine, blk.where.page, blk.headingLevel);
      doc = std::move(masked);
    }
    const Tokenizer* tok = embedder.tokenizer();
    auto count = [tok](const std::string& s) { return static_cast<int>(tok->encode(s, false).size()); };
    ChunkOptions co;
    co.maxTokens = maxTokens;
    co.overlapTokens = std::min(store.settings().overlapTokens, maxTokens / 2);
    std::vector<Chunk> chunks = chunkDocument(doc, co, count, job);
    std::vector<std::string> texts, flags;
    for (const Chunk& c : chunks) {
      texts.push_back(c.text);
      flags.push_back(instructionFlag(c.text));
    }
    const auto t0 = Clock::now();
    EmbedOptions eo;
    eo.promptName = prompt;
    std::vector<std::vector<float>> vectors;
    if (!texts.empty()) vectors = embedTexts(embedder, texts, eo, job.part(0.4, 1.0, what + ": embedding")).vectors;
    report.embedSeconds += since(t0);
    job.checkCancel();
    DocumentRecord rec;
    rec.path = path;
    rec.format = doc.format;
    rec.encoding = doc.encoding;
    rec.hash = hash;
    rec.mtime = mtimeOf(file);
    std::error_code ec;
    rec.size = static_cast<int64_t>(fs::file_size(file, ec));
    rec.pages = doc.pages;
    rec.ocrPages = doc.ocrPages;
    rec.pagesWithoutText = doc.pagesWithoutText;
    rec.status = doc.pagesWithoutText.empty() && !chunks.empty() ? DocStatus::Ingested
                 : chunks.empty()                                ? DocStatus::Skipped
                                                                 : DocStatus::Partial;
    std::string notes;
    for (const std::string& n : doc.notes) notes += (notes.empty() ? "" : "; ") + n;
    rec.reason = chunks.empty() && notes.empty() ? "no text found" : notes;
    std::vector<int64_t> old;
    if (prev) {
      for (const StoredChunk& c : store.documentChunks(prev->id)) old.push_back(c.id);
    }
    store.putDocument(rec, doc.text, chunks, vectors, flags);
    index.remove(old);
    const auto stored = store.document(path);
    std::vector<int64_t> ids;
    for (const StoredChunk& c : store.documentChunks(stored->id)) ids.push_back(c.id);
    index.add(ids, vectors);
    if (prev) ++report.updated;
    else ++report.added;
    if (rec.status == DocStatus::Skipped) {
      ++report.skipped;
      report.problems.push_back({path, "skipped", rec.reason});
    } else if (rec.status == DocStatus::Partial) {
      report.problems.push_back({path, "partial", rec.reason});
    }
    for (size_t i = 0; i < flags.size(); ++i)
      if (!flags[i].empty())
        report.problems.push_back({path, "flagged", "chunk " + std::to_string(i + 1) + " " + flags[i]});
    report.chunks += static_cast<int64_t>(chunks.size());
    report.pages += doc.pages;
    // The index file follows the database every few seconds; a kill in between leaves it
    // stale, and the next open rebuilds it from the stored vectors.
    if (since(lastSave) > 5) {
      index.save(store);
      lastSave = Clock::now();
    }
  }

  void run(const std::vector<fs::path>& files) {
    for (size_t i = 0; i < files.size(); ++i) {
      const double a = static_cast<double>(i) / static_cast<double>(files.size());
      const double b = static_cast<double>(i + 1) / static_cast<double>(files.size());
      const std::string what = utf8(files[i].filename()) + " (" + std::to_string(i + 1) + " of " +
                               std::to_string(files.size()) + ")";
      options.job.report(a, what);
      try {
        ingest(files[i], options.job.part(a, b, what), what);
      } catch (const CancelledError&) {
        if (index.dirty()) index.save(store);
        throw;
      }
    }
    if (index.dirty()) {
      index.save(store);
      index.measureRecall(store);
    }
    options.job.report(1, "done");
  }
};

}  // namespace

std::string passagePrompt(const LoadedModel& embedder) { return promptNamed(embedder, {"passage", "document", "doc"}); }
std::string queryPrompt(const LoadedModel& embedder) { return promptNamed(embedder, {"query", "search_query"}); }

EmbedderStamp stampOf(const LoadedModel& embedder, const fs::path& folder) {
  if (embedder.kind() != ModelKind::TextEncoder)
    throw ConfigError(embedder.info().dir + " is not an embedding model (a sentence encoder such as MiniLM or E5)");
  EmbedderStamp s;
  const fs::path dir = pathOf(embedder.info().dir);
  s.folder = folder.empty() ? utf8(dir) : utf8(folder);
  s.name = utf8(dir.filename());
  s.dimension = static_cast<int>(embedder.info().embeddingDim);
  s.fingerprint = embedderFingerprint(dir);
  return s;
}

void checkEmbedder(const CollectionStore& store, const EmbedderStamp& embedder) {
  const EmbedderStamp& made = store.settings().embedder;
  if (made == embedder) return;
  throw ConfigError("this collection's vectors were made by " + made.name + " (" + std::to_string(made.dimension) +
                    " numbers each); " + embedder.name + " (" + std::to_string(embedder.dimension) +
                    ") makes different ones. Use " + made.name + ", or re-embed the collection with the new model");
}

bool rememberEmbedderPlace(CollectionStore& store, const EmbedderStamp& embedder) {
  if (!(embedder == store.settings().embedder) || embedder.folder == store.settings().embedder.folder) return false;
  store.setEmbedder(embedder);
  return true;
}

IngestReport addToCollection(CollectionStore& store, VectorIndex& index, const LoadedModel& embedder,
                             const std::vector<fs::path>& paths, const IngestOptions& options) {
  const auto t0 = Clock::now();
  IngestReport report;
  Ingester ing(store, index, embedder, options, report);
  ing.run(expand(paths, report));
  report.seconds = since(t0);
  return report;
}

const char* const kMissingFolder =
    "its folder is not there (a drive not connected, or the folder moved or renamed); kept until you remove it, "
    "and found again when added from its new place";

IngestReport syncCollection(CollectionStore& store, VectorIndex& index, const LoadedModel& embedder,
                            const IngestOptions& options) {
  const auto t0 = Clock::now();
  IngestReport report;
  Ingester ing(store, index, embedder, options, report);
  std::vector<fs::path> files;
  for (const DocumentRecord& d : store.documents()) {
    const fs::path p = pathOf(d.path);
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) {
      // A file gone from a folder that is there was deleted. When its folder is gone too (a
      // drive not connected, a folder moved or renamed), the document is kept: removing it
      // would throw away its vectors, and adding the file from its new place finds them.
      std::error_code folderError;
      if (fs::is_directory(p.parent_path(), folderError)) {
        index.remove(store.removeDocument(d.path));
        ++report.removed;
      } else {
        ++report.missing;
        report.problems.push_back({d.path, "missing", kMissingFolder});
      }
      continue;
    }
    files.push_back(p);
  }
  ing.run(files);
  report.seconds = since(t0);
  return report;
}

int removeFromCollection(CollectionStore& store, VectorIndex& index, const std::vector<fs::path>& paths) {
  int removed = 0;
  for (const fs::path& given : paths) {
    const std::string p = utf8(absoluteOf(given));
    for (const DocumentRecord& d : store.documents()) {
      const bool under = d.path == p || (d.path.size() > p.size() && d.path.compare(0, p.size(), p) == 0 &&
                                         (d.path[p.size()] == '/' || d.path[p.size()] == '\\'));
      if (!under) continue;
      index.remove(store.removeDocument(d.path));
      ++removed;
    }
  }
  if (index.dirty()) index.save(store);
  return removed;
}

void reembedCollection(CollectionStore& store, std::unique_ptr<VectorIndex>& index, const LoadedModel& embedder,
                       const EmbedderStamp& stamp, const JobContext& job) {
  // Every document is read again with the new embedder's tokenizer and limits (chunks may
  // change). First every document is emptied and marked, so that old vectors never mix with new
  // ones and a stop in the middle leaves the rest to the next sync (their hash no longer matches).
  const std::vector<DocumentRecord> docs = store.documents();
  std::vector<fs::path> files;
  for (const DocumentRecord& d : docs) {
    DocumentRecord r = d;
    r.hash = "re-embed";
    r.status = DocStatus::Failed;
    r.reason = "waiting to be embedded with " + stamp.name;
    store.removeDocument(d.path);
    store.putDocument(r, {}, {}, {}, {});
    files.push_back(pathOf(d.path));
  }
  store.setEmbedder(stamp);
  index = VectorIndex::rebuild(store);
  IngestOptions o;
  o.job = job;
  o.retryFailed = true;
  IngestReport report;
  Ingester ing(store, *index, embedder, o, report);
  ing.run(files);
}

}  // namespace fm::rag
