// TrainConfig <-> JSON. One table of fields drives reading, writing and the CLI flags, so a
// field added here is everywhere at once.
#include <cmath>
#include <sstream>

#include "train/config_fields.h"
#include "train/trainer.h"
#include "util/error.h"

namespace fm {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

template <typename Cfg, typename F>
void forEachField(Cfg& c, F&& f) {
  f("model", c.model);
  f("method", c.method);
  f("lora_r", c.lora.r);
  f("lora_alpha", c.lora.alpha);
  f("lora_dropout", c.lora.dropout);
  f("lora_target_modules", c.lora.targetModules);
  f("use_rslora", c.lora.rslora);
  f("data", c.data);
  f("format", c.format);
  f("prompt_template", c.tpl.prompt);
  f("completion_template", c.tpl.completion);
  f("chat_template", c.tpl.chat);
  f("train_on_prompt", c.tpl.trainOnPrompt);
  f("skip_bad_rows", c.skipBadRows);
  f("validation_fraction", c.validationFraction);
  f("max_length", c.maxLength);
  f("batch_size", c.batchSize);
  f("grad_accum", c.gradAccum);
  f("epochs", c.epochs);
  f("max_steps", c.maxSteps);
  f("lr", c.lr);
  f("schedule", c.schedule);
  f("warmup_steps", c.warmupSteps);
  f("warmup_ratio", c.warmupRatio);
  f("weight_decay", c.weightDecay);
  f("max_grad_norm", c.maxGradNorm);
  f("adam_beta1", c.beta1);
  f("adam_beta2", c.beta2);
  f("adam_eps", c.adamEps);
  f("seed", c.seed);
  f("log_every", c.logEvery);
  f("eval_every", c.evalEvery);
  f("eval_at_start", c.evalAtStart);
  f("eval_max_rows", c.evalMaxRows);
  f("save_every", c.saveEvery);
  f("save_minutes", c.saveMinutes);
  f("keep_checkpoints", c.keepCheckpoints);
  f("out_dir", c.outDir);
  f("threads", c.threads);
  f("memory_limit_gb", c.memoryLimitGb);
}

}  // namespace

json TrainConfig::toJson() const {
  json j = json::object();
  forEachField(*this, [&](const char* k, const auto& v) { j[k] = v; });
  return j;
}

TrainConfig TrainConfig::fromJson(const json& j) {
  if (!j.is_object()) throw ConfigError("training config: expected a JSON object");
  TrainConfig c;
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool known = false;
    forEachField(c, [&](const char* k, auto& v) {
      if (it.key() == k) {
        readConfigField(it.value(), k, v, "training config");
        known = true;
      }
    });
    if (!known) {
      std::string list;
      for (const auto& k : keys()) list += (list.empty() ? "" : ", ") + k;
      throw ConfigError("training config: unknown setting \"" + it.key() + "\" (known: " + list + ")");
    }
  }
  return c;
}

void TrainConfig::set(const std::string& key, const std::string& value) {
  bool known = false;
  forEachField(*this, [&](const char* k, auto& v) {
    if (key == k) {
      parseConfigField(value, key, v, "training config");
      known = true;
    }
  });
  if (!known) throw ConfigError("unknown training setting \"" + key + "\"");
}

std::vector<std::string> TrainConfig::keys() {
  std::vector<std::string> out;
  TrainConfig c;
  forEachField(c, [&](const char* k, auto&) { out.push_back(k); });
  return out;
}

int64_t TrainConfig::warmupFor(int64_t totalSteps) const {
  if (warmupSteps > 0) return warmupSteps;
  return static_cast<int64_t>(std::ceil(warmupRatio * totalSteps));
}

void TrainConfig::validate() const {
  auto need = [](bool ok, const std::string& msg) {
    if (!ok) throw ConfigError("training config: " + msg);
  };
  need(!model.empty(), "\"model\" (the base model folder) is required");
  need(fs::is_directory(model), "model folder \"" + model + "\" does not exist");
  need(!data.empty(), "\"data\" (the dataset file) is required");
  need(fs::exists(data), "dataset \"" + data + "\" does not exist");
  need(method == "lora" || method == "full", "\"method\" must be lora or full, got \"" + method + "\"");
  need(schedule == "constant" || schedule == "linear" || schedule == "cosine",
       "\"schedule\" must be constant, linear or cosine, got \"" + schedule + "\"");
  need(lora.r > 0, "\"lora_r\" must be > 0");
  need(lora.alpha > 0, "\"lora_alpha\" must be > 0");
  need(lora.dropout >= 0 && lora.dropout < 1, "\"lora_dropout\" must be in [0, 1)");
  need(!lora.targetModules.empty(), "\"lora_target_modules\" is empty");
  need(maxLength >= 2, "\"max_length\" must be at least 2");
  need(batchSize >= 1, "\"batch_size\" must be at least 1");
  need(gradAccum >= 1, "\"grad_accum\" must be at least 1");
  need(epochs >= 1 || maxSteps > 0, "set \"epochs\" >= 1 or \"max_steps\" > 0");
  need(lr > 0 && std::isfinite(lr), "\"lr\" must be a positive number");
  need(warmupSteps >= 0 && warmupRatio >= 0 && warmupRatio < 1, "warmup must be >= 0 (ratio < 1)");
  need(weightDecay >= 0, "\"weight_decay\" must be >= 0");
  need(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "Adam betas must be in [0, 1)");
  need(adamEps > 0, "\"adam_eps\" must be > 0");
  need(validationFraction >= 0 && validationFraction < 1, "\"validation_fraction\" must be in [0, 1)");
  need(logEvery >= 1, "\"log_every\" must be at least 1");
  need(evalEvery >= 0 && saveEvery >= 0, "\"eval_every\" and \"save_every\" must be >= 0");
  need(keepCheckpoints >= 1, "\"keep_checkpoints\" must be at least 1");
  need(std::isfinite(saveMinutes) && saveMinutes >= 0, "\"save_minutes\" must be >= 0");
  need(!outDir.empty(), "\"out_dir\" (the run folder) is required");
  need(threads >= 0, "\"threads\" must be >= 0");
}

}  // namespace fm
