// Process-wide runtime settings, applied once at start by each executable.
//
//   fm::initRuntime();        // intra-op threads = CPU cores (libtorch's default here is 1)
//   fm::initRuntime(4);       // explicit count (a user setting)
#pragma once

#include <string>

namespace fm {

void initRuntime(int threads = 0);

// A thread count a person asked for, made sensible: 0 means every core; more than the cores
// only adds contention (and thousands of threads can stall the machine), so it is lowered to
// the core count and `note` says so. Throws ConfigError for a negative count.
int boundThreads(int requested, std::string* note);

// libtorch's OpenMP threads spin while they wait; next to the BLAS library's own threads that
// spinning steals the cores the matrix products need (measured here: prefill 1.8x and decode
// 1.3x slower). libgomp reads OMP_WAIT_POLICY only when it loads, before main, so on Linux
// this sets it to PASSIVE and re-executes the program once, unless the user set it. In the same
// re-exec, when OpenBLAS took an AVX2 or AVX-512 CPU for an older one (a CPU newer than the
// OpenBLAS build), OPENBLAS_CORETYPE names the kernels the CPU can run (again unless the user
// set it). Call it first thing in main.
void ensureRuntimeEnvironment(int argc, char** argv);
int runtimeThreads();
// The BLAS kernels matrix products run on, as benchmarks report them ("OpenBLAS SkylakeX"), or
// "" when the BLAS library cannot say (MKL, Accelerate).
std::string blasKernels();
// Whether OpenBLAS kernels of this name ("Prescott", "SkylakeX"; any case) predate AVX2.
bool preAvx2BlasCore(const std::string& name);

// Intra-op threads for work started on the calling thread, restored when the scope ends. With
// libtorch's OpenMP backend the count is a per-thread setting, so a training job on a worker
// thread does not change what other jobs (or the GUI) use.
class ThreadCountScope {
 public:
  explicit ThreadCountScope(int threads);  // 0: leave as is
  ~ThreadCountScope();
  ThreadCountScope(const ThreadCountScope&) = delete;
  ThreadCountScope& operator=(const ThreadCountScope&) = delete;

 private:
  int m_previous = 0;
};
bool cudaAvailable();

}  // namespace fm
