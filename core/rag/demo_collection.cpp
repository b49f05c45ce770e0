#include "rag/demo_collection.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>

#include "arch/builtin_model.h"
#include "arch/loaded_model.h"
#include "io/atomic_file.h"
#include "io/model_folder.h"
#include "jobs/cancelled.h"
#include "rag/answer.h"
#include "rag/evaluate.h"
#include "rag/handbook.h"
#include "rag/ingest.h"
#include "rag/store.h"
#include "rag/vector_index.h"
#include "train/trainer.h"
#include "util/error.h"
#include "util/paths.h"

namespace fm::rag {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr uint64_t kDemoSeed = 11;          // the demo handbook's
constexpr uint64_t kTrainingSeed = 1000;    // the training handbooks' seeds start here
constexpr int kChunkTokens = 48, kOverlapTokens = 8;
constexpr int kReaderHandbooks = 96;        // handbooks of lessons for each stage of the reader

HandbookOptions demoHandbook() {
  HandbookOptions o;
  o.documents = 6;
  o.sectionsPerDocument = 4;
  o.koreanDocuments = 3;
  o.seed = kDemoSeed;
  return o;
}

// Every department and every kind of fact, in both languages, with values from `seed`.
HandbookOptions trainingHandbook(uint64_t seed) {
  HandbookOptions o;
  o.documents = 15;
  o.sectionsPerDocument = 6;
  o.koreanDocuments = 15;
  o.seed = seed;
  return o;
}

double seconds(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// A paragraph's sentences (both languages end theirs with a full stop and a space).
std::vector<std::string> sentencesOf(const std::string& paragraph) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t at = paragraph.find(". "); at != std::string::npos; at = paragraph.find(". ", start)) {
    out.push_back(paragraph.substr(start, at + 1 - start));
    start = at + 2;
  }
  if (start < paragraph.size()) out.push_back(paragraph.substr(start));
  return out;
}

struct Sentence {
  std::string text;
  int paragraph;
};

// A chunk-like passage of a section: 2 to 4 neighbouring sentences, holding sentence `must` when
// it is >= 0, joined as the document joins them (a space within a paragraph, a blank line between).
std::string passage(const HandbookSection& s, int must, SplitMix64& rng) {
  std::vector<Sentence> all;
  for (size_t p = 0; p < s.paragraphs.size(); ++p)
    for (const std::string& t : sentencesOf(s.paragraphs[p])) all.push_back({t, static_cast<int>(p)});
  const int n = static_cast<int>(all.size());
  const int len = std::min(n, 2 + rng.below(3));
  int first = must >= 0 ? std::max(0, std::min(n - len, must - rng.below(len))) : rng.below(n - len + 1);
  std::string out;
  for (int i = first; i < first + len; ++i) {
    if (i > first) out += all[static_cast<size_t>(i)].paragraph == all[static_cast<size_t>(i - 1)].paragraph ? " " : "\n\n";
    out += all[static_cast<size_t>(i)].text;
  }
  return out;
}

int factIndex(const HandbookSection& s) {
  int i = 0;
  for (size_t p = 0; p < s.paragraphs.size(); ++p)
    for (const std::string& t : sentencesOf(s.paragraphs[p])) {
      if (t == s.sentence) return i;
      ++i;
    }
  return -1;
}

std::string demoText(int handbooks, uint64_t seed) {
  std::string text;
  for (int h = 0; h < handbooks; ++h)
    for (const HandbookDocument& d : makeHandbook(trainingHandbook(seed + static_cast<uint64_t>(h)))) {
      text += d.heading + "\n";
      for (const HandbookSection& s : d.sections) {
        text += s.title + "\n" + s.question + "\n";
        for (const std::string& p : s.paragraphs) text += p + "\n";
      }
    }
  return text;
}

void removeQuietly(const fs::path& p) {
  std::error_code ec;
  fs::remove_all(p, ec);
}

}  // namespace

