// fmw commands that train and evaluate: train, stats, resume, eval, merge, pretrain, demo,
// demo-data.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "data/demo_data.h"
#include "io/model_folder.h"
#include "io/output_folder.h"
#include "tokenize/tokenizer.h"
#include "train/demo.h"
#include "train/prepared_data.h"
#include "train/trainer.h"
#include "util/error.h"
#include "util/paths.h"
#include "vision/train_captioner.h"

namespace fmw {
namespace {

using nlohmann::json;

std::atomic<bool> g_interrupted{false};

void onInterrupt(int) { g_interrupted = true; }

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// Prints training events; returns false (cancel) after Ctrl+C.
fm::JobCallback<fm::TrainEvent> trainPrinter(bool jsonLines, const std::string& prefix = "") {
  std::signal(SIGINT, onInterrupt);
  return [jsonLines, prefix](const fm::TrainEvent& e) {
    using K = fm::TrainEvent::Kind;
    if (jsonLines) {
      if (e.kind != K::Step) std::cout << e.toJson().dump() << std::endl;
    } else if (e.kind == K::Log) {
      char eta[32] = "";
      if (e.step > 0 && e.totalSteps > e.step)
        std::snprintf(eta, sizeof eta, "  eta %.0fs", e.elapsed / e.step * (e.totalSteps - e.step));
      std::printf("%sstep %lld/%lld  epoch %.2f  loss %.4f  lr %.2e  grad %.3f  %.0f tok/s%s\n", prefix.c_str(),
                  static_cast<long long>(e.step), static_cast<long long>(e.totalSteps), e.epoch, e.loss, e.lr,
                  e.gradNorm, e.tokensPerS, eta);
    } else if (e.kind == K::Eval) {
      std::printf("%seval at step %lld: loss %.4f  perplexity %.2f%s%s\n", prefix.c_str(),
                  static_cast<long long>(e.step), e.eval.loss, e.eval.perplexity,
                  e.eval.accuracy >= 0 ? ("  accuracy " + fixed(100 * e.eval.accuracy, 1) + "%").c_str() : "",
                  e.message.empty() ? "" : ("  (" + e.message + ")").c_str());
    } else if (e.kind == K::Sample) {
      std::printf("%scaptions of held-out pictures at step %lld:\n", prefix.c_str(), static_cast<long long>(e.step));
      for (const auto& s : e.samples)
        std::printf("%s  %s: %s   (data: %s)\n", prefix.c_str(), std::filesystem::path(s.input).filename().string().c_str(),
                    s.output.c_str(), s.reference.c_str());
    } else if (e.kind == K::Checkpoint) {
      std::printf("%scheckpoint step %lld: %s\n", prefix.c_str(), static_cast<long long>(e.step), e.message.c_str());
    } else if (e.kind == K::Status || e.kind == K::Done) {
      std::printf("%s%s\n", prefix.c_str(), e.message.c_str());
    }
    std::fflush(stdout);
    if (g_interrupted) {
      static bool told = false;
      if (!told) std::fprintf(stderr, "fmw: stopping at the next step and saving a checkpoint...\n");
      told = true;
      return false;
    }
    return true;
  };
}

int finishTraining(const fm::TrainResult& r) {
  if (r.status == fm::JobStatus::Failed) {
    std::fprintf(stderr, "fmw: error: %s\n", r.message.c_str());
    return 1;
  }
  std::fprintf(stderr, "fmw: %s\n", r.message.c_str());
  return r.status == fm::JobStatus::Cancelled ? 130 : 0;
}

std::string flagToKey(const std::string& flag) {
  std::string k = flag.substr(2);
  std::replace(k.begin(), k.end(), '-', '_');
  return k;
}

// A trainer config from --config and any --setting-name flags (the keys of run.json).
fm::TrainConfig trainConfigFromArgs(const Args& a, const std::string& cmd) {
  fm::TrainConfig cfg;
  if (a.has("--config")) cfg = fm::TrainConfig::fromJson(fm::readJsonFile(a.get("--config")));
  for (const auto& [flag, values] : a.opts) {
    if (flag == "--config" || flag == "--json" || flag == "--threads" || flag == "--list-settings") continue;
    const std::string key = flagToKey(flag);
    const auto keys = fm::TrainConfig::keys();
    if (std::find(keys.begin(), keys.end(), key) == keys.end())
      throw fm::ConfigError("fmw " + cmd + ": unknown option " + flag + " (see fmw train --list-settings)");
    cfg.set(key, values.back());
  }
  if (a.has("--threads") && cfg.threads == 0) cfg.threads = static_cast<int>(toInt("--threads", a.get("--threads")));
  return cfg;
}

int cmdTrain(const Args& a) {
  if (a.has("--list-settings")) {
    std::cout << fm::TrainConfig().toJson().dump(2) << "\n";
    return 0;
  }
  return finishTraining(fm::train(trainConfigFromArgs(a, "train"), trainPrinter(a.has("--json"))));
}

// What the Datasets panel's Analyze shows: lengths against max_length, labels, duplicates,
// leakage and skipped rows, for the rows and split that training would use.
int cmdStats(const Args& a) {
  fm::TrainConfig cfg = trainConfigFromArgs(a, "stats");
  if (cfg.model.empty() && !a.positional.empty()) cfg.model = a.positional[0];
  if (cfg.model.empty()) throw fm::ConfigError("fmw stats: MODEL_DIR (for its tokenizer) is missing");
  if (cfg.data.empty()) throw fm::ConfigError("fmw stats: --data FILE is missing");
  auto tok = fm::Tokenizer::fromFolder(cfg.model);
  const fm::PreparedData p = fm::prepareData(cfg, *tok);
  const fm::DatasetStats st = fm::datasetStats(p.examples, p.split, cfg.maxLength);
  std::cout << fm::dataStatsJson(st, p.examples.problems).dump(2) << "\n";
  return 0;
}

int cmdResume(const Args& a) {
  if (a.positional.empty()) throw fm::ConfigError("fmw resume: RUN_DIR is missing");
  if (fm::isCaptionerRun(fm::pathOf(a.positional[0])))
    return finishTraining(fm::resumeCaptioner(fm::pathOf(a.positional[0]), trainPrinter(a.has("--json"))));
  return finishTraining(fm::resumeTraining(a.positional[0], trainPrinter(a.has("--json"))));
}

// fmw captioner train --config run.json [--setting value ...]: a captioner of one's own
// (vision/train_captioner.h); the settings are run.json's keys.
int cmdCaptioner(const Args& a) {
  if (a.positional.empty() || a.positional[0] != "train")
    throw fm::ConfigError("fmw captioner: expected \"train\" (fmw captioner train --config run.json)");
  if (a.has("--list-settings")) {
    std::cout << fm::CaptionerTrainConfig().toJson().dump(2) << "\n";
    return 0;
  }
  fm::CaptionerTrainConfig cfg;
  if (a.has("--config")) cfg = fm::CaptionerTrainConfig::fromJson(fm::readJsonFile(a.get("--config")));
  const auto keys = fm::CaptionerTrainConfig::keys();
  for (const auto& [flag, values] : a.opts) {
    if (flag == "--config" || flag == "--json" || flag == "--threads") continue;
    const std::string key = flagToKey(flag);
    if (std::find(keys.begin(), keys.end(), key) == keys.end())
      throw fm::ConfigError("fmw captioner train: unknown option " + flag + " (see fmw captioner train --list-settings)");
    cfg.set(key, values.back());
  }
  if (a.has("--threads") && cfg.threads == 0) cfg.threads = static_cast<int>(toInt("--threads", a.get("--threads")));
  return finishTraining(fm::trainCaptioner(cfg, trainPrinter(a.has("--json"))));
}

int cmdEval(const Args& a) {
  fm::EvalConfig c;
  c.model = needDir(a, "eval");
  if (!a.has("--data")) throw fm::ConfigError("fmw eval: --data FILE is missing");
  c.data = a.get("--data");
  c.adapter = a.get("--adapter");
  c.format = a.get("--format", "auto");
  c.tpl.prompt = a.get("--prompt-template");
  c.tpl.completion = a.get("--completion-template");
  c.allRows = a.has("--all-rows");
  c.maxLength = toInt("--max-length", a.get("--max-length", "512"));
  c.maxRows = toInt("--max-rows", a.get("--max-rows", "-1"));
  c.validationFraction = toNum("--validation-fraction", a.get("--validation-fraction", "0.1"));
  c.seed = static_cast<uint64_t>(toInt("--seed", a.get("--seed", "42")));
  fm::EvalResult r = fm::evaluate(c);
  std::cout << r.toJson().dump() << "\n";
  return 0;
}

int cmdMerge(const Args& a) {
  if (a.positional.size() < 2) throw fm::ConfigError("fmw merge: MODEL_DIR and ADAPTER_DIR are required");
  if (!a.has("--out")) throw fm::ConfigError("fmw merge: --out DIR is missing");
  fm::checkOutputFolder(a.get("--out"), "the merged model", a.has("--overwrite"), {a.positional[0], a.positional[1]});
  fm::mergeAdapterToFolder(a.positional[0], a.positional[1], a.get("--out"));
  std::fprintf(stderr, "merged %s into %s -> %s\n", a.positional[1].c_str(), a.positional[0].c_str(),
               a.get("--out").c_str());
  return 0;
}

int cmdDemoData(const Args& a) {
  const std::filesystem::path out = a.has("--out") ? std::filesystem::path(a.get("--out")) : fm::DemoPaths(workspace(a)).data;
  fm::checkOutputFolder(out, "the demo data", a.has("--overwrite"));
  fm::writeDemoData(out);
  std::printf("wrote %s and %s\n", (out / "reviews.csv").string().c_str(), (out / "corpus.txt").string().c_str());
  return 0;
}

int cmdPretrain(const Args& a) {
  if (!a.has("--out")) throw fm::ConfigError("fmw pretrain: --out MODEL_DIR is missing");
  std::filesystem::path corpus = a.get("--data");
  if (corpus.empty()) {
    fm::DemoPaths p(workspace(a));
    if (!std::filesystem::exists(p.corpus)) fm::writeDemoData(p.data);
    corpus = p.corpus;
  }
  fm::checkOutputFolder(a.get("--out"), "the pretrained model", a.has("--overwrite"), {corpus});
  const int threads = a.has("--threads") ? static_cast<int>(toInt("--threads", a.get("--threads"))) : 0;
  auto r = fm::pretrainDemoModel(corpus, a.get("--out"), toInt("--steps", a.get("--steps", "300")), threads,
                                 trainPrinter(a.has("--json")));
  return finishTraining(r);
}

// Loss on a log scale: the first steps of a fine-tune start near ln(vocab) and end near zero,
// and a linear axis would flatten everything after the first point.
std::string textChart(const std::vector<std::pair<int64_t, double>>& pts, int width, int height) {
  if (pts.size() < 2) return "";
  auto y = [](double v) { return std::log10(std::max(v, 1e-4)); };
  double lo = y(pts[0].second), hi = lo;
  for (const auto& p : pts) {
    lo = std::min(lo, y(p.second));
    hi = std::max(hi, y(p.second));
  }
  if (hi - lo < 1e-9) hi = lo + 1e-9;
  std::vector<std::string> grid(height, std::string(width, ' '));
  for (int x = 0; x < width; ++x) {
    const size_t i = static_cast<size_t>(x * (pts.size() - 1) / std::max(1, width - 1));
    const int row = static_cast<int>(std::lround((y(pts[i].second) - lo) / (hi - lo) * (height - 1)));
    grid[height - 1 - row][x] = '*';
  }
  std::string out;
  for (int r = 0; r < height; ++r) {
    std::string label(8, ' ');
    if (r % 3 == 0 || r == height - 1) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "%8.3g", std::pow(10.0, hi - (hi - lo) * r / (height - 1)));
      label = buf;
    }
    out += label + " |" + grid[r] + "\n";
  }
  out += std::string(9, ' ') + "+" + std::string(width, '-') + "  (log scale)\n";
  const std::string first = "step " + std::to_string(pts.front().first);
  const std::string last = "step " + std::to_string(pts.back().first);
  out += std::string(10, ' ') + first +
         std::string(std::max<int>(1, width - static_cast<int>(first.size() + last.size())), ' ') + last + "\n";
  return out;
}

