// The optimisation core shared by the trainer and the training benchmark: packed micro-batches,
// one AdamW step over a set of trainable tensors, and evaluation.
//
// Thread safety: one Session per training job; it mutates the model it was given.
#pragma once

#include <functional>

#include <torch/torch.h>

#include <memory>
#include <vector>

#include "arch/causal_lm.h"
#include "train/examples.h"

namespace fm {

// Sequences laid end to end: ids (1, T), one segment per sequence, and the rows whose logits
// predict a target token (row r predicts labels[r]).
struct PackedBatch {
  torch::Tensor ids, rows, labels;
  std::vector<int64_t> segments;
  int64_t tokens = 0, targets = 0;
};
PackedBatch packExamples(const std::vector<const Example*>& seqs);

struct OptimConfig {
  double lr = 2e-4, weightDecay = 0, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, maxGradNorm = 1.0;
};

struct StepResult {
  double loss = 0;       // mean over the step's target tokens
  double gradNorm = 0;   // before clipping
  int64_t tokens = 0, targets = 0;
};

class Session {
 public:
  // `decay` and `noDecay` are the trainable tensors with and without weight decay.
  Session(CausalLM& lm, std::vector<torch::Tensor> decay, std::vector<torch::Tensor> noDecay,
          const OptimConfig& cfg);
  // Forward + backward over the micro-batches (gradients accumulate), without the update.
  // Forward and backward over the micro-batches; measures the gradient norm.
  StepResult computeGradients(const std::vector<PackedBatch>& micro);
  // Clips to max_grad_norm, sets the learning rate and applies AdamW; zeroes the gradients.
  // A non-finite gradient norm changes nothing (returns false).
  bool applyUpdate(double lr, const StepResult& r);
  void zeroGrad();
  torch::optim::AdamW& optimizer() { return *m_opt; }
  std::vector<torch::Tensor> parameters() const;

 private:
  CausalLM& m_lm;
  OptimConfig m_cfg;
  std::unique_ptr<torch::optim::AdamW> m_opt;
};

// Mean target-token loss over `idx` (batched by `batchSize`), and accuracy by scoring each label
// option when the set has label options.
struct EvalOutcome {
  double loss = -1, accuracy = -1;
  int64_t rows = 0, tokens = 0;
};
// `progress(rowsDone, rows)` is called after each batch; returning false stops the evaluation
// (the outcome then has rows == 0).
using EvalProgress = std::function<bool(int64_t done, int64_t rows)>;
EvalOutcome evaluateExamples(CausalLM& lm, const Tokenizer& tok, const ExampleSet& ex,
                             const std::vector<int64_t>& idx, int64_t batchSize, int64_t maxLength,
                             const EvalProgress& progress = {});

}  // namespace fm