CollectionDemoPaths::CollectionDemoPaths(const fs::path& ws)
    : docs(ws / "datasets" / "demo-handbook"),
      questions(ws / "datasets" / "demo-handbook-questions.jsonl"),
      embedder(ws / "models" / "demo-embedder"),
      reader(ws / "models" / "demo-reader"),
      collection(ws / "collections" / "demo-handbook"),
      readerWork(ws / "models" / "demo-reader.pretraining") {}

std::vector<TextPair> demoEmbedderPairs(int handbooks, uint64_t seed) {
  std::vector<TextPair> pairs;
  SplitMix64 rng{seed * 7919 + 1};
  for (int h = 0; h < handbooks; ++h)
    for (const HandbookDocument& d : makeHandbook(trainingHandbook(seed + static_cast<uint64_t>(h))))
      for (const HandbookSection& s : d.sections) {
        // A question and a passage holding its answer; a section's title and one of its passages.
        pairs.push_back({s.question, passage(s, factIndex(s), rng)});
        pairs.push_back({d.heading + ": " + s.title, passage(s, -1, rng)});
      }
  return pairs;
}

std::vector<ReaderRow> demoReaderRows(int handbooks, uint64_t seed) {
  std::vector<ReaderRow> rows;
  SplitMix64 rng{seed * 104729 + 3};
  for (int h = 0; h < handbooks; ++h) {
    const std::vector<HandbookDocument> docs = makeHandbook(trainingHandbook(seed + static_cast<uint64_t>(h)));
    for (size_t di = 0; di < docs.size(); ++di) {
      const HandbookDocument& d = docs[di];
      for (size_t si = 0; si < d.sections.size(); ++si) {
        const HandbookSection& s = d.sections[si];
        // Sources as retrieval gives them: the passage with the fact, and others (mostly like
        // facts about other departments, at most one other passage of the same document, the
        // rest mostly in the same language). Now and then none holds the fact, and the answer
        // says so. Four sources in half the lessons, as answers get them; fewer in the rest, so
        // that copying from a single source is learnt early.
        const int shape = rng.below(20);
        const int count = shape < 3 ? 1 : shape < 6 ? 2 : shape < 10 ? 3 : 4;
        const bool answerable = rng.below(100) >= 5;
        std::vector<SearchHit> sources;
        auto add = [&](const HandbookDocument& from, const HandbookSection& sec, int must) {
          SearchHit hit;
          hit.document = from.name;
          hit.chunk.text = passage(sec, must, rng);
          hit.chunk.where.page = from.kind == "pdf" ? 1 + rng.below(2) : 0;
          hit.chunk.where.firstLine = 1 + rng.below(30);
          hit.chunk.where.lastLine = hit.chunk.where.firstLine + rng.below(6);
          sources.push_back(std::move(hit));
        };
        if (answerable) add(d, s, factIndex(s));
        // As retrieval does, mostly like facts about other departments (the same question asked
        // of them): the answer must come from the source about the department asked for.
        std::vector<size_t> used{di};
        bool sameDocument = false;
        while (static_cast<int>(sources.size()) < count) {
          const int kind = rng.below(10);
          if (kind < 6) {
            bool found = false;
            for (int tries = 0; tries < 20 && !found; ++tries) {
              const size_t od = static_cast<size_t>(rng.below(static_cast<int>(docs.size())));
              if (docs[od].korean != d.korean || std::find(used.begin(), used.end(), od) != used.end()) continue;
              for (const HandbookSection& sec : docs[od].sections)
                if (sec.title == s.title) {
                  add(docs[od], sec, factIndex(sec));
                  used.push_back(od);
                  found = true;
                  break;
                }
            }
            if (found) continue;
          }
          if (kind < 8 && !sameDocument) {
            sameDocument = true;
            size_t other = (si + 1 + static_cast<size_t>(rng.below(static_cast<int>(d.sections.size()) - 1))) % d.sections.size();
            add(d, d.sections[other], rng.below(2) ? factIndex(d.sections[other]) : -1);
            continue;
          }
          // Any passage of another document, mostly in the same language.
          const size_t od = static_cast<size_t>(rng.below(static_cast<int>(docs.size())));
          if (od == di || (docs[od].korean != d.korean && rng.below(5) != 0)) continue;
          const HandbookSection& sec = docs[od].sections[static_cast<size_t>(rng.below(static_cast<int>(docs[od].sections.size())))];
          add(docs[od], sec, rng.below(2) ? factIndex(sec) : -1);
        }
        // Retrieval puts the source that answers first most of the time (the demo's hybrid
        // search: about 85%), so the lessons do too (70%); elsewhere it is anywhere.
        int right = 0;
        if (answerable) {
          right = count == 1 || rng.below(10) < 7 ? 0 : 1 + rng.below(count - 1);
          std::swap(sources[0], sources[static_cast<size_t>(right)]);
        }
        ReaderRow row;
        row.prompt = groundedPrompt(s.question, sources).plain();
        row.answer = answerable ? " " + s.sentence + " [" + std::to_string(right + 1) + "]"
                                : " " + notFoundAnswer(s.question, d.korean ? "ko" : "en");
        rows.push_back(std::move(row));
        // A lesson in quoting: the same sources, and one of them asked for word for word. Long
        // copies teach a small model to take its words from the context far sooner than short
        // answers do; answering then builds on it.
        if (rng.below(10) < 4) {
          const int n = rng.below(static_cast<int>(sources.size()));
          const std::string ask = d.korean ? std::to_string(n + 1) + "번 출처에는 무엇이 쓰여 있나요?"
                                           : "What does source " + std::to_string(n + 1) + " say?";
          ReaderRow quote;
          quote.prompt = groundedPrompt(ask, sources).plain();
          std::string text = sources[static_cast<size_t>(n)].chunk.text;
          for (size_t at = text.find("\n\n"); at != std::string::npos; at = text.find("\n\n", at)) text.replace(at, 2, " ");
          quote.answer = " " + text + " [" + std::to_string(n + 1) + "]";
          rows.push_back(std::move(quote));
        }
      }
    }
  }
  return rows;
}

