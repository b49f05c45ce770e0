// fmw clip, image-embed, zero-shot-eval, image-search: Image + Text on the command line.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

#include "arch/loaded_model.h"
#include "arch/vision_text.h"
#include "cli/cli.h"
#include "util/error.h"
#include "util/paths.h"
#include "vision/caption.h"
#include "vision/demo_shapes.h"
#include "vision/image_folder.h"
#include "vision/preprocess.h"

namespace fmw {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

struct VisionModel {
  std::shared_ptr<fm::LoadedModel> model;
  fm::ImageProcessor processor;
};

VisionModel loadVisionModel(const Args& a, const char* cmd) {
  const std::string dir = needDir(a, cmd);
  auto model = fm::LoadedModel::load(fm::pathOf(dir), loadOptions(a));
  model->visionText();  // the kind check: names what the folder is instead
  return {model, fm::ImageProcessor::fromFolder(fm::pathOf(dir))};
}

std::vector<std::string> splitLabels(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    const size_t b = cur.find_first_not_of(" \t"), e = cur.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(cur.substr(b, e - b + 1));
    cur.clear();
  };
  for (char c : s) {
    if (c == ',') flush();
    else cur += c;
  }
  flush();
  return out;
}

std::vector<std::string> filesAfterDir(const Args& a) {
  std::vector<std::string> files(a.positional.begin() + std::min<size_t>(a.positional.size(), 1), a.positional.end());
  return files;
}

