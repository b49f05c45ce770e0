#include "vision/image_folder.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "arch/loaded_model.h"
#include "arch/vision_text.h"
#include "io/atomic_file.h"
#include "io/model_folder.h"
#include "jobs/cancelled.h"
#include "util/error.h"
#include "util/hash.h"
#include "vision/preprocess.h"

namespace fm {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr size_t kBatch = 16;

int64_t modifiedTime(const fs::path& p) {
  std::error_code ec;
  const auto t = fs::last_write_time(p, ec);
  return ec ? 0 : static_cast<int64_t>(t.time_since_epoch().count());
}

uint64_t sizeOf(const fs::path& p) {
  std::error_code ec;
  const auto s = fs::file_size(p, ec);
  return ec ? 0 : static_cast<uint64_t>(s);
}

std::string readAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

EmbeddedFiles embedImageFiles(LoadedModel& model, const ImageProcessor& processor, const std::vector<fs::path>& files,
                              const JobContext& job) {
  EmbeddedFiles out;
  for (size_t i = 0; i < files.size(); i += kBatch) {
    const size_t end = std::min(files.size(), i + kBatch);
    job.report(static_cast<double>(i) / static_cast<double>(std::max<size_t>(files.size(), 1)),
               "embedding pictures: " + std::to_string(i) + " of " + std::to_string(files.size()));
    std::vector<Image> images;
    std::vector<size_t> which;
    for (size_t j = i; j < end; ++j) {
      try {
        images.push_back(decodeImageFile(files[j]).image);
        which.push_back(j);
      } catch (const Error& e) {
        out.failed.push_back({files[j], e.what()});
      }
    }
    if (images.empty()) continue;
    std::vector<const Image*> ptrs;
    for (const auto& im : images) ptrs.push_back(&im);
    Vectors v = embedImages(model, processor, ptrs, {}, static_cast<int>(kBatch));
    for (size_t k = 0; k < which.size(); ++k) {
      out.files.push_back(files[which[k]]);
      out.inputIndex.push_back(which[k]);
      out.vectors.push_back(std::move(v[k]));
    }
  }
  job.report(1.0, "embedding pictures: " + std::to_string(files.size()) + " of " + std::to_string(files.size()));
  return out;
}

EmbeddedFiles embedImageFiles(LoadedModel& model, const std::vector<fs::path>& files, const JobContext& job) {
  return embedImageFiles(model, ImageProcessor::forModel(model), files, job);
}

LabelledFiles labelImageFiles(LoadedModel& model, const std::vector<fs::path>& files,
                              const std::vector<std::string>& labels, const std::string& tmpl, const JobContext& job) {
  if (labels.empty()) throw ConfigError("zero-shot labelling needs at least one label");
  std::vector<std::string> prompts;
  for (const auto& l : labels) prompts.push_back(fillLabelTemplate(tmpl, l));
  const Vectors text = embedTextsForImages(model, prompts);
  EmbeddedFiles e = embedImageFiles(model, files, job);
  LabelledFiles out;
  out.scores = scoreLabels(e.vectors, text, scoreRuleOf(model));
  out.files = std::move(e.files);
  out.failed = std::move(e.failed);
  return out;
}

// ------------------------------------------------------------------ zero-shot evaluation

std::string labelOfFolderName(const std::string& name) {
  std::string s = name;
  std::replace(s.begin(), s.end(), '_', ' ');
  std::replace(s.begin(), s.end(), '-', ' ');
  return s;
}

LabelledImages readLabelledFolder(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw IoError(dir.string() + ": not a folder");
  std::vector<fs::path> classDirs;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_directory() && e.path().filename().string().rfind('.', 0) != 0) classDirs.push_back(e.path());
  std::sort(classDirs.begin(), classDirs.end());
  if (classDirs.size() < 2)
    throw ConfigError(dir.string() + ": a labelled folder has one subfolder per class, and at least two classes (found " +
                      std::to_string(classDirs.size()) + ")");
  LabelledImages d;
  for (const auto& c : classDirs) {
    const auto files = listImages(c);
    if (files.empty()) throw ConfigError(c.string() + ": the class folder holds no pictures");
    for (const auto& f : files) {
      d.files.push_back(f);
      d.truth.push_back(static_cast<int>(d.classes.size()));
    }
    d.classes.push_back(c.filename().string());
  }
  return d;
}

