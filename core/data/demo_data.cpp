#include "data/demo_data.h"

#include <random>
#include <set>

#include "arch/builtin_model.h"
#include "io/atomic_file.h"

namespace fm {

namespace {

struct Vocab {
  std::vector<std::string> products = {"phone", "laptop", "blender", "camera", "headset", "kettle",
                                       "backpack", "watch", "keyboard", "lamp", "vacuum", "speaker",
                                       "tent", "printer", "jacket", "coffee maker"};
  std::vector<std::string> movies = {"film", "movie", "sequel", "documentary", "thriller", "comedy",
                                     "drama", "series", "musical", "cartoon"};
  std::vector<std::string> productParts = {"battery", "screen", "price", "design", "sound", "handle",
                                           "delivery", "build quality", "manual", "motor"};
  std::vector<std::string> movieParts = {"plot", "acting", "soundtrack", "ending", "dialogue", "cast",
                                         "pacing", "camera work", "script", "villain"};
  std::vector<std::string> pos = {"great", "excellent", "wonderful", "reliable", "superb", "lovely",
                                  "fantastic", "solid", "impressive", "delightful", "brilliant", "sturdy"};
  std::vector<std::string> neg = {"terrible", "awful", "disappointing", "flimsy", "poor", "dreadful",
                                  "useless", "boring", "horrible", "mediocre", "broken", "annoying"};
  std::vector<std::string> intens = {"", "", "really ", "very ", "truly ", "quite ", "absolutely "};
  std::vector<std::string> negations = {"not", "never", "hardly", "not at all"};
  std::vector<std::string> openers = {"", "", "Honestly, ", "Well, ", "To be fair, ", "In short, ",
                                      "After a week, ", "I must say "};
  std::vector<std::string> posVerdict = {"I would buy it again.", "Highly recommended.",
                                         "Worth every penny.", "I loved it.", "Five stars from me."};
  // General sentences that teach the words of the task (not the labels of any review).
  std::vector<std::string> taskWords = {
      "Some reviews are positive and some are negative.", "A positive review says good things.",
      "A negative review says bad things.", "The sentiment of a review is positive or negative.",
      "Sentiment: the feeling of the writer.", "Review: a short opinion about a product or a film.",
      "People write a review after they buy something.", "The answer can be positive or negative."};
  std::vector<std::string> negVerdict = {"I want my money back.", "Avoid it.", "What a waste.",
                                         "I regret it.", "One star from me."};
  // How the writer felt afterwards: the corpus pairs each review with one, so a pretrained model
  // already carries the polarity of words and negations, as real base models do. The labels
  // "positive"/"negative" themselves never follow a review in the corpus.
  std::vector<std::string> posFeeling = {"So I was happy.", "I was glad about it.", "It made me smile.",
                                         "I felt good about it."};
  std::vector<std::string> negFeeling = {"So I was sad.", "I was upset about it.", "It made me frown.",
                                         "I felt bad about it."};
};

const Vocab& vocab() {
  static const Vocab v;
  return v;
}

template <typename R>
const std::string& pick(const std::vector<std::string>& v, R& rng) {
  return v[rng() % v.size()];
}

std::string capitalize(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

// "the battery was really great" / "the battery was not great" with its polarity.
template <typename R>
std::pair<std::string, bool> clause(const std::string& subject, bool positive, bool allowNegation, R& rng) {
  const Vocab& v = vocab();
  const bool negated = allowNegation && rng() % 3 == 0;
  const bool wordPositive = negated ? !positive : positive;
  const std::string& adj = pick(wordPositive ? v.pos : v.neg, rng);
  const char* verb = rng() % 2 ? "is" : "was";
  std::string s = subject + " " + verb + " ";
  if (negated) {
    const std::string& n = pick(v.negations, rng);
    s += n == "not at all" ? adj + " not at all" : n + " " + adj;
  } else {
    s += pick(v.intens, rng) + adj;
  }
  return {s, positive};
}

}  // namespace

std::vector<DemoReview> demoReviews(int count, uint64_t seed) {
  const Vocab& v = vocab();
  std::mt19937_64 rng(seed);
  std::vector<DemoReview> out;
  for (int i = 0; i < count; ++i) {
    const bool movie = rng() % 2;
    const std::string item = "the " + pick(movie ? v.movies : v.products, rng);
    const std::string part = "the " + pick(movie ? v.movieParts : v.productParts, rng);
    const bool positive = rng() % 2;
    std::string text;
    switch (rng() % 5) {
      case 0:  // one clause
      case 1: {
        const std::string opener = pick(v.openers, rng);
        const std::string main = clause(item, positive, true, rng).first;
        text = opener.empty() ? capitalize(main) + "." : opener + main + ".";
        break;
      }
      case 2: {  // "Although <other>, <main>."
        auto other = clause(part, !positive, true, rng).first;
        auto main = clause(item, positive, true, rng).first;
        text = "Although " + other + ", " + main + ".";
        break;
      }
      case 3: {  // "<other>, but <main>."
        auto other = clause(part, !positive, true, rng).first;
        auto main = clause(item, positive, true, rng).first;
        text = capitalize(other) + ", but " + main + ".";
        break;
      }
      default: {  // clause + verdict, both agreeing
        const std::string main = clause(part, positive, true, rng).first;
        text = capitalize(main) + ". " + pick(positive ? v.posVerdict : v.negVerdict, rng);
        break;
      }
    }
    out.push_back({text, positive ? "positive" : "negative"});
  }
  return out;
}

std::string demoCorpus(int paragraphs, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const Vocab& v = vocab();
  std::string out;
  const auto reviews = demoReviews(paragraphs * 3, seed + 17);
  const std::string general = builtinCorpus(paragraphs * 2, seed + 29);
  size_t g = 0;
  for (int p = 0; p < paragraphs; ++p) {
    // Review language with how the writer felt (never a label), mixed with everyday sentences.
    for (int k = 0; k < 3; ++k) {
      const DemoReview& r = reviews[p * 3 + k];
      out += r.text + " " + pick(r.label == "positive" ? v.posFeeling : v.negFeeling, rng) + " ";
    }
    const size_t end = general.find('\n', g);
    if (end != std::string::npos) {
      out += general.substr(g, end - g);
      g = end + 1;
    }
    out += " " + pick(v.taskWords, rng);
    out += " The " + pick(rng() % 2 ? v.products : v.movies, rng) + " has a " +
           pick(rng() % 2 ? v.productParts : v.movieParts, rng) + ".\n\n";
  }
  return out;
}

void writeDemoData(const std::filesystem::path& dir) {
  makeFolder(dir);
  std::string csv = "text,label\n";
  // 2,400 different reviews: a repeated row would show up as a duplicate (and as leakage
  // between training and validation) in the demo's own analysis. A repeat is replaced in its
  // place, so every other row keeps its position (and its side of the split).
  std::vector<DemoReview> reviews = demoReviews(2400, 7);
  const std::vector<DemoReview> spare = demoReviews(600, 8);
  std::set<std::string> seen;
  size_t next = 0;
  for (auto& r : reviews)
    while (!seen.insert(r.text).second && next < spare.size()) r = spare[next++];
  for (const auto& r : reviews) {
    std::string q = r.text;
    std::string esc;
    for (char c : q) esc += c == '"' ? std::string("\"\"") : std::string(1, c);
    csv += "\"" + esc + "\"," + r.label + "\n";
  }
  writeFileAtomic(dir / "reviews.csv", csv);
  writeFileAtomic(dir / "corpus.txt", demoCorpus(3000, 11));
}

}  // namespace fm
