#include "arch/loaded_model.h"

#include <cstdio>
#include <set>

#include "arch/causal_lm.h"
#include "arch/encoder.h"
#include "arch/image_to_text.h"
#include "arch/vision_text.h"
#include "embed/sentence_config.h"
#include "embed/sentence_head.h"
#include "io/model_folder.h"
#include "jobs/cancelled.h"
#include "tokenize/chat_template.h"
#include "tokenize/tokenizer.h"
#include "util/error.h"

namespace fm {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::vector<int64_t> idList(const json& j) {
  std::vector<int64_t> r;
  if (j.is_number_integer()) r.push_back(j.get<int64_t>());
  if (j.is_array())
    for (const auto& x : j)
      if (x.is_number_integer()) r.push_back(x.get<int64_t>());
  return r;
}

void describeTokenizer(ModelInfo& info, const Tokenizer* tok, const std::string& error) {
  if (!tok) {
    info.tokenizerKind = "";
    info.tokenizerError = error;
    info.chatFormat = "none";
    return;
  }
  info.tokenizerKind = tok->kind();
  info.tokenizerVocab = tok->vocabSize();
  try {
    const ChatTemplate chat = ChatTemplate::forTokenizer(*tok);
    const auto names = chat.names();
    info.chatFormat = chat.isFallback() ? "none" : "the model's own (Jinja)";
    if (!chat.isFallback() && (names.size() > 1 || names.front() != "default")) {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      info.chatFormat += " (" + list + ")";
    }
  } catch (const Error& e) {
    info.chatFormat = "none";
    info.chatMessage = e.what();
  }
  const SpecialTokens& s = tok->special();
  auto add = [&](const char* role, const std::optional<int32_t>& id) {
    if (id) info.specialTokens.emplace_back(role, tok->idToPiece(*id) + " (" + std::to_string(*id) + ")");
  };
  add("bos", s.bos);
  add("eos", s.eos);
  add("pad", s.pad);
  add("unk", s.unk);
  add("cls", s.cls);
  add("sep", s.sep);
  add("mask", s.mask);
}

// A config.json far larger than its weights (a 7B config beside a tiny model, a billion layers)
// is refused before anything is allocated for it. The bound counts only the big matrices of
// each layer, so every real model is above it.
void checkSize(const ModelInfo& info, const fs::path& dir) {
  const double attention = 2.0 * static_cast<double>(info.hidden) * static_cast<double>(info.heads * info.headDim);
  const double mlp = 2.0 * static_cast<double>(info.hidden) * static_cast<double>(info.intermediate);
  const double lowerBound = static_cast<double>(info.vocabSize) * static_cast<double>(info.hidden) +
                            static_cast<double>(info.layers) * (attention + mlp);
  if (static_cast<double>(info.parameters) >= 0.5 * lowerBound) return;
  auto count = [](double n) {
    char buf[32];
    if (n >= 1e9) std::snprintf(buf, sizeof buf, "%.1f billion", n / 1e9);
    else if (n >= 1e6) std::snprintf(buf, sizeof buf, "%.1f million", n / 1e6);
    else std::snprintf(buf, sizeof buf, "%.0f", n);
    return std::string(buf);
  };
  throw FormatError((dir / "config.json").string() + " describes a model of at least " + count(lowerBound) +
                    " parameters (" + std::to_string(info.layers) + " layers, hidden size " +
                    std::to_string(info.hidden) + ", vocabulary " + std::to_string(info.vocabSize) +
                    "), but the weight files hold " + count(static_cast<double>(info.parameters)) +
                    ": config.json is not from the same model as the .safetensors files");
}

ModelInfo describe(const ModelFolder& folder, const WeightStore& store) {
  ModelInfo info;
  info.dir = folder.dir().string();
  const ArchSummary a = summarizeArch(folder.config());
  info.modelType = a.modelType;
  info.architecture = a.architecture;
  info.kind = a.kind;
  info.labels = a.labels;
  info.typeVocabSize = a.typeVocab;
  info.vocabSize = a.vocabSize;
  info.hidden = a.hidden;
  info.layers = a.layers;
  info.heads = a.heads;
  info.kvHeads = a.kvHeads;
  info.headDim = a.headDim;
  info.intermediate = a.intermediate;
  info.maxPositions = a.maxPositions;
  info.tiedEmbeddings = a.tiedEmbeddings;
  info.positionEncoding = a.positionEncoding;
  info.imageSize = a.imageSize;
  info.patchSize = a.patchSize;
  info.visionHidden = a.visionHidden;
  info.visionLayers = a.visionLayers;
  info.projectionDim = a.projectionDim;
  if (a.kind == ModelKind::VisionText) info.embeddingDim = a.projectionDim;
  std::set<std::string> dtypes;
  for (const auto& [name, e] : store.entries()) {
    info.parameters += e.info->numel();
    info.weightBytesOnDisk += e.info->end - e.info->begin;
    dtypes.insert(dtypeName(e.info->dtype));
  }
  if (dtypes.size() == 1) {
    info.dtypeOnDisk = *dtypes.begin();
  } else {
    std::string list;
    for (const auto& d : dtypes) list += (list.empty() ? "" : ", ") + d;
    info.dtypeOnDisk = "mixed (" + list + ")";
  }
  info.memoryFp32 = static_cast<uint64_t>(info.parameters) * 4;
  info.memoryBf16 = static_cast<uint64_t>(info.parameters) * 2;
  info.kvBytesPerToken = static_cast<uint64_t>(2 * a.layers * a.kvHeads * a.headDim * 4);
  json eos = folder.generationConfig().contains("eos_token_id")
                 ? folder.generationConfig()["eos_token_id"]
                 : folder.config().value("eos_token_id", json());
  info.eosIds = idList(eos);
  auto bos = idList(folder.generationConfig().contains("bos_token_id")
                        ? folder.generationConfig()["bos_token_id"]
                        : folder.config().value("bos_token_id", json()));
  if (!bos.empty()) info.bosId = bos[0];
  auto pad = idList(folder.config().value("pad_token_id", json()));
  if (!pad.empty()) info.padTokenId = pad[0];
  return info;
}

void describeSentence(ModelInfo& info, const SentenceConfig& s) {
  info.embeddingDim = s.dimension();
  info.pooling = s.pooling.describe();
  for (const auto& d : s.dense) info.pooling += " -> dense " + std::to_string(d.out);
  info.normalize = s.normalize;
  info.maxLength = s.maxLength;
  info.lowerCase = s.lowerCase;
  info.prompts = s.prompts;
  if (!s.note.empty()) info.notes.push_back(s.note);
}

// A cross-encoder reads pairs up to the tokenizer's model_max_length (sentence-transformers'
// CrossEncoder default), never past the positions the model has.
int64_t classifierMaxLength(const ModelFolder& folder, const ModelInfo& info) {
  int64_t m = info.maxPositions;
  const json& tc = folder.tokenizerConfig();
  if (tc.contains("model_max_length") && tc["model_max_length"].is_number_integer()) {
    const int64_t t = tc["model_max_length"].get<int64_t>();
    if (t > 0 && t < m) m = t;
  }
  return m;
}

torch::ScalarType parseDtype(const std::string& s) {
  if (s == "float32" || s == "fp32") return torch::kFloat32;
  if (s == "bfloat16" || s == "bf16") return torch::kBFloat16;
  if (s == "float16" || s == "fp16") return torch::kFloat16;
  throw ConfigError("dtype \"" + s + "\" is not one of float32, bfloat16, float16");
}

}  // namespace

