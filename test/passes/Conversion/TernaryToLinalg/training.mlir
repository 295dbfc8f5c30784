// Tests passes/TrainingToLinalg.cpp and passes/OptimizersToLinalg.cpp (part of
// --convert-ternary-to-linalg).
// RUN: ternary-opt %s --convert-ternary-to-linalg --canonicalize | FileCheck %s

// The training ops lower to linalg.generic on tensors (part of
// --convert-ternary-to-linalg).

// CHECK-DAG: #[[RJ:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[JI:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[RI:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>

// Cross-entropy: labels checked at run time (code 8), row max and sum of
// exp(z - max), the label's logit gathered, the mean over rows not ignored.
// CHECK-LABEL: func.func @cross_entropy(
// CHECK: scf.if
// CHECK-NEXT: func.call @ternary_check_failed(%{{.*}}) : (i32) -> ()
// CHECK: arith.cmpi ne, %{{.*}}, %c-100_i64
// CHECK: func.call @ternary_check_failed
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: arith.maximumf
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: math.exp
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction"]
// CHECK: linalg.index 0
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}] : tensor<?x10xf32>
// CHECK: math.log
// CHECK: arith.divf
// CHECK-NOT: ternary.
func.func @cross_entropy(%z: tensor<?x10xf32>, %l: tensor<?xi64>) -> tensor<f32> {
  %loss = ternary.cross_entropy %z, %l : (tensor<?x10xf32>, tensor<?xi64>) -> tensor<f32>
  return %loss : tensor<f32>
}

// AdamW: the bias corrections in f64 (pow, sqrt), then one element-wise
// generic with three results.
// CHECK-LABEL: func.func @adamw(
// CHECK: math.powf %{{.*}}, %{{.*}} : f64
// CHECK: math.sqrt %{{.*}} : f64
// CHECK: %{{.*}}:3 = linalg.generic {{.*}}iterator_types = ["parallel"]
// CHECK: math.sqrt %{{.*}} : f32
// CHECK: linalg.yield %{{.*}}, %{{.*}}, %{{.*}} : f32, f32, f32
func.func @adamw(%p: tensor<8xf32>, %g: tensor<8xf32>, %lr: f64, %t: i64) -> tensor<8xf32> {
  %p1, %m1, %v1 = ternary.adamw %p, %g, %p, %g, %lr, %lr, %t : tensor<8xf32>, f64, i64
  return %p1 : tensor<8xf32>
}

// The STE gradient recomputes the forward's quantities with the forward's
// ops, then: dbias over rows, dW over rows with the innermost loop along
// K, and the input-gradient product by the i8 ternary weights.
// CHECK-LABEL: func.func @bitlinear_grad(
// CHECK: %[[WQ:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<8x16xi8>)
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "parallel"]{{.*}} outs(%{{.*}} : tensor<8xf32>)
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "parallel", "parallel"]{{.*}} outs(%{{.*}} : tensor<8x16xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[RJ]], #[[JI]], #[[RI]]], iterator_types = ["parallel", "reduction", "parallel"]} ins(%{{.*}}, %[[WQ]] : tensor<?x8xf32>, tensor<8x16xi8>)
// CHECK: arith.sitofp %{{.*}} : i8 to f32
func.func @bitlinear_grad(%x: tensor<?x16xf32>, %w: tensor<8x16xf32>, %dy: tensor<?x8xf32>) -> (tensor<?x16xf32>, tensor<8x16xf32>, tensor<8xf32>) {
  %dx, %dw, %db = ternary.bitlinear_grad %x, %w, %dy {norm = #ternary.norm<none>} : (tensor<?x16xf32>, tensor<8x16xf32>, tensor<?x8xf32>) -> (tensor<?x16xf32>, tensor<8x16xf32>, tensor<8xf32>)
  return %dx, %dw, %db : tensor<?x16xf32>, tensor<8x16xf32>, tensor<8xf32>
}
