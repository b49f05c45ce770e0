#include "lora/lora.h"

#include "arch/loaded_model.h"
#include "lora/adapter_control.h"

#include <cmath>
#include <map>
#include <regex>
#include <set>

#include "arch/builtin_model.h"
#include "arch/causal_lm.h"
#include "arch/layers.h"
#include "io/atomic_file.h"
#include "io/model_folder.h"
#include "io/safetensors.h"
#include "util/error.h"

namespace fm {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const char* kPrefix = "base_model.model.";

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::vector<std::pair<std::string, LinearImpl*>> linearModules(CausalLM& lm) {
  std::vector<std::pair<std::string, LinearImpl*>> out;
  for (const auto& item : lm.named_modules("", /*include_self=*/false)) {
    if (auto* lin = dynamic_cast<LinearImpl*>(item.value().get())) out.emplace_back(item.key(), lin);
  }
  return out;
}

bool selects(const LoraConfig& cfg, const std::string& path) {
  if (cfg.targetModules.size() == 1 && cfg.targetModules[0].rfind("re:", 0) == 0)
    return std::regex_match(path, std::regex(cfg.targetModules[0].substr(3)));
  for (const auto& t : cfg.targetModules) {
    if (t == "all-linear") {
      if (path != "lm_head") return true;
      continue;
    }
    if (path == t || endsWith(path, "." + t)) return true;
  }
  return false;
}

}  // namespace

double LoraConfig::scale() const { return rslora ? alpha / std::sqrt(double(r)) : alpha / r; }

json LoraConfig::toPeftJson() const {
  json targets;
  if (targetModules.size() == 1 && targetModules[0].rfind("re:", 0) == 0)
    targets = targetModules[0].substr(3);  // PEFT: a string is a full-match regex
  else if (targetModules.size() == 1 && targetModules[0] == "all-linear")
    targets = "all-linear";
  else
    targets = targetModules;
  return {{"peft_type", "LORA"},
          {"task_type", "CAUSAL_LM"},
          {"base_model_name_or_path", baseModel},
          {"revision", nullptr},
          {"r", r},
          {"lora_alpha", alpha},
          {"lora_dropout", dropout},
          {"target_modules", targets},
          {"bias", bias},
          {"fan_in_fan_out", false},
          {"use_rslora", rslora},
          {"use_dora", false},
          {"init_lora_weights", true},
          {"inference_mode", true},
          {"modules_to_save", nullptr},
          {"layers_to_transform", nullptr},
          {"layers_pattern", nullptr},
          {"rank_pattern", json::object()},
          {"alpha_pattern", json::object()}};
}

LoraConfig LoraConfig::fromPeftJson(const json& j, const std::string& where) {
  auto fail = [&](const std::string& what) -> ConfigError {
    return ConfigError(where + ": " + what);
  };
  if (!j.is_object()) throw fail("not a JSON object");
  const std::string type = j.value("peft_type", "");
  if (type != "LORA")
    throw UnsupportedError(where + ": peft_type \"" + type + "\" is not supported (LORA only)");
  LoraConfig c;
  if (!j.contains("r") || !j["r"].is_number_integer()) throw fail("\"r\" must be an integer");
  c.r = j["r"].get<int>();
  if (c.r <= 0) throw fail("\"r\" must be > 0, got " + std::to_string(c.r));
  c.alpha = j.contains("lora_alpha") && j["lora_alpha"].is_number() ? j["lora_alpha"].get<double>() : 8.0;
  c.dropout = j.contains("lora_dropout") && j["lora_dropout"].is_number() ? j["lora_dropout"].get<double>() : 0.0;
  c.rslora = j.value("use_rslora", false);
  c.bias = j.contains("bias") && j["bias"].is_string() ? j["bias"].get<std::string>() : "none";
  c.baseModel = j.contains("base_model_name_or_path") && j["base_model_name_or_path"].is_string()
                    ? j["base_model_name_or_path"].get<std::string>()
                    : "";
  const json& t = j.contains("target_modules") ? j["target_modules"] : json();
  if (t.is_string()) {
    const std::string s = t.get<std::string>();
    c.targetModules = {s == "all-linear" ? s : "re:" + s};
  } else if (t.is_array() && !t.empty()) {
    c.targetModules.clear();
    for (const auto& e : t) {
      if (!e.is_string()) throw fail("\"target_modules\" entries must be strings");
      c.targetModules.push_back(e.get<std::string>());
    }
  } else {
    throw fail("\"target_modules\" must be a list of module names or a regex string");
  }
  auto refuse = [&](const std::string& what) {
    throw UnsupportedError(where + ": " + what + " is not supported by this adapter loader");
  };
  if (c.bias != "none") refuse("bias \"" + c.bias + "\"");
  if (j.value("use_dora", false)) refuse("use_dora (DoRA)");
  if (j.value("fan_in_fan_out", false)) refuse("fan_in_fan_out (GPT-2 Conv1D targets)");
  for (const char* k : {"rank_pattern", "alpha_pattern"})
    if (j.contains(k) && j[k].is_object() && !j[k].empty()) refuse(std::string("a non-empty ") + k);
  for (const char* k : {"modules_to_save", "layers_to_transform"})
    if (j.contains(k) && !j[k].is_null() && !(j[k].is_array() && j[k].empty())) refuse(k);
  return c;
}

