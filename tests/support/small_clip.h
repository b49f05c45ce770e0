// The smallest CLIP the vision tests and GUI tests use: 32 x 32 pictures, one layer per tower,
// width 32, 16-dimensional embeddings, random weights; quick to create and to run.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "vision/demo_shapes.h"

namespace fm::test {

inline TinyClipOptions smallClipOptions() {
  TinyClipOptions o;
  o.imageSize = 32;
  o.visionHidden = o.textHidden = 32;
  o.visionLayers = o.textLayers = 1;
  o.projection = 16;
  return o;
}

inline void writeSmallClip(const std::filesystem::path& dir, const std::vector<std::string>& words) {
  createTinyClip(dir, words, smallClipOptions());
}

}  // namespace fm::test
