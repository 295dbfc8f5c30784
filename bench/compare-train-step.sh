#!/usr/bin/env bash
# Times the compiled train steps (build/bin/ternary-train-bench) and the same
# steps in PyTorch 1.13 (bench/torch_train_step.py, Debian python3-torch) in
# one run, one thread each, and prints the ratio.
#   bench/compare-train-step.sh [build-dir]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-$ROOT/build}
ours=$("$BUILD/bin/ternary-train-bench" --benchmark_min_time=2s \
  --benchmark_format=csv 2>/dev/null |
  awk -F, '/mlp_784_256_256_10/ { print $3 }') # real_time, in ms
torch=$(/usr/bin/python3 "$ROOT/bench/torch_train_step.py" --threads 1 |
  sed -E 's/.* ([0-9.]+) ms\/step/\1/')
echo "mlp_784_256_256_10 batch 64, 1 thread: ternary ${ours} ms/step," \
  "PyTorch ${torch} ms/step, PyTorch / ternary = $(
    awk -v a="$torch" -v b="$ours" 'BEGIN { printf "%.2f", a / b }')"
