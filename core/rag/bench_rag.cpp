#include "rag/bench_rag.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <random>
#include <set>

#include "arch/loaded_model.h"
#include "rag/handbook.h"
#include "rag/ingest.h"
#include "rag/retrieve.h"
#include "rag/store.h"
#include "rag/vector_index.h"
#include "util/paths.h"

namespace fm::rag {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

double msSince(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

json percentiles(std::vector<double> v) {
  if (v.empty()) return nullptr;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))]; };
  return {{"p50_ms", at(0.5)}, {"p99_ms", at(0.99)}, {"max_ms", v.back()}};
}

// The handbook's generator: the same collection on every machine.
struct Rng : SplitMix64 {
  double normal() {
    const double u = std::max(uniform(), 1e-300), v = uniform();
    return std::sqrt(-2 * std::log(u)) * std::cos(6.283185307179586 * v);
  }
};

std::string word(uint64_t i) {
  static const char* syl[] = {"ka", "lo", "mi", "ne", "su", "ra", "to", "vi", "be", "do", "fu", "ge", "ha", "ji", "ko", "pe"};
  std::string w;
  do {
    w += syl[i % 16];
    i /= 16;
  } while (i);
  return w;
}

void normalise(std::vector<float>& v) {
  double n = 0;
  for (float x : v) n += static_cast<double>(x) * x;
  const float inv = static_cast<float>(1 / std::sqrt(std::max(n, 1e-30)));
  for (float& x : v) x *= inv;
}

}  // namespace

uint64_t residentBytes() {
#ifdef __linux__
  std::ifstream in("/proc/self/statm");
  uint64_t pages = 0, resident = 0;
  if (in >> pages >> resident) return resident * 4096;
#endif
  return 0;
}

