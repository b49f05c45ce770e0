#!/usr/bin/env bash
# Installs dependencies, builds, and runs FM Workbench's main job from the command line:
# makes the built-in tiny model (random weights, its own SentencePiece tokenizer), shows what
# it is, and streams a generation from it.
set -euo pipefail
cd "$(dirname "$0")/.."
./packaging/build.sh
model="${FMW_DEMO_MODEL:-build/models/tiny}"
[ -f "$model/model.safetensors" ] || ./build/app/fmw create-model --preset tiny --out "$model"
./build/app/fmw info "$model"
./build/app/fmw generate "$model" --prompt "The teacher reads" --max-new-tokens 40 --seed 1
