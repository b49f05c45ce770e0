#include "embed/embedder.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "arch/encoder.h"
#include "arch/loaded_model.h"
#include "embed/sentence_config.h"
#include "embed/sentence_head.h"
#include "tokenize/text_util.h"
#include "tokenize/tokenizer.h"
#include "util/error.h"

namespace fm {

namespace {

struct Batch {
  std::vector<size_t> rows;  // indices into the input, longest first
  int64_t width = 0;         // the longest row
  int64_t tokens = 0;        // all rows together
};

// Rows sorted by length (longest first) and cut so that each batch holds at most `maxTokens`
// tokens (a longer text still gets a batch of its own) and `maxRows` rows.
std::vector<Batch> makeBatches(const std::vector<Encoding>& enc, int64_t maxTokens, int64_t maxRows) {
  std::vector<size_t> order(enc.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return enc[a].ids.size() > enc[b].ids.size(); });
  std::vector<Batch> out;
  for (size_t i : order) {
    const int64_t len = static_cast<int64_t>(enc[i].ids.size());
    if (out.empty() || static_cast<int64_t>(out.back().rows.size()) >= maxRows || out.back().tokens + len > maxTokens)
      out.push_back({{}, len, 0});
    out.back().rows.push_back(i);
    out.back().tokens += len;
  }
  return out;
}

// A batch laid end to end in one row (no padding computed): ids and types (1, T), the
// sequence lengths, and where each token goes in a right-padded (B, width) layout.
struct Packed {
  torch::Tensor ids, types, flat;
  std::vector<int64_t> segments;
};

EncoderArgs argsOf(const Packed& p) {
  EncoderArgs a;
  a.ids = p.ids;
  a.typeIds = p.types;
  a.segments = p.segments;
  return a;
}

Packed pack(const std::vector<Encoding>& enc, const Batch& b, torch::Device dev) {
  std::vector<int64_t> ids, types, flat;
  ids.reserve(static_cast<size_t>(b.tokens));
  types.reserve(static_cast<size_t>(b.tokens));
  flat.reserve(static_cast<size_t>(b.tokens));
  Packed p;
  for (size_t r = 0; r < b.rows.size(); ++r) {
    const Encoding& e = enc[b.rows[r]];
    p.segments.push_back(static_cast<int64_t>(e.ids.size()));
    for (size_t t = 0; t < e.ids.size(); ++t) {
      ids.push_back(e.ids[t]);
      types.push_back(t < e.typeIds.size() ? e.typeIds[t] : 0);
      flat.push_back(static_cast<int64_t>(r) * b.width + static_cast<int64_t>(t));
    }
  }
  const int64_t T = static_cast<int64_t>(ids.size());
  p.ids = torch::tensor(ids, torch::kLong).view({1, T}).to(dev);
  p.types = torch::tensor(types, torch::kLong).view({1, T}).to(dev);
  p.flat = torch::tensor(flat, torch::kLong).to(dev);
  return p;
}

void checkIds(const std::vector<Encoding>& enc, const ModelInfo& info) {
  for (const Encoding& e : enc) {
    if (e.ids.empty()) throw ConfigError("a text has no tokens at all (not even special tokens)");
    for (int32_t id : e.ids)
      if (id < 0 || id >= info.vocabSize)
        throw ConfigError("token id " + std::to_string(id) + " is outside the vocabulary (" +
                          std::to_string(info.vocabSize) + "): the tokenizer does not belong to this model");
    for (int32_t t : e.typeIds)
      if (t < 0 || (info.typeVocabSize > 0 && t >= info.typeVocabSize))
        throw ConfigError("the tokenizer gives token type " + std::to_string(t) + " but the model has " +
                          std::to_string(info.typeVocabSize) + " (type_vocab_size): the tokenizer does not belong to this model");
  }
}

EmbedResult runEncoder(const LoadedModel& model, const std::vector<Encoding>& enc, int64_t promptTokens,
                       const EmbedOptions& o, const JobContext& job) {
  TextEncoder& encoder = model.encoder();
  const SentenceHead* head = model.sentenceHead();
  if (!head) throw UnsupportedError(model.info().dir + ": no sentence head for this encoder");
  checkIds(enc, model.info());
  torch::InferenceMode guard;
  EmbedResult r;
  r.vectors.resize(enc.size());
  size_t done = 0;
  for (const Batch& b : makeBatches(enc, std::max<int64_t>(1, o.maxBatchTokens), std::max<int64_t>(1, o.maxBatchTexts))) {
    Packed pk = pack(enc, b, encoder.device());
    auto packed = encoder.forward(argsOf(pk)).squeeze(0);  // (T, H): real tokens only
    // The head pools over a right-padded view: (B, width, H) with a mask of real tokens.
    const int64_t B = static_cast<int64_t>(b.rows.size()), H = packed.size(1);
    auto hidden = torch::zeros({B * b.width, H}, packed.options()).index_copy_(0, pk.flat, packed).view({B, b.width, H});
    auto keep = torch::zeros({B * b.width}, torch::TensorOptions().dtype(torch::kLong).device(packed.device()))
                    .index_fill_(0, pk.flat, 1)
                    .view({B, b.width});
    auto v = head->forward(hidden, keep, promptTokens).to(torch::kCPU).contiguous();  // (B, dim)
    const int64_t dim = v.size(1);
    const float* p = v.data_ptr<float>();
    for (size_t k = 0; k < b.rows.size(); ++k) {
      r.vectors[b.rows[k]].assign(p + k * dim, p + (k + 1) * dim);
      r.realTokens += static_cast<int64_t>(enc[b.rows[k]].ids.size());
    }
    r.paddedTokens += b.tokens;  // packed: the encoder computes real tokens only
    done += b.rows.size();
    job.report(static_cast<double>(done) / static_cast<double>(enc.size()),
               "embedding " + std::to_string(done) + " of " + std::to_string(enc.size()));
  }
  return r;
}

}  // namespace

