#include "util/runtime.h"

#include <torch/torch.h>

#include <cstdlib>
#include <string>

#include "util/error.h"
#include <thread>

#if defined(__linux__)
#include <unistd.h>
#endif
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace fm {

int boundThreads(int requested, std::string* note) {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (requested < 0) throw ConfigError("threads must be 0 (every core) or a positive count, got " + std::to_string(requested));
  if (requested == 0) return cores;
  if (requested > cores) {
    if (note)
      *note = "threads " + std::to_string(requested) + " is more than this machine's " + std::to_string(cores) +
              " cores; using " + std::to_string(cores);
    return cores;
  }
  return requested;
}

void initRuntime(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(threads);
#if defined(__GLIBC__)
  // Model work allocates and frees tensors of a few MB at every layer. With glibc's defaults
  // each is a fresh mmap whose pages fault in on first touch and go back to the kernel on
  // free: a fifth of an encoder's time on these machines. Kept in the heap (up to the largest
  // threshold glibc allows), the pages are reused.
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
#endif
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

ThreadCountScope::ThreadCountScope(int threads) {
  if (threads <= 0) return;
  m_previous = torch::get_num_threads();
  torch::set_num_threads(threads);
}

ThreadCountScope::~ThreadCountScope() {
  if (m_previous > 0) torch::set_num_threads(m_previous);
}

bool cudaAvailable() { return torch::cuda::is_available(); }

}  // namespace fm
