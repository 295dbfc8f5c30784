#!/usr/bin/env bash
# The main job: sets up and builds the project (scripts/setup.sh), then
# compiles the example BitLinear module (default: examples/bitlinear.mlir)
# through ternary-opt and prints the result.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${TERNARY_BUILD_DIR:-$ROOT/build}
INPUT=${1:-$ROOT/examples/bitlinear.mlir}

"$ROOT/scripts/setup.sh" >/dev/null

echo "== $INPUT"
cat "$INPUT"
echo
echo "== ternary-opt --canonicalize"
"$BUILD/bin/ternary-opt" --canonicalize "$INPUT"
