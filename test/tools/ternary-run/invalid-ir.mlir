// Invalid IR: the diagnostic at its line, exit status 1, no crash.
// RUN: not ternary-run %s --input=4x16xf32=0 --input=8x32xf32=0 2>&1 | FileCheck %s

func.func @f(%x: tensor<4x16xf32>, %w: tensor<8x32xf32>) -> tensor<4x8xf32> {
  // CHECK: invalid-ir.mlir:[[# @LINE + 1]]:8: error: 'ternary.bitlinear' op input feature size [16] does not match the weight's K [32]
  %y = ternary.bitlinear %x, %w : (tensor<4x16xf32>, tensor<8x32xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
