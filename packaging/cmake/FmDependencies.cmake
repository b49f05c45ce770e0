# Finds every third-party dependency through CMake packages or pkg-config, so that distro
# packages, Homebrew, vcpkg and official libtorch archives (CUDA, macOS, Windows) all work.
# Point CMAKE_PREFIX_PATH at an unpacked libtorch to use an official build.

find_package(Threads REQUIRED)

# libtorch. Debian ships TorchConfig.cmake in the multiarch lib folder.
if(NOT Torch_DIR)
  foreach(cand /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/cmake/Torch /usr/share/cmake/Torch)
    if(EXISTS ${cand}/TorchConfig.cmake)
      set(Torch_DIR ${cand})
    endif()
  endforeach()
endif()
find_package(Torch REQUIRED)

find_package(nlohmann_json 3.9 REQUIRED)

find_package(PkgConfig REQUIRED)
pkg_check_modules(SENTENCEPIECE REQUIRED IMPORTED_TARGET sentencepiece)
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)
pkg_check_modules(UTF8PROC IMPORTED_TARGET libutf8proc)
if(NOT UTF8PROC_FOUND)
  find_package(utf8proc REQUIRED)  # vcpkg / Homebrew config package
endif()

# Collections (core/rag): document readers, the store and the vector index.
pkg_check_modules(ICU REQUIRED IMPORTED_TARGET icu-uc icu-i18n)
pkg_check_modules(POPPLER_CPP REQUIRED IMPORTED_TARGET poppler-cpp)
pkg_check_modules(TESSERACT REQUIRED IMPORTED_TARGET tesseract)
pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip)
pkg_check_modules(GUMBO REQUIRED IMPORTED_TARGET gumbo)
pkg_check_modules(MD4C REQUIRED IMPORTED_TARGET md4c)
find_package(pugixml REQUIRED)
# libharu writes the generated handbook's PDFs; it ships no pkg-config or CMake package.
find_path(HPDF_INCLUDE_DIR hpdf.h REQUIRED)
find_library(HPDF_LIBRARY NAMES hpdf libhpdf REQUIRED)
find_package(SQLite3 REQUIRED)
# FAISS's CMake config needs OpenMP's targets found first.
find_package(OpenMP REQUIRED)
find_package(faiss REQUIRED)

# Image + Text (core/vision): OpenCV decodes and giflib reads GIF (OpenCV 4.6 has no GIF reader).
find_package(OpenCV REQUIRED COMPONENTS core imgproc imgcodecs)
find_package(GIF REQUIRED)
# Animated WebP's first frame (OpenCV reads still WebP only).
pkg_check_modules(WEBPDEMUX REQUIRED IMPORTED_TARGET libwebpdemux)

if(FM_BUILD_GUI OR FM_BUILD_TESTS)
  find_package(Qt6 REQUIRED COMPONENTS Core Widgets Concurrent Test)
  find_package(Qt6 REQUIRED COMPONENTS Charts LinguistTools)
  # Qt PDF (part of Qt WebEngine's sources) shows a cited PDF page with the passage marked;
  # without it, citations open the document's text instead.
  find_package(Qt6 QUIET COMPONENTS Pdf)
endif()
