// Turning a picture into a model's pixel_values exactly as its preprocessor_config.json says,
// the way Hugging Face's image processors do it (CLIP, BLIP, ViT, SigLIP):
//
//   1. resize on the 8-bit image with the named filter, antialiased as Pillow does, rounded
//      back to 8 bits: {"shortest_edge": s} keeps the aspect ratio (long side truncated),
//      {"height", "width"} resizes to exactly that;
//   2. center crop (top = (H - h) / 2 rounded down; zero padding where the image is smaller);
//   3. rescale (x * rescale_factor) and normalise ((x - mean) / std) per channel.
//
//   fm::ImageProcessor p = fm::ImageProcessor::fromFolder(modelDir);
//   torch::Tensor x = p.process(image);          // (3, H, W) float32
//   torch::Tensor b = p.processBatch(images);    // (B, 3, H, W)
//
// Resizing uses libtorch's antialiased interpolation, which follows Pillow's filters; the
// tests hold it to within one 8-bit step of Pillow per pixel.
//
// Thread safety: an ImageProcessor is immutable; process() from any number of threads.
#pragma once

#include <torch/torch.h>

#include <array>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "vision/image.h"

namespace fm {

class LoadedModel;

struct ImageProcessorConfig {
  std::string processorClass;  // "CLIPImageProcessor", "BlipImageProcessor", ...
  bool doResize = true, doCenterCrop = false, doRescale = true, doNormalize = true;
  int shortestEdge = 0;              // > 0: keep the aspect ratio
  int resizeHeight = 0, resizeWidth = 0;  // otherwise: exactly this size
  int cropHeight = 0, cropWidth = 0;
  Resample resample = Resample::Bicubic;
  double rescaleFactor = 1.0 / 255.0;
  std::array<double, 3> mean{0.0, 0.0, 0.0}, std{1.0, 1.0, 1.0};

  // Reads the Hugging Face layouts: size as {"shortest_edge"}, {"height", "width"} or a plain
  // number (shortest edge for CLIP, a square for the others), crop_size likewise, the
  // processor's own defaults for what the file leaves out. `where` names the file in errors.
  static ImageProcessorConfig fromJson(const nlohmann::json& j, const std::string& where);
  // The height and width of pixel_values for an image of the given size.
  std::pair<int, int> outputSize(int height, int width) const;
  // One line for people: "shortest side 224, bicubic, center crop 224 x 224, CLIP mean/std".
  std::string describe() const;
};

class ImageProcessor {
 public:
  explicit ImageProcessor(ImageProcessorConfig config);
  // preprocessor_config.json of a model folder; FormatError naming the file when it is
  // malformed, IoError when it is missing.
  static ImageProcessor fromFolder(const std::filesystem::path& modelDir);
  static ImageProcessor fromFile(const std::filesystem::path& file);
  // The preprocessor_config.json a loaded model came with.
  static ImageProcessor forModel(const LoadedModel& model);

  const ImageProcessorConfig& config() const { return m_config; }
  torch::Tensor process(const Image& image) const;                          // (3, H, W) float32
  torch::Tensor processBatch(const std::vector<const Image*>& images) const;  // (B, 3, H, W)

 private:
  ImageProcessorConfig m_config;
};

}  // namespace fm
