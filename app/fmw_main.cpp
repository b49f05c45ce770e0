// fmw: the command-line face of FM Workbench. Parses arguments into core's configs and prints
// results; all work happens in fm_core.
#include <cmath>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "arch/builtin_model.h"
#include "arch/loaded_model.h"
#include "data/demo_data.h"
#include "embed/bench_embed.h"
#include "embed/embedder.h"
#include "generate/bench.h"
#include "generate/generator.h"
#include "io/model_folder.h"
#include "io/output_folder.h"
#include "tokenize/chat_template.h"
#include "lora/adapter_control.h"
#include "train/prepared_data.h"
#include "tokenize/tokenizer.h"
#include "train/bench_train.h"
#include "train/demo.h"
#include "train/trainer.h"
#include "util/error.h"
#include "util/runtime.h"

namespace {

using nlohmann::json;

const char* kUsage = R"(fmw — FM Workbench on the command line

usage:
  fmw info MODEL_DIR [--json]
  fmw tokenize MODEL_DIR [--ids] [--special] [--jsonl]        (text on stdin)
  fmw generate MODEL_DIR --prompt TEXT [--chat] [--system TEXT] [--adapter DIR]
               [--max-new-tokens N] [--temperature T] [--top-k K] [--top-p P]
               [--repetition-penalty R] [--seed S] [--stop TEXT]... [--no-cache]
               [--dtype float32|bfloat16] [--device cpu|cuda]
  fmw embed MODEL_DIR [--query | --passage | --prompt-name NAME | --prompt TEXT] [--jsonl]
                                       (texts on stdin, one per line; prints one vector per line)
  fmw rerank MODEL_DIR --query TEXT [--json] [--max-length N]
                                       (passages on stdin, one JSON string per line)
  fmw similarity MODEL_DIR TEXT TEXT... [--query | --passage | --prompt TEXT] [--json]
  fmw bench generate MODEL_DIR [--prompt-tokens N] [--new-tokens N] [--skip-no-cache]
  fmw bench embed MODEL_DIR [--texts N]
  fmw bench train --spec SPEC.json [--method lora|full|both]
  fmw create-model --preset tiny|demo|llama-40m|minilm-l6 --out DIR [--seed S]

  fmw demo [--workspace DIR] [--fresh]          pre-train -> LoRA fine-tune -> compare
  fmw demo-data [--out DIR]                     synthetic reviews.csv + corpus.txt
  fmw pretrain --out MODEL_DIR [--data corpus.txt] [--steps N]
  fmw train [--config run.json] [--SETTING VALUE]...   e.g. --model M --data F --out-dir RUN
            --prompt-template "Review: {text}\nSentiment:" --completion-template " {label}"
            --lr 2e-4 --batch-size 8 --epochs 1 --lora-r 8 --lora-target-modules q_proj,v_proj
            (every key of run.json is also a flag; --list-settings prints them) [--json]
  fmw stats MODEL_DIR --data FILE [--SETTING VALUE]...   rows, token lengths against --max-length,
            labels, duplicates, train/validation leakage, skipped rows (as the trainer sees them)
  fmw resume RUN_DIR [--json]
  fmw eval MODEL_DIR --data FILE [--adapter DIR] [--prompt-template T --completion-template T]
           [--all-rows] [--max-length N] [--max-rows N]
  fmw merge MODEL_DIR ADAPTER_DIR --out DIR [--overwrite]

Ctrl+C during training stops at the next step and saves a checkpoint that `fmw resume` continues.
The demo workspace defaults to $FMW_WORKSPACE, else ~/fm-workbench.

global options: --threads N (default: all cores)
)";

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::vector<std::string>> opts;
  bool has(const std::string& k) const { return opts.count(k) > 0; }
  std::string get(const std::string& k, const std::string& def = "") const {
    auto it = opts.find(k);
    return it == opts.end() || it->second.empty() ? def : it->second.back();
  }
};

const std::vector<std::string> kFlags = {"--json", "--ids", "--special", "--jsonl", "--chat",
                                         "--no-cache", "--skip-no-cache", "--help", "--fresh",
                                         "--all-rows", "--list-settings", "--overwrite"};
// Flags of the embedding commands; `fmw rerank --query TEXT` takes a value.
const std::vector<std::string> kPromptFlags = {"--query", "--passage"};

Args parse(int argc, char** argv, int from, const std::string& cmd) {
  Args a;
  const bool promptFlags = cmd == "embed" || cmd == "similarity";
  for (int i = from; i < argc; ++i) {
    std::string s = argv[i];
    if (s.rfind("--", 0) == 0) {
      if (std::find(kFlags.begin(), kFlags.end(), s) != kFlags.end() ||
          (promptFlags && std::find(kPromptFlags.begin(), kPromptFlags.end(), s) != kPromptFlags.end())) {
        a.opts[s].push_back("1");
      } else {
        auto eq = s.find('=');
        if (eq != std::string::npos) {
          a.opts[s.substr(0, eq)].push_back(s.substr(eq + 1));
        } else {
          if (i + 1 >= argc) throw fm::ConfigError("option " + s + " needs a value");
          a.opts[s].push_back(argv[++i]);
        }
      }
    } else {
      a.positional.push_back(s);
    }
  }
  return a;
}

