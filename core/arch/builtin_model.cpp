#include "arch/builtin_model.h"

#include <torch/torch.h>

#include <fstream>
#include <random>

#include "arch/causal_lm.h"
#include "nn/weights.h"
#include "io/atomic_file.h"
#include "io/safetensors.h"
#include "tokenize/spm_backend.h"
#include "util/error.h"

namespace fm {
namespace fs = std::filesystem;
using nlohmann::json;

std::vector<std::string> builtinPresets() { return {"tiny", "demo", "reader", "llama-40m"}; }

json builtinConfig(const std::string& preset) {
  json c = {{"architectures", {"LlamaForCausalLM"}},
            {"model_type", "llama"},
            {"hidden_act", "silu"},
            {"rms_norm_eps", 1e-5},
            {"rope_theta", 10000.0},
            {"bos_token_id", 1},
            {"eos_token_id", 2},
            {"pad_token_id", 0},
            {"torch_dtype", "float32"}};
  if (preset == "tiny") {
    c.update({{"vocab_size", 512}, {"hidden_size", 64}, {"intermediate_size", 172},
              {"num_hidden_layers", 2}, {"num_attention_heads", 4}, {"num_key_value_heads", 2},
              {"max_position_embeddings", 512}, {"tie_word_embeddings", true}});
  } else if (preset == "demo") {
    // The teaching model pretrained by `fmw pretrain`: ~1M parameters, trains in minutes on 2 cores.
    c.update({{"vocab_size", 1024}, {"hidden_size", 128}, {"intermediate_size", 352},
              {"num_hidden_layers", 4}, {"num_attention_heads", 4}, {"num_key_value_heads", 2},
              {"max_position_embeddings", 256}, {"tie_word_embeddings", true}});
  } else if (preset == "reader") {
    // The Collections demo's reader: the demo model's shape with room for a grounded prompt.
    c.update({{"vocab_size", 2048}, {"hidden_size", 128}, {"intermediate_size", 352},
              {"num_hidden_layers", 4}, {"num_attention_heads", 4}, {"num_key_value_heads", 2},
              {"max_position_embeddings", 512}, {"tie_word_embeddings", true}});
  } else if (preset == "llama-40m") {
    // The shape of the training benchmark's model: 8 layers, d=512, GQA 8/4.
    c.update({{"vocab_size", 16000}, {"hidden_size", 512}, {"intermediate_size", 1376},
              {"num_hidden_layers", 8}, {"num_attention_heads", 8}, {"num_key_value_heads", 4},
              {"max_position_embeddings", 1024}, {"tie_word_embeddings", false}});
  } else {
    std::string list;
    for (const auto& p : builtinPresets()) list += (list.empty() ? "" : ", ") + p;
    throw ConfigError("unknown built-in model preset \"" + preset + "\" (presets: " + list + ")");
  }
  return c;
}

std::string builtinCorpus(int sentences, uint64_t seed) {
  static const char* kSubjects[] = {"The teacher", "A student", "My neighbour", "The old map",
                                    "This small model", "Every river", "The red train",
                                    "Our team", "The quiet library", "A curious cat"};
  static const char* kVerbs[] = {"reads", "finds", "builds", "follows", "explains", "remembers",
                                 "carries", "watches", "learns", "paints"};
  static const char* kObjects[] = {"a long story", "the mountain road", "seven blue stones",
                                   "the evening news", "a simple recipe", "the hidden garden",
                                   "twelve paper boats", "the winter sky", "a new language",
                                   "the broken clock"};
  static const char* kEndings[] = {"before breakfast.", "with great care.", "in the rain.",
                                   "every Sunday.", "without a word.", "near the station.",
                                   "after the lesson.", "for 3 hours.", "again and again.",
                                   "by the window."};
  std::mt19937_64 rng(seed);
  std::string out;
  for (int i = 0; i < sentences; ++i) {
    out += kSubjects[rng() % 10];
    out += ' ';
    out += kVerbs[rng() % 10];
    out += ' ';
    out += kObjects[rng() % 10];
    out += ' ';
    out += kEndings[rng() % 10];
    out += (i % 4 == 3) ? "\n" : " ";
  }
  return out;
}

void trainSentencePiece(const std::string& text, const fs::path& dir, int vocabSize) {
  makeFolder(dir);
  const fs::path corpus = dir / ".tokenizer-corpus.txt";
  writeFileAtomic(corpus, text);
  const fs::path prefix = dir / ".tokenizer-training";
  std::string args = "--input=" + corpus.string() + " --model_prefix=" + prefix.string() +
                     " --vocab_size=" + std::to_string(vocabSize) +
                     " --model_type=bpe --byte_fallback=true --character_coverage=1.0"
                     " --unk_id=0 --bos_id=1 --eos_id=2 --pad_id=-1"
                     " --num_threads=1 --minloglevel=2 --max_sentence_length=100000"
                     " --hard_vocab_limit=false --split_digits=true";
  std::error_code ec;
  try {
    trainSpm(args);
  } catch (...) {
    fs::remove(corpus, ec);
    throw;
  }
  fs::remove(corpus, ec);
  fs::remove(prefix.string() + ".vocab", ec);
  fs::rename(prefix.string() + ".model", dir / "tokenizer.model");
}

void saveWeights(CausalLM& model, const fs::path& file) {
  std::vector<std::pair<std::string, torch::Tensor>> named;
  for (const auto& p : model.named_parameters(true)) named.emplace_back(p.key(), p.value());
  writeTensorFile(file, named);
}

void createBuiltinModel(const fs::path& dir, const std::string& preset, uint64_t seed,
                        const std::string& tokenizerText) {
  json config = builtinConfig(preset);
  makeFolder(dir);
  const int tokVocab = preset == "tiny" ? 512 : preset == "demo" ? 1024 : preset == "reader" ? 2048 : 1000;
  trainSentencePiece(tokenizerText.empty() ? builtinCorpus(4000, seed) : tokenizerText, dir, tokVocab);
  if (preset != "llama-40m") config["vocab_size"] = tokVocab;

  torch::manual_seed(seed);
  auto lm = createCausalLM(config);
  {
    torch::NoGradGuard ng;
    for (auto& p : lm->named_parameters(true)) {
      const std::string& n = p.key();
      if (n.size() >= 11 && n.compare(n.size() - 11, 11, "norm.weight") == 0)
        p.value().fill_(1.0);
      else if (n.size() >= 5 && n.compare(n.size() - 5, 5, ".bias") == 0)
        p.value().zero_();
      else
        p.value().normal_(0.0, 0.02);
    }
  }
  saveWeights(*lm, dir / "model.safetensors");
  writeFileAtomic(dir / "config.json", config.dump(2) + "\n");
  json gen = {{"bos_token_id", 1}, {"eos_token_id", 2}, {"do_sample", true},
              {"temperature", 0.8}, {"top_p", 0.95}, {"max_new_tokens", 64}};
  writeFileAtomic(dir / "generation_config.json", gen.dump(2) + "\n");
  json tc = {{"tokenizer_class", "LlamaTokenizer"}, {"bos_token", "<s>"}, {"eos_token", "</s>"},
             {"unk_token", "<unk>"}, {"add_bos_token", true}, {"add_eos_token", false},
             {"model_max_length", config["max_position_embeddings"]}};
  writeFileAtomic(dir / "tokenizer_config.json", tc.dump(2) + "\n");
}

}  // namespace fm
