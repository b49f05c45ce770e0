#include "train/bench_train.h"

#include <chrono>
#include <cmath>
#include <random>

#include "arch/causal_lm.h"
#include "nn/lora_adapter.h"
#include "lora/lora.h"
#include "train/session.h"
#include "util/error.h"

namespace fm {
using nlohmann::json;
using Clock = std::chrono::steady_clock;

json TrainBenchResult::toJson() const {
  return {{"method", method}, {"tokens_per_s", tokensPerS}, {"steps", steps}, {"seconds", seconds},
          {"step_seconds", stepSeconds}, {"tokens", tokens}, {"loss", loss},
          {"flops_per_token", flopsPerToken}, {"gemm_gflops", gemmGflops},
          {"achieved_gflops", achievedGflops}, {"gemm_fraction", gemmFraction}};
}

double measureGemmGflops(int64_t m, int64_t k, int64_t n, double seconds) {
  torch::NoGradGuard ng;
  auto a = torch::randn({m, k}), b = torch::randn({k, n});
  auto c = torch::mm(a, b);
  int64_t reps = 0;
  const auto t0 = Clock::now();
  double dt = 0;
  while (dt < seconds) {
    c = torch::mm(a, b);
    ++reps;
    dt = std::chrono::duration<double>(Clock::now() - t0).count();
  }
  return 2.0 * m * k * n * reps / dt / 1e9;
}

TrainBenchResult benchTrain(const json& spec, const std::string& method) {
  for (const char* k : {"model", "lora", "train", "data"})
    if (!spec.contains(k)) throw ConfigError(std::string("bench spec: missing \"") + k + "\"");
  const json& mc = spec["model"];
  const json& lc = spec["lora"];
  const json& tc = spec["train"];
  const json& dc = spec["data"];
  torch::manual_seed(0);
  auto lm = createCausalLM(mc);
  {
    torch::NoGradGuard ng;
    for (auto& p : lm->named_parameters(true)) {
      if (p.value().dim() < 2) p.value().fill_(1.0);
      else p.value().normal_(0.0, 0.02);
    }
  }
  std::vector<torch::Tensor> decay;
  std::shared_ptr<LoraAdapter> adapter;
  if (method == "lora") {
    LoraConfig cfg;
    cfg.r = lc.value("r", 8);
    cfg.alpha = lc.value("alpha", 16.0);
    cfg.dropout = lc.value("dropout", 0.0);
    cfg.targetModules = lc.value("target_modules", std::vector<std::string>{"q_proj", "v_proj"});
    for (auto& p : lm->parameters()) p.set_requires_grad(false);
    adapter = createLora(*lm, cfg, 0);
    decay = loraParameters(*adapter);
  } else if (method == "full") {
    for (auto& p : lm->parameters()) {
      p.set_requires_grad(true);
      decay.push_back(p);
    }
  } else {
    throw ConfigError("bench train: method must be lora or full, got \"" + method + "\"");
  }
  lm->train();
  OptimConfig oc;
  oc.lr = tc.value("lr", 2e-4);
  oc.maxGradNorm = 0;  // the reference does not clip
  Session session(*lm, decay, {}, oc);
  AdapterScope adapterScope(adapter.get());

  // Sequence lengths: log-normal, clamped, as the spec describes.
  const int64_t n = dc.value("n", 512), minLen = dc.value("min_len", 16), maxLen = dc.value("max_len", 512);
  std::mt19937_64 rng(dc.value("seed", 7));
  std::lognormal_distribution<double> lengths(dc.value("mu", 4.6), dc.value("sigma", 0.6));
  const int64_t V = mc.value("vocab_size", 32000);
  std::vector<Example> data(n);
  for (auto& e : data) {
    const int64_t len = std::max(minLen, std::min(maxLen, static_cast<int64_t>(lengths(rng))));
    e.ids.resize(len);
    for (auto& id : e.ids) id = static_cast<int32_t>(3 + rng() % (V - 3));
    e.target.assign(len, 1);
    e.target[0] = 0;
  }
  const int64_t bs = tc.value("batch_size", 8), steps = tc.value("steps", 6), warm = tc.value("warmup_steps", 2);
  TrainBenchResult r;
  r.method = method;
  double seconds = 0;
  int64_t tokens = 0;
  for (int64_t step = 0; step < warm + steps; ++step) {
    std::vector<const Example*> seqs;
    for (int64_t i = 0; i < bs; ++i) seqs.push_back(&data[(step * bs + i) % n]);
    const auto t0 = Clock::now();
    std::vector<PackedBatch> micro{packExamples(seqs)};
    StepResult s = session.computeGradients(micro);
    session.applyUpdate(oc.lr, s);
    const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
    if (step >= warm) {
      seconds += dt;
      tokens += s.tokens;
      r.loss = s.loss;
    }
  }
  r.steps = steps;
  r.seconds = seconds;
  r.tokens = tokens;
  r.tokensPerS = tokens / seconds;
  r.stepSeconds = seconds / steps;

  // Arithmetic per token: every linear layer forward (2 flops per weight) and its input
  // gradient (2 more); weight gradients (2 more) only for trained weights; attention scores and
  // mixing over the average context, forward and twice that backward.
  const ArchSummary& a = lm->summary();
  double linear = 0, trained = 0;
  for (const auto& p : lm->named_parameters(true))
    if (p.value().dim() == 2 && p.key().find("embed") == std::string::npos) linear += p.value().numel();
  if (a.tiedEmbeddings) linear += static_cast<double>(a.vocabSize) * a.hidden;
  for (const auto& t : decay) trained += t.numel();
  if (method == "lora") linear += trained;  // the adapters' own products
  double avgCtx = 0;
  for (int64_t step = warm; step < warm + steps; ++step)
    for (int64_t i = 0; i < bs; ++i) {
      const double len = static_cast<double>(data[(step * bs + i) % n].ids.size());
      avgCtx += len * len / 2;  // sum over positions of the causal context
    }
  avgCtx /= std::max<int64_t>(1, tokens);
  const double attn = 2.0 * 2.0 * a.layers * a.heads * a.headDim * avgCtx;
  r.flopsPerToken = 4.0 * linear + 2.0 * trained + 3.0 * attn;
  r.gemmGflops = measureGemmGflops(1024, a.hidden, a.intermediate, 1.0);
  r.achievedGflops = r.flopsPerToken * r.tokensPerS / 1e9;
  r.gemmFraction = r.achievedGflops / r.gemmGflops;
  return r;
}

}  // namespace fm
