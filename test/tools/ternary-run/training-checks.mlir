// Run-time checks of the training ops: out-of-range labels and ids, and
// operands whose rows disagree, end the process with status 70 and a
// message instead of reading out of bounds.
// RUN: not ternary-run %s --function=ce --input=2x3xf32=0 --input=2xi64=0,3 2>&1 | FileCheck %s --check-prefix=LABEL
// RUN: not ternary-run %s --function=ce --input=2x3xf32=0 --input=3xi64=0 2>&1 | FileCheck %s --check-prefix=ROWS
// RUN: ternary-run %s --function=ce --input=2x3xf32=0 --input=2xi64=-100,2 | FileCheck %s --check-prefix=IGNORED
// RUN: not ternary-run %s --function=embed --input=4x2xf32=1 --input=3xi64=0,4,1 2>&1 | FileCheck %s --check-prefix=ID
// RUN: ternary-run %s --function=embed --input=4x2xf32=1,2,3,4,5,6,7,8 --input=3xi64=3,0,3 | FileCheck %s --check-prefix=GATHER
// RUN: ternary-run %s --function=spmm --input=3xi64=0,1,3 --input=3xi64=1,0,1 --input=3xf32=2,1,1 --input=2x2xf32=1,2,3,4 | FileCheck %s --check-prefix=SPMM
// RUN: not ternary-run %s --function=spmm --input=3xi64=0,1,3 --input=3xi64=1,0,2 --input=3xf32=2,1,1 --input=2x2xf32=1,2,3,4 2>&1 | FileCheck %s --check-prefix=CSR
// RUN: not ternary-run %s --function=spmm --input=3xi64=0,2,1 --input=1xi64=1 --input=1xf32=2 --input=2x2xf32=1,2,3,4 2>&1 | FileCheck %s --check-prefix=CSR
// RUN: not ternary-run %s --function=blg --input=2x4xf32=1 --input=3x4xf32=1 --input=2x5xf32=1 2>&1 | FileCheck %s --check-prefix=COLS

// LABEL: ternary: run-time check failed: a label is outside [0, C) and is not the ignore index (ternary.cross_entropy)
// ROWS: ternary: run-time check failed: the operands have different numbers of rows (training op)
// Uniform logits: log(3) for the one row not ignored.
// IGNORED: result[0]: f32=1.09861
// ID: ternary: run-time check failed: an id is outside [0, V) (ternary.embedding)
// GATHER: result[0]: 3x2xf32={{\[}}[7, 8], [1, 2], [7, 8]]
// Row 0: 2 * x[1]; row 1: x[0] + x[1].
// SPMM: result[0]: 2x2xf32={{\[}}[6, 8], [4, 6]]
// CSR: ternary: run-time check failed: the CSR arrays are inconsistent
// COLS: ternary: run-time check failed: the output gradient does not have N columns (ternary.bitlinear_grad)

func.func @ce(%z: tensor<?x3xf32>, %l: tensor<?xi64>) -> tensor<f32> {
  %r = ternary.cross_entropy %z, %l : (tensor<?x3xf32>, tensor<?xi64>) -> tensor<f32>
  return %r : tensor<f32>
}

func.func @embed(%t: tensor<?x2xf32>, %ids: tensor<?xi64>) -> tensor<?x2xf32> {
  %e = ternary.embedding %t, %ids : (tensor<?x2xf32>, tensor<?xi64>) -> tensor<?x2xf32>
  return %e : tensor<?x2xf32>
}

func.func @blg(%x: tensor<?x4xf32>, %w: tensor<?x4xf32>, %dy: tensor<?x?xf32>) -> tensor<?x4xf32> {
  %dx, %dw, %db = ternary.bitlinear_grad %x, %w, %dy : (tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x?xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<?xf32>)
  return %dx : tensor<?x4xf32>
}

func.func @spmm(%p: tensor<?xi64>, %i: tensor<?xi64>, %v: tensor<?xf32>, %x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %h = ternary.spmm %p, %i, %v, %x : (tensor<?xi64>, tensor<?xi64>, tensor<?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  return %h : tensor<?x?xf32>
}
