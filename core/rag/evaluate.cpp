#include "rag/evaluate.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cctype>

#include "data/records.h"
#include "io/atomic_file.h"
#include "rag/document.h"
#include "util/paths.h"

namespace fm::rag {

namespace {

// Lower case, and every run of white space one space: a phrase matches across a line break.
std::string folded(const std::string& s) {
  std::string out = foldSpaces(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string field(const nlohmann::json& row, std::initializer_list<const char*> names) {
  for (const char* n : names)
    if (row.contains(n) && !row[n].is_null()) return row[n].is_string() ? row[n].get<std::string>() : row[n].dump();
  return {};
}

EvalQuestion fromRow(const nlohmann::json& row, int line, const std::filesystem::path& file) {
  EvalQuestion q;
  q.line = line;
  q.question = field(row, {"question", "query"});
  q.document = field(row, {"document", "doc", "source", "file"});
  q.phrase = field(row, {"phrase", "answer", "expected"});
  const std::string page = field(row, {"page"});
  if (!page.empty()) {
    try {
      q.page = std::stoi(page);
    } catch (const std::exception&) {
      throw FormatError(utf8(file) + ", line " + std::to_string(line) + ": page must be a number, not " + page);
    }
  }
  if (q.question.empty()) throw FormatError(utf8(file) + ", line " + std::to_string(line) + ": no question");
  if (q.document.empty())
    throw FormatError(utf8(file) + ", line " + std::to_string(line) + ": no document (where the answer is)");
  return q;
}

}  // namespace

std::vector<EvalQuestion> readQuestions(const std::filesystem::path& file) {
  std::string encoding;
  const std::string text = decodeText(readFile(file), encoding);
  std::vector<EvalQuestion> out;
  const std::string ext = folded(file.extension().string());
  if (ext == ".jsonl" || ext == ".json") {
    int line = 0;
    size_t pos = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string::npos) nl = text.size();
      const std::string l = text.substr(pos, nl - pos);
      pos = nl + 1;
      ++line;
      if (l.find_first_not_of(" \t\r") == std::string::npos) continue;
      const nlohmann::json row = nlohmann::json::parse(l, nullptr, false);
      if (!row.is_object())
        throw FormatError(utf8(file) + ", line " + std::to_string(line) + ": not a JSON object");
      out.push_back(fromRow(row, line, file));
    }
  } else {
    CsvReader reader(ext == ".tsv" ? '\t' : ',');
    std::vector<std::string> header;
    auto onRecord = [&](CsvRecord&& r) {
      if (!r.error.empty())
        throw FormatError(utf8(file) + ", line " + std::to_string(r.line) + ": " + r.error);
      if (header.empty()) {
        for (std::string h : r.fields) header.push_back(folded(h));
        return;
      }
      nlohmann::json row = nlohmann::json::object();
      for (size_t i = 0; i < header.size() && i < r.fields.size(); ++i)
        if (!r.fields[i].empty()) row[header[i]] = r.fields[i];
      out.push_back(fromRow(row, static_cast<int>(r.line), file));
    };
    reader.feed(text.data(), text.size(), onRecord);
    reader.finish(onRecord);
  }
  if (out.empty()) throw FormatError(utf8(file) + ": no questions in it");
  return out;
}

bool answersQuestion(const SearchHit& hit, const EvalQuestion& q) {
  const std::string doc = folded(hit.document), want = folded(q.document);
  if (doc.size() < want.size() || doc.compare(doc.size() - want.size(), want.size(), want) != 0) return false;
  if (doc.size() > want.size() && doc[doc.size() - want.size() - 1] != '/' && doc[doc.size() - want.size() - 1] != '\\')
    return false;
  if (q.page > 0 && hit.chunk.where.page != q.page) return false;
  if (!q.phrase.empty() && folded(hit.chunk.text).find(folded(q.phrase)) == std::string::npos) return false;
  return true;
}

std::vector<EvalRow> evaluateRetrieval(const CollectionStore& store, const VectorIndex& index,
                                       const LoadedModel& embedder, const LoadedModel* reranker,
                                       const std::vector<EvalQuestion>& questions, int k, const JobContext& job) {
  struct Setting {
    const char* name;
    SearchMode mode;
    bool rerank;
  };
  std::vector<Setting> settings{{"dense", SearchMode::Dense, false},
                                {"keyword", SearchMode::Keyword, false},
                                {"hybrid", SearchMode::Hybrid, false}};
  if (reranker) settings.push_back({"hybrid + rerank", SearchMode::Hybrid, true});
  std::vector<EvalRow> rows;
  const double total = static_cast<double>(settings.size() * questions.size());
  size_t done = 0;
  for (const Setting& s : settings) {
    EvalRow row;
    row.setting = s.name;
    row.k = k;
    row.questions = static_cast<int>(questions.size());
    double ms = 0;
    for (const EvalQuestion& q : questions) {
      job.report(static_cast<double>(done++) / total, std::string(s.name) + ": " + q.question);
      SearchOptions o;
      o.k = k;
      o.mode = s.mode;
      o.rerank = s.rerank;
      const auto t = std::chrono::steady_clock::now();
      const SearchResult r = searchCollection(store, index, embedder, reranker, q.question, o, job);
      ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
      int rank = 0;
      for (size_t i = 0; i < r.hits.size(); ++i)
        if (answersQuestion(r.hits[i], q)) {
          rank = static_cast<int>(i) + 1;
          break;
        }
      row.ranks.push_back(rank);
      if (rank) {
        ++row.found;
        row.mrr += 1.0 / rank;
      }
    }
    row.recall = questions.empty() ? 0 : static_cast<double>(row.found) / static_cast<double>(questions.size());
    row.mrr = questions.empty() ? 0 : row.mrr / static_cast<double>(questions.size());
    row.msPerQuestion = questions.empty() ? 0 : ms / static_cast<double>(questions.size());
    rows.push_back(std::move(row));
  }
  job.report(1, "done");
  return rows;
}

}  // namespace fm::rag