ZeroShotReport evaluateZeroShot(LoadedModel& model, const ImageProcessor& processor, const LabelledImages& data,
                                std::vector<std::string> labels, const std::string& tmpl, const JobContext& job) {
  const size_t n = data.classes.size();
  if (labels.empty())
    for (const auto& c : data.classes) labels.push_back(labelOfFolderName(c));
  if (labels.size() != n)
    throw ConfigError("there are " + std::to_string(n) + " class folders but " + std::to_string(labels.size()) +
                      " labels; give one label per class folder, in the folders' alphabetical order");
  std::vector<std::string> prompts;
  for (const auto& l : labels) prompts.push_back(fillLabelTemplate(tmpl, l));
  const Vectors text = embedTextsForImages(model, prompts);
  const EmbeddedFiles emb = embedImageFiles(model, processor, data.files, job);
  const auto scores = scoreLabels(emb.vectors, text, scoreRuleOf(model));

  ZeroShotReport r;
  r.classes = data.classes;
  r.labels = labels;
  r.failed = emb.failed;
  r.confusion.assign(n, std::vector<int64_t>(n, 0));
  int64_t right = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    const int truth = data.truth[emb.inputIndex[i]];
    const int guess = scores[i].best;
    ++r.confusion[static_cast<size_t>(truth)][static_cast<size_t>(guess)];
    right += truth == guess;
  }
  r.images = static_cast<int64_t>(scores.size());
  r.accuracy = r.images ? static_cast<double>(right) / static_cast<double>(r.images) : 0.0;
  for (size_t c = 0; c < n; ++c) {
    int64_t total = 0;
    for (int64_t v : r.confusion[c]) total += v;
    r.classAccuracy.push_back(total ? static_cast<double>(r.confusion[c][c]) / static_cast<double>(total) : std::nan(""));
  }
  return r;
}

ZeroShotReport evaluateZeroShot(LoadedModel& model, const LabelledImages& data, std::vector<std::string> labels,
                                const std::string& tmpl, const JobContext& job) {
  return evaluateZeroShot(model, ImageProcessor::forModel(model), data, std::move(labels), tmpl, job);
}

// ------------------------------------------------------------------ search index

std::string visionModelFingerprint(const fs::path& dir) {
  std::string all;
  for (const char* name : {"config.json", "preprocessor_config.json", "tokenizer_config.json"})
    all += std::string(name) + ":" + readAll(dir / name);
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string leaf = e.path().filename().string();
    if (leaf.size() > 12 && leaf.compare(leaf.size() - 12, 12, ".safetensors") == 0)
      all += leaf + ":" + std::to_string(sizeOf(e.path())) + ":" + std::to_string(modifiedTime(e.path()));
  }
  return fingerprint(all);
}

fs::path ImageIndex::defaultLocation(const fs::path& workspace, const fs::path& folder, const fs::path& modelDir) {
  const std::string key = fs::weakly_canonical(folder).string() + "\n" + fs::weakly_canonical(modelDir).string();
  return workspace / "image-indexes" / fingerprint(key);
}

ImageIndex::ImageIndex(fs::path folder, fs::path modelDir, fs::path indexDir)
    : m_folder(fs::weakly_canonical(folder)), m_modelDir(std::move(modelDir)), m_indexDir(std::move(indexDir)) {
  std::error_code ec;
  if (!fs::is_directory(m_folder, ec)) throw IoError(m_folder.string() + ": not a folder");
  m_fingerprint = visionModelFingerprint(m_modelDir);
  const fs::path manifest = m_indexDir / "index.json", data = m_indexDir / "vectors.f32";
  if (!fs::exists(manifest, ec)) return;
  try {
    const json j = readJsonFile(manifest);
    if (j.value("model_fingerprint", std::string()) != m_fingerprint) {
      m_restartReason = "the index was made with another model or other settings; every picture is embedded again";
      return;
    }
    const size_t dim = j.at("dimension").get<size_t>();
    const auto& entries = j.at("files");
    const std::string blob = readAll(data);
    if (blob.size() != entries.size() * dim * sizeof(float)) throw FormatError("vectors.f32 does not match index.json");
    const float* p = reinterpret_cast<const float*>(blob.data());
    for (size_t i = 0; i < entries.size(); ++i) {
      m_files.push_back(m_folder / fs::u8path(entries[i].at("path").get<std::string>()));
      m_sizes.push_back(entries[i].at("size").get<uint64_t>());
      m_mtimes.push_back(entries[i].at("mtime").get<int64_t>());
      m_vectors.emplace_back(p + i * dim, p + (i + 1) * dim);
    }
  } catch (const std::exception& e) {
    m_files.clear();
    m_sizes.clear();
    m_mtimes.clear();
    m_vectors.clear();
    m_restartReason = std::string("the stored index is damaged (") + e.what() + "); every picture is embedded again";
  }
}

