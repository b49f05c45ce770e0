// BERT family encoders: BERT, MiniLM, BGE, E5, GTE (model_type "bert") and RoBERTa /
// XLM-RoBERTa ("roberta", "xlm-roberta": multilingual-e5, paraphrase-multilingual-MiniLM,
// bge-m3). Post-LayerNorm blocks, learned absolute positions (RoBERTa's counted from
// padding_idx + 1), token type embeddings, padding masks.
//
// architectures[0] picks the kind: "...ForSequenceClassification" is a cross-encoder
// (SequenceClassifier: BERT's pooler + classifier, RoBERTa's classifier.dense/out_proj head);
// anything else (BertModel, XLMRobertaModel, ...ForMaskedLM) is a TextEncoder whose output is
// the last hidden state. Checkpoints with or without the "bert." / "roberta." prefix load.
#pragma once

#include "arch/encoder.h"

namespace fm {

std::shared_ptr<Network> makeBert(const nlohmann::json& config);
ArchSummary bertSummary(const nlohmann::json& config);

}  // namespace fm
