// A LoRA adapter folded into a copy of its base model, written as a Hugging Face folder.
#include "train/trainer.h"

#include "arch/causal_lm.h"
#include "arch/loaded_model.h"
#include "io/model_folder.h"
#include "lora/lora.h"

namespace fm {
namespace fs = std::filesystem;

void mergeAdapterToFolder(const fs::path& baseModel, const fs::path& adapter, const fs::path& outDir) {
  auto model = LoadedModel::load(baseModel, {});
  // This model is loaded for the merge alone, so writing its weights is safe.
  mergeLora(model->lm(), *readAdapter(model->lm(), adapter));
  writeModelFolder(model->lm(), baseModel, outDir);
}

}  // namespace fm
