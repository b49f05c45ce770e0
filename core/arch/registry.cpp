// The one table of architectures. Each family file (llama.cpp, gpt2.cpp, bert.cpp) exports a
// summary function (config.json -> ArchSummary, including the kind) and a make function.
#include <atomic>
#include <map>

#include "arch/bert.h"
#include "arch/blip.h"
#include "arch/causal_lm.h"
#include "arch/clip.h"
#include "arch/siglip.h"
#include "arch/encoder.h"
#include "arch/gpt2.h"
#include "arch/llama.h"
#include "arch/prefix_captioner.h"
#include "arch/vision_encoder_decoder.h"
#include "io/model_folder.h"
#include "nn/weights.h"
#include "util/error.h"

namespace fm {

namespace {

struct Family {
  ArchSummary (*summarize)(const nlohmann::json&);
  std::shared_ptr<Network> (*make)(const nlohmann::json&);
};

const std::map<std::string, Family>& registry() {
  static const std::map<std::string, Family> kFamilies = {
      {"llama", {llamaSummary, makeLlama}},
      {"mistral", {llamaSummary, makeLlama}},
      {"qwen2", {llamaSummary, makeLlama}},
      {"gpt2", {gpt2Summary, makeGpt2}},
      {"bert", {bertSummary, makeBert}},
      {"blip", {blipSummary, makeBlip}},
      {"clip", {clipSummary, makeClip}},
      {"vision-encoder-decoder", {visionEncoderDecoderSummary, makeVisionEncoderDecoder}},
      {"prefix-captioner", {prefixCaptionerSummary, makePrefixCaptioner}},
      {"roberta", {bertSummary, makeBert}},
      {"siglip", {siglipSummary, makeSiglip}},
      {"xlm-roberta", {bertSummary, makeBert}},
  };
  return kFamilies;
}

const Family& findFamily(const nlohmann::json& config) {
  if (!config.is_object()) throw FormatError("config.json is not a JSON object");
  const auto typeIt = config.find("model_type");
  const std::string type = typeIt != config.end() && typeIt->is_string() ? typeIt->get<std::string>() : "";
  auto it = registry().find(type);
  if (it == registry().end()) {
    std::string list;
    for (const auto& [k, v] : registry()) list += (list.empty() ? "" : ", ") + k;
    throw UnsupportedError("config.json: model_type \"" + type + "\" is not supported (supported: " + list + ")");
  }
  return it->second;
}

}  // namespace

const char* modelKindId(ModelKind kind) {
  switch (kind) {
    case ModelKind::CausalLM: return "causal-lm";
    case ModelKind::TextEncoder: return "text-encoder";
    case ModelKind::SequenceClassifier: return "sequence-classifier";
    case ModelKind::VisionText: return "vision-text";
    case ModelKind::ImageToText: return "image-to-text";
  }
  return "?";
}

const char* modelKindLabel(ModelKind kind) {
  switch (kind) {
    case ModelKind::CausalLM: return "language model (generates text)";
    case ModelKind::TextEncoder: return "text encoder (sentence embeddings)";
    case ModelKind::SequenceClassifier: return "cross-encoder (scores text pairs)";
    case ModelKind::VisionText: return "image-text model (labels and searches pictures)";
    case ModelKind::ImageToText: return "captioner (describes pictures in words)";
  }
  return "?";
}

std::vector<std::string> supportedModelTypes() {
  std::vector<std::string> r;
  for (const auto& [k, v] : registry()) r.push_back(k);
  return r;
}

ArchSummary summarizeArch(const nlohmann::json& config) { return findFamily(config).summarize(config); }

std::shared_ptr<Network> createNetwork(const nlohmann::json& config) { return findFamily(config).make(config); }

std::shared_ptr<CausalLM> createCausalLM(const nlohmann::json& config) {
  auto net = createNetwork(config);
  auto lm = std::dynamic_pointer_cast<CausalLM>(net);
  if (!lm)
    throw UnsupportedError("this model is a " + std::string(modelKindLabel(net->kind())) + " (" +
                           net->summary().architecture + "), not a language model: it cannot generate text");
  return lm;
}

Network::Network() {
  static std::atomic<uint64_t> next{1};
  m_instanceId = next++;
}

torch::Device Network::device() const { return parameters().front().device(); }
torch::ScalarType Network::dtype() const { return parameters().front().scalar_type(); }

void loadWeights(Network& net, const WeightStore& store, const JobContext& job) {
  loadWeights(static_cast<torch::nn::Module&>(net), store,
              [&net](const std::string& key) { return net.mapCheckpointKey(key); }, net.summary().architecture,
              job);
}

void checkWeights(const Network& net, const WeightStore& store) {
  checkWeights(static_cast<const torch::nn::Module&>(net), store,
               [&net](const std::string& key) { return net.mapCheckpointKey(key); }, net.summary().architecture);
}

void checkPacked(const ForwardArgs& a) {
  if (a.segments.empty()) return;
  int64_t total = 0;
  for (int64_t len : a.segments) {
    TORCH_CHECK(len > 0, "packed sequence of length ", len);
    total += len;
  }
  const torch::Tensor& in = a.inputEmbeds.defined() ? a.inputEmbeds : a.ids;
  TORCH_CHECK(in.size(0) == 1, "packed batches have B == 1, got ", in.size(0));
  TORCH_CHECK(total == in.size(1), "packed lengths sum to ", total, " != T ", in.size(1));
  TORCH_CHECK(a.cache == nullptr, "packed batches cannot use a KV cache");
}

torch::Tensor selectOutputRows(const torch::Tensor& x, const torch::Tensor& rows) {
  if (!rows.defined()) return x;
  return x.reshape({-1, x.size(-1)}).index_select(0, rows.to(x.device()));  // (N, H)
}

}  // namespace fm