std::vector<std::string> matchLoraTargets(CausalLM& lm, const LoraConfig& cfg) {
  std::vector<std::string> out;
  std::set<std::string> kinds;
  for (const auto& [path, lin] : linearModules(lm)) {
    if (selects(cfg, path)) out.push_back(path);
    kinds.insert(path.substr(path.rfind('.') + 1));
  }
  if (out.empty()) {
    std::string list, want;
    for (const auto& k : kinds) list += (list.empty() ? "" : ", ") + k;
    for (const auto& t : cfg.targetModules) want += (want.empty() ? "" : ", ") + t;
    throw ConfigError("LoRA target modules [" + want + "] match no linear layer of this model" +
                      (list.empty() ? std::string(" (it has no LoRA-capable linear layers)")
                                    : " (its linear layers: " + list + ", or all-linear)"));
  }
  return out;
}

std::vector<std::string> attachLora(CausalLM& lm, const LoraConfig& cfg, uint64_t seed) {
  if (cfg.r <= 0) throw ConfigError("LoRA rank r must be > 0, got " + std::to_string(cfg.r));
  if (cfg.dropout < 0 || cfg.dropout >= 1)
    throw ConfigError("LoRA dropout must be in [0, 1), got " + std::to_string(cfg.dropout));
  if (cfg.bias != "none") throw UnsupportedError("LoRA bias \"" + cfg.bias + "\" is not supported (none)");
  const auto targets = matchLoraTargets(lm, cfg);
  for (auto& p : lm.parameters()) p.set_requires_grad(false);
  auto gen = at::detail::createCPUGenerator(seed);
  const auto opts = torch::TensorOptions().dtype(lm.dtype());
  std::set<std::string> wanted(targets.begin(), targets.end());
  for (const auto& [path, lin] : linearModules(lm)) {
    if (!wanted.count(path)) continue;
    auto slot = std::make_shared<LoraSlot>();
    // kaiming_uniform_(a=sqrt(5)) on (r, in): bound = gain * sqrt(3 / fan_in), gain = sqrt(1/3).
    const double bound = 1.0 / std::sqrt(static_cast<double>(lin->in));
    auto a = torch::empty({cfg.r, lin->in}, torch::kFloat);
    a.uniform_(-bound, bound, gen);
    slot->A = a.to(opts.device(lin->weight.device())).set_requires_grad(true);
    slot->B = torch::zeros({lin->out, cfg.r}, opts.device(lin->weight.device())).set_requires_grad(true);
    slot->scale = cfg.scale();
    slot->dropout = cfg.dropout;
    lin->lora = slot;
  }
  return targets;
}

bool hasLora(CausalLM& lm) {
  for (const auto& [path, lin] : linearModules(lm))
    if (lin->lora) return true;
  return false;
}

void setLoraEnabled(CausalLM& lm, bool enabled) {
  for (const auto& [path, lin] : linearModules(lm))
    if (lin->lora) lin->lora->enabled = enabled;
}

std::vector<torch::Tensor> loraParameters(CausalLM& lm) {
  std::vector<torch::Tensor> out;
  for (const auto& [path, lin] : linearModules(lm))
    if (lin->lora) {
      out.push_back(lin->lora->A);
      out.push_back(lin->lora->B);
    }
  return out;
}

