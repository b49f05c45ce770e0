#include "vision/demo_shapes.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <set>

#include "arch/loaded_model.h"
#include "arch/network.h"
#include "arch/vision_text.h"
#include "embed/train_embedder.h"
#include "io/atomic_file.h"
#include "io/model_folder.h"
#include "jobs/cancelled.h"
#include "nn/weights.h"
#include "tokenize/tokenizer.h"
#include "util/error.h"
#include "util/paths.h"
#include "util/runtime.h"
#include "train/demo.h"
#include "vision/caption.h"
#include "vision/preprocess.h"
#include "vision/train_captioner.h"

namespace fm {
namespace fs = std::filesystem;
using nlohmann::json;

// ------------------------------------------------------------------ pictures

const std::vector<std::string>& shapeNames() {
  static const std::vector<std::string> k = {"circle", "square", "triangle"};
  return k;
}
const std::vector<std::string>& colourNames() {
  static const std::vector<std::string> k = {"red", "green", "blue", "yellow"};
  return k;
}

namespace {

const int kColours[4][3] = {{215, 40, 40}, {40, 170, 60}, {45, 70, 215}, {235, 200, 30}};

cv::Scalar jittered(int colour, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> d(-18, 18);
  auto c = [&](int v) { return std::clamp(v + d(rng), 0, 255); };
  return cv::Scalar(c(kColours[colour][0]), c(kColours[colour][1]), c(kColours[colour][2]));
}

std::vector<ShapeItem> randomItems(int count, int size, std::mt19937_64& rng, int shape = -1, int colour = -1) {
  std::uniform_int_distribution<int> pickShape(0, 2), pickColour(0, 3);
  std::uniform_int_distribution<int> radius(size * 14 / 100, size * 21 / 100);
  std::vector<ShapeItem> items;
  for (int tries = 0; static_cast<int>(items.size()) < count && tries < 1000; ++tries) {
    ShapeItem it;
    it.shape = shape >= 0 ? shape : pickShape(rng);
    it.colour = colour >= 0 ? colour : pickColour(rng);
    it.radius = radius(rng);
    std::uniform_int_distribution<int> pos(it.radius + 2, size - it.radius - 3);
    it.cx = pos(rng);
    it.cy = pos(rng);
    bool clear = true;
    for (const auto& o : items) {
      const double d = std::hypot(o.cx - it.cx, o.cy - it.cy);
      if (d < o.radius + it.radius + 4) clear = false;
      // Two shapes of the same kind and colour would make "a red circle above a red circle".
      if (o.shape == it.shape && o.colour == it.colour) clear = false;
    }
    if (clear) items.push_back(it);
  }
  return items;
}

std::vector<std::string> captionWords() {
  std::vector<std::string> w = {"a", "above", "below", "left", "right", "of"};
  for (const auto& s : shapeNames()) w.push_back(s);
  for (const auto& c : colourNames()) w.push_back(c);
  return w;
}

void writePng(const fs::path& file, const Image& img) {
  cv::Mat rgb(img.height, img.width, CV_8UC3, const_cast<uint8_t*>(img.rgb.data()));
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  std::vector<uchar> png;
  if (!cv::imencode(".png", bgr, png)) throw IoError(file.string() + ": the picture could not be encoded");
  writeFileAtomic(file, std::string(png.begin(), png.end()));
}

std::string number(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d", i);
  return buf;
}

}  // namespace

Image drawShapes(const std::vector<ShapeItem>& items, int size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> bg(215, 245), noise(-8, 8);
  cv::Mat m(size, size, CV_8UC3, cv::Scalar(bg(rng), bg(rng), bg(rng)));
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) {
      auto& p = m.at<cv::Vec3b>(y, x);
      for (int c = 0; c < 3; ++c) p[c] = static_cast<uint8_t>(std::clamp(p[c] + noise(rng), 0, 255));
    }
  for (const auto& it : items) {
    const cv::Scalar colour = jittered(it.colour, rng);
    const cv::Point c(it.cx, it.cy);
    const int r = it.radius;
    if (it.shape == 0) {
      cv::circle(m, c, r, colour, cv::FILLED, cv::LINE_AA);
    } else if (it.shape == 1) {
      const int h = static_cast<int>(std::lround(r * 0.9));
      cv::rectangle(m, cv::Point(c.x - h, c.y - h), cv::Point(c.x + h, c.y + h), colour, cv::FILLED, cv::LINE_AA);
    } else {
      const cv::Point pts[3] = {{c.x, c.y - r}, {c.x - r * 87 / 100, c.y + r / 2}, {c.x + r * 87 / 100, c.y + r / 2}};
      cv::fillConvexPoly(m, pts, 3, colour, cv::LINE_AA);
    }
  }
  Image out;
  out.width = out.height = size;
  out.rgb.assign(m.data, m.data + static_cast<size_t>(size) * size * 3);
  return out;
}

