// fmw collection: Collections on the command line, every job the panel runs.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "arch/loaded_model.h"
#include "cli/cli.h"
#include "rag/answer.h"
#include "rag/demo_collection.h"
#include "rag/evaluate.h"
#include "rag/ingest.h"
#include "rag/retrieve.h"
#include "rag/store.h"
#include "rag/vector_index.h"
#include "util/error.h"
#include "util/paths.h"
#include "vision/collection_pictures.h"

namespace fmw {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

fs::path collectionDir(const Args& a, const char* sub) {
  if (a.positional.size() < 2) throw fm::ConfigError(std::string("fmw collection ") + sub + ": DIR is missing");
  return fm::pathOf(a.positional[1]);
}

std::shared_ptr<fm::LoadedModel> loadEmbedder(const Args& a, fm::rag::CollectionStore& store) {
  const std::string recorded = store.settings().embedder.folder;
  const std::string folder = a.get("--embedder", recorded);
  if (folder.empty()) throw fm::ConfigError("the collection names no embedder; give one with --embedder MODEL_DIR");
  if (!fs::is_directory(fm::pathOf(folder)))
    throw fm::ConfigError("the collection's embedder " + folder +
                          " is not there any more; give its new place with --embedder MODEL_DIR");
  auto model = fm::LoadedModel::load(fm::pathOf(folder), loadOptions(a));
  // The same embedder in a new place (its folder or the workspace moved): the collection
  // remembers where it is now, so the next command and the panel find it.
  std::error_code ec;
  if (!fs::is_directory(fm::pathOf(recorded), ec) && model->kind() == fm::ModelKind::TextEncoder &&
      fm::rag::rememberEmbedderPlace(store, fm::rag::stampOf(*model, fm::pathOf(folder))))
    std::fprintf(stderr, "the collection's embedder is now %s\n", folder.c_str());
  return model;
}

void printReport(const fm::rag::IngestReport& r, bool asJson) {
  if (asJson) {
    json problems = json::array();
    for (const auto& p : r.problems) problems.push_back({{"path", p.path}, {"status", p.status}, {"reason", p.reason}});
    std::cout << json{{"added", r.added},         {"updated", r.updated}, {"unchanged", r.unchanged}, {"moved", r.moved}, {"missing", r.missing},
                      {"removed", r.removed},     {"skipped", r.skipped}, {"failed", r.failed},
                      {"chunks", r.chunks},       {"pages", r.pages},     {"seconds", r.seconds},
                      {"embed_seconds", r.embedSeconds}, {"problems", problems}}
                     .dump()
              << "\n";
    return;
  }
  for (const auto& p : r.problems) std::printf("%-16s %s: %s\n", p.status.c_str(), p.path.c_str(), p.reason.c_str());
  std::printf("added %d, updated %d, unchanged %d, moved %d, removed %d, missing %d, skipped %d, failed %d; %lld chunks, %lld pages in %.1f s\n",
              r.added, r.updated, r.unchanged, r.moved, r.removed, r.missing, r.skipped, r.failed, static_cast<long long>(r.chunks),
              static_cast<long long>(r.pages), r.seconds);
}

fm::rag::IngestOptions ingestOptions(const Args& a) {
  fm::rag::IngestOptions o;
  o.job = jobProgress();
  o.read.ocr = !a.has("--no-ocr");
  o.retryFailed = a.has("--retry-failed");
  return o;
}

json scoreJson(const fm::rag::StageScore& s) {
  return s.present ? json{{"score", s.score}, {"rank", s.rank}} : json(nullptr);
}

// The Collections demo in the workspace: handbook, embedder, collection, reader; then what a
// class sees, measured (Recall@3 per setting, answers holding the expected fact).
int collectionDemo(const Args& a) {
  fm::rag::CollectionDemoOptions o;
  o.workspace = workspace(a);
  o.fresh = a.has("--fresh");
  o.threads = a.has("--threads") ? static_cast<int>(toInt("--threads", a.get("--threads"))) : 0;
  if (a.has("--embedder-steps")) o.embedderSteps = toInt("--embedder-steps", a.get("--embedder-steps"));
  if (a.has("--reader-steps")) o.readerSteps = toInt("--reader-steps", a.get("--reader-steps"));
  if (a.has("--answers")) o.answers = static_cast<int>(toInt("--answers", a.get("--answers")));
  const fm::rag::CollectionDemoPaths paths(o.workspace);
  std::fprintf(stderr, "Collections demo in %s\n", fm::utf8(o.workspace).c_str());
  const auto rep = fm::rag::runCollectionDemo(o, jobProgress());
  if (rep.status == fm::JobStatus::Cancelled) {
    std::fprintf(stderr, "stopped; what was finished is kept, and the next run continues\n");
    return 130;
  }
  if (a.has("--json")) {
    nlohmann::json answers = nlohmann::json::array();
    for (const auto& d : rep.answers)
      answers.push_back({{"question", d.question}, {"phrase", d.phrase}, {"document", d.document}, {"answer", d.answer},
                         {"has_fact", d.hasFact}, {"cites_source", d.citesSource}});
    std::printf("%s\n", nlohmann::json{{"questions", rep.questions},
                                        {"recall_at_3", rep.recall},
                                        {"mrr", rep.mrr},
                                        {"fact_rate", rep.factRate < 0 ? nlohmann::json(nullptr) : nlohmann::json(rep.factRate)},
                                        {"cite_rate", rep.citeRate < 0 ? nlohmann::json(nullptr) : nlohmann::json(rep.citeRate)},
                                        {"embedder_seconds", rep.embedderSeconds},
                                        {"reader_seconds", rep.readerSeconds},
                                        {"answers", answers}}
                                 .dump()
                                 .c_str());
    return 0;
  }
  std::printf("collection  %s\nquestions   %s (%d)\n", fm::utf8(paths.collection).c_str(), fm::utf8(paths.questions).c_str(),
              rep.questions);
  if (rep.embedderSeconds > 0) std::printf("embedder    trained in %.0f s\n", rep.embedderSeconds);
  if (rep.readerSeconds > 0) std::printf("reader      pretrained in %.0f s\n", rep.readerSeconds);
  for (const auto& [setting, recall] : rep.recall)
    std::printf("Recall@3    %-8s %5.1f%%  (MRR %.3f)\n", setting.c_str(), recall * 100, rep.mrr.at(setting));
  for (const auto& d : rep.answers)
    std::printf("%s %s\n    -> %s\n", d.hasFact ? (d.citesSource ? "[fact, cited]" : "[fact]      ") : "[missed]    ",
                d.question.c_str(), d.answer.c_str());
  if (rep.factRate >= 0) {
    // Each answer's time, in milliseconds when under a second (the demo reader's usually are).
    const double each = rep.answers.empty() ? 0.0 : rep.answerSeconds / static_cast<double>(rep.answers.size());
    char took[32];
    if (each < 1) std::snprintf(took, sizeof took, "%.0f ms", each * 1000);
    else std::snprintf(took, sizeof took, "%.1f s", each);
    std::printf("answers with the expected fact: %.1f%%; citing a source that holds it: %.1f%% (%zu answers, %s each)\n",
                rep.factRate * 100, rep.citeRate * 100, rep.answers.size(), took);
  }
  return 0;
}

// The collection's picture folders brought up to date with their CLIP model, and reported.
void syncPictures(const Args& a, fm::CollectionPictures& pics) {
  if (pics.empty()) return;
  auto clip = fm::LoadedModel::load(pics.clipModel(), loadOptions(a));
  for (const auto& r : pics.sync(*clip, jobProgress())) {
    if (!r.problem.empty()) {
      std::printf("pictures        %s: %s\n", fm::utf8(r.folder).c_str(), r.problem.c_str());
      continue;
    }
    for (const auto& f : r.sync.failed) std::printf("failed          %s: %s\n", fm::utf8(f.file).c_str(), f.reason.c_str());
    std::printf("pictures        %s: %zu (added %lld, updated %lld, removed %lld)\n", fm::utf8(r.folder).c_str(),
                r.pictures, static_cast<long long>(r.sync.added), static_cast<long long>(r.sync.updated),
                static_cast<long long>(r.sync.removed));
  }
}

// The collection's pictures closest to --query (CLIP), best first; none when it has none.
// A problem with the pictures is reported and leaves them out: the passages (and an answer
// already written) stand.
std::vector<fm::CollectionPictures::Hit> pictureHits(const Args& a, const fs::path& dir, size_t k) {
  try {
    const fm::CollectionPictures pics(dir);
    if (pics.empty()) return {};
    auto clip = fm::LoadedModel::load(pics.clipModel(), loadOptions(a));
    return pics.search(*clip, a.get("--query"), k);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pictures not searched: %s\n", fm::errorMessage(e).c_str());
    return {};
  }
}

json pictureJson(const fm::CollectionPictures::Hit& h) {
  return json{{"picture", fm::utf8(h.file)},
              {"folder", fm::utf8(h.folder)},
              {"caption", h.caption.empty() ? json(nullptr) : json(h.caption)},
              {"scores", {{"clip", {{"score", h.score}, {"rank", h.rank}}}}}};
}

void printPicture(const fm::CollectionPictures::Hit& h) {
  std::printf("%d. %s   clip %.3f%s%s\n", h.rank, fm::utf8(h.file).c_str(), h.score, h.caption.empty() ? "" : "   ",
              h.caption.c_str());
}

int cmdCollection(const Args& a) {
  if (a.positional.empty())
    throw fm::ConfigError("fmw collection: expected demo, create, add, add-pictures, sync, remove, list, search, ask, eval, "
                          "verify or rebuild");
  const std::string sub = a.positional[0];
  if (sub == "demo") return collectionDemo(a);
  if (sub == "create") {
    const fs::path dir = collectionDir(a, "create");
    if (!a.has("--embedder")) throw fm::ConfigError("fmw collection create: --embedder MODEL_DIR is missing");
    const fs::path embFolder = fm::pathOf(a.get("--embedder"));
    auto embedder = fm::LoadedModel::load(embFolder, loadOptions(a));
    fm::rag::CollectionSettings s;
    s.embedder = fm::rag::stampOf(*embedder, fs::absolute(embFolder));
    if (a.has("--reranker")) {
      const fs::path rr = fs::absolute(fm::pathOf(a.get("--reranker")));
      auto reranker = fm::LoadedModel::load(rr, loadOptions(a));
      if (reranker->kind() != fm::ModelKind::SequenceClassifier)
        throw fm::ConfigError(fm::utf8(rr) + " is not a reranker (a cross-encoder that scores a query and a passage)");
      s.reranker = fm::utf8(rr);
    }
    s.chunkTokens = static_cast<int>(toInt("--chunk-tokens", a.get("--chunk-tokens", "256")));
    s.overlapTokens = static_cast<int>(toInt("--overlap", a.get("--overlap", "32")));
    s.maskPii = a.has("--mask-pii");
    s.indexKind = a.get("--index", "flat");
    auto store = fm::rag::CollectionStore::create(dir, s);
    fm::rag::VectorIndex::rebuild(*store);
    std::printf("created %s: embedder %s (%d numbers per vector), chunks of %d tokens with %d overlapping%s\n",
                fm::utf8(dir).c_str(), s.embedder.name.c_str(), s.embedder.dimension, s.chunkTokens, s.overlapTokens,
                s.maskPii ? ", personal data masked" : "");
    return 0;
  }
  if (sub == "add-pictures") {
    const fs::path dir = collectionDir(a, "add-pictures");
    fm::rag::CollectionStore::open(dir);  // a collection, not any folder
    if (a.positional.size() < 3) throw fm::ConfigError("fmw collection add-pictures: give the picture folders to add");
    fm::CollectionPictures pics(dir);
    std::vector<fs::path> folders;
    for (size_t i = 2; i < a.positional.size(); ++i) folders.push_back(fm::pathOf(a.positional[i]));
    pics.addFolders(folders, a.has("--clip") ? fm::pathOf(a.get("--clip")) : fs::path());
    syncPictures(a, pics);
    return 0;
  }
  if (sub == "add" || sub == "sync") {
    const fs::path dir = collectionDir(a, sub.c_str());
    auto store = fm::rag::CollectionStore::open(dir);
    auto embedder = loadEmbedder(a, *store);
    fm::rag::IndexCheck check;
    auto index = fm::rag::VectorIndex::open(*store, &check);
    if (check.rebuilt && !check.reason.empty()) std::fprintf(stderr, "index rebuilt: %s\n", check.reason.c_str());
    fm::rag::IngestReport r;
    if (sub == "add") {
      if (a.positional.size() < 3) throw fm::ConfigError("fmw collection add: give the files or folders to add");
      std::vector<fs::path> paths;
      for (size_t i = 2; i < a.positional.size(); ++i) paths.push_back(fm::pathOf(a.positional[i]));
      r = fm::rag::addToCollection(*store, *index, *embedder, paths, ingestOptions(a));
    } else {
      r = fm::rag::syncCollection(*store, *index, *embedder, ingestOptions(a));
    }
    printReport(r, a.has("--json"));
    if (sub == "sync" && !a.has("--json")) {
      fm::CollectionPictures pics(dir);
      syncPictures(a, pics);
    }
    return 0;
  }
  if (sub == "remove") {
    const fs::path dir = collectionDir(a, "remove");
    auto store = fm::rag::CollectionStore::open(dir);
    auto index = fm::rag::VectorIndex::open(*store);
    std::vector<fs::path> paths;
    for (size_t i = 2; i < a.positional.size(); ++i) paths.push_back(fm::pathOf(a.positional[i]));
    if (paths.empty()) throw fm::ConfigError("fmw collection remove: give the files or folders to remove");
    fm::CollectionPictures pics(dir);
    int pictureFolders = 0;
    for (const auto& p : paths) pictureFolders += pics.removeFolder(p);
    std::printf("removed %d documents", fm::rag::removeFromCollection(*store, *index, paths));
    if (pictureFolders > 0) std::printf(" and %d picture folder(s)", pictureFolders);
    std::printf("\n");
    return 0;
  }
  if (sub == "list") {
    auto store = fm::rag::CollectionStore::open(collectionDir(a, "list"));
    const fm::CollectionPictures pics(collectionDir(a, "list"));
    for (const auto& [folder, n] : pics.counts()) {
      if (a.has("--json"))
        std::cout << json{{"pictures", fm::utf8(folder)}, {"count", n}, {"clip_model", fm::utf8(pics.clipModel())}}.dump()
                  << "\n";
      else
        std::printf("%-16s %4zu pictures     %s (CLIP: %s)\n", "pictures", n, fm::utf8(folder).c_str(),
                    fm::utf8(pics.clipModel()).c_str());
    }
    for (const auto& d : store->documents()) {
      if (a.has("--json")) {
        std::cout << json{{"document", d.path},          {"status", fm::rag::docStatusName(d.status)},
                          {"reason", d.reason},          {"format", d.format},
                          {"encoding", d.encoding},      {"pages", d.pages},
                          {"chunks", d.chunks},          {"ocr_pages", d.ocrPages},
                          {"pages_without_text", d.pagesWithoutText}, {"ingested_at", d.ingestedAt}}
                         .dump()
                  << "\n";
      } else {
        std::printf("%-16s %4d pages %5d chunks  %s%s%s\n", fm::rag::docStatusName(d.status), d.pages, d.chunks,
                    d.path.c_str(), d.reason.empty() ? "" : "  — ", d.reason.c_str());
      }
    }
    return 0;
  }
  if (sub == "search") {
    const fs::path dir = collectionDir(a, "search");
    if (!a.has("--query")) throw fm::ConfigError("fmw collection search: --query TEXT is missing");
    auto store = fm::rag::CollectionStore::open(dir);
    auto embedder = loadEmbedder(a, *store);
    auto index = fm::rag::VectorIndex::open(*store);
    fm::rag::SearchOptions o;
    o.k = static_cast<int>(toInt("--k", a.get("--k", "5")));
    o.mode = fm::rag::searchModeOf(a.get("--mode", "hybrid"));
    o.rerank = a.has("--rerank");
    std::shared_ptr<fm::LoadedModel> reranker;
    if (o.rerank) {
      const std::string rr = a.get("--reranker", store->settings().reranker);
      if (rr.empty()) throw fm::ConfigError("--rerank: the collection has no reranker; give one with --reranker MODEL_DIR");
      reranker = fm::LoadedModel::load(fm::pathOf(rr), loadOptions(a));
    }
    const auto r = fm::rag::searchCollection(*store, *index, *embedder, reranker.get(), a.get("--query"), o);
    for (const auto& h : r.hits) {
      if (a.has("--json")) {
        std::cout << json{{"document", h.document},
                          {"page", h.chunk.where.page > 0 ? json(h.chunk.where.page) : json(nullptr)},
                          {"lines", {h.chunk.where.firstLine, h.chunk.where.lastLine}},
                          {"section", h.chunk.where.section},
                          {"chunk", h.chunk.id},
                          {"text", h.chunk.text},
                          {"flag", h.chunk.flag.empty() ? json(nullptr) : json(h.chunk.flag)},
                          {"scores",
                           {{"dense", scoreJson(h.dense)},
                            {"keyword", scoreJson(h.keyword)},
                            {"fused", scoreJson(h.fused)},
                            {"rerank", scoreJson(h.rerank)}}}}
                         .dump()
                  << "\n";
      } else {
        std::string where = h.document;
        if (h.chunk.where.page > 0) where += ", page " + std::to_string(h.chunk.where.page);
        where += ", lines " + std::to_string(h.chunk.where.firstLine) + "-" + std::to_string(h.chunk.where.lastLine);
        std::printf("%d. %s\n   fused %.4f", h.fused.rank, where.c_str(), h.fused.score);
        if (h.dense.present) std::printf(" · dense %.3f (#%d)", h.dense.score, h.dense.rank);
        if (h.keyword.present) std::printf(" · keyword %.2f (#%d)", h.keyword.score, h.keyword.rank);
        if (h.rerank.present) std::printf(" · rerank %.3f (#%d)", h.rerank.score, h.rerank.rank);
        std::string text = h.chunk.text.substr(0, 300);
        std::printf("\n   %s%s\n", text.c_str(), h.chunk.text.size() > 300 ? "…" : "");
      }
    }
    // The collection's pictures, searched with the same words in CLIP's space.
    const auto hits = pictureHits(a, dir, static_cast<size_t>(o.k));
    if (!a.has("--json") && !hits.empty()) std::printf("\npictures:\n");
    for (const auto& h : hits) {
      if (a.has("--json"))
        std::cout << pictureJson(h).dump() << "\n";
      else
        printPicture(h);
    }
    return 0;
  }
  if (sub == "ask") {
    const fs::path dir = collectionDir(a, "ask");
    if (!a.has("--query")) throw fm::ConfigError("fmw collection ask: --query TEXT is missing");
    if (!a.has("--model")) throw fm::ConfigError("fmw collection ask: --model MODEL_DIR (the language model) is missing");
    auto store = fm::rag::CollectionStore::open(dir);
    auto embedder = loadEmbedder(a, *store);
    auto index = fm::rag::VectorIndex::open(*store);
    auto llm = fm::LoadedModel::load(fm::pathOf(a.get("--model")), loadOptions(a));
    if (llm->kind() != fm::ModelKind::CausalLM)
      throw fm::ConfigError(a.get("--model") + " is not a language model (one that writes text)");
    fm::rag::AnswerOptions o;
    o.search.k = static_cast<int>(toInt("--k", a.get("--k", "4")));
    o.search.mode = fm::rag::searchModeOf(a.get("--mode", "hybrid"));
    o.search.rerank = a.has("--rerank");
    if (a.has("--min-score")) o.minDense = toNum("--min-score", a.get("--min-score"));
    if (a.has("--max-new-tokens")) o.generate.maxNewTokens = static_cast<int>(toInt("--max-new-tokens", a.get("--max-new-tokens")));
    o.adapterDir = a.get("--adapter");
    std::shared_ptr<fm::LoadedModel> reranker;
    if (o.search.rerank) {
      const std::string rr = a.get("--reranker", store->settings().reranker);
      if (rr.empty()) throw fm::ConfigError("--rerank: the collection has no reranker; give one with --reranker MODEL_DIR");
      reranker = fm::LoadedModel::load(fm::pathOf(rr), loadOptions(a));
    }
    const bool asJson = a.has("--json");
    const auto r = fm::rag::answerQuestion(*store, *index, *embedder, reranker.get(), *llm, a.get("--query"), o,
                                           [asJson](const std::string& piece) {
                                             if (!asJson) {
                                               std::fputs(piece.c_str(), stdout);
                                               std::fflush(stdout);
                                             }
                                             return !stopRequested();
                                           },
                                           jobProgress());
    auto sourceJson = [](int n, const fm::rag::SearchHit& h) {
      return json{{"n", n},
                  {"document", h.document},
                  {"page", h.chunk.where.page > 0 ? json(h.chunk.where.page) : json(nullptr)},
                  {"lines", {h.chunk.where.firstLine, h.chunk.where.lastLine}},
                  {"section", h.chunk.where.section},
                  {"chunk", h.chunk.id},
                  {"text", h.chunk.text}};
    };
    // The language model reads text only: the pictures closest to the question are listed
    // beside the answer (with their captions), not cited in it.
    const auto pictures = pictureHits(a, dir, static_cast<size_t>(std::min(o.search.k, 4)));
    if (asJson) {
      json sources = json::array(), cited = json::array(), pics = json::array();
      for (size_t i = 0; i < r.sources.size(); ++i) sources.push_back(sourceJson(static_cast<int>(i) + 1, r.sources[i]));
      for (const auto& c : r.citations) cited.push_back(c.number);
      for (const auto& h : pictures) pics.push_back(pictureJson(h));
      std::cout << json{{"question", r.question},     {"answer", r.answer},
                        {"grounded", r.grounded},     {"sources", sources},
                        {"cited", cited},             {"unknown_citations", r.unknownCitations},
                        {"flagged", r.flagged},       {"prompt", r.prompt},
                        {"prompt_fingerprint", r.promptFingerprint},
                        {"pictures", pics},
                        {"retrieve_ms", r.retrieveMs}, {"generate_seconds", r.generateSeconds}}
                       .dump()
                << "\n";
      return 0;
    }
    std::printf("\n\n");
    for (const auto& f : r.flagged) std::printf("warning: %s\n", f.c_str());
    for (size_t i = 0; i < r.sources.size(); ++i) {
      const auto& h = r.sources[i];
      const bool cited = std::any_of(r.citations.begin(), r.citations.end(),
                                     [&](const fm::rag::Citation& c) { return c.number == static_cast<int>(i) + 1; });
      std::printf("[%zu]%s %s%s, lines %d-%d\n", i + 1, cited ? "*" : " ", h.document.c_str(),
                  h.chunk.where.page > 0 ? (", page " + std::to_string(h.chunk.where.page)).c_str() : "",
                  h.chunk.where.firstLine, h.chunk.where.lastLine);
    }
    for (int n : r.unknownCitations) std::printf("warning: the answer cites [%d], which is not one of its sources\n", n);
    if (!pictures.empty()) std::printf("\npictures close to the question:\n");
    for (const auto& h : pictures) printPicture(h);
    return 0;
  }
  if (sub == "eval") {
    const fs::path dir = collectionDir(a, "eval");
    if (!a.has("--questions")) throw fm::ConfigError("fmw collection eval: --questions FILE is missing");
    const auto questions = fm::rag::readQuestions(fm::pathOf(a.get("--questions")));
    auto store = fm::rag::CollectionStore::open(dir);
    auto embedder = loadEmbedder(a, *store);
    auto index = fm::rag::VectorIndex::open(*store);
    std::shared_ptr<fm::LoadedModel> reranker;
    const std::string rr = a.get("--reranker", store->settings().reranker);
    if (!rr.empty() && !a.has("--no-rerank")) reranker = fm::LoadedModel::load(fm::pathOf(rr), loadOptions(a));
    const int k = static_cast<int>(toInt("--k", a.get("--k", "3")));
    const auto rows = fm::rag::evaluateRetrieval(*store, *index, *embedder, reranker.get(), questions, k, jobProgress());
    for (const auto& row : rows) {
      if (a.has("--json")) {
        std::cout << json{{"setting", row.setting}, {"k", row.k},         {"questions", row.questions},
                          {"found", row.found},     {"recall", row.recall}, {"mrr", row.mrr},
                          {"ms_per_question", row.msPerQuestion}, {"ranks", row.ranks}}
                         .dump()
                  << "\n";
      } else {
        std::printf("%-16s Recall@%d %5.1f%%  MRR %.3f  (%d of %d found, %.0f ms a question)\n", row.setting.c_str(),
                    row.k, row.recall * 100, row.mrr, row.found, row.questions, row.msPerQuestion);
      }
    }
    return 0;
  }
  if (sub == "reembed") {
    // Another embedder for the whole collection: every document read and embedded again.
    const fs::path dir = collectionDir(a, "reembed");
    if (!a.has("--embedder")) throw fm::ConfigError("fmw collection reembed: --embedder MODEL_DIR (the new one) is missing");
    auto store = fm::rag::CollectionStore::open(dir);
    const fs::path folder = fs::absolute(fm::pathOf(a.get("--embedder")));
    auto embedder = fm::LoadedModel::load(folder, loadOptions(a));
    const auto stamp = fm::rag::stampOf(*embedder, folder);
    if (stamp == store->settings().embedder) {
      std::printf("the collection is already embedded with %s\n", stamp.name.c_str());
      return 0;
    }
    std::unique_ptr<fm::rag::VectorIndex> index = fm::rag::VectorIndex::open(*store);
    fm::rag::reembedCollection(*store, index, *embedder, stamp, jobProgress());
    std::printf("re-embedded with %s (%d numbers a vector): %lld chunks\n", stamp.name.c_str(), stamp.dimension,
                static_cast<long long>(store->chunkCount()));
    return 0;
  }
  if (sub == "verify" || sub == "rebuild") {
    const fs::path dir = collectionDir(a, sub.c_str());
    auto store = fm::rag::CollectionStore::open(dir);
    if (sub == "rebuild") {
      auto index = fm::rag::VectorIndex::rebuild(*store, jobProgress());
      std::printf("rebuilt the index: %lld vectors\n", static_cast<long long>(index->size()));
      return 0;
    }
    fm::rag::IndexCheck check;
    auto index = fm::rag::VectorIndex::open(*store, &check, jobProgress());
    if (check.rebuilt) std::printf("index: rebuilt from the stored vectors (%s)\n", check.reason.c_str());
    else std::printf("index: sound, %lld vectors\n", static_cast<long long>(index->size()));
    if (index->kind() == "hnsw")
      std::printf("index: approximate (HNSW), recall@10 %.3f against exact search\n", index->measureRecall(*store));
    int changed = 0, missing = 0;
    for (const auto& d : store->documents()) {
      const fs::path p = fm::pathOf(d.path);
      std::error_code ec;
      if (!fs::is_regular_file(p, ec)) {
        std::printf("missing          %s\n", d.path.c_str());
        ++missing;
      } else if (!d.hash.empty() && fm::rag::fileHash(p) != d.hash) {
        std::printf("changed          %s\n", d.path.c_str());
        ++changed;
      }
    }
    std::printf("documents: %zu, changed since added %d, missing %d%s\n", store->documents().size(), changed, missing,
                changed + missing ? " (run `fmw collection sync` to bring it up to date)" : "");
    return 0;
  }
  throw fm::ConfigError("fmw collection: unknown step \"" + sub +
                        "\" (create, add, sync, remove, list, search, ask, eval, reembed, verify, rebuild)");
}

}  // namespace

const std::vector<Command>& collectionCommands() {
  static const std::vector<Command> commands = {
      {"collection", {"--json", "--mask-pii", "--rerank", "--no-rerank", "--no-ocr", "--retry-failed", "--fresh"},
       {"--workspace", "--threads", "--embedder-steps", "--reader-steps", "--answers", "--embedder", "--reranker", "--chunk-tokens", "--overlap", "--index", "--query", "--k", "--mode", "--model", "--clip",
        "--adapter", "--questions", "--min-score", "--max-new-tokens", "--dtype", "--device"},
       false, cmdCollection},
  };
  return commands;
}

}  // namespace fmw
