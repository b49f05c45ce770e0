// Training throughput benchmark on a SPEC file (model config, LoRA settings, step counts and a
// log-normal sequence-length distribution), the same format the Python reference script reads.
// Counts real tokens only; nothing is padded (batches are packed).
//
//   auto r = fm::benchTrain(spec, "lora");   // r.tokensPerS, r.gemmFraction
//
// Thread safety: uses torch's global thread setting; run one at a time.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace fm {

struct TrainBenchResult {
  std::string method;
  double tokensPerS = 0, seconds = 0, stepSeconds = 0, loss = 0;
  int64_t steps = 0, tokens = 0;
  double flopsPerToken = 0;   // model arithmetic of one training token (forward + backward)
  double gemmGflops = 0;      // measured fp32 matrix-multiply peak in the same run
  double achievedGflops = 0, gemmFraction = 0;
  nlohmann::json toJson() const;
};

TrainBenchResult benchTrain(const nlohmann::json& spec, const std::string& method);
// fp32 GEMM throughput on shapes like the model's projections (GFLOP/s).
double measureGemmGflops(int64_t m, int64_t k, int64_t n, double seconds);

}  // namespace fm
