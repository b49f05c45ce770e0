// Finding the chunks that answer a question: dense (the vector index), keyword (FTS5 BM25), or
// both fused by reciprocal rank fusion, then optionally reranked by a cross-encoder. Every
// stage's score and rank is kept, so the user (and the evidence log) can see why a chunk came up.
//
//   fm::rag::SearchOptions o;  o.k = 5;  o.mode = fm::rag::SearchMode::Hybrid;
//   auto r = fm::rag::searchCollection(*store, *index, *embedder, nullptr, "How many days of leave?", o);
#pragma once

#include <string>
#include <vector>

#include "rag/store.h"
#include "rag/vector_index.h"

namespace fm {
class LoadedModel;
}

namespace fm::rag {

enum class SearchMode { Hybrid, Dense, Keyword };
SearchMode searchModeOf(const std::string& name);  // "hybrid", "dense", "keyword"; ConfigError else
const char* searchModeName(SearchMode m);

struct SearchOptions {
  int k = 5;
  SearchMode mode = SearchMode::Hybrid;
  bool rerank = false;      // needs a reranker
  int candidates = 40;      // from each of dense and keyword before fusion
  int rerankTop = 20;       // fused candidates the cross-encoder scores (it is slow on a CPU)
  int rrfK = 60;            // reciprocal rank fusion's constant
  std::vector<int64_t> documents;  // only these documents (empty: all)
};

struct StageScore {
  bool present = false;
  double score = 0;
  int rank = 0;  // 1-based within the stage
};

struct SearchHit {
  StoredChunk chunk;
  std::string document;  // the document's path
  StageScore dense, keyword, fused, rerank;
};

struct SearchResult {
  std::vector<SearchHit> hits;  // best first
  double denseMs = 0, keywordMs = 0, rerankMs = 0;
  std::vector<float> queryVector;  // the query's embedding (searchCollection, when dense search ran)
};

SearchResult searchCollection(const CollectionStore& store, const VectorIndex& index, const LoadedModel& embedder,
                              const LoadedModel* reranker, const std::string& query, const SearchOptions& options,
                              const JobContext& job = {});

// The same with the query's vector already made (benchmarks; several searches of one query).
SearchResult searchWithVector(const CollectionStore& store, const VectorIndex& index, const std::vector<float>& queryVector,
                              const LoadedModel* reranker, const std::string& query, const SearchOptions& options,
                              const JobContext& job = {});

// The embedder's vector for a query (with its query prompt).
std::vector<float> embedQuery(const LoadedModel& embedder, const std::string& query);

}  // namespace fm::rag