int cmdDemo(const Args& a) {
  fm::DemoOptions opt;
  opt.workspace = workspace(a);
  opt.fresh = a.has("--fresh");
  opt.threads = a.has("--threads") ? static_cast<int>(toInt("--threads", a.get("--threads"))) : 0;
  if (a.has("--pretrain-steps")) opt.pretrainSteps = toInt("--pretrain-steps", a.get("--pretrain-steps"));
  std::printf("FM Workbench demo: pre-train -> adapt, in %s\n\n", opt.workspace.string().c_str());
  auto printer = trainPrinter(false, "  ");
  auto rep = fm::runDemo(opt, [&](const fm::DemoEvent& e) {
    if (e.hasTrain) return printer(e.train);
    std::printf("[%s] %s\n", e.stage.c_str(), e.message.c_str());
    std::fflush(stdout);
    return !g_interrupted.load();
  });
  if (rep.status != fm::JobStatus::Completed) return rep.status == fm::JobStatus::Cancelled ? 130 : 1;
  std::printf("\nTraining loss (LoRA fine-tune):\n%s", textChart(rep.lossCurve, 60, 10).c_str());
  std::printf("\nGenerations on validation reviews (greedy):\n");
  for (const auto& g : rep.generations) {
    std::printf("  review:   %s\n  expected: %s   base model: \"%s\"   fine-tuned: \"%s\"\n\n", g.review.c_str(),
                g.expected.c_str(), g.before.c_str(), g.after.c_str());
  }
  std::printf("Validation accuracy: base %.1f%%  ->  fine-tuned %.1f%%\n", 100 * rep.baseAccuracy,
              100 * rep.tunedAccuracy);
  std::printf("Time: %.0f s total (pretraining %.0f s%s, fine-tuning %.0f s)\n", rep.totalSeconds,
              rep.pretrainSeconds, rep.pretrained ? "" : ", model reused", rep.finetuneSeconds);
  std::printf("Model: %s\nAdapter (PEFT format): %s\n", rep.model.string().c_str(), rep.adapter.string().c_str());
  return 0;
}

