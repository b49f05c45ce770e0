// A LoRA adapter folded into a copy of its base model, written as a Hugging Face folder.
#include "train/trainer.h"

#include "arch/causal_lm.h"
#include "arch/loaded_model.h"
#include "io/model_folder.h"
#include "jobs/cancelled.h"
#include "lora/lora.h"

namespace fm {
namespace fs = std::filesystem;

void mergeAdapterToFolder(const fs::path& baseModel, const fs::path& adapter, const fs::path& outDir,
                          const JobContext& job) {
  LoadOptions load;
  load.job = job.part(0, 0.8, "reading the base model");
  auto model = LoadedModel::load(baseModel, load);
  job.report(0.8, "merging the adapter");
  // This model is loaded for the merge alone, so writing its weights is safe.
  mergeLora(model->lm(), *readAdapter(model->lm(), adapter));
  job.report(0.9, "writing the merged model");
  writeModelFolder(model->lm(), baseModel, outDir);
}

}  // namespace fm
