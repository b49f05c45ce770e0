#include "vision/bench_vision.h"

#include <chrono>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

#include "arch/loaded_model.h"
#include "arch/vision_text.h"
#include "io/atomic_file.h"
#include "util/runtime.h"
#include "vision/demo_shapes.h"
#include "vision/image_folder.h"
#include "vision/preprocess.h"

namespace fm {
namespace fs = std::filesystem;

namespace {
double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
std::string name(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "bench-%05d.jpg", i);
  return buf;
}
}  // namespace

void writeBenchPictures(const fs::path& folder, int count) {
  makeFolder(folder);
  std::mt19937_64 rng(12345);
  for (int i = 0; i < count; ++i) {
    const fs::path file = folder / name(i);
    std::vector<ShapeItem> items;
    for (int k = 0; k < 2; ++k)
      items.push_back({static_cast<int>(rng() % 3), static_cast<int>(rng() % 4), 50 + static_cast<int>(rng() % 156),
                       50 + static_cast<int>(rng() % 156), 20 + static_cast<int>(rng() % 20)});
    const uint64_t seed = rng();
    if (fs::exists(file)) continue;
    const Image img = drawShapes(items, 256, seed);
    cv::Mat rgb(img.height, img.width, CV_8UC3, const_cast<uint8_t*>(img.rgb.data())), bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    std::vector<uchar> jpg;
    cv::imencode(".jpg", bgr, jpg, {cv::IMWRITE_JPEG_QUALITY, 90});
    writeFileAtomic(file, std::string(jpg.begin(), jpg.end()));
  }
}

nlohmann::json benchVision(LoadedModel& model, const fs::path& folder, int count, int batch, const JobContext& job) {
  writeBenchPictures(folder, count);
  std::vector<fs::path> files;
  for (int i = 0; i < count; ++i) files.push_back(folder / name(i));
  const ImageProcessor proc = ImageProcessor::forModel(model);
  VisionTextModel& net = model.visionText();
  const size_t step = static_cast<size_t>(batch);
  torch::InferenceMode guard;
  // Warm-up: one batch through everything.
  embedImageFiles(model, proc, std::vector<fs::path>(files.begin(), files.begin() + std::min(files.size(), step)));

  job.report(0.1, "decoding and preprocessing");
  auto t0 = std::chrono::steady_clock::now();
  std::vector<torch::Tensor> batches;
  for (size_t i = 0; i < files.size(); i += step) {
    std::vector<Image> imgs;
    for (size_t j = i; j < std::min(files.size(), i + step); ++j) imgs.push_back(decodeImageFile(files[j]).image);
    std::vector<const Image*> ptrs;
    for (const auto& im : imgs) ptrs.push_back(&im);
    batches.push_back(proc.processBatch(ptrs));
  }
  const double pre = since(t0);

  job.report(0.4, "the image tower");
  t0 = std::chrono::steady_clock::now();
  for (const auto& b : batches) (void)net.imageFeatures(b);
  const double forward = since(t0);

  job.report(0.7, "files to embeddings");
  t0 = std::chrono::steady_clock::now();
  const EmbeddedFiles all = embedImageFiles(model, proc, files);
  const double whole = since(t0);
  const double n = static_cast<double>(count);
  return {{"images", count},
          {"batch_size", batch},
          {"threads", torch::get_num_threads()},
          {"image_size", net.imageSize()},
          {"decode_preprocess_images_per_s", n / pre},
          {"forward_images_per_s", n / forward},
          {"embed_images_per_s", n / whole},
          {"embedded", all.vectors.size()}};
}

}  // namespace fm
