#include "io/model_folder.h"
#include "util/json_text.h"

#include <algorithm>
#include <set>

#include "io/atomic_file.h"
#include "util/error.h"

namespace fm {
namespace fs = std::filesystem;
using nlohmann::json;

json readJsonFile(const fs::path& path) {
  std::string text = readFile(path);
  if (jsonTooDeep(text))
    throw FormatError(path.filename().string() + " nests deeper than " + std::to_string(kMaxJsonDepth) +
                      " levels (" + path.string() + ")");
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    throw FormatError(path.filename().string() + " is not valid JSON: " + e.what() + " (" +
                      path.string() + ")");
  }
}

const WeightStore::Entry* WeightStore::find(const std::string& name) const {
  auto it = m_entries.find(name);
  return it == m_entries.end() ? nullptr : &it->second;
}

uint64_t WeightStore::totalBytes() const {
  uint64_t n = 0;
  for (const auto& [name, e] : m_entries) n += e.info->end - e.info->begin;
  return n;
}

WeightStore WeightStore::openFiles(const std::vector<fs::path>& files,
                                   const std::map<std::string, std::string>& indexMap) {
  WeightStore s;
  for (const auto& p : files) {
    s.m_files.push_back(std::make_unique<SafetensorsFile>(SafetensorsFile::open(p)));
    const SafetensorsFile* f = s.m_files.back().get();
    for (const TensorInfo& t : f->tensors()) {
      auto [it, inserted] = s.m_entries.emplace(t.name, Entry{f, &t});
      if (!inserted)
        throw FormatError("tensor \"" + t.name + "\" appears in both " +
                          it->second.file->path().filename().string() + " and " +
                          p.filename().string());
    }
  }
  for (const auto& [name, file] : indexMap) {
    const Entry* e = s.find(name);
    if (!e)
      throw FormatError("model.safetensors.index.json lists tensor \"" + name + "\" in " + file +
                        " but no shard contains it");
    if (e->file->path().filename().string() != file)
      throw FormatError("model.safetensors.index.json puts tensor \"" + name + "\" in " + file +
                        " but it is in " + e->file->path().filename().string());
  }
  return s;
}

std::string ModelFolder::modelType() const {
  if (m_config.contains("model_type") && m_config["model_type"].is_string())
    return m_config["model_type"].get<std::string>();
  return "";
}

ModelFolder ModelFolder::open(const fs::path& dirIn) {
  ModelFolder m;
  m.m_dir = dirIn;
  std::error_code ec;
  if (!fs::is_directory(dirIn, ec))
    throw IoError(dirIn.string() + " is not a folder. A model is a Hugging Face folder with "
                  "config.json and model.safetensors.");
  const fs::path cfg = dirIn / "config.json";
  if (!fs::exists(cfg))
    throw IoError("no config.json in " + dirIn.string() +
                  ": a Hugging Face model folder needs config.json next to its weights");
  m.m_config = readJsonFile(cfg);
  if (!m.m_config.is_object()) throw FormatError("config.json is not a JSON object");
  if (fs::exists(dirIn / "generation_config.json"))
    m.m_generationConfig = readJsonFile(dirIn / "generation_config.json");
  else
    m.m_generationConfig = json::object();
  if (fs::exists(dirIn / "tokenizer_config.json"))
    m.m_tokenizerConfig = readJsonFile(dirIn / "tokenizer_config.json");
  else
    m.m_tokenizerConfig = json::object();
  if (fs::exists(dirIn / "preprocessor_config.json"))
    m.m_preprocessorConfig = readJsonFile(dirIn / "preprocessor_config.json");
  else
    m.m_preprocessorConfig = json::object();

  const fs::path index = dirIn / "model.safetensors.index.json";
  if (fs::exists(index)) {
    json j = readJsonFile(index);
    if (!j.contains("weight_map") || !j["weight_map"].is_object())
      throw FormatError("model.safetensors.index.json has no weight_map object (" +
                        index.string() + ")");
    std::set<std::string> shards;
    for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it) {
      if (!it->is_string())
        throw FormatError("model.safetensors.index.json: weight_map[\"" + it.key() +
                          "\"] is not a file name");
      std::string file = it->get<std::string>();
      if (file.find('/') != std::string::npos || file.find('\\') != std::string::npos ||
          file == "..")
        throw FormatError("model.safetensors.index.json names a shard outside the folder: " +
                          file);
      m.m_indexMap[it.key()] = file;
      shards.insert(file);
    }
    for (const auto& s : shards) {
      if (!fs::exists(dirIn / s))
        throw IoError("shard " + s + " named by model.safetensors.index.json is missing from " +
                      dirIn.string());
      m.m_weightFiles.push_back(dirIn / s);
    }
  } else if (fs::exists(dirIn / "model.safetensors")) {
    m.m_weightFiles.push_back(dirIn / "model.safetensors");
  } else {
    std::vector<std::string> pickles, others;
    for (const auto& e : fs::directory_iterator(dirIn)) {
      std::string name = e.path().filename().string();
      std::string ext = e.path().extension().string();
      if (ext == ".bin" || ext == ".pt" || ext == ".pth" || ext == ".ckpt" || ext == ".pkl")
        pickles.push_back(name);
      else if (ext == ".safetensors")
        others.push_back(name);
    }
    std::sort(pickles.begin(), pickles.end());
    std::sort(others.begin(), others.end());
    if (!others.empty()) {
      for (const auto& o : others) m.m_weightFiles.push_back(dirIn / o);
    } else if (!pickles.empty()) {
      std::string list;
      for (const auto& p : pickles) list += (list.empty() ? "" : ", ") + p;
      throw UnsupportedError(
          "refusing to load " + list + " in " + dirIn.string() +
          ": these are PyTorch pickle files, and unpickling can run arbitrary code hidden in "
          "the file. FM Workbench loads only safetensors. Convert the model once on a trusted "
          "machine, e.g. in Python: `AutoModelForCausalLM.from_pretrained(dir)"
          ".save_pretrained(out, safe_serialization=True)`, or use the safetensors "
          "version that most Hugging Face repositories publish.");
    } else {
      throw IoError("no weights in " + dirIn.string() +
                    ": expected model.safetensors or model.safetensors.index.json");
    }
  }
  return m;
}

WeightStore ModelFolder::openWeights() const {
  return WeightStore::openFiles(m_weightFiles, m_indexMap);
}

}  // namespace fm
