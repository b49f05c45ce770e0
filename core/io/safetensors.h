// safetensors reading (memory-mapped, validated before it is trusted) and writing.
//
//   fm::SafetensorsFile f = fm::SafetensorsFile::open("model.safetensors");  // throws FormatError
//   for (const fm::TensorInfo& t : f.tensors()) use(t.name, t.dtype, t.shape, f.data(t));
//
//   std::vector<fm::TensorView> out = {{"w", fm::DType::F32, {2, 3}, ptr}};
//   fm::writeSafetensors("out.safetensors", out, {{"format", "pt"}});  // atomic
//
// Validation follows the format's rules: 8-byte little-endian header length no larger than the
// file and at most 100 MB; the header is a JSON object; each tensor's dtype x shape equals its
// byte span; spans lie inside the data area, start at 0, and neither overlap nor leave gaps; the
// data area ends exactly at the end of the file. A truncated file is refused up front, so a
// mapping is never read past its end (no SIGBUS).
//
// Thread safety: an opened file is immutable; data() may be read from any thread while the
// SafetensorsFile (or a copy of it: copies share the mapping) is alive.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace fm {

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL };

size_t dtypeSize(DType d);
const char* dtypeName(DType d);  // safetensors spelling: "F32", "BF16", ...
bool parseDType(const std::string& s, DType* out);

struct TensorInfo {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  uint64_t begin = 0;  // offsets into the data area
  uint64_t end = 0;
  int64_t numel() const;
};

class SafetensorsFile {
 public:
  static constexpr uint64_t kMaxHeaderBytes = 100ull * 1000 * 1000;

  static SafetensorsFile open(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return m_path; }
  const std::vector<TensorInfo>& tensors() const { return m_tensors; }
  const TensorInfo* find(const std::string& name) const;
  const uint8_t* data(const TensorInfo& t) const;
  const std::map<std::string, std::string>& metadata() const { return m_metadata; }
  uint64_t fileSize() const { return m_size; }

 private:
  struct Mapping;
  std::filesystem::path m_path;
  std::shared_ptr<Mapping> m_map;
  uint64_t m_size = 0;
  uint64_t m_dataStart = 0;
  std::vector<TensorInfo> m_tensors;
  std::map<std::string, size_t> m_index;
  std::map<std::string, std::string> m_metadata;
};

struct TensorView {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  const void* data = nullptr;  // dtypeSize(dtype) * numel bytes, little-endian
};

void writeSafetensors(const std::filesystem::path& path, const std::vector<TensorView>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

}  // namespace fm
