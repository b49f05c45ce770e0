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
  int64_t width = 0;
};

// Rows sorted by length (longest first) and cut so that rows * width stays under the budget.
std::vector<Batch> makeBatches(const std::vector<Encoding>& enc, int64_t maxTokens, int64_t maxRows) {
  std::vector<size_t> order(enc.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return enc[a].ids.size() > enc[b].ids.size(); });
  std::vector<Batch> out;
  for (size_t i : order) {
    const int64_t len = std::max<int64_t>(1, static_cast<int64_t>(enc[i].ids.size()));
    if (out.empty() || static_cast<int64_t>(out.back().rows.size()) >= maxRows ||
        (static_cast<int64_t>(out.back().rows.size()) + 1) * out.back().width > maxTokens)
      out.push_back({{}, len});
    out.back().rows.push_back(i);
  }
  return out;
}

struct Tensors {
  torch::Tensor ids, keep, types;  // (B, W)
};

Tensors pad(const std::vector<Encoding>& enc, const Batch& b, int32_t padId, torch::Device dev) {
  const int64_t B = static_cast<int64_t>(b.rows.size()), W = b.width;
  auto ids = torch::full({B, W}, static_cast<int64_t>(padId), torch::kLong);
  auto keep = torch::zeros({B, W}, torch::kLong);
  auto types = torch::zeros({B, W}, torch::kLong);
  auto pi = ids.accessor<int64_t, 2>(), pk = keep.accessor<int64_t, 2>(), pt = types.accessor<int64_t, 2>();
  for (int64_t r = 0; r < B; ++r) {
    const Encoding& e = enc[b.rows[static_cast<size_t>(r)]];
    for (size_t t = 0; t < e.ids.size(); ++t) {
      pi[r][static_cast<int64_t>(t)] = e.ids[t];
      pk[r][static_cast<int64_t>(t)] = 1;
      pt[r][static_cast<int64_t>(t)] = t < e.typeIds.size() ? e.typeIds[t] : 0;
    }
  }
  return {ids.to(dev), keep.to(dev), types.to(dev)};
}

int32_t padIdOf(const LoadedModel& model) {
  if (model.info().padTokenId >= 0) return static_cast<int32_t>(model.info().padTokenId);
  const Tokenizer* tok = model.tokenizer();
  return tok && tok->special().pad ? *tok->special().pad : 0;
}

void checkIds(const std::vector<Encoding>& enc, const ModelInfo& info) {
  for (const Encoding& e : enc) {
    if (e.ids.empty()) throw ConfigError("a text has no tokens at all (not even special tokens)");
    for (int32_t id : e.ids)
      if (id < 0 || id >= info.vocabSize)
        throw ConfigError("token id " + std::to_string(id) + " is outside the vocabulary (" +
                          std::to_string(info.vocabSize) + ")");
  }
}

EmbedResult runEncoder(const LoadedModel& model, const std::vector<Encoding>& enc, int64_t promptTokens,
                       const EmbedOptions& o, const BatchProgress& progress) {
  TextEncoder& encoder = model.encoder();
  const SentenceHead* head = model.sentenceHead();
  if (!head) throw UnsupportedError(model.info().dir + ": no sentence head for this encoder");
  checkIds(enc, model.info());
  torch::InferenceMode guard;
  EmbedResult r;
  r.vectors.resize(enc.size());
  const int32_t padId = padIdOf(model);
  size_t done = 0;
  for (const Batch& b : makeBatches(enc, std::max<int64_t>(1, o.maxBatchTokens), std::max<int64_t>(1, o.maxBatchTexts))) {
    Tensors t = pad(enc, b, padId, encoder.device());
    auto hidden = encoder.forward({t.ids, t.keep, t.types});           // (B, W, H)
    auto v = head->forward(hidden, t.keep, promptTokens).to(torch::kCPU).contiguous();  // (B, dim)
    const int64_t dim = v.size(1);
    const float* p = v.data_ptr<float>();
    for (size_t k = 0; k < b.rows.size(); ++k) {
      r.vectors[b.rows[k]].assign(p + k * dim, p + (k + 1) * dim);
      r.realTokens += static_cast<int64_t>(enc[b.rows[k]].ids.size());
    }
    r.paddedTokens += static_cast<int64_t>(b.rows.size()) * b.width;
    done += b.rows.size();
    if (progress && !progress(done, enc.size())) {
      r.vectors.clear();
      r.cancelled = true;
      return r;
    }
  }
  return r;
}

}  // namespace

EmbedResult embedTexts(const LoadedModel& model, const std::vector<std::string>& texts, const EmbedOptions& o,
                       const BatchProgress& progress) {
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
  EmbedResult r = runEncoder(model, enc, promptTokens, o, progress);
  r.truncated = truncated;
  return r;
}

EmbedResult embedIds(const LoadedModel& model, const std::vector<std::vector<int32_t>>& ids, int64_t promptTokens,
                     const EmbedOptions& o, const BatchProgress& progress) {
  std::vector<Encoding> enc(ids.size());
  const int64_t maxLen = model.info().maxLength > 0 ? model.info().maxLength : model.info().maxPositions;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (static_cast<int64_t>(ids[i].size()) > maxLen)
      throw ConfigError("text " + std::to_string(i + 1) + " has " + std::to_string(ids[i].size()) +
                        " tokens; this encoder takes at most " + std::to_string(maxLen));
    enc[i].ids = ids[i];
  }
  return runEncoder(model, enc, promptTokens, o, progress);
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
                                  const BatchProgress& progress) {
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
  torch::InferenceMode guard;
  const int32_t padId = padIdOf(model);
  size_t done = 0;
  for (const Batch& b : makeBatches(enc, std::max<int64_t>(1, o.maxBatchTokens), std::max<int64_t>(1, o.maxBatchPairs))) {
    Tensors t = pad(enc, b, padId, clf.device());
    auto logits = clf.forward({t.ids, t.keep, t.types}).to(torch::kCPU).to(torch::kDouble).contiguous();  // (B, L)
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
        s.label = static_cast<int>(std::max_element(s.probabilities.begin(), s.probabilities.end()) - s.probabilities.begin());
        s.score = s.probabilities[static_cast<size_t>(s.label)];
      }
    }
    done += b.rows.size();
    if (progress && !progress(done, enc.size())) return {};
  }
  return out;
}

}  // namespace fm