CollectionDemoReport runCollectionDemo(const CollectionDemoOptions& o, const JobContext& job) {
  const CollectionDemoPaths p(o.workspace);
  CollectionDemoReport rep;
  if (o.fresh)
    for (const fs::path& part : {p.docs, p.questions, p.embedder, p.reader, p.collection}) removeQuietly(part);
  try {
    // 1. The handbook and its questions.
    job.report(0, "writing the demo handbook");
    if (!fs::exists(p.questions)) {
      removeQuietly(p.docs);
      const auto questions = writeHandbook(p.docs, demoHandbook());
      std::string lines;
      for (const HandbookQuestion& q : questions)
        lines += json{{"question", q.question},
                      {"document", q.document},
                      {"page", q.page > 0 ? json(q.page) : json(nullptr)},
                      {"phrase", q.phrase}}
                     .dump() +
                 "\n";
      writeFileAtomic(p.questions, lines);  // last: its presence means the handbook is whole
    }
    // 2. The embedder, trained from random weights.
    if (!fs::exists(p.embedder / "model.safetensors")) {
      const auto t = Clock::now();
      const fs::path work = p.embedder.parent_path() / (p.embedder.filename().u8string() + ".training");
      removeQuietly(work);
      JobContext part = job.part(0.01, 0.25);
      part.report(0, "training the demo embedder");
      part.report(0, "making the embedder's tokenizer");
      createEmbedderFolder(work, demoText(2, kTrainingSeed + 500), json::object(), 1);
      EmbedderTrainOptions eo;
      eo.steps = o.embedderSteps;
      eo.threads = o.threads;
      const EmbedderTrainResult r = trainEmbedder(work, demoEmbedderPairs(6, kTrainingSeed), eo, part);
      rep.embedderLoss = r.loss;
      if (r.status != JobStatus::Completed) throw CancelledError("the demo was stopped");
      removeQuietly(p.embedder);
      fs::rename(work, p.embedder);
      rep.embedderSeconds = seconds(t);
    }
    // 3. The collection.
    auto embedder = LoadedModel::load(p.embedder, {});
    const auto t = Clock::now();
    std::unique_ptr<CollectionStore> store;
    if (fs::exists(p.collection / CollectionStore::kDatabaseName)) {
      store = CollectionStore::open(p.collection);
      // A workspace moved with its demo: the collection finds its embedder in the new place
      // (the documents follow by their content when the handbook is added below).
      rememberEmbedderPlace(*store, stampOf(*embedder, p.embedder));
    } else {
      CollectionSettings s;
      s.embedder = stampOf(*embedder, p.embedder);
      s.chunkTokens = kChunkTokens;
      s.overlapTokens = kOverlapTokens;
      store = CollectionStore::create(p.collection, s);
    }
    std::unique_ptr<VectorIndex> index = VectorIndex::open(*store);
    IngestOptions io;
    io.job = job.part(0.25, 0.32, "adding the handbook");
    addToCollection(*store, *index, *embedder, {p.docs}, io);
    rep.ingestSeconds = seconds(t);
    // 4. Retrieval on the demo questions.
    const std::vector<EvalQuestion> questions = readQuestions(p.questions);
    rep.questions = static_cast<int>(questions.size());
    for (const EvalRow& row : evaluateRetrieval(*store, *index, *embedder, nullptr, questions, 3,
                                                job.part(0.32, 0.34, "measuring retrieval"))) {
      rep.recall[row.setting] = row.recall;
      rep.mrr[row.setting] = row.mrr;
    }
    // 5. The reader, pretrained on grounded prompts from other handbooks, in two stages: the
    //    first (at a high learning rate) learns to copy from its sources, the second (lower, on
    //    lessons from yet other handbooks) to copy exactly the fact asked for.
    if (!fs::exists(p.reader / "config.json")) {
      const auto t2 = Clock::now();
      const fs::path& work = p.readerWork;
      struct Stage {
        uint64_t seed;
        int64_t steps;
        double lr;
      };
      const int64_t first = std::max<int64_t>(1, o.readerSteps / 2);
      const Stage stages[2] = {{kTrainingSeed, first, 3e-3},
                               {kTrainingSeed + kReaderHandbooks, std::max<int64_t>(1, o.readerSteps - first), 1e-3}};
      std::error_code ec;
      if (!fs::exists(work / "stage-1" / "config.json", ec) && !fs::exists(p.readerRun(1), ec)) {
        removeQuietly(work);  // one from an older version of the demo
        makeFolder(work);
      }
      for (int k = 0; k < 2; ++k) {
        const std::string n = std::to_string(k + 1);
        const fs::path out = work / ("stage-" + n), run = p.readerRun(k + 1);
        if (fs::exists(out / "config.json", ec)) continue;  // done before
        // The model this stage starts from: new weights and tokenizer, or the first stage's.
        const fs::path init = k == 0 ? work / "init" : work / "stage-1";
        JobContext part = job.part(0.34 + 0.29 * k, 0.63 + 0.29 * k);
        // A stage stopped earlier continues from its last checkpoint (the lessons are the same
        // every time); otherwise it starts afresh. One begun in another place (the workspace
        // moved since) names files that are gone, and starts afresh too.
        bool here = false, resumable = false;
        if (fs::exists(run / "config.json", ec)) {
          try {
            here = readJsonFile(run / "config.json").value("model", "") == utf8(init);
          } catch (const Error&) {
            // A damaged run folder: started afresh below.
          }
        }
        if (here)
          for (const auto& e : fs::directory_iterator(run, ec))
            if (e.path().filename().u8string().rfind("checkpoint-", 0) == 0 && fs::exists(e.path() / "COMPLETE", ec))
              resumable = true;
        const std::string what = "pretraining the demo reader, stage " + n + " of 2";
        if (!resumable) {
          removeQuietly(run);
          part.report(0, "writing reading-comprehension text");
          const std::vector<ReaderRow> rows = demoReaderRows(kReaderHandbooks, stages[k].seed);
          std::string jsonl, tokText;
          for (size_t i = 0; i < rows.size(); ++i) {
            jsonl += json{{"prompt", rows[i].prompt}, {"answer", rows[i].answer}}.dump() + "\n";
            if (i < 600) tokText += rows[i].prompt + rows[i].answer + "\n";
          }
          writeFileAtomic(work / ("reading-" + n + ".jsonl"), jsonl);
          if (k == 0) {
            part.report(0, "making the reader's tokenizer");
            removeQuietly(init);
            createBuiltinModel(init, "reader", 1, tokText + demoText(1, kTrainingSeed + 900));
          }
        }
        TrainConfig c;
        c.model = utf8(init);
        c.method = "full";
        c.data = utf8(work / ("reading-" + n + ".jsonl"));
        c.tpl.prompt = "{prompt}";
        c.tpl.completion = "{answer}";
        c.validationFraction = 0.02;
        c.maxLength = 512;
        c.batchSize = 16;
        c.maxSteps = stages[k].steps;
        c.lr = stages[k].lr;
        c.schedule = "cosine";
        c.warmupSteps = std::max<int64_t>(1, stages[k].steps / 20);
        c.weightDecay = 0.01;
        c.logEvery = 10;
        c.evalAtStart = false;
        c.evalMaxRows = 40;
        c.saveMinutes = 2;
        c.outDir = utf8(run);
        c.threads = o.threads;
        c.seed = 1;
        const int64_t before = k == 0 ? 0 : stages[0].steps;
        const auto onEvent = [&](const TrainEvent& e) {
          if (e.kind == TrainEvent::Kind::Log) rep.readerLoss.emplace_back(before + e.step, e.loss);
          if (e.totalSteps > 0)
            part.report(static_cast<double>(e.step) / static_cast<double>(e.totalSteps),
                        what + ": step " + std::to_string(e.step) + " of " + std::to_string(e.totalSteps));
          return !job.stopAsked();
        };
        const TrainResult r = resumable ? resumeTraining(run, onEvent) : train(c, onEvent);
        if (r.status == JobStatus::Cancelled) throw CancelledError("the demo was stopped");
        if (r.status != JobStatus::Completed) throw ConfigError("the demo reader could not be trained: " + r.message);
        removeQuietly(out);
        fs::rename(r.outputDir, out);
        removeQuietly(run);
      }
      removeQuietly(p.reader);
      fs::rename(work / "stage-2", p.reader);
      json cfg = readJsonFile(p.reader / "config.json");
      cfg["_name_or_path"] = "fm-workbench/demo-reader";
      writeFileAtomic(p.reader / "config.json", cfg.dump(2) + "\n");
      removeQuietly(work);
      rep.readerSeconds = seconds(t2);
    }
    // 6. Answers to the demo questions.
    const int n = o.answers < 0 ? static_cast<int>(questions.size()) : std::min<int>(o.answers, static_cast<int>(questions.size()));
    if (n > 0) {
      auto reader = LoadedModel::load(p.reader, {});
      const auto t3 = Clock::now();
      int facts = 0, cites = 0;
      for (int i = 0; i < n; ++i) {
        const EvalQuestion& q = questions[static_cast<size_t>(i)];
        job.part(0.92, 1.0).report(static_cast<double>(i) / n, "answering demo question " + std::to_string(i + 1) + " of " + std::to_string(n));
        AnswerOptions ao;
        ao.log = false;
        ao.generate.maxNewTokens = 64;
        const AnswerResult a = answerQuestion(*store, *index, *embedder, nullptr, *reader, q.question, ao);
        DemoAnswer d;
        d.question = q.question;
        d.phrase = q.phrase;
        d.document = q.document;
        d.answer = a.answer;
        d.hasFact = a.answer.find(q.phrase) != std::string::npos;
        for (const Citation& c : a.citations)
          if (c.source.chunk.text.find(q.phrase) != std::string::npos) d.citesSource = true;
        facts += d.hasFact;
        cites += d.citesSource;
        rep.answers.push_back(std::move(d));
      }
      rep.factRate = static_cast<double>(facts) / n;
      rep.citeRate = static_cast<double>(cites) / n;
      rep.answerSeconds = seconds(t3);
    }
  } catch (const CancelledError&) {
    rep.status = JobStatus::Cancelled;
  }
  return rep;
}

}  // namespace fm::rag
