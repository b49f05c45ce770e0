// Picture folders inside a Collection, so that one question searches the documents and the
// pictures: each folder is embedded with a CLIP model (incrementally, as image search does:
// only new or changed files) and its index is kept in the collection's own folder, never in
// the picture folder. The documents keep their text embedder; the pictures have their own
// space (CLIP's), so the two lists are searched side by side with their own scores.
//
//   fm::CollectionPictures pics(collectionDir);
//   pics.addFolders({"/photos/site-visit"}, "models/clip-vit-b32");   // remembered
//   auto clip = fm::LoadedModel::load(pics.clipModel(), {});
//   pics.sync(*clip, job);                                             // new and changed files
//   for (const auto& h : pics.search(*clip, "a cracked wall", 5)) ...
//
// Stored as <collection>/pictures/pictures.json ({"clip_model": ..., "folders": [...]}) and
// one index per folder in <collection>/pictures/<fingerprint of the folder>/.
// Thread safety: one job per collection at a time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "vision/image_folder.h"

namespace fm {

class CollectionPictures {
 public:
  explicit CollectionPictures(std::filesystem::path collectionDir);

  bool empty() const { return m_folders.empty(); }
  const std::filesystem::path& clipModel() const { return m_clipModel; }
  const std::vector<std::filesystem::path>& folders() const { return m_folders; }

  // Adds picture folders (kept as absolute paths). The first call chooses the CLIP model; a
  // different one later is refused (its vectors would not compare), naming both.
  void addFolders(const std::vector<std::filesystem::path>& folders, const std::filesystem::path& clipModel);
  // Forgets a folder and its index; false when it was not there.
  bool removeFolder(const std::filesystem::path& folder);

  struct FolderReport {
    std::filesystem::path folder;
    ImageIndex::SyncReport sync;
    size_t pictures = 0;
    std::string problem;  // the folder is gone or unreadable ("" when synced)
  };
  // Brings every folder's index up to date with `clip` (which must be clipModel()).
  std::vector<FolderReport> sync(LoadedModel& clip, const JobContext& job = {});
  // Pictures per folder as last indexed (no model needed).
  std::vector<std::pair<std::filesystem::path, size_t>> counts() const;

  struct Hit {
    std::filesystem::path file, folder;
    double score = 0;     // cosine similarity of the picture and the query (CLIP)
    int rank = 0;         // 1-based over every folder
    std::string caption;  // the picture's sidecar caption (NAME.txt), "" when it has none
  };
  // The k pictures of every folder closest to the query, best first.
  std::vector<Hit> search(LoadedModel& clip, const std::string& query, size_t k) const;

 private:
  std::filesystem::path indexDir(const std::filesystem::path& folder) const;
  // The folder's index as last saved, opened once per process and reused until it changes.
  std::shared_ptr<const ImageIndex> opened(const std::filesystem::path& folder) const;
  void save() const;
  std::filesystem::path m_dir, m_clipModel;
  std::vector<std::filesystem::path> m_folders;
};

}  // namespace fm
