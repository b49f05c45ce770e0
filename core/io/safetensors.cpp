#include "io/safetensors.h"
#include "util/json_text.h"

#include <algorithm>
#include <limits>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#ifndef _WIN32
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include "io/atomic_file.h"
#include "util/error.h"

namespace fm {
namespace fs = std::filesystem;
using nlohmann::json;

size_t dtypeSize(DType d) {
  switch (d) {
    case DType::F64: case DType::I64: return 8;
    case DType::F32: case DType::I32: return 4;
    case DType::F16: case DType::BF16: case DType::I16: return 2;
    case DType::I8: case DType::U8: case DType::BOOL: return 1;
  }
  return 0;
}

const char* dtypeName(DType d) {
  switch (d) {
    case DType::F64: return "F64";
    case DType::F32: return "F32";
    case DType::F16: return "F16";
    case DType::BF16: return "BF16";
    case DType::I64: return "I64";
    case DType::I32: return "I32";
    case DType::I16: return "I16";
    case DType::I8: return "I8";
    case DType::U8: return "U8";
    case DType::BOOL: return "BOOL";
  }
  return "?";
}

bool parseDType(const std::string& s, DType* out) {
  static const std::pair<const char*, DType> kNames[] = {
      {"F64", DType::F64}, {"F32", DType::F32}, {"F16", DType::F16}, {"BF16", DType::BF16},
      {"I64", DType::I64}, {"I32", DType::I32}, {"I16", DType::I16}, {"I8", DType::I8},
      {"U8", DType::U8},   {"BOOL", DType::BOOL}};
  for (const auto& [name, d] : kNames)
    if (s == name) { *out = d; return true; }
  return false;
}

int64_t TensorInfo::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

// The file's bytes: mmap on POSIX, read into memory elsewhere.
struct SafetensorsFile::Mapping {
  const uint8_t* bytes = nullptr;
  uint64_t size = 0;
#ifndef _WIN32
  void* addr = nullptr;
  ~Mapping() {
    if (addr) ::munmap(addr, size);
  }
#else
  std::vector<uint8_t> buffer;
#endif
};

namespace {

std::string shapeString(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string fail(const fs::path& p, const std::string& what) {
  return p.filename().string() + ": " + what + " (" + p.string() + ")";
}

}  // namespace

SafetensorsFile SafetensorsFile::open(const fs::path& path) {
  SafetensorsFile f;
  f.m_path = path;
  auto map = std::make_shared<Mapping>();
#ifndef _WIN32
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw IoError("cannot open " + path.string() + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    throw IoError("cannot stat " + path.string());
  }
  map->size = static_cast<uint64_t>(st.st_size);
  if (map->size > 0) {
    map->addr = ::mmap(nullptr, map->size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map->addr == MAP_FAILED) {
      map->addr = nullptr;
      ::close(fd);
      throw IoError("cannot map " + path.string() + ": " + std::strerror(errno));
    }
    map->bytes = static_cast<const uint8_t*>(map->addr);
  }
  ::close(fd);
#else
  {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError("cannot open " + path.string());
    map->buffer.assign(std::istreambuf_iterator<char>(in), {});
    map->size = map->buffer.size();
    map->bytes = map->buffer.data();
  }
#endif
  f.m_map = map;
  f.m_size = map->size;
  const uint8_t* b = map->bytes;

  static const char kLfs[] = "version https://git-lfs";
  if (f.m_size >= sizeof(kLfs) - 1 && std::memcmp(b, kLfs, sizeof(kLfs) - 1) == 0)
    throw FormatError(fail(path,
        "this is a Git LFS pointer file, not the weights. The model was cloned without "
        "Git LFS: run `git lfs install && git lfs pull` in the model folder, or download the "
        "file itself"));
  if (f.m_size < 8)
    throw FormatError(fail(path, "file is " + std::to_string(f.m_size) +
                                     " bytes, too small to be safetensors (needs an 8-byte "
                                     "header length)"));
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | b[i];
  if (n > kMaxHeaderBytes)
    throw FormatError(fail(path, "header length " + std::to_string(n) +
                                     " bytes exceeds the 100 MB limit; the file is corrupt "
                                     "or not safetensors"));
  if (n > f.m_size - 8)
    throw FormatError(fail(path, "header length " + std::to_string(n) +
                                     " bytes is larger than the file (" +
                                     std::to_string(f.m_size) + " bytes); the file is "
                                     "truncated or not safetensors"));
  if (n < 2 || b[8] != '{')
    throw FormatError(fail(path, "header is not a JSON object (must start with '{')"));
  f.m_dataStart = 8 + n;
  const uint64_t dataSize = f.m_size - f.m_dataStart;

  json header;
  if (jsonTooDeep(reinterpret_cast<const char*>(b + 8), reinterpret_cast<const char*>(b + 8 + n))) throw FormatError(fail(path, "header JSON nests too deep"));
  try {
    header = json::parse(b + 8, b + 8 + n);
  } catch (const json::exception& e) {
    throw FormatError(fail(path, std::string("header JSON is invalid: ") + e.what()));
  }
  if (!header.is_object()) throw FormatError(fail(path, "header is not a JSON object"));

  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& name = it.key();
    if (name == "__metadata__") {
      if (!it->is_object()) throw FormatError(fail(path, "__metadata__ is not an object"));
      for (auto m = it->begin(); m != it->end(); ++m) {
        if (!m->is_string())
          throw FormatError(fail(path, "__metadata__ value for \"" + m.key() +
                                           "\" is not a string"));
        f.m_metadata[m.key()] = m->get<std::string>();
      }
      continue;
    }
    const json& e = *it;
    TensorInfo t;
    t.name = name;
    if (!e.is_object() || !e.contains("dtype") || !e.contains("shape") ||
        !e.contains("data_offsets"))
      throw FormatError(fail(path, "tensor \"" + name +
                                       "\" lacks dtype, shape or data_offsets"));
    if (!e["dtype"].is_string() || !parseDType(e["dtype"].get<std::string>(), &t.dtype))
      throw FormatError(fail(path, "tensor \"" + name + "\" has unsupported dtype " +
                                       e["dtype"].dump()));
    if (!e["shape"].is_array())
      throw FormatError(fail(path, "tensor \"" + name + "\" shape is not a list"));
    for (const json& d : e["shape"]) {
      if (!d.is_number_integer() || d.get<int64_t>() < 0)
        throw FormatError(fail(path, "tensor \"" + name + "\" has an invalid dimension " +
                                         d.dump()));
      t.shape.push_back(d.get<int64_t>());
    }
    const json& off = e["data_offsets"];
    if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() ||
        !off[1].is_number_unsigned())
      throw FormatError(fail(path, "tensor \"" + name +
                                       "\" data_offsets must be two non-negative integers"));
    t.begin = off[0].get<uint64_t>();
    t.end = off[1].get<uint64_t>();
    if (t.end < t.begin)
      throw FormatError(fail(path, "tensor \"" + name + "\" has data_offsets end " +
                                       std::to_string(t.end) + " before begin " +
                                       std::to_string(t.begin)));
    // Overflow-checked size (portable: no 128-bit integers). A zero dimension makes an empty
    // tensor whatever the other dimensions are, as in safetensors itself.
    uint64_t want = dtypeSize(t.dtype);
    bool zero = false, overflow = false;
    for (int64_t d : t.shape) zero = zero || d == 0;
    if (!zero)
      for (int64_t d : t.shape) {
        const uint64_t u = static_cast<uint64_t>(d);
        if (want > std::numeric_limits<uint64_t>::max() / u) {
          overflow = true;
          break;
        }
        want *= u;
      }
    if (zero) want = 0;
    if (overflow)
      throw FormatError(fail(path, "tensor \"" + name + "\": shape " + shapeString(t.shape) +
                                       " is too large (its byte size does not fit in 64 bits)"));
    if (want != t.end - t.begin)
      throw FormatError(fail(path, "tensor \"" + name + "\": dtype " + dtypeName(t.dtype) +
                                       " x shape " + shapeString(t.shape) + " needs " +
                                       std::to_string(static_cast<uint64_t>(want)) +
                                       " bytes but data_offsets span " +
                                       std::to_string(t.end - t.begin)));
    f.m_tensors.push_back(std::move(t));
  }

