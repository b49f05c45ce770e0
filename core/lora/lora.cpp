#include "lora/lora.h"

#include "arch/loaded_model.h"
#include "lora/adapter_control.h"

#include <cmath>
#include <map>
#include <regex>
#include <set>

#include "arch/builtin_model.h"
#include "arch/causal_lm.h"
#include "nn/layers.h"
#include "nn/weights.h"
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

// A module LoRA can adapt: a Linear (weight (out, in)) or GPT-2's Conv1D (weight (in, out)),
// as PEFT adapts both.
struct Adaptable {
  torch::nn::Module* module = nullptr;
  torch::Tensor* weight = nullptr;
  int64_t in = 0, out = 0;
  bool transposed = false;
};

std::vector<std::pair<std::string, Adaptable>> linearModules(torch::nn::Module& model) {
  std::vector<std::pair<std::string, Adaptable>> out;
  for (const auto& item : model.named_modules("", /*include_self=*/false)) {
    if (auto* lin = dynamic_cast<LinearImpl*>(item.value().get()))
      out.emplace_back(item.key(), Adaptable{lin, &lin->weight, lin->in, lin->out, false});
    else if (auto* conv = dynamic_cast<Conv1DImpl*>(item.value().get()))
      out.emplace_back(item.key(), Adaptable{conv, &conv->weight, conv->weight.size(0), conv->weight.size(1), true});
  }
  return out;
}

bool selects(const LoraConfig& cfg, const std::string& path) {
  if (cfg.targetModules.size() == 1 && cfg.targetModules[0].rfind("re:", 0) == 0) {
    const std::string pattern = cfg.targetModules[0].substr(3);
    try {
      return std::regex_match(path, std::regex(pattern));
    } catch (const std::regex_error& e) {
      throw ConfigError("target_modules \"" + pattern + "\" is not a regular expression this loader reads (" +
                        e.what() + ")");
    }
  }
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
  auto fail = [&](const std::string& what) -> FormatError {
    return FormatError(where + ": " + what);
  };
  if (!j.is_object()) throw fail("not a JSON object");
  auto flag = [&](const char* key) {
    if (!j.contains(key) || j[key].is_null()) return false;
    if (!j[key].is_boolean()) throw fail(std::string("\"") + key + "\" must be true or false");
    return j[key].get<bool>();
  };
  if (j.contains("peft_type") && !j["peft_type"].is_string()) throw fail("\"peft_type\" must be a string");
  const std::string type = j.value("peft_type", "");
  if (type != "LORA")
    throw UnsupportedError(where + ": peft_type \"" + type + "\" is not supported (LORA only)");
  LoraConfig c;
  if (!j.contains("r") || !j["r"].is_number_integer()) throw fail("\"r\" must be an integer");
  c.r = j["r"].get<int>();
  if (c.r <= 0) throw fail("\"r\" must be > 0, got " + std::to_string(c.r));
  c.alpha = j.contains("lora_alpha") && j["lora_alpha"].is_number() ? j["lora_alpha"].get<double>() : 8.0;
  c.dropout = j.contains("lora_dropout") && j["lora_dropout"].is_number() ? j["lora_dropout"].get<double>() : 0.0;
  c.rslora = flag("use_rslora");
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
  if (flag("use_dora")) refuse("use_dora (DoRA)");
  // fan_in_fan_out says the targets store their weight (in, out), as GPT-2's Conv1D does; the
  // module itself says so here (PEFT, too, corrects the flag to the module it finds).
  flag("fan_in_fan_out");
  for (const char* k : {"rank_pattern", "alpha_pattern"})
    if (j.contains(k) && j[k].is_object() && !j[k].empty()) refuse(std::string("a non-empty ") + k);
  for (const char* k : {"modules_to_save", "layers_to_transform"})
    if (j.contains(k) && !j[k].is_null() && !(j[k].is_array() && j[k].empty())) refuse(k);
  return c;
}

