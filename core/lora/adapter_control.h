// Adapters on a loaded model, for callers that do not see torch (the GUI, the playground).
//
//   fm::attachAdapter(*model, "runs/r1/adapter");   // PEFT folder
//   fm::setAdapterEnabled(*model, false);           // base answers, no reload
//
// These mutate the model: no generation may run on it meanwhile (the caller serialises).
#pragma once

#include <filesystem>

#include "lora/lora_config.h"

namespace fm {

class LoadedModel;

// Loads a PEFT adapter folder onto the model, replacing any adapter it had.
LoraConfig attachAdapter(LoadedModel& model, const std::filesystem::path& adapterDir);
void detachAdapter(LoadedModel& model);
bool hasAdapter(const LoadedModel& model);
void setAdapterEnabled(LoadedModel& model, bool enabled);

}  // namespace fm
