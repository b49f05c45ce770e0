#include "util/runtime.h"

#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <iterator>
#include <string>
#include <thread>

#include "util/error.h"

#if defined(__linux__)
#include <dlfcn.h>
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

bool preAvx2BlasCore(const std::string& name) {
  std::string core(name);
  for (char& c : core) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const char* kPreAvx2[] = {"prescott", "core2", "penryn", "dunnington", "nehalem", "atom",
                                   "sandybridge", "katmai", "coppermine", "northwood", "banias"};
  return std::find(std::begin(kPreAvx2), std::end(kPreAvx2), core) != std::end(kPreAvx2);
}

namespace {

// The kernels OpenBLAS chose ("Prescott", "SkylakeX"), or nullptr when the matrix products are
// not OpenBLAS's (it is found among the libraries libtorch loaded).
const char* openblasCore() {
#if defined(__linux__)
  using CoreName = char* (*)();
  if (auto coreName = reinterpret_cast<CoreName>(::dlsym(RTLD_DEFAULT, "openblas_get_corename"))) return coreName();
#endif
  return nullptr;
}

#if defined(__linux__) && (defined(__x86_64__) || defined(__i386__))

// OpenBLAS (libtorch's matrix products on Linux) picks its kernels from the CPU's model number.
// A CPU newer than the OpenBLAS build (Debian 12's 0.3.21 on Sapphire Rapids, say) is taken
// for a "Prescott" and gets SSE3 kernels: measured here, training ran at half speed. When the
// CPU has AVX2 but OpenBLAS chose a core older than that, this names the newest kernel family
// the CPU can run. OpenBLAS reads OPENBLAS_CORETYPE only when it loads, so the caller re-execs.
const char* betterBlasCore() {
  const char* name = openblasCore();
  if (!name) return nullptr;
  if (!preAvx2BlasCore(name)) return nullptr;
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512cd"))
    return "SkylakeX";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
  return nullptr;
}
#endif

}  // namespace

void ensureRuntimeEnvironment(int argc, char** argv) {
  (void)argc;
#if defined(__linux__)
  bool changed = false;
  if (!std::getenv("OMP_WAIT_POLICY")) {
    ::setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
    changed = true;
  }
#if defined(__x86_64__) || defined(__i386__)
  if (!std::getenv("OPENBLAS_CORETYPE"))
    if (const char* core = betterBlasCore()) {
      ::setenv("OPENBLAS_CORETYPE", core, 1);
      changed = true;
    }
#endif
  if (!changed) return;
  ::execv("/proc/self/exe", argv);
  // exec failed: carry on as loaded; only speed is affected.
#else
  (void)argv;
#endif
}

std::string blasKernels() {
  const char* name = openblasCore();
  return name ? std::string("OpenBLAS ") + name : std::string();
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
