// Generation benchmark: prefill and decode speed, with and without the KV cache, against the
// memory-bandwidth bound (every decoded token reads all weights once).
#pragma once

#include <functional>
#include <string>

namespace fm {

class LoadedModel;

struct GenerateBenchResult {
  int promptTokens = 0, newTokens = 0;
  double prefillTokensPerSecond = 0;
  double decodeTokensPerSecond = 0;         // with KV cache
  double decodeNoCacheTokensPerSecond = 0;  // recomputing the whole sequence per token
  double weightBytesPerToken = 0;
  double memoryBandwidthGBs = 0;            // measured read bandwidth of this machine
  double boundTokensPerSecond = 0;          // bandwidth / weight bytes per token
  int threads = 0;
};

// `log` receives a line per phase (may be empty).
GenerateBenchResult benchGenerate(const LoadedModel& model, int promptTokens, int newTokens,
                                  bool withNoCache, const std::function<void(const std::string&)>& log);

// Read bandwidth of a large buffer (GB/s), best of several passes, using the runtime threads.
double measureReadBandwidthGBs();

}  // namespace fm
