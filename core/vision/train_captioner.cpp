// The captioner trainer: config, data, the run (models, features, optimiser), checkpoints, the
// loop, train and resume, and the finished captioner folder.
#include "vision/train_captioner.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <random>

#include "arch/causal_lm.h"
#include "arch/loaded_model.h"
#include "arch/prefix_captioner.h"
#include "data/dataset.h"
#include "io/atomic_file.h"
#include "io/folder_lock.h"
#include "io/model_folder.h"
#include "io/output_folder.h"
#include "io/safetensors.h"
#include "jobs/cancelled.h"
#include "lora/lora.h"
#include "nn/lora_adapter.h"
#include "nn/weights.h"
#include "tokenize/tokenizer.h"
#include "train/checkpoint_files.h"
#include "train/config_fields.h"
#include "train/run_folder.h"
#include "train/session.h"
#include "util/error.h"
#include "util/paths.h"
#include "util/runtime.h"
#include "vision/caption_states.h"
#include "vision/image.h"

namespace fm {
namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

// ------------------------------------------------------------------ config

namespace {

constexpr const char* kWhat = "captioner config";
constexpr double kPi = 3.14159265358979323846;

template <typename Cfg, typename F>
void forEachField(Cfg& c, F&& f) {
  f("image_model", c.imageModel);
  f("language_model", c.languageModel);
  f("data", c.data);
  f("lm_training", c.lmTraining);
  f("lora_r", c.lora.r);
  f("lora_alpha", c.lora.alpha);
  f("lora_dropout", c.lora.dropout);
  f("lora_target_modules", c.lora.targetModules);
  f("prefix_length", c.prefixLength);
  f("mapper_hidden", c.mapperHidden);
  f("max_caption_tokens", c.maxCaptionTokens);
  f("validation_fraction", c.validationFraction);
  f("batch_size", c.batchSize);
  f("epochs", c.epochs);
  f("max_steps", c.maxSteps);
  f("lr", c.lr);
  f("schedule", c.schedule);
  f("warmup_steps", c.warmupSteps);
  f("weight_decay", c.weightDecay);
  f("max_grad_norm", c.maxGradNorm);
  f("seed", c.seed);
  f("log_every", c.logEvery);
  f("eval_every", c.evalEvery);
  f("eval_max_rows", c.evalMaxRows);
  f("sample_pictures", c.samplePictures);
  f("save_every", c.saveEvery);
  f("save_minutes", c.saveMinutes);
  f("keep_checkpoints", c.keepCheckpoints);
  f("out_dir", c.outDir);
  f("threads", c.threads);
}

}  // namespace

json CaptionerTrainConfig::toJson() const {
  json j = {{"task", "captioner"}};
  forEachField(*this, [&](const char* k, const auto& v) { j[k] = v; });
  return j;
}

CaptionerTrainConfig CaptionerTrainConfig::fromJson(const json& j) {
  if (!j.is_object()) throw ConfigError(std::string(kWhat) + ": expected a JSON object");
  CaptionerTrainConfig c;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() == "task") {
      if (it.value() != "captioner")
        throw ConfigError(std::string(kWhat) + ": \"task\" is " + it.value().dump() + "; this trainer makes captioners");
      continue;
    }
    bool known = false;
    forEachField(c, [&](const char* k, auto& v) {
      if (it.key() == k) {
        readConfigField(it.value(), k, v, kWhat);
        known = true;
      }
    });
    if (!known) {
      std::string list;
      for (const auto& k : keys()) list += (list.empty() ? "" : ", ") + k;
      throw ConfigError(std::string(kWhat) + ": unknown setting \"" + it.key() + "\" (known: " + list + ")");
    }
  }
  return c;
}

void CaptionerTrainConfig::set(const std::string& key, const std::string& value) {
  bool known = false;
  forEachField(*this, [&](const char* k, auto& v) {
    if (key == k) {
      parseConfigField(value, key, v, kWhat);
      known = true;
    }
  });
  if (!known) throw ConfigError("unknown captioner setting \"" + key + "\"");
}

std::vector<std::string> CaptionerTrainConfig::keys() {
  std::vector<std::string> out;
  CaptionerTrainConfig c;
  forEachField(c, [&](const char* k, auto&) { out.push_back(k); });
  return out;
}

