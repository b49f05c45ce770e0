// The Image + Text demo, offline: pictures of coloured shapes drawn with OpenCV from fixed
// seeds ("a red circle above a blue square"), with their captions, and a tiny CLIP trained from
// scratch on them, contrastively, whose zero-shot labels on held-out pictures are then measured.
//
//   fm::VisionDemoPaths p = fm::visionDemoPaths(workspace);
//   fm::VisionDemoResult r = fm::runVisionDemo(workspace, {}, job);
//   r.zeroShot.accuracy     // on pictures the model never saw, 12 classes (chance 8.3%)
//
// Finished parts are kept: a second run reuses the pictures and the trained model.
// Thread safety: one demo per workspace at a time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "jobs/job.h"
#include "vision/image.h"
#include "vision/image_folder.h"

namespace fm {

// ------------------------------------------------------------------ pictures

struct ShapeItem {
  int shape = 0;  // index into shapeNames()
  int colour = 0; // index into colourNames()
  int cx = 0, cy = 0, radius = 0;
};
const std::vector<std::string>& shapeNames();   // circle, square, triangle
const std::vector<std::string>& colourNames();  // red, green, blue, yellow

// One picture of `size` pixels with the items drawn on a light, slightly noisy background.
Image drawShapes(const std::vector<ShapeItem>& items, int size, uint64_t seed);
// "a red circle", or for two items "a red circle above a blue square" (above, below, left of,
// right of: whichever way the second item lies furthest).
std::string captionOf(const std::vector<ShapeItem>& items);

struct ShapesDatasetOptions {
  int size = 64;             // pixels per side
  int trainPictures = 2400;  // one or two shapes each, with a caption
  int testPerClass = 10;     // held-out single-shape pictures per colour-shape class
  uint64_t seed = 7;
};
// Writes `dir`/train/NNNN.png with NNNN.txt captions beside them (the sidecar layout dataset
// tools use), and `dir`/test/<colour>_<shape>/NNNN.png for zero-shot evaluation. Atomic per
// file; a folder that already holds the full set is left as it is.
void writeShapesDataset(const std::filesystem::path& dir, const ShapesDatasetOptions& options);

// ------------------------------------------------------------------ a tiny CLIP

// A CLIP byte-level BPE tokenizer (tokenizer.json in the layout of openai/clip-vit-*, with
// tokenizer_config.json) whose merges spell each of `words` as one token; any other text still
// tokenizes, byte by byte.
void writeClipTokenizer(const std::filesystem::path& dir, const std::vector<std::string>& words);

struct TinyClipOptions {
  int imageSize = 64, patchSize = 8;
  int visionHidden = 128, visionLayers = 4, textHidden = 128, textLayers = 2, heads = 4, projection = 64;
  int textHeads = 0;  // 0: as many as the image tower
  uint64_t seed = 3;
};
// A CLIPModel folder with random weights: config.json, model.safetensors, the tokenizer and a
// preprocessor_config.json (CLIPImageProcessor, bicubic, center crop, CLIP mean/std).
void createTinyClip(const std::filesystem::path& dir, const std::vector<std::string>& words, const TinyClipOptions& o);

struct ClipTrainOptions {
  int64_t steps = 500;
  int64_t batchSize = 64;
  double lr = 1e-3;  // AdamW, warm-up then cosine decay
  int64_t warmupSteps = 30;
  uint64_t seed = 1;
};
struct ClipTrainResult {
  JobStatus status = JobStatus::Completed;  // Cancelled: the folder keeps its old weights
  std::vector<std::pair<int64_t, double>> loss;
  double seconds = 0;
};
// Trains every weight of the CLIP model in `dir` on pictures with captions (CLIP's symmetric
// contrastive loss, learned temperature) and writes the weights back atomically when done.
ClipTrainResult trainClip(const std::filesystem::path& dir, const std::vector<std::filesystem::path>& images,
                          const std::vector<std::string>& captions, const ClipTrainOptions& options,
                          const JobContext& job = {});

// Pictures and their sidecar captions (same base name, .txt) under `dir`, sorted; pictures
// without a caption are left out.
void readCaptionedFolder(const std::filesystem::path& dir, std::vector<std::filesystem::path>& images,
                         std::vector<std::string>& captions);

// ------------------------------------------------------------------ the demo

struct VisionDemoPaths {
  std::filesystem::path data, model;  // datasets/demo-shapes, models/demo-clip
  // The captioner of one's own: a tiny language model pretrained on the captions, the run that
  // trains the captioner (frozen demo CLIP + mapper + LoRA on that language model), the result.
  std::filesystem::path captionLm, captionerRun, captioner;  // models/demo-caption-lm, runs/demo-captioner, models/demo-captioner
};
VisionDemoPaths visionDemoPaths(const std::filesystem::path& workspace);

struct VisionDemoOptions {
  bool fresh = false;      // start again: delete the demo's pictures and model first
  int64_t steps = 500;
  int threads = 0;
  bool captioner = true;   // also pretrain a language model and train a captioner
  int64_t captionerEpochs = 6;
};

// How often a captioner's captions of single-shape pictures name the right colour, the right
// shape, and both (a caption names one colour or shape if it names any; "a red circle above a
// blue square" names neither alone, so counts as wrong for a single red circle).
struct CaptionScore {
  int64_t pictures = 0;
  double colour = 0, shape = 0, both = 0;
  std::vector<std::pair<std::filesystem::path, std::string>> examples;  // a few, one per class
};
// On `dir`/<colour>_<shape>/ pictures (the demo's test set).
CaptionScore scoreShapeCaptions(LoadedModel& captioner, const std::filesystem::path& dir, const JobContext& job = {});
struct VisionDemoResult {
  JobStatus status = JobStatus::Completed;
  ZeroShotReport zeroShot;  // on the held-out pictures
  double trainSeconds = 0;  // 0 when the trained model was reused
  std::vector<std::pair<int64_t, double>> loss;
  // The captioner (when asked for): its held-out captions scored, and how it was trained.
  CaptionScore captions;
  double captionerSeconds = 0;  // pretraining + captioner training; 0 when reused
  std::vector<std::pair<int64_t, double>> captionerLoss;
};
VisionDemoResult runVisionDemo(const std::filesystem::path& workspace, const VisionDemoOptions& options,
                               const JobContext& job = {});

}  // namespace fm
