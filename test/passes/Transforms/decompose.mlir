// Tests passes/Transforms/Decompose.cpp (--ternary-decompose).
// RUN: ternary-opt %s --ternary-decompose --split-input-file | FileCheck %s
// RUN: ternary-opt %s --ternary-decompose --cse --split-input-file | FileCheck %s --check-prefix=CSE

// The authors' defaults: LayerNorm, absmedian, Q = 128, bias.
// CHECK-LABEL: func @defaults
// CHECK-SAME: (%[[X:.*]]: tensor<4x16xf32>, %[[W:.*]]: tensor<8x16xf32>, %[[B:.*]]: tensor<8xf32>)
// CHECK-NEXT: %[[XH:.*]] = ternary.normalize %[[X]] : (tensor<4x16xf32>) -> tensor<4x16xf32>
// CHECK-NEXT: %[[XQ:.*]], %[[A:.*]] = ternary.quantize_activations %[[XH]] : tensor<4x16xf32> -> tensor<4x16xi8>, tensor<4xf32>
// CHECK-NEXT: %[[G:.*]] = ternary.weight_scale %[[W]] : tensor<8x16xf32>
// CHECK-NEXT: %[[WQ:.*]] = ternary.quantize_weights %[[W]], %[[G]] : tensor<8x16xf32> -> tensor<8x16xi8>
// CHECK-NEXT: %[[ACC:.*]] = ternary.matmul %[[XQ]], %[[WQ]] : tensor<4x16xi8>, tensor<8x16xi8> -> tensor<4x8xi32>
// CHECK-NEXT: %[[Y:.*]] = ternary.rescale %[[ACC]], %[[A]], %[[G]] bias %[[B]] : tensor<4x8xi32>, tensor<4xf32>, tensor<8xf32> -> tensor<4x8xf32>
// CHECK-NEXT: return %[[Y]]
func.func @defaults(%x: tensor<4x16xf32>, %w: tensor<8x16xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %y = ternary.bitlinear %x, %w bias %b : (tensor<4x16xf32>, tensor<8x16xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// Every attribute is carried to the step that uses it; norm = none has no
// normalize step; rank-3 inputs keep their leading dimensions.
// CHECK-LABEL: func @attributes
// CHECK-NOT: ternary.normalize
// CHECK: ternary.quantize_activations %{{.*}} {bits = 4 : i32, eps = 1.000000e-03 : f32, q = 7 : i32} : tensor<2x3x16xf32> -> tensor<2x3x16xi8>, tensor<2x3xf32>
// CHECK: ternary.weight_scale %{{.*}} {eps = 1.000000e-03 : f32, method = #ternary.scale<absmean>} : tensor<8x16xf32>
// CHECK: ternary.matmul %{{.*}}, %{{.*}} : tensor<2x3x16xi8>, tensor<8x16xi8> -> tensor<2x3x8xi32>
// CHECK: ternary.rescale %{{.*}}, %{{.*}}, %{{.*}} {q = 7 : i32} : tensor<2x3x8xi32>, tensor<2x3xf32> -> tensor<2x3x8xf32>
func.func @attributes(%x: tensor<2x3x16xf32>, %w: tensor<8x16xf32>) -> tensor<2x3x8xf32> {
  %y = ternary.bitlinear %x, %w {act_bits = 4 : i32, q = 7 : i32, eps = 1.0e-3 : f32, norm = #ternary.norm<none>, scale = #ternary.scale<absmean>} : (tensor<2x3x16xf32>, tensor<8x16xf32>) -> tensor<2x3x8xf32>
  return %y : tensor<2x3x8xf32>
}

// -----

// CHECK-LABEL: func @affine_rms
// CHECK: ternary.normalize %{{.*}} affine(%{{.*}}, %{{.*}}) {kind = #ternary.norm<layer_affine>} : (tensor<?x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
// CHECK: ternary.normalize %{{.*}} {kind = #ternary.norm<rms>} : (tensor<?x16xf32>) -> tensor<?x16xf32>
func.func @affine_rms(%x: tensor<?x16xf32>, %w: tensor<8x16xf32>, %g: tensor<16xf32>) -> (tensor<?x8xf32>, tensor<?x8xf32>) {
  %y = ternary.bitlinear %x, %w affine(%g, %g) {norm = #ternary.norm<layer_affine>} : (tensor<?x16xf32>, tensor<8x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x8xf32>
  %z = ternary.bitlinear %x, %w {norm = #ternary.norm<rms>} : (tensor<?x16xf32>, tensor<8x16xf32>) -> tensor<?x8xf32>
  return %y, %z : tensor<?x8xf32>, tensor<?x8xf32>
}

// -----

// What the pass leaves alone: the primitives and other dialects.
// CHECK-LABEL: func @leaves_primitives
// CHECK-NEXT: ternary.weight_scale
// CHECK-NEXT: arith.addf
func.func @leaves_primitives(%w: tensor<8x16xf32>, %a: f32) -> f32 {
  %g = ternary.weight_scale %w : tensor<8x16xf32>
  %s = arith.addf %g, %a : f32
  return %s : f32
}

// -----

// A training-time layer (lambda < 1, quantisation warm-up) has no integer
// form: it is left for --convert-ternary-to-linalg, which lowers it in f32.
// CHECK-LABEL: func @warmup
// CHECK-NEXT: ternary.bitlinear %{{.*}}, %{{.*}} {lambda = 5.000000e-01 : f32}
// CHECK-NOT: ternary.matmul
func.func @warmup(%x: tensor<4x16xf32>, %w: tensor<8x16xf32>) -> tensor<4x8xf32> {
  %y = ternary.bitlinear %x, %w {lambda = 0.5 : f32} : (tensor<4x16xf32>, tensor<8x16xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// -----

// The backward pass gets its weight scale as an operand: the same op as the
// forward layer's (same weight, method and eps), which CSE merges with it;
// a gradient that has its scale keeps it.
// CHECK-LABEL: func @grad_shares_scale
// CHECK-SAME: (%[[X:.*]]: tensor<4x16xf32>, %[[W:.*]]: tensor<8x16xf32>, %[[DY:.*]]: tensor<4x8xf32>, %[[G:.*]]: f32)
// CHECK: %[[FWD:.*]] = ternary.weight_scale %[[W]] {eps = 9.99999974E-5 : f32, method = #ternary.scale<absmean>}
// CHECK: ternary.matmul
// CHECK: %[[BWD:.*]] = ternary.weight_scale %[[W]] {eps = 9.99999974E-5 : f32, method = #ternary.scale<absmean>}
// CHECK: ternary.bitlinear_grad %[[X]], %[[W]], %[[DY]] weight_scale(%[[BWD]]) {eps = 9.99999974E-5 : f32, scale = #ternary.scale<absmean>}
// CHECK: ternary.bitlinear_grad %[[X]], %[[W]], %[[DY]] weight_scale(%[[G]])
// CSE-LABEL: func @grad_shares_scale
// CSE-COUNT-1: ternary.weight_scale
// CSE-NOT: ternary.weight_scale
func.func @grad_shares_scale(%x: tensor<4x16xf32>, %w: tensor<8x16xf32>, %dy: tensor<4x8xf32>, %g: f32)
    -> (tensor<4x8xf32>, tensor<8x16xf32>, tensor<8x16xf32>) {
  %y = ternary.bitlinear %x, %w {eps = 1.0e-4 : f32, scale = #ternary.scale<absmean>} : (tensor<4x16xf32>, tensor<8x16xf32>) -> tensor<4x8xf32>
  %dx, %dw, %db = ternary.bitlinear_grad %x, %w, %dy {eps = 1.0e-4 : f32, scale = #ternary.scale<absmean>} : (tensor<4x16xf32>, tensor<8x16xf32>, tensor<4x8xf32>) -> (tensor<4x16xf32>, tensor<8x16xf32>, tensor<8xf32>)
  %dx2, %dw2, %db2 = ternary.bitlinear_grad %x, %w, %dy weight_scale(%g) : (tensor<4x16xf32>, tensor<8x16xf32>, tensor<4x8xf32>, f32) -> (tensor<4x16xf32>, tensor<8x16xf32>, tensor<8xf32>)
  return %y, %dw, %dw2 : tensor<4x8xf32>, tensor<8x16xf32>, tensor<8x16xf32>
}
