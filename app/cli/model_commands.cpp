// fmw commands that read or run a model: info, tokenize, render-chat, generate, embed,
// rerank, similarity, create-model.
#include <cstdio>
#include <iostream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "arch/builtin_model.h"
#include "arch/loaded_model.h"
#include "cli/cli.h"
#include "util/paths.h"
#include "vision/bench_vision.h"
#include "vision/demo_shapes.h"
#include "embed/bench_embed.h"
#include "embed/embedder.h"
#include "generate/generator.h"
#include "generate/prompt.h"
#include "io/output_folder.h"
#include "lora/adapter_control.h"
#include "tokenize/chat_template.h"
#include "tokenize/tokenizer.h"
#include "util/error.h"
#include "util/json_text.h"

namespace fmw {
namespace {

using nlohmann::json;

std::string human(double bytes) {
  const char* units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (bytes >= 1000 && u < 4) {
    bytes /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
  return buf;
}

std::string humanCount(int64_t n) {
  char buf[32];
  if (n >= 1000000000) std::snprintf(buf, sizeof buf, "%.2fB", n / 1e9);
  else if (n >= 1000000) std::snprintf(buf, sizeof buf, "%.1fM", n / 1e6);
  else if (n >= 1000) std::snprintf(buf, sizeof buf, "%.1fK", n / 1e3);
  else std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(n));
  return buf;
}

int cmdInfo(const Args& a) {
  fm::ModelInfo i = fm::inspectModel(needDir(a, "info"));
  if (a.has("--json")) {
    json j = {{"dir", i.dir}, {"model_type", i.modelType}, {"architecture", i.architecture},
              {"parameters", i.parameters}, {"dtype", i.dtypeOnDisk},
              {"weight_bytes", i.weightBytesOnDisk}, {"memory_fp32_bytes", i.memoryFp32},
              {"memory_bf16_bytes", i.memoryBf16}, {"kv_bytes_per_token", i.kvBytesPerToken},
              {"vocab_size", i.vocabSize}, {"hidden_size", i.hidden}, {"layers", i.layers},
              {"heads", i.heads}, {"kv_heads", i.kvHeads}, {"head_dim", i.headDim},
              {"intermediate_size", i.intermediate}, {"max_positions", i.maxPositions},
              {"tied_embeddings", i.tiedEmbeddings}, {"position_encoding", i.positionEncoding},
              {"tokenizer", i.tokenizerKind}, {"tokenizer_vocab", i.tokenizerVocab},
              {"chat_template", i.chatFormat}, {"eos_token_ids", i.eosIds}};
    j["kind"] = fm::modelKindId(i.kind);
    if (i.kind == fm::ModelKind::TextEncoder) {
      json prompts = json::object();
      for (const auto& [name, text] : i.prompts) prompts[name] = text;
      j["embedding"] = {{"dimension", i.embeddingDim}, {"pooling", i.pooling}, {"normalize", i.normalize},
                        {"max_length", i.maxLength}, {"lower_case", i.lowerCase}, {"prompts", prompts}};
    }
    if (i.kind == fm::ModelKind::SequenceClassifier) {
      j["labels"] = i.labels;
      j["max_length"] = i.maxLength;
    }
    if (i.kind == fm::ModelKind::VisionText)
      j["vision"] = {{"image_size", i.imageSize}, {"patch_size", i.patchSize}, {"hidden_size", i.visionHidden},
                     {"layers", i.visionLayers}, {"projection_dim", i.projectionDim}, {"max_text_tokens", i.maxLength}};
    if (!i.notes.empty()) j["notes"] = i.notes;
    if (!i.tokenizerError.empty()) j["tokenizer_error"] = i.tokenizerError;
    if (!i.chatMessage.empty()) j["chat_template_message"] = i.chatMessage;
    json sp = json::object();
    for (const auto& [k, v] : i.specialTokens) sp[k] = v;
    j["special_tokens"] = sp;
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::printf("model         %s\n", i.dir.c_str());
  std::printf("architecture  %s (model_type %s)\n", i.architecture.c_str(), i.modelType.c_str());
  std::printf("kind          %s\n", fm::modelKindLabel(i.kind));
  if (i.kind == fm::ModelKind::TextEncoder) {
    std::string prompts;
    for (const auto& [name, text] : i.prompts) prompts += (prompts.empty() ? "" : ", ") + name + " \"" + text + "\"";
    std::printf("embedding     %lld dimensions, %s pooling%s, max %lld tokens%s\n", (long long)i.embeddingDim,
                i.pooling.c_str(), i.normalize ? ", normalised" : ", not normalised", (long long)i.maxLength,
                i.lowerCase ? ", lower-cased" : "");
    std::printf("prompts       %s\n", prompts.empty() ? "none" : prompts.c_str());
  }
  if (i.kind == fm::ModelKind::SequenceClassifier) {
    std::string labels;
    for (const auto& l : i.labels) labels += (labels.empty() ? "" : ", ") + l;
    std::printf("labels        %s (%s), pairs up to %lld tokens\n", labels.c_str(),
                i.labels.size() == 1 ? "score = logit, probability = sigmoid" : "probabilities = softmax",
                (long long)i.maxLength);
  }
  if (i.kind == fm::ModelKind::ImageToText)
    std::printf("pictures      %lld x %lld pixels, patches of %lld; image tower %lld layers x %lld\n",
                (long long)i.imageSize, (long long)i.imageSize, (long long)i.patchSize, (long long)i.visionLayers,
                (long long)i.visionHidden);
  if (i.kind == fm::ModelKind::VisionText)
    std::printf("pictures      %lld x %lld pixels, patches of %lld; image tower %lld layers x %lld; "
                "embeddings of %lld dimensions; texts up to %lld tokens\n",
                (long long)i.imageSize, (long long)i.imageSize, (long long)i.patchSize, (long long)i.visionLayers,
                (long long)i.visionHidden, (long long)i.projectionDim, (long long)i.maxLength);
  for (const auto& n : i.notes) std::printf("note          %s\n", n.c_str());
  std::printf("parameters    %s (%lld)\n", humanCount(i.parameters).c_str(), static_cast<long long>(i.parameters));
  std::printf("dtype on disk %s, %s\n", i.dtypeOnDisk.c_str(), human(i.weightBytesOnDisk).c_str());
  if (i.kind == fm::ModelKind::CausalLM)
    std::printf("memory        %s as float32, %s as bfloat16, + %s KV cache per 1K tokens\n",
                human(i.memoryFp32).c_str(), human(i.memoryBf16).c_str(), human(i.kvBytesPerToken * 1024.0).c_str());
  else
    std::printf("memory        %s as float32, %s as bfloat16\n", human(i.memoryFp32).c_str(), human(i.memoryBf16).c_str());
  std::printf("layers        %lld, hidden %lld, heads %lld (kv %lld, head_dim %lld), ffn %lld\n",
              (long long)i.layers, (long long)i.hidden, (long long)i.heads, (long long)i.kvHeads,
              (long long)i.headDim, (long long)i.intermediate);
  std::printf("context       %lld positions, %s\n", (long long)i.maxPositions, i.positionEncoding.c_str());
  std::printf("vocabulary    %lld%s\n", (long long)i.vocabSize, i.tiedEmbeddings ? " (tied embeddings)" : "");
  if (i.tokenizerKind.empty())
    std::printf("tokenizer     none: %s\n", i.tokenizerError.c_str());
  else
    std::printf("tokenizer     %s, %lld tokens\n", i.tokenizerKind.c_str(), (long long)i.tokenizerVocab);
  std::printf("chat template %s%s%s\n", i.chatFormat.c_str(), i.chatMessage.empty() ? "" : " — ",
              i.chatMessage.c_str());
  std::string sp;
  for (const auto& [k, v] : i.specialTokens) sp += (sp.empty() ? "" : ", ") + k + " " + v;
  std::printf("special       %s\n", sp.empty() ? "none" : sp.c_str());
  return 0;
}

int cmdTokenize(const Args& a) {
  auto tok = fm::Tokenizer::fromFolder(needDir(a, "tokenize"));
  const bool ids = a.has("--ids"), special = a.has("--special");
  if (a.has("--jsonl")) {
    std::string line;
    long lineNo = 0;
    while (std::getline(std::cin, line)) {
      ++lineNo;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      json j;
      try {
        j = json::parse(line);
      } catch (const json::exception& e) {
        throw fm::FormatError("stdin line " + std::to_string(lineNo) + " is not JSON: " + e.what());
      }
      if (!j.is_string())
        throw fm::FormatError("stdin line " + std::to_string(lineNo) + " is not a JSON string");
      std::cout << json(tok->encode(j.get<std::string>(), special)).dump() << "\n";
    }
    return 0;
  }
  std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  if (ids) {
    auto v = tok->encode(text, special);
    for (size_t i = 0; i < v.size(); ++i) std::cout << (i ? " " : "") << v[i];
    std::cout << "\n";
  } else {
    auto p = tok->encodePieces(text, special);
    for (size_t i = 0; i < p.size(); ++i) std::cout << (i ? " " : "") << p[i];
    std::cout << "\n";
  }
  return 0;
}

int cmdGenerate(const Args& a) {
  const std::string dir = needDir(a, "generate");
  if (!a.has("--prompt")) throw fm::ConfigError("fmw generate: --prompt TEXT is missing (it may be empty: --prompt \"\")");
  auto model = fm::LoadedModel::load(dir, loadOptions(a));
  fm::GenerateOptions o = fm::defaultGenerateOptions(*model);
  if (a.has("--temperature")) o.temperature = toNum("--temperature", a.get("--temperature"));
  if (a.has("--top-k")) o.topK = static_cast<int>(toInt("--top-k", a.get("--top-k")));
  if (a.has("--top-p")) o.topP = toNum("--top-p", a.get("--top-p"));
  if (a.has("--repetition-penalty")) o.repetitionPenalty = toNum("--repetition-penalty", a.get("--repetition-penalty"));
  if (a.has("--max-new-tokens")) o.maxNewTokens = static_cast<int>(toInt("--max-new-tokens", a.get("--max-new-tokens")));
  if (a.has("--seed")) o.seed = static_cast<uint64_t>(toInt("--seed", a.get("--seed")));
  if (a.has("--stop")) o.stopStrings = a.opts.at("--stop");
  o.useCache = !a.has("--no-cache");
  if (a.has("--adapter")) o.adapter = fm::loadAdapterFor(*model, a.get("--adapter"));

  const bool chat = a.has("--chat");
  const fm::BuiltPrompt built = fm::buildPrompt(*model, {chat, a.get("--system"), a.get("--prompt")});
  if (!built.note.empty()) std::fprintf(stderr, "fmw: %s\n", built.note.c_str());
  o.stopStrings.insert(o.stopStrings.end(), built.stopStrings.begin(), built.stopStrings.end());
  const std::vector<int32_t>& ids = built.ids;
  if (!chat) std::cout << built.text << std::flush;
  fm::GenerateResult r = fm::generate(*model, ids, o, [](const fm::TokenEvent& e) {
    std::cout << e.text << std::flush;
    return true;
  });
  std::cout << "\n";
  std::fprintf(stderr, "[%d prompt tokens, %zu new, %.1f tokens/s, stop: %s]\n", r.promptTokens,
               r.tokens.size(), r.decodeTokensPerSecond(), r.stopReason.c_str());
  return 0;
}

fm::EmbedOptions embedOptions(const Args& a) {
  fm::EmbedOptions o;
  if (a.has("--query") && a.has("--passage")) throw fm::ConfigError("--query and --passage exclude each other");
  if (a.has("--query")) o.promptName = "query";
  if (a.has("--passage")) o.promptName = "passage";
  if (a.has("--prompt-name")) o.promptName = a.get("--prompt-name");
  if (a.has("--prompt")) {
    if (!o.promptName.empty()) throw fm::ConfigError("--prompt TEXT and a named prompt exclude each other");
    o.promptText = a.get("--prompt");
    o.usePromptText = true;
  }
  return o;
}

// Lines of stdin: plain text per line, or one JSON string per line.
std::vector<std::string> readLines(bool jsonl, const char* what) {
  std::vector<std::string> out;
  std::string line;
  long lineNo = 0;
  while (std::getline(std::cin, line)) {
    ++lineNo;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!jsonl) {
      out.push_back(line);
      continue;
    }
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    json j;
    try {
      j = json::parse(line);
    } catch (const json::exception& e) {
      throw fm::FormatError(std::string("stdin line ") + std::to_string(lineNo) + " is not JSON (" + what +
                            " are one JSON string per line): " + e.what());
    }
    if (!j.is_string())
      throw fm::FormatError("stdin line " + std::to_string(lineNo) + " is not a JSON string (" + what +
                            " are one JSON string per line)");
    out.push_back(j.get<std::string>());
  }
  return out;
}

int cmdEmbed(const Args& a) {
  auto model = fm::LoadedModel::load(needDir(a, "embed"), loadOptions(a));
  const auto texts = readLines(a.has("--jsonl"), "texts");
  auto r = fm::embedTexts(*model, texts, embedOptions(a));
  for (const auto& v : r.vectors) std::cout << json(v).dump() << "\n";
  if (r.truncated > 0)
    std::fprintf(stderr, "fmw embed: %lld text(s) were cut to the model's %lld tokens\n", (long long)r.truncated,
                 (long long)model->info().maxLength);
  return 0;
}

int cmdRerank(const Args& a) {
  if (!a.has("--query")) throw fm::ConfigError("fmw rerank: --query TEXT is missing");
  auto model = fm::LoadedModel::load(needDir(a, "rerank"), loadOptions(a));
  const auto passages = readLines(true, "passages");
  fm::RerankOptions o;
  if (a.has("--max-length")) o.maxLength = toInt("--max-length", a.get("--max-length"));
  const auto scores = fm::scorePairs(*model, a.get("--query"), passages, o);
  const auto& labels = model->info().labels;
  for (size_t i = 0; i < scores.size(); ++i) {
    const fm::PairScore& s = scores[i];
    if (a.has("--json")) {
      json j = {{"index", i}, {"score", s.score}};
      auto name = [&](int k) { return k < static_cast<int>(labels.size()) ? labels[static_cast<size_t>(k)] : ""; };
      if (s.probabilities.size() == 1) {
        j["probability"] = s.probabilities[0];
      } else {
        j["probability"] = s.score;
        j["label"] = name(s.label);          // what the score is the probability of
        j["top_label"] = name(s.topLabel);  // the most probable label
        j["probabilities"] = s.probabilities;
      }
      if (s.truncated) j["truncated"] = true;
      std::cout << j.dump() << "\n";
    } else {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.9g", s.score);
      std::cout << buf << "\n";
    }
  }
  return 0;
}

int cmdSimilarity(const Args& a) {
  const std::string dir = needDir(a, "similarity");
  std::vector<std::string> texts(a.positional.begin() + 1, a.positional.end());
  if (texts.size() < 2) throw fm::ConfigError("fmw similarity: give at least two texts after MODEL_DIR");
  auto model = fm::LoadedModel::load(dir, loadOptions(a));
  auto r = fm::embedTexts(*model, texts, embedOptions(a));
  const auto m = fm::cosineMatrix(r.vectors);
  if (a.has("--json")) {
    std::cout << json{{"texts", texts}, {"cosine", m}}.dump() << "\n";
    return 0;
  }
  for (size_t i = 0; i < m.size(); ++i) {
    for (size_t j = 0; j < m.size(); ++j) std::printf(j ? " %7.4f" : "%7.4f", m[i][j]);
    std::printf("   %s\n", texts[i].c_str());
  }
  return 0;
}

int cmdCreateModel(const Args& a) {
  if (!a.has("--out")) throw fm::ConfigError("fmw create-model: --out DIR is missing");
  const std::string preset = a.get("--preset", "tiny");
  fm::checkOutputFolder(a.get("--out"), "the new model", a.has("--overwrite"));
  if (preset == "minilm-l6") {
    fm::createBenchEncoder(a.get("--out"), preset, static_cast<uint64_t>(toInt("--seed", a.get("--seed", "1"))));
    std::fprintf(stderr, "wrote a random-weight %s text encoder (no tokenizer: for fmw bench embed) to %s\n",
                 preset.c_str(), a.get("--out").c_str());
    return 0;
  }
  if (preset == "vit-gpt2") {
    fm::createBenchCaptioner(fm::pathOf(a.get("--out")), static_cast<uint64_t>(toInt("--seed", a.get("--seed", "1"))));
    std::fprintf(stderr, "wrote a random-weight ViT-GPT2-shaped captioner (for fmw bench vision) to %s\n",
                 a.get("--out").c_str());
    return 0;
  }
  if (preset == "blip-base") {
    fm::createBenchBlip(fm::pathOf(a.get("--out")), static_cast<uint64_t>(toInt("--seed", a.get("--seed", "1"))));
    std::fprintf(stderr, "wrote a random-weight BLIP-base-shaped captioner (for fmw bench vision) to %s\n",
                 a.get("--out").c_str());
    return 0;
  }
  if (preset == "siglip-b16") {
    fm::createBenchSiglip(fm::pathOf(a.get("--out")), static_cast<uint64_t>(toInt("--seed", a.get("--seed", "1"))));
    std::fprintf(stderr, "wrote a random-weight SigLIP-base-shaped model (no tokenizer: for fmw bench vision) to %s\n",
                 a.get("--out").c_str());
    return 0;
  }
  if (preset == "clip-b32") {
    // openai/clip-vit-base-patch32's shape (224 px, patches of 32, 768 x 12 image tower, 512 x 12
    // text tower, 512-dimensional embeddings) with random weights and a small tokenizer.
    fm::TinyClipOptions o;
    o.imageSize = 224;
    o.patchSize = 32;
    o.visionHidden = 768;
    o.visionLayers = 12;
    o.heads = 12;
    o.textHidden = 512;
    o.textLayers = 12;
    o.textHeads = 8;
    o.projection = 512;
    o.seed = static_cast<uint64_t>(toInt("--seed", a.get("--seed", "1")));
    fm::createTinyClip(fm::pathOf(a.get("--out")), {"a", "photo", "of", "cat", "dog"}, o);
    std::fprintf(stderr, "wrote a random-weight CLIP ViT-B/32-shaped model (for fmw bench vision) to %s\n",
                 a.get("--out").c_str());
    return 0;
  }
  fm::createBuiltinModel(a.get("--out"), preset, static_cast<uint64_t>(toInt("--seed", a.get("--seed", "1"))));
  std::fprintf(stderr, "wrote a random-weight %s model to %s\n", preset.c_str(), a.get("--out").c_str());
  return 0;
}

// The exact text the model sees for a conversation: {"messages": [...], "tools": [...]} on
// stdin, the rendered prompt on stdout with nothing added.
int cmdRenderChat(const Args& a) {
  auto tok = fm::Tokenizer::fromFolder(needDir(a, "render-chat"));
  const std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  const auto request = fm::parseJson<nlohmann::ordered_json>(input, "stdin");
  if (!request.is_object() || !request.contains("messages") || !request["messages"].is_array())
    throw fm::FormatError("stdin: expected a JSON object {\"messages\": [{\"role\": ..., \"content\": ...}, ...]}");
  for (const auto& [key, value] : request.items()) {
    if (key != "messages" && key != "tools" && key != "documents")
      throw fm::FormatError("stdin: unknown key \"" + key + "\" (messages, tools and documents are read)");
    if (key != "messages" && !value.is_null() && !value.is_array())
      throw fm::FormatError("stdin: \"" + key + "\" must be a list");
  }
  const fm::ChatTemplate chat = fm::ChatTemplate::forTokenizer(*tok);
  if (!chat.note().empty()) std::fprintf(stderr, "fmw render-chat: %s\n", chat.note().c_str());
  const std::string text = chat.render(request["messages"], !a.has("--no-generation-prompt"),
                                       request.value("tools", nlohmann::ordered_json()),
                                       request.value("documents", nlohmann::ordered_json()));
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

}  // namespace

const std::vector<Command>& modelCommands() {
  static const std::vector<Command> commands = {
      {"info", {"--json"}, {}, false, cmdInfo},
      {"tokenize", {"--ids", "--special", "--jsonl"}, {}, false, cmdTokenize},
      {"render-chat", {"--no-generation-prompt"}, {}, false, cmdRenderChat},
      {"generate", {"--chat", "--no-cache"},
       {"--prompt", "--system", "--adapter", "--max-new-tokens", "--temperature", "--top-k", "--top-p",
        "--repetition-penalty", "--seed", "--stop", "--dtype", "--device"},
       false, cmdGenerate},
      {"embed", {"--query", "--passage", "--jsonl"}, {"--prompt-name", "--prompt", "--dtype", "--device"}, false,
       cmdEmbed},
      {"rerank", {"--json"}, {"--query", "--max-length", "--dtype", "--device"}, false, cmdRerank},
      {"similarity", {"--query", "--passage", "--json"}, {"--prompt-name", "--prompt", "--dtype", "--device"},
       false, cmdSimilarity},
      {"create-model", {"--overwrite"}, {"--preset", "--out", "--seed"}, false, cmdCreateModel},
  };
  return commands;
}

}  // namespace fmw
