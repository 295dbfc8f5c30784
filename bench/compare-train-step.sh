#!/usr/bin/env bash
# Times the compiled train steps (build/bin/ternary-train-bench) and the same
# steps in PyTorch 1.13 (bench/torch_train_step.py, Debian python3-torch) in
# one run, on 1 and on 2 threads each, and prints the ratios.
#   bench/compare-train-step.sh [build-dir]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-$ROOT/build}
/usr/bin/python3 -c 'import torch' 2>/dev/null || {
  echo "compare-train-step: PyTorch is missing: apt-get install python3-torch" >&2
  exit 1
}
ours=$("$BUILD/bin/ternary-train-bench" --benchmark_min_time=2 \
  --benchmark_format=csv 2>/dev/null | grep '^"trainStep')
for threads in 1 2; do
  torch=$(/usr/bin/python3 "$ROOT/bench/torch_train_step.py" --threads "$threads")
  for model in mlp_784_256_256_10/64 mlp_f32_784_256_256_10/64 char_transformer/16 char_decoder_6x384/8 mnist_cnn/64; do
    # The default code (2: vectorised, tasks on OpenMP threads).
    a=$(echo "$ours" | awk -F, -v m="trainStep/$model/2/$threads" '$1 == "\"" m "\"" { print $3 }')
    b=$(echo "$torch" | awk -v m="$model" '$0 ~ m { print $(NF - 1) }')
    echo "$model, $threads thread(s): ternary $a ms/step, PyTorch $b ms/step," \
      "PyTorch / ternary = $(awk -v a="$b" -v b="$a" 'BEGIN { printf "%.2f", a / b }')"
  done
done
