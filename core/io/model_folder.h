// A Hugging Face model folder on disk: config.json, generation_config.json,
// tokenizer_config.json, preprocessor_config.json and safetensors weights (single file or sharded with
// model.safetensors.index.json).
//
//   fm::ModelFolder m = fm::ModelFolder::open(dir);   // refuses pickle-only folders
//   std::string type = m.modelType();
//   fm::WeightStore w = m.openWeights();              // validated, memory-mapped
//
// Thread safety: immutable after open(); share freely between threads.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/safetensors.h"

namespace fm {

// All tensors of a checkpoint, possibly spread over several safetensors shards.
class WeightStore {
 public:
  struct Entry {
    const SafetensorsFile* file;
    const TensorInfo* info;
  };
  // Opens and validates each file; for sharded checkpoints checks that the index names
  // existing files and that every indexed tensor is in the shard the index says.
  static WeightStore openFiles(const std::vector<std::filesystem::path>& files,
                               const std::map<std::string, std::string>& indexMap = {});

  const std::map<std::string, Entry>& entries() const { return m_entries; }
  const Entry* find(const std::string& name) const;
  uint64_t totalBytes() const;

 private:
  std::vector<std::unique_ptr<SafetensorsFile>> m_files;
  std::map<std::string, Entry> m_entries;
};

class ModelFolder {
 public:
  static ModelFolder open(const std::filesystem::path& dir);

  const std::filesystem::path& dir() const { return m_dir; }
  const nlohmann::json& config() const { return m_config; }
  const nlohmann::json& generationConfig() const { return m_generationConfig; }  // {} if absent
  const nlohmann::json& tokenizerConfig() const { return m_tokenizerConfig; }    // {} if absent
  // preprocessor_config.json: how pictures become pixel values (vision models); {} if absent.
  const nlohmann::json& preprocessorConfig() const { return m_preprocessorConfig; }
  std::string modelType() const;
  const std::vector<std::filesystem::path>& weightFiles() const { return m_weightFiles; }
  WeightStore openWeights() const;

 private:
  std::filesystem::path m_dir;
  nlohmann::json m_config, m_generationConfig, m_tokenizerConfig, m_preprocessorConfig;
  std::vector<std::filesystem::path> m_weightFiles;
  std::map<std::string, std::string> m_indexMap;
};

// Parses a JSON file, throwing FormatError that names the file and position.
nlohmann::json readJsonFile(const std::filesystem::path& path);

}  // namespace fm
