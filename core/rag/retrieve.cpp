#include "rag/retrieve.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>

#include "arch/loaded_model.h"
#include "embed/embedder.h"
#include "rag/ingest.h"
#include "rag/sqlite.h"

namespace fm::rag {

namespace {

double ms(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

// Exact search over the chunks of some documents: the vectors are read from the store, so a
// filter never leaves fewer than k results the way filtering an index's top k does.
std::vector<VectorHit> denseWithin(const CollectionStore& store, const std::vector<float>& q,
                                   const std::vector<int64_t>& documents, int k) {
  std::vector<VectorHit> all;
  for (int64_t doc : documents)
    for (const StoredChunk& c : store.documentChunks(doc)) {
      const std::vector<float> v = store.embedding(c.id);
      if (v.size() != q.size()) continue;
      float dot = 0;
      for (size_t i = 0; i < v.size(); ++i) dot += v[i] * q[i];
      all.push_back({c.id, dot});
    }
  std::sort(all.begin(), all.end(), [](const VectorHit& a, const VectorHit& b) { return a.score > b.score; });
  if (static_cast<int>(all.size()) > k) all.resize(static_cast<size_t>(k));
  return all;
}

}  // namespace

SearchMode searchModeOf(const std::string& name) {
  if (name == "hybrid") return SearchMode::Hybrid;
  if (name == "dense") return SearchMode::Dense;
  if (name == "keyword") return SearchMode::Keyword;
  throw ConfigError("search mode must be hybrid, dense or keyword, not " + name);
}

const char* searchModeName(SearchMode m) {
  switch (m) {
    case SearchMode::Hybrid: return "hybrid";
    case SearchMode::Dense: return "dense";
    case SearchMode::Keyword: return "keyword";
  }
  return "hybrid";
}

std::vector<float> embedQuery(const LoadedModel& embedder, const std::string& query) {
  EmbedOptions eo;
  eo.promptName = queryPrompt(embedder);
  std::vector<float> v = embedTexts(embedder, {query}, eo).vectors.at(0);
  // The index holds unit vectors; a model that does not normalise gets its query normalised
  // here, so scores are cosines either way.
  double n = 0;
  for (float x : v) n += static_cast<double>(x) * x;
  if (n > 0) {
    const float inv = static_cast<float>(1.0 / std::sqrt(n));
    for (float& x : v) x *= inv;
  }
  return v;
}

SearchResult searchCollection(const CollectionStore& store, const VectorIndex& index, const LoadedModel& embedder,
                              const LoadedModel* reranker, const std::string& query, const SearchOptions& o,
                              const JobContext& job) {
  std::vector<float> q;
  double embedMs = 0;
  if (o.mode != SearchMode::Keyword && o.k > 0) {
    const auto t = std::chrono::steady_clock::now();
    q = embedQuery(embedder, query);
    embedMs = ms(t);
  }
  SearchResult r = searchWithVector(store, index, q, reranker, query, o, job);
  r.denseMs += embedMs;
  r.queryVector = std::move(q);
  return r;
}

SearchResult searchWithVector(const CollectionStore& store, const VectorIndex& index, const std::vector<float>& q,
                              const LoadedModel* reranker, const std::string& query, const SearchOptions& o,
                              const JobContext& job) {
  SearchResult result;
  if (o.k <= 0) return result;
  if (o.rerank && !reranker) throw ConfigError("reranking needs a reranker (a cross-encoder model)");
  const int pool = std::max(o.candidates, o.k);
  std::map<int64_t, SearchHit> hits;
  if (o.mode != SearchMode::Keyword) {
    const auto t = std::chrono::steady_clock::now();
    const std::vector<VectorHit> dense = o.documents.empty() ? index.search(q, pool) : denseWithin(store, q, o.documents, pool);
    for (size_t i = 0; i < dense.size(); ++i) {
      SearchHit& h = hits[dense[i].chunkId];
      h.dense = {true, dense[i].score, static_cast<int>(i) + 1};
    }
    result.denseMs = ms(t);
  }
  job.checkCancel();
  if (o.mode != SearchMode::Dense) {
    const auto t = std::chrono::steady_clock::now();
    const std::vector<KeywordHit> kw = store.keywordSearch(query, pool, o.documents);
    for (size_t i = 0; i < kw.size(); ++i) {
      SearchHit& h = hits[kw[i].chunkId];
      h.keyword = {true, kw[i].score, static_cast<int>(i) + 1};
    }
    result.keywordMs = ms(t);
  }
  // Reciprocal rank fusion: each list a chunk is in adds 1 / (k + rank).
  std::vector<SearchHit*> order;
  for (auto& [id, h] : hits) {
    h.chunk.id = id;
    double s = 0;
    if (h.dense.present) s += 1.0 / (o.rrfK + h.dense.rank);
    if (h.keyword.present) s += 1.0 / (o.rrfK + h.keyword.rank);
    h.fused = {true, s, 0};
    order.push_back(&h);
  }
  auto fusedFirst = [](const SearchHit* a, const SearchHit* b) {
    if (a->fused.score != b->fused.score) return a->fused.score > b->fused.score;
    return a->dense.score > b->dense.score;
  };
  std::sort(order.begin(), order.end(), fusedFirst);
  for (size_t i = 0; i < order.size(); ++i) order[i]->fused.rank = static_cast<int>(i) + 1;
  if (o.rerank && !order.empty()) {
    const auto t = std::chrono::steady_clock::now();
    const size_t n = std::min(order.size(), static_cast<size_t>(std::max(o.rerankTop, o.k)));
    std::vector<int64_t> ids;
    for (size_t i = 0; i < n; ++i) ids.push_back(order[i]->chunk.id);
    std::map<int64_t, std::string> texts;
    for (const StoredChunk& c : store.chunks(ids)) texts[c.id] = c.text;
    std::vector<std::string> passages;
    for (int64_t id : ids) passages.push_back(texts[id]);
    const std::vector<PairScore> scores = scorePairs(*reranker, query, passages, {}, job);
    std::vector<std::pair<double, size_t>> byScore;
    for (size_t i = 0; i < scores.size(); ++i) byScore.push_back({scores[i].score, i});
    std::stable_sort(byScore.begin(), byScore.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<SearchHit*> reranked;
    for (size_t r = 0; r < byScore.size(); ++r) {
      SearchHit* h = order[byScore[r].second];
      h->rerank = {true, byScore[r].first, static_cast<int>(r) + 1};
      reranked.push_back(h);
    }
    for (size_t i = n; i < order.size(); ++i) reranked.push_back(order[i]);
    order = reranked;
    result.rerankMs = ms(t);
  }
  std::vector<int64_t> ids;
  for (SearchHit* h : order) ids.push_back(h->chunk.id);
  std::map<int64_t, StoredChunk> stored;
  for (StoredChunk& c : store.chunks(ids)) stored[c.id] = std::move(c);
  std::map<int64_t, std::string> docPaths;
  for (SearchHit* h : order) {
    if (static_cast<int>(result.hits.size()) == o.k) break;
    auto it = stored.find(h->chunk.id);
    if (it == stored.end()) continue;  // an index entry the store no longer has
    SearchHit out = *h;
    out.chunk = it->second;
    auto path = docPaths.find(out.chunk.documentId);
    if (path == docPaths.end()) path = docPaths.emplace(out.chunk.documentId, store.documentPath(out.chunk.documentId)).first;
    out.document = path->second;
    result.hits.push_back(std::move(out));
  }
  return result;
}

}  // namespace fm::rag