int cmdClip(const Args& a) {
  std::vector<std::string> images;
  if (a.opts.count("--image")) images = a.opts.at("--image");
  for (const auto& f : filesAfterDir(a)) images.push_back(f);
  if (images.empty()) throw fm::ConfigError("fmw clip: give pictures with --image FILE (one or more)");
  const std::vector<std::string> labels = splitLabels(a.get("--labels"));
  if (labels.empty()) throw fm::ConfigError("fmw clip: give the labels with --labels \"cat,dog,car\"");
  const std::string tmpl = a.get("--template", "a photo of a {}");
  VisionModel vm = loadVisionModel(a, "clip");
  std::vector<std::string> prompts;
  for (const auto& l : labels) prompts.push_back(fm::fillLabelTemplate(tmpl, l));
  const fm::Vectors text = fm::embedTextsForImages(*vm.model, prompts);
  const fm::ScoreRule rule = fm::scoreRuleOf(*vm.model);
  // Every picture embedded in batches; one that cannot be read is reported in its place.
  std::vector<fs::path> paths;
  for (const auto& f : images) paths.push_back(fm::pathOf(f));
  const fm::EmbeddedFiles e = fm::embedImageFiles(*vm.model, vm.processor, paths);
  const auto scores = fm::scoreLabels(e.vectors, text, rule);
  std::vector<const fm::LabelScores*> byInput(images.size(), nullptr);
  for (size_t k = 0; k < e.inputIndex.size(); ++k) byInput[e.inputIndex[k]] = &scores[k];
  std::map<fs::path, std::string> reasons;
  for (const auto& f : e.failed) reasons[f.file] = f.reason;
  int failed = 0;
  for (size_t i = 0; i < images.size(); ++i) {
    const std::string& file = images[i];
    if (!byInput[i]) {
      ++failed;
      const std::string& why = reasons[paths[i]];
      if (a.has("--json")) std::cout << json{{"image", file}, {"error", why}}.dump() << "\n";
      else std::fprintf(stderr, "fmw clip: %s\n", why.c_str());
      continue;
    }
    const fm::LabelScores& s = *byInput[i];
    if (a.has("--json")) {
      std::cout << json{{"image", file}, {"labels", labels}, {"probabilities", s.probabilities}, {"logits", s.logits}}.dump()
                << "\n";
      continue;
    }
    std::printf("%s\n", file.c_str());
    std::vector<size_t> order(labels.size());
    for (size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::sort(order.begin(), order.end(), [&](size_t x, size_t y) { return s.probabilities[x] > s.probabilities[y]; });
    for (size_t k : order)
      std::printf("  %6.2f%%  %-24s logit %.3f\n", 100 * s.probabilities[k], labels[k].c_str(), s.logits[k]);
  }
  return failed ? 1 : 0;
}

int cmdImageEmbed(const Args& a) {
  const std::vector<std::string> files = filesAfterDir(a);
  if (files.empty()) throw fm::ConfigError("fmw image-embed: give one or more picture files after MODEL_DIR");
  VisionModel vm = loadVisionModel(a, "image-embed");
  std::vector<fs::path> paths;
  for (const auto& f : files) paths.push_back(fm::pathOf(f));
  const fm::EmbeddedFiles e = fm::embedImageFiles(*vm.model, vm.processor, paths);
  for (const auto& f : e.failed) std::fprintf(stderr, "fmw image-embed: %s\n", f.reason.c_str());
  if (!e.failed.empty()) return 1;  // one line per input or nothing: lines must match files
  for (const auto& v : e.vectors) std::cout << json(v).dump() << "\n";
  return 0;
}

void printZeroShot(const fm::ZeroShotReport& r) {
  std::printf("%lld pictures, %zu classes: accuracy %.1f%% (chance %.1f%%)\n", static_cast<long long>(r.images),
              r.classes.size(), 100 * r.accuracy, 100.0 / static_cast<double>(r.classes.size()));
  std::printf("\n%-20s %9s   confusion (rows: true class, columns: predicted)\n", "class", "accuracy");
  for (size_t c = 0; c < r.classes.size(); ++c) {
    std::printf("%-20s %8.1f%%  ", r.classes[c].c_str(), 100 * r.classAccuracy[c]);
    for (int64_t v : r.confusion[c]) std::printf(" %4lld", static_cast<long long>(v));
    std::printf("\n");
  }
}

int cmdZeroShotEval(const Args& a) {
  if (!a.has("--folder")) throw fm::ConfigError("fmw zero-shot-eval: give --folder DIR (one subfolder per class)");
  const fm::LabelledImages data = fm::readLabelledFolder(fm::pathOf(a.get("--folder")));
  VisionModel vm = loadVisionModel(a, "zero-shot-eval");
  const fm::ZeroShotReport r = fm::evaluateZeroShot(*vm.model, vm.processor, data, splitLabels(a.get("--labels")),
                                                    a.get("--template", "a photo of a {}"), jobProgress());
  for (const auto& f : r.failed) std::fprintf(stderr, "skipped: %s\n", f.reason.c_str());
  if (a.has("--json")) {
    json per = json::array();
    for (size_t c = 0; c < r.classes.size(); ++c)
      per.push_back({{"class", r.classes[c]}, {"label", r.labels[c]},
                     {"accuracy", std::isnan(r.classAccuracy[c]) ? json() : json(r.classAccuracy[c])}});
    json skipped = json::array();
    for (const auto& f : r.failed) skipped.push_back({{"file", f.file.u8string()}, {"reason", f.reason}});
    std::cout << json{{"images", r.images}, {"accuracy", r.accuracy}, {"classes", per}, {"confusion", r.confusion},
                      {"skipped", skipped}}
                     .dump(1)
              << "\n";
    return 0;
  }
  printZeroShot(r);
  return 0;
}

int cmdImageSearch(const Args& a) {
  if (!a.has("--folder")) throw fm::ConfigError("fmw image-search: give --folder DIR");
  if (a.has("--query") == a.has("--image"))
    throw fm::ConfigError("fmw image-search: give either --query TEXT or --image FILE (search by an example)");
  const fs::path folder = fm::pathOf(a.get("--folder"));
  const long long k = a.has("--k") ? toInt("--k", a.get("--k")) : 10;
  if (k < 1) throw fm::ConfigError("--k must be at least 1");
  VisionModel vm = loadVisionModel(a, "image-search");
  const fs::path modelDir = fm::pathOf(needDir(a, "image-search"));
  fm::ImageIndex index(folder, modelDir, fm::ImageIndex::defaultLocation(workspace(a), folder, modelDir));
  if (!index.restartReason().empty()) std::fprintf(stderr, "%s\n", index.restartReason().c_str());
  const auto sync = index.sync(*vm.model, vm.processor, jobProgress());
  std::fprintf(stderr, "index: %lld pictures (%lld new, %lld changed, %lld unchanged, %lld removed, %zu unreadable)\n",
               static_cast<long long>(index.size()), static_cast<long long>(sync.added),
               static_cast<long long>(sync.updated), static_cast<long long>(sync.kept),
               static_cast<long long>(sync.removed), sync.failed.size());
  for (const auto& f : sync.failed) std::fprintf(stderr, "  skipped: %s\n", f.reason.c_str());
  std::vector<float> query;
  if (a.has("--query")) {
    query = fm::embedTextsForImages(*vm.model, {a.get("--query")})[0];
  } else {
    const fm::Image img = fm::decodeImageFile(fm::pathOf(a.get("--image"))).image;
    query = fm::embedImages(*vm.model, vm.processor, {&img})[0];
  }
  const auto hits = index.search(query, static_cast<size_t>(k));
  for (size_t i = 0; i < hits.size(); ++i) {
    if (a.has("--json"))
      std::cout << json{{"rank", i + 1}, {"image", hits[i].file.u8string()}, {"score", hits[i].score}}.dump() << "\n";
    else
      std::printf("%2zu. %.4f  %s\n", i + 1, hits[i].score, hits[i].file.u8string().c_str());
  }
  return 0;
}

int cmdCaption(const Args& a) {
  const std::vector<std::string> inputs = filesAfterDir(a);
  if (inputs.empty()) throw fm::ConfigError("fmw caption: give picture files or folders after MODEL_DIR");
  std::vector<fs::path> files;
  for (const auto& in : inputs) {
    const fs::path p = fm::pathOf(in);
    if (fs::is_directory(p)) {
      for (const auto& f : fm::listImages(p)) files.push_back(f);
    } else {
      files.push_back(p);
    }
  }
  fm::CaptionOptions o;
  if (a.has("--beams")) o.beams = static_cast<int>(toInt("--beams", a.get("--beams")));
  if (a.has("--max-new-tokens")) o.maxNewTokens = static_cast<int>(toInt("--max-new-tokens", a.get("--max-new-tokens")));
  o.prompt = a.get("--prompt");
  fm::CaptionStyle style;
  style.prefix = a.get("--prefix");
  style.suffix = a.get("--suffix");
  style.removeWords = splitLabels(a.get("--remove-words"));
  const std::string dir = needDir(a, "caption");
  auto model = fm::LoadedModel::load(fm::pathOf(dir), loadOptions(a));
  model->imageToText();  // the kind check
  if (a.has("--sidecar")) {
    style.mode = fm::sidecarModeOf(a.get("--sidecar"));
    // Each caption is printed as soon as its sidecar is written.
    const auto r = fm::captionFiles(*model, files, o, style, jobProgress(),
                                    [](const fs::path& file, const std::string& text, bool done) {
                                      if (!done) return;
                                      std::printf("%s\t%s\n", file.u8string().c_str(), text.c_str());
                                      std::fflush(stdout);
                                    });
    for (const auto& f : r.failed) std::fprintf(stderr, "skipped: %s\n", f.reason.c_str());
    std::fprintf(stderr, "%lld written, %lld appended, %lld left as they were (sidecar exists), %zu unreadable\n",
                 static_cast<long long>(r.written), static_cast<long long>(r.appended),
                 static_cast<long long>(r.skipped), r.failed.size());
    return r.failed.empty() ? 0 : 1;
  }
  int failed = 0;
  for (const auto& f : files) {
    try {
      const fm::Image img = fm::decodeImageFile(f).image;
      const auto c = fm::captionImages(*model, {&img}, o);
      const std::string text = fm::styleCaption(c[0].text, style);
      if (a.has("--json")) std::cout << json{{"image", f.u8string()}, {"caption", text}, {"log_prob", c[0].logProb}}.dump() << "\n";
      else std::printf("%s\t%s\n", f.u8string().c_str(), text.c_str());
    } catch (const fm::FormatError& e) {
      ++failed;
      if (a.has("--json")) std::cout << json{{"image", f.u8string()}, {"error", e.what()}}.dump() << "\n";
      else std::fprintf(stderr, "fmw caption: %s\n", e.what());
    }
  }
  return failed ? 1 : 0;
}

int cmdVision(const Args& a) {
  if (a.positional.empty() || a.positional[0] != "demo")
    throw fm::ConfigError("fmw vision: the sub-command is demo (fmw vision demo [--workspace DIR] [--fresh])");
  fm::VisionDemoOptions o;
  o.fresh = a.has("--fresh");
  o.captioner = !a.has("--no-captioner");
  if (a.has("--steps")) o.steps = toInt("--steps", a.get("--steps"));
  if (o.steps < 1) throw fm::ConfigError("--steps must be at least 1");
  const fs::path ws = workspace(a);
  const auto t0 = std::chrono::steady_clock::now();
  const fm::VisionDemoResult r = fm::runVisionDemo(ws, o, jobProgress());
  if (r.status == fm::JobStatus::Cancelled) {
    std::fprintf(stderr, "stopped; the pictures are kept, the model keeps its earlier weights\n");
    return 130;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const fm::VisionDemoPaths p = fm::visionDemoPaths(ws);
  if (a.has("--json")) {
    std::cout << json{{"pictures", p.data.u8string()}, {"model", p.model.u8string()}, {"train_seconds", r.trainSeconds},
                      {"seconds", seconds}, {"zero_shot_accuracy", r.zeroShot.accuracy},
                      {"chance", 1.0 / static_cast<double>(r.zeroShot.classes.size())},
                      {"confusion", r.zeroShot.confusion}, {"classes", r.zeroShot.classes},
                      {"captioner", o.captioner ? json{{"model", p.captioner.u8string()},
                                                       {"train_seconds", r.captionerSeconds},
                                                       {"pictures", r.captions.pictures},
                                                       {"right_colour", r.captions.colour},
                                                       {"right_shape", r.captions.shape},
                                                       {"right_both", r.captions.both}}
                                                : json(nullptr)}}
                     .dump(1)
              << "\n";
    return 0;
  }
  std::printf("pictures  %s (train/ with captions, test/ one folder per class)\n", p.data.u8string().c_str());
  std::printf("model     %s (tiny CLIP trained from scratch%s)\n", p.model.u8string().c_str(),
              r.trainSeconds > 0 ? (", " + std::to_string(static_cast<int>(r.trainSeconds)) + " s").c_str() : ", reused");
  if (!r.loss.empty())
    std::printf("loss      %.3f at step %lld -> %.3f at step %lld\n", r.loss.front().second,
                static_cast<long long>(r.loss.front().first), r.loss.back().second,
                static_cast<long long>(r.loss.back().first));
  std::printf("\nzero-shot labels on held-out pictures (template \"a {}\"):\n");
  printZeroShot(r.zeroShot);
  std::printf("\ntry: fmw clip %s --image %s --labels \"red circle,blue square,green triangle\"\n",
              p.model.u8string().c_str(), (p.data / "test" / "red_circle" / "0000.png").u8string().c_str());
  if (!o.captioner) return 0;
  std::printf("\ncaptioner %s (CLIP above, frozen -> mapper -> LoRA on a tiny language model pretrained on the captions%s)\n",
              p.captioner.u8string().c_str(),
              r.captionerSeconds > 0 ? (", " + std::to_string(static_cast<int>(r.captionerSeconds)) + " s").c_str() : ", reused");
  if (!r.captionerLoss.empty())
    std::printf("loss      %.3f at step %lld -> %.3f at step %lld\n", r.captionerLoss.front().second,
                static_cast<long long>(r.captionerLoss.front().first), r.captionerLoss.back().second,
                static_cast<long long>(r.captionerLoss.back().first));
  std::printf("captions of %lld held-out pictures: right colour %.1f%%, right shape %.1f%%, both %.1f%%\n",
              static_cast<long long>(r.captions.pictures), 100 * r.captions.colour, 100 * r.captions.shape,
              100 * r.captions.both);
  for (const auto& [file, text] : r.captions.examples)
    std::printf("  %-28s %s\n", (file.parent_path().filename() / file.filename()).u8string().c_str(), text.c_str());
  std::printf("\ntry: fmw caption %s %s\n", p.captioner.u8string().c_str(), (p.data / "test" / "red_circle").u8string().c_str());
  return 0;
}

}  // namespace

const std::vector<Command>& visionCommands() {
  static const std::vector<Command> kCommands = {
      {"clip", {"--json"}, {"--image", "--labels", "--template", "--dtype", "--device"}, false, cmdClip},
      {"image-embed", {}, {"--dtype", "--device"}, false, cmdImageEmbed},
      {"zero-shot-eval", {"--json"}, {"--folder", "--labels", "--template", "--dtype", "--device"}, false, cmdZeroShotEval},
      {"image-search",
       {"--json"},
       {"--folder", "--query", "--image", "--k", "--workspace", "--dtype", "--device"},
       false,
       cmdImageSearch},
      {"vision", {"--fresh", "--no-captioner", "--json"}, {"--workspace", "--steps"}, false, cmdVision},
      {"caption",
       {"--json"},
       {"--sidecar", "--prefix", "--suffix", "--remove-words", "--beams", "--max-new-tokens", "--prompt", "--dtype", "--device"},
       false,
       cmdCaption},
  };
  return kCommands;
}

}  // namespace fmw
