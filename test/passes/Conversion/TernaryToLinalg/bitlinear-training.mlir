// Tests passes/Conversion/TernaryToLinalg/BitLinearTraining.cpp: the
// training-time forms of BitLinear (part of --convert-ternary-to-linalg).
// RUN: ternary-opt %s --convert-ternary-to-linalg --canonicalize | FileCheck %s --implicit-check-not=ternary.

// CHECK-DAG: #[[RJ:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[JI:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[RI:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>

// BitLinearGradLowering. The STE gradient recomputes the forward's
// quantities with the forward's ops, then: dbias over rows; dW and the
// input-gradient product as plain f32 contractions (operands made f32
// first: dy times the row factor a / Q, the quantised values exactly), so
// that the f32 contraction kernel takes them.
// CHECK-LABEL: func.func @bitlinear_grad(
// CHECK-SAME: %{{[^:]*}}: tensor<?x16xf32>, %{{[^:]*}}: tensor<8x16xf32>, %[[DY:[^:]*]]: tensor<?x8xf32>)
// CHECK: %[[XQ:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<?x16xi8>)
// CHECK: %[[WQ:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<8x16xi8>)
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "parallel"]{{.*}} outs(%{{.*}} : tensor<8xf32>)
// CHECK: %[[DYS:.*]] = linalg.generic {{.*}} ins(%[[DY]], %{{.*}} : tensor<?x8xf32>, tensor<?xf32>) outs(%{{.*}} : tensor<?x8xf32>)
// CHECK: %[[XF:.*]] = linalg.generic {{.*}} ins(%[[XQ]] : tensor<?x16xi8>) outs(%{{.*}} : tensor<?x16xf32>)
// CHECK-NEXT: ^bb0(%[[V:.*]]: i8, %{{.*}}: f32):
// CHECK-NEXT: arith.sitofp %[[V]] : i8 to f32
// CHECK: linalg.generic {indexing_maps = [#[[RJ]], #[[RI]], #[[JI]]], iterator_types = ["reduction", "parallel", "parallel"]} ins(%[[DYS]], %[[XF]] : tensor<?x8xf32>, tensor<?x16xf32>) outs(%{{.*}} : tensor<8x16xf32>)
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT: %[[T:.*]] = arith.mulf %[[A]], %[[B]] : f32
// CHECK-NEXT: arith.addf %[[ACC]], %[[T]] : f32
// CHECK: %[[WF:.*]] = linalg.generic {{.*}} ins(%[[WQ]] : tensor<8x16xi8>) outs(%{{.*}} : tensor<8x16xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[RJ]], #[[JI]], #[[RI]]], iterator_types = ["parallel", "reduction", "parallel"]} ins(%[[DY]], %[[WF]] : tensor<?x8xf32>, tensor<8x16xf32>)
func.func @bitlinear_grad(%x: tensor<?x16xf32>, %w: tensor<8x16xf32>, %dy: tensor<?x8xf32>) -> (tensor<?x16xf32>, tensor<8x16xf32>, tensor<8xf32>) {
  %dx, %dw, %db = ternary.bitlinear_grad %x, %w, %dy {norm = #ternary.norm<none>} : (tensor<?x16xf32>, tensor<8x16xf32>, tensor<?x8xf32>) -> (tensor<?x16xf32>, tensor<8x16xf32>, tensor<8xf32>)
  return %dx, %dw, %db : tensor<?x16xf32>, tensor<8x16xf32>, tensor<8xf32>
}

// With the forward's weight scale as an operand, the scale is not computed
// again: no selection loop, and the weights are quantised with %g.
// CHECK-LABEL: func.func @bitlinear_grad_given_scale(
// CHECK-SAME: %{{[^:]*}}: tensor<?x16xf32>, %[[W:[^:]*]]: tensor<8x16xf32>, %{{[^:]*}}: tensor<?x8xf32>, %[[G:[^:]*]]: f32)
// CHECK-NOT: scf.for
// CHECK: linalg.generic {{.*}} ins(%[[W]] : tensor<8x16xf32>) outs(%{{.*}} : tensor<8x16xi8>)
// CHECK: arith.divf %{{.*}}, %[[G]] : f32
// CHECK-NOT: scf.for
// CHECK: return
func.func @bitlinear_grad_given_scale(%x: tensor<?x16xf32>, %w: tensor<8x16xf32>, %dy: tensor<?x8xf32>, %g: f32) -> (tensor<?x16xf32>, tensor<8x16xf32>, tensor<8xf32>) {
  %dx, %dw, %db = ternary.bitlinear_grad %x, %w, %dy weight_scale(%g) {norm = #ternary.norm<none>} : (tensor<?x16xf32>, tensor<8x16xf32>, tensor<?x8xf32>, f32) -> (tensor<?x16xf32>, tensor<8x16xf32>, tensor<8xf32>)
  return %dx, %dw, %db : tensor<?x16xf32>, tensor<8x16xf32>, tensor<8xf32>
}

// BitLinearWarmupLowering. A warm-up layer (run-time lambda): both operands
// blended as v + lambda (q - v), their product summed in f64, then the
// rescale (f32(sum) * ((g * a) / Q)).
// CHECK-LABEL: func.func @warmup(
// CHECK-SAME: %[[X:[^:]*]]: tensor<?x16xf32>, %[[W:[^:]*]]: tensor<8x16xf32>, %[[L:[^:]*]]: f32)
// CHECK: %[[XQ:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<?x16xi8>)
// CHECK: math.roundeven
// CHECK: %[[WQ:.*]] = linalg.generic {{.*}} ins(%[[W]] : tensor<8x16xf32>) outs(%{{.*}} : tensor<8x16xi8>)
// CHECK: %[[XM:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[XQ]], %{{.*}} : tensor<?x16xf32>, tensor<?x16xi8>, tensor<?xf32>) outs(%{{.*}} : tensor<?x16xf32>)
// CHECK: %[[DX:.*]] = arith.subf
// CHECK: %[[LX:.*]] = arith.mulf %[[L]], %[[DX]] : f32
// CHECK: arith.addf %{{.*}}, %[[LX]] : f32
// CHECK: %[[WM:.*]] = linalg.generic {{.*}} ins(%[[W]], %[[WQ]] : tensor<8x16xf32>, tensor<8x16xi8>) outs(%{{.*}} : tensor<8x16xf32>)
// CHECK: arith.mulf %[[L]], %{{.*}} : f32
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[XM]], %[[WM]] : tensor<?x16xf32>, tensor<8x16xf32>) outs(%{{.*}} : tensor<?x8xf64>)
// CHECK: arith.mulf %{{.*}}, %{{.*}} : f64
// CHECK: linalg.generic {{.*}} ins(%[[SUM]], %{{.*}} : tensor<?x8xf64>, tensor<?xf32>) outs(%{{.*}} : tensor<?x8xf32>)
// CHECK: arith.truncf %{{.*}} : f64 to f32
func.func @warmup(%x: tensor<?x16xf32>, %w: tensor<8x16xf32>, %l: f32) -> tensor<?x8xf32> {
  %y = ternary.bitlinear %x, %w lambda(%l) {norm = #ternary.norm<none>} : (tensor<?x16xf32>, tensor<8x16xf32>, f32) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// BitLinearWarmupLowering with stochastic rounding: the weights are
// sign(v) * [|v| >= u] with u drawn from splitmix64 of (seed, index)
// instead of round-to-nearest (no roundeven on the weights).
// CHECK-LABEL: func.func @sampled(
// CHECK-SAME: %{{[^:]*}}: tensor<?x16xf32>, %[[W:[^:]*]]: tensor<8x16xf32>, %[[S:[^:]*]]: i64)
// CHECK: linalg.generic {{.*}} ins(%[[W]] : tensor<8x16xf32>) outs(%{{.*}} : tensor<8x16xi8>)
// CHECK: arith.shli %[[S]], %{{.*}} : i64
// CHECK: arith.xori
// CHECK: arith.uitofp %{{.*}} : i64 to f32
// CHECK: arith.cmpf oge
// CHECK-NOT: math.roundeven
// CHECK: return
func.func @sampled(%x: tensor<?x16xf32>, %w: tensor<8x16xf32>, %s: i64) -> tensor<?x8xf32> {
  %y = ternary.bitlinear %x, %w sample(%s) {norm = #ternary.norm<none>} : (tensor<?x16xf32>, tensor<8x16xf32>, i64) -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
