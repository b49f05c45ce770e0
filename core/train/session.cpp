#include "train/session.h"

#include <cmath>

namespace fm {

PackedBatch packExamples(const std::vector<const Example*>& seqs) {
  PackedBatch b;
  std::vector<int64_t> ids, rows, labels;
  for (const Example* e : seqs) {
    const int64_t off = static_cast<int64_t>(ids.size());
    const int64_t n = static_cast<int64_t>(e->ids.size());
    ids.insert(ids.end(), e->ids.begin(), e->ids.end());
    b.segments.push_back(n);
    for (int64_t i = 1; i < n; ++i)
      if (e->target[i]) {
        rows.push_back(off + i - 1);  // the position that predicts token i
        labels.push_back(e->ids[i]);
      }
  }
  b.tokens = static_cast<int64_t>(ids.size());
  b.targets = static_cast<int64_t>(labels.size());
  b.ids = torch::tensor(ids, torch::kLong).unsqueeze(0);  // (1, T)
  b.rows = torch::tensor(rows, torch::kLong);              // (N)
  b.labels = torch::tensor(labels, torch::kLong);          // (N)
  return b;
}

Session::Session(CausalLM& lm, std::vector<torch::Tensor> decay, std::vector<torch::Tensor> noDecay,
                 const OptimConfig& cfg)
    : m_lm(lm), m_cfg(cfg) {
  auto opts = torch::optim::AdamWOptions(cfg.lr).betas({cfg.beta1, cfg.beta2}).eps(cfg.eps);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  if (!decay.empty())
    groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(
                                   torch::optim::AdamWOptions(opts).weight_decay(cfg.weightDecay)));
  if (!noDecay.empty())
    groups.emplace_back(noDecay, std::make_unique<torch::optim::AdamWOptions>(
                                     torch::optim::AdamWOptions(opts).weight_decay(0.0)));
  m_opt = std::make_unique<torch::optim::AdamW>(groups, opts);
}

std::vector<torch::Tensor> Session::parameters() const {
  std::vector<torch::Tensor> out;
  for (const auto& g : m_opt->param_groups())
    for (const auto& p : g.params()) out.push_back(p);
  return out;
}

StepResult Session::computeGradients(const std::vector<PackedBatch>& micro) {
  StepResult r;
  for (const auto& b : micro) r.targets += b.targets;
  TORCH_CHECK(r.targets > 0, "a training step without target tokens");
  double sum = 0;
  for (const auto& b : micro) {
    r.tokens += b.tokens;
    if (b.targets == 0) continue;
    ForwardArgs a;
    a.ids = b.ids.to(m_lm.device());
    a.segments = b.segments;
    a.outputRows = b.rows;
    auto logits = m_lm.forward(a);  // (N, vocab)
    auto loss = torch::nn::functional::cross_entropy(
        logits, b.labels.to(logits.device()),
        torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
    sum += loss.item<double>();
    (loss / static_cast<double>(r.targets)).backward();
  }
  r.loss = sum / static_cast<double>(r.targets);
  double sq = 0;
  for (const auto& p : parameters())
    if (p.grad().defined()) sq += p.grad().to(torch::kDouble).pow(2).sum().item<double>();
  r.gradNorm = std::sqrt(sq);
  return r;
}

bool Session::applyUpdate(double lr, const StepResult& r) {
  if (!std::isfinite(r.gradNorm)) {  // never let inf/NaN into the weights or Adam's moments
    zeroGrad();
    return false;
  }
  const auto params = parameters();
  if (m_cfg.maxGradNorm > 0 && r.gradNorm > m_cfg.maxGradNorm) {
    torch::NoGradGuard ng;
    const double factor = m_cfg.maxGradNorm / (r.gradNorm + 1e-6);  // as clip_grad_norm_
    for (const auto& p : params)
      if (p.grad().defined()) p.grad().mul_(factor);
  }
  for (auto& g : m_opt->param_groups()) static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);
  m_opt->step();
  zeroGrad();
  return true;
}

void Session::zeroGrad() { m_opt->zero_grad(); }

