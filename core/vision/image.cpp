#include "vision/image.h"

#include <gif_lib.h>
#include <webp/demux.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <mutex>
#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "util/error.h"

namespace fm {
namespace fs = std::filesystem;

namespace {

uint32_t be16(const std::string& b, size_t i) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(b[i])) << 8) | static_cast<uint8_t>(b[i + 1]);
}
uint32_t le16(const std::string& b, size_t i) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(b[i + 1])) << 8) | static_cast<uint8_t>(b[i]);
}
uint32_t be32(const std::string& b, size_t i) { return (be16(b, i) << 16) | be16(b, i + 2); }
uint32_t le32(const std::string& b, size_t i) { return (le16(b, i + 2) << 16) | le16(b, i); }
uint32_t le24(const std::string& b, size_t i) {
  return le16(b, i) | (static_cast<uint32_t>(static_cast<uint8_t>(b[i + 2])) << 16);
}
bool startsWith(const std::string& b, const char* magic, size_t at = 0) {
  const size_t n = std::strlen(magic);
  return b.size() >= at + n && b.compare(at, n, magic) == 0;
}

void jpegSize(const std::string& b, ImageHeader& h) {
  size_t pos = 2;
  while (pos + 4 <= b.size()) {
    if (static_cast<uint8_t>(b[pos]) != 0xFF) return;
    const uint8_t marker = static_cast<uint8_t>(b[pos + 1]);
    if (marker == 0xFF) {  // fill byte
      ++pos;
      continue;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
      pos += 2;
      continue;
    }
    const bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (sof) {
      if (pos + 9 > b.size()) return;
      h.height = be16(b, pos + 5);
      h.width = be16(b, pos + 7);
      return;
    }
    if (marker == 0xDA) return;  // scan data before any frame header: corrupt
    pos += 2 + be16(b, pos + 2);
  }
}

void tiffSize(const std::string& b, ImageHeader& h) {
  const bool little = b[0] == 'I';
  auto u16 = [&](size_t i) { return little ? le16(b, i) : be16(b, i); };
  auto u32 = [&](size_t i) { return little ? le32(b, i) : be32(b, i); };
  const size_t ifd = u32(4);
  if (ifd + 2 > b.size()) return;
  const uint32_t count = u16(ifd);
  for (uint32_t e = 0; e < count; ++e) {
    const size_t at = ifd + 2 + 12 * static_cast<size_t>(e);
    if (at + 12 > b.size()) return;
    const uint32_t tag = u16(at), type = u16(at + 2);
    const uint64_t value = type == 3 ? u16(at + 8) : type == 4 ? u32(at + 8) : 0;
    if (tag == 256) h.width = value;
    if (tag == 257) h.height = value;
  }
}

void webpSize(const std::string& b, ImageHeader& h) {
  if (b.size() < 30) return;
  if (startsWith(b, "VP8 ", 12)) {
    h.width = le16(b, 26) & 0x3FFF;
    h.height = le16(b, 28) & 0x3FFF;
  } else if (startsWith(b, "VP8L", 12)) {
    const uint32_t bits = le32(b, 21);
    h.width = (bits & 0x3FFF) + 1;
    h.height = ((bits >> 14) & 0x3FFF) + 1;
  } else if (startsWith(b, "VP8X", 12)) {
    h.width = le24(b, 24) + 1;
    h.height = le24(b, 27) + 1;
  }
}

// giflib reads from memory through this cursor.
struct GifSource {
  const std::string* bytes;
  size_t pos = 0;
};

int gifRead(GifFileType* gif, GifByteType* out, int n) {
  auto* src = static_cast<GifSource*>(gif->UserData);
  const size_t take = std::min(static_cast<size_t>(std::max(n, 0)), src->bytes->size() - src->pos);
  std::memcpy(out, src->bytes->data() + src->pos, take);
  src->pos += take;
  return static_cast<int>(take);
}

