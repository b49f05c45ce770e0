// Atomic file writes: the bytes go to a temporary file in the destination folder, are flushed
// to disk, and only then renamed over the destination. A crash, a kill or a full disk leaves
// either the old file or the new one, never a torn mix.
//
//   fm::AtomicFile out(path);          // opens "<path>.tmp-XXXX" beside path
//   out.write(bytes, n);
//   out.commit();                      // fsync + rename; the destructor discards if not committed
//
// Thread safety: one AtomicFile per thread; different paths may be written concurrently.
#pragma once

#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <string>

namespace fm {

class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path target);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, size_t size);
  void write(const std::string& s) { write(s.data(), s.size()); }
  void commit();

 private:
  std::filesystem::path m_target;
  std::filesystem::path m_temp;
  std::FILE* m_file = nullptr;
  bool m_committed = false;
};

// Creates `dir` and its parents; throws IoError naming the folder and the reason (permission,
// read-only disk, a file in the way) instead of a bare filesystem error.
void makeFolder(const std::filesystem::path& dir);

// Convenience: writes the whole string atomically.
void writeFileAtomic(const std::filesystem::path& path, const std::string& contents);

// Flushes a folder's entries (after renames into it) to disk. No-op where unsupported.
void syncDirectory(const std::filesystem::path& dir);

// Reads a whole file; throws IoError naming the path.
std::string readFile(const std::filesystem::path& path);

}  // namespace fm