  std::vector<const TensorInfo*> order;
  for (const auto& t : f.m_tensors) order.push_back(&t);
  std::sort(order.begin(), order.end(), [](const TensorInfo* a, const TensorInfo* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  uint64_t cursor = 0;
  const TensorInfo* prev = nullptr;
  for (const TensorInfo* t : order) {
    if (t->begin < cursor)
      throw FormatError(fail(path, "tensors \"" + prev->name + "\" and \"" + t->name +
                                       "\" overlap (bytes " + std::to_string(t->begin) + ".." +
                                       std::to_string(cursor) + ")"));
    if (t->begin > cursor && t->begin >= dataSize)
      throw FormatError(fail(path, "tensor \"" + t->name + "\" data_offsets [" +
                                       std::to_string(t->begin) + ", " + std::to_string(t->end) +
                                       "] start beyond the end of the data (" +
                                       std::to_string(dataSize) + " bytes)"));
    if (t->begin > cursor)
      throw FormatError(fail(path, "gap of " + std::to_string(t->begin - cursor) +
                                       " bytes before tensor \"" + t->name + "\" at offset " +
                                       std::to_string(cursor)));
    cursor = t->end;
    prev = t;
  }
  if (cursor > dataSize)
    throw FormatError(fail(path, "file is truncated: its header describes " +
                                     std::to_string(cursor) + " bytes of tensor data but only " +
                                     std::to_string(dataSize) + " are present (incomplete "
                                     "download or copy?)"));
  if (cursor != dataSize)
    throw FormatError(fail(path, std::to_string(dataSize - cursor) +
                                     " unexpected bytes after the last tensor"));

  std::sort(f.m_tensors.begin(), f.m_tensors.end(),
            [](const TensorInfo& a, const TensorInfo& b) { return a.name < b.name; });
  for (size_t i = 0; i < f.m_tensors.size(); ++i) f.m_index[f.m_tensors[i].name] = i;
  return f;
}

const TensorInfo* SafetensorsFile::find(const std::string& name) const {
  auto it = m_index.find(name);
  return it == m_index.end() ? nullptr : &m_tensors[it->second];
}

const uint8_t* SafetensorsFile::data(const TensorInfo& t) const {
  return m_map->bytes + m_dataStart + t.begin;
}

void writeSafetensors(const fs::path& path, const std::vector<TensorView>& tensors,
                      const std::map<std::string, std::string>& metadata) {
  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const auto& t : tensors) {
    if (header.contains(t.name))
      throw ConfigError("writeSafetensors: tensor name \"" + t.name + "\" appears twice");
    int64_t numel = 1;
    for (int64_t d : t.shape) numel *= d;
    uint64_t bytes = static_cast<uint64_t>(numel) * dtypeSize(t.dtype);
    header[t.name] = {{"dtype", dtypeName(t.dtype)},
                      {"shape", t.shape},
                      {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string h = header.dump();
  while ((8 + h.size()) % 8 != 0) h += ' ';  // aligns the data area, as the reference writer does
  uint8_t len[8];
  uint64_t n = h.size();
  for (int i = 0; i < 8; ++i) len[i] = static_cast<uint8_t>(n >> (8 * i));
  AtomicFile out(path);
  out.write(len, 8);
  out.write(h);
  for (const auto& t : tensors) {
    int64_t numel = 1;
    for (int64_t d : t.shape) numel *= d;
    out.write(t.data, static_cast<size_t>(numel) * dtypeSize(t.dtype));
  }
  out.commit();
}

}  // namespace fm
