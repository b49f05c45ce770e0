#include "vision/bench_vision.h"

#include <chrono>
#include <map>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

#include "arch/image_to_text.h"
#include "arch/loaded_model.h"
#include "arch/vision_text.h"
#include "embed/train_embedder.h"
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

namespace {

// Greedy captions of `count` pictures, `batch` at a time, exactly `newTokens` tokens each (no
// early stop, so both sides do the same work): decode + preprocess + encoder + decoder steps.
nlohmann::json benchCaptions(LoadedModel& model, const std::vector<fs::path>& files, int batch, int newTokens,
                             const JobContext& job) {
  const ImageProcessor proc = ImageProcessor::forModel(model);
  ImageToTextModel& net = model.imageToText();
  torch::InferenceMode guard;
  auto run = [&](size_t from, size_t to) {
    std::vector<Image> imgs;
    for (size_t j = from; j < to; ++j) imgs.push_back(decodeImageFile(files[j]).image);
    std::vector<const Image*> ptrs;
    for (const auto& im : imgs) ptrs.push_back(&im);
    const torch::Tensor px = proc.processBatch(ptrs);
    const int64_t B = px.size(0);
    auto states = net.encodeImages(px);
    KVCache cache = net.makeCache(B, newTokens + 1);
    torch::Tensor ids = torch::full({B, 1}, net.decoderStartId(), torch::kLong);
    for (int t = 0; t < newTokens; ++t)
      ids = net.decode(ids, t == 0 ? states : torch::Tensor(), &cache).select(1, -1).argmax(-1).view({B, 1});
  };
  run(0, std::min<size_t>(files.size(), static_cast<size_t>(batch)));  // warm-up
  job.report(0.2, "captioning");
  const auto t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < files.size(); i += static_cast<size_t>(batch))
    run(i, std::min(files.size(), i + static_cast<size_t>(batch)));
  const double seconds = since(t0);
  return {{"images", files.size()},
          {"batch_size", batch},
          {"new_tokens", newTokens},
          {"threads", torch::get_num_threads()},
          {"image_size", net.imageSize()},
          {"caption_images_per_s", static_cast<double>(files.size()) / seconds},
          {"generated_tokens_per_s", static_cast<double>(files.size()) * newTokens / seconds}};
}

}  // namespace

void createBenchCaptioner(const fs::path& dir, uint64_t seed) {
  const nlohmann::json config = {
      {"architectures", {"VisionEncoderDecoderModel"}},
      {"model_type", "vision-encoder-decoder"},
      {"decoder_start_token_id", 50256},
      {"eos_token_id", 50256},
      {"pad_token_id", 50256},
      {"encoder",
       {{"model_type", "vit"}, {"hidden_size", 768}, {"intermediate_size", 3072}, {"num_hidden_layers", 12},
        {"num_attention_heads", 12}, {"image_size", 224}, {"patch_size", 16}, {"num_channels", 3},
        {"hidden_act", "gelu"}, {"layer_norm_eps", 1e-12}, {"qkv_bias", true}}},
      {"decoder",
       {{"model_type", "gpt2"}, {"vocab_size", 50257}, {"n_embd", 768}, {"n_layer", 12}, {"n_head", 12},
        {"n_positions", 1024}, {"activation_function", "gelu_new"}, {"add_cross_attention", true},
        {"is_decoder", true}, {"bos_token_id", 50256}, {"eos_token_id", 50256}}}};
  writeRandomModel(dir, config, seed);
  // Byte-level BPE: the 256 byte characters, placeholder tokens up to 50255 (never produced by
  // encoding, readable when generated), <|endoftext|> last.
  nlohmann::json vocab = nlohmann::json::object();
  int id = 0;
  for (int b = 0; b < 256; ++b) {
    int cp = b;
    if (!((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF))) {
      int n = 0;
      for (int c = 0; c < b; ++c)
        if (!((c >= '!' && c <= '~') || (c >= 0xA1 && c <= 0xAC) || (c >= 0xAE && c <= 0xFF))) ++n;
      cp = 256 + n;
    }
    std::string u;
    if (cp < 0x80) u += static_cast<char>(cp);
    else {
      u += static_cast<char>(0xC0 | (cp >> 6));
      u += static_cast<char>(0x80 | (cp & 0x3F));
    }
    vocab[u] = id++;
  }
  while (id < 50256) vocab["tok" + std::to_string(id)] = id, ++id;
  vocab["<|endoftext|>"] = 50256;
  const nlohmann::json tok = {
      {"version", "1.0"},
      {"added_tokens",
       {{{"id", 50256}, {"content", "<|endoftext|>"}, {"single_word", false}, {"lstrip", false}, {"rstrip", false},
         {"normalized", true}, {"special", true}}}},
      {"normalizer", nullptr},
      {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}}},
      {"post_processor", {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", false}, {"use_regex", true}}},
      {"decoder", {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}}},
      {"model", {{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", nullptr}, {"continuing_subword_prefix", ""},
                 {"end_of_word_suffix", ""}, {"fuse_unk", false}, {"byte_fallback", false}, {"vocab", vocab},
                 {"merges", nlohmann::json::array()}}}};
  writeFileAtomic(dir / "tokenizer.json", tok.dump() + "\n");
  writeFileAtomic(dir / "tokenizer_config.json",
                  nlohmann::json{{"bos_token", "<|endoftext|>"}, {"eos_token", "<|endoftext|>"},
                                 {"unk_token", "<|endoftext|>"}, {"model_max_length", 1024},
                                 {"tokenizer_class", "GPT2Tokenizer"}}
                          .dump(2) + "\n");
  writeFileAtomic(dir / "preprocessor_config.json",
                  nlohmann::json{{"image_processor_type", "ViTImageProcessor"}, {"do_resize", true},
                                 {"size", {{"height", 224}, {"width", 224}}}, {"resample", 2}, {"do_rescale", true},
                                 {"rescale_factor", 1.0 / 255.0}, {"do_normalize", true},
                                 {"image_mean", {0.5, 0.5, 0.5}}, {"image_std", {0.5, 0.5, 0.5}}}
                          .dump(2) + "\n");
}