ModelInfo describeModel(const fs::path& dir) {
  ModelFolder folder = ModelFolder::open(dir);
  WeightStore store = folder.openWeights();
  ModelInfo info = describe(folder, store);
  checkSize(info, dir);
  return info;
}

ModelInfo inspectModel(const fs::path& dir) {
  ModelFolder folder = ModelFolder::open(dir);
  WeightStore store = folder.openWeights();
  ModelInfo info = describe(folder, store);
  checkSize(info, dir);
  // Every tensor against the shapes config.json implies, as loading checks them, reading no
  // weights (the parameters are allocated but never touched).
  checkWeights(*createNetwork(folder.config()), store);
  if (info.kind == ModelKind::TextEncoder)
    describeSentence(info, SentenceConfig::read(dir, info.hidden, info.maxPositions, folder.tokenizerConfig()));
  if (info.kind == ModelKind::SequenceClassifier || info.kind == ModelKind::VisionText ||
      info.kind == ModelKind::ImageToText)
    info.maxLength = classifierMaxLength(folder, info);
  std::unique_ptr<Tokenizer> tok;
  std::string err;
  try {
    tok = Tokenizer::fromFolder(dir);
  } catch (const Error& e) {
    err = e.what();
  }
  describeTokenizer(info, tok.get(), err);
  return info;
}

