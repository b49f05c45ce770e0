// `fmw bench vision`: how fast pictures become CLIP embeddings here, in three parts (decoding
// and preprocessing; the image tower alone; the whole path from files), on a folder of
// generated JPEG pictures that packaging/bench/vision_peer.py (Python, Pillow, PyTorch)
// processes the same way, so that the two can be compared in one run.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>

#include "jobs/job.h"

namespace fm {

class LoadedModel;

// Writes `count` 256 x 256 JPEG pictures of shapes into `folder` (kept when they are there).
void writeBenchPictures(const std::filesystem::path& folder, int count);
// images/s for each part, with batches of `batch` pictures; one warm-up batch first.
nlohmann::json benchVision(LoadedModel& model, const std::filesystem::path& folder, int count, int batch = 16,
                           const JobContext& job = {});

}  // namespace fm
