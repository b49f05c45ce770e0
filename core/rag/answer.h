// Answering a question from a collection: retrieve, build a grounded prompt with the language
// model's own chat template (numbered, delimited sources; an instruction to use only them and
// cite them as [n]; text inside a source is material, never instructions), stream the answer,
// and resolve each [n] to its document, page and lines. When no source passes the relevance
// threshold, the answer says the documents do not contain it and the model is not asked.
// Every answer is written to the collection's evidence log (evidence.jsonl), with personal data
// masked.
//
//   fm::rag::AnswerOptions o;
//   auto r = fm::rag::answerQuestion(*store, *index, *embedder, nullptr, *llm, "How many days of leave?", o,
//                                    [](const std::string& piece) { std::cout << piece; return true; });
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "generate/generator.h"
#include "generate/prompt.h"
#include "rag/retrieve.h"

namespace fm::rag {

struct AnswerOptions {
  SearchOptions search;           // k: how many sources go into the prompt (4 by default)
  // A source passes when its dense cosine reaches minDense, or keyword search found it by a
  // distinctive word of the question (one that at most keywordShare of the chunks hold), or
  // (when reranked) its rerank score reaches minRerank. Nothing passing: "not in the documents".
  double minDense = 0.3;
  double keywordShare = 0.1;
  double minRerank = 0.0;
  GenerateOptions generate;       // greedy by default
  std::string adapterDir;         // a LoRA adapter for the language model, or ""
  std::string language;           // "ko" answers "not found" in Korean; "" follows the question
  bool log = true;                // append to the evidence log
  AnswerOptions() {
    search.k = 4;
    generate.temperature = 0;
    generate.maxNewTokens = 200;
  }
};

struct Citation {
  int number = 0;   // the [n] in the answer
  SearchHit source;
};

struct AnswerResult {
  std::string question, answer;
  std::vector<SearchHit> sources;   // in the prompt, numbered 1..n
  std::vector<Citation> citations;  // the sources the answer cites, in order of first citation
  std::vector<int> unknownCitations;  // numbers cited that no source has
  bool grounded = true;             // false: nothing relevant was found, the model was not asked
  std::vector<std::string> flagged;  // sources whose text reads like instructions, and why
  std::string prompt, promptFingerprint, model, adapter, stopReason;
  double retrieveMs = 0, generateSeconds = 0;
};

// The two messages a grounded prompt is made of (system, user), as the chat template receives
// them; models without a chat template get them joined as plain text ending in "Answer:".
struct GroundedPrompt {
  std::string system, user;
  std::string plain() const { return system + "\n\n" + user + "\nAnswer:"; }
};
GroundedPrompt groundedPrompt(const std::string& question, const std::vector<SearchHit>& sources);

// "[1]", "[2, 3]", "[1][3]" in an answer: the numbers, in order of first appearance.
std::vector<int> citedNumbers(const std::string& answer);

using TextCallback = std::function<bool(const std::string& piece)>;

// The sources an answer is given: the search hits, best first, that pass the relevance gate.
std::vector<SearchHit> relevantSources(const CollectionStore& store, const VectorIndex& index, const LoadedModel& embedder,
                                       const LoadedModel* reranker, const std::string& question, const AnswerOptions& options,
                                       const JobContext& job = {});

// The grounded prompt for `llm` (its chat template, or plain text), with as many of `sources` (best
// first) as leave `want` tokens of its context for the answer: sources go from the last, and a
// single one too long is shortened from its end. `room`: the tokens left for the answer, of the
// model's `context`.
struct FittedPrompt {
  BuiltPrompt prompt;
  int64_t room = 0, context = 0;
};
FittedPrompt fitGroundedPrompt(const LoadedModel& llm, const std::string& question, std::vector<SearchHit>& sources,
                               int64_t want);

AnswerResult answerQuestion(const CollectionStore& store, const VectorIndex& index, const LoadedModel& embedder,
                            const LoadedModel* reranker, const LoadedModel& llm, const std::string& question,
                            const AnswerOptions& options, const TextCallback& onText = {}, const JobContext& job = {});

// The answer given when nothing relevant was found.
std::string notFoundAnswer(const std::string& question, const std::string& language = {});

}  // namespace fm::rag
