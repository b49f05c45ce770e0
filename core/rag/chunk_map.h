// A map of a collection: every chunk's embedding projected onto the two directions along which
// the collection's vectors spread the most (principal component analysis), so a class can see
// what "similar" means and where a question lands among the chunks it retrieves.
//
//   auto map = fm::rag::mapCollection(*store);
//   auto [x, y] = map.project(fm::rag::embedQuery(*embedder, "How many days of leave?"));
//
// Two dimensions cannot hold all of a 384-number vector: `explained` says how much of the
// spread the map shows, and ranks always come from the full vectors.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "jobs/job.h"

namespace fm::rag {

class CollectionStore;

struct MapPoint {
  int64_t chunk = 0, document = 0;
  float x = 0, y = 0;
  std::string preview;  // the chunk's first words
};

struct ChunkMap {
  std::vector<MapPoint> points;
  int64_t chunks = 0;               // chunks in the collection (points may be a sample)
  std::vector<double> mean, axisX, axisY;  // the projection (empty when there are no vectors)
  double explained[2] = {0, 0};     // share of the total variance along each axis
  std::array<float, 2> project(const std::vector<float>& vector) const;
};

// Projects at most `maxPoints` chunks (an even sample of a larger collection; the axes come from
// the sample too). Cancellable; an empty collection gives an empty map.
ChunkMap mapCollection(const CollectionStore& store, int maxPoints = 4000, const JobContext& job = {});

// The two leading principal axes of `rows` (n rows of `dim` numbers), and the share of the variance
// along each; exposed for tests.
void principalAxes(const std::vector<std::vector<float>>& rows, std::vector<double>& mean, std::vector<double>& axisX,
                   std::vector<double>& axisY, double explained[2]);

}  // namespace fm::rag
