// `fmw bench vision`: how fast pictures become CLIP embeddings here, in three parts (decoding
// and preprocessing; the image tower alone; the whole path from files), or captions (for a
// captioner folder), on a folder of
// generated JPEG pictures that packaging/bench/vision_peer.py (Python, Pillow, PyTorch)
// processes the same way, so that the two can be compared in one run.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>

#include "jobs/job.h"

namespace fm {

class LoadedModel;

// A captioner of nlpconnect/vit-gpt2-image-captioning's shape (ViT-B/16 at 224 px, GPT-2 small
// with cross-attention, vocabulary 50257) with random weights, a byte-level tokenizer that can
// read back every id, and a ViT preprocessor: for `fmw bench vision`.
void createBenchCaptioner(const std::filesystem::path& dir, uint64_t seed);
// A BLIP captioner of Salesforce/blip-image-captioning-base's shape (ViT-B/16 at 384 px, a
// 12-layer BERT decoder with cross-attention, vocabulary 30524) with random weights, a
// WordPiece tokenizer that can read back every id, and BLIP's preprocessor.
void createBenchBlip(const std::filesystem::path& dir, uint64_t seed);
// A SigLIP of google/siglip-base-patch16-224's shape (ViT-B/16 at 224 px with the attention-
// pooling head, a 12-layer text tower) with random weights and SigLIP's preprocessor, and no
// tokenizer: its pictures can be embedded (`fmw bench vision`), not its texts.
void createBenchSiglip(const std::filesystem::path& dir, uint64_t seed);

// Writes `count` 256 x 256 JPEG pictures of shapes into `folder` (kept when they are there).
void writeBenchPictures(const std::filesystem::path& folder, int count);
// images/s for each part, with batches of `batch` pictures; one warm-up batch first. For a
// captioner (image-to-text), greedy captions of exactly 16 tokens, 8 pictures at a time.
nlohmann::json benchVision(LoadedModel& model, const std::filesystem::path& folder, int count, int batch = 16,
                           const JobContext& job = {});

}  // namespace fm
