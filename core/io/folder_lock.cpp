#include "io/folder_lock.h"

#include "util/error.h"

#ifdef _WIN32
#include <windows.h>
#else
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#endif

namespace fm {

FolderLock::FolderLock(const std::filesystem::path& dir, const std::string& what) {
  const std::filesystem::path file = dir / ".lock";
  const std::string busy = dir.string() + ": " + what +
                           " is in use by another job (a training or resume that is still running); "
                           "wait for it to finish or stop it first";
#ifdef _WIN32
  HANDLE h = CreateFileW(file.wstring().c_str(), GENERIC_READ | GENERIC_WRITE, 0 /* no sharing */, nullptr,
                         OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL | FILE_FLAG_DELETE_ON_CLOSE, nullptr);
  if (h == INVALID_HANDLE_VALUE) {
    if (GetLastError() == ERROR_SHARING_VIOLATION) throw ConfigError(busy);
    throw IoError(file.string() + ": cannot create the lock file");
  }
  m_handle = h;
#else
  m_fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (m_fd < 0) throw IoError(file.string() + ": cannot create the lock file (" + std::strerror(errno) + ")");
  // flock locks belong to the open file, so a second job in this process is refused too.
  if (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(m_fd);
    m_fd = -1;
    if (err == EWOULDBLOCK) throw ConfigError(busy);
    throw IoError(file.string() + ": cannot lock (" + std::strerror(err) + ")");
  }
#endif
}

FolderLock::~FolderLock() {
#ifdef _WIN32
  if (m_handle) CloseHandle(static_cast<HANDLE>(m_handle));
#else
  if (m_fd >= 0) ::close(m_fd);  // releases the lock; the file stays (removing it would race)
#endif
}

}  // namespace fm