int rankedLabel(const std::vector<std::string>& labels) {
  if (labels.size() <= 1) return 0;
  for (const char* want : {"relevant", "entailment", "positive", "yes", "true", "match", "similar", "duplicate"})
    for (size_t i = 0; i < labels.size(); ++i)
      if (text::lowercase(labels[i]) == want) return static_cast<int>(i);
  // Two labels without names (LABEL_0 / LABEL_1): the second is the positive class.
  return labels.size() == 2 ? 1 : static_cast<int>(labels.size()) - 1;
}

EmbedResult embedTexts(const LoadedModel& model, const std::vector<std::string>& texts, const EmbedOptions& o,
                       const JobContext& job) {
  model.encoder();  // the kind check, before any work
  const Tokenizer* tok = model.tokenizer();
  const SentenceConfig* sc = model.sentenceConfig();
  if (!tok || !sc) throw UnsupportedError(model.info().dir + ": this encoder has no tokenizer");
  const std::string prompt = o.usePromptText ? o.promptText : sc->promptText(o.promptName.empty() ? sc->defaultPrompt : o.promptName);
  // As sentence-transformers: prompt + text, then strip, then lower-case when the model says so.
  auto prepare = [&](const std::string& text) {
    std::string s = text::stripWhitespace(prompt + text, true, true);
    return sc->lowerCase ? text::lowercase(s) : s;
  };
  const size_t maxLen = static_cast<size_t>(std::max<int64_t>(0, sc->maxLength));
  std::vector<Encoding> enc;
  enc.reserve(texts.size());
  int64_t truncated = 0;
  for (const std::string& t : texts) {
    enc.push_back(tok->encodeForModel(prepare(t), maxLen));
    if (maxLen > 0 && enc.back().ids.size() == maxLen && tok->encodeForModel(prepare(t), 0).ids.size() > maxLen) ++truncated;
  }
  int64_t promptTokens = 0;
  if (!sc->pooling.includePrompt && !prompt.empty()) {
    // sentence-transformers: the prompt's ids with special tokens, less a closing special token.
    const Encoding p = tok->encodeForModel(prepare(""), 0);
    promptTokens = static_cast<int64_t>(p.ids.size());
    if (promptTokens > 0 && tok->isSpecial(p.ids.back())) --promptTokens;
  }
  EmbedResult r = runEncoder(model, enc, promptTokens, o, job);
  r.truncated = truncated;
  return r;
}