void ImageIndex::save() const {
  fs::create_directories(m_indexDir);
  json files = json::array();
  std::string blob;
  const size_t dim = m_vectors.empty() ? 0 : m_vectors.front().size();
  blob.reserve(m_vectors.size() * dim * sizeof(float));
  for (size_t i = 0; i < m_files.size(); ++i) {
    files.push_back({{"path", fs::relative(m_files[i], m_folder).u8string()}, {"size", m_sizes[i]}, {"mtime", m_mtimes[i]}});
    blob.append(reinterpret_cast<const char*>(m_vectors[i].data()), m_vectors[i].size() * sizeof(float));
  }
  // The vectors first, then the manifest that says how many there are: a crash between the
  // two leaves a mismatch, which opening detects.
  writeFileAtomic(m_indexDir / "vectors.f32", blob);
  writeFileAtomic(m_indexDir / "index.json", json{{"folder", m_folder.u8string()},
                                                  {"model", fs::absolute(m_modelDir).u8string()},
                                                  {"model_fingerprint", m_fingerprint},
                                                  {"dimension", dim},
                                                  {"files", files}}
                                                 .dump(1));
}

ImageIndex::SyncReport ImageIndex::sync(LoadedModel& model, const ImageProcessor& processor, const JobContext& job) {
  SyncReport r;
  const std::vector<fs::path> now = listImages(m_folder);
  std::map<fs::path, size_t> known;
  for (size_t i = 0; i < m_files.size(); ++i) known[m_files[i]] = i;
  // Keep what is unchanged; collect what to embed.
  std::vector<fs::path> files;
  std::vector<uint64_t> sizes;
  std::vector<int64_t> mtimes;
  Vectors vectors;
  std::vector<fs::path> todo;
  std::set<fs::path> changed;
  for (const auto& f : now) {
    auto it = known.find(f);
    const uint64_t size = sizeOf(f);
    const int64_t mtime = modifiedTime(f);
    if (it != known.end() && m_sizes[it->second] == size && m_mtimes[it->second] == mtime) {
      files.push_back(f);
      sizes.push_back(size);
      mtimes.push_back(mtime);
      vectors.push_back(m_vectors[it->second]);
      ++r.kept;
      known.erase(it);
    } else {
      if (it != known.end()) {
        changed.insert(f);
        known.erase(it);
      }
      todo.push_back(f);
    }
  }
  r.removed = static_cast<int64_t>(known.size());
  m_files = std::move(files);
  m_sizes = std::move(sizes);
  m_mtimes = std::move(mtimes);
  m_vectors = std::move(vectors);
  // Written only when something went away; new pictures are saved as they are embedded, and
  // a search over an unchanged folder writes nothing.
  if (r.removed > 0 || !changed.empty()) save();
  // New and changed pictures, saved every few batches.
  constexpr size_t kSaveEvery = kBatch * 8;
  try {
    for (size_t i = 0; i < todo.size(); i += kSaveEvery) {
      const size_t end = std::min(todo.size(), i + kSaveEvery);
      const std::vector<fs::path> part(todo.begin() + static_cast<std::ptrdiff_t>(i),
                                       todo.begin() + static_cast<std::ptrdiff_t>(end));
      const double from = static_cast<double>(i) / static_cast<double>(todo.size());
      const double to = static_cast<double>(end) / static_cast<double>(todo.size());
      EmbeddedFiles e = embedImageFiles(model, processor, part, job.part(from, to));
      for (size_t k = 0; k < e.files.size(); ++k) {
        m_files.push_back(e.files[k]);
        m_sizes.push_back(sizeOf(e.files[k]));
        m_mtimes.push_back(modifiedTime(e.files[k]));
        m_vectors.push_back(std::move(e.vectors[k]));
        ++(changed.count(e.files[k]) ? r.updated : r.added);
      }
      for (auto& f : e.failed) r.failed.push_back(std::move(f));
      save();
    }
  } catch (const CancelledError&) {
    save();
    throw;
  }
  return r;
}

ImageIndex::SyncReport ImageIndex::sync(LoadedModel& model, const JobContext& job) {
  return sync(model, ImageProcessor::forModel(model), job);
}

std::vector<ImageIndex::Hit> ImageIndex::search(const std::vector<float>& query, size_t k) const {
  std::vector<Hit> hits;
  hits.reserve(m_files.size());
  for (size_t i = 0; i < m_files.size(); ++i) {
    const auto& v = m_vectors[i];
    if (v.size() != query.size())
      throw ConfigError("the query has " + std::to_string(query.size()) + " dimensions but the index " +
                        std::to_string(v.size()) + ": it was made with another model");
    double dot = 0;
    for (size_t d = 0; d < v.size(); ++d) dot += static_cast<double>(v[d]) * query[d];
    hits.push_back({m_files[i], dot});
  }
  const size_t n = std::min(k, hits.size());
  std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(n), hits.end(),
                    [](const Hit& a, const Hit& b) { return a.score > b.score; });
  hits.resize(n);
  return hits;
}

}  // namespace fm
