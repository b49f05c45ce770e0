// Folders of pictures with a CLIP-style model: embedding many files (a broken picture is
// reported and skipped, never the end of the job), zero-shot evaluation on a folder with one
// subfolder per class (per-class accuracy and a confusion matrix, as Teachable Machine shows),
// and an image search index kept up to date incrementally.
//
//   fm::ImageIndex index(photos, modelDir, fm::ImageIndex::defaultLocation(ws, photos, modelDir));
//   index.sync(*model, processor, job);            // embeds new and changed files only
//   auto hits = index.search(fm::embedTextsForImages(*model, {"a red car"})[0], 10);
//
// Thread safety: an ImageIndex is used by one job at a time; the free functions as image_text.h.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "vision/image_text.h"

namespace fm {

struct FileFailure {
  std::filesystem::path file;
  std::string reason;
};

struct EmbeddedFiles {
  std::vector<std::filesystem::path> files;  // the pictures that were read, in input order
  std::vector<size_t> inputIndex;            // their positions in the input list
  Vectors vectors;                           // one unit vector each
  std::vector<FileFailure> failed;           // the ones that could not be read, with why
};
// Decodes and embeds `files` a batch at a time (only one batch of pictures in memory). Without
// a processor, the model's own preprocessor_config.json is used.
EmbeddedFiles embedImageFiles(LoadedModel& model, const ImageProcessor& processor,
                              const std::vector<std::filesystem::path>& files, const JobContext& job = {});
EmbeddedFiles embedImageFiles(LoadedModel& model, const std::vector<std::filesystem::path>& files,
                              const JobContext& job = {});

struct LabelledFiles {
  std::vector<std::filesystem::path> files;  // the pictures read, in input order
  std::vector<LabelScores> scores;           // one per picture read
  std::vector<FileFailure> failed;
};
// Zero-shot labels for picture files (the model's own preprocessing).
LabelledFiles labelImageFiles(LoadedModel& model, const std::vector<std::filesystem::path>& files,
                              const std::vector<std::string>& labels, const std::string& tmpl,
                              const JobContext& job = {});

// ------------------------------------------------------------------ zero-shot evaluation

struct LabelledImages {
  std::vector<std::string> classes;          // subfolder names, sorted
  std::vector<std::filesystem::path> files;
  std::vector<int> truth;                    // class index of each file
};
// One subfolder per class; the pictures anywhere under it. ConfigError when there are fewer
// than two classes or a class has no pictures.
LabelledImages readLabelledFolder(const std::filesystem::path& dir);
// A class folder's name as a label: "red_circle" and "red-circle" read "red circle".
std::string labelOfFolderName(const std::string& name);

struct ZeroShotReport {
  std::vector<std::string> classes, labels;     // labels: what was put in the template
  std::vector<std::vector<int64_t>> confusion;  // [truth][predicted] counts
  std::vector<double> classAccuracy;            // per class (NaN where the class has no picture read)
  double accuracy = 0;                          // over every picture read
  int64_t images = 0;
  std::vector<FileFailure> failed;
};
// `labels` empty: the class folder names as labels; otherwise one label per class, in the
// sorted order of the class folders.
ZeroShotReport evaluateZeroShot(LoadedModel& model, const ImageProcessor& processor, const LabelledImages& data,
                                std::vector<std::string> labels, const std::string& tmpl, const JobContext& job = {});
ZeroShotReport evaluateZeroShot(LoadedModel& model, const LabelledImages& data, std::vector<std::string> labels,
                                const std::string& tmpl, const JobContext& job = {});

// ------------------------------------------------------------------ search index

// A fingerprint of a model folder's configuration and weights' sizes and times: vectors made
// by another model (or another preprocessing) are never mixed in.
std::string visionModelFingerprint(const std::filesystem::path& modelDir);

class ImageIndex {
 public:
  struct SyncReport {
    int64_t added = 0, updated = 0, kept = 0, removed = 0;
    std::vector<FileFailure> failed;
  };
  struct Hit {
    std::filesystem::path file;
    double score = 0;  // cosine similarity
  };

  // Opens the index of `folder` made with `modelDir`, stored in `indexDir` (created on the
  // first sync). A stored index made by another model, or damaged, is started afresh.
  ImageIndex(std::filesystem::path folder, std::filesystem::path modelDir, std::filesystem::path indexDir);
  // Where the index of a folder lives in a workspace: image-indexes/<fingerprint>.
  static std::filesystem::path defaultLocation(const std::filesystem::path& workspace,
                                               const std::filesystem::path& folder,
                                               const std::filesystem::path& modelDir);

  // Embeds the pictures that are new or changed (size or modification time) since the last
  // sync and forgets deleted ones. Saves every few batches, so a stop or a crash loses at most
  // the last batch; a stop asked through `job` saves and then throws CancelledError.
  SyncReport sync(LoadedModel& model, const ImageProcessor& processor, const JobContext& job = {});
  SyncReport sync(LoadedModel& model, const JobContext& job = {});  // the model's own preprocessing
  // The k pictures most similar to a unit query vector, best first.
  std::vector<Hit> search(const std::vector<float>& query, size_t k) const;

  size_t size() const { return m_files.size(); }
  const std::vector<std::filesystem::path>& files() const { return m_files; }  // absolute
  const Vectors& vectors() const { return m_vectors; }
  // Why the stored index was not used when it was opened ("" when it was, or there was none).
  const std::string& restartReason() const { return m_restartReason; }

 private:
  void save() const;

  std::filesystem::path m_folder, m_modelDir, m_indexDir;
  std::string m_fingerprint, m_restartReason;
  std::vector<std::filesystem::path> m_files;
  std::vector<uint64_t> m_sizes;
  std::vector<int64_t> m_mtimes;
  Vectors m_vectors;
};

}  // namespace fm
