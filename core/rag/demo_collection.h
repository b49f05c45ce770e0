// The Collections demo, offline, on a fresh machine: a generated bilingual handbook (a two-page
// PDF, Word, HTML, Markdown and text files, with facts in English and Korean) and its question
// set; an embedder trained from scratch, contrastively, on handbooks generated with other seeds;
// the demo collection; and a small reader model pretrained on reading-comprehension text built
// from those other handbooks (grounded prompts exactly as answers use them, each answered by the
// fact's sentence and its [n]). Then it measures what a class sees: Recall@3 of every retrieval
// setting on the demo questions, and how many answers hold the expected fact and cite its source.
//
//   fm::rag::CollectionDemoOptions o;  o.workspace = "~/fmw";
//   auto rep = fm::rag::runCollectionDemo(o, job);   // rep.recall["hybrid"], rep.factRate
//
// What exists is kept (delete a part, or pass fresh, to make it again). Cancelling keeps every
// finished part, and the reader's pretraining continues from its last checkpoint; a part is
// published only when complete.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "embed/train_embedder.h"
#include "jobs/job.h"

namespace fm::rag {

struct CollectionDemoPaths {
  std::filesystem::path docs, questions, embedder, reader, collection;
  std::filesystem::path readerWork;  // the reader's pretraining: its stages' runs and models
  std::filesystem::path readerRun(int stage) const { return readerWork / ("run-" + std::to_string(stage)); }
  explicit CollectionDemoPaths(const std::filesystem::path& workspace);
};

struct CollectionDemoOptions {
  std::filesystem::path workspace;
  int threads = 0;
  bool fresh = false;           // make every part again
  int64_t embedderSteps = 400;
  int64_t readerSteps = 6000;  // in two stages, half each; copying sets in late in the first
  int answers = -1;             // demo questions answered to measure the reader (-1: all; 0: none)
};

struct DemoAnswer {
  std::string question, phrase, document, answer;
  bool hasFact = false;     // the expected phrase is in the answer
  bool citesSource = false;  // a cited source holds the phrase
};

struct CollectionDemoReport {
  JobStatus status = JobStatus::Completed;
  int questions = 0;
  std::map<std::string, double> recall;  // Recall@3 per setting: dense, keyword, hybrid
  std::map<std::string, double> mrr;
  std::vector<DemoAnswer> answers;
  double factRate = -1, citeRate = -1;   // of the answers given
  double embedderSeconds = 0, ingestSeconds = 0, readerSeconds = 0, answerSeconds = 0;
  std::vector<std::pair<int64_t, double>> embedderLoss, readerLoss;
};

// The texts the demo trains on, from handbooks with seeds other than the demo's: pairs for the
// embedder, and (prompt, answer) rows for the reader. Exposed for tests.
std::vector<TextPair> demoEmbedderPairs(int handbooks, uint64_t seed);
struct ReaderRow {
  std::string prompt, answer;
};
std::vector<ReaderRow> demoReaderRows(int handbooks, uint64_t seed);

CollectionDemoReport runCollectionDemo(const CollectionDemoOptions& options, const JobContext& job = {});

}  // namespace fm::rag
