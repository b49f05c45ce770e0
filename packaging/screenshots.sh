#!/usr/bin/env bash
# Takes the screenshot matrix: every panel, in English and Korean, light and dark, at 1280x820
# and 1024x700, with the app's own screenshot driver under a real X server.
#   packaging/screenshots.sh [BUILD_DIR] [OUT_DIR] [WORKSPACE]
# The workspace gets the built-in demo on its first use (about a minute); each combination then
# fine-tunes the Quick demo once, so the whole matrix takes about half an hour on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
OUT=${2:-resources/screenshots/matrix}
WS=${3:-${TMPDIR:-/tmp}/fmw-screenshot-workspace}
APP="$BUILD/app/fm-workbench"
[ -x "$APP" ] || { echo "screenshots.sh: build first ($APP is missing)" >&2; exit 2; }

if [ -z "${DISPLAY:-}" ]; then
  command -v Xvfb >/dev/null || { echo "screenshots.sh: needs DISPLAY or Xvfb" >&2; exit 2; }
  Xvfb :97 -screen 0 1600x1000x24 >/dev/null 2>&1 &
  XVFB=$!
  trap 'kill $XVFB' EXIT
  export DISPLAY=:97
  sleep 1
fi

for theme in light dark; do
  for lang in en ko; do
    for size in 1280x820 1024x700; do
      dir="$OUT/$theme-$lang-$size"
      rm -rf "$dir"
      echo "== $dir"
      "$APP" --workspace "$WS" --screenshots "$dir" --window-size "$size" --language "$lang" --theme "$theme" \
        | grep '^wrote\|^could not'
      if command -v pngquant >/dev/null; then
        pngquant --force --skip-if-larger --quality 80-100 --ext .png "$dir"/*.png || true
      fi
    done
  done
done
