// Tests passes/Conversion/TernaryToLinalg/Embedding.cpp: lookups and their
// gradient (part of --convert-ternary-to-linalg).
// RUN: ternary-opt %s --convert-ternary-to-linalg --canonicalize | FileCheck %s --implicit-check-not=ternary.

// EmbeddingLowering. Ids checked against the table's rows (code 9), then a
// gather: output [b, t, d] = table[ids[b, t], d].
// CHECK-LABEL: func.func @embedding(
// CHECK-SAME: %[[T:[^:]*]]: tensor<65x16xf32>, %[[IDS:[^:]*]]: tensor<?x8xi64>)
// CHECK: arith.cmpi sge, %{{.*}}, %c65_i64 : i64
// CHECK: func.call @ternary_check_failed(%c9_i32)
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[IDS]] : tensor<?x8xi64>) outs(%{{.*}} : tensor<?x8x16xf32>)
// CHECK: %[[ROW:.*]] = arith.index_cast %{{.*}} : i64 to index
// CHECK: %[[COL:.*]] = linalg.index 2 : index
// CHECK: tensor.extract %[[T]][%[[ROW]], %[[COL]]] : tensor<65x16xf32>
func.func @embedding(%t: tensor<65x16xf32>, %ids: tensor<?x8xi64>) -> tensor<?x8x16xf32> {
  %e = ternary.embedding %t, %ids : (tensor<65x16xf32>, tensor<?x8xi64>) -> tensor<?x8x16xf32>
  return %e : tensor<?x8x16xf32>
}

// EmbeddingGradLowering. The same id check, then a scatter-add of the
// output gradient into a zero table, in place, one id after another (ids
// that repeat accumulate).
// CHECK-LABEL: func.func @embedding_grad(
// CHECK: func.call @ternary_check_failed(%c9_i32)
// CHECK: %[[IDS:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1]] : tensor<?x8xi64> into tensor<?xi64>
// CHECK: %[[DY:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1], [2]] : tensor<?x8x16xf32> into tensor<?x16xf32>
// CHECK: %[[ZERO:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<65x16xf32>)
// CHECK: scf.for %[[I:.*]] = %c0 to %{{.*}} step %c1 iter_args(%[[ACC:.*]] = %[[ZERO]]) -> (tensor<65x16xf32>)
// CHECK: %[[ID:.*]] = tensor.extract %[[IDS]][%[[I]]] : tensor<?xi64>
// CHECK: %[[ROW:.*]] = arith.index_cast %[[ID]] : i64 to index
// CHECK: scf.for %[[D:.*]] = %c0 to %c16 step %c1 iter_args(%[[ACC2:.*]] = %[[ACC]])
// CHECK: %[[G:.*]] = tensor.extract %[[DY]][%[[I]], %[[D]]]
// CHECK: %[[OLD:.*]] = tensor.extract %[[ACC2]][%[[ROW]], %[[D]]]
// CHECK: %[[NEW:.*]] = arith.addf %[[OLD]], %[[G]] : f32
// CHECK: tensor.insert %[[NEW]] into %[[ACC2]][%[[ROW]], %[[D]]]
func.func @embedding_grad(%t: tensor<65x16xf32>, %ids: tensor<?x8xi64>, %e: tensor<?x8x16xf32>) -> tensor<65x16xf32> {
  %g = ternary.embedding_grad %t, %ids, %e : (tensor<65x16xf32>, tensor<?x8xi64>, tensor<?x8x16xf32>) -> tensor<65x16xf32>
  return %g : tensor<65x16xf32>
}
