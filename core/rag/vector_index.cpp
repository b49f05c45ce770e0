#include "rag/vector_index.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIDMap.h>
#include <faiss/impl/AuxIndexStructures.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/impl/io.h>
#include <faiss/index_io.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "io/atomic_file.h"
#include "rag/store.h"
#include "util/error.h"
#include "util/paths.h"

namespace fm::rag {

namespace {

std::unique_ptr<faiss::Index> makeIndex(int dim, const std::string& kind) {
  faiss::Index* inner = kind == "hnsw" ? static_cast<faiss::Index*>(new faiss::IndexHNSWFlat(dim, 32, faiss::METRIC_INNER_PRODUCT))
                                       : static_cast<faiss::Index*>(new faiss::IndexFlatIP(dim));
  auto* map = new faiss::IndexIDMap2(inner);
  map->own_fields = true;
  return std::unique_ptr<faiss::Index>(map);
}

faiss::IndexHNSW* hnswOf(faiss::Index* index) {
  auto* map = dynamic_cast<faiss::IndexIDMap2*>(index);
  return map ? dynamic_cast<faiss::IndexHNSW*>(map->index) : nullptr;
}

}  // namespace

VectorIndex::VectorIndex(int dim, std::string kind) : m_index(makeIndex(dim, kind)), m_dim(dim), m_kind(std::move(kind)) {}

VectorIndex::~VectorIndex() = default;

std::unique_ptr<VectorIndex> VectorIndex::inMemory(int dimension, const std::string& kind) {
  if (kind != "flat" && kind != "hnsw") throw ConfigError("index must be flat or hnsw, not " + kind);
  return std::unique_ptr<VectorIndex>(new VectorIndex(dimension, kind));
}

int64_t VectorIndex::size() const { return m_index->ntotal; }

void VectorIndex::setSearchBreadth(int efSearch) {
  m_efSearch = efSearch;
  if (auto* h = hnswOf(m_index.get())) h->hnsw.efSearch = efSearch;
}

void VectorIndex::add(const std::vector<int64_t>& ids, const std::vector<std::vector<float>>& vectors) {
  if (ids.empty()) return;
  std::vector<float> flat;
  flat.reserve(vectors.size() * static_cast<size_t>(m_dim));
  for (const auto& v : vectors) {
    if (static_cast<int>(v.size()) != m_dim)
      throw FormatError("a vector of " + std::to_string(v.size()) + " numbers cannot join an index of " +
                        std::to_string(m_dim));
    flat.insert(flat.end(), v.begin(), v.end());
  }
  std::vector<faiss::Index::idx_t> fid(ids.begin(), ids.end());
  m_index->add_with_ids(static_cast<faiss::Index::idx_t>(ids.size()), flat.data(), fid.data());
  m_dirty = true;
}

void VectorIndex::remove(const std::vector<int64_t>& ids) {
  if (ids.empty()) return;
  if (hnswOf(m_index.get())) {
    m_needsRebuild = true;  // HNSW graphs cannot drop nodes; searches skip nothing until then
    m_dirty = true;
    return;
  }
  std::vector<faiss::Index::idx_t> fid(ids.begin(), ids.end());
  faiss::IDSelectorBatch sel(fid.size(), fid.data());
  m_index->remove_ids(sel);
  m_dirty = true;
}

std::vector<VectorHit> VectorIndex::search(const std::vector<float>& query, int k) const {
  if (static_cast<int>(query.size()) != m_dim)
    throw FormatError("the query's vector has " + std::to_string(query.size()) + " numbers; the collection's have " +
                      std::to_string(m_dim) + " (it was made with another embedder)");
  k = static_cast<int>(std::min<int64_t>(k, m_index->ntotal));
  if (k <= 0) return {};
  std::vector<float> dist(static_cast<size_t>(k));
  std::vector<faiss::Index::idx_t> labels(static_cast<size_t>(k));
  if (auto* h = hnswOf(m_index.get())) h->hnsw.efSearch = std::max(m_efSearch, k);
  m_index->search(1, query.data(), k, dist.data(), labels.data());
  std::vector<VectorHit> out;
  for (int i = 0; i < k; ++i)
    if (labels[static_cast<size_t>(i)] >= 0) out.push_back({labels[static_cast<size_t>(i)], dist[static_cast<size_t>(i)]});
  return out;
}

void VectorIndex::save(CollectionStore& store) {
  if (m_needsRebuild) {
    auto fresh = rebuild(store);
    m_index = std::move(fresh->m_index);
    m_needsRebuild = false;
    m_dirty = false;
    return;
  }
  faiss::VectorIOWriter w;
  faiss::write_index(m_index.get(), &w);
  const std::string bytes(w.data.begin(), w.data.end());
  writeFileAtomic(store.dir() / kFileName, bytes);
  store.setMeta("index_state", std::to_string(m_index->ntotal) + " " + m_kind + " " + contentHash(bytes));
  m_dirty = false;
}

std::unique_ptr<VectorIndex> VectorIndex::rebuild(CollectionStore& store, const JobContext& job) {
  const int dim = store.settings().embedder.dimension;
  if (dim <= 0) throw FormatError(utf8(store.dir()) + ": the collection does not record its vectors' size");
  std::unique_ptr<VectorIndex> index(new VectorIndex(dim, store.settings().indexKind));
  const int64_t total = store.chunkCount();
  std::vector<int64_t> ids;
  std::vector<std::vector<float>> batch;
  int64_t done = 0;
  auto flush = [&] {
    index->add(ids, batch);
    done += static_cast<int64_t>(ids.size());
    ids.clear();
    batch.clear();
    job.report(total ? static_cast<double>(done) / static_cast<double>(total) : 1.0,
               "indexing vectors: " + std::to_string(done) + " of " + std::to_string(total));
  };
  store.forEachEmbedding([&](int64_t id, const std::vector<float>& v) {
    if (static_cast<int>(v.size()) != dim) return;  // not of this embedder: left for re-embedding
    ids.push_back(id);
    batch.push_back(v);
    if (ids.size() == 4096) flush();
  });
  flush();
  index->save(store);
  if (index->kind() == "hnsw") index->measureRecall(store);
  return index;
}


double VectorIndex::measureRecall(CollectionStore& store) const {
  if (m_kind != "hnsw" || size() == 0) return 1.0;
  // Recall@10 against exact search, with stored vectors (a sample of up to 100) as queries.
  auto exact = inMemory(m_dim, "flat");
  std::vector<int64_t> allIds;
  std::vector<std::vector<float>> all;
  store.forEachEmbedding([&](int64_t id, const std::vector<float>& v) {
    if (static_cast<int>(v.size()) != m_dim) return;
    allIds.push_back(id);
    all.push_back(v);
  });
  exact->add(allIds, all);
  const size_t step = std::max<size_t>(1, all.size() / 100);
  double recall = 0;
  int queries = 0;
  for (size_t i = 0; i < all.size(); i += step, ++queries) {
    const auto truth = exact->search(all[i], 10), got = search(all[i], 10);
    int hit = 0;
    for (const auto& g : got)
      for (const auto& t : truth) hit += g.chunkId == t.chunkId ? 1 : 0;
    recall += truth.empty() ? 1.0 : static_cast<double>(hit) / static_cast<double>(truth.size());
  }
  const double r = queries ? recall / queries : 1.0;
  store.setMeta("hnsw_recall_at_10", std::to_string(r));
  return r;
}

std::unique_ptr<VectorIndex> VectorIndex::open(CollectionStore& store, IndexCheck* check, const JobContext& job) {
  IndexCheck local;
  IndexCheck& c = check ? *check : local;
  c = {};
  const auto path = store.dir() / kFileName;
  const std::string state = store.meta("index_state");
  const int64_t expected = store.chunkCount();
  const int dim = store.settings().embedder.dimension;
  const std::string kind = store.settings().indexKind;
  auto fail = [&](std::string why) {
    c.rebuilt = true;
    c.reason = std::move(why);
    return rebuild(store, job);
  };
  if (!std::filesystem::exists(path)) return expected ? fail("the index file is missing") : fail("");
  std::string bytes;
  try {
    bytes = readFile(path);
  } catch (const Error& e) {
    return fail(std::string("the index file cannot be read: ") + e.what());
  }
  const std::string sum = contentHash(bytes);
  std::istringstream in(state);
  int64_t count = -1;
  std::string savedKind, savedSum;
  in >> count >> savedKind >> savedSum;
  if (savedSum != sum) return fail("the index file does not match its checksum (damaged, or from an interrupted save)");
  if (count != expected)
    return fail("the index holds " + std::to_string(count) + " vectors; the collection has " + std::to_string(expected));
  if (savedKind != kind) return fail("the index is " + savedKind + "; the collection asks for " + kind);
  std::unique_ptr<faiss::Index> loaded;
  try {
    faiss::VectorIOReader r;
    r.data.assign(bytes.begin(), bytes.end());
    loaded.reset(faiss::read_index(&r));
  } catch (const faiss::FaissException& e) {
    return fail(std::string("the index file cannot be read (") + e.what() + ")");
  }
  if (!loaded || loaded->d != dim || loaded->ntotal != expected || !dynamic_cast<faiss::IndexIDMap2*>(loaded.get()))
    return fail("the index file does not fit the collection");
  std::unique_ptr<VectorIndex> index(new VectorIndex(dim, kind));
  index->m_index = std::move(loaded);
  return index;
}

}  // namespace fm::rag