std::vector<std::pair<std::string, torch::Tensor>> loraStateDict(CausalLM& lm) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& [path, lin] : linearModules(lm))
    if (lin->lora) {
      out.emplace_back(kPrefix + path + ".lora_A.weight", lin->lora->A);
      out.emplace_back(kPrefix + path + ".lora_B.weight", lin->lora->B);
    }
  return out;
}

int64_t loraParameterCount(CausalLM& lm) {
  int64_t n = 0;
  for (const auto& t : loraParameters(lm)) n += t.numel();
  return n;
}

void saveAdapter(CausalLM& lm, const LoraConfig& cfg, const fs::path& dir) {
  const auto state = loraStateDict(lm);
  if (state.empty()) throw ConfigError("the model has no LoRA adapter to save");
  fs::create_directories(dir);
  writeTensorFile(dir / "adapter_model.safetensors", state);
  writeFileAtomic(dir / "adapter_config.json", cfg.toPeftJson().dump(2) + "\n");
}

LoraConfig loadAdapter(CausalLM& lm, const fs::path& dir) {
  const fs::path cfgPath = dir / "adapter_config.json";
  const fs::path wPath = dir / "adapter_model.safetensors";
  if (!fs::exists(cfgPath))
    throw IoError(dir.string() + ": no adapter_config.json (is this a PEFT LoRA adapter folder?)");
  if (!fs::exists(wPath)) {
    if (fs::exists(dir / "adapter_model.bin"))
      throw UnsupportedError(wPath.string() + " is missing; adapter_model.bin is a pickle file and "
                             "is not loaded. Save the adapter with safe_serialization=True.");
    throw IoError(wPath.string() + ": file not found");
  }
  LoraConfig cfg = LoraConfig::fromPeftJson(readJsonFile(cfgPath), cfgPath.string());
  auto file = SafetensorsFile::open(wPath);

  // Validate everything before touching the model.
  std::map<std::string, LinearImpl*> modules;
  for (const auto& [path, lin] : linearModules(lm)) modules[path] = lin;
  std::map<std::string, std::pair<torch::Tensor, torch::Tensor>> found;  // path -> (A, B)
  std::vector<std::string> unexpected, misshaped;
  const std::string prefix = kPrefix;
  for (const TensorInfo& info : file.tensors()) {
    const std::string& name = info.name;
    std::string key = name;
    if (key.rfind(prefix, 0) == 0) key = key.substr(prefix.size());
    // Adapters saved with the adapter name still inside the key: "...lora_A.default.weight".
    for (const char* ab : {".lora_A.", ".lora_B."}) {
      auto pos = key.find(ab);
      if (pos != std::string::npos && !endsWith(key, std::string(ab) + "weight") &&
          endsWith(key, ".weight"))
        key = key.substr(0, pos + 8) + "weight";
    }
    const bool isA = endsWith(key, ".lora_A.weight"), isB = endsWith(key, ".lora_B.weight");
    const std::string path = isA || isB ? key.substr(0, key.size() - 14) : "";
    if (path.empty() || !modules.count(path)) {
      unexpected.push_back(name);
      continue;
    }
    auto t = readTensor(file, info).to(torch::kFloat);
    LinearImpl* lin = modules[path];
    const std::vector<int64_t> want = isA ? std::vector<int64_t>{cfg.r, lin->in}
                                          : std::vector<int64_t>{lin->out, cfg.r};
    if (t.sizes().vec() != want) {
      misshaped.push_back(name + " " + torch::str(t.sizes()) + " (expected " + torch::str(want) + ")");
      continue;
    }
    (isA ? found[path].first : found[path].second) = t;
  }
  std::vector<std::string> missing;
  for (const auto& path : matchLoraTargets(lm, cfg)) {
    auto it = found.find(path);
    if (it == found.end() || !it->second.first.defined()) missing.push_back(prefix + path + ".lora_A.weight");
    if (it == found.end() || !it->second.second.defined()) missing.push_back(prefix + path + ".lora_B.weight");
  }
  for (const auto& [path, ab] : found)
    if (!ab.first.defined() || !ab.second.defined()) {
      const std::string k = prefix + path + (ab.first.defined() ? ".lora_B.weight" : ".lora_A.weight");
      if (std::find(missing.begin(), missing.end(), k) == missing.end()) missing.push_back(k);
    }
  if (!unexpected.empty() || !misshaped.empty() || !missing.empty()) {
    std::string msg = wPath.string() + " does not fit this model:";
    auto list = [&](const char* what, const std::vector<std::string>& v) {
      if (v.empty()) return;
      msg += std::string("\n  ") + what + " (" + std::to_string(v.size()) + "):";
      for (size_t i = 0; i < v.size() && i < 8; ++i) msg += " " + v[i];
      if (v.size() > 8) msg += " ...";
    };
    list("missing", missing);
    list("unexpected", unexpected);
    list("mis-shaped", misshaped);
    throw FormatError(msg);
  }
  for (auto& p : lm.parameters()) p.set_requires_grad(false);
  for (const auto& [path, ab] : found) {
    LinearImpl* lin = modules[path];
    auto slot = std::make_shared<LoraSlot>();
    const auto opts = torch::TensorOptions().dtype(lin->weight.scalar_type()).device(lin->weight.device());
    slot->A = ab.first.to(opts).clone().set_requires_grad(true);
    slot->B = ab.second.to(opts).clone().set_requires_grad(true);
    slot->scale = cfg.scale();
    slot->dropout = cfg.dropout;
    lin->lora = slot;
  }
  return cfg;
}