// The first frame, on the GIF's canvas: what Pillow's Image.open(...).convert("RGB") shows.
// Canvas pixels the frame does not cover take the background colour; a transparent index
// keeps its palette colour, as Pillow's conversion to RGB does.
Image decodeGif(const std::string& bytes, const std::string& name) {
  GifSource src{&bytes};
  int err = 0;
  GifFileType* gif = DGifOpen(&src, gifRead, &err);
  if (!gif) throw FormatError(name + ": not a readable GIF (" + GifErrorString(err) + ")");
  struct Closer {
    GifFileType* g;
    ~Closer() {
      int e = 0;
      DGifCloseFile(g, &e);
    }
  } closer{gif};
  auto fail = [&](const char* what) {
    throw FormatError(name + ": " + what + " (" + GifErrorString(gif->Error) + ")");
  };
  Image img;
  img.width = gif->SWidth;
  img.height = gif->SHeight;
  GifRecordType type;
  do {
    if (DGifGetRecordType(gif, &type) == GIF_ERROR) fail("the GIF is corrupt or truncated");
    if (type == EXTENSION_RECORD_TYPE) {
      int code = 0;
      GifByteType* ext = nullptr;
      if (DGifGetExtension(gif, &code, &ext) == GIF_ERROR) fail("the GIF is corrupt or truncated");
      while (ext)
        if (DGifGetExtensionNext(gif, &ext) == GIF_ERROR) fail("the GIF is corrupt or truncated");
    }
  } while (type != IMAGE_DESC_RECORD_TYPE && type != TERMINATE_RECORD_TYPE);
  if (type != IMAGE_DESC_RECORD_TYPE) throw FormatError(name + ": the GIF holds no picture");
  if (DGifGetImageDesc(gif) == GIF_ERROR) fail("the GIF's first frame is corrupt");
  const GifImageDesc& d = gif->Image;
  const ColorMapObject* map = d.ColorMap ? d.ColorMap : gif->SColorMap;
  if (!map) throw FormatError(name + ": the GIF has no colour table");
  if (img.width <= 0 || img.height <= 0) {
    img.width = d.Width;
    img.height = d.Height;
  }
  if (d.Width <= 0 || d.Height <= 0) throw FormatError(name + ": the GIF's first frame is empty");
  std::vector<GifPixelType> raster(static_cast<size_t>(d.Width) * d.Height);
  if (d.Interlace) {
    static const int kStart[] = {0, 4, 2, 1}, kStep[] = {8, 8, 4, 2};
    for (int pass = 0; pass < 4; ++pass)
      for (int y = kStart[pass]; y < d.Height; y += kStep[pass])
        if (DGifGetLine(gif, &raster[static_cast<size_t>(y) * d.Width], d.Width) == GIF_ERROR)
          fail("the GIF is truncated");
  } else {
    for (int y = 0; y < d.Height; ++y)
      if (DGifGetLine(gif, &raster[static_cast<size_t>(y) * d.Width], d.Width) == GIF_ERROR)
        fail("the GIF is truncated");
  }
  auto colour = [&](int index) {
    const GifColorType c = index < map->ColorCount ? map->Colors[index] : GifColorType{0, 0, 0};
    return c;
  };
  const GifColorType bg = gif->SColorMap ? colour(gif->SBackGroundColor) : GifColorType{0, 0, 0};
  img.rgb.resize(static_cast<size_t>(img.width) * img.height * 3);
  for (size_t i = 0; i < img.rgb.size(); i += 3) {
    img.rgb[i] = bg.Red;
    img.rgb[i + 1] = bg.Green;
    img.rgb[i + 2] = bg.Blue;
  }
  for (int y = 0; y < d.Height; ++y) {
    const int cy = d.Top + y;
    if (cy < 0 || cy >= img.height) continue;
    for (int x = 0; x < d.Width; ++x) {
      const int cx = d.Left + x;
      if (cx < 0 || cx >= img.width) continue;
      const GifColorType c = colour(raster[static_cast<size_t>(y) * d.Width + x]);
      uint8_t* p = img.rgb.data() + (static_cast<size_t>(cy) * img.width + cx) * 3;
      p[0] = c.Red;
      p[1] = c.Green;
      p[2] = c.Blue;
    }
  }
  return img;
}

