#include "embed/train_embedder.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>

#include "arch/builtin_model.h"
#include "arch/encoder.h"
#include "io/atomic_file.h"
#include "io/model_folder.h"
#include "jobs/cancelled.h"
#include "nn/weights.h"
#include "tokenize/tokenizer.h"
#include "util/error.h"
#include "util/paths.h"
#include "util/runtime.h"

namespace fm {

namespace fs = std::filesystem;
using nlohmann::json;

void writeRandomModel(const fs::path& dir, const json& config, uint64_t seed) {
  torch::manual_seed(seed);
  auto net = createNetwork(config);
  std::vector<std::pair<std::string, torch::Tensor>> named;
  {
    torch::NoGradGuard ng;
    for (auto& p : net->named_parameters(true)) {
      const std::string& n = p.key();
      // LayerNorm / layer_norm1 / pre_layrnorm / layernorm_before / ln_f: every family's name.
      const bool norm = n.find("Norm") != std::string::npos || n.find("norm") != std::string::npos ||
                        n.find("ln_") != std::string::npos;
      if (n == "logit_scale") {
        // CLIP's temperature keeps its configured start
      } else if (norm && n.size() >= 7 && n.compare(n.size() - 7, 7, ".weight") == 0) p.value().fill_(1.0);
      else if (n.size() >= 5 && n.compare(n.size() - 5, 5, ".bias") == 0) p.value().zero_();
      else p.value().normal_(0.0, 0.02);
      named.emplace_back(n, p.value());
    }
  }
  makeFolder(dir);
  writeTensorFile(dir / "model.safetensors", named);
  writeFileAtomic(dir / "config.json", config.dump(2) + "\n");
}

double warmupCosineLr(int64_t step, int64_t steps, int64_t warmup, double peak, double floor) {
  if (step <= warmup) return peak * static_cast<double>(step) / static_cast<double>(std::max<int64_t>(1, warmup));
  const double progress = static_cast<double>(step - 1) / static_cast<double>(std::max<int64_t>(1, steps - 1));
  return peak * (floor + (1 - floor) * 0.5 * (1 + std::cos(M_PI * progress)));
}

void LossPoints::add(int64_t step, int64_t steps, double loss, std::vector<std::pair<int64_t, double>>& points,
                     const JobContext& job) {
  m_sum += loss;
  ++m_count;
  if (step % 10 != 0 && step != steps) return;
  points.emplace_back(step, m_sum / static_cast<double>(m_count));
  job.log("step " + std::to_string(step) + ": loss " + std::to_string(m_sum / static_cast<double>(m_count)));
  m_sum = 0;
  m_count = 0;
}

void createEmbedderFolder(const fs::path& dir, const std::string& tokenizerText, const json& overrides, uint64_t seed,
                          int vocabSize) {
  makeFolder(dir);
  trainSentencePiece(tokenizerText, dir, vocabSize);
  json tc = {{"tokenizer_class", "LlamaTokenizer"}, {"bos_token", "<s>"}, {"eos_token", "</s>"},
             {"unk_token", "<unk>"}, {"add_bos_token", true}, {"add_eos_token", true}};
  writeFileAtomic(dir / "tokenizer_config.json", tc.dump(2) + "\n");
  const auto tok = Tokenizer::fromFolder(dir);
  json config = {{"architectures", {"BertModel"}},
                 {"model_type", "bert"},
                 {"vocab_size", tok->vocabSize()},
                 {"hidden_size", 128},
                 {"num_hidden_layers", 2},
                 {"num_attention_heads", 4},
                 {"intermediate_size", 512},
                 {"hidden_act", "gelu"},
                 {"hidden_dropout_prob", 0.0},
                 {"attention_probs_dropout_prob", 0.0},
                 {"max_position_embeddings", 256},
                 {"type_vocab_size", 2},
                 {"initializer_range", 0.02},
                 {"layer_norm_eps", 1e-12},
                 {"pad_token_id", 0},
                 {"position_embedding_type", "absolute"},
                 {"torch_dtype", "float32"}};
  if (overrides.is_object()) config.update(overrides);
  tc["model_max_length"] = config["max_position_embeddings"];
  writeFileAtomic(dir / "tokenizer_config.json", tc.dump(2) + "\n");
  writeRandomModel(dir, config, seed);
  // sentence-transformers: the transformer, mean pooling, then unit length.
  const json modules = json::array({{{"idx", 0}, {"name", "0"}, {"path", ""}, {"type", "sentence_transformers.models.Transformer"}},
                                    {{"idx", 1}, {"name", "1"}, {"path", "1_Pooling"}, {"type", "sentence_transformers.models.Pooling"}},
                                    {{"idx", 2}, {"name", "2"}, {"path", "2_Normalize"}, {"type", "sentence_transformers.models.Normalize"}}});
  writeFileAtomic(dir / "modules.json", modules.dump(2) + "\n");
  makeFolder(dir / "1_Pooling");
  makeFolder(dir / "2_Normalize");
  const json pooling = {{"word_embedding_dimension", config["hidden_size"]},
                        {"pooling_mode_cls_token", false},
                        {"pooling_mode_mean_tokens", true},
                        {"pooling_mode_max_tokens", false},
                        {"pooling_mode_mean_sqrt_len_tokens", false},
                        {"pooling_mode_weightedmean_tokens", false},
                        {"pooling_mode_lasttoken", false},
                        {"include_prompt", true}};
  writeFileAtomic(dir / "1_Pooling" / "config.json", pooling.dump(2) + "\n");
  const json st = {{"max_seq_length", config["max_position_embeddings"]}, {"do_lower_case", false}};
  writeFileAtomic(dir / "sentence_bert_config.json", st.dump(2) + "\n");
}

namespace {

struct Batch {
  torch::Tensor ids, keep;
};

Batch pad(const std::vector<const std::vector<int32_t>*>& rows) {
  size_t longest = 1;
  for (const auto* r : rows) longest = std::max(longest, r->size());
  const auto n = static_cast<int64_t>(rows.size()), t = static_cast<int64_t>(longest);
  Batch b{torch::zeros({n, t}, torch::kInt64), torch::zeros({n, t}, torch::kInt64)};
  auto ids = b.ids.accessor<int64_t, 2>();
  auto keep = b.keep.accessor<int64_t, 2>();
  for (int64_t i = 0; i < n; ++i)
    for (size_t j = 0; j < rows[static_cast<size_t>(i)]->size(); ++j) {
      ids[i][static_cast<int64_t>(j)] = (*rows[static_cast<size_t>(i)])[j];
      keep[i][static_cast<int64_t>(j)] = 1;
    }
  return b;
}

// Mean of the real tokens' last hidden states, at unit length: what the folder's pooling and
// normalisation modules compute.
torch::Tensor embed(TextEncoder& enc, const Batch& b) {
  EncoderArgs a;
  a.ids = b.ids;
  a.keep = b.keep;
  const torch::Tensor h = enc.forward(a);
  const torch::Tensor m = b.keep.unsqueeze(-1).to(h.dtype());
  const torch::Tensor mean = (h * m).sum(1) / m.sum(1).clamp_min(1.0);
  return torch::nn::functional::normalize(mean, torch::nn::functional::NormalizeFuncOptions().dim(-1));
}

}  // namespace

EmbedderTrainResult trainEmbedder(const fs::path& dir, const std::vector<TextPair>& pairs, const EmbedderTrainOptions& o,
                                  const JobContext& job) {
  const auto t0 = std::chrono::steady_clock::now();
  if (pairs.size() < 2) throw ConfigError("training an embedder needs at least two pairs of texts");
  ThreadCountScope threads(o.threads);
  const ModelFolder folder = ModelFolder::open(dir);
  auto net = createNetwork(folder.config());
  auto* enc = dynamic_cast<TextEncoder*>(net.get());
  if (!enc) throw ConfigError(utf8(dir) + " is not a text encoder (BERT, RoBERTa, XLM-RoBERTa)");
  loadWeights(*net, folder.openWeights());
  const auto tok = Tokenizer::fromFolder(dir);
  const size_t maxLen = static_cast<size_t>(std::max<int64_t>(8, o.maxLength));
  std::vector<std::vector<int32_t>> queries, passages;
  for (const TextPair& p : pairs) {
    queries.push_back(tok->encodeForModel(o.queryPrefix + p.query, maxLen).ids);
    passages.push_back(tok->encodeForModel(o.passagePrefix + p.passage, maxLen).ids);
  }
  torch::manual_seed(o.seed);
  std::mt19937_64 rng(o.seed);
  net->train();
  std::vector<torch::Tensor> params;
  for (auto& p : net->parameters()) params.push_back(p);
  torch::optim::AdamW opt(params, torch::optim::AdamWOptions(o.lr).weight_decay(0.01));
  std::vector<size_t> order(pairs.size());
  std::iota(order.begin(), order.end(), 0);
  size_t at = order.size();
  EmbedderTrainResult r;
  LossPoints points;
  const int64_t batch = std::min<int64_t>(o.batchSize, static_cast<int64_t>(pairs.size()));
  for (int64_t step = 1; step <= o.steps; ++step) {
    if (job.stopAsked()) {
      r.status = JobStatus::Cancelled;
      return r;
    }
    const double lr = warmupCosineLr(step, o.steps, o.warmupSteps, o.lr, 0.1);
    for (auto& g : opt.param_groups()) static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);
    std::vector<const std::vector<int32_t>*> qs, ps;
    for (int64_t i = 0; i < batch; ++i) {
      if (at >= order.size()) {
        std::shuffle(order.begin(), order.end(), rng);
        at = 0;
      }
      const size_t k = order[at++];
      qs.push_back(&queries[k]);
      ps.push_back(&passages[k]);
    }
    const torch::Tensor q = embed(*enc, pad(qs)), p = embed(*enc, pad(ps));
    const torch::Tensor logits = torch::matmul(q, p.t()) / o.temperature;
    const torch::Tensor target = torch::arange(batch, torch::kInt64);
    const torch::Tensor loss = 0.5 * (torch::nn::functional::cross_entropy(logits, target) +
                                      torch::nn::functional::cross_entropy(logits.t(), target));
    opt.zero_grad();
    loss.backward();
    torch::nn::utils::clip_grad_norm_(params, 1.0);
    opt.step();
    points.add(step, o.steps, loss.item<double>(), r.loss, job);
    try {
      job.report(static_cast<double>(step) / static_cast<double>(o.steps),
                 "training the embedder: step " + std::to_string(step) + " of " + std::to_string(o.steps));
    } catch (const CancelledError&) {
      r.status = JobStatus::Cancelled;
      return r;
    }
  }
  net->eval();
  std::vector<std::pair<std::string, torch::Tensor>> named;
  for (const auto& p : net->named_parameters(true)) named.emplace_back(p.key(), p.value().detach());
  writeTensorFile(dir / "model.safetensors", named);  // atomic: a kill keeps the old weights
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace fm
