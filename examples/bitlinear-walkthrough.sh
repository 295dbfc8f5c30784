#!/usr/bin/env bash
# A walk through the compiler: sets up and builds the project (scripts/setup.sh), then
# compiles the example BitLinear module (default examples/bitlinear.mlir)
# and shows each stage: the ternary-level IR after decomposition, packing
# and fusion; a run on small inputs; an object file and its C header.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${TERNARY_BUILD_DIR:-$ROOT/build}
INPUT=${1:-$ROOT/examples/bitlinear.mlir}
BIN=$BUILD/bin

"$ROOT/scripts/setup.sh" >/dev/null

echo "== $INPUT"
cat "$INPUT"
echo
echo "== ternary-opt --ternary-decompose --canonicalize --ternary-fuse-quantization"
"$BIN/ternary-opt" "$INPUT" --ternary-decompose --canonicalize \
  --ternary-fuse-quantization
echo
echo "== ternary-run (2 tokens, K = 4, N = 3; JIT for this CPU)"
"$BIN/ternary-run" "$INPUT" \
  --input=2x4xf32=0.5,-1,2,0.25,1,1,-3,0 \
  --input=3x4xf32=0.3,-0.1,0.8,0,-0.6,0.2,0,0.9,0.05,-0.7,0.4,-0.2 \
  --input=3xf32=0.1,0,-0.2
echo
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
echo "== ternary-compile -> object file and C header"
"$BIN/ternary-compile" "$INPUT" -o "$OUT/model.o" --header="$OUT/model.h"
nm "$OUT/model.o" | grep " T "
grep "_mlir_ciface_" "$OUT/model.h"
