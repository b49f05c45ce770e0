#include "vision/caption.h"
#include "vision/caption_states.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <set>

#include "arch/image_to_text.h"
#include "arch/loaded_model.h"
#include "io/atomic_file.h"
#include "tokenize/tokenizer.h"
#include "util/error.h"
#include "vision/preprocess.h"

namespace fm {
namespace fs = std::filesystem;

namespace {

std::string decodeText(const Tokenizer& tok, const std::vector<int64_t>& ids) {
  std::vector<int32_t> v(ids.begin(), ids.end());
  std::string s = tok.decode(v, true);
  const size_t b = s.find_first_not_of(" \t\n"), e = s.find_last_not_of(" \t\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

std::vector<int64_t> promptIds(const Tokenizer& tok, const std::string& prompt) {
  if (prompt.empty()) return {};
  const auto v = tok.encode(prompt, false);
  return {v.begin(), v.end()};
}

struct Setup {
  ImageToTextModel* net;
  const Tokenizer* tok;
  std::set<int64_t> eos;
  std::vector<int64_t> prefix;  // start token + prompt
  int64_t capacity;
};

Setup setUp(ImageToTextModel& net, const Tokenizer* tok, const std::string& where, const CaptionOptions& o) {
  Setup s;
  s.net = &net;
  s.tok = tok;
  if (!s.tok) throw UnsupportedError(where + ": the captioner has no tokenizer, so its captions cannot be read");
  for (int64_t e : s.net->eosIds()) s.eos.insert(e);
  if (s.eos.empty() && s.tok->special().eos) s.eos.insert(*s.tok->special().eos);
  s.prefix = {s.net->decoderStartId()};
  for (int64_t id : promptIds(*s.tok, o.prompt)) s.prefix.push_back(id);
  if (o.maxNewTokens < 1) throw ConfigError("a caption needs room for at least one token");
  s.capacity = static_cast<int64_t>(s.prefix.size()) + o.maxNewTokens;
  if (s.capacity > s.net->maxTextTokens())
    throw ConfigError("the prompt and " + std::to_string(o.maxNewTokens) + " new tokens need " +
                      std::to_string(s.capacity) + " positions; the captioner has " + std::to_string(s.net->maxTextTokens()));
  return s;
}

std::vector<Caption> greedy(Setup& s, const torch::Tensor& states, const CaptionOptions& o,
                            const std::function<void(size_t, const std::string&)>& onText, size_t first) {
  const int64_t B = states.size(0);
  KVCache cache = s.net->makeCache(B, s.capacity);
  std::vector<int64_t> flat;
  for (int64_t b = 0; b < B; ++b) flat.insert(flat.end(), s.prefix.begin(), s.prefix.end());
  torch::Tensor ids = torch::tensor(flat, torch::kLong).view({B, -1});
  std::vector<Caption> out(static_cast<size_t>(B));
  std::vector<bool> done(static_cast<size_t>(B), false);
  for (int step = 0; step < o.maxNewTokens; ++step) {
    auto logits = s.net->decode(ids, step == 0 ? states : torch::Tensor(), &cache).select(1, -1);  // (B, V)
    auto logp = torch::log_softmax(logits, -1);
    auto best = logp.argmax(-1);
    std::vector<int64_t> next(static_cast<size_t>(B));
    bool all = true;
    for (int64_t b = 0; b < B; ++b) {
      const int64_t t = best[b].item<int64_t>();
      next[static_cast<size_t>(b)] = t;
      Caption& c = out[static_cast<size_t>(b)];
      if (!done[static_cast<size_t>(b)]) {
        if (s.eos.count(t)) {
          done[static_cast<size_t>(b)] = true;
        } else {
          c.ids.push_back(t);
          c.logProb += logp[b][t].item<double>();
          if (onText) {
            // Shown only when it reads whole: a character whose bytes are split over tokens
            // decodes to U+FFFD until its last byte arrives, and is held back until then, so
            // each text shown extends the one before.
            std::string text = decodeText(*s.tok, c.ids);
            static const std::string replacement = "\xEF\xBF\xBD";
            const bool partial = text.size() >= 3 && text.compare(text.size() - 3, 3, replacement) == 0;
            if (!partial && text != c.text) {
              c.text = text;
              onText(first + static_cast<size_t>(b), text);
            }
          }
        }
      }
      all = all && done[static_cast<size_t>(b)];
    }
    if (all) break;
    ids = torch::tensor(next, torch::kLong).view({B, 1});
  }
  return out;
}

// Beam search over one picture: the `beams` best continuations kept at each step; a beam that
// emits an end token becomes a finished caption scored by its log-probability over its
// length^lengthPenalty. Ends when every beam has finished or nothing alive can beat the finished.
Caption beamSearch(Setup& s, const torch::Tensor& states, const CaptionOptions& o) {
  const int64_t K = o.beams;  // states: (1, N, H)
  KVCache cache = s.net->makeCache(1, s.capacity);
  struct Beam {
    std::vector<int64_t> ids;
    double score = 0;
  };
  std::vector<Beam> alive = {{}};
  std::vector<Caption> finished;
  auto normalized = [&](double score, size_t len) { return score / std::pow(static_cast<double>(std::max<size_t>(len, 1)), o.lengthPenalty); };
  torch::Tensor input = torch::tensor(s.prefix, torch::kLong).view({1, -1});
  for (int step = 0; step < o.maxNewTokens && !alive.empty(); ++step) {
    auto logp = torch::log_softmax(s.net->decode(input, step == 0 ? states : torch::Tensor(), &cache).select(1, -1), -1);
    const int64_t V = logp.size(1);
    auto total = logp.to(torch::kDouble);
    for (size_t b = 0; b < alive.size(); ++b) total[static_cast<int64_t>(b)] += alive[b].score;
    auto top = total.flatten().topk(std::min<int64_t>(2 * K, total.numel()));
    auto scores = std::get<0>(top).contiguous(), idx = std::get<1>(top).contiguous();
    std::vector<Beam> next;
    std::vector<int64_t> rows;
    for (int64_t r = 0; r < idx.size(0) && static_cast<int64_t>(next.size()) < K; ++r) {
      const int64_t flatIdx = idx[r].item<int64_t>();
      const int64_t beam = flatIdx / V, token = flatIdx % V;
      const double sc = scores[r].item<double>();
      if (s.eos.count(token)) {
        if (r < K) finished.push_back({"", alive[static_cast<size_t>(beam)].ids, sc});
        continue;
      }
      Beam nb = alive[static_cast<size_t>(beam)];
      nb.ids.push_back(token);
      nb.score = sc;
      next.push_back(std::move(nb));
      rows.push_back(beam);
    }
    // Stop when K captions are finished and no live beam can still beat the best of them.
    if (static_cast<int64_t>(finished.size()) >= K) {
      double bestDone = -INFINITY;
      for (const auto& f : finished) bestDone = std::max(bestDone, normalized(f.logProb, f.ids.size() + 1));
      double bestAlive = -INFINITY;
      for (const auto& b : next) bestAlive = std::max(bestAlive, normalized(b.score, b.ids.size()));
      if (bestAlive <= bestDone) break;
    }
    alive = std::move(next);
    if (alive.empty()) break;
    cache.reorder(torch::tensor(rows, torch::kLong));
    std::vector<int64_t> last;
    for (const auto& b : alive) last.push_back(b.ids.back());
    input = torch::tensor(last, torch::kLong).view({static_cast<int64_t>(alive.size()), 1});
  }
  for (const auto& b : alive) finished.push_back({"", b.ids, b.score});
  const Caption* best = nullptr;
  double bestScore = -INFINITY;
  for (const auto& f : finished) {
    const double n = normalized(f.logProb, f.ids.size() + 1);
    if (!best || n > bestScore) {
      best = &f;
      bestScore = n;
    }
  }
  Caption c = best ? *best : Caption{};
  return c;
}

void finishTexts(const Setup& s, const CaptionOptions& o, std::vector<Caption>& out) {
  for (auto& c : out) {
    std::vector<int64_t> all = promptIds(*s.tok, o.prompt);
    all.insert(all.end(), c.ids.begin(), c.ids.end());
    c.text = decodeText(*s.tok, all);
  }
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return s;
}

}  // namespace

std::vector<Caption> captionImages(LoadedModel& model, const std::vector<const Image*>& images, const CaptionOptions& o,
                                   const JobContext& job, const std::function<void(size_t, const std::string&)>& onText) {
  if (o.beams < 1) throw ConfigError("beams must be at least 1");
  Setup s = setUp(model.imageToText(), model.tokenizer(), model.info().dir, o);
  const ImageProcessor proc = ImageProcessor::forModel(model);
  torch::InferenceMode guard;
  std::vector<Caption> out;
  const size_t step = o.beams == 1 ? 8 : 1;
  for (size_t i = 0; i < images.size(); i += step) {
    job.report(static_cast<double>(i) / static_cast<double>(std::max<size_t>(images.size(), 1)),
               "captioning: " + std::to_string(i) + " of " + std::to_string(images.size()));
    const std::vector<const Image*> part(images.begin() + static_cast<std::ptrdiff_t>(i),
                                         images.begin() + static_cast<std::ptrdiff_t>(std::min(images.size(), i + step)));
    const torch::Tensor states = s.net->encodeImages(proc.processBatch(part));
    if (o.beams == 1) {
      for (auto& c : greedy(s, states, o, onText, i)) out.push_back(std::move(c));
    } else {
      out.push_back(beamSearch(s, states, o));
    }
  }
  finishTexts(s, o, out);
  job.report(1.0, "captioning: " + std::to_string(images.size()) + " of " + std::to_string(images.size()));
  return out;
}

std::vector<Caption> captionFromStates(ImageToTextModel& net, const Tokenizer& tok, const torch::Tensor& states,
                                       const CaptionOptions& o) {
  if (o.beams < 1) throw ConfigError("beams must be at least 1");
  Setup s = setUp(net, &tok, "the captioner", o);
  torch::InferenceMode guard;
  std::vector<Caption> out;
  if (o.beams == 1) {
    out = greedy(s, states, o, {}, 0);
  } else {
    for (int64_t b = 0; b < states.size(0); ++b) out.push_back(beamSearch(s, states.slice(0, b, b + 1), o));
  }
  finishTexts(s, o, out);
  return out;
}

SidecarMode sidecarModeOf(const std::string& name) {
  if (name == "overwrite") return SidecarMode::Overwrite;
  if (name == "append") return SidecarMode::Append;
  if (name == "skip") return SidecarMode::Skip;
  throw ConfigError("the sidecar mode \"" + name + "\" is not one of overwrite, append, skip");
}

fs::path sidecarPath(const fs::path& image) {
  fs::path p = image;
  p.replace_extension(".txt");
  return p;
}

std::string styleCaption(const std::string& caption, const CaptionStyle& style) {
  std::set<std::string> remove;
  for (const auto& w : style.removeWords)
    if (!w.empty()) remove.insert(lower(w));
  // Words are runs of letters, digits, apostrophes and hyphens; everything else is kept as is.
  std::string out;
  size_t i = 0;
  auto wordChar = [](unsigned char c) { return std::isalnum(c) || c == '\'' || c == '-' || c >= 0x80; };
  while (i < caption.size()) {
    if (wordChar(static_cast<unsigned char>(caption[i]))) {
      size_t j = i;
      while (j < caption.size() && wordChar(static_cast<unsigned char>(caption[j]))) ++j;
      const std::string w = caption.substr(i, j - i);
      if (!remove.count(lower(w))) out += w;
      i = j;
    } else {
      out += caption[i++];
    }
  }
  // Tidy what removed words leave: runs of spaces, spaces before commas and full stops, empty
  // list items, and separators at either end.
  std::string tidy;
  for (char c : out) {
    if (c == ' ' && (tidy.empty() || tidy.back() == ' ')) continue;
    if ((c == ',' || c == '.') && !tidy.empty() && tidy.back() == ' ') tidy.pop_back();
    if (c == ',' && !tidy.empty() && tidy.back() == ',') continue;
    tidy += c;
  }
  while (!tidy.empty() && (tidy.front() == ',' || tidy.front() == ' ')) tidy.erase(tidy.begin());
  while (!tidy.empty() && (tidy.back() == ',' || tidy.back() == ' ')) tidy.pop_back();
  return style.prefix + tidy + style.suffix;
}

std::string readSidecar(const fs::path& image) {
  std::ifstream in(sidecarPath(image), std::ios::binary);
  if (!in) return {};
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

void writeSidecarText(const fs::path& image, const std::string& text) { writeFileAtomic(sidecarPath(image), text + "\n"); }

SidecarResult writeSidecar(const fs::path& image, const std::string& caption, const CaptionStyle& style) {
  const fs::path file = sidecarPath(image);
  std::error_code ec;
  const bool exists = fs::exists(file, ec);
  if (exists && style.mode == SidecarMode::Skip) return SidecarResult::Skipped;
  const std::string text = styleCaption(caption, style);
  if (exists && style.mode == SidecarMode::Append) {
    std::ifstream in(file, std::ios::binary);
    std::string old((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!old.empty() && (old.back() == '\n' || old.back() == '\r' || old.back() == ' ')) old.pop_back();
    writeFileAtomic(file, (old.empty() ? text : old + style.appendSeparator + text) + "\n");
    return SidecarResult::Appended;
  }
  writeFileAtomic(file, text + "\n");
  return SidecarResult::Written;
}

CaptionFolderReport captionFiles(LoadedModel& model, const std::vector<fs::path>& files, const CaptionOptions& options,
                                 const CaptionStyle& style, const JobContext& job, const CaptionStream& onText) {
  CaptionFolderReport r;
  std::vector<fs::path> todo;
  for (const auto& f : files) {
    std::error_code ec;
    if (style.mode == SidecarMode::Skip && fs::exists(sidecarPath(f), ec)) ++r.skipped;
    else todo.push_back(f);
  }
  const size_t step = options.beams == 1 ? 8 : 1;
  for (size_t i = 0; i < todo.size(); i += step) {
    job.report(static_cast<double>(i) / static_cast<double>(todo.size()),
               "captioning: " + std::to_string(i) + " of " + std::to_string(todo.size()));
    std::vector<Image> imgs;
    std::vector<fs::path> names;
    for (size_t j = i; j < std::min(todo.size(), i + step); ++j) {
      try {
        imgs.push_back(decodeImageFile(todo[j]).image);
        names.push_back(todo[j]);
      } catch (const Error& e) {
        r.failed.push_back({todo[j], e.what()});
      }
    }
    if (imgs.empty()) continue;
    std::vector<const Image*> ptrs;
    for (const auto& im : imgs) ptrs.push_back(&im);
    std::function<void(size_t, const std::string&)> growing;
    if (onText) growing = [&](size_t k, const std::string& text) { onText(names[k], text, false); };
    const auto caps = captionImages(model, ptrs, options, {}, growing);
    for (size_t k = 0; k < caps.size(); ++k) {
      const SidecarResult w = writeSidecar(names[k], caps[k].text, style);
      if (w == SidecarResult::Written) ++r.written;
      if (w == SidecarResult::Appended) ++r.appended;
      if (w == SidecarResult::Skipped) ++r.skipped;
      r.captions.emplace_back(names[k], caps[k].text);
      if (onText) onText(names[k], readSidecar(names[k]), true);
    }
  }
  job.report(1.0, "captioning: " + std::to_string(todo.size()) + " of " + std::to_string(todo.size()));
  return r;
}

}  // namespace fm
