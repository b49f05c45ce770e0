// An exclusive lock on a folder for as long as the object lives: two training jobs (two
// processes, or two jobs in one process) never write the same run folder at once. The
// operating system drops the lock when the process ends, so a killed run leaves no stale lock.
//
//   fm::FolderLock lock(runDir, "the run");   // throws ConfigError when another job holds it
#pragma once

#include <filesystem>
#include <string>

namespace fm {

class FolderLock {
 public:
  // Creates `dir`/.lock if needed and locks it; `what` names the folder in the error.
  FolderLock(const std::filesystem::path& dir, const std::string& what);
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
#ifdef _WIN32
  void* m_handle = nullptr;
#else
  int m_fd = -1;
#endif
};

}  // namespace fm
