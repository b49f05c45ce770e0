#include "rag/chunk_map.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "rag/document.h"
#include "rag/store.h"

namespace fm::rag {

namespace {

// The leading eigenvector of the symmetric matrix `c` (dim x dim, row-major), by power
// iteration from a fixed start, so the same vectors give the same map everywhere.
std::vector<double> leadingEigenvector(const std::vector<double>& c, size_t dim, double& eigenvalue) {
  std::vector<double> v(dim), w(dim);
  for (size_t i = 0; i < dim; ++i) v[i] = 1.0 + 0.01 * static_cast<double>(i % 7);
  eigenvalue = 0;
  for (int iter = 0; iter < 500; ++iter) {
    double norm = 0;
    for (size_t i = 0; i < dim; ++i) norm += v[i] * v[i];
    norm = std::sqrt(norm);
    if (norm == 0) break;
    for (double& x : v) x /= norm;
    for (size_t i = 0; i < dim; ++i) {
      double s = 0;
      const double* row = &c[i * dim];
      for (size_t j = 0; j < dim; ++j) s += row[j] * v[j];
      w[i] = s;
    }
    double lambda = 0, change = 0;
    for (size_t i = 0; i < dim; ++i) lambda += v[i] * w[i];
    double wn = 0;
    for (double x : w) wn += x * x;
    wn = std::sqrt(wn);
    if (wn == 0) break;
    for (size_t i = 0; i < dim; ++i) change = std::max(change, std::abs(w[i] / wn - v[i]));
    v.swap(w);
    eigenvalue = lambda;
    if (change < 1e-10) break;
  }
  double norm = 0;
  for (double x : v) norm += x * x;
  norm = std::sqrt(norm);
  if (norm > 0)
    for (double& x : v) x /= norm;
  // The sign of an eigenvector is arbitrary: its largest component is made positive.
  size_t big = 0;
  for (size_t i = 1; i < dim; ++i)
    if (std::abs(v[i]) > std::abs(v[big])) big = i;
  if (dim && v[big] < 0)
    for (double& x : v) x = -x;
  return v;
}

std::string previewOf(const std::string& text) {
  constexpr size_t kBytes = 90;
  // The opening bytes are enough: folding only shortens them.
  std::string t = foldSpaces(text.substr(0, 4 * kBytes));
  if (t.size() > kBytes) t.resize(kBytes);
  if (t.size() < kBytes) return t;
  size_t cut = t.rfind(' ');
  if (cut == std::string::npos || cut < kBytes / 2) {
    cut = t.size();
    while (cut > 0 && (static_cast<unsigned char>(t[cut - 1]) & 0xC0) == 0x80) --cut;  // continuation bytes
    if (cut > 0 && static_cast<unsigned char>(t[cut - 1]) >= 0xC0) --cut;                // their lead byte
  }
  return t.substr(0, cut) + "…";
}

}  // namespace

void principalAxes(const std::vector<std::vector<float>>& rows, std::vector<double>& mean, std::vector<double>& axisX,
                   std::vector<double>& axisY, double explained[2]) {
  mean.clear();
  axisX.clear();
  axisY.clear();
  explained[0] = explained[1] = 0;
  if (rows.empty()) return;
  const size_t dim = rows.front().size(), n = rows.size();
  mean.assign(dim, 0.0);
  for (const auto& r : rows)
    for (size_t j = 0; j < dim; ++j) mean[j] += r[j];
  for (double& m : mean) m /= static_cast<double>(n);
  // Covariance (upper triangle accumulated, then mirrored).
  std::vector<double> cov(dim * dim, 0.0), centred(dim);
  for (const auto& r : rows) {
    for (size_t j = 0; j < dim; ++j) centred[j] = r[j] - mean[j];
    for (size_t i = 0; i < dim; ++i) {
      const double ci = centred[i];
      double* row = &cov[i * dim];
      for (size_t j = i; j < dim; ++j) row[j] += ci * centred[j];
    }
  }
  double total = 0;
  for (size_t i = 0; i < dim; ++i) {
    for (size_t j = i; j < dim; ++j) {
      cov[i * dim + j] /= static_cast<double>(n);
      cov[j * dim + i] = cov[i * dim + j];
    }
    total += cov[i * dim + i];
  }
  double l1 = 0, l2 = 0;
  axisX = leadingEigenvector(cov, dim, l1);
  // Deflation: the second axis is the leading one of what the first leaves.
  for (size_t i = 0; i < dim; ++i)
    for (size_t j = 0; j < dim; ++j) cov[i * dim + j] -= l1 * axisX[i] * axisX[j];
  axisY = leadingEigenvector(cov, dim, l2);
  if (total > 0) {
    explained[0] = std::max(0.0, l1) / total;
    explained[1] = std::max(0.0, l2) / total;
  }
}

std::array<float, 2> ChunkMap::project(const std::vector<float>& v) const {
  if (mean.empty() || v.size() != mean.size()) return {0.f, 0.f};
  double x = 0, y = 0;
  for (size_t j = 0; j < v.size(); ++j) {
    const double c = v[j] - mean[j];
    x += c * axisX[j];
    y += c * axisY[j];
  }
  return {static_cast<float>(x), static_cast<float>(y)};
}

ChunkMap mapCollection(const CollectionStore& store, int maxPoints, const JobContext& job) {
  ChunkMap map;
  map.chunks = store.chunkCount();
  if (map.chunks == 0) return map;
  // An even sample: every step-th chunk in id order.
  const int64_t step = std::max<int64_t>(1, (map.chunks + maxPoints - 1) / std::max(1, maxPoints));
  std::vector<int64_t> ids;
  std::vector<std::vector<float>> rows;
  int64_t seen = 0;
  store.forEachEmbedding([&](int64_t id, const std::vector<float>& v) {
    if (seen++ % step == 0 && !v.empty()) {
      ids.push_back(id);
      rows.push_back(v);
    }
    if (seen % 2048 == 0) job.report(0.5 * static_cast<double>(seen) / static_cast<double>(map.chunks), "reading vectors");
  });
  job.report(0.5, "finding the main directions");
  principalAxes(rows, map.mean, map.axisX, map.axisY, map.explained);
  job.report(0.9, "placing the chunks");
  std::vector<StoredChunk> chunks = store.chunks(ids);
  std::sort(chunks.begin(), chunks.end(), [](const StoredChunk& a, const StoredChunk& b) { return a.id < b.id; });
  map.points.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    MapPoint p;
    p.chunk = ids[i];
    const auto xy = map.project(rows[i]);
    p.x = xy[0];
    p.y = xy[1];
    // ids are ascending, as is `chunks`; a chunk removed meanwhile is simply not found.
    const auto it = std::lower_bound(chunks.begin(), chunks.end(), ids[i],
                                     [](const StoredChunk& c, int64_t id) { return c.id < id; });
    if (it == chunks.end() || it->id != ids[i]) continue;
    p.document = it->documentId;
    p.preview = previewOf(it->text);
    map.points.push_back(std::move(p));
  }
  return map;
}

}  // namespace fm::rag
