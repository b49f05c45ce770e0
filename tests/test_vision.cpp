// Image + Text: decoding against Pillow (tests/fixtures/vision/make_images.py), preprocessing
// against Hugging Face's processors as restated there, every broken picture with its message,
// and CLIP against an independent float64 implementation
// (tests/fixtures/reference/make_reference_clip.py).
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <fstream>
#include <torch/torch.h>

#include "support/test_main.h"
#include "arch/image_to_text.h"
#include "arch/loaded_model.h"
#include "arch/vision_text.h"
#include "io/atomic_file.h"
#include "io/model_folder.h"
#include "io/safetensors.h"
#include "support/run_fmw.h"
#include "support/tiny_models.h"
#include "tokenize/tokenizer.h"
#include "util/error.h"
#include "vision/caption.h"
#include "vision/collection_pictures.h"
#include "vision/demo_shapes.h"
#include "vision/image.h"
#include "vision/image_folder.h"
#include "vision/image_text.h"
#include "vision/preprocess.h"
#include "support/small_clip.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

fs::path visionFixture(const std::string& name) { return fs::path(FM_TEST_FIXTURES) / "vision" / name; }

// A reference tensor of reference.safetensors as float32 (uint8 values kept as they are).
torch::Tensor reference(const std::string& name) {
  static const fm::SafetensorsFile file = fm::SafetensorsFile::open(visionFixture("reference.safetensors"));
  const fm::TensorInfo* t = file.find(name);
  if (!t) throw std::runtime_error("no reference tensor " + name);
  const auto dtype = t->dtype == fm::DType::U8 ? torch::kUInt8 : torch::kFloat32;
  return torch::from_blob(const_cast<uint8_t*>(file.data(*t)), t->shape, dtype).clone().to(torch::kFloat32);
}

torch::Tensor asTensor(const fm::Image& im) {
  return torch::from_blob(const_cast<uint8_t*>(im.rgb.data()), {im.height, im.width, 3}, torch::kUInt8)
      .clone()
      .to(torch::kFloat32);
}

// The tiny CLIP of a reference fixture: its weights (formula x weight_gain), config and the
// CLIP tokenizer fixture.
std::shared_ptr<fm::LoadedModel> loadTinyClip(const json& fx, const QTemporaryDir& dir) {
  const double gain = fx["weight_gain"].get<double>();
  fm::test::writeDesignedModel(fx, dir.path().toStdString(), [gain](const std::string& name, int64_t i) {
    const float v = fm::test::formulaValue(name, i);
    const bool norm = name.size() > 11 && (name.compare(name.size() - 11, 11, "norm.weight") == 0 ||
                                           name.compare(name.size() - 12, 12, "norm1.weight") == 0 ||
                                           name.compare(name.size() - 12, 12, "norm2.weight") == 0);
    return norm ? v : static_cast<float>(static_cast<double>(v) * gain);
  });
  const fs::path tok = fs::path(FM_TEST_FIXTURES) / "tokenizers" / "clip_bpe";
  for (const char* f : {"tokenizer.json", "tokenizer_config.json"})
    fs::copy_file(tok / f, fs::path(dir.path().toStdString()) / f, fs::copy_options::overwrite_existing);
  return fm::LoadedModel::load(dir.path().toStdString(), {});
}

torch::Tensor matrix(const json& rows) {
  std::vector<float> flat;
  for (const auto& r : rows)
    for (const auto& v : r) flat.push_back(static_cast<float>(v.get<double>()));
  return torch::tensor(flat).view({static_cast<int64_t>(rows.size()), -1});
}

torch::Tensor pixelValues(const json& px) {
  std::vector<float> flat;
  for (const auto& b : px)
    for (const auto& c : b)
      for (const auto& y : c)
        for (const auto& x : y) flat.push_back(x.get<float>());
  const int64_t n = static_cast<int64_t>(px.size()), s = static_cast<int64_t>(px[0][0].size());
  return torch::tensor(flat).view({n, 3, s, s});
}

// A preprocessor for the tiny reference CLIP (16 x 16 pictures) in its folder.
void writeTinyPreprocessor(const QTemporaryDir& dir) {
  json pre = fm::readJsonFile(visionFixture("preprocessors/clip.json"));
  pre["size"] = {{"shortest_edge", 16}};
  pre["crop_size"] = {{"height", 16}, {"width", 16}};
  std::ofstream(fs::path(dir.path().toStdString()) / "preprocessor_config.json") << pre.dump();
}

using Run = fm::test::FmwRun;
Run fmw(const QStringList& args) { return fm::test::runFmw(args); }
using fm::test::thrown;

void copyPicture(const std::string& name, const fs::path& to) {
  fs::create_directories(to.parent_path());
  fs::copy_file(visionFixture(name), to, fs::copy_options::overwrite_existing);
}

std::shared_ptr<fm::LoadedModel> loadTinyCaptioner(const QTemporaryDir& dir, bool withTokenizer) {
  fm::test::writeTinyCaptioner(dir.path().toStdString(), withTokenizer);
  return fm::LoadedModel::load(dir.path().toStdString(), {});
}

}  // namespace

