// Tests passes/Conversion/TernaryToLinalg/ConvertTernaryToLinalg.cpp: the pass itself: what it leaves alone, linalg.softmax,
// the runtime annotations
// (part of --convert-ternary-to-linalg).
// RUN: ternary-opt %s --convert-ternary-to-linalg --canonicalize --cse --split-input-file | FileCheck %s

// What the pass leaves alone: upstream ops.
// CHECK-LABEL: func @leaves_upstream
// CHECK-NEXT: arith.addf
// CHECK-NEXT: return
func.func @leaves_upstream(%a: f32) -> f32 {
  %b = arith.addf %a, %a : f32
  return %b : f32
}

// -----

// linalg.softmax is decomposed into its generics (max, exp, sum, divide),
// and the training runtime's argument annotations are dropped.
// CHECK-LABEL: func @softmax_and_annotations
// CHECK-SAME: (%[[X:.*]]: tensor<4x10xf32>) -> tensor<4x10xf32> {
// CHECK-NOT: linalg.softmax
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]} ins(%[[X]] : tensor<4x10xf32>)
// CHECK: arith.maxnumf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: arith.divf
// CHECK-NOT: linalg.softmax
// CHECK: return
func.func @softmax_and_annotations(%x: tensor<4x10xf32> {ternary.name = "x", ternary.seed}) -> tensor<4x10xf32> {
  %e = tensor.empty() : tensor<4x10xf32>
  %s = linalg.softmax dimension(1) ins(%x : tensor<4x10xf32>) outs(%e : tensor<4x10xf32>) -> tensor<4x10xf32>
  return %s : tensor<4x10xf32>
}