EmbedResult embedIds(const LoadedModel& model, const std::vector<std::vector<int32_t>>& ids, int64_t promptTokens,
                     const EmbedOptions& o, const JobContext& job) {
  std::vector<Encoding> enc(ids.size());
  const int64_t maxLen = model.info().maxLength > 0 ? model.info().maxLength : model.info().maxPositions;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (static_cast<int64_t>(ids[i].size()) > maxLen)
      throw ConfigError("text " + std::to_string(i + 1) + " has " + std::to_string(ids[i].size()) +
                        " tokens; this encoder takes at most " + std::to_string(maxLen));
    enc[i].ids = ids[i];
  }
  return runEncoder(model, enc, promptTokens, o, job);
}

std::vector<std::vector<double>> cosineMatrix(const std::vector<std::vector<float>>& v) {
  const size_t n = v.size();
  std::vector<double> norms(n);
  for (size_t i = 0; i < n; ++i) {
    double s = 0;
    for (float x : v[i]) s += double(x) * x;
    norms[i] = std::sqrt(s);
  }
  std::vector<std::vector<double>> m(n, std::vector<double>(n, 0.0));
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i; j < n; ++j) {
      if (v[i].size() != v[j].size()) throw ConfigError("vectors of different dimensions cannot be compared");
      double dot = 0;
      for (size_t k = 0; k < v[i].size(); ++k) dot += double(v[i][k]) * v[j][k];
      const double d = norms[i] * norms[j];
      m[i][j] = m[j][i] = d > 0 ? dot / d : 0.0;
    }
  return m;
}

std::vector<PairScore> scorePairs(const LoadedModel& model, const std::string& query,
                                  const std::vector<std::string>& passages, const RerankOptions& o,
                                  const JobContext& job) {
  SequenceClassifier& clf = model.classifier();
  const Tokenizer* tok = model.tokenizer();
  if (!tok) throw UnsupportedError(model.info().dir + ": this cross-encoder has no tokenizer");
  const int64_t modelMax = model.info().maxLength > 0 ? model.info().maxLength : model.info().maxPositions;
  const size_t maxLen = static_cast<size_t>(o.maxLength > 0 ? std::min(o.maxLength, modelMax) : modelMax);
  std::vector<Encoding> enc;
  std::vector<PairScore> out(passages.size());
  for (size_t i = 0; i < passages.size(); ++i) {
    enc.push_back(tok->encodePair(query, passages[i], maxLen));
    out[i].truncated = enc.back().ids.size() == maxLen &&
                       tok->encodePair(query, passages[i], 0).ids.size() > maxLen;
  }
  checkIds(enc, model.info());
  const int ranked = rankedLabel(model.info().labels);
  torch::InferenceMode guard;
  size_t done = 0;
  for (const Batch& b : makeBatches(enc, std::max<int64_t>(1, o.maxBatchTokens), std::max<int64_t>(1, o.maxBatchPairs))) {
    auto logits = clf.forward(argsOf(pack(enc, b, clf.device()))).to(torch::kCPU).to(torch::kDouble).contiguous();  // (B, L)
    const int64_t L = logits.size(1);
    auto probs = L == 1 ? torch::sigmoid(logits) : torch::softmax(logits, 1);
    const double* pl = logits.data_ptr<double>();
    const double* pp = probs.data_ptr<double>();
    for (size_t k = 0; k < b.rows.size(); ++k) {
      PairScore& s = out[b.rows[k]];
      s.logits.assign(pl + k * L, pl + (k + 1) * L);
      s.probabilities.assign(pp + k * L, pp + (k + 1) * L);
      if (L == 1) {
        s.score = s.logits[0];
      } else {
        s.label = ranked < L ? ranked : static_cast<int>(L - 1);
        s.score = s.probabilities[static_cast<size_t>(s.label)];
        s.topLabel = static_cast<int>(std::max_element(s.probabilities.begin(), s.probabilities.end()) - s.probabilities.begin());
      }
    }
    done += b.rows.size();
    job.report(static_cast<double>(done) / static_cast<double>(enc.size()),
               "scoring " + std::to_string(done) + " of " + std::to_string(enc.size()));
  }
  return out;
}

}  // namespace fm