EvalOutcome evaluateExamples(CausalLM& lm, const Tokenizer& tok, const ExampleSet& ex,
                             const std::vector<int64_t>& idx, int64_t batchSize, int64_t maxLength,
                             const EvalProgress& progress) {
  EvalOutcome out;
  if (idx.empty()) return out;
  // Progress counts the loss pass and, with label options, the scoring pass as one each.
  const int64_t rows = static_cast<int64_t>(idx.size());
  const int64_t passes = ex.labelOptions.empty() ? 1 : 2;
  auto report = [&](int64_t pass, double fraction) {
    return !progress || progress(static_cast<int64_t>((pass + fraction) * rows / passes), rows);
  };
  struct Restore {
    CausalLM& lm;
    bool training;
    ~Restore() { if (training) lm.train(); }
  } restore{lm, lm.is_training()};
  torch::NoGradGuard ng;
  lm.eval();
  double sum = 0;
  for (size_t s = 0; s < idx.size(); s += batchSize) {
    std::vector<const Example*> seqs;
    for (size_t i = s; i < std::min(idx.size(), s + batchSize); ++i) seqs.push_back(&ex.examples[idx[i]]);
    PackedBatch b = packExamples(seqs);
    if (b.targets == 0) continue;
    ForwardArgs a;
    a.ids = b.ids.to(lm.device());
    a.segments = b.segments;
    a.outputRows = b.rows;
    auto logits = lm.forward(a);
    sum += torch::nn::functional::cross_entropy(
               logits, b.labels.to(logits.device()),
               torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
               .item<double>();
    out.tokens += b.targets;
    if (!report(0, static_cast<double>(std::min(idx.size(), s + batchSize)) / idx.size())) return EvalOutcome{};
  }
  out.rows = static_cast<int64_t>(idx.size());
  out.loss = out.tokens > 0 ? sum / out.tokens : -1;

  if (!ex.labelOptions.empty()) {
    // Score every option after each prompt: sum of the option tokens' log-probabilities.
    struct Cand {
      Example seq;
      int64_t example, option;
    };
    std::vector<Cand> cands;
    for (int64_t i : idx) {
      const Example& e = ex.examples[i];
      for (size_t o = 0; o < ex.labelOptions.size(); ++o) {
        Cand c;
        c.example = i;
        c.option = static_cast<int64_t>(o);
        int64_t pl = 0;
        c.seq.ids = encodePromptCompletion(tok, e.prompt, ex.labelOptions[o], false, &pl);
        c.seq.target.assign(c.seq.ids.size(), 0);
        std::fill(c.seq.target.begin() + pl, c.seq.target.end(), 1);
        if (static_cast<int64_t>(c.seq.ids.size()) > maxLength) {
          // Keep the end: the option and the prompt's last tokens decide the score.
          const int64_t cut = static_cast<int64_t>(c.seq.ids.size()) - maxLength;
          c.seq.ids.erase(c.seq.ids.begin(), c.seq.ids.begin() + cut);
          c.seq.target.erase(c.seq.target.begin(), c.seq.target.begin() + cut);
        }
        cands.push_back(std::move(c));
      }
    }
    std::vector<double> score(cands.size(), 0.0);
    for (size_t s = 0; s < cands.size(); s += batchSize) {
      std::vector<const Example*> seqs;
      const size_t end = std::min(cands.size(), s + batchSize);
      for (size_t i = s; i < end; ++i) seqs.push_back(&cands[i].seq);
      PackedBatch b = packExamples(seqs);
      ForwardArgs a;
      a.ids = b.ids.to(lm.device());
      a.segments = b.segments;
      a.outputRows = b.rows;
      auto lp = torch::log_softmax(lm.forward(a), -1)
                    .gather(1, b.labels.to(lm.device()).unsqueeze(1))
                    .squeeze(1)
                    .to(torch::kCPU);  // (N)
      auto acc = lp.accessor<float, 1>();
      int64_t r = 0;
      for (size_t i = s; i < end; ++i) {
        const int64_t n = cands[i].seq.targets();
        for (int64_t k = 0; k < n; ++k) score[i] += acc[r++];
      }
      if (!report(1, static_cast<double>(end) / cands.size())) return EvalOutcome{};
    }
    int64_t correct = 0, total = 0;
    for (size_t i = 0; i < cands.size(); i += ex.labelOptions.size()) {
      size_t best = i;
      for (size_t j = i; j < i + ex.labelOptions.size(); ++j)
        if (score[j] > score[best]) best = j;
      const Example& e = ex.examples[cands[i].example];
      correct += ex.labelOptions[cands[best].option] == e.completion ? 1 : 0;
      ++total;
    }
    out.accuracy = total > 0 ? static_cast<double>(correct) / total : -1;
  }

  return out;
}

}  // namespace fm