struct LoadedModel::Impl {
  ModelInfo info;
  std::unique_ptr<Tokenizer> tokenizer;
  std::shared_ptr<Network> net;
  std::unique_ptr<SentenceConfig> sentence;
  std::unique_ptr<SentenceHead> head;
  uint64_t memoryBytes = 0;
  GenerationDefaults defaults;
  json preprocessor = json::object();
};

LoadedModel::LoadedModel() : m(std::make_unique<Impl>()) {}
LoadedModel::~LoadedModel() = default;

std::shared_ptr<LoadedModel> LoadedModel::load(const fs::path& dir, const LoadOptions& options) {
  std::shared_ptr<LoadedModel> model(new LoadedModel());
  Impl& m = *model->m;
  ModelFolder folder = ModelFolder::open(dir);
  WeightStore store = folder.openWeights();
  m.info = describe(folder, store);
  checkSize(m.info, dir);
  std::string err;
  try {
    m.tokenizer = Tokenizer::fromFolder(dir);
  } catch (const IoError& e) {
    err = e.what();  // no tokenizer files: the model still works on ids
  }
  describeTokenizer(m.info, m.tokenizer.get(), err);
  if (m.tokenizer && m.tokenizer->vocabSize() > m.info.vocabSize)
    throw FormatError("the tokenizer has " + std::to_string(m.tokenizer->vocabSize()) +
                      " tokens but config.json's vocab_size is " +
                      std::to_string(m.info.vocabSize) + " in " + dir.string());

  const torch::ScalarType dtype = parseDtype(options.dtype);
  torch::Device device(torch::kCPU);
  try {
    device = torch::Device(options.device);
  } catch (const c10::Error&) {
    throw ConfigError("device \"" + options.device + "\" is not valid (cpu, cuda, cuda:N)");
  }
  if (!device.is_cpu() && !device.is_cuda())
    throw ConfigError("device \"" + options.device + "\" is not supported (cpu, cuda, cuda:N)");
  if (dtype == torch::kHalf && !device.is_cuda())
    throw ConfigError("--dtype float16 needs a GPU (libtorch has no float16 matrix products on the CPU); "
                      "on the CPU use bfloat16 (half the memory of float32) or float32");
  if (device.is_cuda() && !torch::cuda::is_available())
    throw UnsupportedError("device \"" + options.device +
                           "\" requested but this libtorch build has no CUDA or no GPU is "
                           "visible; use cpu");
  if (device.is_cuda() && device.has_index() && device.index() >= static_cast<int>(torch::cuda::device_count()))
    throw ConfigError("device \"" + options.device + "\": there are " + std::to_string(torch::cuda::device_count()) +
                      " GPUs (cuda:0 to cuda:" + std::to_string(torch::cuda::device_count() - 1) + ")");

  if (m.info.kind == ModelKind::TextEncoder) {
    m.sentence = std::make_unique<SentenceConfig>(
        SentenceConfig::read(dir, m.info.hidden, m.info.maxPositions, folder.tokenizerConfig()));
    describeSentence(m.info, *m.sentence);
    m.head = std::make_unique<SentenceHead>(*m.sentence);
  }
  if (m.info.kind == ModelKind::SequenceClassifier || m.info.kind == ModelKind::VisionText ||
      m.info.kind == ModelKind::ImageToText)
    m.info.maxLength = classifierMaxLength(folder, m.info);
  m.preprocessor = folder.preprocessorConfig();

  m.net = createNetwork(folder.config());
  options.job.report(0.0, "reading the weights");
  loadWeights(*m.net, store, options.job);
  m.net->eval();
  for (auto& p : m.net->parameters()) p.set_requires_grad(false);
  if (dtype != torch::kFloat32 || !device.is_cpu()) m.net->to(device, dtype);
  if (m.head) m.head->to(device);
  for (const auto& p : m.net->parameters()) m.memoryBytes += p.numel() * p.element_size();

  const json& g = folder.generationConfig();
  if (g.contains("temperature") && g["temperature"].is_number()) m.defaults.temperature = g["temperature"];
  if (g.contains("top_p") && g["top_p"].is_number()) m.defaults.topP = g["top_p"];
  if (g.contains("top_k") && g["top_k"].is_number_integer()) m.defaults.topK = g["top_k"];
  if (g.contains("repetition_penalty") && g["repetition_penalty"].is_number())
    m.defaults.repetitionPenalty = g["repetition_penalty"];
  if (g.contains("max_new_tokens") && g["max_new_tokens"].is_number_integer())
    m.defaults.maxNewTokens = g["max_new_tokens"];
  if (g.contains("do_sample") && g["do_sample"].is_boolean()) m.defaults.doSample = g["do_sample"];
  return model;
}

