// Bidirectional text encoders (BERT, RoBERTa, XLM-RoBERTa) and the classifiers built on them.
//
//   auto enc = std::dynamic_pointer_cast<fm::TextEncoder>(fm::createNetwork(config));
//   torch::Tensor h = enc->forward({ids, keep});       // (B, T, hidden), last hidden state
//   torch::Tensor logits = classifier->forward({ids, keep, typeIds});   // (B, labels)
//
// Two layouts: padded (B, T) batches where `keep` marks real tokens and padded keys are
// masked; or packed, B == 1 with `segments` giving the lengths of the consecutive sequences
// laid end to end: no padding is computed, each sequence attends to itself only and its
// positions start afresh. Packed encoders return (1, T, hidden); packed classifiers return
// one row of logits per sequence.
// Thread safety: as Network; set torch::InferenceMode on the worker thread.
#pragma once

#include <vector>

#include "arch/network.h"

namespace fm {

struct EncoderArgs {
  torch::Tensor ids;      // (B, T) int64
  torch::Tensor keep;     // (B, T) nonzero for real tokens; undefined = every token is real
  torch::Tensor typeIds;  // (B, T) int64 token type (segment) ids; undefined = zeros
  std::vector<int64_t> segments;  // packed layout: sequence lengths summing to T (B == 1)
};

class TextEncoder : public Network {
 public:
  virtual torch::Tensor forward(const EncoderArgs& args) = 0;  // (B, T, hidden)
};

class SequenceClassifier : public Network {
 public:
  virtual torch::Tensor forward(const EncoderArgs& args) = 0;  // (B, labels), fp32
};

}  // namespace fm
