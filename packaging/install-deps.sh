#!/usr/bin/env bash
# Installs the build and test dependencies of FM Workbench from the OS package manager.
# Debian 12 / Ubuntu 22.04+: apt. Other systems: see README.md ("Building on macOS and Windows").
set -euo pipefail
# libopenblas0-pthread: libtorch on Debian calls BLAS through libblas.so.3; without an
# optimised provider it falls back to the reference BLAS, about 20x slower.

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps.sh: this script knows apt (Debian/Ubuntu). On macOS and Windows see README.md." >&2
  exit 2
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

PKGS=(
  build-essential cmake ninja-build ccache pkg-config git
  qt6-base-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-charts-dev qt6-pdf-dev libqt6opengl6-dev libgl-dev qt6-translations-l10n
  libtorch-dev libopenblas0-pthread
  libfaiss-dev libopencv-dev libgif-dev libwebp-dev
  libsentencepiece-dev sentencepiece libprotobuf-dev
  libsqlite3-dev nlohmann-json3-dev libpcre2-dev libutf8proc-dev libpoppler-cpp-dev
  libicu-dev libzip-dev libpugixml-dev libgumbo-dev libmd4c-dev libhpdf-dev
  libtesseract-dev libleptonica-dev tesseract-ocr-eng tesseract-ocr-kor
  xvfb xauth fonts-noto-cjk
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps.sh: all dependencies already installed"
  exit 0
fi
echo "install-deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
