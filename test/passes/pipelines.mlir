// Tests passes/Pipelines.cpp: --ternary-inference-pipeline takes BitLinear
// modules all the way to the LLVM dialect.
// RUN: ternary-opt %ternary_src/examples/bitlinear.mlir --ternary-inference-pipeline | FileCheck %s --check-prefix=ONE
// RUN: ternary-opt %ternary_src/examples/mlp.mlir --ternary-inference-pipeline | FileCheck %s --check-prefix=MLP
// RUN: ternary-opt %ternary_src/examples/bitlinear.mlir --ternary-inference-pipeline=c-interface=false | FileCheck %s --check-prefix=NOC
// RUN: ternary-opt %s --ternary-inference-pipeline=encoding=base3 | FileCheck %s --check-prefix=FROZEN

// Nothing but the LLVM dialect is left.
// ONE-NOT: ternary.
// ONE-NOT: linalg.
// ONE-NOT: memref.
// ONE-NOT: arith.
// ONE: llvm.func @bitlinear(
// ONE: llvm.intr.roundeven
// ONE: llvm.func @_mlir_ciface_bitlinear(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// ONE-NOT: ternary.

// MLP-NOT: ternary.
// MLP: llvm.func @mlp(
// MLP: llvm.func @_mlir_ciface_mlp(

// NOC: llvm.func @bitlinear(
// NOC-NOT: _mlir_ciface_

// Frozen weights are quantised and packed at compile time: no weight scale
// computation is left, only the packed bytes (rows [1, 0, -1, 0, 1] and
// [0, 0, 0, 1, -1] in base 3: 205 and 130, -51 and -126 as i8).
// FROZEN: llvm.mlir.global private constant @{{.*}}(dense<{{\[}}[-51], [-126]]> : tensor<2x1xi8>)
// FROZEN-LABEL: llvm.func @frozen(
// FROZEN-NOT: llvm.intr.maxnum
// FROZEN: llvm.func @_mlir_ciface_frozen(
func.func @frozen(%x: tensor<?x5xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[1.0, 0.0, -1.0, 0.0, 1.0], [0.0, 0.0, 0.0, 1.0, -1.0]]> : tensor<2x5xf32>
  %y = ternary.bitlinear %x, %w : (tensor<?x5xf32>, tensor<2x5xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
