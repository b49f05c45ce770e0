#include "io/atomic_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#ifdef _WIN32
#include <io.h>
#else
#include <fcntl.h>
#include <unistd.h>
#endif

#include "util/error.h"

namespace fm {
namespace fs = std::filesystem;

namespace {

std::string randomSuffix() {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd());
  static const char kHex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 8; ++i) s += kHex[gen() % 16];
  return s;
}

}  // namespace

void syncDirectory(const fs::path& dir) {
#ifndef _WIN32
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
#else
  (void)dir;
#endif
}

void makeFolder(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (!ec) return;
  std::string why = ec.message();
  if (ec == std::errc::permission_denied || ec == std::errc::read_only_file_system || ec == std::errc::operation_not_permitted)
    why += "; choose a folder you can write to";
  throw IoError("cannot create the folder " + dir.string() + ": " + why);
}

AtomicFile::AtomicFile(fs::path target) : m_target(std::move(target)) {
  fs::path dir = m_target.parent_path();
  if (!dir.empty()) makeFolder(dir);
  m_temp = m_target;
  m_temp += ".tmp-" + randomSuffix();
  m_file = std::fopen(m_temp.string().c_str(), "wb");
  if (!m_file)
    throw IoError("cannot write " + m_temp.string() + ": " + std::strerror(errno));
}

AtomicFile::~AtomicFile() {
  if (m_file) std::fclose(m_file);
  if (!m_committed) {
    std::error_code ec;
    fs::remove(m_temp, ec);
  }
}

void AtomicFile::write(const void* data, size_t size) {
  if (!m_file) throw IoError("write to " + m_target.string() + " after commit");
  if (size && std::fwrite(data, 1, size, m_file) != size)
    throw IoError("writing " + m_target.string() + " failed: " + std::strerror(errno) +
                  " (is the disk full?)");
}

void AtomicFile::commit() {
  if (!m_file) throw IoError("commit of " + m_target.string() + " twice");
  bool ok = std::fflush(m_file) == 0;
#ifndef _WIN32
  ok = ok && ::fsync(fileno(m_file)) == 0;
#else
  ok = ok && _commit(_fileno(m_file)) == 0;
#endif
  int err = errno;
  ok = (std::fclose(m_file) == 0) && ok;
  m_file = nullptr;
  if (!ok)
    throw IoError("writing " + m_target.string() + " failed: " + std::strerror(err) +
                  " (is the disk full?); the previous file is unchanged");
  std::error_code ec;
  fs::rename(m_temp, m_target, ec);
  if (ec) throw IoError("cannot replace " + m_target.string() + ": " + ec.message());
  m_committed = true;
  syncDirectory(m_target.parent_path());
}

void writeFileAtomic(const fs::path& path, const std::string& contents) {
  AtomicFile f(path);
  f.write(contents);
  f.commit();
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read " + path.string() + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw IoError("reading " + path.string() + " failed");
  return ss.str();
}

}  // namespace fm