std::string captionOf(const std::vector<ShapeItem>& items) {
  if (items.empty()) return "";
  auto name = [](const ShapeItem& i) { return "a " + colourNames()[static_cast<size_t>(i.colour)] + " " + shapeNames()[static_cast<size_t>(i.shape)]; };
  if (items.size() == 1) return name(items[0]);
  const ShapeItem &a = items[0], &b = items[1];
  const int dx = b.cx - a.cx, dy = b.cy - a.cy;
  std::string rel;
  if (std::abs(dy) >= std::abs(dx)) rel = dy > 0 ? "above" : "below";
  else rel = dx > 0 ? "left of" : "right of";
  return name(a) + " " + rel + " " + name(b);
}

void writeShapesDataset(const fs::path& dir, const ShapesDatasetOptions& o) {
  const fs::path done = dir / "complete.json";
  const json want = {{"size", o.size}, {"train", o.trainPictures}, {"test_per_class", o.testPerClass}, {"seed", o.seed}};
  std::error_code ec;
  if (fs::exists(done, ec)) {
    try {
      if (readJsonFile(done) == want) return;
    } catch (const Error&) {
    }
  }
  makeFolder(dir / "train");
  std::mt19937_64 rng(o.seed);
  for (int i = 0; i < o.trainPictures; ++i) {
    const auto items = randomItems(i % 2 == 0 ? 1 : 2, o.size, rng);
    const uint64_t seed = rng();
    writePng(dir / "train" / (number(i) + ".png"), drawShapes(items, o.size, seed));
    writeFileAtomic(dir / "train" / (number(i) + ".txt"), captionOf(items) + "\n");
  }
  std::mt19937_64 testRng(o.seed * 7919 + 1);
  int n = 0;
  for (int c = 0; c < 4; ++c)
    for (int s = 0; s < 3; ++s) {
      const fs::path classDir = dir / "test" / (colourNames()[static_cast<size_t>(c)] + "_" + shapeNames()[static_cast<size_t>(s)]);
      makeFolder(classDir);
      for (int k = 0; k < o.testPerClass; ++k) {
        const auto items = randomItems(1, o.size, testRng, s, c);
        writePng(classDir / (number(n++) + ".png"), drawShapes(items, o.size, testRng()));
      }
    }
  writeFileAtomic(done, want.dump(1) + "\n");
}

// ------------------------------------------------------------------ tokenizer

namespace {

// GPT-2's reversible byte -> printable character map, which CLIP's vocabulary is written in.
std::vector<std::string> byteCharacters() {
  std::vector<int> bs;
  for (int b = '!'; b <= '~'; ++b) bs.push_back(b);
  for (int b = 0xA1; b <= 0xAC; ++b) bs.push_back(b);
  for (int b = 0xAE; b <= 0xFF; ++b) bs.push_back(b);
  std::vector<int> cs = bs;
  int extra = 0;
  for (int b = 0; b < 256; ++b)
    if (std::find(bs.begin(), bs.end(), b) == bs.end()) {
      bs.push_back(b);
      cs.push_back(256 + extra++);
    }
  std::vector<std::string> out(256);
  for (size_t i = 0; i < bs.size(); ++i) {
    const int cp = cs[i];
    std::string u;
    if (cp < 0x80) u += static_cast<char>(cp);
    else {
      u += static_cast<char>(0xC0 | (cp >> 6));
      u += static_cast<char>(0x80 | (cp & 0x3F));
    }
    out[static_cast<size_t>(bs[i])] = u;
  }
  return out;
}

}  // namespace