void CaptionerTrainConfig::validate() const {
  auto need = [](bool ok, const std::string& msg) {
    if (!ok) throw ConfigError(std::string(kWhat) + ": " + msg);
  };
  need(!imageModel.empty(), "\"image_model\" (a CLIP model folder) is required");
  need(fs::is_directory(pathOf(imageModel)), "image model folder \"" + imageModel + "\" does not exist");
  need(!languageModel.empty(), "\"language_model\" (a language model folder) is required");
  need(fs::is_directory(pathOf(languageModel)), "language model folder \"" + languageModel + "\" does not exist");
  need(!data.empty(), "\"data\" (pictures with captions) is required");
  need(fs::exists(pathOf(data)), "data \"" + data + "\" does not exist");
  need(lmTraining == "frozen" || lmTraining == "lora" || lmTraining == "full",
       "\"lm_training\" must be frozen, lora or full, got \"" + lmTraining + "\"");
  need(lora.r > 0 && lora.alpha > 0, "\"lora_r\" and \"lora_alpha\" must be > 0");
  need(lora.dropout >= 0 && lora.dropout < 1, "\"lora_dropout\" must be in [0, 1)");
  need(!lora.targetModules.empty(), "\"lora_target_modules\" is empty");
  need(prefixLength >= 1 && prefixLength <= 256, "\"prefix_length\" must be 1 to 256");
  need(mapperHidden >= 0, "\"mapper_hidden\" must be >= 0 (0: the language model's hidden size)");
  need(maxCaptionTokens >= 3, "\"max_caption_tokens\" must be at least 3");
  need(validationFraction >= 0 && validationFraction < 1, "\"validation_fraction\" must be in [0, 1)");
  need(batchSize >= 1, "\"batch_size\" must be at least 1");
  need(epochs >= 1 || maxSteps > 0, "set \"epochs\" >= 1 or \"max_steps\" > 0");
  need(lr > 0 && std::isfinite(lr), "\"lr\" must be a positive number");
  need(schedule == "constant" || schedule == "linear" || schedule == "cosine",
       "\"schedule\" must be constant, linear or cosine, got \"" + schedule + "\"");
  need(warmupSteps >= 0, "\"warmup_steps\" must be >= 0");
  need(weightDecay >= 0, "\"weight_decay\" must be >= 0");
  need(logEvery >= 1, "\"log_every\" must be at least 1");
  need(evalEvery >= 0 && saveEvery >= 0, "\"eval_every\" and \"save_every\" must be >= 0");
  need(samplePictures >= 0, "\"sample_pictures\" must be >= 0");
  need(keepCheckpoints >= 1, "\"keep_checkpoints\" must be at least 1");
  need(std::isfinite(saveMinutes) && saveMinutes >= 0, "\"save_minutes\" must be >= 0");
  need(!outDir.empty(), "\"out_dir\" (the run folder) is required");
  need(threads >= 0, "\"threads\" must be >= 0");
}

bool isCaptionerRun(const fs::path& runDir) {
  try {
    const json j = readJsonFile(runDir / "config.json");
    return j.is_object() && j.value("task", "") == "captioner";
  } catch (const Error&) {
    return false;
  }
}

// ------------------------------------------------------------------ data

namespace {

std::string trimmed(std::string s) {
  const size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

const json* firstField(const json& row, std::initializer_list<const char*> names) {
  for (const char* n : names)
    if (auto it = row.find(n); it != row.end() && it->is_string()) return &*it;
  return nullptr;
}

void readTable(const fs::path& file, CaptionedPictures& out) {
  ReadOptions opt;
  opt.skipBadRows = true;
  const Dataset ds = readDataset(file, opt);
  for (const auto& p : ds.problems) out.skipped.push_back({file, "line " + std::to_string(p.line) + ": " + p.message});
  const fs::path base = file.parent_path();
  for (size_t i = 0; i < ds.rows.size(); ++i) {
    const std::string where = "line " + std::to_string(ds.lines[i]);
    const json* img = firstField(ds.rows[i], {"file_name", "image", "file", "path"});
    const json* cap = firstField(ds.rows[i], {"caption", "text"});
    if (!img || !cap) {
      out.skipped.push_back({file, where + ": needs a picture column (file_name, image, file or path) and a caption "
                                           "column (caption or text)"});
      continue;
    }
    const fs::path p = base / pathOf(img->get<std::string>());
    const std::string caption = trimmed(cap->get<std::string>());
    if (!fs::is_regular_file(p)) {
      out.skipped.push_back({p, where + ": the picture does not exist"});
    } else if (caption.empty()) {
      out.skipped.push_back({p, where + ": the caption is empty"});
    } else {
      out.images.push_back(p);
      out.captions.push_back(caption);
    }
  }
}

}  // namespace

CaptionedPictures readCaptionedPictures(const fs::path& data) {
  CaptionedPictures out;
  if (fs::is_directory(data)) {
    bool table = false;
    for (const char* name : {"metadata.jsonl", "metadata.csv"})
      if (fs::is_regular_file(data / name)) {
        readTable(data / name, out);
        table = true;
        break;
      }
    if (!table) {
      for (const auto& f : listImages(data)) {
        fs::path txt = f;
        txt.replace_extension(".txt");
        std::ifstream in(txt, std::ios::binary);
        if (!in) {
          out.skipped.push_back({f, "no caption beside it (" + txt.filename().string() + ")"});
          continue;
        }
        const std::string caption = trimmed(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()));
        if (caption.empty()) {
          out.skipped.push_back({f, txt.filename().string() + " is empty"});
          continue;
        }
        out.images.push_back(f);
        out.captions.push_back(caption);
      }
    }
  } else {
    readTable(data, out);
  }
  if (out.images.empty())
    throw ConfigError(data.string() + ": no pictures with captions (put picture.txt beside picture.jpg, or a metadata.csv "
                                      "with file_name and caption columns)" +
                      (out.skipped.empty() ? std::string() : "; first problem: " + out.skipped.front().reason));
  return out;
}

// ------------------------------------------------------------------ the run

