#include "util/runtime.h"

#include <torch/torch.h>

#include <cstdlib>
#include <thread>

#if defined(__linux__)
#include <unistd.h>
#endif

namespace fm {

void initRuntime(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(threads);
}

void ensureRuntimeEnvironment(int argc, char** argv) {
#if defined(__linux__)
  (void)argc;
  if (std::getenv("OMP_WAIT_POLICY")) return;
  ::setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
  ::execv("/proc/self/exe", argv);
  // exec failed: carry on with spinning threads; only speed is affected.
#else
  (void)argc;
  (void)argv;
#endif
}

int runtimeThreads() { return torch::get_num_threads(); }

bool cudaAvailable() { return torch::cuda::is_available(); }

}  // namespace fm