// --config and every key of a captioner's run.json as --key-name.
std::vector<std::string> captionerFlags() {
  std::vector<std::string> out = {"--config"};
  for (const auto& key : fm::CaptionerTrainConfig::keys()) out.push_back(trainSettingFlag(key));
  return out;
}

}  // namespace

const std::vector<Command>& trainCommands() {
  static const std::vector<Command> commands = {
      {"train", {"--json", "--list-settings"}, {}, true, cmdTrain},
      {"stats", {}, {}, true, cmdStats},
      {"resume", {"--json"}, {}, false, cmdResume},
      {"captioner", {"--json", "--list-settings"}, captionerFlags(), false, cmdCaptioner},
      {"eval", {"--all-rows"},
       {"--data", "--adapter", "--format", "--prompt-template", "--completion-template", "--max-length",
        "--max-rows", "--validation-fraction", "--seed"},
       false, cmdEval},
      {"merge", {"--overwrite"}, {"--out"}, false, cmdMerge},
      {"pretrain", {"--json", "--overwrite"}, {"--out", "--data", "--steps", "--workspace"}, false, cmdPretrain},
      {"demo", {"--fresh"}, {"--workspace", "--pretrain-steps"}, false, cmdDemo},
      {"demo-data", {"--overwrite"}, {"--out", "--workspace"}, false, cmdDemoData},
  };
  return commands;
}

}  // namespace fmw
