#include "train/examples.h"
#include "jobs/cancelled.h"

#include <algorithm>
#include <optional>
#include <cmath>
#include <numeric>
#include <random>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace fm {
using nlohmann::json;

TemplateSpec TemplateSpec::forKind(const std::string& kind) {
  TemplateSpec t;
  if (kind == "alpaca") {
    t.prompt =
        "Below is an instruction that describes a task. Write a response that appropriately "
        "completes the request.\n\n### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n"
        "### Response:\n";
    t.completion = "{output}";
  } else if (kind == "chat") {
    t.chat = true;
  } else if (kind == "text") {
    t.completion = "{text}";
    t.trainOnPrompt = true;
  }
  return t;
}

namespace {

// Calls f(literal) and g(column) over a template in order.
template <typename Lit, typename Col>
void walkTemplate(const std::string& tpl, Lit&& lit, Col&& col) {
  std::string cur;
  for (size_t i = 0; i < tpl.size(); ++i) {
    const char c = tpl[i];
    if (c == '{' && i + 1 < tpl.size() && tpl[i + 1] == '{') {
      cur += '{';
      ++i;
    } else if (c == '}' && i + 1 < tpl.size() && tpl[i + 1] == '}') {
      cur += '}';
      ++i;
    } else if (c == '{') {
      const size_t end = tpl.find('}', i);
      if (end == std::string::npos) {
        cur += tpl.substr(i);
        break;
      }
      lit(cur);
      cur.clear();
      col(tpl.substr(i + 1, end - i - 1));
      i = end;
    } else {
      cur += c;
    }
  }
  lit(cur);
}

std::string fieldText(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

std::string joinColumns(const json& row) {
  std::string s;
  for (auto it = row.begin(); it != row.end(); ++it) s += (s.empty() ? "" : ", ") + it.key();
  return s;
}

// The one column a label-style completion is made of (" {label}" -> "label"), or "".
std::string labelColumnOf(const std::string& completion) {
  std::vector<std::string> cols;
  std::string lits;
  walkTemplate(completion, [&](const std::string& l) { lits += l; },
               [&](const std::string& c) { cols.push_back(c); });
  if (cols.size() != 1) return "";
  if (lits.find_first_not_of(" \t\n") != std::string::npos && lits.size() > 16) return "";
  return cols[0];
}

}  // namespace

std::string fillTemplate(const std::string& tpl, const json& row, const std::string& file, int64_t line) {
  std::string out;
  walkTemplate(tpl, [&](const std::string& l) { out += l; },
               [&](const std::string& c) {
                 if (!row.contains(c))
                   throw RowError(file, line, "column \"" + c + "\" is missing (the row has: " +
                                                  joinColumns(row) + ")");
                 out += fieldText(row[c]);
               });
  return out;
}

std::vector<std::string> templateColumns(const std::string& tpl) {
  std::vector<std::string> cols;
  walkTemplate(tpl, [](const std::string&) {}, [&](const std::string& c) { cols.push_back(c); });
  return cols;
}

int64_t Example::targets() const { return std::count(target.begin(), target.end(), uint8_t(1)); }

std::vector<int32_t> encodePromptCompletion(const Tokenizer& tok, const std::string& prompt,
                                            const std::string& completion, bool addEos,
                                            int64_t* promptLen) {
  std::vector<int32_t> ids;
  if (tok.special().bos && tok.special().addBos) ids.push_back(*tok.special().bos);
  if (!prompt.empty()) {
    auto p = tok.encode(prompt, false);
    ids.insert(ids.end(), p.begin(), p.end());
  }
  if (promptLen) *promptLen = static_cast<int64_t>(ids.size());
  if (!completion.empty()) {
    auto c = tok.encode(completion, false);
    ids.insert(ids.end(), c.begin(), c.end());
  }
  if (addEos && tok.special().eos) ids.push_back(*tok.special().eos);
  return ids;
}

ExampleSet buildExamples(const Dataset& ds, const TemplateSpec& tpl, const Tokenizer& tok,
                         const BuildOptions& opt) {
  if (opt.maxLength < 2) throw ConfigError("max length must be at least 2 tokens");
  ExampleSet out;
  const std::string file = std::filesystem::path(ds.path).filename().string();
  if (!tpl.chat && tpl.completion.empty() && tpl.prompt.empty())
    throw ConfigError("the template is empty: give a prompt and a completion with {column} placeholders");
  if (tpl.chat && ds.kind != "chat")
    throw ConfigError(file + ": the chat template needs rows with \"messages\" or \"conversations\"");
  std::optional<ChatTemplate> chatTemplate;
  if (tpl.chat) chatTemplate = ChatTemplate::forTokenizer(tok);
  auto render = [&](const std::vector<ChatMessage>& msgs, bool generationPrompt, int64_t line) {
    try {
      return chatTemplate->render(msgs, generationPrompt);
    } catch (const ConfigError& e) {
      throw RowError(std::filesystem::path(ds.path).filename().string(), line, e.what());
    }
  };

  out.labelColumn = tpl.chat ? "" : labelColumnOf(tpl.completion);
  for (size_t r = 0; r < ds.rows.size(); ++r) {
    if (r % 256 == 0) opt.job.report(static_cast<double>(r) / static_cast<double>(ds.rows.size()), "tokenizing");
    const json& row = ds.rows[r];
    const int64_t line = ds.lines[r];
    Example ex;
    ex.row = static_cast<int64_t>(r);
    ex.line = line;
    try {
      if (tpl.chat) {
        const auto turns = chatTurns(row, file, line);
        std::vector<ChatMessage> msgs;
        std::string rendered;
        bool anyAssistant = false;
        for (const auto& t : turns) {
          if (t.role == "assistant") {
            const std::string before = render(msgs, true, line);
            msgs.push_back({t.role, t.content});
            const std::string after = render(msgs, false, line);
            if (before.compare(0, rendered.size(), rendered) != 0 ||
                after.compare(0, before.size(), before) != 0)
              throw RowError(file, line, "the chat template does not render turns incrementally");
            auto p = tok.encode(before.substr(rendered.size()), false);
            auto c = tok.encode(after.substr(before.size()), false);
            ex.ids.insert(ex.ids.end(), p.begin(), p.end());
            ex.target.insert(ex.target.end(), p.size(), tpl.trainOnPrompt ? 1 : 0);
            ex.ids.insert(ex.ids.end(), c.begin(), c.end());
            ex.target.insert(ex.target.end(), c.size(), 1);
            rendered = after;
            anyAssistant = true;
          } else {
            msgs.push_back({t.role, t.content});
          }
        }
        if (!anyAssistant) throw RowError(file, line, "the conversation has no assistant turn to learn");
      } else {
        ex.prompt = fillTemplate(tpl.prompt, row, file, line);
        ex.completion = fillTemplate(tpl.completion, row, file, line);
        int64_t promptLen = 0;
        ex.ids = encodePromptCompletion(tok, ex.prompt, ex.completion, true, &promptLen);
        ex.target.assign(ex.ids.size(), 1);
        if (!tpl.trainOnPrompt) std::fill(ex.target.begin(), ex.target.begin() + promptLen, 0);
      }
    } catch (const RowError& e) {
      if (!opt.skipBadRows) throw;
      out.problems.push_back({line, e.reason()});
      continue;
    }
    if (!ex.target.empty()) ex.target[0] = 0;  // the first token is never predicted
    ex.fullLength = static_cast<int64_t>(ex.ids.size());
    if (ex.fullLength > opt.maxLength) {
      ex.ids.resize(opt.maxLength);
      ex.target.resize(opt.maxLength);
      ++out.truncated;
    }
    if (ex.targets() == 0) {
      // Nothing left to learn: the prompt alone fills the max length. Never silent.
      out.problems.push_back({line, "no completion token fits in the max length (" +
                                        std::to_string(ex.fullLength) + " tokens > " +
                                        std::to_string(opt.maxLength) + ")"});
      continue;
    }
    out.examples.push_back(std::move(ex));
  }
  if (!out.labelColumn.empty()) {
    std::set<std::string> values;
    for (const auto& e : out.examples) values.insert(e.completion);
    if (values.size() >= 2 && values.size() <= 20 && values.size() * 2 <= out.examples.size())
      out.labelOptions.assign(values.begin(), values.end());
    else
      out.labelColumn.clear();
  }
  if (out.examples.empty())
    throw FormatError(file + ": no row gave a training example" +
                      (out.problems.empty() ? std::string()
                                            : " (first problem, line " + std::to_string(out.problems[0].line) +
                                                  ": " + out.problems[0].message + ")"));
  return out;
}

Split splitExamples(int64_t n, double fraction, uint64_t seed) {
  if (fraction < 0 || fraction >= 1) throw ConfigError("validation fraction must be in [0, 1)");
  std::vector<int64_t> idx(n);
  std::iota(idx.begin(), idx.end(), 0);
  std::mt19937_64 rng(seed);
  for (int64_t i = n - 1; i > 0; --i) std::swap(idx[i], idx[rng() % (i + 1)]);
  int64_t nv = static_cast<int64_t>(std::llround(fraction * n));
  if (fraction > 0 && n >= 2) nv = std::max<int64_t>(nv, 1);
  nv = std::min(nv, n - 1);
  Split s;
  s.validation.assign(idx.begin(), idx.begin() + nv);
  s.train.assign(idx.begin() + nv, idx.end());
  std::sort(s.validation.begin(), s.validation.end());
  std::sort(s.train.begin(), s.train.end());
  return s;
}

DatasetStats datasetStats(const ExampleSet& ex, const Split& split, int64_t maxLength, int bins) {
  DatasetStats s;
  s.rows = static_cast<int64_t>(ex.examples.size() + ex.problems.size());
  s.trainRows = static_cast<int64_t>(split.train.size());
  s.validationRows = static_cast<int64_t>(split.validation.size());
  s.skippedRows = static_cast<int64_t>(ex.problems.size());
  s.maxLength = maxLength;
  std::vector<int64_t> lens;
  for (const auto& e : ex.examples) {
    lens.push_back(e.fullLength);
    if (e.fullLength > maxLength) ++s.truncatedRows;
    s.totalTokens += static_cast<int64_t>(e.ids.size());
    s.targetTokens += e.targets();
    if (!ex.labelColumn.empty()) ++s.labels[e.completion];
  }
  if (!lens.empty()) {
    std::vector<int64_t> sorted = lens;
    std::sort(sorted.begin(), sorted.end());
    s.longest = sorted.back();
    s.p50 = sorted[sorted.size() / 2];
    s.p95 = sorted[std::min(sorted.size() - 1, sorted.size() * 95 / 100)];
    s.meanLength = std::accumulate(sorted.begin(), sorted.end(), 0.0) / sorted.size();
    // Bins span [0, max(longest, maxLength)] so the max-length line falls on a bin edge.
    const int64_t top = std::max(s.longest + 1, maxLength + 1);
    const int64_t width = std::max<int64_t>(1, (top + bins - 1) / bins);
    for (int i = 0; i <= bins; ++i) s.histEdges.push_back(i * width);
    s.histCounts.assign(bins, 0);
    for (int64_t l : lens) ++s.histCounts[std::min<int64_t>(bins - 1, l / width)];
  }
  // Duplicates and leakage compare the rendered text (token ids) of rows, by a 128-bit digest
  // of the ids: a few bytes a row instead of a copy of every row (a 50 MB file has millions
  // of tokens), and no realistic chance of two different rows colliding.
  struct Digest {
    uint64_t a, b;
    bool operator==(const Digest& o) const { return a == o.a && b == o.b; }
  };
  struct DigestHash {
    size_t operator()(const Digest& d) const { return static_cast<size_t>(d.a ^ (d.b * 0x9E3779B97F4A7C15ull)); }
  };
  auto digest = [](const Example& e) {
    uint64_t a = 1469598103934665603ull, b = 0x84222325CBF29CE4ull;  // FNV-1a 64, two seeds
    for (int32_t id : e.ids) {
      for (int k = 0; k < 4; ++k) {
        const uint64_t byte = (static_cast<uint32_t>(id) >> (8 * k)) & 0xFF;
        a = (a ^ byte) * 1099511628211ull;
        b = (b ^ byte) * 0x100000001B3ull ^ (b >> 29);
      }
    }
    return Digest{a ^ e.ids.size(), b};
  };
  std::vector<Digest> digests;
  digests.reserve(ex.examples.size());
  for (const auto& e : ex.examples) digests.push_back(digest(e));
  std::unordered_set<Digest, DigestHash> seen;
  seen.reserve(digests.size());
  for (const Digest& d : digests)
    if (!seen.insert(d).second) ++s.duplicateRows;
  std::unordered_set<Digest, DigestHash> trainKeys;
  trainKeys.reserve(split.train.size());
  for (int64_t i : split.train) trainKeys.insert(digests[static_cast<size_t>(i)]);
  for (int64_t i : split.validation)
    if (trainKeys.count(digests[static_cast<size_t>(i)])) ++s.leakedRows;
  return s;
}

}  // namespace fm