void createBenchBlip(const fs::path& dir, uint64_t seed) {
  const nlohmann::json config = {
      {"architectures", {"BlipForConditionalGeneration"}},
      {"model_type", "blip"},
      {"vision_config",
       {{"hidden_size", 768}, {"intermediate_size", 3072}, {"num_hidden_layers", 12}, {"num_attention_heads", 12},
        {"image_size", 384}, {"patch_size", 16}, {"hidden_act", "gelu"}, {"layer_norm_eps", 1e-5}}},
      {"text_config",
       {{"vocab_size", 30524}, {"hidden_size", 768}, {"encoder_hidden_size", 768}, {"intermediate_size", 3072},
        {"num_hidden_layers", 12}, {"num_attention_heads", 12}, {"max_position_embeddings", 512},
        {"hidden_act", "gelu"}, {"layer_norm_eps", 1e-12}, {"bos_token_id", 30522}, {"sep_token_id", 102},
        {"pad_token_id", 0}}}};
  writeRandomModel(dir, config, seed);
  // BERT's WordPiece layout: [PAD] 0, [UNK] 100, [CLS] 101, [SEP] 102, [MASK] 103, the 26
  // letters and placeholders, then BLIP's [DEC] 30522 (the caption's start) and [ENC] 30523.
  nlohmann::json vocab = nlohmann::json::object(), added = nlohmann::json::array();
  const std::map<int, std::string> special = {{0, "[PAD]"},   {100, "[UNK]"},   {101, "[CLS]"},
                                              {102, "[SEP]"}, {103, "[MASK]"}, {30522, "[DEC]"},
                                              {30523, "[ENC]"}};
  for (int id = 0, letter = 0; id < 30524; ++id) {
    auto it = special.find(id);
    if (it != special.end()) {
      vocab[it->second] = id;
      added.push_back({{"id", id}, {"content", it->second}, {"single_word", false}, {"lstrip", false},
                       {"rstrip", false}, {"normalized", false}, {"special", true}});
    } else if (id > 103 && letter < 26) {
      vocab[std::string(1, static_cast<char>('a' + letter++))] = id;
    } else {
      vocab["tok" + std::to_string(id)] = id;
    }
  }
  const nlohmann::json tok = {
      {"version", "1.0"},
      {"added_tokens", added},
      {"normalizer", {{"type", "BertNormalizer"}, {"clean_text", true}, {"handle_chinese_chars", true},
                      {"strip_accents", nullptr}, {"lowercase", true}}},
      {"pre_tokenizer", {{"type", "BertPreTokenizer"}}},
      {"post_processor",
       {{"type", "TemplateProcessing"},
        {"single", {{{"SpecialToken", {{"id", "[CLS]"}, {"type_id", 0}}}}, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
                    {{"SpecialToken", {{"id", "[SEP]"}, {"type_id", 0}}}}}},
        {"pair", nlohmann::json::array()},
        {"special_tokens", {{"[CLS]", {{"id", "[CLS]"}, {"ids", {101}}, {"tokens", {"[CLS]"}}}},
                            {"[SEP]", {{"id", "[SEP]"}, {"ids", {102}}, {"tokens", {"[SEP]"}}}}}}}},
      {"decoder", {{"type", "WordPiece"}, {"prefix", "##"}, {"cleanup", true}}},
      {"model", {{"type", "WordPiece"}, {"unk_token", "[UNK]"}, {"continuing_subword_prefix", "##"},
                 {"max_input_chars_per_word", 100}, {"vocab", vocab}}}};
  writeFileAtomic(dir / "tokenizer.json", tok.dump() + "\n");
  writeFileAtomic(dir / "tokenizer_config.json",
                  nlohmann::json{{"bos_token", "[DEC]"}, {"cls_token", "[CLS]"}, {"sep_token", "[SEP]"},
                                 {"pad_token", "[PAD]"}, {"unk_token", "[UNK]"}, {"mask_token", "[MASK]"},
                                 {"do_lower_case", true}, {"model_max_length", 512},
                                 {"tokenizer_class", "BertTokenizer"}}
                          .dump(2) + "\n");
  writeFileAtomic(dir / "preprocessor_config.json",
                  nlohmann::json{{"image_processor_type", "BlipImageProcessor"}, {"do_resize", true},
                                 {"size", {{"height", 384}, {"width", 384}}}, {"resample", 3}, {"do_rescale", true},
                                 {"rescale_factor", 1.0 / 255.0}, {"do_normalize", true}, {"do_convert_rgb", true},
                                 {"image_mean", {0.48145466, 0.4578275, 0.40821073}},
                                 {"image_std", {0.26862954, 0.26130258, 0.27577711}}}
                          .dump(2) + "\n");
}