// An animated WebP's first frame on its canvas (OpenCV 4.6 reads still WebP only), as Pillow's
// WebPAnimDecoder-based reader gives it; alpha then dropped like every other picture's.
Image decodeAnimatedWebp(const std::string& bytes, const std::string& name) {
  WebPData data{reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()};
  WebPAnimDecoderOptions options;
  if (!WebPAnimDecoderOptionsInit(&options)) throw FormatError(name + ": the WebP reader could not start");
  options.color_mode = MODE_RGBA;
  options.use_threads = 0;
  WebPAnimDecoder* dec = WebPAnimDecoderNew(&data, &options);
  if (!dec) throw FormatError(name + ": the animated WebP is corrupt or truncated");
  struct Closer {
    WebPAnimDecoder* d;
    ~Closer() { WebPAnimDecoderDelete(d); }
  } closer{dec};
  WebPAnimInfo info;
  uint8_t* rgba = nullptr;
  int timestamp = 0;
  if (!WebPAnimDecoderGetInfo(dec, &info) || !WebPAnimDecoderGetNext(dec, &rgba, &timestamp) || !rgba)
    throw FormatError(name + ": the animated WebP's first frame is corrupt or truncated");
  Image img;
  img.width = static_cast<int>(info.canvas_width);
  img.height = static_cast<int>(info.canvas_height);
  img.rgb.resize(static_cast<size_t>(img.width) * img.height * 3);
  for (size_t i = 0, n = static_cast<size_t>(img.width) * img.height; i < n; ++i)
    std::memcpy(&img.rgb[i * 3], rgba + i * 4, 3);
  return img;
}

std::string sizeText(uint64_t w, uint64_t h) { return std::to_string(w) + " x " + std::to_string(h); }

}  // namespace

ImageHeader readImageHeader(const std::string& b) {
  ImageHeader h;
  if (startsWith(b, "\x89PNG\r\n\x1a\n")) {
    h.format = "PNG";
    if (b.size() >= 24 && startsWith(b, "IHDR", 12)) {
      h.width = be32(b, 16);
      h.height = be32(b, 20);
    }
  } else if (b.size() >= 3 && static_cast<uint8_t>(b[0]) == 0xFF && static_cast<uint8_t>(b[1]) == 0xD8 &&
             static_cast<uint8_t>(b[2]) == 0xFF) {
    h.format = "JPEG";
    jpegSize(b, h);
  } else if (startsWith(b, "GIF87a") || startsWith(b, "GIF89a")) {
    h.format = "GIF";
    if (b.size() >= 10) {
      h.width = le16(b, 6);
      h.height = le16(b, 8);
    }
  } else if (startsWith(b, "BM") && b.size() >= 26) {
    h.format = "BMP";
    if (le32(b, 14) == 12) {
      h.width = le16(b, 18);
      h.height = le16(b, 20);
    } else {
      h.width = static_cast<uint32_t>(std::abs(static_cast<int32_t>(le32(b, 18))));
      h.height = static_cast<uint32_t>(std::abs(static_cast<int32_t>(le32(b, 22))));
    }
  } else if (b.size() >= 8 && (b.compare(0, 4, std::string("II*\0", 4)) == 0 ||
                                b.compare(0, 4, std::string("MM\0*", 4)) == 0)) {
    h.format = "TIFF";
    tiffSize(b, h);
  } else if (startsWith(b, "RIFF") && startsWith(b, "WEBP", 8)) {
    h.format = "WebP";
    webpSize(b, h);
  }
  return h;
}

