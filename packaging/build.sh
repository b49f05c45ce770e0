#!/usr/bin/env bash
# Installs dependencies (apt), configures and builds FM Workbench into build/.
# Usage: packaging/build.sh [extra cmake args]
set -euo pipefail
cd "$(dirname "$0")/.."
./packaging/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
# Two compile jobs per ~4 GB keeps torch-heavy translation units from exhausting memory.
jobs=$(nproc 2>/dev/null || echo 2)
cmake --build build --parallel "$jobs"
