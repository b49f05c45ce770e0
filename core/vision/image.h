// Reading pictures: JPEG, PNG, WebP, BMP, TIFF (OpenCV) and GIF's first frame (giflib), as the
// 8-bit RGB image a Hugging Face processor starts from: EXIF orientation applied, alpha dropped
// (never composited), gray and palette images expanded, 16 bits reduced to their high byte.
//
//   fm::DecodedImage d = fm::decodeImageFile("cat.jpg");   // throws fm::FormatError
//   d.image.at(y, x)[0]                                    // red of pixel (x, y)
//
// The size is read from the file's header before any pixel is decoded, so a file that claims
// billions of pixels is refused without allocating them. A truncated or corrupt file is an
// error that names the file and what is wrong, never a half-grey picture.
//
// Thread safety: plain functions; decode from any number of threads at once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace fm {

struct Image {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;  // height * width * 3, row-major, R G B
  const uint8_t* at(int y, int x) const { return rgb.data() + (static_cast<size_t>(y) * width + x) * 3; }
  bool empty() const { return width <= 0 || height <= 0; }
};

struct DecodedImage {
  Image image;
  std::string format;  // "JPEG", "PNG", "WebP", "BMP", "TIFF", "GIF"
};

struct DecodeLimits {
  // Pillow refuses images above twice its MAX_IMAGE_PIXELS (89,478,485) as decompression bombs;
  // the same bound here.
  uint64_t maxPixels = 178956970;
  uint64_t maxFileBytes = 1ull << 30;
};

// Throws IoError when the file cannot be read, FormatError (naming the file) when it is not a
// picture this reads, is empty, truncated, corrupt or larger than the limits.
DecodedImage decodeImageFile(const std::filesystem::path& path, const DecodeLimits& limits = {});
// The same for bytes in memory; `name` is what messages call them.
DecodedImage decodeImageBytes(const std::string& bytes, const std::string& name, const DecodeLimits& limits = {});

// The format the first bytes say ("" when none this reads), and the size its header claims
// (0 x 0 when the header is too short to say).
struct ImageHeader {
  std::string format;
  uint64_t width = 0, height = 0;
};
ImageHeader readImageHeader(const std::string& bytes);

// Pillow's resampling filters, numbered as PIL.Image.Resampling.
enum class Resample { Nearest = 0, Lanczos = 1, Bilinear = 2, Bicubic = 3, Box = 4, Hamming = 5 };
const char* resampleName(Resample r);
// Pillow's Image.resize on 8-bit RGB, to the byte: its filters, its two passes with an 8-bit
// picture between them, its fixed-point rounding (vision/preprocess.cpp).
Image resizeImage(const Image& image, int height, int width, Resample filter);
// A picture scaled down (never up) so that its longer side is at most `maxSide`, for display.
Image thumbnailOf(const Image& image, int maxSide);

// By extension: .jpg .jpeg .png .webp .bmp .tif .tiff .gif (any case).
bool isImageFileName(const std::filesystem::path& path);
// Every picture under `dir` (recursively), sorted by path: what folder jobs walk.
std::vector<std::filesystem::path> listImages(const std::filesystem::path& dir);

}  // namespace fm