void mergeLora(CausalLM& lm) {
  torch::NoGradGuard ng;
  std::vector<std::pair<LinearImpl*, torch::Tensor>> merged;
  for (const auto& [path, lin] : linearModules(lm)) {
    if (!lin->lora || !lin->lora->enabled) continue;
    auto w = lin->weight.to(torch::kFloat) +
             torch::matmul(lin->lora->B.to(torch::kFloat), lin->lora->A.to(torch::kFloat)) * lin->lora->scale;
    if (!torch::isfinite(w).all().item<bool>())
      throw FormatError("merging the adapter into " + path + " gives non-finite weights; nothing was merged");
    merged.emplace_back(lin, w.to(lin->weight.scalar_type()));
  }
  if (merged.empty()) throw ConfigError("the model has no enabled LoRA adapter to merge");
  for (auto& [lin, w] : merged) lin->weight.copy_(w);
  for (const auto& [path, lin] : linearModules(lm)) lin->lora.reset();
}

void removeLora(CausalLM& lm) {
  for (const auto& [path, lin] : linearModules(lm)) lin->lora.reset();
}

LoraConfig attachAdapter(LoadedModel& model, const fs::path& adapterDir) {
  CausalLM& lm = model.lm();
  // A refused adapter leaves the previous one in place.
  std::vector<std::pair<LinearImpl*, decltype(LinearImpl::lora)>> previous;
  for (const auto& [path, lin] : linearModules(lm)) previous.emplace_back(lin, lin->lora);
  removeLora(lm);
  try {
    return loadAdapter(lm, adapterDir);
  } catch (...) {
    for (auto& [lin, slot] : previous) lin->lora = slot;
    throw;
  }
}

void detachAdapter(LoadedModel& model) { removeLora(model.lm()); }

bool hasAdapter(const LoadedModel& model) { return hasLora(model.lm()); }

void setAdapterEnabled(LoadedModel& model, bool enabled) { setLoraEnabled(model.lm(), enabled); }

void writeModelFolder(CausalLM& lm, const fs::path& baseDir, const fs::path& outDir) {
  if (fs::exists(outDir) && !fs::is_empty(outDir) && fs::equivalent(outDir, baseDir))
    throw ConfigError("the merged model must go to a new folder, not over the base model");
  fs::create_directories(outDir);
  saveWeights(lm, outDir / "model.safetensors");
  for (const char* f : {"config.json", "generation_config.json", "tokenizer.json", "tokenizer.model",
                        "tokenizer_config.json", "special_tokens_map.json", "vocab.txt",
                        "vocab.json", "merges.txt", "added_tokens.json"}) {
    if (fs::exists(baseDir / f)) writeFileAtomic(outDir / f, readFile(baseDir / f));
  }
  json cfg = readJsonFile(baseDir / "config.json");
  cfg["torch_dtype"] = "float32";
  writeFileAtomic(outDir / "config.json", cfg.dump(2) + "\n");
}

}  // namespace fm
