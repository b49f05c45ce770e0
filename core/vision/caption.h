// Captions for pictures from an image-to-text model (arch/image_to_text.h), greedy or with beam
// search, and the sidecar .txt files dataset tools read (same base name as the picture).
//
//   fm::CaptionOptions o;  o.beams = 4;
//   std::vector<fm::Caption> c = fm::captionImages(*model, {&img}, o);
//   fm::writeSidecar("cat.jpg", c[0].text, style);     // cat.txt, atomically
//
// Thread safety: as image_text.h; sidecar writing is per file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "jobs/job.h"
#include "vision/image.h"
#include "vision/image_folder.h"

namespace fm {

struct CaptionOptions {
  int beams = 1;             // 1: greedy
  int maxNewTokens = 20;
  double lengthPenalty = 1.0;  // beam scores are log-probability sums / length^lengthPenalty
  std::string prompt;        // optional start of every caption, continued by the model
};

struct Caption {
  std::string text;
  std::vector<int64_t> ids;  // the generated ids, prompt and start token not included
  double logProb = 0;        // sum of the generated tokens' log-probabilities
};

// Captions in input order, a batch of pictures at a time (greedy) or one by one (beams).
// `onText`, when given, receives each picture's caption as it grows (greedy only).
std::vector<Caption> captionImages(LoadedModel& model, const std::vector<const Image*>& images,
                                   const CaptionOptions& options, const JobContext& job = {},
                                   const std::function<void(size_t, const std::string&)>& onText = {});

// ------------------------------------------------------------------ sidecar files

enum class SidecarMode { Overwrite, Append, Skip };
// "overwrite", "append", "skip"; ConfigError otherwise.
SidecarMode sidecarModeOf(const std::string& name);

struct CaptionStyle {
  SidecarMode mode = SidecarMode::Skip;
  std::string prefix, suffix;            // put before and after the caption, as they are
  std::vector<std::string> removeWords;  // whole words, any case, taken out of the caption
  std::string appendSeparator = ", ";    // between an existing caption and an appended one
};

// picture.jpg -> picture.txt
std::filesystem::path sidecarPath(const std::filesystem::path& image);
// The caption with the words removed (and the spaces and commas they leave tidied), then the
// prefix and the suffix.
std::string styleCaption(const std::string& caption, const CaptionStyle& style);

// The caption beside a picture as a person wrote or edited it: read (trailing line breaks
// dropped; "" when there is none) and written back atomically, as it is.
std::string readSidecar(const std::filesystem::path& image);
void writeSidecarText(const std::filesystem::path& image, const std::string& text);

enum class SidecarResult { Written, Appended, Skipped };
// Writes (atomically) the styled caption beside the picture as the mode says.
SidecarResult writeSidecar(const std::filesystem::path& image, const std::string& caption, const CaptionStyle& style);

// ------------------------------------------------------------------ a folder

struct CaptionFolderReport {
  int64_t written = 0, appended = 0, skipped = 0;
  std::vector<FileFailure> failed;
  std::vector<std::pair<std::filesystem::path, std::string>> captions;  // the ones made now
};
// Captions every picture of `files` and writes the sidecars. With SidecarMode::Skip, pictures
// that already have a sidecar are not captioned at all, so a stopped job started again goes on
// where it was. Each sidecar is written as soon as its caption is made.
// `onText`, when given, streams: a picture's caption as it grows, word by word (greedy; `done`
// false), then what its sidecar holds once written (`done` true).
using CaptionStream = std::function<void(const std::filesystem::path& image, const std::string& text, bool done)>;
CaptionFolderReport captionFiles(LoadedModel& model, const std::vector<std::filesystem::path>& files,
                                 const CaptionOptions& options, const CaptionStyle& style, const JobContext& job = {},
                                 const CaptionStream& onText = {});

}  // namespace fm