namespace {

struct CapRun {
  CaptionerTrainConfig cfg;
  fs::path dir;
  json captionerConfig;
  std::shared_ptr<CausalLM> lm;
  std::unique_ptr<Tokenizer> tok;
  PrefixMapper mapper{nullptr};
  std::shared_ptr<LoraAdapter> adapter;
  std::vector<torch::Tensor> lmParams;  // full training
  std::unique_ptr<Session> session;
  std::shared_ptr<ImageToTextModel> sampler;  // the LM and mapper, as a captioner
  // The data as the run uses it (kept in the run folder so a resume sees the same).
  std::vector<std::string> images, captions;
  torch::Tensor features;                     // (N, D) CLIP picture embeddings
  std::vector<std::vector<int64_t>> sequences;  // start, caption tokens, end
  std::vector<int64_t> train, validation, evalIdx, sampleIdx;
  std::vector<FileFailure> skipped;
  int64_t stepsPerEpoch = 0, totalSteps = 0, cachedEpoch = -1;
  std::vector<int64_t> order;
  at::Generator generator = at::detail::createCPUGenerator(42);
};

double learningRate(const CapRun& r, int64_t step) {
  const CaptionerTrainConfig& c = r.cfg;
  const int64_t warmup = std::min(c.warmupSteps, r.totalSteps / 2);
  if (step < warmup) return c.lr * static_cast<double>(step + 1) / static_cast<double>(warmup + 1);
  if (c.schedule == "constant") return c.lr;
  const double progress =
      static_cast<double>(step - warmup) / static_cast<double>(std::max<int64_t>(1, r.totalSteps - warmup));
  if (c.schedule == "linear") return c.lr * std::max(0.0, 1.0 - progress);
  return c.lr * 0.5 * (1.0 + std::cos(kPi * progress));
}

// The pictures of an optimizer step: a function of the step alone (and the seed), so a resumed
// run sees exactly what an unbroken one would.
std::vector<int64_t> batchOf(CapRun& r, int64_t step) {
  const int64_t epoch = step / r.stepsPerEpoch, local = step % r.stepsPerEpoch;
  if (epoch != r.cachedEpoch) {
    r.order = r.train;
    std::mt19937_64 rng(r.cfg.seed * 1000003ull + static_cast<uint64_t>(epoch));
    for (int64_t i = static_cast<int64_t>(r.order.size()) - 1; i > 0; --i) std::swap(r.order[i], r.order[rng() % (i + 1)]);
    r.cachedEpoch = epoch;
  }
  const int64_t n = static_cast<int64_t>(r.order.size()), bs = r.cfg.batchSize;
  return {r.order.begin() + local * bs, r.order.begin() + std::min(n, (local + 1) * bs)};
}

struct Batch {
  torch::Tensor features, ids, rows, labels;
  int64_t tokens = 0, targets = 0;
};

// Right-padded token rows after the prefix; row r of the flattened (B, P + T) sequence predicts
// labels[r]. The causal mask keeps the padding (at the end) out of every real token's view.
Batch makeBatch(const CapRun& r, const std::vector<int64_t>& idx) {
  Batch b;
  const int64_t B = static_cast<int64_t>(idx.size()), P = r.cfg.prefixLength;
  int64_t T = 0;
  for (int64_t i : idx) T = std::max<int64_t>(T, static_cast<int64_t>(r.sequences[i].size()));
  const int64_t pad = r.sequences[idx[0]][0];
  std::vector<int64_t> ids(static_cast<size_t>(B * T), pad), rows, labels;
  for (int64_t k = 0; k < B; ++k) {
    const auto& s = r.sequences[idx[k]];
    const int64_t n = static_cast<int64_t>(s.size());
    std::copy(s.begin(), s.end(), ids.begin() + k * T);
    for (int64_t t = 0; t + 1 < n; ++t) {
      rows.push_back(k * (P + T) + P + t);
      labels.push_back(s[t + 1]);
    }
    b.tokens += n;
  }
  b.targets = static_cast<int64_t>(labels.size());
  b.features = r.features.index_select(0, torch::tensor(idx, torch::kLong));
  b.ids = torch::tensor(ids, torch::kLong).view({B, T});
  b.rows = torch::tensor(rows, torch::kLong);
  b.labels = torch::tensor(labels, torch::kLong);
  return b;
}

torch::Tensor batchLoss(CapRun& r, const Batch& b, torch::nn::functional::CrossEntropyFuncOptions::reduction_t red) {
  const torch::Device dev = r.lm->device();
  auto prefix = r.mapper(b.features.to(dev));
  auto logits = logitsAfterPrefix(*r.lm, prefix, b.ids.to(dev), nullptr, b.rows);  // (N, vocab)
  return torch::nn::functional::cross_entropy(logits, b.labels.to(logits.device()),
                                              torch::nn::functional::CrossEntropyFuncOptions().reduction(red));
}

struct TrainModeScope {
  CapRun& r;
  bool was;
  TrainModeScope(CapRun& run, bool on) : r(run), was(run.lm->is_training()) {
    r.lm->train(on);
    r.mapper->train(on);
  }
  ~TrainModeScope() {
    r.lm->train(was);
    r.mapper->train(was);
  }
};

EvalResult evaluate(CapRun& r, const std::function<bool(int64_t, int64_t)>& progress = {}) {
  EvalResult e;
  if (r.evalIdx.empty()) return e;
  TrainModeScope mode(r, false);
  torch::NoGradGuard ng;
  double sum = 0;
  int64_t targets = 0;
  const int64_t bs = std::max<int64_t>(8, 2 * r.cfg.batchSize), n = static_cast<int64_t>(r.evalIdx.size());
  for (int64_t i = 0; i < n; i += bs) {
    const std::vector<int64_t> idx(r.evalIdx.begin() + i, r.evalIdx.begin() + std::min(n, i + bs));
    const Batch b = makeBatch(r, idx);
    sum += batchLoss(r, b, torch::kSum).item<double>();
    targets += b.targets;
    e.tokens += b.tokens;
    if (progress && !progress(std::min(n, i + bs), n)) return EvalResult{};
  }
  e.rows = n;
  e.loss = sum / static_cast<double>(std::max<int64_t>(targets, 1));
  e.perplexity = std::exp(std::min(e.loss, 80.0));
  return e;
}

std::vector<TrainEvent::SampleText> sampleCaptions(CapRun& r) {
  std::vector<TrainEvent::SampleText> out;
  if (r.sampleIdx.empty()) return out;
  TrainModeScope mode(r, false);
  torch::InferenceMode guard;
  auto prefix = r.mapper(r.features.index_select(0, torch::tensor(r.sampleIdx, torch::kLong)).to(r.lm->device()));
  CaptionOptions o;
  o.maxNewTokens = static_cast<int>(std::min<int64_t>(r.cfg.maxCaptionTokens, r.sampler->maxTextTokens() - 1));
  const auto caps = captionFromStates(*r.sampler, *r.tok, prefix, o);
  for (size_t i = 0; i < caps.size(); ++i)
    out.push_back({r.images[static_cast<size_t>(r.sampleIdx[i])], caps[i].text, r.captions[static_cast<size_t>(r.sampleIdx[i])]});
  return out;
}

std::shared_ptr<CausalLM> loadLanguageModel(const fs::path& dir) {
  const ModelFolder folder = ModelFolder::open(dir);
  const ArchSummary a = summarizeArch(folder.config());
  if (a.kind != ModelKind::CausalLM)
    throw ConfigError(dir.string() + " is a " + modelKindLabel(a.kind) + "; the captioner needs a language model");
  auto lm = createCausalLM(folder.config());
  loadWeights(*lm, folder.openWeights());
  lm->eval();
  for (auto& p : lm->parameters()) p.set_requires_grad(false);
  return lm;
}

// Token rows and the split, from the run's images and captions.
void tokenize(CapRun& r) {
  const json& c = r.captionerConfig;
  const int64_t start = c["decoder_start_token_id"].get<int64_t>();
  const int64_t end = c["eos_token_id"][0].get<int64_t>();
  r.sequences.clear();
  for (const auto& caption : r.captions) {
    const auto ids = r.tok->encode(caption, false);
    std::vector<int64_t> s = {start};
    for (size_t i = 0; i < ids.size() && static_cast<int64_t>(s.size()) + 1 < r.cfg.maxCaptionTokens; ++i) s.push_back(ids[i]);
    s.push_back(end);
    r.sequences.push_back(std::move(s));
  }
  const int64_t n = static_cast<int64_t>(r.captions.size());
  std::vector<int64_t> all(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) all[static_cast<size_t>(i)] = i;
  std::mt19937_64 rng(r.cfg.seed * 7919ull + 1);
  for (int64_t i = n - 1; i > 0; --i) std::swap(all[i], all[rng() % (i + 1)]);
  int64_t nVal = static_cast<int64_t>(std::llround(r.cfg.validationFraction * n));
  if (r.cfg.validationFraction > 0 && n >= 4) nVal = std::max<int64_t>(nVal, 1);
  nVal = std::min(nVal, n - 1);
  r.validation.assign(all.begin(), all.begin() + nVal);
  r.train.assign(all.begin() + nVal, all.end());
  std::sort(r.validation.begin(), r.validation.end());
  r.evalIdx = r.validation;
  if (r.cfg.evalMaxRows >= 0 && static_cast<int64_t>(r.evalIdx.size()) > r.cfg.evalMaxRows) r.evalIdx.resize(r.cfg.evalMaxRows);
  const auto& pool = r.validation.empty() ? r.train : r.validation;
  r.sampleIdx.assign(pool.begin(), pool.begin() + std::min<int64_t>(r.cfg.samplePictures, static_cast<int64_t>(pool.size())));
  r.stepsPerEpoch = (static_cast<int64_t>(r.train.size()) + r.cfg.batchSize - 1) / r.cfg.batchSize;
  r.totalSteps = r.cfg.maxSteps > 0 ? r.cfg.maxSteps : r.cfg.epochs * r.stepsPerEpoch;
}

// Models, tokenizer and the captioner's config; the data comes from the caller.
void loadModels(CapRun& r) {
  const CaptionerTrainConfig& c = r.cfg;
  r.tok = Tokenizer::fromFolder(pathOf(c.languageModel));
  r.lm = loadLanguageModel(pathOf(c.languageModel));
  const json lmConfig = ModelFolder::open(pathOf(c.languageModel)).config();
  const json clipConfig = ModelFolder::open(pathOf(c.imageModel)).config();
  const ArchSummary clip = summarizeArch(clipConfig);
  if (clip.kind != ModelKind::VisionText)
    throw ConfigError(c.imageModel + " is a " + modelKindLabel(clip.kind) + "; the captioner sees pictures through a CLIP model");
  PrefixCaptionerParts parts;
  parts.prefixLength = c.prefixLength;
  parts.mapperHidden = c.mapperHidden > 0 ? c.mapperHidden : r.lm->summary().hidden;
  const SpecialTokens& sp = r.tok->special();
  if (!sp.eos) throw ConfigError(c.languageModel + ": the tokenizer has no end-of-text token, so a caption could not end");
  parts.eos = {*sp.eos};
  parts.startId = sp.bos ? *sp.bos : *sp.eos;
  r.captionerConfig = prefixCaptionerConfig(clipConfig, lmConfig, parts);
  r.mapper = PrefixMapper(clip.projectionDim, parts.mapperHidden, parts.prefixLength, r.lm->summary().hidden);
  if (c.maxCaptionTokens + c.prefixLength > r.lm->summary().maxPositions)
    throw ConfigError(std::string(kWhat) + ": prefix_length + max_caption_tokens (" +
                      std::to_string(c.maxCaptionTokens + c.prefixLength) + ") exceed the language model's " +
                      std::to_string(r.lm->summary().maxPositions) + " positions");
  r.sampler = prefixCaptionerFromParts(r.captionerConfig, r.lm, r.mapper);
}

// The pictures' CLIP embeddings, a batch at a time; a picture that cannot be read is left out
// and reported.
void embedPictures(CapRun& r, const CaptionedPictures& data, const JobCallback<TrainEvent>& onEvent) {
  auto clip = LoadedModel::load(pathOf(r.cfg.imageModel), {});
  JobContext job([&](double f, const std::string& what) {
    if (!onEvent) return true;
    TrainEvent e;
    e.kind = TrainEvent::Kind::Progress;
    e.fraction = f;
    e.message = "seeing the pictures through CLIP: " + what;
    return onEvent(e);
  });
  std::vector<fs::path> files(data.images.begin(), data.images.end());
  const EmbeddedFiles emb = embedImageFiles(*clip, files, job);
  r.skipped = data.skipped;
  for (const auto& f : emb.failed) r.skipped.push_back(f);
  const int64_t n = static_cast<int64_t>(emb.files.size());
  if (n < 2) throw ConfigError(r.cfg.data + ": fewer than two pictures could be read");
  const int64_t d = static_cast<int64_t>(emb.vectors[0].size());
  r.features = torch::empty({n, d});
  for (size_t i = 0; i < emb.files.size(); ++i) {
    std::copy(emb.vectors[i].begin(), emb.vectors[i].end(), r.features[static_cast<int64_t>(i)].data_ptr<float>());
    r.images.push_back(utf8(emb.files[i]));
    r.captions.push_back(data.captions[emb.inputIndex[i]]);
  }
}

void writeRunData(const CapRun& r) {
  json pics = json::array();
  for (size_t i = 0; i < r.images.size(); ++i) pics.push_back({{"image", r.images[i]}, {"caption", r.captions[i]}});
  writeTensorFile(r.dir / "features.safetensors", {{"features", r.features}});
  writeFileAtomic(r.dir / "pictures.json", pics.dump(1) + "\n");
  json skipped = json::array();
  for (const auto& s : r.skipped) skipped.push_back({{"file", utf8(s.file)}, {"reason", s.reason}});
  json stats = {{"pictures", r.images.size()}, {"train", r.train.size()}, {"validation", r.validation.size()},
                {"total_steps", r.totalSteps}, {"skipped", skipped}};
  writeFileAtomic(r.dir / "data_stats.json", stats.dump(2) + "\n");
}

void readRunData(CapRun& r) {
  const json pics = readJsonFile(r.dir / "pictures.json");
  if (!pics.is_array()) throw FormatError((r.dir / "pictures.json").string() + " is not a list of pictures");
  for (const auto& p : pics) {
    r.images.push_back(p.at("image").get<std::string>());
    r.captions.push_back(p.at("caption").get<std::string>());
  }
  auto f = SafetensorsFile::open(r.dir / "features.safetensors");
  const TensorInfo* t = f.find("features");
  if (!t) throw FormatError((r.dir / "features.safetensors").string() + " has no \"features\" tensor");
  r.features = readTensor(f, *t).to(torch::kFloat);
  if (r.features.dim() != 2 || r.features.size(0) != static_cast<int64_t>(r.images.size()))
    throw FormatError((r.dir / "features.safetensors").string() + " does not match pictures.json");
}

// Mapper (fresh or from a checkpoint), the language model's trainable part and the optimiser.
void makeTrainable(CapRun& r, const fs::path& checkpoint) {
  const bool fresh = checkpoint.empty();
  if (fresh) {
    at::Generator init = at::detail::createCPUGenerator(r.cfg.seed + 17);
    r.mapper->initialize(init);
  } else {
    auto f = SafetensorsFile::open(checkpoint / "mapper.safetensors");
    torch::NoGradGuard ng;
    for (auto& p : r.mapper->named_parameters()) {
      const TensorInfo* t = f.find(p.key());
      if (!t) throw FormatError("mapper.safetensors has no " + p.key());
      const torch::Tensor v = readTensor(f, *t);
      if (v.sizes() != p.value().sizes()) throw FormatError("mapper.safetensors: " + p.key() + " has another shape");
      p.value().copy_(v);
    }
  }
  std::vector<torch::Tensor> decay, noDecay;
  for (auto& p : r.mapper->named_parameters()) {
    p.value().set_requires_grad(true);
    (p.value().dim() < 2 ? noDecay : decay).push_back(p.value());
  }
  if (r.cfg.lmTraining == "lora") {
    r.adapter = fresh ? createLora(*r.lm, r.cfg.lora, r.cfg.seed) : readAdapter(*r.lm, checkpoint / "adapter");
    for (const auto& t : loraParameters(*r.adapter)) decay.push_back(t);
  } else if (r.cfg.lmTraining == "full") {
    if (!fresh) {
      auto f = SafetensorsFile::open(checkpoint / "language_model.safetensors");
      std::map<std::string, torch::Tensor> params;
      for (auto& p : r.lm->named_parameters()) params[p.key()] = p.value();
      torch::NoGradGuard ng;
      for (const auto& info : f.tensors()) {
        auto it = params.find(info.name);
        if (it == params.end()) throw FormatError("language_model.safetensors: unexpected tensor " + info.name);
        it->second.copy_(readTensor(f, info));
      }
    }
    for (auto& p : r.lm->named_parameters()) {
      p.value().set_requires_grad(true);
      r.lmParams.push_back(p.value());
      (p.value().dim() < 2 ? noDecay : decay).push_back(p.value());
    }
  }
  OptimConfig oc;
  oc.lr = r.cfg.lr;
  oc.weightDecay = r.cfg.weightDecay;
  oc.maxGradNorm = r.cfg.maxGradNorm;
  r.session = std::make_unique<Session>(*r.lm, decay, noDecay, oc);
}

void saveCheckpoint(CapRun& r, int64_t step, const json& state) {
  const fs::path tmp = startCheckpoint(r.dir, step);
  std::vector<std::pair<std::string, torch::Tensor>> mapper;
  for (auto& p : r.mapper->named_parameters()) mapper.emplace_back(p.key(), p.value());
  writeTensorFile(tmp / "mapper.safetensors", mapper);
  if (r.adapter) {
    r.adapter->setBaseModel(r.cfg.languageModel);
    saveAdapter(*r.adapter, tmp / "adapter");
  } else if (r.cfg.lmTraining == "full") {
    std::vector<std::pair<std::string, torch::Tensor>> lm;
    for (auto& p : r.lm->named_parameters()) lm.emplace_back(p.key(), p.value());
    writeTensorFile(tmp / "language_model.safetensors", lm);
  }
  finishCheckpoint(r.dir, tmp, step, r.cfg.keepCheckpoints, r.session->optimizer(), r.generator, state);
}

json loadCheckpointState(CapRun& r, const fs::path& ckpt) {
  readOptimizerState(ckpt, r.session->optimizer());
  readGeneratorState(ckpt, r.generator);
  return readJsonFile(ckpt / "trainer_state.json");
}

// captioner/: config.json, model.safetensors (CLIP, the language model with any LoRA merged
// in, the mapper), the language model's tokenizer and CLIP's preprocessing. Written beside the
// run as captioner.tmp and renamed, so a half-written folder never looks finished.
fs::path writeCaptioner(CapRun& r) {
  const fs::path out = r.dir / "captioner", tmp = r.dir / "captioner.tmp";
  fs::remove_all(tmp);
  makeFolder(tmp);
  if (r.adapter) mergeLora(*r.lm, *r.adapter);
  std::vector<std::pair<std::string, torch::Tensor>> named;
  {
    const ModelFolder clipFolder = ModelFolder::open(pathOf(r.cfg.imageModel));
    auto clip = createNetwork(clipFolder.config());
    loadWeights(*clip, clipFolder.openWeights());
    for (auto& p : clip->named_parameters()) named.emplace_back("image_model." + p.key(), p.value().detach());
    for (auto& p : r.lm->named_parameters()) named.emplace_back("language_model." + p.key(), p.value().detach());
    for (auto& p : r.mapper->named_parameters()) named.emplace_back("mapper." + p.key(), p.value().detach());
    writeTensorFile(tmp / "model.safetensors", named);
  }
  json cfg = r.captionerConfig;
  cfg["torch_dtype"] = "float32";
  writeFileAtomic(tmp / "config.json", cfg.dump(2) + "\n");
  const fs::path lmDir = pathOf(r.cfg.languageModel), clipDir = pathOf(r.cfg.imageModel);
  for (const char* f : {"tokenizer.json", "tokenizer.model", "tokenizer_config.json", "special_tokens_map.json",
                        "vocab.json", "merges.txt", "added_tokens.json", "vocab.txt"})
    if (fs::exists(lmDir / f)) writeFileAtomic(tmp / f, readFile(lmDir / f));
  writeFileAtomic(tmp / "preprocessor_config.json", readFile(clipDir / "preprocessor_config.json"));
  fs::remove_all(out);
  fs::rename(tmp, out);
  syncDirectory(r.dir);
  return out;
}

// ------------------------------------------------------------------ the loop

TrainResult loop(CapRun& r, int64_t startStep, double elapsedBefore, EvalResult firstEval,
                 const JobCallback<TrainEvent>& onEvent, const TrainHooks& hooks) {
  TrainResult res;
  res.runDir = r.dir;
  res.totalSteps = r.totalSteps;
  res.firstEval = firstEval;
  AdapterScope adapterScope(r.adapter.get());
  DropoutGeneratorScope dropoutScope(&r.generator);
  MetricsLog metrics(r.dir / "metrics.jsonl");
  const auto t0 = Clock::now();
  auto elapsed = [&] { return elapsedBefore + std::chrono::duration<double>(Clock::now() - t0).count(); };
  bool cancelled = false;
  auto emit = [&](TrainEvent e, bool toLog) {
    e.totalSteps = r.totalSteps;
    e.elapsed = elapsed();
    if (toLog) metrics.append(e.toJson());
    if (onEvent && !onEvent(e)) cancelled = true;
  };
  auto epochOf = [&](int64_t step) { return static_cast<double>(step) / r.stepsPerEpoch; };
  auto lastSave = Clock::now();
  auto save = [&](int64_t done) {
    saveCheckpoint(r, done, json{{"step", done}, {"total_steps", r.totalSteps}, {"elapsed", elapsed()},
                                 {"first_eval", firstEval.toJson()}, {"seed", r.cfg.seed}});
    lastSave = Clock::now();
    TrainEvent e;
    e.kind = TrainEvent::Kind::Checkpoint;
    e.step = done;
    e.epoch = epochOf(done);
    e.message = (r.dir / ("checkpoint-" + std::to_string(done))).string();
    emit(e, true);
  };
  auto evalAndSample = [&](int64_t step, const std::string& message) {
    auto progress = [&](int64_t done, int64_t rows) {
      TrainEvent p;
      p.kind = TrainEvent::Kind::Progress;
      p.fraction = static_cast<double>(done) / std::max<int64_t>(rows, 1);
      p.message = "evaluating: " + std::to_string(done) + " of " + std::to_string(rows) + " held-out pictures";
      emit(p, false);
      return !cancelled;
    };
    EvalResult ev = evaluate(r, progress);
    if (cancelled) return ev;
    TrainEvent e;
    e.kind = TrainEvent::Kind::Eval;
    e.step = step;
    e.epoch = epochOf(step);
    e.eval = ev;
    e.message = message;
    if (ev.rows > 0) emit(e, true);
    TrainEvent s;
    s.kind = TrainEvent::Kind::Sample;
    s.step = step;
    s.epoch = epochOf(step);
    s.samples = sampleCaptions(r);
    if (!s.samples.empty()) emit(s, true);
    return ev;
  };
  if (startStep == 0) {
    res.firstEval = firstEval = evalAndSample(0, "before training");
    save(0);  // a run is resumable from its first moment
  }
  TrainModeScope mode(r, true);
  double firstLoss = -1, windowLoss = 0, windowTime = 0, trainTime = 0;
  int64_t windowSteps = 0, windowTokens = 0, allTokens = 0;
  int64_t step = startStep;
  for (; step < r.totalSteps && !cancelled; ++step) {
    const auto s0 = Clock::now();
    const Batch b = makeBatch(r, batchOf(r, step));
    auto loss = batchLoss(r, b, torch::kMean);
    loss.backward();
    StepResult sr;
    sr.loss = loss.item<double>();
    sr.tokens = b.tokens;
    sr.targets = b.targets;
    double sq = 0;
    for (const auto& p : r.session->parameters())
      if (p.grad().defined()) sq += p.grad().to(torch::kDouble).pow(2).sum().item<double>();
    sr.gradNorm = std::sqrt(sq);
    if (hooks.onLoss) hooks.onLoss(step, sr.loss);
    if (!std::isfinite(sr.loss) || !std::isfinite(sr.gradNorm)) {
      r.session->zeroGrad();
      res.status = JobStatus::Failed;
      res.message = "training stopped at step " + std::to_string(step + 1) +
                    ": the loss became non-finite (nothing of this step was applied). The last good checkpoint is kept. "
                    "Lower the learning rate (now " + std::to_string(r.cfg.lr) + "), then resume or start again.";
      metrics.append({{"event", "error"}, {"step", step + 1}, {"message", res.message}});
      res.step = step;
      return res;
    }
    const double lr = learningRate(r, step);
    r.session->applyUpdate(lr, sr);
    if (firstLoss < 0) firstLoss = sr.loss;
    const double dt = std::chrono::duration<double>(Clock::now() - s0).count();
    trainTime += dt;
    allTokens += sr.tokens;
    windowLoss += sr.loss;
    windowTime += dt;
    windowTokens += sr.tokens;
    ++windowSteps;
    const int64_t done = step + 1;
    TrainEvent se;
    se.kind = TrainEvent::Kind::Step;
    se.step = done;
    se.epoch = epochOf(done);
    se.loss = sr.loss;
    se.lr = lr;
    se.gradNorm = sr.gradNorm;
    se.tokensPerS = sr.tokens / std::max(dt, 1e-9);
    emit(se, false);
    if (done % r.cfg.logEvery == 0 || done == r.totalSteps) {
      TrainEvent e = se;
      e.kind = TrainEvent::Kind::Log;
      e.loss = windowLoss / windowSteps;
      e.tokensPerS = windowTokens / std::max(windowTime, 1e-9);
      emit(e, true);
      windowLoss = windowTime = 0;
      windowSteps = windowTokens = 0;
    }
    const bool last = done == r.totalSteps;
    if (!cancelled && ((r.cfg.evalEvery > 0 && done % r.cfg.evalEvery == 0) || last)) {
      res.lastEval = evalAndSample(done, "");
    }
    const bool timeToSave = r.cfg.saveMinutes > 0 &&
                            std::chrono::duration<double>(Clock::now() - lastSave).count() >= 60 * r.cfg.saveMinutes;
    if ((r.cfg.saveEvery > 0 && done % r.cfg.saveEvery == 0) || timeToSave || last || cancelled) save(done);
  }
  res.step = step;
  res.seconds = elapsed();
  res.tokensPerS = allTokens / std::max(trainTime, 1e-9);
  if (step < r.totalSteps) {
    res.status = JobStatus::Cancelled;
    res.message = "cancelled at step " + std::to_string(step) + " of " + std::to_string(r.totalSteps) +
                  "; resume continues from checkpoint-" + std::to_string(step);
    metrics.append({{"event", "cancelled"}, {"step", step}, {"message", res.message}});
    return res;
  }
  res.outputDir = writeCaptioner(r);
  TrainEvent e;
  e.kind = TrainEvent::Kind::Done;
  e.step = step;
  e.epoch = epochOf(step);
  e.message = res.outputDir.string();
  emit(e, true);
  res.status = JobStatus::Completed;
  res.message = "finished " + std::to_string(step) + " steps; the captioner is in " + res.outputDir.string();
  return res;
}

void announce(const CapRun& r, const JobCallback<TrainEvent>& onEvent, const std::string& message) {
  if (!onEvent) return;
  TrainEvent e;
  e.totalSteps = r.totalSteps;
  e.message = message;
  onEvent(e);
}

}  // namespace

