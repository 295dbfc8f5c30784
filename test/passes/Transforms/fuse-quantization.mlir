// Tests passes/Transforms/FuseQuantization.cpp (--ternary-fuse-quantization).
// RUN: ternary-opt %s --ternary-fuse-quantization --split-input-file | FileCheck %s

// The decomposed BitLinear: normalisation into the quantisation sweep, the
// rescale (with its bias) into the product.
// CHECK-LABEL: func @decomposed
// CHECK-SAME: (%[[X:.*]]: tensor<4x16xf32>, %[[W:.*]]: !ternary.packed<8x16, i2>, %[[G:.*]]: f32, %[[B:.*]]: tensor<8xf32>)
// CHECK-NEXT: %[[XQ:.*]], %[[A:.*]] = ternary.quantize_activations %[[X]] {norm = #ternary.norm<layer>, q = 127 : i32} : tensor<4x16xf32> -> tensor<4x16xi8>, tensor<4xf32>
// CHECK-NEXT: %[[Y:.*]] = ternary.matmul_rescale %[[XQ]], %[[W]], %[[A]], %[[G]] bias %[[B]] {q = 127 : i32} : tensor<4x16xi8>, !ternary.packed<8x16, i2>, tensor<4xf32>, tensor<8xf32> -> tensor<4x8xf32>
// CHECK-NEXT: return %[[Y]]
func.func @decomposed(%x: tensor<4x16xf32>, %w: !ternary.packed<8x16, i2>, %g: f32, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %xh = ternary.normalize %x : (tensor<4x16xf32>) -> tensor<4x16xf32>
  %xq, %a = ternary.quantize_activations %xh {q = 127 : i32} : tensor<4x16xf32> -> tensor<4x16xi8>, tensor<4xf32>
  %acc = ternary.matmul %xq, %w : tensor<4x16xi8>, !ternary.packed<8x16, i2> -> tensor<4x8xi32>
  %y = ternary.rescale %acc, %a, %g bias %b {q = 127 : i32} : tensor<4x8xi32>, tensor<4xf32>, tensor<8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// gamma and beta move with the normalisation.
// CHECK-LABEL: func @affine
// CHECK: ternary.quantize_activations %{{.*}} affine(%{{.*}}, %{{.*}} : tensor<16xf32>, tensor<16xf32>) {norm = #ternary.norm<layer_affine>}
func.func @affine(%x: tensor<4x16xf32>, %g: tensor<16xf32>) -> tensor<4x16xi8> {
  %xh = ternary.normalize %x affine(%g, %g) {kind = #ternary.norm<layer_affine>} : (tensor<4x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %xq, %a = ternary.quantize_activations %xh : tensor<4x16xf32> -> tensor<4x16xi8>, tensor<4xf32>
  return %xq : tensor<4x16xi8>
}

// -----

// What stays: values with other uses, and different eps.
// CHECK-LABEL: func @leaves
// CHECK: ternary.normalize
// CHECK: ternary.quantize_activations %{{.*}} : tensor<4x16xf32>
// CHECK: ternary.normalize %{{.*}} {eps = 1.000000e-03 : f32}
// CHECK: ternary.quantize_activations %{{.*}} : tensor<4x16xf32>
// CHECK: ternary.matmul
// CHECK: ternary.rescale
func.func @leaves(%x: tensor<4x16xf32>, %w: tensor<8x16xi8>, %g: f32) -> (tensor<4x16xf32>, tensor<4x16xi8>, tensor<4x8xf32>, tensor<4x8xi32>) {
  %xh = ternary.normalize %x : (tensor<4x16xf32>) -> tensor<4x16xf32>
  %xq, %a = ternary.quantize_activations %xh : tensor<4x16xf32> -> tensor<4x16xi8>, tensor<4xf32>
  %xe = ternary.normalize %x {eps = 1.0e-3 : f32} : (tensor<4x16xf32>) -> tensor<4x16xf32>
  %xq2, %a2 = ternary.quantize_activations %xe : tensor<4x16xf32> -> tensor<4x16xi8>, tensor<4xf32>
  %acc = ternary.matmul %xq2, %w : tensor<4x16xi8>, tensor<8x16xi8> -> tensor<4x8xi32>
  %y = ternary.rescale %acc, %a2, %g : tensor<4x8xi32>, tensor<4xf32> -> tensor<4x8xf32>
  return %xh, %xq, %y, %acc : tensor<4x16xf32>, tensor<4x16xi8>, tensor<4x8xf32>, tensor<4x8xi32>
}
