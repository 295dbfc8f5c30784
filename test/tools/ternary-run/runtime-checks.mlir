// With dynamic shapes, sizes that must agree are checked at run time: a
// mismatch is reported and ends the process with status 70, instead of
// reading out of bounds.
// RUN: not ternary-run %ternary_src/examples/bitlinear.mlir --input=2x4xf32=1 --input=3x5xf32=0 --input=3xf32=0 2>&1 | FileCheck %s --check-prefix=K
// RUN: not ternary-run %ternary_src/examples/bitlinear.mlir --input=2x4xf32=1 --input=3x4xf32=0 --input=2xf32=0 2>&1 | FileCheck %s --check-prefix=BIAS
// RUN: not ternary-run %s --function=packed --input=2x8xi8=0 --input=3x3xi8=0 2>&1 | FileCheck %s --check-prefix=PACKED
// RUN: not ternary-run %s --function=affine --input=2x4xf32=1 --input=3xf32=1 --input=4xf32=0 2>&1 | FileCheck %s --check-prefix=AFFINE
// RUN: ternary-run %s --function=packed --input=2x8xi8=1 --input=3x2xi8=85 | FileCheck %s --check-prefix=OK
// RUN: ternary-run %s --function=affine --input=2x4xf32=1 --input=4xf32=1 --input=4xf32=0 | FileCheck %s --check-prefix=OK

// K: ternary: run-time check failed: the activations and the weights have different K (ternary.matmul)
// BIAS: ternary: run-time check failed: the bias does not have N elements (ternary.rescale)
// PACKED: ternary: run-time check failed: the packed weights do not have ceil(K / p) bytes a row for the activations' K (ternary.matmul)
// AFFINE: ternary: run-time check failed: gamma or beta does not have K elements (normalisation)
// OK: result[0]:

func.func @packed(%x: tensor<?x?xi8>, %p: !ternary.packed<?x?, i2>) -> tensor<?x?xi32> {
  %acc = ternary.matmul %x, %p : tensor<?x?xi8>, !ternary.packed<?x?, i2> -> tensor<?x?xi32>
  return %acc : tensor<?x?xi32>
}

func.func @affine(%x: tensor<?x?xf32>, %g: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?x?xf32> {
  %y = ternary.normalize %x affine(%g, %b) {kind = #ternary.norm<layer_affine>} : (tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>) -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}