TrainResult trainCaptioner(const CaptionerTrainConfig& cfg, const JobCallback<TrainEvent>& onEvent,
                           const TrainHooks& hooks) {
  cfg.validate();
  const fs::path dir = pathOf(cfg.outDir);
  if (fs::exists(dir / "metrics.jsonl"))
    throw ConfigError("run folder " + cfg.outDir + " already holds a run; resume it (fmw resume) or choose another out_dir");
  checkOutputFolder(dir, "the run", /*overwrite=*/false, {pathOf(cfg.imageModel), pathOf(cfg.languageModel)});
  ThreadCountScope threads(cfg.threads);
  CapRun r;
  r.cfg = cfg;
  r.dir = dir;
  r.generator = at::detail::createCPUGenerator(cfg.seed);
  const CaptionedPictures data = readCaptionedPictures(pathOf(cfg.data));
  loadModels(r);
  try {
    embedPictures(r, data, onEvent);
  } catch (const CancelledError&) {
    TrainResult res;
    res.status = JobStatus::Cancelled;
    res.message = "cancelled while reading the pictures; nothing was written";
    return res;
  }
  tokenize(r);
  makeFolder(r.dir);
  FolderLock lock(r.dir, "the run folder");
  makeTrainable(r, {});
  writeRunData(r);
  writeFileAtomic(r.dir / "config.json", r.cfg.toJson().dump(2) + "\n");
  std::string msg = std::to_string(r.train.size()) + " training pictures, " + std::to_string(r.validation.size()) +
                    " held out, " + std::to_string(r.totalSteps) + " steps";
  if (!r.skipped.empty()) msg += "; " + std::to_string(r.skipped.size()) + " left out (see data_stats.json)";
  announce(r, onEvent, msg);
  return loop(r, 0, 0.0, {}, onEvent, hooks);
}

