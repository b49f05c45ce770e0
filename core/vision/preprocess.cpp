#include "vision/preprocess.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "arch/loaded_model.h"
#include "io/model_folder.h"
#include "util/error.h"

namespace fm {
namespace fs = std::filesystem;
using nlohmann::json;

// The resize is Pillow's two-pass separable resampling (libImaging/Resample.c, as documented
// by its filters and its 8-bit fixed-point arithmetic), restated here because neither OpenCV
// nor libtorch offers it: OpenCV's bicubic does not antialias when shrinking (about 0.09 off
// per normalised pixel) and libtorch's antialiased kernels cover only bilinear and bicubic, in
// floating point. With the same coefficients, the same rounding and the same uint8 result
// between the horizontal and the vertical pass, the result equals Pillow's.
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kPrecisionBits = 32 - 8 - 2;

struct Filter {
  double support;
  double (*weight)(double);
};

double boxWeight(double x) { return x > -0.5 && x <= 0.5 ? 1.0 : 0.0; }
double bilinearWeight(double x) {
  x = std::fabs(x);
  return x < 1.0 ? 1.0 - x : 0.0;
}
double hammingWeight(double x) {
  x = std::fabs(x);
  if (x == 0.0) return 1.0;
  if (x >= 1.0) return 0.0;
  x *= kPi;
  return std::sin(x) / x * (0.54f + 0.46f * std::cos(x));
}
double bicubicWeight(double x) {
  constexpr double a = -0.5;
  x = std::fabs(x);
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
  return 0.0;
}
double sinc(double x) {
  if (x == 0.0) return 1.0;
  x *= kPi;
  return std::sin(x) / x;
}
double lanczosWeight(double x) { return -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0; }

Filter filterOf(Resample r) {
  switch (r) {
    case Resample::Box: return {0.5, boxWeight};
    case Resample::Bilinear: return {1.0, bilinearWeight};
    case Resample::Hamming: return {1.0, hammingWeight};
    case Resample::Bicubic: return {2.0, bicubicWeight};
    case Resample::Lanczos: return {3.0, lanczosWeight};
    case Resample::Nearest: break;
  }
  return {0.0, nullptr};
}

// Per output position: the first input index, the count, and fixed-point weights.
struct Coefficients {
  int taps = 0;
  std::vector<int> first, count;
  std::vector<int32_t> weights;  // out * taps
};

Coefficients precompute(int inSize, int outSize, const Filter& f) {
  const double scale = static_cast<double>(inSize) / outSize;
  const double filterScale = std::max(scale, 1.0);
  const double support = f.support * filterScale;
  Coefficients c;
  c.taps = static_cast<int>(std::ceil(support)) * 2 + 1;
  c.first.resize(static_cast<size_t>(outSize));
  c.count.resize(static_cast<size_t>(outSize));
  c.weights.assign(static_cast<size_t>(outSize) * c.taps, 0);
  std::vector<double> k(static_cast<size_t>(c.taps));
  for (int xx = 0; xx < outSize; ++xx) {
    const double center = (xx + 0.5) * scale;
    const double ss = 1.0 / filterScale;
    int xmin = static_cast<int>(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    int xmax = static_cast<int>(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    double ww = 0.0;
    for (int x = 0; x < xmax; ++x) {
      const double w = f.weight((x + xmin - center + 0.5) * ss);
      k[static_cast<size_t>(x)] = w;
      ww += w;
    }
    for (int x = 0; x < xmax; ++x) {
      const double w = ww != 0.0 ? k[static_cast<size_t>(x)] / ww : k[static_cast<size_t>(x)];
      const double fixed = w * (1 << kPrecisionBits);
      c.weights[static_cast<size_t>(xx) * c.taps + x] = static_cast<int32_t>(w < 0 ? fixed - 0.5 : fixed + 0.5);
    }
    c.first[static_cast<size_t>(xx)] = xmin;
    c.count[static_cast<size_t>(xx)] = xmax;
  }
  return c;
}

uint8_t clip8(int64_t v) {
  if (v >= (int64_t{1} << kPrecisionBits << 8)) return 255;
  if (v <= 0) return 0;
  return static_cast<uint8_t>(v >> kPrecisionBits);
}

// Rows [row0, row0 + rows) of `in`, resampled across: (rows, outW).
Image resampleHorizontal(const Image& in, int row0, int rows, int outW, const Coefficients& c) {
  Image out;
  out.width = outW;
  out.height = rows;
  out.rgb.resize(static_cast<size_t>(outW) * rows * 3);
  for (int y = 0; y < rows; ++y) {
    const uint8_t* src = in.at(row0 + y, 0);
    uint8_t* dst = out.rgb.data() + static_cast<size_t>(y) * outW * 3;
    for (int xx = 0; xx < outW; ++xx) {
      const int32_t* k = &c.weights[static_cast<size_t>(xx) * c.taps];
      const int xmin = c.first[static_cast<size_t>(xx)], n = c.count[static_cast<size_t>(xx)];
      // 32-bit sums, as Pillow: 255 x 2^22 and the filters' small negative lobes fit.
      int32_t s0 = 1 << (kPrecisionBits - 1), s1 = s0, s2 = s0;
      const uint8_t* p = src + xmin * 3;
      for (int x = 0; x < n; ++x, p += 3) {
        s0 += p[0] * k[x];
        s1 += p[1] * k[x];
        s2 += p[2] * k[x];
      }
      dst[xx * 3] = clip8(s0);
      dst[xx * 3 + 1] = clip8(s1);
      dst[xx * 3 + 2] = clip8(s2);
    }
  }
  return out;
}

// `in` resampled down the columns, with row indices shifted by `rowShift`: (outH, in.width).
Image resampleVertical(const Image& in, int outH, const Coefficients& c, int rowShift) {
  Image out;
  out.width = in.width;
  out.height = outH;
  out.rgb.resize(static_cast<size_t>(in.width) * outH * 3);
  const size_t stride = static_cast<size_t>(in.width) * 3;
  for (int yy = 0; yy < outH; ++yy) {
    const int32_t* k = &c.weights[static_cast<size_t>(yy) * c.taps];
    const int ymin = c.first[static_cast<size_t>(yy)] - rowShift, n = c.count[static_cast<size_t>(yy)];
    uint8_t* dst = out.rgb.data() + static_cast<size_t>(yy) * stride;
    std::vector<int32_t> acc(stride, 1 << (kPrecisionBits - 1));
    for (int y = 0; y < n; ++y) {
      const uint8_t* row = in.rgb.data() + static_cast<size_t>(ymin + y) * stride;
      const int32_t w = k[y];
      for (size_t i = 0; i < stride; ++i) acc[i] += row[i] * w;
    }
    for (size_t i = 0; i < stride; ++i) dst[i] = clip8(acc[i]);
  }
  return out;
}

// Pillow resizes with NEAREST through an affine transform: source = floor((x + 0.5) * scale).
Image resizeNearest(const Image& in, int h, int w) {
  Image out;
  out.width = w;
  out.height = h;
  out.rgb.resize(static_cast<size_t>(w) * h * 3);
  const double sx = static_cast<double>(in.width) / w, sy = static_cast<double>(in.height) / h;
  for (int y = 0; y < h; ++y) {
    const int iy = std::min(static_cast<int>((y + 0.5) * sy), in.height - 1);
    for (int x = 0; x < w; ++x) {
      const int ix = std::min(static_cast<int>((x + 0.5) * sx), in.width - 1);
      std::copy_n(in.at(iy, ix), 3, out.rgb.data() + (static_cast<size_t>(y) * w + x) * 3);
    }
  }
  return out;
}

// The crop of HF's center_crop, zero padding included: (h, w) from the middle of `in`.
Image centerCrop(const Image& in, int h, int w) {
  Image out;
  out.width = w;
  out.height = h;
  out.rgb.assign(static_cast<size_t>(w) * h * 3, 0);
  // Python's floor division for the top-left corner; where the image is smaller the padding
  // above and to the left is the larger half (ceil), as transformers pads.
  auto start = [](int inSize, int outSize) {
    const int d = inSize - outSize;
    return d >= 0 ? d / 2 : -((-d + 1) / 2);
  };
  const int top = start(in.height, h), left = start(in.width, w);
  for (int y = 0; y < h; ++y) {
    const int sy = top + y;
    if (sy < 0 || sy >= in.height) continue;
    for (int x = 0; x < w; ++x) {
      const int sx = left + x;
      if (sx < 0 || sx >= in.width) continue;
      std::copy_n(in.at(sy, sx), 3, out.rgb.data() + (static_cast<size_t>(y) * w + x) * 3);
    }
  }
  return out;
}

int positiveInt(const json& v, const std::string& what, const std::string& where) {
  if (!v.is_number_integer() || v.get<int64_t>() <= 0 || v.get<int64_t>() > 65536)
    throw FormatError(where + ": " + what + " must be a positive whole number, not " + v.dump());
  return v.get<int>();
}

// {"height", "width"}, {"shortest_edge"} or a plain number (square, or shortest edge).
void readSize(const json& v, bool numberIsShortestEdge, const std::string& key, const std::string& where, int& shortest,
              int& height, int& width) {
  shortest = height = width = 0;
  if (v.is_number()) {
    if (numberIsShortestEdge) shortest = positiveInt(v, key, where);
    else height = width = positiveInt(v, key, where);
    return;
  }
  if (!v.is_object()) throw FormatError(where + ": " + key + " must be a number or an object, not " + v.dump());
  if (v.contains("shortest_edge")) {
    shortest = positiveInt(v["shortest_edge"], key + ".shortest_edge", where);
    if (v.contains("longest_edge") && !v["longest_edge"].is_null())
      throw UnsupportedError(where + ": " + key + " with both shortest_edge and longest_edge is not supported");
    return;
  }
  if (v.contains("height") && v.contains("width")) {
    height = positiveInt(v["height"], key + ".height", where);
    width = positiveInt(v["width"], key + ".width", where);
    return;
  }
  throw UnsupportedError(where + ": " + key + " " + v.dump() +
                         " is not a size this reads ({\"shortest_edge\": N} or {\"height\": H, \"width\": W})");
}

std::array<double, 3> triple(const json& v, const std::string& key, const std::string& where) {
  if (v.is_number()) return {v.get<double>(), v.get<double>(), v.get<double>()};
  if (!v.is_array() || v.size() != 3 || !v[0].is_number() || !v[1].is_number() || !v[2].is_number())
    throw FormatError(where + ": " + key + " must be three numbers (red, green, blue), not " + v.dump());
  return {v[0].get<double>(), v[1].get<double>(), v[2].get<double>()};
}

bool flag(const json& j, const char* key, bool def, const std::string& where) {
  if (!j.contains(key) || j[key].is_null()) return def;
  if (!j[key].is_boolean()) throw FormatError(where + ": " + key + " must be true or false");
  return j[key].get<bool>();
}

constexpr std::array<double, 3> kOpenAiMean{0.48145466, 0.4578275, 0.40821073};
constexpr std::array<double, 3> kOpenAiStd{0.26862954, 0.26130258, 0.27577711};

}  // namespace

const char* resampleName(Resample r) {
  switch (r) {
    case Resample::Nearest: return "nearest";
    case Resample::Lanczos: return "lanczos";
    case Resample::Bilinear: return "bilinear";
    case Resample::Bicubic: return "bicubic";
    case Resample::Box: return "box";
    case Resample::Hamming: return "hamming";
  }
  return "?";
}

ImageProcessorConfig ImageProcessorConfig::fromJson(const json& j, const std::string& where) {
  if (!j.is_object()) throw FormatError(where + ": not a JSON object");
  ImageProcessorConfig c;
  c.processorClass = j.value("image_processor_type", j.value("feature_extractor_type", std::string()));
  const std::string& k = c.processorClass;
  const bool clip = k.find("CLIP") != std::string::npos;
  const bool known = clip || k.find("Blip") != std::string::npos || k.find("ViT") != std::string::npos ||
                     k.find("Siglip") != std::string::npos || k.find("DeiT") != std::string::npos;
  // The processors' own defaults for what the file leaves out.
  if (clip) {
    c.shortestEdge = 224;
    c.doCenterCrop = true;
    c.cropHeight = c.cropWidth = 224;
    c.mean = kOpenAiMean;
    c.std = kOpenAiStd;
  } else if (k.find("Blip") != std::string::npos) {
    c.resizeHeight = c.resizeWidth = 384;
    c.mean = kOpenAiMean;
    c.std = kOpenAiStd;
  } else if (known) {
    c.resizeHeight = c.resizeWidth = 224;
    c.mean = {0.5, 0.5, 0.5};
    c.std = {0.5, 0.5, 0.5};
    if (k.find("ViT") != std::string::npos) c.resample = Resample::Bilinear;
  }
  c.doResize = flag(j, "do_resize", true, where);
  c.doCenterCrop = flag(j, "do_center_crop", c.doCenterCrop, where);
  c.doRescale = flag(j, "do_rescale", true, where);
  c.doNormalize = flag(j, "do_normalize", true, where);
  if (j.contains("size") && !j["size"].is_null())
    readSize(j["size"], clip, "size", where, c.shortestEdge, c.resizeHeight, c.resizeWidth);
  else if (!known && c.doResize)
    throw FormatError(where + ": no size is given and the processor (" + (k.empty() ? "unnamed" : k) +
                      ") has no default this knows");
  if (c.doCenterCrop) {
    if (j.contains("crop_size") && !j["crop_size"].is_null()) {
      int unused = 0;
      readSize(j["crop_size"], false, "crop_size", where, unused, c.cropHeight, c.cropWidth);
      if (unused) throw FormatError(where + ": crop_size must be a height and width");
    } else if (c.cropHeight == 0) {
      throw FormatError(where + ": do_center_crop is set but crop_size is missing");
    }
  }
  if (j.contains("resample") && !j["resample"].is_null()) {
    const json& r = j["resample"];
    if (!r.is_number_integer() || r.get<int>() < 0 || r.get<int>() > 5)
      throw FormatError(where + ": resample must be one of Pillow's filters 0 to 5, not " + r.dump());
    c.resample = static_cast<Resample>(r.get<int>());
  }
  if (j.contains("rescale_factor") && !j["rescale_factor"].is_null()) {
    if (!j["rescale_factor"].is_number()) throw FormatError(where + ": rescale_factor must be a number");
    c.rescaleFactor = j["rescale_factor"].get<double>();
  }
  if (j.contains("image_mean") && !j["image_mean"].is_null()) c.mean = triple(j["image_mean"], "image_mean", where);
  if (j.contains("image_std") && !j["image_std"].is_null()) c.std = triple(j["image_std"], "image_std", where);
  for (double s : c.std)
    if (!(s > 0)) throw FormatError(where + ": image_std values must be positive");
  return c;
}

std::pair<int, int> ImageProcessorConfig::outputSize(int height, int width) const {
  int h = height, w = width;
  if (doResize) {
    if (shortestEdge > 0) {
      const bool portrait = width <= height;
      const int shortSide = portrait ? width : height, longSide = portrait ? height : width;
      const int newLong = static_cast<int>(static_cast<double>(shortestEdge) * longSide / shortSide);
      h = portrait ? newLong : shortestEdge;
      w = portrait ? shortestEdge : newLong;
    } else {
      h = resizeHeight;
      w = resizeWidth;
    }
  }
  if (doCenterCrop) return {cropHeight, cropWidth};
  return {h, w};
}

std::string ImageProcessorConfig::describe() const {
  std::string s;
  char buf[96];
  if (doResize) {
    if (shortestEdge > 0) std::snprintf(buf, sizeof buf, "shortest side %d", shortestEdge);
    else std::snprintf(buf, sizeof buf, "resize to %d x %d", resizeWidth, resizeHeight);
    s += std::string(buf) + ", " + resampleName(resample);
  }
  if (doCenterCrop) {
    std::snprintf(buf, sizeof buf, "center crop %d x %d", cropWidth, cropHeight);
    s += (s.empty() ? "" : ", ") + std::string(buf);
  }
  if (doNormalize) {
    const bool openai = mean == kOpenAiMean && std == kOpenAiStd;
    const bool half = mean == std::array<double, 3>{0.5, 0.5, 0.5} && std == mean;
    s += (s.empty() ? "" : ", ") + std::string(openai ? "CLIP mean/std" : half ? "mean/std 0.5" : "custom mean/std");
  }
  return s;
}

Image resizeImage(const Image& in, int h, int w, Resample filter) {
  if (in.empty() || h <= 0 || w <= 0) throw ConfigError("cannot resize an empty image or to an empty size");
  if (h == in.height && w == in.width) return in;
  if (filter == Resample::Nearest) return resizeNearest(in, h, w);
  const Filter f = filterOf(filter);
  const Coefficients horiz = precompute(in.width, w, f);
  const Coefficients vert = precompute(in.height, h, f);
  const bool needH = w != in.width, needV = h != in.height;
  if (!needH) return resampleVertical(in, h, vert, 0);
  // Only the rows the vertical pass reads go through the horizontal one.
  const int firstRow = vert.first.front();
  const int lastRow = vert.first.back() + vert.count.back();
  const Image tmp = resampleHorizontal(in, needV ? firstRow : 0, needV ? lastRow - firstRow : in.height, w, horiz);
  if (!needV) return tmp;
  return resampleVertical(tmp, h, vert, firstRow);
}

ImageProcessor::ImageProcessor(ImageProcessorConfig config) : m_config(std::move(config)) {}

ImageProcessor ImageProcessor::fromFile(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) throw IoError(file.string() + " is missing: the model folder has no image preprocessing settings");
  return ImageProcessor(ImageProcessorConfig::fromJson(readJsonFile(file), file.string()));
}

ImageProcessor ImageProcessor::fromFolder(const fs::path& dir) { return fromFile(dir / "preprocessor_config.json"); }

ImageProcessor ImageProcessor::forModel(const LoadedModel& model) {
  const fs::path file = fs::path(model.info().dir) / "preprocessor_config.json";
  if (model.preprocessorConfig().empty())
    throw IoError(file.string() + " is missing: the model folder has no image preprocessing settings");
  return ImageProcessor(ImageProcessorConfig::fromJson(model.preprocessorConfig(), file.string()));
}

Image thumbnailOf(const Image& image, int maxSide) {
  const int longer = std::max(image.width, image.height);
  if (longer <= maxSide || image.empty()) return image;
  const double s = static_cast<double>(maxSide) / longer;
  const int w = std::max(1, static_cast<int>(std::lround(image.width * s)));
  const int h = std::max(1, static_cast<int>(std::lround(image.height * s)));
  return resizeImage(image, h, w, Resample::Bicubic);
}

torch::Tensor ImageProcessor::process(const Image& image) const {
  if (image.empty()) throw ConfigError("cannot preprocess an empty image");
  const ImageProcessorConfig& c = m_config;
  Image img;
  const Image* cur = &image;
  if (c.doResize) {
    auto [rh, rw] = c.outputSize(image.height, image.width);
    if (c.doCenterCrop) {  // the size before the crop
      ImageProcessorConfig noCrop = c;
      noCrop.doCenterCrop = false;
      std::tie(rh, rw) = noCrop.outputSize(image.height, image.width);
    }
    if (rh <= 0 || rw <= 0) throw ConfigError("the image is too small to resize as the model asks");
    img = resizeImage(image, rh, rw, c.resample);
    cur = &img;
  }
  Image cropped;
  if (c.doCenterCrop && (cur->height != c.cropHeight || cur->width != c.cropWidth)) {
    cropped = centerCrop(*cur, c.cropHeight, c.cropWidth);
    cur = &cropped;
  }
  const int64_t H = cur->height, W = cur->width;
  auto bytes = torch::from_blob(const_cast<uint8_t*>(cur->rgb.data()), {H, W, 3}, torch::kUInt8);
  // As transformers: rescale in float64 then float32, normalise in float32.
  auto x = bytes.to(torch::kFloat64);
  if (c.doRescale) x = x * c.rescaleFactor;
  x = x.to(torch::kFloat32);
  if (c.doNormalize) {
    auto mean = torch::tensor({c.mean[0], c.mean[1], c.mean[2]}, torch::kFloat64).to(torch::kFloat32);
    auto std = torch::tensor({c.std[0], c.std[1], c.std[2]}, torch::kFloat64).to(torch::kFloat32);
    x = (x - mean) / std;
  }
  return x.permute({2, 0, 1}).contiguous();  // (3, H, W)
}

torch::Tensor ImageProcessor::processBatch(const std::vector<const Image*>& images) const {
  std::vector<torch::Tensor> xs;
  xs.reserve(images.size());
  for (const Image* im : images) xs.push_back(process(*im));
  return torch::stack(xs);
}

}  // namespace fm
