#!/usr/bin/env bash
# Installs dependencies, builds, and runs FM Workbench's main job from the command line:
# `fmw demo` pretrains a tiny Llama-style model from scratch on built-in text, measures its
# accuracy on a sentiment task, LoRA fine-tunes it, and shows the accuracy, loss curve and
# answers before and after. Everything is generated locally; nothing downloads.
set -euo pipefail
cd "$(dirname "$0")/.."
./packaging/build.sh
workspace="${FMW_WORKSPACE:-build/workspace}"
./build/app/fmw demo --workspace "$workspace"
