// The built-in demo data, generated with fixed seeds so every machine gets the same files:
// a sentiment dataset of short product and movie reviews and a plain-text pretraining corpus
// written in the same language (without the labels).
//
//   fm::writeDemoData("workspace/datasets/demo");   // reviews.csv + corpus.txt
//
// The label of a review follows from its words: the polarity of the deciding clause, flipped
// by a negation ("not", "never", "hardly"); mixed reviews ("Although ..., ...", "... but ...")
// are decided by their main clause. A model must learn those rules, not just a word list.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace fm {

struct DemoReview {
  std::string text, label;  // label: "positive" | "negative"
};
std::vector<DemoReview> demoReviews(int count, uint64_t seed);
// Review-style and everyday sentences without labels, one paragraph per line block.
std::string demoCorpus(int paragraphs, uint64_t seed);
// Writes reviews.csv (text,label; 2,400 rows) and corpus.txt into `dir`.
void writeDemoData(const std::filesystem::path& dir);

}  // namespace fm
