// Collections benchmarks: search latency at a given size (exact and approximate vector search,
// keyword search, hybrid fusion), the approximate index's recall against exact search, and the
// memory a collection takes; ingestion throughput on a generated handbook.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "jobs/job.h"

namespace fm {
class LoadedModel;
}

namespace fm::rag {

struct SearchBenchOptions {
  int64_t chunks = 10000;
  int dimension = 384;
  int queries = 200;
  int k = 10;
  int efSearch = 64;
  uint64_t seed = 7;
};

// Builds a collection of synthetic chunks (clustered unit vectors, text drawn from a Zipf-like
// vocabulary) in `work`, then times queries. One JSON object with every figure.
nlohmann::json benchSearch(const std::filesystem::path& work, const SearchBenchOptions& options,
                           const JobContext& job = {});

// Writes a generated handbook of `documents` files (PDF, Word, HTML, Markdown and text in
// turn), ingests it with `embedder` into a new collection in `work`, and reports pages/s,
// chunks/s and the embedding's share.
nlohmann::json benchIngest(const std::filesystem::path& work, const LoadedModel& embedder, int documents,
                           const JobContext& job = {});

// Resident memory of this process in bytes (0 where the system does not say).
uint64_t residentBytes();

}  // namespace fm::rag
