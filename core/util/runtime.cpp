#include "util/runtime.h"

#include <torch/torch.h>

#include <thread>

namespace fm {

void initRuntime(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(threads);
}

int runtimeThreads() { return torch::get_num_threads(); }

bool cudaAvailable() { return torch::cuda::is_available(); }

}  // namespace fm