class TestVision : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  // Every format as Hugging Face's load_image gives it: EXIF orientation applied, alpha
  // dropped (not composited), gray and palette expanded, 16 bits to their high byte.
  void decodesLikePillow_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("format");
    QTest::addColumn<int>("tolerance");
    QTest::newRow("png") << "photo.png" << "PNG" << 0;
    QTest::newRow("jpeg") << "photo.jpg" << "JPEG" << 1;
    QTest::newRow("jpeg exif orientation 6") << "exif_rot6.jpg" << "JPEG" << 1;
    QTest::newRow("webp lossless") << "photo.webp" << "WebP" << 0;
    QTest::newRow("bmp") << "photo.bmp" << "BMP" << 0;
    QTest::newRow("tiff") << "photo.tif" << "TIFF" << 0;
    QTest::newRow("png with alpha") << "alpha.png" << "PNG" << 0;
    QTest::newRow("gray png") << "gray.png" << "PNG" << 0;
    QTest::newRow("palette png") << "palette.png" << "PNG" << 0;
    QTest::newRow("16-bit rgb png") << "rgb16.png" << "PNG" << 0;
    QTest::newRow("16-bit gray png") << "gray16.png" << "PNG" << 0;
    QTest::newRow("gif first frame") << "anim.gif" << "GIF" << 0;
    QTest::newRow("progressive jpeg") << "progressive.jpg" << "JPEG" << 1;
    QTest::newRow("cmyk jpeg") << "cmyk.jpg" << "JPEG" << 2;
    QTest::newRow("gray jpeg") << "gray.jpg" << "JPEG" << 1;
    QTest::newRow("gray png with alpha") << "gray_alpha.png" << "PNG" << 0;
    QTest::newRow("1-bit png") << "bilevel.png" << "PNG" << 0;
    QTest::newRow("palette png with a transparent index") << "palette_transparent.png" << "PNG" << 0;
    QTest::newRow("lzw tiff") << "lzw.tif" << "TIFF" << 0;
    QTest::newRow("rgba tiff") << "rgba.tif" << "TIFF" << 0;
    QTest::newRow("animated webp first frame") << "anim.webp" << "WebP" << 0;
  }
  void decodesLikePillow() {
    QFETCH(QString, file);
    QFETCH(QString, format);
    QFETCH(int, tolerance);
    const fm::DecodedImage d = fm::decodeImageFile(visionFixture(file.toStdString()));
    QCOMPARE(QString::fromStdString(d.format), format);
    const torch::Tensor want = reference("decode/" + file.toStdString());
    QCOMPARE(d.image.height, static_cast<int>(want.size(0)));
    QCOMPARE(d.image.width, static_cast<int>(want.size(1)));
    const double diff = (asTensor(d.image) - want).abs().max().item<double>();
    QVERIFY2(diff <= tolerance, qPrintable(QString("max difference %1 levels").arg(diff)));
  }

  void brokenPicturesAreRefusedWithTheReason_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("reason");
    QTest::newRow("empty") << "empty.png" << "the file is empty";
    QTest::newRow("truncated jpeg") << "truncated.jpg" << "truncated";
    QTest::newRow("truncated png") << "truncated.png" << "corrupt or truncated";
    QTest::newRow("text named .jpg") << "not_an_image.jpg" << "not a picture this product reads";
    QTest::newRow("header claims 50000 x 50000") << "bomb.png" << "50000 x 50000 pixels, more than the limit";
  }
  void brokenPicturesAreRefusedWithTheReason() {
    QFETCH(QString, file);
    QFETCH(QString, reason);
    const QString msg = thrown<fm::FormatError>([&] { fm::decodeImageFile(visionFixture(file.toStdString())); });
    QVERIFY2(msg.contains(reason), qPrintable(msg));
    QVERIFY2(msg.contains(file), qPrintable(msg));  // names the file
  }

  void aMissingFileIsAnIoError() {
    const QString msg = thrown<fm::IoError>([] { fm::decodeImageFile(visionFixture("no_such.png")); });
    QVERIFY2(msg.contains("no_such.png"), qPrintable(msg));
  }

  void aLowerPixelLimitRefusesLargerPictures() {
    fm::DecodeLimits tight;
    tight.maxPixels = 61 * 47 - 1;
    const QString msg = thrown<fm::FormatError>([&] { fm::decodeImageFile(visionFixture("photo.png"), tight); });
    QVERIFY2(msg.contains("61 x 47"), qPrintable(msg));
    tight.maxPixels = 61 * 47;
    QCOMPARE(fm::decodeImageFile(visionFixture("photo.png"), tight).image.width, 61);
  }

  // pixel_values as the Hugging Face processor makes them. The resize is Pillow's own
  // arithmetic, so the result is exact: the bound is a thousandth of an 8-bit step per pixel
  // (compared before normalisation: difference x std), far inside the one step asked for.
  void preprocessesLikeHuggingFace_data() {
    QTest::addColumn<QString>("recipe");
    QTest::addColumn<QString>("file");
    for (const char* r : {"clip", "blip", "vit", "nearest"})
      for (const char* f : {"photo.png", "photo.jpg", "alpha.png", "gray.png", "small.png", "exif_rot6.jpg"})
        QTest::newRow(qPrintable(QString("%1 %2").arg(r, f))) << QString(r) << QString(f);
  }
  void preprocessesLikeHuggingFace() {
    QFETCH(QString, recipe);
    QFETCH(QString, file);
    const fm::ImageProcessor proc =
        fm::ImageProcessor::fromFile(visionFixture("preprocessors/" + recipe.toStdString() + ".json"));
    const fm::Image img = fm::decodeImageFile(visionFixture(file.toStdString())).image;
    const torch::Tensor got = proc.process(img);
    const torch::Tensor want = reference("pre/" + recipe.toStdString() + "/" + file.toStdString());
    QCOMPARE(got.sizes().vec(), want.sizes().vec());
    const auto& sd = proc.config().std;
    const torch::Tensor std = torch::tensor({sd[0], sd[1], sd[2]}, torch::kFloat32).view({3, 1, 1});
    const double steps = ((got - want).abs() * std).max().item<double>() * 255.0;
    QVERIFY2(steps <= 0.001, qPrintable(QString("max difference %1 8-bit steps").arg(steps)));
  }

  // Plain numbers for size and crop_size (older CLIP folders) mean the same as the objects.
  void olderConfigLayoutsMeanTheSame() {
    const auto a = fm::ImageProcessor::fromFile(visionFixture("preprocessors/clip.json")).config();
    const auto b = fm::ImageProcessor::fromFile(visionFixture("preprocessors/clip_legacy.json")).config();
    QCOMPARE(b.shortestEdge, a.shortestEdge);
    QCOMPARE(b.cropHeight, a.cropHeight);
    QCOMPARE(b.cropWidth, a.cropWidth);
    QCOMPARE(b.resample, a.resample);
    QCOMPARE(QString::fromStdString(a.describe()), QString("shortest side 24, bicubic, center crop 20 x 20, CLIP mean/std"));
    // ViT's default filter is bilinear, BLIP squashes to a square.
    const auto vit = fm::ImageProcessorConfig::fromJson(json{{"image_processor_type", "ViTImageProcessor"}}, "vit");
    QCOMPARE(vit.resample, fm::Resample::Bilinear);
    QCOMPARE(vit.outputSize(100, 300), std::make_pair(224, 224));
    const auto clip = fm::ImageProcessorConfig::fromJson(json{{"image_processor_type", "CLIPImageProcessor"}}, "c");
    QCOMPARE(clip.outputSize(100, 300), std::make_pair(224, 224));
  }

  void malformedPreprocessorConfigsAreRefused() {
    QString m = thrown<fm::FormatError>(
        [] { fm::ImageProcessorConfig::fromJson(json{{"image_processor_type", "CLIPImageProcessor"}, {"resample", 9}}, "p.json"); });
    QVERIFY2(m.contains("p.json") && m.contains("resample"), qPrintable(m));
    m = thrown<fm::FormatError>(
        [] { fm::ImageProcessorConfig::fromJson(json{{"image_processor_type", "X"}, {"size", -3}}, "p.json"); });
    QVERIFY2(m.contains("size"), qPrintable(m));
    m = thrown<fm::FormatError>([] {
      fm::ImageProcessorConfig::fromJson(json{{"size", {{"height", 8}, {"width", 8}}}, {"image_std", {0, 1, 1}}}, "p.json");
    });
    QVERIFY2(m.contains("image_std"), qPrintable(m));
    m = thrown<fm::IoError>([] { fm::ImageProcessor::fromFolder(visionFixture("preprocessors")); });
    QVERIFY2(m.contains("preprocessor_config.json"), qPrintable(m));
  }

  // Resizing to the same size changes nothing; every Pillow filter gives a picture of the asked
  // size whose flat areas keep their colour.
  void everyFilterKeepsFlatColours() {
    fm::Image flat;
    flat.width = 40;
    flat.height = 30;
    flat.rgb.assign(40 * 30 * 3, 0);
    for (size_t i = 0; i < flat.rgb.size(); i += 3) {
      flat.rgb[i] = 200;
      flat.rgb[i + 1] = 100;
      flat.rgb[i + 2] = 7;
    }
    for (int f = 0; f <= 5; ++f) {
      const fm::Image r = fm::resizeImage(flat, 13, 57, static_cast<fm::Resample>(f));
      QCOMPARE(r.width, 57);
      QCOMPARE(r.height, 13);
      QCOMPARE(asTensor(r).amax().item<double>(), 200.0);
      QCOMPARE(asTensor(r).select(2, 2).amin().item<double>(), 7.0);
    }
  }

  // CLIP's image and text towers, projections and logits against the float64 reference.
  void clipMatchesTheReference_data() {
    QTest::addColumn<QString>("name");
    QTest::newRow("first eos, quick_gelu") << "tiny_clip";
    QTest::newRow("legacy eos 2 (argmax), gelu") << "tiny_clip_legacy_eos";
  }
  void clipMatchesTheReference() {
    QFETCH(QString, name);
    const json fx = fm::test::referenceFixture(name.toStdString());
    QTemporaryDir dir;
    auto model = loadTinyClip(fx, dir);
    QCOMPARE(model->kind(), fm::ModelKind::VisionText);
    QCOMPARE(model->info().imageSize, int64_t{16});
    QCOMPARE(model->info().projectionDim, int64_t{16});
    fm::VisionTextModel& clip = model->visionText();
    torch::InferenceMode guard;

    const torch::Tensor img = clip.imageFeatures(pixelValues(fx["pixel_values"]));
    double diff = (img - matrix(fx["image_features"])).abs().max().item<double>();
    QVERIFY2(diff < 1e-4, qPrintable(QString("image features differ by %1").arg(diff)));

    // Our tokenizer gives the reference ids; the texts go through as one padded batch.
    const auto texts = fx["texts"].get<std::vector<std::string>>();
    for (size_t i = 0; i < texts.size(); ++i) {
      const auto ids = model->tokenizer()->encodeForModel(texts[i], 0).ids;
      QCOMPARE(std::vector<int64_t>(ids.begin(), ids.end()), fx["input_ids"][i].get<std::vector<int64_t>>());
    }
    const fm::Vectors txt = fm::embedTextsForImages(*model, texts);
    const torch::Tensor want = matrix(fx["text_features"]);
    const torch::Tensor wantUnit = want / want.norm(2, -1, true);
    for (size_t i = 0; i < txt.size(); ++i) {
      diff = (torch::tensor(txt[i]) - wantUnit[static_cast<int64_t>(i)]).abs().max().item<double>();
      QVERIFY2(diff < 1e-5, qPrintable(QString("text %1 differs by %2").arg(i).arg(diff)));
    }

    // Logits of the two pictures against the three texts.
    const torch::Tensor imgUnit = img / img.norm(2, -1, true);
    fm::Vectors imgVectors;
    for (int64_t i = 0; i < imgUnit.size(0); ++i)
      imgVectors.emplace_back(imgUnit[i].data_ptr<float>(), imgUnit[i].data_ptr<float>() + imgUnit.size(1));
    const auto scores = fm::scoreLabels(imgVectors, txt, fm::ScoreRule{clip.logitScale()});
    const torch::Tensor logits = matrix(fx["logits_per_image"]);
    for (size_t i = 0; i < scores.size(); ++i)
      for (size_t j = 0; j < scores[i].logits.size(); ++j)
        QVERIFY(std::abs(scores[i].logits[j] - logits[static_cast<int64_t>(i)][static_cast<int64_t>(j)].item<double>()) < 1e-4);
  }

  // The whole path from a picture file: decode, the folder's preprocessor, both towers,
  // softmax over labels put in a template.
  void zeroShotLabelsFromAFile() {
    const json fx = fm::test::referenceFixture("tiny_clip");
    QTemporaryDir dir;
    writeTinyPreprocessor(dir);
    auto model = loadTinyClip(fx, dir);
    const fm::ImageProcessor proc = fm::ImageProcessor::fromFolder(dir.path().toStdString());
    const fm::Image img = fm::decodeImageFile(visionFixture("photo.jpg")).image;
    const auto scores = fm::zeroShotLabels(*model, proc, {&img, &img}, {"cat", "dog", "red circle"}, "a photo of a {}");
    QCOMPARE(scores.size(), size_t{2});
    double sum = 0;
    for (double p : scores[0].probabilities) sum += p;
    QVERIFY(std::abs(sum - 1.0) < 1e-9);
    for (size_t j = 0; j < 3; ++j)  // same picture, same scores, batched
      QVERIFY(std::abs(scores[0].logits[j] - scores[1].logits[j]) < 1e-5);
    QVERIFY(scores[0].best >= 0 && scores[0].best < 3);
    // The scores equal those of the embeddings made separately.
    const fm::Vectors iv = fm::embedImages(*model, proc, {&img});
    const fm::Vectors tv = fm::embedTextsForImages(*model, {"a photo of a cat", "a photo of a dog", "a photo of a red circle"});
    const auto again = fm::scoreLabels(iv, tv, fm::scoreRuleOf(*model));
    for (size_t j = 0; j < 3; ++j) QVERIFY(std::abs(again[0].logits[j] - scores[0].logits[j]) < 1e-5);

    QString m = thrown<fm::ConfigError>([&] { fm::zeroShotLabels(*model, proc, {&img}, {"cat"}, "a photo"); });
    QVERIFY2(m.contains("{}"), qPrintable(m));
    m = thrown<fm::ConfigError>([&] { fm::zeroShotLabels(*model, proc, {&img}, {}, "a {}"); });
    QVERIFY2(m.contains("at least one label"), qPrintable(m));
    // A preprocessor that makes pictures of the wrong size is named, not a crash in the model.
    const fm::ImageProcessor wrong = fm::ImageProcessor::fromFile(visionFixture("preprocessors/clip.json"));
    m = thrown<fm::FormatError>([&] { fm::embedImages(*model, wrong, {&img}); });
    QVERIFY2(m.contains("20 x 20") && m.contains("16 x 16"), qPrintable(m));
  }

  void listsPicturesInAFolder() {
    const auto files = fm::listImages(visionFixture(""));
    QVERIFY(files.size() >= 21);
    QVERIFY(std::is_sorted(files.begin(), files.end()));
    for (const auto& f : files) QVERIFY(fm::isImageFileName(f));
    QVERIFY(fm::isImageFileName("A.JPEG"));
    QVERIFY(!fm::isImageFileName("reference.safetensors"));
  }

  // Picture folders inside a collection: remembered with their CLIP model, indexed in the
  // collection's folder, searched across folders with one ranking, another model refused,
  // a folder removed with its index, a vanished folder reported.
  void aCollectionSearchesItsPictures() {
    const json fx = fm::test::referenceFixture("tiny_clip");
    QTemporaryDir modelDir, otherModel, work;
    writeTinyPreprocessor(modelDir);
    auto model = loadTinyClip(fx, modelDir);
    const fs::path root(work.path().toStdString()), collection = root / "collection";
    fs::create_directories(collection);
    copyPicture("photo.png", root / "site" / "a.png");
    copyPicture("photo.jpg", root / "site" / "b.jpg");
    copyPicture("small.png", root / "office" / "c.png");
    {
      fm::CollectionPictures pics(collection);
      QVERIFY(pics.empty());
      pics.addFolders({root / "site", root / "office"}, modelDir.path().toStdString());
    }
    fm::CollectionPictures pics(collection);  // as saved
    QCOMPARE(pics.folders().size(), size_t{2});
    QVERIFY(fs::exists(collection / "pictures" / "pictures.json"));
    const auto reports = pics.sync(*model);
    QCOMPARE(reports.size(), size_t{2});
    QCOMPARE(reports[0].pictures + reports[1].pictures, size_t{3});
    QCOMPARE(pics.sync(*model)[0].sync.added, int64_t{0});  // nothing new the second time
    const auto hits = pics.search(*model, "a photo of a cat", 5);
    QCOMPARE(hits.size(), size_t{3});
    for (size_t i = 0; i < hits.size(); ++i) {
      QCOMPARE(hits[i].rank, static_cast<int>(i + 1));
      if (i > 0) QVERIFY(hits[i - 1].score >= hits[i].score);
    }
    QCOMPARE(pics.search(*model, "a photo of a cat", 2).size(), size_t{2});
    // A picture's sidecar caption comes with it.
    std::ofstream(root / "site" / "b.txt") << "a cat on a wall\n";
    for (const auto& h : pics.search(*model, "a photo of a cat", 5))
      QCOMPARE(QString::fromStdString(h.caption), h.file.filename() == "b.jpg" ? QString("a cat on a wall") : QString());
    // An index brought up to date elsewhere (another object, another process) is what the
    // next search reads, not the copy opened before.
    copyPicture("small.png", root / "office" / "d.png");
    QCOMPARE(fm::CollectionPictures(collection).sync(*model)[1].pictures, size_t{2});
    QCOMPARE(pics.search(*model, "a photo of a cat", 9).size(), size_t{4});
    // Vectors of another model would not compare with these.
    fm::test::writeReferenceModel(fx, otherModel.path().toStdString());
    QVERIFY(thrown<fm::ConfigError>([&] { pics.addFolders({root / "site"}, otherModel.path().toStdString()); })
                .contains("would not compare"));
    QVERIFY(pics.removeFolder(root / "office"));
    QCOMPARE(pics.search(*model, "a photo", 5).size(), size_t{2});
    QCOMPARE(pics.counts().size(), size_t{1});
    QCOMPARE(fm::CollectionPictures(collection).folders().size(), size_t{1});
    fs::remove_all(root / "site");
    QCOMPARE(QString::fromStdString(pics.sync(*model)[0].problem), QString("the folder is not there any more"));
  }

  // The search index embeds only what is new or changed, forgets deleted pictures, reports a
  // broken one without stopping, survives reopening, and starts afresh for another model.
  void theImageIndexIsIncremental() {
    const json fx = fm::test::referenceFixture("tiny_clip");
    QTemporaryDir modelDir, work;
    writeTinyPreprocessor(modelDir);
    auto model = loadTinyClip(fx, modelDir);
    const fm::ImageProcessor proc = fm::ImageProcessor::fromFolder(modelDir.path().toStdString());
    const fs::path photos = fs::path(work.path().toStdString()) / "photos", store = fs::path(work.path().toStdString()) / "index";
    copyPicture("photo.png", photos / "a.png");
    copyPicture("photo.jpg", photos / "sub" / "b.jpg");
    copyPicture("truncated.jpg", photos / "broken.jpg");
    copyPicture("small.png", photos / ".hidden" / "c.png");  // hidden folders are not read
    {
      fm::ImageIndex index(photos, modelDir.path().toStdString(), store);
      const auto r = index.sync(*model, proc);
      QCOMPARE(r.added, int64_t{2});
      QCOMPARE(r.failed.size(), size_t{1});
      QVERIFY(QString::fromStdString(r.failed[0].reason).contains("truncated"));
      QCOMPARE(index.size(), size_t{2});
      // Searching with a picture's own vector finds that picture first, with cosine 1.
      const fm::Image img = fm::decodeImageFile(photos / "a.png").image;
      const auto hits = index.search(fm::embedImages(*model, proc, {&img})[0], 5);
      QCOMPARE(hits.size(), size_t{2});
      QCOMPARE(hits[0].file.filename().string(), std::string("a.png"));
      QVERIFY(std::abs(hits[0].score - 1.0) < 1e-5);
    }
    copyPicture("small.png", photos / "c.png");
    fs::remove(photos / "sub" / "b.jpg");
    fs::last_write_time(photos / "a.png", fs::last_write_time(photos / "a.png") + std::chrono::seconds(5));
    {
      fm::ImageIndex index(photos, modelDir.path().toStdString(), store);
      QVERIFY(index.restartReason().empty());
      QCOMPARE(index.size(), size_t{2});  // as saved
      const auto r = index.sync(*model, proc);
      QCOMPARE(r.added, int64_t{1});
      QCOMPARE(r.updated, int64_t{1});
      QCOMPARE(r.removed, int64_t{1});
      QCOMPARE(r.kept, int64_t{0});
      QCOMPARE(index.size(), size_t{2});
      const auto again = index.sync(*model, proc);
      QCOMPARE(again.kept, int64_t{2});
      QCOMPARE(again.added + again.updated + again.removed, int64_t{0});
    }
    // Another model (here: other preprocessing) never mixes its vectors in.
    {
      json pre = fm::readJsonFile(fs::path(modelDir.path().toStdString()) / "preprocessor_config.json");
      pre["resample"] = 2;
      std::ofstream(fs::path(modelDir.path().toStdString()) / "preprocessor_config.json") << pre.dump();
    }
    fm::ImageIndex index(photos, modelDir.path().toStdString(), store);
    QVERIFY(!index.restartReason().empty());
    QCOMPARE(index.size(), size_t{0});
    // A damaged vector file is detected, not trusted.
    std::ofstream(store / "vectors.f32", std::ios::trunc) << "x";
    json manifest = fm::readJsonFile(store / "index.json");
    manifest["model_fingerprint"] = fm::visionModelFingerprint(modelDir.path().toStdString());
    std::ofstream(store / "index.json", std::ios::trunc) << manifest.dump();
    fm::ImageIndex damaged(photos, modelDir.path().toStdString(), store);
    QVERIFY2(QString::fromStdString(damaged.restartReason()).contains("damaged"), damaged.restartReason().c_str());
  }

  // A folder with one subfolder per class gives a confusion matrix whose rows count each
  // class's pictures, and the accuracy the matrix implies.
  void zeroShotEvaluationOfALabelledFolder() {
    const json fx = fm::test::referenceFixture("tiny_clip");
    QTemporaryDir modelDir, work;
    writeTinyPreprocessor(modelDir);
    auto model = loadTinyClip(fx, modelDir);
    const fm::ImageProcessor proc = fm::ImageProcessor::fromFolder(modelDir.path().toStdString());
    const fs::path root = fs::path(work.path().toStdString());
    copyPicture("photo.png", root / "red_circle" / "1.png");
    copyPicture("photo.jpg", root / "red_circle" / "2.jpg");
    copyPicture("small.png", root / "blue-square" / "1.png");
    copyPicture("empty.png", root / "blue-square" / "2.png");
    const fm::LabelledImages data = fm::readLabelledFolder(root);
    QCOMPARE(data.classes, (std::vector<std::string>{"blue-square", "red_circle"}));
    const auto r = fm::evaluateZeroShot(*model, proc, data, {}, "a photo of a {}");
    QCOMPARE(r.labels, (std::vector<std::string>{"blue square", "red circle"}));
    QCOMPARE(r.images, int64_t{3});
    QCOMPARE(r.failed.size(), size_t{1});
    QCOMPARE(r.confusion[0][0] + r.confusion[0][1], int64_t{1});
    QCOMPARE(r.confusion[1][0] + r.confusion[1][1], int64_t{2});
    QCOMPARE(r.accuracy, static_cast<double>(r.confusion[0][0] + r.confusion[1][1]) / 3.0);
    QString m = thrown<fm::ConfigError>([&] { fm::evaluateZeroShot(*model, proc, data, {"only one"}, "a {}"); });
    QVERIFY2(m.contains("one label per class"), qPrintable(m));
    fs::remove_all(root / "blue-square");
    m = thrown<fm::ConfigError>([&] { fm::readLabelledFolder(root); });
    QVERIFY2(m.contains("at least two classes"), qPrintable(m));
  }

  void captionsSayWhereTheShapesAre() {
    fm::ShapeItem red{0, 0, 20, 10, 6}, blue{1, 2, 22, 50, 6};
    QCOMPARE(QString::fromStdString(fm::captionOf({red})), QString("a red circle"));
    QCOMPARE(QString::fromStdString(fm::captionOf({red, blue})), QString("a red circle above a blue square"));
    QCOMPARE(QString::fromStdString(fm::captionOf({blue, red})), QString("a blue square below a red circle"));
    fm::ShapeItem green{2, 1, 50, 12, 6};
    QCOMPARE(QString::fromStdString(fm::captionOf({red, green})), QString("a red circle left of a green triangle"));
    // Drawn where it says: the red disc's centre is red, a far corner is background.
    const fm::Image img = fm::drawShapes({red}, 64, 1);
    QVERIFY(img.at(10, 20)[0] > 170 && img.at(10, 20)[2] < 90);
    QVERIFY(img.at(60, 60)[0] > 190 && img.at(60, 60)[1] > 190);
  }

  // The generated CLIP tokenizer spells each caption word as one token and still reads any text.
  void theGeneratedTokenizerSpellsWordsWhole() {
    QTemporaryDir dir;
    fm::writeClipTokenizer(dir.path().toStdString(), {"red", "circle", "above", "a"});
    const auto tok = fm::Tokenizer::fromFolder(dir.path().toStdString());
    const auto ids = tok->encodeForModel("A red  circle above", 0).ids;
    QCOMPARE(ids.size(), size_t{6});  // <|startoftext|> a red circle above <|endoftext|>
    QCOMPARE(QString::fromStdString(tok->idToPiece(ids[2])), QString("red</w>"));
    QCOMPARE(QString::fromStdString(tok->decode(std::vector<int32_t>(ids.begin() + 1, ids.end() - 1), true)).trimmed(),
             QString("a red circle above"));
    QVERIFY(tok->encodeForModel("ünïcödé 123", 0).ids.size() > 5);
  }

  // A tiny CLIP trained on drawn shapes: the loss falls, the folder reloads as a CLIPModel
  // and the trained weights are what it computes with.
  void aTinyClipLearnsFromCaptions() {
    QTemporaryDir work;
    const fs::path root = fs::path(work.path().toStdString());
    fm::ShapesDatasetOptions d;
    d.size = 32;
    d.trainPictures = 96;
    d.testPerClass = 1;
    fm::writeShapesDataset(root / "data", d);
    std::vector<fs::path> images;
    std::vector<std::string> captions;
    fm::readCaptionedFolder(root / "data" / "train", images, captions);
    QCOMPARE(images.size(), size_t{96});
    const fm::TinyClipOptions o = fm::test::smallClipOptions();
    std::vector<std::string> words = {"a", "above", "below", "left", "right", "of"};
    for (const auto& w : fm::shapeNames()) words.push_back(w);
    for (const auto& w : fm::colourNames()) words.push_back(w);
    fm::createTinyClip(root / "clip", words, o);
    fm::ClipTrainOptions t;
    t.steps = 150;
    t.batchSize = 32;
    t.warmupSteps = 5;
    t.lr = 2e-3;
    const auto r = fm::trainClip(root / "clip", images, captions, t);
    QCOMPARE(r.status, fm::JobStatus::Completed);
    const double first = r.loss.front().second, last = r.loss.back().second;
    QVERIFY2(last < 0.8 * first, qPrintable(QString("loss %1 -> %2").arg(first).arg(last)));
    auto model = fm::LoadedModel::load(root / "clip", {});
    QCOMPARE(model->info().architecture, std::string("CLIPModel"));
    const auto report = fm::evaluateZeroShot(*model, fm::ImageProcessor::fromFolder(root / "clip"),
                                             fm::readLabelledFolder(root / "data" / "test"), {}, "a {}");
    QCOMPARE(report.images, int64_t{12});
  }

  // ViT encoder, projection and GPT-2 with cross-attention against the float64 reference: the
  // logits of the whole caption at once, and the greedy caption step by step with the cache
  // (self-attention keys and the encoder's cross-attention keys kept), two pictures at once.
  void vitGpt2MatchesTheReference() {
    const json fx = fm::test::referenceFixture("tiny_vit_gpt2");
    QTemporaryDir dir;
    auto model = loadTinyCaptioner(dir, false);
    QCOMPARE(model->kind(), fm::ModelKind::ImageToText);
    fm::ImageToTextModel& cap = model->imageToText();
    QCOMPARE(cap.decoderStartId(), int64_t{95});
    torch::InferenceMode guard;
    const torch::Tensor states = cap.encodeImages(pixelValues(fx["pixel_values"]));  // (2, 5, 32)
    QCOMPARE(states.size(2), int64_t{32});
    for (int64_t b = 0; b < 2; ++b) {
      const json& c = fx["cases"][static_cast<size_t>(b)];
      std::vector<int64_t> ids = {95};
      for (const auto& t : c["greedy"]) ids.push_back(t.get<int64_t>());
      auto logits = cap.decode(torch::tensor(ids, torch::kLong).view({1, -1}), states.narrow(0, b, 1), nullptr)[0];
      const double diff = (logits - matrix(c["logits"])).abs().max().item<double>();
      QVERIFY2(diff < 1e-4, qPrintable(QString("picture %1: logits differ by %2").arg(b).arg(diff)));
    }
    fm::KVCache cache = cap.makeCache(2, 16);
    torch::Tensor ids = torch::full({2, 1}, 95, torch::kLong);
    std::vector<std::vector<int64_t>> got(2);
    for (int step = 0; step < fx["max_new_tokens"].get<int>(); ++step) {
      auto next = cap.decode(ids, step == 0 ? states : torch::Tensor(), &cache).select(1, -1).argmax(-1);
      for (int64_t b = 0; b < 2; ++b) got[static_cast<size_t>(b)].push_back(next[b].item<int64_t>());
      ids = next.view({2, 1});
    }
    for (size_t b = 0; b < 2; ++b) {
      const auto want = fx["cases"][b]["greedy"].get<std::vector<int64_t>>();
      QCOMPARE(std::vector<int64_t>(got[b].begin(), got[b].begin() + static_cast<std::ptrdiff_t>(want.size())), want);
    }
  }

  // BLIP (vision tower with one qkv projection, post-LayerNorm BERT decoder with
  // cross-attention, prediction head tied to the word embeddings) against the float64
  // reference: logits of the whole caption at once, and the greedy caption from [DEC] to [SEP]
  // through the cache, two pictures at once. The tied head's copy and the position_ids buffer
  // in the checkpoint are ignored.
  void blipMatchesTheReference() {
    const json fx = fm::test::referenceFixture("tiny_blip");
    const double gain = fx["weight_gain"].get<double>();
    QTemporaryDir dir;
    json withBuffer = fx;
    withBuffer["tensors"].push_back({{"name", "text_decoder.bert.embeddings.position_ids"}, {"shape", {1, 32}}});
    fm::test::writeDesignedModel(withBuffer, dir.path().toStdString(), [gain](const std::string& name, int64_t i) {
      const double v = fm::test::formulaRaw(name, i);
      auto ends = [&](const char* s) {
        const std::string suf(s);
        return name.size() >= suf.size() && name.compare(name.size() - suf.size(), suf.size(), suf) == 0;
      };
      const bool norm = ends(".weight") && (name.find("layer_norm") != std::string::npos ||
                                            name.find("layernorm") != std::string::npos ||
                                            name.find("LayerNorm") != std::string::npos);
      return static_cast<float>(norm ? 1.0 + 0.2 * v : gain * 0.08 * (ends("bias") ? 0.1 : 1.0) * v);
    });
    auto model = fm::LoadedModel::load(dir.path().toStdString(), {});
    QCOMPARE(model->kind(), fm::ModelKind::ImageToText);
    QCOMPARE(model->info().architecture, std::string("BlipForConditionalGeneration"));
    fm::ImageToTextModel& cap = model->imageToText();
    const int64_t start = fx["config"]["text_config"]["bos_token_id"].get<int64_t>();
    QCOMPARE(cap.decoderStartId(), start);
    QCOMPARE(cap.eosIds(), std::vector<int64_t>{fx["config"]["text_config"]["sep_token_id"].get<int64_t>()});
    torch::InferenceMode guard;
    const torch::Tensor states = cap.encodeImages(pixelValues(fx["pixel_values"]));  // (2, 5, 24)
    QCOMPARE(states.size(1), int64_t{5});
    for (int64_t b = 0; b < 2; ++b) {
      const json& c = fx["cases"][static_cast<size_t>(b)];
      std::vector<int64_t> ids = {start};
      for (const auto& t : c["greedy"]) ids.push_back(t.get<int64_t>());
      auto logits = cap.decode(torch::tensor(ids, torch::kLong).view({1, -1}), states.narrow(0, b, 1), nullptr)[0];
      const double diff = (logits - matrix(c["logits"])).abs().max().item<double>();
      QVERIFY2(diff < 1e-4, qPrintable(QString("picture %1: logits differ by %2").arg(b).arg(diff)));
    }
    fm::KVCache cache = cap.makeCache(2, 16);
    torch::Tensor ids = torch::full({2, 1}, start, torch::kLong);
    std::vector<std::vector<int64_t>> got(2);
    for (int step = 0; step < fx["max_new_tokens"].get<int>(); ++step) {
      auto next = cap.decode(ids, step == 0 ? states : torch::Tensor(), &cache).select(1, -1).argmax(-1);
      for (int64_t b = 0; b < 2; ++b) got[static_cast<size_t>(b)].push_back(next[b].item<int64_t>());
      ids = next.view({2, 1});
    }
    for (size_t b = 0; b < 2; ++b) {
      const auto want = fx["cases"][b]["greedy"].get<std::vector<int64_t>>();
      QCOMPARE(std::vector<int64_t>(got[b].begin(), got[b].begin() + static_cast<std::ptrdiff_t>(want.size())), want);
    }
    QVERIFY(got[0] != got[1]);  // the picture decides the caption
    // Other BLIP heads are refused by name.
    json vqa = fx["config"];
    vqa["architectures"] = {"BlipForQuestionAnswering"};
    QVERIFY(thrown<fm::UnsupportedError>([&] { fm::summarizeArch(vqa); }).contains("BlipForConditionalGeneration"));
  }

  // Captions from files: greedy captions are the same for a picture alone or in a batch, beam
  // search finds a caption at least as likely as greedy's when both have the same length, a prompt starts every
  // caption, and sidecars are written, appended, skipped and styled as asked; a folder job
  // started again skips what it finished.
  void captionsAndSidecars() {
    const json fx = fm::test::referenceFixture("tiny_vit_gpt2");
    QTemporaryDir dir, work;
    auto model = loadTinyCaptioner(dir, true);
    const fm::Image img = fm::decodeImageFile(visionFixture("photo.png")).image;
    fm::CaptionOptions greedy;
    greedy.maxNewTokens = 8;
    const auto g = fm::captionImages(*model, {&img, &img}, greedy);
    QCOMPARE(g.size(), size_t{2});
    QCOMPARE(g[0].ids, g[1].ids);
    QVERIFY(!g[0].ids.empty());
    fm::CaptionOptions four = greedy;
    four.beams = 4;
    four.lengthPenalty = 0.0;  // scores are plain log-probability sums
    const auto b4 = fm::captionImages(*model, {&img}, four);
    if (b4[0].ids.size() == g[0].ids.size()) QVERIFY(b4[0].logProb >= g[0].logProb - 1e-6);
    fm::CaptionOptions prompted = greedy;
    prompted.prompt = "hello";
    const auto p = fm::captionImages(*model, {&img}, prompted);
    QVERIFY2(QString::fromStdString(p[0].text).startsWith("hello"), p[0].text.c_str());

    fm::CaptionStyle style;
    style.removeWords = {"THE", "of"};
    style.prefix = "photo, ";
    style.suffix = ", sharp";
    QCOMPARE(QString::fromStdString(fm::styleCaption("the top of the hill , red", style)), QString("photo, top hill, red, sharp"));
    const fs::path root = work.path().toStdString();
    copyPicture("photo.png", root / "a.png");
    copyPicture("photo.jpg", root / "b.jpg");
    copyPicture("truncated.jpg", root / "c.jpg");
    std::ofstream(root / "b.txt") << "an old caption\n";
    fm::CaptionStyle skip;
    skip.mode = fm::SidecarMode::Skip;
    auto r = fm::captionFiles(*model, fm::listImages(root), greedy, skip);
    QCOMPARE(r.written, int64_t{1});
    QCOMPARE(r.skipped, int64_t{1});
    QCOMPARE(r.failed.size(), size_t{1});
    QVERIFY(fs::exists(root / "a.txt"));
    QCOMPARE(fm::readFile(root / "b.txt"), std::string("an old caption\n"));
    r = fm::captionFiles(*model, fm::listImages(root), greedy, skip);  // nothing left to do
    QCOMPARE(r.written + r.appended, int64_t{0});
    QCOMPARE(r.skipped, int64_t{2});
    // Streamed: the caption grows word by word (each text extends the one before), then the
    // sidecar as written, once.
    fm::CaptionStyle append;
    append.mode = fm::SidecarMode::Append;
    std::vector<std::string> growing, done;
    r = fm::captionFiles(*model, {root / "b.jpg"}, greedy, append, {},
                         [&](const fs::path& f, const std::string& text, bool finished) {
                           QCOMPARE(f, root / "b.jpg");
                           (finished ? done : growing).push_back(text);
                         });
    QCOMPARE(r.appended, int64_t{1});
    QVERIFY(QString::fromStdString(fm::readFile(root / "b.txt")).startsWith("an old caption, "));
    QCOMPARE(done, std::vector<std::string>{fm::readSidecar(root / "b.jpg")});
    QVERIFY(!growing.empty());
    for (size_t i = 1; i < growing.size(); ++i)
      QVERIFY2(growing[i].size() > growing[i - 1].size() && growing[i].compare(0, growing[i - 1].size(), growing[i - 1]) == 0,
               (growing[i - 1] + " -> " + growing[i]).c_str());
    QCOMPARE(growing.back(), r.captions[0].second);
    fm::CaptionStyle overwrite;
    overwrite.mode = fm::SidecarMode::Overwrite;
    r = fm::captionFiles(*model, {root / "b.jpg"}, greedy, overwrite);
    QCOMPARE(r.written, int64_t{1});
    QVERIFY(!QString::fromStdString(fm::readFile(root / "b.txt")).startsWith("an old caption"));
    QString m = thrown<fm::ConfigError>([] { fm::sidecarModeOf("sometimes"); });
    QVERIFY2(m.contains("overwrite, append, skip"), qPrintable(m));

    const Run run = fmw({"caption", dir.path(), QString::fromStdString((root / "a.png").string()), "--json", "--beams", "2"});
    QVERIFY2(run.code == 0, run.err.constData());
    const json line = json::parse(run.out.trimmed().toStdString());
    QCOMPARE(line["image"].get<std::string>(), (root / "a.png").string());
    QVERIFY(line.contains("caption"));
  }

  // The commands: one JSON object per picture with the fields the scripts read; unit-length
  // embeddings one per line; a broken picture named with its reason.
  void commandLine() {
    const json fx = fm::test::referenceFixture("tiny_clip");
    QTemporaryDir modelDir;
    writeTinyPreprocessor(modelDir);
    loadTinyClip(fx, modelDir);
    const QString png = QString::fromStdString(visionFixture("photo.png").string());
    const QString gif = QString::fromStdString(visionFixture("anim.gif").string());
    Run r = fmw({"clip", modelDir.path(), "--image", png, "--image", gif, "--labels", "cat, dog ,car", "--json"});
    QVERIFY2(r.code == 0, r.err.constData());
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 2);
    const json first = json::parse(lines[0].toStdString());
    QCOMPARE(first["image"].get<std::string>(), png.toStdString());
    QCOMPARE(first["labels"].get<std::vector<std::string>>(), (std::vector<std::string>{"cat", "dog", "car"}));
    QCOMPARE(first["probabilities"].size(), size_t{3});
    QCOMPARE(first["logits"].size(), size_t{3});

    r = fmw({"image-embed", modelDir.path(), png, gif});
    QVERIFY2(r.code == 0, r.err.constData());
    for (const auto& line : r.out.trimmed().split('\n')) {
      const auto v = json::parse(line.toStdString()).get<std::vector<double>>();
      QCOMPARE(v.size(), size_t{16});
      double n = 0;
      for (double x : v) n += x * x;
      QVERIFY(std::abs(n - 1.0) < 1e-4);
    }

    r = fmw({"clip", modelDir.path(), "--image", QString::fromStdString(visionFixture("truncated.png").string()),
             "--labels", "a,b"});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("truncated.png") && r.err.contains("corrupt or truncated"), r.err.constData());

    r = fmw({"clip", modelDir.path(), "--image", png, "--labels", "a,b", "--template", "no placeholder"});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("{}"), r.err.constData());
    QTemporaryDir ws;
    r = fmw({"image-search", modelDir.path(), "--folder", QString::fromStdString(visionFixture("").string()), "--query",
             "a red circle", "--k", "3", "--json", "--workspace", ws.path()});
    QVERIFY2(r.code == 0, r.err.constData());
    QCOMPARE(r.out.trimmed().split('\n').size(), 3);
    QVERIFY2(r.err.contains("unreadable"), r.err.constData());
  }
};

FM_TEST_MAIN_GUILESS(TestVision)
#include "test_vision.moc"
