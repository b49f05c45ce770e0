#include "support/tiny_models.h"

#include <cmath>
#include <fstream>

#include "io/atomic_file.h"
#include "io/model_folder.h"
#include "io/safetensors.h"

namespace fm::test {
namespace fs = std::filesystem;
using nlohmann::json;

json referenceFixture(const std::string& name) {
  return readJsonFile(fs::path(FM_TEST_FIXTURES) / "reference" / (name + ".json"));
}

static bool endsWith(const std::string& s, const std::string& suf) {
  return s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
}

double formulaRaw(const std::string& name, int64_t i) {
  uint32_t h = 2166136261u;
  for (unsigned char c : name) {
    h ^= c;
    h *= 16777619u;
  }
  const double phase = (h % 1000) / 1000.0 * 6.283185307179586;
  const double x = static_cast<double>(i);
  return std::sin(0.7315 * x + phase) * std::cos(0.0131 * x + 0.5 * phase);
}

float formulaValue(const std::string& name, int64_t i) {
  const double v = formulaRaw(name, i);
  const bool norm = endsWith(name, "norm.weight") || endsWith(name, "ln_1.weight") ||
                    endsWith(name, "ln_2.weight") || endsWith(name, "ln_f.weight") ||
                    endsWith(name, "LayerNorm.weight") || endsWith(name, "norm1.weight") ||
                    endsWith(name, "norm2.weight");
  return static_cast<float>(norm ? 1.0 + 0.2 * v : 0.08 * v);
}

namespace {
void writeModel(const json& fixture, const fs::path& dir, int shards, const std::string& keyPrefix,
                const std::function<float(const std::string&, int64_t)>& value);
}

void writeReferenceModel(const json& fixture, const fs::path& dir, int shards, const std::string& keyPrefix) {
  writeModel(fixture, dir, shards, keyPrefix, formulaValue);
}

void writeDesignedModel(const json& fixture, const fs::path& dir,
                        const std::function<float(const std::string&, int64_t)>& value) {
  writeModel(fixture, dir, 1, "", value);
}

namespace {
void writeModel(const json& fixture, const fs::path& dir, int shards, const std::string& keyPrefix,
                const std::function<float(const std::string&, int64_t)>& value) {
  fs::create_directories(dir);
  if (fixture.contains("files")) {
    for (const auto& [name, content] : fixture["files"].items()) {
      fs::create_directories((dir / name).parent_path());
      if (content.is_null()) fs::create_directories(dir / name);
      else writeFileAtomic(dir / name, content.dump(2));
    }
  } else {
    writeFileAtomic(dir / "config.json", fixture["config"].dump(2));
  }
  std::vector<std::vector<float>> buffers;
  std::vector<TensorView> views;
  for (const auto& t : fixture["tensors"]) {
    std::vector<int64_t> shape = t["shape"].get<std::vector<int64_t>>();
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    std::vector<float> data(static_cast<size_t>(n));
    const std::string name = t["name"].get<std::string>();
    for (int64_t i = 0; i < n; ++i) data[static_cast<size_t>(i)] = value(name, i);
    buffers.push_back(std::move(data));
    views.push_back({keyPrefix + name, DType::F32, shape, nullptr});
  }
  for (size_t i = 0; i < views.size(); ++i) views[i].data = buffers[i].data();
  if (shards <= 1) {
    writeSafetensors(dir / "model.safetensors", views, {{"format", "pt"}});
    return;
  }
  json index = {{"metadata", {{"total_size", 0}}}, {"weight_map", json::object()}};
  for (int s = 0; s < shards; ++s) {
    char name[64];
    std::snprintf(name, sizeof name, "model-%05d-of-%05d.safetensors", s + 1, shards);
    std::vector<TensorView> part;
    for (size_t i = s; i < views.size(); i += shards) {
      part.push_back(views[i]);
      index["weight_map"][views[i].name] = name;
    }
    writeSafetensors(dir / name, part, {{"format", "pt"}});
  }
  writeFileAtomic(dir / "model.safetensors.index.json", index.dump(2));
}
}  // namespace

void writeTinyCaptioner(const fs::path& dir, bool withTokenizer) {
  json fx = referenceFixture("tiny_vit_gpt2");
  const double gain = fx["weight_gain"].get<double>();
  if (withTokenizer) {
    fx["config"]["decoder"]["vocab_size"] = 635;
    fx["config"]["decoder_start_token_id"] = fx["config"]["eos_token_id"] = fx["config"]["pad_token_id"] = 632;
    fx["config"]["decoder"]["bos_token_id"] = fx["config"]["decoder"]["eos_token_id"] = 632;
    for (auto& t : fx["tensors"])
      if (t["name"] == "decoder.transformer.wte.weight" || t["name"] == "decoder.lm_head.weight") t["shape"][0] = 635;
  }
  writeDesignedModel(fx, dir, [gain](const std::string& name, int64_t i) {
    const double v = formulaRaw(name, i);
    const bool norm = endsWith(name, ".weight") &&
                      (name.find("ln_") != std::string::npos || name.find("layernorm") != std::string::npos);
    return static_cast<float>(norm ? 1.0 + 0.2 * v : gain * 0.08 * v);
  });
  if (!withTokenizer) return;
  const fs::path tok = fs::path(FM_TEST_FIXTURES) / "tokenizers" / "gpt2_bytelevel";
  for (const char* f : {"tokenizer.json", "tokenizer_config.json"})
    fs::copy_file(tok / f, dir / f, fs::copy_options::overwrite_existing);
  json pre = readJsonFile(fs::path(FM_TEST_FIXTURES) / "vision" / "preprocessors" / "vit.json");
  pre["size"] = {{"height", 16}, {"width", 16}};
  writeFileAtomic(dir / "preprocessor_config.json", pre.dump());
}

}  // namespace fm::test
