#include "vision/collection_pictures.h"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "arch/loaded_model.h"
#include "io/atomic_file.h"
#include "io/model_folder.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/paths.h"
#include "vision/caption.h"
#include "vision/image_text.h"

namespace fm {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {
fs::path absoluteFolder(const fs::path& p) {
  std::error_code ec;
  fs::path a = fs::weakly_canonical(fs::absolute(p), ec);
  return ec ? fs::absolute(p).lexically_normal() : a;
}

// Opened indexes, shared by every CollectionPictures of the process: a search must not read
// every folder's vectors again. An entry is used while the index's manifest (written last by
// a save) has the same modification time and size, so a sync by another process is seen.
struct CachedIndex {
  fs::file_time_type mtime;
  uintmax_t size = 0;
  std::shared_ptr<const ImageIndex> index;
};
std::mutex g_cacheMutex;
std::map<fs::path, CachedIndex> g_cache;  // by index folder

bool manifestStamp(const fs::path& indexDir, fs::file_time_type& mtime, uintmax_t& size) {
  std::error_code ec1, ec2;
  mtime = fs::last_write_time(indexDir / "index.json", ec1);
  size = fs::file_size(indexDir / "index.json", ec2);
  return !ec1 && !ec2;
}

// `stamp`: the manifest as it was before the index was read (a save in between then makes the
// next search read it again rather than keep the older copy).
void remember(const fs::path& indexDir, std::shared_ptr<const ImageIndex> index, bool stamped,
              fs::file_time_type mtime, uintmax_t size) {
  std::lock_guard<std::mutex> lock(g_cacheMutex);
  if (!stamped) {
    g_cache.erase(indexDir);
    return;
  }
  g_cache[indexDir] = CachedIndex{mtime, size, std::move(index)};
}
}  // namespace

std::shared_ptr<const ImageIndex> CollectionPictures::opened(const fs::path& folder) const {
  const fs::path dir = indexDir(folder);
  fs::file_time_type mtime;
  uintmax_t size = 0;
  const bool stamped = manifestStamp(dir, mtime, size);
  {
    std::lock_guard<std::mutex> lock(g_cacheMutex);
    auto it = g_cache.find(dir);
    if (stamped && it != g_cache.end() && mtime == it->second.mtime && size == it->second.size) return it->second.index;
  }
  auto index = std::make_shared<const ImageIndex>(folder, m_clipModel, dir);
  remember(dir, index, stamped, mtime, size);
  return index;
}

CollectionPictures::CollectionPictures(fs::path collectionDir) : m_dir(std::move(collectionDir)) {
  const fs::path file = m_dir / "pictures" / "pictures.json";
  if (!fs::exists(file)) return;
  const json j = readJsonFile(file);
  if (!j.is_object() || !j.contains("clip_model") || !j["clip_model"].is_string() || !j.contains("folders") ||
      !j["folders"].is_array())
    throw FormatError(file.string() + " is damaged: it needs \"clip_model\" and \"folders\"");
  m_clipModel = pathOf(j["clip_model"].get<std::string>());
  for (const auto& f : j["folders"])
    if (f.is_string()) m_folders.push_back(pathOf(f.get<std::string>()));
}

fs::path CollectionPictures::indexDir(const fs::path& folder) const {
  return m_dir / "pictures" / fingerprint(utf8(folder));
}

void CollectionPictures::save() const {
  json folders = json::array();
  for (const auto& f : m_folders) folders.push_back(utf8(f));
  makeFolder(m_dir / "pictures");
  writeFileAtomic(m_dir / "pictures" / "pictures.json",
                  json{{"clip_model", utf8(m_clipModel)}, {"folders", folders}}.dump(2) + "\n");
}

void CollectionPictures::addFolders(const std::vector<fs::path>& folders, const fs::path& clipModel) {
  if (!fs::is_directory(m_dir)) throw IoError(m_dir.string() + " is not a collection folder");
  const fs::path model = clipModel.empty() ? m_clipModel : absoluteFolder(clipModel);
  if (model.empty()) throw ConfigError("choose the CLIP model that makes the pictures searchable (--clip MODEL_DIR)");
  if (!m_clipModel.empty() && model != m_clipModel)
    throw ConfigError("the collection's pictures are embedded with " + m_clipModel.string() + ", not " + model.string() +
                      "; their vectors would not compare. Use that model, or remove the picture folders first");
  const ArchSummary a = summarizeArch(ModelFolder::open(model).config());
  if (a.kind != ModelKind::VisionText)
    throw ConfigError(model.string() + " is a " + modelKindLabel(a.kind) + ", not an image-text model (CLIP)");
  for (const auto& f : folders) {
    if (!fs::is_directory(f)) throw ConfigError(f.string() + " is not a folder of pictures");
    const fs::path abs = absoluteFolder(f);
    if (std::find(m_folders.begin(), m_folders.end(), abs) == m_folders.end()) m_folders.push_back(abs);
  }
  m_clipModel = model;
  save();
}

bool CollectionPictures::removeFolder(const fs::path& folder) {
  const fs::path abs = absoluteFolder(folder);
  auto it = std::find(m_folders.begin(), m_folders.end(), abs);
  if (it == m_folders.end()) return false;
  m_folders.erase(it);
  std::error_code ec;
  fs::remove_all(indexDir(abs), ec);
  {
    std::lock_guard<std::mutex> lock(g_cacheMutex);
    g_cache.erase(indexDir(abs));
  }
  save();
  return true;
}

std::vector<CollectionPictures::FolderReport> CollectionPictures::sync(LoadedModel& clip, const JobContext& job) {
  std::vector<FolderReport> out;
  for (size_t i = 0; i < m_folders.size(); ++i) {
    FolderReport r;
    r.folder = m_folders[i];
    if (!fs::is_directory(r.folder)) {
      r.problem = "the folder is not there any more";
      out.push_back(r);
      continue;
    }
    auto index = std::make_shared<ImageIndex>(r.folder, m_clipModel, indexDir(r.folder));
    const double n = static_cast<double>(m_folders.size());
    r.sync = index->sync(clip, job.part(i / n, (i + 1) / n, "pictures in " + r.folder.filename().string()));
    r.pictures = index->size();
    fs::file_time_type mtime;
    uintmax_t size = 0;
    const bool stamped = manifestStamp(indexDir(r.folder), mtime, size);  // just saved by this sync
    remember(indexDir(r.folder), std::move(index), stamped, mtime, size);
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<std::pair<fs::path, size_t>> CollectionPictures::counts() const {
  std::vector<std::pair<fs::path, size_t>> out;
  for (const auto& f : m_folders) out.emplace_back(f, opened(f)->size());
  return out;
}

std::vector<CollectionPictures::Hit> CollectionPictures::search(LoadedModel& clip, const std::string& query,
                                                                size_t k) const {
  std::vector<Hit> all;
  if (m_folders.empty() || k == 0) return all;
  const std::vector<float> q = embedTextsForImages(clip, {query})[0];
  for (const auto& f : m_folders) {
    for (const auto& h : opened(f)->search(q, k)) all.push_back({h.file, f, h.score, 0});
  }
  std::stable_sort(all.begin(), all.end(), [](const Hit& a, const Hit& b) { return a.score > b.score; });
  if (all.size() > k) all.resize(k);
  for (size_t i = 0; i < all.size(); ++i) {
    all[i].rank = static_cast<int>(i + 1);
    all[i].caption = readSidecar(all[i].file);
  }
  return all;
}

}  // namespace fm
