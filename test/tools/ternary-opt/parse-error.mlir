// A syntax error is reported at its position; no crash.
// RUN: not ternary-opt %s 2>&1 | FileCheck %s

func.func @f(%p: !ternary.packed<8x16, i2>) {
  // CHECK: parse-error.mlir:[[# @LINE + 1]]:{{[0-9]+}}: error: unknown packed encoding 'i4', expected 'i2' or 'base3'
  %w = ternary.unpack %p : !ternary.packed<8x16, i4> -> tensor<8x16xi8>
  return
}