TrainResult resumeCaptioner(const fs::path& runDir, const JobCallback<TrainEvent>& onEvent, const TrainHooks& hooks) {
  if (!isCaptionerRun(runDir)) throw IoError(runDir.string() + ": not a captioner run folder");
  FolderLock lock(runDir, "the run folder");
  const auto ckpts = completeCheckpoints(runDir);
  if (ckpts.empty()) throw IoError(runDir.string() + ": no complete checkpoint to resume from; start the run again");
  CapRun r;
  r.cfg = CaptionerTrainConfig::fromJson(readJsonFile(runDir / "config.json"));
  r.cfg.outDir = utf8(runDir);
  r.dir = runDir;
  r.cfg.validate();
  ThreadCountScope threads(r.cfg.threads);
  loadModels(r);
  readRunData(r);
  tokenize(r);
  const auto& [step, ckpt] = ckpts.back();
  json state;
  try {
    makeTrainable(r, ckpt);
    state = loadCheckpointState(r, ckpt);
    if (!state.is_object() || state.value("step", int64_t{-1}) != step)
      throw FormatError("trainer_state.json does not say step " + std::to_string(step));
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    std::string msg = ckpt.string() + " is damaged: " + errorMessage(e) + ".";
    if (ckpts.size() >= 2)
      msg += " The previous complete checkpoint is " + ckpts[ckpts.size() - 2].second.filename().string() + ": move " +
             ckpt.filename().string() + " out of the run folder to resume from it.";
    throw FormatError(msg);
  }
  EvalResult first;
  if (state.contains("first_eval") && state["first_eval"].is_object()) {
    const json& f = state["first_eval"];
    if (f.contains("eval_loss") && f["eval_loss"].is_number()) first.loss = f["eval_loss"].get<double>();
    if (f.contains("perplexity") && f["perplexity"].is_number()) first.perplexity = f["perplexity"].get<double>();
    if (f.contains("eval_rows") && f["eval_rows"].is_number()) first.rows = f["eval_rows"].get<int64_t>();
  }
  MetricsLog(runDir / "metrics.jsonl").truncateAfter(step);
  announce(r, onEvent, "resuming from " + ckpt.filename().string());
  const double before = state.contains("elapsed") && state["elapsed"].is_number() ? state["elapsed"].get<double>() : 0.0;
  return loop(r, step, before, first, onEvent, hooks);
}

}  // namespace fm