const ModelInfo& LoadedModel::info() const { return m->info; }
ModelKind LoadedModel::kind() const { return m->info.kind; }
const Tokenizer* LoadedModel::tokenizer() const { return m->tokenizer.get(); }
Network& LoadedModel::network() const { return *m->net; }

namespace {
template <typename T>
T& asKind(Network& net, const ModelInfo& info, const char* wanted) {
  if (auto* t = dynamic_cast<T*>(&net)) return *t;
  throw UnsupportedError(info.dir + " is a " + modelKindLabel(info.kind) + " (" + info.architecture + "); this needs a " +
                         wanted);
}
}  // namespace

CausalLM& LoadedModel::lm() const { return asKind<CausalLM>(*m->net, m->info, "language model"); }
TextEncoder& LoadedModel::encoder() const {
  return asKind<TextEncoder>(*m->net, m->info, "text encoder (an embedding model such as MiniLM, BGE or E5)");
}
SequenceClassifier& LoadedModel::classifier() const {
  return asKind<SequenceClassifier>(*m->net, m->info, "cross-encoder (a ...ForSequenceClassification reranker)");
}
VisionTextModel& LoadedModel::visionText() const {
  return asKind<VisionTextModel>(*m->net, m->info, "image-text model (CLIP)");
}
ImageToTextModel& LoadedModel::imageToText() const {
  return asKind<ImageToTextModel>(*m->net, m->info, "captioner (an image-to-text model such as BLIP or ViT-GPT2)");
}
const json& LoadedModel::preprocessorConfig() const { return m->preprocessor; }
const SentenceConfig* LoadedModel::sentenceConfig() const { return m->sentence.get(); }
const SentenceHead* LoadedModel::sentenceHead() const { return m->head.get(); }
uint64_t LoadedModel::memoryBytes() const { return m->memoryBytes; }
const LoadedModel::GenerationDefaults& LoadedModel::generationDefaults() const { return m->defaults; }

}  // namespace fm