void writeClipTokenizer(const fs::path& dir, const std::vector<std::string>& words) {
  const std::vector<std::string> chars = byteCharacters();
  // The vocabulary in CLIP's order: the 256 byte characters (in the map's order), the same with
  // the end-of-word mark, then one entry per merge, then the two special tokens.
  std::vector<std::string> order;
  {
    std::vector<int> bs;
    for (int b = '!'; b <= '~'; ++b) bs.push_back(b);
    for (int b = 0xA1; b <= 0xAC; ++b) bs.push_back(b);
    for (int b = 0xAE; b <= 0xFF; ++b) bs.push_back(b);
    for (int b = 0; b < 256; ++b)
      if (std::find(bs.begin(), bs.end(), b) == bs.end()) bs.push_back(b);
    for (int b : bs) order.push_back(chars[static_cast<size_t>(b)]);
    for (int b : bs) order.push_back(chars[static_cast<size_t>(b)] + "</w>");
  }
  json vocab = json::object();
  for (const auto& t : order) vocab[t] = static_cast<int>(vocab.size());
  json merges = json::array();
  std::set<std::string> seen;
  for (const auto& w : words) {
    if (w.empty()) continue;
    // Spell the word left to right: ((w0 w1) w2) ... (w_{n-1}</w>).
    std::string left = chars[static_cast<unsigned char>(w[0])];
    for (size_t i = 1; i < w.size(); ++i) {
      std::string right = chars[static_cast<unsigned char>(w[i])] + (i + 1 == w.size() ? "</w>" : "");
      const std::string merged = left + right;
      if (seen.insert(left + " " + right).second) {
        merges.push_back(left + " " + right);
        if (!vocab.contains(merged)) vocab[merged] = static_cast<int>(vocab.size());
      }
      left = merged;
    }
  }
  const int bos = static_cast<int>(vocab.size()), eos = bos + 1;
  vocab["<|startoftext|>"] = bos;
  vocab["<|endoftext|>"] = eos;
  auto added = [](int id, const char* content, bool normalized) {
    return json{{"id", id}, {"content", content}, {"single_word", false}, {"lstrip", false},
                {"rstrip", false}, {"normalized", normalized}, {"special", true}};
  };
  const json tok = {
      {"version", "1.0"},
      {"truncation", nullptr},
      {"padding", nullptr},
      {"added_tokens", {added(bos, "<|startoftext|>", true), added(eos, "<|endoftext|>", false)}},
      {"normalizer",
       {{"type", "Sequence"},
        {"normalizers",
         {{{"type", "NFC"}}, {{"type", "Replace"}, {"pattern", {{"Regex", "\\s+"}}}, {"content", " "}}, {{"type", "Lowercase"}}}}}},
      {"pre_tokenizer",
       {{"type", "Sequence"},
        {"pretokenizers",
         {{{"type", "Split"},
           {"pattern",
            {{"Regex", "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+"}}},
           {"behavior", "Removed"},
           {"invert", true}},
          {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", false}}}}}},
      {"post_processor",
       {{"type", "RobertaProcessing"},
        {"sep", {"<|endoftext|>", eos}},
        {"cls", {"<|startoftext|>", bos}},
        {"trim_offsets", false},
        {"add_prefix_space", false}}},
      {"decoder", {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}}},
      {"model",
       {{"type", "BPE"},
        {"dropout", nullptr},
        {"unk_token", "<|endoftext|>"},
        {"continuing_subword_prefix", ""},
        {"end_of_word_suffix", "</w>"},
        {"fuse_unk", false},
        {"byte_fallback", false},
        {"vocab", vocab},
        {"merges", merges}}}};
  makeFolder(dir);
  writeFileAtomic(dir / "tokenizer.json", tok.dump() + "\n");
  const json cfg = {{"bos_token", "<|startoftext|>"}, {"eos_token", "<|endoftext|>"},
                    {"pad_token", "<|endoftext|>"},   {"unk_token", "<|endoftext|>"},
                    {"do_lower_case", true},          {"model_max_length", 32},
                    {"tokenizer_class", "CLIPTokenizer"}};
  writeFileAtomic(dir / "tokenizer_config.json", cfg.dump(2) + "\n");
}

// ------------------------------------------------------------------ a tiny CLIP

void createTinyClip(const fs::path& dir, const std::vector<std::string>& words, const TinyClipOptions& o) {
  writeClipTokenizer(dir, words);
  const auto tok = Tokenizer::fromFolder(dir);
  const int64_t vocab = tok->vocabSize();
  const int64_t eos = *tok->special().eos;
  const json config = {
      {"architectures", {"CLIPModel"}},
      {"model_type", "clip"},
      {"projection_dim", o.projection},
      {"logit_scale_init_value", 2.6592},
      {"text_config",
       {{"vocab_size", vocab}, {"hidden_size", o.textHidden}, {"intermediate_size", o.textHidden * 4},
        {"num_hidden_layers", o.textLayers}, {"num_attention_heads", o.textHeads > 0 ? o.textHeads : o.heads},
        {"max_position_embeddings", 32},
        {"hidden_act", "quick_gelu"}, {"layer_norm_eps", 1e-5}, {"bos_token_id", eos - 1}, {"eos_token_id", eos},
        {"pad_token_id", eos}, {"projection_dim", o.projection}}},
      {"vision_config",
       {{"hidden_size", o.visionHidden}, {"intermediate_size", o.visionHidden * 4}, {"num_hidden_layers", o.visionLayers},
        {"num_attention_heads", o.heads}, {"image_size", o.imageSize}, {"patch_size", o.patchSize},
        {"num_channels", 3}, {"hidden_act", "quick_gelu"}, {"layer_norm_eps", 1e-5}, {"projection_dim", o.projection}}}};
  const json pre = {{"image_processor_type", "CLIPImageProcessor"},
                    {"do_resize", true},
                    {"size", {{"shortest_edge", o.imageSize}}},
                    {"resample", 3},
                    {"do_center_crop", true},
                    {"crop_size", {{"height", o.imageSize}, {"width", o.imageSize}}},
                    {"do_rescale", true},
                    {"rescale_factor", 1.0 / 255.0},
                    {"do_normalize", true},
                    {"image_mean", {0.48145466, 0.4578275, 0.40821073}},
                    {"image_std", {0.26862954, 0.26130258, 0.27577711}},
                    {"do_convert_rgb", true}};
  writeRandomModel(dir, config, o.seed);
  writeFileAtomic(dir / "preprocessor_config.json", pre.dump(2) + "\n");
}

void readCaptionedFolder(const fs::path& dir, std::vector<fs::path>& images, std::vector<std::string>& captions) {
  for (const auto& f : listImages(dir)) {
    fs::path txt = f;
    txt.replace_extension(".txt");
    std::ifstream in(txt, std::ios::binary);
    if (!in) continue;
    std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    if (s.empty()) continue;
    images.push_back(f);
    captions.push_back(s);
  }
}

ClipTrainResult trainClip(const fs::path& dir, const std::vector<fs::path>& images, const std::vector<std::string>& captions,
                          const ClipTrainOptions& o, const JobContext& job) {
  const auto t0 = std::chrono::steady_clock::now();
  if (images.size() != captions.size() || images.size() < 2)
    throw ConfigError("training CLIP needs at least two pictures, each with a caption");
  const ModelFolder folder = ModelFolder::open(dir);
  auto net = createNetwork(folder.config());
  auto* clip = dynamic_cast<VisionTextModel*>(net.get());
  if (!clip) throw ConfigError(dir.string() + " is not an image-text model (CLIP)");
  loadWeights(*net, folder.openWeights());
  const auto tok = Tokenizer::fromFolder(dir);
  const ImageProcessor proc = ImageProcessor::fromFolder(dir);

  // Every picture preprocessed once; every caption tokenized once.
  const int64_t n = static_cast<int64_t>(images.size());
  std::vector<torch::Tensor> pixels;
  for (int64_t i = 0; i < n; ++i) {
    if (i % 64 == 0) job.report(0.1 * static_cast<double>(i) / static_cast<double>(n), "reading the pictures");
    pixels.push_back(proc.process(decodeImageFile(images[static_cast<size_t>(i)]).image));
  }
  const torch::Tensor allPixels = torch::stack(pixels);  // (N, 3, S, S)
  pixels.clear();
  const size_t maxLen = static_cast<size_t>(clip->maxTextTokens());
  std::vector<std::vector<int32_t>> ids;
  for (const auto& c : captions) ids.push_back(tok->encodeForModel(c, maxLen).ids);
  const int64_t pad = tok->special().eos ? *tok->special().eos : 0;
  // Pictures with the same caption are not negatives of each other: the targets spread over
  // every picture in the batch that shares the caption.
  std::map<std::string, int64_t> captionId;
  std::vector<int64_t> group;
  for (const auto& c : captions) group.push_back(captionId.emplace(c, static_cast<int64_t>(captionId.size())).first->second);

  torch::Tensor logitScale;
  std::vector<torch::Tensor> params;
  for (auto& p : net->named_parameters(true)) {
    params.push_back(p.value());
    if (p.key() == "logit_scale") logitScale = p.value();
  }
  torch::manual_seed(static_cast<int64_t>(o.seed));
  std::mt19937_64 rng(o.seed);
  net->train();
  torch::optim::AdamW opt(params, torch::optim::AdamWOptions(o.lr).weight_decay(0.1));
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  size_t at = order.size();
  const int64_t batch = std::min<int64_t>(o.batchSize, n);
  ClipTrainResult r;
  LossPoints points;
  for (int64_t step = 1; step <= o.steps; ++step) {
    if (job.stopAsked()) {
      r.status = JobStatus::Cancelled;
      return r;
    }
    const double lr = warmupCosineLr(step, o.steps, o.warmupSteps, o.lr, 0.05);
    for (auto& g : opt.param_groups()) static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);
    std::vector<int64_t> pick;
    for (int64_t i = 0; i < batch; ++i) {
      if (at >= order.size()) {
        std::shuffle(order.begin(), order.end(), rng);
        at = 0;
      }
      pick.push_back(order[at++]);
    }
    size_t longest = 1;
    for (int64_t k : pick) longest = std::max(longest, ids[static_cast<size_t>(k)].size());
    auto idT = torch::full({batch, static_cast<int64_t>(longest)}, pad, torch::kLong);
    auto keep = torch::zeros({batch, static_cast<int64_t>(longest)}, torch::kLong);
    auto groups = torch::empty({batch}, torch::kLong);
    for (int64_t b = 0; b < batch; ++b) {
      const auto& v = ids[static_cast<size_t>(pick[static_cast<size_t>(b)])];
      for (size_t t = 0; t < v.size(); ++t) {
        idT[b][static_cast<int64_t>(t)] = v[t];
        keep[b][static_cast<int64_t>(t)] = 1;
      }
      groups[b] = group[static_cast<size_t>(pick[static_cast<size_t>(b)])];
    }
    const torch::Tensor px = allPixels.index_select(0, torch::tensor(pick, torch::kLong));
    auto img = clip->imageFeatures(px);
    auto txt = clip->textFeatures({idT, keep, {}, {}});
    img = img / img.norm(2, -1, true);
    txt = txt / txt.norm(2, -1, true);
    const torch::Tensor logits = logitScale.exp() * torch::matmul(img, txt.t());  // (B, B)
    torch::Tensor target = groups.unsqueeze(0).eq(groups.unsqueeze(1)).to(torch::kFloat);
    target = target / target.sum(1, true);
    const torch::Tensor loss = 0.5 * (-(target * torch::log_softmax(logits, 1)).sum(1).mean() -
                                      (target * torch::log_softmax(logits.t(), 1)).sum(1).mean());
    opt.zero_grad();
    loss.backward();
    torch::nn::utils::clip_grad_norm_(params, 1.0);
    opt.step();
    {
      torch::NoGradGuard ng;
      logitScale.clamp_(0.0, std::log(100.0));  // as CLIP bounds its temperature
    }
    points.add(step, o.steps, loss.item<double>(), r.loss, job);
    try {
      job.report(0.1 + 0.9 * static_cast<double>(step) / static_cast<double>(o.steps),
                 "training CLIP: step " + std::to_string(step) + " of " + std::to_string(o.steps));
    } catch (const CancelledError&) {
      r.status = JobStatus::Cancelled;
      return r;
    }
  }
  net->eval();
  std::vector<std::pair<std::string, torch::Tensor>> named;
  for (const auto& p : net->named_parameters(true)) named.emplace_back(p.key(), p.value().detach());
  writeTensorFile(dir / "model.safetensors", named);  // atomic: a kill keeps the old weights
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

// ------------------------------------------------------------------ the demo

VisionDemoPaths visionDemoPaths(const fs::path& workspace) {
  return {workspace / "datasets" / "demo-shapes", workspace / "models" / "demo-clip",
          workspace / "models" / "demo-caption-lm", workspace / "runs" / "demo-captioner",
          workspace / "models" / "demo-captioner"};
}

CaptionScore scoreShapeCaptions(LoadedModel& captioner, const fs::path& dir, const JobContext& job) {
  const LabelledImages data = readLabelledFolder(dir);
  std::vector<Image> images;
  for (const auto& f : data.files) images.push_back(decodeImageFile(f).image);
  std::vector<const Image*> ptrs;
  for (const auto& im : images) ptrs.push_back(&im);
  const std::vector<Caption> caps = captionImages(captioner, ptrs, CaptionOptions{}, job);
  auto named = [](const std::string& text, const std::vector<std::string>& words) {
    std::vector<std::string> found;
    std::string w;
    for (char c : text + " ") {
      if (std::isalpha(static_cast<unsigned char>(c))) {
        w += c;
      } else if (!w.empty()) {
        if (std::find(words.begin(), words.end(), w) != words.end() &&
            std::find(found.begin(), found.end(), w) == found.end())
          found.push_back(w);
        w.clear();
      }
    }
    return found;
  };
  CaptionScore s;
  std::set<int> shown;
  int64_t colour = 0, shape = 0, both = 0;
  for (size_t i = 0; i < caps.size(); ++i) {
    const std::string& cls = data.classes[static_cast<size_t>(data.truth[i])];  // "red_circle"
    const std::string wantColour = cls.substr(0, cls.find('_')), wantShape = cls.substr(cls.find('_') + 1);
    const auto colours = named(caps[i].text, colourNames()), shapes = named(caps[i].text, shapeNames());
    const bool c = colours.size() == 1 && colours[0] == wantColour, sh = shapes.size() == 1 && shapes[0] == wantShape;
    colour += c;
    shape += sh;
    both += c && sh;
    if (shown.insert(data.truth[i]).second) s.examples.emplace_back(data.files[i], caps[i].text);
  }
  s.pictures = static_cast<int64_t>(caps.size());
  const double n = static_cast<double>(std::max<int64_t>(s.pictures, 1));
  s.colour = colour / n;
  s.shape = shape / n;
  s.both = both / n;
  return s;
}

VisionDemoResult runVisionDemo(const fs::path& workspace, const VisionDemoOptions& o, const JobContext& job) {
  ThreadCountScope threads(o.threads);
  const VisionDemoPaths p = visionDemoPaths(workspace);
  if (o.fresh) {
    std::error_code ec;
    fs::remove_all(p.data, ec);
    fs::remove_all(p.model, ec);
    fs::remove_all(p.captionLm, ec);
    fs::remove_all(p.captionerRun, ec);
    fs::remove_all(p.captioner, ec);
  }
  VisionDemoResult r;
  job.report(0.0, "drawing the pictures");
  writeShapesDataset(p.data, {});
  const fs::path trained = p.model / "trained.json";
  const json want = {{"steps", o.steps}};
  bool reuse = false;
  std::error_code ec;
  if (fs::exists(trained, ec)) {
    try {
      reuse = readJsonFile(trained) == want;
    } catch (const Error&) {
    }
  }
  if (!reuse) {
    fs::remove(trained, ec);
    createTinyClip(p.model, captionWords(), {});
    std::vector<fs::path> images;
    std::vector<std::string> captions;
    readCaptionedFolder(p.data / "train", images, captions);
    ClipTrainOptions to;
    to.steps = o.steps;
    const ClipTrainResult t = trainClip(p.model, images, captions, to, job.part(0.05, 0.9));
    r.loss = t.loss;
    if (t.status == JobStatus::Cancelled) {
      r.status = JobStatus::Cancelled;
      return r;
    }
    r.trainSeconds = t.seconds;
    writeFileAtomic(trained, want.dump() + "\n");
  }
  const double clipEnd = o.captioner ? 0.55 : 0.9;
  job.report(clipEnd, "zero-shot labels on held-out pictures");
  {
    auto model = LoadedModel::load(p.model, {});
    const ImageProcessor proc = ImageProcessor::fromFolder(p.model);
    r.zeroShot = evaluateZeroShot(*model, proc, readLabelledFolder(p.data / "test"), {}, "a {}",
                                  job.part(clipEnd, clipEnd + 0.05));
  }
  if (!o.captioner) return r;
  // A finished captioner is reused while the CLIP it was trained on is the same.
  const fs::path captionerDone = p.captioner / "trained.json";
  const json wantCaptioner = {{"clip", want}, {"epochs", o.captionerEpochs}};
  bool reuseCaptioner = reuse;
  if (reuseCaptioner) {
    try {
      reuseCaptioner = fs::exists(captionerDone, ec) && readJsonFile(captionerDone) == wantCaptioner;
    } catch (const Error&) {
      reuseCaptioner = false;
    }
  }
  if (!reuseCaptioner) {
    const auto t0 = std::chrono::steady_clock::now();
    fs::remove_all(p.captioner, ec);
    fs::remove_all(p.captionerRun, ec);
    // Trainer events -> this job's progress bar; false (stop) when a stop was asked.
    auto relay = [&](JobContext part, const std::string& what, std::vector<std::pair<int64_t, double>>* loss) {
      return [part, what, loss](const TrainEvent& e) {
        if (e.kind == TrainEvent::Kind::Log && loss) loss->emplace_back(e.step, e.loss);
        if (e.kind != TrainEvent::Kind::Step || e.totalSteps <= 0) return !part.stopAsked();
        try {
          part.report(static_cast<double>(e.step) / static_cast<double>(e.totalSteps),
                      what + ": step " + std::to_string(e.step) + " of " + std::to_string(e.totalSteps));
        } catch (const CancelledError&) {
          return false;
        }
        return true;
      };
    };
    // 1. A tiny language model that knows how captions go, pretrained on the training captions.
    std::vector<fs::path> images;
    std::vector<std::string> captions;
    readCaptionedFolder(p.data / "train", images, captions);
    std::string corpus;
    for (const auto& c : captions) corpus += c + "\n";
    const fs::path corpusFile = p.data / "captions.txt";
    writeFileAtomic(corpusFile, corpus);
    const TrainResult lm = pretrainDemoModel(corpusFile, p.captionLm, 150, o.threads,
                                             relay(job.part(0.6, 0.7), "pretraining a language model on the captions", nullptr));
    if (lm.status != JobStatus::Completed) {
      r.status = lm.status;
      return r;
    }
    // 2. The captioner: the demo CLIP (frozen) -> mapper -> LoRA on that language model.
    CaptionerTrainConfig c;
    c.imageModel = utf8(p.model);
    c.languageModel = utf8(p.captionLm);
    c.data = utf8(p.data / "train");
    c.outDir = utf8(p.captionerRun);
    c.lmTraining = "lora";
    c.epochs = o.captionerEpochs;
    c.batchSize = 32;
    c.logEvery = 10;
    c.evalEvery = 100;
    c.threads = o.threads;
    const TrainResult t = trainCaptioner(c, relay(job.part(0.7, 0.95), "training the captioner", &r.captionerLoss));
    if (t.status != JobStatus::Completed) {
      r.status = t.status;
      return r;
    }
    fs::rename(t.outputDir, p.captioner);
    writeFileAtomic(captionerDone, wantCaptioner.dump() + "\n");
    r.captionerSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  job.report(0.95, "captions of held-out pictures");
  auto captioner = LoadedModel::load(p.captioner, {});
  r.captions = scoreShapeCaptions(*captioner, p.data / "test", job.part(0.95, 1.0));
  return r;
}

}  // namespace fm