double toNum(const std::string& flag, const std::string& v) {
  try {
    size_t n = 0;
    double d = std::stod(v, &n);
    if (n != v.size()) throw std::invalid_argument(v);
    return d;
  } catch (const std::exception&) {
    throw fm::ConfigError(flag + " expects a number, got \"" + v + "\"");
  }
}

long long toInt(const std::string& flag, const std::string& v) {
  try {
    size_t n = 0;
    long long d = std::stoll(v, &n);
    if (n != v.size()) throw std::invalid_argument(v);
    return d;
  } catch (const std::exception&) {
    throw fm::ConfigError(flag + " expects an integer, got \"" + v + "\"");
  }
}

std::string needDir(const Args& a, const char* cmd) {
  if (a.positional.empty()) throw fm::ConfigError(std::string("fmw ") + cmd + ": MODEL_DIR is missing");
  return a.positional[0];
}

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

std::unique_ptr<fm::Tokenizer> loadTokenizer(const std::string& dir) {
  return fm::Tokenizer::fromFolder(dir);
}

int cmdTokenize(const Args& a) {
  auto tok = loadTokenizer(needDir(a, "tokenize"));
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

fm::LoadOptions loadOptions(const Args& a) {
  fm::LoadOptions lo;
  lo.dtype = a.get("--dtype", lo.dtype);
  lo.device = a.get("--device", lo.device);
  return lo;
}

int cmdGenerate(const Args& a) {
  const std::string dir = needDir(a, "generate");
  if (!a.has("--prompt")) throw fm::ConfigError("fmw generate: --prompt TEXT is missing (it may be empty: --prompt \"\")");
  auto model = fm::LoadedModel::load(dir, loadOptions(a));
  const fm::Tokenizer* tok = model->tokenizer();
  if (!tok) throw fm::IoError("fmw generate: " + model->info().tokenizerError);
  const auto& d = model->generationDefaults();

  fm::GenerateOptions o;
  o.temperature = d.doSample ? (d.temperature >= 0 ? d.temperature : 1.0) : 0.0;
  if (d.topK >= 0) o.topK = d.topK;
  if (d.topP > 0) o.topP = d.topP;
  if (d.repetitionPenalty > 0) o.repetitionPenalty = d.repetitionPenalty;
  o.maxNewTokens = d.maxNewTokens > 0 ? d.maxNewTokens : 128;
  if (a.has("--temperature")) o.temperature = toNum("--temperature", a.get("--temperature"));
  if (a.has("--top-k")) o.topK = static_cast<int>(toInt("--top-k", a.get("--top-k")));
  if (a.has("--top-p")) o.topP = toNum("--top-p", a.get("--top-p"));
  if (a.has("--repetition-penalty")) o.repetitionPenalty = toNum("--repetition-penalty", a.get("--repetition-penalty"));
  if (a.has("--max-new-tokens")) o.maxNewTokens = static_cast<int>(toInt("--max-new-tokens", a.get("--max-new-tokens")));
  if (a.has("--seed")) o.seed = static_cast<uint64_t>(toInt("--seed", a.get("--seed")));
  if (a.has("--stop")) o.stopStrings = a.opts.at("--stop");
  o.useCache = !a.has("--no-cache");
  if (a.has("--adapter")) o.adapter = fm::loadAdapterFor(*model, a.get("--adapter"));

  const std::string prompt = a.get("--prompt");
  std::vector<int32_t> ids;
  if (a.has("--chat")) {
    fm::ChatFormat cf = fm::ChatFormat::detect(tok->chatTemplate());
    if (!cf.message.empty()) std::fprintf(stderr, "fmw: %s\n", cf.message.c_str());
    std::vector<fm::ChatMessage> msgs;
    if (a.has("--system")) msgs.push_back({"system", a.get("--system")});
    msgs.push_back({"user", prompt});
    ids = tok->encode(fm::renderChat(cf.kind, msgs, true, tok->special()), false);
    for (const auto& s : fm::chatStopStrings(cf.kind, tok->special())) o.stopStrings.push_back(s);
  } else if (prompt.empty()) {
    std::optional<int32_t> bos = tok->special().bos;
    if (!bos && model->info().bosId >= 0) bos = static_cast<int32_t>(model->info().bosId);
    if (!bos) throw fm::ConfigError("the prompt is empty and this model has no BOS token to start from");
    ids = {*bos};
  } else {
    ids = tok->encode(prompt, true);
  }
  if (!a.has("--chat")) std::cout << prompt << std::flush;
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

int cmdBenchTrain(const Args& a);

int cmdBench(const Args& a) {
  if (!a.positional.empty() && a.positional[0] == "train") return cmdBenchTrain(a);
  if (!a.positional.empty() && a.positional[0] == "embed") {
    if (a.positional.size() < 2) throw fm::ConfigError("fmw bench embed: MODEL_DIR is missing");
    auto model = fm::LoadedModel::load(a.positional[1], loadOptions(a));
    auto r = fm::benchEmbed(*model, toInt("--texts", a.get("--texts", "512")));
    json j = r.toJson();
    j["model"] = a.positional[1];
    std::cout << j.dump() << "\n";
    return 0;
  }
  if (a.positional.empty() || a.positional[0] != "generate")
    throw fm::ConfigError(
        "fmw bench: expected `fmw bench generate MODEL_DIR`, `fmw bench embed MODEL_DIR` or `fmw bench train --spec SPEC.json`");
  if (a.positional.size() < 2) throw fm::ConfigError("fmw bench generate: MODEL_DIR is missing");
  auto model = fm::LoadedModel::load(a.positional[1], loadOptions(a));
  const int promptTokens = static_cast<int>(toInt("--prompt-tokens", a.get("--prompt-tokens", "128")));
  const int newTokens = static_cast<int>(toInt("--new-tokens", a.get("--new-tokens", "256")));
  auto r = fm::benchGenerate(*model, promptTokens, newTokens, !a.has("--skip-no-cache"),
                             [](const std::string& s) { std::fprintf(stderr, "bench: %s\n", s.c_str()); });
  json j = {{"model", a.positional[1]},
            {"parameters", model->info().parameters},
            {"threads", r.threads},
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
  fm::createBuiltinModel(a.get("--out"), preset, static_cast<uint64_t>(toInt("--seed", a.get("--seed", "1"))));
  std::fprintf(stderr, "wrote a random-weight %s model to %s\n", preset.c_str(), a.get("--out").c_str());
  return 0;
}

// ---------------------------------------------------------------- training commands

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
  for (char& c : k)
    if (c == '-') c = '_';
  return k;
}

// A trainer config from --config and any --setting-name flags (the keys of run.json).
fm::TrainConfig trainConfigFromArgs(const Args& a, const std::string& cmd) {
  fm::TrainConfig cfg;
  if (a.has("--config")) cfg = fm::TrainConfig::fromJson(fm::readJsonFile(a.get("--config")));
  for (const auto& [flag, values] : a.opts) {
    if (flag == "--config" || flag == "--json" || flag == "--threads") continue;
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
  return finishTraining(fm::resumeTraining(a.positional[0], trainPrinter(a.has("--json"))));
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

std::filesystem::path workspace(const Args& a) {
  if (a.has("--workspace")) return a.get("--workspace");
  if (const char* w = std::getenv("FMW_WORKSPACE")) return w;
  const char* home = std::getenv("HOME");
  if (!home) home = std::getenv("USERPROFILE");
  if (!home) throw fm::ConfigError("no home folder: pass --workspace DIR");
  return std::filesystem::path(home) / "fm-workbench";
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

int main(int argc, char** argv) {
  fm::ensureRuntimeEnvironment(argc, argv);
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
      !std::strcmp(argv[1], "help")) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const std::string cmd = argv[1];
  try {
    Args a = parse(argc, argv, 2, cmd);
    std::string threadNote;
    const long long wanted = a.has("--threads") ? toInt("--threads", a.get("--threads")) : 0;
    const int threads = fm::boundThreads(static_cast<int>(std::max<long long>(std::min<long long>(wanted, 1 << 20), -1)), &threadNote);
    if (!threadNote.empty()) std::fprintf(stderr, "fmw: %s\n", threadNote.c_str());
    fm::initRuntime(threads);
    if (cmd == "info") return cmdInfo(a);
    if (cmd == "tokenize") return cmdTokenize(a);
    if (cmd == "embed") return cmdEmbed(a);
    if (cmd == "rerank") return cmdRerank(a);
    if (cmd == "similarity") return cmdSimilarity(a);
    if (cmd == "generate") return cmdGenerate(a);
    if (cmd == "bench") return cmdBench(a);
    if (cmd == "create-model") return cmdCreateModel(a);
    if (cmd == "train") return cmdTrain(a);
    if (cmd == "resume") return cmdResume(a);
    if (cmd == "eval") return cmdEval(a);
    if (cmd == "merge") return cmdMerge(a);
    if (cmd == "demo") return cmdDemo(a);
    if (cmd == "demo-data") return cmdDemoData(a);
    if (cmd == "pretrain") return cmdPretrain(a);
    if (cmd == "stats") return cmdStats(a);
    std::fprintf(stderr, "fmw: unknown command \"%s\"\n\n%s", cmd.c_str(), kUsage);
    return 2;
  } catch (const fm::Error& e) {
    std::fprintf(stderr, "fmw %s: error: %s\n", cmd.c_str(), e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fmw %s: internal error: %s\n", cmd.c_str(), fm::errorMessage(e).c_str());
    return 3;
  }
}