std::vector<std::string> matchLoraTargets(Network& model, const LoraConfig& cfg) {
  std::vector<std::string> out;
  std::set<std::string> kinds;
  for (const auto& [path, lin] : linearModules(model)) {
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

std::shared_ptr<LoraAdapter> createLora(Network& model, const LoraConfig& cfg, uint64_t seed) {
  if (cfg.r <= 0) throw ConfigError("LoRA rank r must be > 0, got " + std::to_string(cfg.r));
  if (cfg.dropout < 0 || cfg.dropout >= 1)
    throw ConfigError("LoRA dropout must be in [0, 1), got " + std::to_string(cfg.dropout));
  if (cfg.bias != "none") throw UnsupportedError("LoRA bias \"" + cfg.bias + "\" is not supported (none)");
  const auto targets = matchLoraTargets(model, cfg);
  auto gen = at::detail::createCPUGenerator(seed);
  std::set<std::string> wanted(targets.begin(), targets.end());
  auto adapter = std::make_shared<LoraAdapter>(cfg, model.instanceId());
  for (const auto& [path, lin] : linearModules(model)) {
    if (!wanted.count(path)) continue;
    const auto opts = torch::TensorOptions().dtype(lin.weight->scalar_type()).device(lin.weight->device());
    LoraWeights w;
    // kaiming_uniform_(a=sqrt(5)) on (r, in): bound = gain * sqrt(3 / fan_in), gain = sqrt(1/3).
    const double bound = 1.0 / std::sqrt(static_cast<double>(lin.in));
    auto a = torch::empty({cfg.r, lin.in}, torch::kFloat);
    a.uniform_(-bound, bound, gen);
    w.A = a.to(opts).set_requires_grad(true);
    w.B = torch::zeros({lin.out, cfg.r}, opts).set_requires_grad(true);
    w.scale = cfg.scale();
    w.dropout = cfg.dropout;
    adapter->add(path, lin.module, std::move(w), lin.transposed);
  }
  return adapter;
}

std::vector<torch::Tensor> loraParameters(const LoraAdapter& adapter) {
  std::vector<torch::Tensor> out;
  for (const auto& e : adapter.entries()) {
    out.push_back(e.weights.A);
    out.push_back(e.weights.B);
  }
  return out;
}

std::vector<std::pair<std::string, torch::Tensor>> loraStateDict(const LoraAdapter& adapter) {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& e : adapter.entries()) {
    out.emplace_back(kPrefix + e.path + ".lora_A.weight", e.weights.A);
    out.emplace_back(kPrefix + e.path + ".lora_B.weight", e.weights.B);
  }
  return out;
}

int64_t loraParameterCount(const LoraAdapter& adapter) {
  int64_t n = 0;
  for (const auto& t : loraParameters(adapter)) n += t.numel();
  return n;
}

void saveAdapter(const LoraAdapter& adapter, const fs::path& dir) {
  const auto state = loraStateDict(adapter);
  if (state.empty()) throw ConfigError("the adapter adapts no module; nothing to save");
  makeFolder(dir);
  writeTensorFile(dir / "adapter_model.safetensors", state);
  json config = adapter.config().toPeftJson();
  for (const auto& e : adapter.entries())
    if (e.transposed) config["fan_in_fan_out"] = true;  // GPT-2's Conv1D targets, as PEFT writes them
  writeFileAtomic(dir / "adapter_config.json", config.dump(2) + "\n");
}

std::shared_ptr<LoraAdapter> readAdapter(Network& model, const fs::path& dir) {
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

  std::map<std::string, Adaptable> modules;
  for (const auto& [path, lin] : linearModules(model)) modules[path] = lin;
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
      if (pos != std::string::npos && !endsWith(key, std::string(ab) + "weight") && endsWith(key, ".weight"))
        key = key.substr(0, pos + 8) + "weight";
    }
    const bool isA = endsWith(key, ".lora_A.weight"), isB = endsWith(key, ".lora_B.weight");
    const std::string path = isA || isB ? key.substr(0, key.size() - 14) : "";
    if (path.empty() || !modules.count(path)) {
      unexpected.push_back(name);
      continue;
    }
    auto t = readTensor(file, info).to(torch::kFloat);
    const Adaptable& lin = modules[path];
    const std::vector<int64_t> want = isA ? std::vector<int64_t>{cfg.r, lin.in} : std::vector<int64_t>{lin.out, cfg.r};
    if (t.sizes().vec() != want) {
      misshaped.push_back(name + " " + torch::str(t.sizes()) + " (expected " + torch::str(want) + ")");
      continue;
    }
    (isA ? found[path].first : found[path].second) = t;
  }
  std::vector<std::string> missing;
  for (const auto& path : matchLoraTargets(model, cfg)) {
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
  auto adapter = std::make_shared<LoraAdapter>(cfg, model.instanceId());
  for (const auto& [path, lin] : linearModules(model)) {  // model order
    auto it = found.find(path);
    if (it == found.end()) continue;
    const auto opts = torch::TensorOptions().dtype(lin.weight->scalar_type()).device(lin.weight->device());
    LoraWeights w;
    w.A = it->second.first.to(opts).clone().set_requires_grad(true);
    w.B = it->second.second.to(opts).clone().set_requires_grad(true);
    w.scale = cfg.scale();
    w.dropout = cfg.dropout;
    adapter->add(path, lin.module, std::move(w), lin.transposed);
  }
  return adapter;
}

void mergeLora(Network& model, const LoraAdapter& adapter) {
  adapter.checkModel(model.instanceId());
  torch::NoGradGuard ng;
  std::map<const torch::nn::Module*, Adaptable> mine;
  for (const auto& [path, lin] : linearModules(model)) mine[lin.module] = lin;
  std::vector<std::pair<torch::Tensor*, torch::Tensor>> merged;
  for (const auto& e : adapter.entries()) {
    auto it = mine.find(e.module);
    if (it == mine.end()) throw ConfigError("the adapter was made for another model; nothing was merged");
    const Adaptable& lin = it->second;
    auto delta = torch::matmul(e.weights.B.to(torch::kFloat), e.weights.A.to(torch::kFloat)) * e.weights.scale;
    if (lin.transposed) delta = delta.t();  // Conv1D keeps (in, out)
    auto w = lin.weight->to(torch::kFloat) + delta;
    if (!torch::isfinite(w).all().item<bool>())
      throw FormatError("merging the adapter into " + e.path + " gives non-finite weights; nothing was merged");
    merged.emplace_back(lin.weight, w.to(lin.weight->scalar_type()));
  }
  if (merged.empty()) throw ConfigError("the adapter adapts no module; nothing to merge");
  for (auto& [weight, w] : merged) weight->copy_(w);
}

std::shared_ptr<const LoraAdapter> loadAdapterFor(const LoadedModel& model, const fs::path& adapterDir) {
  return readAdapter(model.lm(), adapterDir);
}

const LoraConfig& adapterConfig(const LoraAdapter& adapter) { return adapter.config(); }

void writeModelFolder(CausalLM& lm, const fs::path& baseDir, const fs::path& outDir) {
  if (fs::exists(outDir) && !fs::is_empty(outDir) && fs::equivalent(outDir, baseDir))
    throw ConfigError("the merged model must go to a new folder, not over the base model");
  makeFolder(outDir);
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
