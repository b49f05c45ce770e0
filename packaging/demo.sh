#!/usr/bin/env bash
# Installs dependencies, builds, and opens FM Workbench. On first launch the app makes its
# built-in demo (review datasets and a tiny Llama-style model pretrained from scratch, all
# generated locally) with progress in the Jobs area, then selects it in every panel: press
# Start on the Fine-tune panel to watch a LoRA fine-tune learn.
#
# Without a display (a server, CI, an SSH session) it runs the same demo headless instead:
# `fmw demo` prints accuracy before and after, the loss curve and answers before and after.
set -euo pipefail
cd "$(dirname "$0")/.."
./packaging/build.sh
workspace="${FMW_WORKSPACE:-build/workspace}"
if [[ -n "${DISPLAY:-}" || -n "${WAYLAND_DISPLAY:-}" || "$(uname -s)" == "Darwin" ]]; then
  exec ./build/app/fm-workbench --workspace "$workspace"
fi
echo "No display found: running the headless demo (fmw demo)."
exec ./build/app/fmw demo --workspace "$workspace"
