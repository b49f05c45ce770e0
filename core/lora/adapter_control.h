// Adapters for callers that do not see torch (the GUI, the CLI): read once, then chosen per
// call (GenerateOptions::adapter), never switched on the shared model.
//
//   std::shared_ptr<const fm::LoraAdapter> a = fm::loadAdapterFor(*model, "runs/r1/adapter");
//   fm::GenerateOptions o;  o.adapter = a;        // this generation only
//
// Thread safety: loadAdapterFor only reads the model; the adapter it returns is immutable and
// may be used by any number of jobs at once while `model` lives.
#pragma once

#include <filesystem>
#include <memory>

#include "lora/lora_config.h"

namespace fm {

class LoadedModel;
class LoraAdapter;

// Reads a PEFT adapter folder for a loaded language model. Throws fm::Error subclasses that
// name the folder and the problem (wrong model, pickle weights, unsupported options).
std::shared_ptr<const LoraAdapter> loadAdapterFor(const LoadedModel& model, const std::filesystem::path& adapterDir);
const LoraConfig& adapterConfig(const LoraAdapter& adapter);

}  // namespace fm