void createBenchSiglip(const fs::path& dir, uint64_t seed) {
  const nlohmann::json config = {
      {"architectures", {"SiglipModel"}},
      {"model_type", "siglip"},
      {"text_config",
       {{"vocab_size", 32000}, {"hidden_size", 768}, {"intermediate_size", 3072}, {"num_hidden_layers", 12},
        {"num_attention_heads", 12}, {"max_position_embeddings", 64}, {"hidden_act", "gelu_pytorch_tanh"},
        {"layer_norm_eps", 1e-6}}},
      {"vision_config",
       {{"hidden_size", 768}, {"intermediate_size", 3072}, {"num_hidden_layers", 12}, {"num_attention_heads", 12},
        {"image_size", 224}, {"patch_size", 16}, {"hidden_act", "gelu_pytorch_tanh"}, {"layer_norm_eps", 1e-6}}}};
  writeRandomModel(dir, config, seed);
  writeFileAtomic(dir / "preprocessor_config.json",
                  nlohmann::json{{"image_processor_type", "SiglipImageProcessor"}, {"do_resize", true},
                                 {"size", {{"height", 224}, {"width", 224}}}, {"resample", 3}, {"do_rescale", true},
                                 {"rescale_factor", 1.0 / 255.0}, {"do_normalize", true}, {"do_convert_rgb", true},
                                 {"image_mean", {0.5, 0.5, 0.5}}, {"image_std", {0.5, 0.5, 0.5}}}
                          .dump(2) + "\n");
}

nlohmann::json benchVision(LoadedModel& model, const fs::path& folder, int count, int batch, const JobContext& job) {
  writeBenchPictures(folder, count);
  if (model.kind() == ModelKind::ImageToText) {
    std::vector<fs::path> files;
    for (int i = 0; i < count; ++i) files.push_back(folder / name(i));
    return benchCaptions(model, files, 8, 16, job);
  }
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
