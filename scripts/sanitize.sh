#!/usr/bin/env bash
# The sanitizer build: the whole project with clang-22, AddressSanitizer and
# UndefinedBehaviorSanitizer (any report fails the run) and libFuzzer
# coverage, in build-sanitize/ (or $TERNARY_SANITIZE_BUILD_DIR). Configures
# and builds it; scripts/test.sh then runs the whole lit suite on it, the
# bounded fuzz runs of test/fuzz included. Needs the packages of
# scripts/setup.sh (clang-22 and libclang-rt-22-dev among them).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${TERNARY_SANITIZE_BUILD_DIR:-$ROOT/build-sanitize}
LLVM_PREFIX=/usr/lib/llvm-22

if [ ! -f "$BUILD/build.ninja" ]; then
  cmake -G Ninja -S "$ROOT" -B "$BUILD" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER="$LLVM_PREFIX/bin/clang" \
    -DCMAKE_CXX_COMPILER="$LLVM_PREFIX/bin/clang++" \
    -DLLVM_USE_SANITIZER="Address;Undefined" \
    -DLLVM_USE_SANITIZE_COVERAGE=ON \
    -DMLIR_DIR="$LLVM_PREFIX/lib/cmake/mlir" \
    -DLLVM_EXTERNAL_LIT="$LLVM_PREFIX/bin/lit"
fi
cmake --build "$BUILD"

# The MNIST files the normal build fetched, if any (tests skip without).
if [ -d "$ROOT/build/data/mnist" ] && [ ! -e "$BUILD/data/mnist" ]; then
  mkdir -p "$BUILD/data"
  ln -s "$ROOT/build/data/mnist" "$BUILD/data/mnist"
fi