DecodedImage decodeImageBytes(const std::string& bytes, const std::string& name, const DecodeLimits& limits) {
  static std::once_flag quiet;
  std::call_once(quiet, [] { cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR); });
  if (bytes.empty()) throw FormatError(name + ": the file is empty");
  if (bytes.size() > limits.maxFileBytes)
    throw FormatError(name + ": the file is " + std::to_string(bytes.size() >> 20) + " MiB, more than the " +
                      std::to_string(limits.maxFileBytes >> 20) + " MiB an image may have");
  const ImageHeader header = readImageHeader(bytes);
  if (header.format.empty())
    throw FormatError(name + ": not a picture this product reads (JPEG, PNG, WebP, BMP, TIFF or GIF)");
  if (header.width == 0 || header.height == 0)
    throw FormatError(name + ": the " + header.format + " header is truncated or gives no size");
  if (header.width * header.height > limits.maxPixels)
    throw FormatError(name + ": the " + header.format + " header says the picture is " +
                      sizeText(header.width, header.height) + " pixels, more than the limit of " +
                      std::to_string(limits.maxPixels) + " pixels (a damaged or hostile file)");
  DecodedImage out;
  out.format = header.format;
  if (header.format == "GIF") {
    out.image = decodeGif(bytes, name);
    return out;
  }
  // VP8X with the animation flag (bit 1 of the flags byte).
  if (header.format == "WebP" && bytes.size() > 20 && startsWith(bytes, "VP8X", 12) && (bytes[20] & 0x02)) {
    out.image = decodeAnimatedWebp(bytes, name);
    return out;
  }
  if (header.format == "JPEG") {
    // libjpeg fills a truncated scan with grey and only warns; Pillow refuses such a file
    // ("image file is truncated"), and so does this: the scan must end with its EOI marker.
    const size_t sos = bytes.find("\xFF\xDA");
    const size_t eoi = bytes.rfind("\xFF\xD9");
    if (sos == std::string::npos || eoi == std::string::npos || eoi < sos)
      throw FormatError(name + ": the JPEG data is truncated (it ends before the end-of-image marker)");
  }
  cv::Mat bgr;
  try {
    const cv::Mat buf(1, static_cast<int>(bytes.size()), CV_8U, const_cast<char*>(bytes.data()));
    // IMREAD_COLOR: 8-bit, three channels, EXIF orientation applied, alpha dropped.
    bgr = cv::imdecode(buf, cv::IMREAD_COLOR);
  } catch (const cv::Exception& e) {
    throw FormatError(name + ": the " + header.format + " data could not be decoded (" + e.msg + ")");
  }
  if (bgr.empty() || bgr.channels() != 3 || bgr.depth() != CV_8U)
    throw FormatError(name + ": the " + header.format + " data is corrupt or truncated");
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  out.image.width = rgb.cols;
  out.image.height = rgb.rows;
  out.image.rgb.resize(static_cast<size_t>(rgb.cols) * rgb.rows * 3);
  for (int y = 0; y < rgb.rows; ++y)
    std::memcpy(out.image.rgb.data() + static_cast<size_t>(y) * rgb.cols * 3, rgb.ptr(y),
                static_cast<size_t>(rgb.cols) * 3);
  return out;
}

DecodedImage decodeImageFile(const fs::path& path, const DecodeLimits& limits) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) throw IoError(path.string() + ": cannot read the file (" + ec.message() + ")");
  if (size > limits.maxFileBytes)
    throw FormatError(path.string() + ": the file is " + std::to_string(size >> 20) + " MiB, more than the " +
                      std::to_string(limits.maxFileBytes >> 20) + " MiB an image may have");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(path.string() + ": cannot open the file");
  std::string bytes(static_cast<size_t>(size), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  if (static_cast<uint64_t>(in.gcount()) != size) throw IoError(path.string() + ": the file could not be read whole");
  return decodeImageBytes(bytes, path.string(), limits);
}

bool isImageFileName(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  static const char* kExts[] = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".gif"};
  return std::any_of(std::begin(kExts), std::end(kExts), [&](const char* e) { return ext == e; });
}

std::vector<fs::path> listImages(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw IoError(dir.string() + ": not a folder");
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
       !ec && it != end; it.increment(ec)) {
    const std::string leaf = it->path().filename().string();
    if (!leaf.empty() && leaf[0] == '.') {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && isImageFileName(it->path())) out.push_back(it->path());
  }
  if (ec) throw IoError(dir.string() + ": cannot list the folder (" + ec.message() + ")");
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace fm
