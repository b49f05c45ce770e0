// fmw bench: generation, embedding and training speed, printed as JSON lines.
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "arch/loaded_model.h"
#include "cli/cli.h"
#include "embed/bench_embed.h"
#include "generate/bench.h"
#include "io/model_folder.h"
#include "rag/bench_rag.h"
#include "train/bench_train.h"
#include "util/paths.h"
#include "util/runtime.h"
#include "util/error.h"
#include "vision/bench_vision.h"

namespace fmw {
namespace {

using nlohmann::json;

int cmdBenchTrain(const Args& a);

std::filesystem::path benchWork(const Args& a, const char* what) {
  if (a.has("--work")) return fm::pathOf(a.get("--work"));
  return std::filesystem::temp_directory_path() / (std::string("fmw-bench-") + what);
}

fm::JobContext benchProgress() {
  auto last = std::make_shared<std::string>();
  return fm::JobContext([last](double, const std::string& what) {
    if (what != *last) std::fprintf(stderr, "bench: %s\n", (*last = what).c_str());
    return true;
  }, {});
}

int cmdBench(const Args& a) {
  if (!a.positional.empty() && a.positional[0] == "train") return cmdBenchTrain(a);
  if (!a.positional.empty() && a.positional[0] == "search") {
    fm::rag::SearchBenchOptions o;
    o.chunks = toInt("--chunks", a.get("--chunks", "10000"));
    o.dimension = static_cast<int>(toInt("--dimension", a.get("--dimension", "384")));
    o.queries = static_cast<int>(toInt("--queries", a.get("--queries", "200")));
    o.efSearch = static_cast<int>(toInt("--ef-search", a.get("--ef-search", "64")));
    const auto work = benchWork(a, "search");
    std::cout << fm::rag::benchSearch(work, o, benchProgress()).dump() << "\n";
    if (!a.has("--work")) std::filesystem::remove_all(work);
    return 0;
  }
  if (!a.positional.empty() && a.positional[0] == "ingest") {
    if (a.positional.size() < 2) throw fm::ConfigError("fmw bench ingest: MODEL_DIR (an embedder) is missing");
    auto model = fm::LoadedModel::load(a.positional[1], loadOptions(a));
    const auto work = benchWork(a, "ingest");
    json j = fm::rag::benchIngest(work, *model, static_cast<int>(toInt("--documents", a.get("--documents", "50"))),
                                  benchProgress());
    j["model"] = a.positional[1];
    std::cout << j.dump() << "\n";
    if (!a.has("--work")) std::filesystem::remove_all(work);
    return 0;
  }
  if (!a.positional.empty() && a.positional[0] == "embed") {
    if (a.positional.size() < 2) throw fm::ConfigError("fmw bench embed: MODEL_DIR is missing");
    auto model = fm::LoadedModel::load(a.positional[1], loadOptions(a));
    auto r = fm::benchEmbed(*model, toInt("--texts", a.get("--texts", "512")), toInt("--length", a.get("--length", "0")));
    json j = r.toJson();
    j["model"] = a.positional[1];
    j["blas"] = fm::blasKernels();
    std::cout << j.dump() << "\n";
    return 0;
  }
  if (!a.positional.empty() && a.positional[0] == "vision") {
    if (a.positional.size() < 2) throw fm::ConfigError("fmw bench vision: MODEL_DIR (a CLIP folder) is missing");
    auto model = fm::LoadedModel::load(fm::pathOf(a.positional[1]), loadOptions(a));
    const auto work = benchWork(a, "vision");
    json j = fm::benchVision(*model, work, static_cast<int>(toInt("--images", a.get("--images", "256"))), 16,
                             benchProgress());
    j["model"] = a.positional[1];
    j["pictures"] = work.u8string();
    std::cout << j.dump() << "\n";
    if (!a.has("--work")) std::filesystem::remove_all(work);
    return 0;
  }
  if (a.positional.empty() || a.positional[0] != "generate")
    throw fm::ConfigError(
        "fmw bench: expected `fmw bench generate MODEL_DIR`, `fmw bench embed MODEL_DIR`, `fmw bench train --spec "
        "SPEC.json`, `fmw bench search`, `fmw bench ingest MODEL_DIR` or `fmw bench vision MODEL_DIR`");
  if (a.positional.size() < 2) throw fm::ConfigError("fmw bench generate: MODEL_DIR is missing");
  auto model = fm::LoadedModel::load(a.positional[1], loadOptions(a));
  const int promptTokens = static_cast<int>(toInt("--prompt-tokens", a.get("--prompt-tokens", "128")));
  const int newTokens = static_cast<int>(toInt("--new-tokens", a.get("--new-tokens", "256")));
  auto r = fm::benchGenerate(*model, promptTokens, newTokens, !a.has("--skip-no-cache"),
                             [](const std::string& s) { std::fprintf(stderr, "bench: %s\n", s.c_str()); });
  json j = {{"model", a.positional[1]},
            {"parameters", model->info().parameters},
            {"threads", r.threads},
            {"blas", fm::blasKernels()},
            {"prompt_tokens", r.promptTokens},
            {"new_tokens", r.newTokens},
            {"prefill_tokens_per_s", r.prefillTokensPerSecond},
            {"decode_tokens_per_s", r.decodeTokensPerSecond},
            {"weight_bytes_per_token", r.weightBytesPerToken},
            {"memory_bandwidth_gb_s", r.memoryBandwidthGBs},
            {"bandwidth_bound_tokens_per_s", r.boundTokensPerSecond},
            {"fraction_of_bound", r.decodeTokensPerSecond / r.boundTokensPerSecond}};
  if (r.decodeNoCacheTokensPerSecond > 0) {
    j["decode_no_cache_tokens_per_s"] = r.decodeNoCacheTokensPerSecond;
    j["kv_cache_speedup"] = r.decodeTokensPerSecond / r.decodeNoCacheTokensPerSecond;
  }
  std::cout << j.dump() << "\n";
  return 0;
}

int cmdBenchTrain(const Args& a) {
  if (!a.has("--spec")) throw fm::ConfigError("fmw bench train: --spec SPEC.json is missing");
  const json spec = fm::readJsonFile(a.get("--spec"));
  const std::string method = a.get("--method", "lora");
  std::vector<std::string> methods = method == "both" ? std::vector<std::string>{"lora", "full"}
                                                      : std::vector<std::string>{method};
  std::vector<fm::TrainBenchResult> results;
  for (const auto& m : methods) {
    results.push_back(fm::benchTrain(spec, m));
    std::cout << results.back().toJson().dump() << std::endl;
  }
  if (results.size() == 2)
    std::cout << json{{"lora_over_full_step_time", results[0].stepSeconds / results[1].stepSeconds}}.dump()
              << std::endl;
  return 0;
}

}  // namespace

const std::vector<Command>& benchCommands() {
  static const std::vector<Command> commands = {
      {"bench", {"--skip-no-cache"},
       {"--prompt-tokens", "--new-tokens", "--texts", "--spec", "--method", "--dtype", "--device", "--chunks",
        "--dimension", "--queries", "--ef-search", "--documents", "--work", "--length", "--images"},
       false,
       cmdBench},
  };
  return commands;
}

}  // namespace fmw
