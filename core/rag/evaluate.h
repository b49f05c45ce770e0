// The retrieval test bench: a question set with where each answer is (a document, optionally
// a page and a phrase) gives Recall@k and MRR for dense, keyword, hybrid and hybrid + rerank
// side by side, so a user sees which settings serve their documents.
//
// Question files: CSV with a header, or JSON Lines; fields "question" (or "query"), "document"
// (a file name or the end of a path), and optionally "page" (1-based) and "phrase" (text the
// retrieved chunk must contain).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "rag/retrieve.h"

namespace fm::rag {

struct EvalQuestion {
  std::string question, document, phrase;
  int page = 0;
  int line = 0;  // in the questions file
};

// FormatError naming the line for a row without a question or a document.
std::vector<EvalQuestion> readQuestions(const std::filesystem::path& file);

// Whether a retrieved chunk is where the question's answer is.
bool answersQuestion(const SearchHit& hit, const EvalQuestion& q);

struct EvalRow {
  std::string setting;  // "dense", "keyword", "hybrid", "hybrid + rerank"
  int k = 0, questions = 0, found = 0;
  double recall = 0, mrr = 0, msPerQuestion = 0;
  std::vector<int> ranks;  // per question: 1-based rank of the first right chunk, 0 when not in the top k
};

std::vector<EvalRow> evaluateRetrieval(const CollectionStore& store, const VectorIndex& index,
                                       const LoadedModel& embedder, const LoadedModel* reranker,
                                       const std::vector<EvalQuestion>& questions, int k, const JobContext& job = {});

}  // namespace fm::rag