json benchSearch(const std::filesystem::path& work, const SearchBenchOptions& o, const JobContext& job) {
  std::filesystem::remove_all(work);
  Rng rng;
  rng.s = o.seed;
  CollectionSettings settings;
  settings.embedder = {"", "synthetic", o.dimension, "synthetic"};
  const uint64_t rssStart = residentBytes();
  auto store = CollectionStore::create(work, settings);
  // Clustered vectors (a real collection is not uniform noise) and Zipf-like words.
  const int clusters = std::max(16, static_cast<int>(o.chunks / 200));
  std::vector<std::vector<float>> centres(static_cast<size_t>(clusters), std::vector<float>(static_cast<size_t>(o.dimension)));
  for (auto& c : centres) {
    for (float& x : c) x = static_cast<float>(rng.normal());
    normalise(c);
  }
  auto vectorNear = [&](const std::vector<float>& c, double spread) {
    std::vector<float> v(c);
    for (float& x : v) x += static_cast<float>(spread * rng.normal() / std::sqrt(o.dimension));
    normalise(v);
    return v;
  };
  auto zipfWord = [&] { return word(static_cast<uint64_t>(std::pow(20000.0, rng.uniform()))); };
  const auto tIngest = Clock::now();
  const int perDoc = 500;
  std::vector<std::vector<float>> sample;  // a few stored vectors, to make queries from
  std::vector<std::string> sampleText;
  for (int64_t done = 0; done < o.chunks;) {
    const int n = static_cast<int>(std::min<int64_t>(perDoc, o.chunks - done));
    std::vector<Chunk> chunks(static_cast<size_t>(n));
    std::vector<std::vector<float>> vectors;
    std::string text;
    for (int i = 0; i < n; ++i) {
      std::string t;
      for (int w = 0; w < 60; ++w) t += (w ? " " : "") + zipfWord();
      chunks[static_cast<size_t>(i)].where.begin = text.size();
      text += t + "\n\n";
      chunks[static_cast<size_t>(i)].where.end = text.size() - 2;
      chunks[static_cast<size_t>(i)].text = t;
      chunks[static_cast<size_t>(i)].ordinal = i;
      chunks[static_cast<size_t>(i)].where.firstLine = chunks[static_cast<size_t>(i)].where.lastLine = 2 * i + 1;
      vectors.push_back(vectorNear(centres[rng.next() % static_cast<uint64_t>(clusters)], 0.6));
      if (sample.size() < static_cast<size_t>(o.queries) && rng.uniform() < 4.0 * o.queries / static_cast<double>(o.chunks)) {
        sample.push_back(vectors.back());
        sampleText.push_back(t);
      }
    }
    DocumentRecord rec;
    rec.path = "/synthetic/doc-" + std::to_string(done / perDoc) + ".txt";
    rec.format = "text";
    store->putDocument(rec, text, chunks, vectors, {});
    done += n;
    job.report(0.6 * static_cast<double>(done) / static_cast<double>(o.chunks),
               "writing " + std::to_string(done) + " of " + std::to_string(o.chunks) + " chunks");
  }
  const double ingestMs = msSince(tIngest);
  job.report(0.6, "building the exact index");
  auto tFlat = Clock::now();
  auto flat = VectorIndex::rebuild(*store);
  const double flatBuildMs = msSince(tFlat);
  const uint64_t rssOpen = residentBytes();
  job.report(0.7, "building the HNSW index");
  auto hnsw = VectorIndex::inMemory(o.dimension, "hnsw");
  hnsw->setSearchBreadth(o.efSearch);
  const auto tHnsw = Clock::now();
  {
    std::vector<int64_t> ids;
    std::vector<std::vector<float>> batch;
    store->forEachEmbedding([&](int64_t id, const std::vector<float>& v) {
      ids.push_back(id);
      batch.push_back(v);
      if (ids.size() == 8192) {
        hnsw->add(ids, batch);
        ids.clear();
        batch.clear();
      }
    });
    hnsw->add(ids, batch);
  }
  const double hnswBuildMs = msSince(tHnsw);
  // Queries: near stored vectors (a question close to some passage), and three of its words.
  std::vector<double> flatMs, hnswMs, keywordMs, hybridMs;
  double recallSum = 0;
  const size_t q = sample.size();
  for (size_t i = 0; i < q; ++i) {
    job.report(0.8 + 0.2 * static_cast<double>(i) / static_cast<double>(q), "searching");
    const std::vector<float> query = vectorNear(sample[i], 0.5);
    auto t = Clock::now();
    const auto exact = flat->search(query, o.k);
    flatMs.push_back(msSince(t));
    t = Clock::now();
    const auto approx = hnsw->search(query, o.k);
    hnswMs.push_back(msSince(t));
    std::set<int64_t> truth;
    for (const auto& h : exact) truth.insert(h.chunkId);
    int hit = 0;
    for (const auto& h : approx) hit += truth.count(h.chunkId) ? 1 : 0;
    recallSum += exact.empty() ? 1.0 : static_cast<double>(hit) / static_cast<double>(exact.size());
    const std::string& text = sampleText[i];
    const std::string words = text.substr(0, text.find(' ', text.find(' ', text.find(' ') + 1) + 1));
    t = Clock::now();
    store->keywordSearch(words, 40);
    keywordMs.push_back(msSince(t));
    SearchOptions so;
    so.k = o.k;
    t = Clock::now();
    searchWithVector(*store, *flat, query, nullptr, words, so);
    hybridMs.push_back(msSince(t));
  }
  std::error_code ec;
  const auto dbBytes = std::filesystem::file_size(work / CollectionStore::kDatabaseName, ec);
  const auto indexBytes = std::filesystem::file_size(work / VectorIndex::kFileName, ec);
  job.report(1, "done");
  return {{"bench", "search"},
          {"chunks", o.chunks},
          {"dimension", o.dimension},
          {"queries", q},
          {"k", o.k},
          {"write_chunks_per_s", static_cast<double>(o.chunks) / (ingestMs / 1000)},
          {"flat_build_ms", flatBuildMs},
          {"hnsw_build_ms", hnswBuildMs},
          {"dense_exact", percentiles(flatMs)},
          {"dense_hnsw", percentiles(hnswMs)},
          {"hnsw_ef_search", o.efSearch},
          {"hnsw_recall_at_k", q ? recallSum / static_cast<double>(q) : 0.0},
          {"keyword", percentiles(keywordMs)},
          {"hybrid_without_embedding", percentiles(hybridMs)},
          {"database_bytes", dbBytes},
          {"index_bytes", indexBytes},
          {"resident_bytes_with_exact_index", rssOpen > rssStart ? rssOpen - rssStart : 0}};
}

json benchIngest(const std::filesystem::path& work, const LoadedModel& embedder, int documents, const JobContext& job) {
  std::filesystem::remove_all(work);
  const std::filesystem::path docs = work / "handbook", dir = work / "collection";
  HandbookOptions ho;
  ho.documents = documents;
  ho.sectionsPerDocument = 6;
  job.report(0, "writing the handbook");
  const auto questions = writeHandbook(docs, ho);
  CollectionSettings s;
  s.embedder = stampOf(embedder, pathOf(embedder.info().dir));
  auto store = CollectionStore::create(dir, s);
  auto index = VectorIndex::open(*store);
  IngestOptions io;
  io.job = job.part(0.05, 1, "ingesting");
  const IngestReport r = addToCollection(*store, *index, embedder, {docs}, io);
  int64_t pdfPages = 0;
  for (const auto& d : store->documents()) pdfPages += d.pages;
  const double readSeconds = r.seconds - r.embedSeconds;
  return {{"bench", "ingest"},
          {"documents", r.added},
          {"pdf_pages", pdfPages},
          {"chunks", r.chunks},
          {"questions", questions.size()},
          {"seconds", r.seconds},
          {"embed_seconds", r.embedSeconds},
          {"documents_per_s", r.added / r.seconds},
          {"pdf_pages_per_s", static_cast<double>(pdfPages) / r.seconds},
          {"chunks_per_s", static_cast<double>(r.chunks) / r.seconds},
          {"embed_chunks_per_s", r.embedSeconds > 0 ? static_cast<double>(r.chunks) / r.embedSeconds : 0.0},
          {"read_chunk_store_seconds", readSeconds},
          {"problems", r.problems.size()}};
}

}  // namespace fm::rag
