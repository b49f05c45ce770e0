// Process-wide runtime settings, applied once at start by each executable.
//
//   fm::initRuntime();        // intra-op threads = CPU cores (libtorch's default here is 1)
//   fm::initRuntime(4);       // explicit count (a user setting)
#pragma once

#include <string>

namespace fm {

void initRuntime(int threads = 0);
int runtimeThreads();
bool cudaAvailable();

}  // namespace fm
