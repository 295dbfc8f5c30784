// Tests passes/Conversion/TernaryToLinalg/Losses.cpp: cross-entropy and its
// gradient (part of --convert-ternary-to-linalg).
// RUN: ternary-opt %s --convert-ternary-to-linalg --canonicalize | FileCheck %s --implicit-check-not=ternary.

// CrossEntropyLowering. Labels checked at run time (code 8), row max and
// sum of exp(z - max), the label's logit gathered, the mean over rows not
// ignored.
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
func.func @cross_entropy(%z: tensor<?x10xf32>, %l: tensor<?xi64>) -> tensor<f32> {
  %loss = ternary.cross_entropy %z, %l : (tensor<?x10xf32>, tensor<?xi64>) -> tensor<f32>
  return %loss : tensor<f32>
}

// CrossEntropyGradLowering. Rows against labels (code 6), label range
// (code 8), then (softmax(z) - onehot(label)) * dloss / count, zero on
// ignored rows.
// CHECK-LABEL: func.func @cross_entropy_grad(
// CHECK-SAME: %[[Z:[^:]*]]: tensor<?x10xf32>, %[[L:[^:]*]]: tensor<?xi64>, %[[S:[^:]*]]: tensor<f32>)
// CHECK: func.call @ternary_check_failed(%c6_i32)
// CHECK: func.call @ternary_check_failed(%c8_i32)
// CHECK: %[[MAX:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]} ins(%[[Z]] : tensor<?x10xf32>)
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]} ins(%[[Z]], %[[MAX]] : tensor<?x10xf32>, tensor<?xf32>)
// CHECK: %[[COUNT:.*]] = linalg.generic {{.*}}iterator_types = ["reduction"]} ins(%[[L]] : tensor<?xi64>)
// CHECK: arith.uitofp %{{.*}} : i1 to f32
// CHECK: %[[N:.*]] = tensor.extract %[[COUNT]][] : tensor<f32>
// CHECK: %[[DL:.*]] = tensor.extract %[[S]][] : tensor<f32>
// CHECK: %[[SCALE:.*]] = arith.divf %[[DL]], %[[N]] : f32
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%[[Z]], %[[L]], %[[MAX]], %[[SUM]] :
// CHECK: %[[KEPT:.*]] = arith.cmpi ne, %{{.*}}, %c-100_i64 : i64
// CHECK: %[[P:.*]] = arith.divf
// CHECK: linalg.index 1
// CHECK: %[[D:.*]] = arith.subf %[[P]], %{{.*}} : f32
// CHECK: %[[G:.*]] = arith.mulf %[[D]], %[[SCALE]] : f32
// CHECK: arith.select %[[KEPT]], %[[G]], %{{.*}} : f32
func.func @cross_entropy_grad(%z: tensor<?x10xf32>, %l: tensor<?xi64>, %s: tensor<f32>) -> tensor<?x10xf32> {
  %dz = ternary.cross_entropy_grad %z, %l, %s : (tensor<?x10xf32>, tensor<?xi64>, tensor<f32>) -> tensor<?x10xf32>
  return %dz : tensor<?x10xf32>
}
