// The collection's vector index (FAISS): exact inner-product search (IndexFlatIP) by default,
// HNSW for large collections. Vectors are unit length, so the inner product is the cosine.
// Ids are the chunks' ids in the store.
//
// The index file is never trusted: the store records the file's checksum, its vector count and
// its kind when it is saved; when the file is missing, damaged, stale (a kill between a
// document's commit and the next save) or of another kind, the index is rebuilt from the
// embeddings in the store.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "jobs/job.h"

namespace faiss {
struct Index;
}

namespace fm::rag {

class CollectionStore;

struct IndexCheck {
  bool rebuilt = false;
  std::string reason;  // why it was rebuilt ("" when the file was sound)
};

struct VectorHit {
  int64_t chunkId;
  float score;  // cosine similarity
};

class VectorIndex {
 public:
  static constexpr const char* kFileName = "index.faiss";

  // The index of `store`'s collection, checked against what the store recorded.
  static std::unique_ptr<VectorIndex> open(CollectionStore& store, IndexCheck* check = nullptr,
                                           const JobContext& job = {});
  // A new index from every embedding in the store, saved.
  static std::unique_ptr<VectorIndex> rebuild(CollectionStore& store, const JobContext& job = {});
  // An empty index kept in memory only (benchmarks, comparisons of kinds).
  static std::unique_ptr<VectorIndex> inMemory(int dimension, const std::string& kind);
  ~VectorIndex();

  int dimension() const { return m_dim; }
  int64_t size() const;
  const std::string& kind() const { return m_kind; }

  void add(const std::vector<int64_t>& ids, const std::vector<std::vector<float>>& vectors);
  void remove(const std::vector<int64_t>& ids);
  // The k nearest chunks, best first.
  std::vector<VectorHit> search(const std::vector<float>& query, int k) const;
  // Writes the file atomically and records its checksum and count in the store.
  void save(CollectionStore& store);
  bool dirty() const { return m_dirty; }

  // HNSW only: recall@10 against exact search, measured with stored vectors as queries and
  // recorded in the store ("hnsw_recall_at_10"), so the user sees what the speed costs.
  double measureRecall(CollectionStore& store) const;

  // HNSW's breadth of search (higher: better recall, slower).
  void setSearchBreadth(int efSearch);

 private:
  VectorIndex(int dim, std::string kind);
  std::unique_ptr<faiss::Index> m_index;
  int m_dim;
  std::string m_kind;
  bool m_dirty = false;
  bool m_needsRebuild = false;  // HNSW cannot remove vectors: the next save rebuilds
  int m_efSearch = 64;
};

}  // namespace fm::rag
