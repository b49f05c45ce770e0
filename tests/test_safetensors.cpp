// safetensors: what we write reads back bit-exactly, and every malformed file is refused with
// its own message instead of being trusted (or crashing with SIGBUS).
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <fstream>

#include "io/atomic_file.h"
#include "io/safetensors.h"
#include "util/error.h"

namespace fs = std::filesystem;

class TestSafetensors : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir m_dir;

  fs::path path(const char* name) const { return fs::path(m_dir.path().toStdString()) / name; }

  // A file with the given header JSON and `dataBytes` bytes of data after it.
  fs::path rawFile(const char* name, const std::string& header, size_t dataBytes,
                   uint64_t lengthOverride = 0) {
    std::string bytes(8, '\0');
    const uint64_t n = lengthOverride ? lengthOverride : header.size();
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((n >> (8 * i)) & 0xff);
    bytes += header;
    bytes += std::string(dataBytes, '\x01');
    fm::writeFileAtomic(path(name), bytes);
    return path(name);
  }

  static QString openError(const fs::path& p) {
    try {
      fm::SafetensorsFile::open(p);
    } catch (const fm::FormatError& e) {
      return QString::fromStdString(e.what());
    }
    return {};
  }

 private Q_SLOTS:
  void roundTripAllDtypes() {
    std::vector<float> f32 = {1.5f, -2.25f, 3.0f, 1e-8f, -0.0f, 65504.f};
    std::vector<uint16_t> f16 = {0x3c00, 0xc000, 0x7bff};
    std::vector<uint16_t> bf16 = {0x3f80, 0x4049, 0xbf80, 0x0001};
    std::vector<int64_t> i64 = {-1, 1ll << 40, 7};
    std::vector<int32_t> i32 = {-5, 123456};
    std::vector<uint8_t> u8 = {0, 255, 17};
    std::vector<uint8_t> b = {1, 0, 1, 1};
    std::vector<fm::TensorView> views = {
        {"w.f32", fm::DType::F32, {2, 3}, f32.data()},   {"w.f16", fm::DType::F16, {3}, f16.data()},
        {"w.bf16", fm::DType::BF16, {2, 2}, bf16.data()}, {"w.i64", fm::DType::I64, {3}, i64.data()},
        {"w.i32", fm::DType::I32, {2}, i32.data()},       {"w.u8", fm::DType::U8, {3, 1}, u8.data()},
        {"w.bool", fm::DType::BOOL, {4}, b.data()},       {"empty", fm::DType::F32, {0, 4}, nullptr}};
    fm::writeSafetensors(path("rt.safetensors"), views, {{"format", "pt"}, {"note", "hello"}});
    auto f = fm::SafetensorsFile::open(path("rt.safetensors"));
    QCOMPARE(f.tensors().size(), views.size());
    QCOMPARE(f.metadata().at("note"), std::string("hello"));
    for (const auto& v : views) {
      const fm::TensorInfo* t = f.find(v.name);
      QVERIFY2(t, v.name.c_str());
      QCOMPARE(t->dtype, v.dtype);
      QCOMPARE(t->shape, v.shape);
      const size_t bytes = static_cast<size_t>(t->numel()) * fm::dtypeSize(t->dtype);
      QCOMPARE(static_cast<size_t>(t->end - t->begin), bytes);
      if (bytes) QVERIFY(std::memcmp(f.data(*t), v.data, bytes) == 0);
    }
    QVERIFY(f.find("missing") == nullptr);
  }

  void malformed_data() {
    QTest::addColumn<QString>("header");
    QTest::addColumn<int>("dataBytes");
    QTest::addColumn<qulonglong>("lengthOverride");
    QTest::addColumn<QString>("expected");
    const QString a = R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";
    QTest::newRow("header length larger than file")
        << QString("{%1}").arg(a) << 8 << qulonglong(5000) << "larger than the file";
    QTest::newRow("header over 100 MB")
        << QString("{%1}").arg(a) << 8 << qulonglong(150ull * 1000 * 1000) << "exceeds the 100 MB limit";
    QTest::newRow("header not an object") << "[1,2,3]" << 0 << qulonglong(0) << "not a JSON object";
    QTest::newRow("invalid JSON") << R"({"a":)" << 0 << qulonglong(0) << "header JSON is invalid";
    QTest::newRow("overlapping offsets")
        << QString(R"({%1,"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})").arg(a) << 12
        << qulonglong(0) << "overlap";
    QTest::newRow("offsets out of bounds")
        << QString(R"({%1,"b":{"dtype":"F32","shape":[2],"data_offsets":[64,72]}})").arg(a) << 8
        << qulonglong(0) << "beyond the end of the data";
    QTest::newRow("gap between tensors")
        << QString(R"({%1,"b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}})").arg(a) << 20
        << qulonglong(0) << "gap of 4 bytes";
    QTest::newRow("dtype x shape mismatch")
        << R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})" << 8 << qulonglong(0)
        << "needs 12 bytes but data_offsets span 8";
    QTest::newRow("truncated data")
        << QString(R"({%1,"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})").arg(a) << 11
        << qulonglong(0) << "truncated";
    QTest::newRow("trailing bytes") << QString("{%1}").arg(a) << 12 << qulonglong(0)
                                    << "unexpected bytes after the last tensor";
    QTest::newRow("unknown dtype")
        << R"({"a":{"dtype":"F8_Q","shape":[2],"data_offsets":[0,2]}})" << 2 << qulonglong(0)
        << "unsupported dtype";
    // 4 * 2^32 * 2^32 * 2^32 * 2^32 bytes is 2^130: a 128-bit product wraps to 0 and would
    // match an empty span.
    QTest::newRow("element count overflows")
        << R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296,4294967296],"data_offsets":[0,0]}})" << 0
        << qulonglong(0) << "too large";
    QTest::newRow("negative dimension")
        << R"({"a":{"dtype":"U8","shape":[-2],"data_offsets":[0,2]}})" << 2 << qulonglong(0)
        << "invalid dimension";
  }

  void malformed() {
    QFETCH(QString, header);
    QFETCH(int, dataBytes);
    QFETCH(qulonglong, lengthOverride);
    QFETCH(QString, expected);
    auto p = rawFile("bad.safetensors", header.toStdString(), static_cast<size_t>(dataBytes), lengthOverride);
    const QString msg = openError(p);
    QVERIFY2(msg.contains(expected), qPrintable("message was: " + msg));
    QVERIFY2(msg.contains("bad.safetensors"), qPrintable("message should name the file: " + msg));
  }

  void gitLfsPointer() {
    fm::writeFileAtomic(path("lfs.safetensors"),
                        "version https://git-lfs.github.com/spec/v1\n"
                        "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
                        "size 2200119864\n");
    const QString msg = openError(path("lfs.safetensors"));
    QVERIFY2(msg.contains("Git LFS pointer") && msg.contains("git lfs pull"), qPrintable(msg));
  }

  void tooSmall() {
    fm::writeFileAtomic(path("small.safetensors"), "abc");
    QVERIFY(openError(path("small.safetensors")).contains("too small"));
  }

  // A file cut short on disk is refused up front; reading it never touches unmapped pages.
  void truncatedRealFile() {
    std::vector<float> big(4096, 1.0f);
    fm::writeSafetensors(path("full.safetensors"), {{"x", fm::DType::F32, {4096}, big.data()}});
    std::string bytes = fm::readFile(path("full.safetensors"));
    fm::writeFileAtomic(path("cut.safetensors"), bytes.substr(0, bytes.size() - 5000));
    QVERIFY(openError(path("cut.safetensors")).contains("truncated"));
  }

  void missingFileIsIoError() {
    QVERIFY_THROWS_EXCEPTION(fm::IoError, fm::SafetensorsFile::open(path("nope.safetensors")));
  }

  // A failed write leaves the previous file intact.
  void atomicWriteKeepsOldFileOnFailure() {
    fm::writeFileAtomic(path("keep.txt"), "old");
    {
      fm::AtomicFile f(path("keep.txt"));
      f.write("new, never committed");
    }
    QCOMPARE(fm::readFile(path("keep.txt")), std::string("old"));
    for (const auto& e : fs::directory_iterator(m_dir.path().toStdString()))
      QVERIFY2(e.path().filename().string().find(".tmp-") == std::string::npos, "temp file left behind");
  }
};

QTEST_APPLESS_MAIN(TestSafetensors)
#include "test_safetensors.moc"
