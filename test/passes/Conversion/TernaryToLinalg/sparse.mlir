// Tests passes/Conversion/TernaryToLinalg/Sparse.cpp: CSR products (part of
// --convert-ternary-to-linalg).
// RUN: ternary-opt %s --convert-ternary-to-linalg --canonicalize | FileCheck %s --implicit-check-not=ternary.

// SpmmLowering. The CSR arrays checked at run time (code 10: indptr starts
// at 0, ends at nnz, never decreases; column ids in range; values and
// indices of one length), then for every row r, every non-zero k of it and
// every feature d: out[r, d] += values[k] * x[indices[k], d].
// CHECK-LABEL: func.func @spmm(
// CHECK-SAME: %[[P:[^:]*]]: tensor<5xi64>, %[[I:[^:]*]]: tensor<?xi64>, %[[V:[^:]*]]: tensor<?xf32>, %[[X:[^:]*]]: tensor<7x16xf32>)
// CHECK: func.call @ternary_check_failed(%c10_i32)
// CHECK: arith.cmpi sgt, %{{.*}}, %{{.*}} : i64
// CHECK: func.call @ternary_check_failed(%c10_i32)
// CHECK: arith.cmpi sge, %{{.*}}, %c7_i64 : i64
// CHECK: func.call @ternary_check_failed(%c10_i32)
// CHECK: scf.for %[[R:.*]] = %c0 to %c4 step %c1
// CHECK: scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %c1
// CHECK: %[[COL:.*]] = tensor.extract %[[I]][%[[K]]] : tensor<?xi64>
// CHECK: %[[C:.*]] = arith.index_cast %[[COL]] : i64 to index
// CHECK: %[[VAL:.*]] = tensor.extract %[[V]][%[[K]]] : tensor<?xf32>
// CHECK: scf.for %[[D:.*]] = %c0 to %c16 step %c1 iter_args(%[[ACC:.*]] = %{{.*}})
// CHECK: %[[XV:.*]] = tensor.extract %[[X]][%[[C]], %[[D]]] : tensor<7x16xf32>
// CHECK: %[[OLD:.*]] = tensor.extract %[[ACC]][%[[R]], %[[D]]] : tensor<4x16xf32>
// CHECK: %[[M:.*]] = arith.mulf %[[VAL]], %[[XV]] : f32
// CHECK: %[[NEW:.*]] = arith.addf %[[OLD]], %[[M]] : f32
// CHECK: tensor.insert %[[NEW]] into %[[ACC]][%[[R]], %[[D]]] : tensor<4x16xf32>
func.func @spmm(%p: tensor<5xi64>, %i: tensor<?xi64>, %v: tensor<?xf32>, %x: tensor<7x16xf32>) -> tensor<4x16xf32> {
  %h = ternary.spmm %p, %i, %v, %x : (tensor<5xi64>, tensor<?xi64>, tensor<?xf32>, tensor<7x16xf32>) -> tensor<4x16xf32>
  return %h : tensor<4x16xf32>
}

// SpmmTransposeLowering. The same checks and loops with the roles of rows
// and columns swapped: out[indices[k], d] += values[k] * dy[r, d].
// CHECK-LABEL: func.func @spmm_transpose(
// CHECK-SAME: %[[P:[^:]*]]: tensor<5xi64>, %[[I:[^:]*]]: tensor<?xi64>, %[[V:[^:]*]]: tensor<?xf32>, %[[DY:[^:]*]]: tensor<4x16xf32>, %{{[^:]*}}: tensor<7x16xf32>)
// CHECK: func.call @ternary_check_failed(%c10_i32)
// CHECK: scf.for %[[R:.*]] = %c0 to %c4 step %c1
// CHECK: scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %c1
// CHECK: %[[COL:.*]] = tensor.extract %[[I]][%[[K]]] : tensor<?xi64>
// CHECK: %[[C:.*]] = arith.index_cast %[[COL]] : i64 to index
// CHECK: %[[VAL:.*]] = tensor.extract %[[V]][%[[K]]] : tensor<?xf32>
// CHECK: scf.for %[[D:.*]] = %c0 to %c16 step %c1 iter_args(%[[ACC:.*]] = %{{.*}})
// CHECK: %[[G:.*]] = tensor.extract %[[DY]][%[[R]], %[[D]]] : tensor<4x16xf32>
// CHECK: %[[OLD:.*]] = tensor.extract %[[ACC]][%[[C]], %[[D]]] : tensor<7x16xf32>
// CHECK: %[[M:.*]] = arith.mulf %[[VAL]], %[[G]] : f32
// CHECK: %[[NEW:.*]] = arith.addf %[[OLD]], %[[M]] : f32
// CHECK: tensor.insert %[[NEW]] into %[[ACC]][%[[C]], %[[D]]] : tensor<7x16xf32>
func.func @spmm_transpose(%p: tensor<5xi64>, %i: tensor<?xi64>, %v: tensor<?xf32>, %h: tensor<4x16xf32>, %x: tensor<7x16xf32>) -> tensor<7x16xf32> {
  %g = ternary.spmm_transpose %p, %i, %v, %h, %x : (tensor<5xi64>, tensor<?xi64>, tensor<?xf32>, tensor<4x16xf32>, tensor<7x16xf32>) -> tensor<7x16xf32>
  return %g : tensor<7x16xf32>
}
