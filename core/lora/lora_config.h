// LoRA settings as PEFT writes them in adapter_config.json. No torch: the trainer's config and
// the GUI use it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace fm {

struct LoraConfig {
  int r = 8;
  double alpha = 16;
  double dropout = 0.05;
  // Module names matched as PEFT does: a name equal to an entry or ending in ".<entry>".
  // "all-linear" takes every Linear except the output head. A single entry starting with
  // "re:" is a regular expression over the full module path.
  std::vector<std::string> targetModules{"q_proj", "v_proj"};
  bool rslora = false;             // scale = alpha / sqrt(r) instead of alpha / r
  std::string bias = "none";       // only "none" is supported
  std::string baseModel;           // base_model_name_or_path written into adapter_config.json
  double scale() const;

  nlohmann::json toPeftJson() const;
  // Reads adapter_config.json; refuses peft_type other than LORA and options it cannot honour.
  static LoraConfig fromPeftJson(const nlohmann::json& j, const std::string& where);
};

}  // namespace fm
