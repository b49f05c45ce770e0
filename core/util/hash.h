// A stable, fast, non-cryptographic fingerprint (FNV-1a, 64 bits) for telling files and
// settings apart: the same bytes give the same 16 hex digits on every platform and release.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace fm {

constexpr uint64_t kFnvStart = 1469598103934665603ull;

inline uint64_t fnv1a64(uint64_t h, const char* data, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(data[i]);
    h *= 1099511628211ull;
  }
  return h;
}

std::string hex16(uint64_t h);
inline std::string fingerprint(const std::string& bytes) { return hex16(fnv1a64(kFnvStart, bytes.data(), bytes.size())); }

}  // namespace fm
