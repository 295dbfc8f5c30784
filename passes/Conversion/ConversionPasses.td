//===- ConversionPasses.td - Passes of passes/Conversion ---*- tablegen -*-===//
//
// The passes of passes/Conversion/: the lowering of the ternary dialect to
// linalg.
// Included by passes/Passes.td.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_PASSES_CONVERSION_PASSES_TD
#define TERNARY_PASSES_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertTernaryToLinalg : Pass<"convert-ternary-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Lower the ternary dialect to linalg, tensor, arith, math, scf and vector";
  let description = [{
    Lowers every op of the ternary dialect but `ternary.dot_bytes` (the
    kernels' dot-product step, lowered after bufferization by
    `--ternary-lower-dot-bytes`) to `linalg.generic`, `tensor`, `arith`,
    `math`, `scf` and `vector` on builtin tensors, with the exact numerics
    of the reference (sums in f64, round half to even, the rescale order).
    One file per op family in `passes/Conversion/TernaryToLinalg/`:

    - quantisation: `normalize`, `quantize_activations`, `weight_scale`
      (absmean; absmedian by a search for the lower middle value whose
      counting sweeps each narrow a bracket of elements, usually 5 to 9
      sweeps for 10^5 weights, in one private function a module that every weight's scale
      calls), `quantize_weights`;
    - products: `matmul`, `rescale`, `matmul_rescale`; a product with a
      `kernel` attribute (`--ternary-select-kernels`) becomes that vector
      kernel (`passes/Codegen/CPU/PackedMatmulKernels.cpp`), one without
      it a `linalg.generic` decoding one weight at a time;
    - packing: `pack`, `unpack`, `packed_constant`;
    - BitLinear training: `bitlinear` with a warm-up factor `lambda < 1`
      (an f32 product of the blended operands), `bitlinear_grad` (the
      straight-through estimator);
    - losses: `cross_entropy`, `cross_entropy_grad`;
    - embeddings: `embedding`, `embedding_grad` (scatter-add);
    - sparse: `spmm`, `spmm_transpose` (CSR loops);
    - random: `dropout` (counter-based mask);
    - optimisers: `adamw`, `sgd`, `lr_schedule`, `global_norm`.

    `!ternary.packed` values become their storage, `tensor<N x rowBytes x
    i8>`, in function signatures too: that is the packed ABI of weights
    passed as arguments. Inference-time `ternary.bitlinear` (`lambda = 1`)
    must be decomposed first (`--ternary-decompose`); an undecomposed one is
    an error. `linalg.softmax` is decomposed into its generics, and the
    argument annotations of the training runtime (`ternary.name`,
    `ternary.seed`, ...) are dropped.

    With dynamic shapes, the sizes that must agree (K of activations and
    weights, the bias and absmax against the product, gamma and beta
    against K, labels, ids and CSR arrays against their tables) are checked
    at run time: a mismatch calls the runtime's `ternary_check_failed`
    (`ternary/Runtime/Checks.h`), which reports it and ends the process.

    Example: `ternary.rescale %acc, %a, %g` becomes a `linalg.generic`
    computing `(sitofp(acc) + b) * ((g * a) / Q)` element-wise.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
    "::mlir::LLVM::LLVMDialect"
  ];
}

#endif // TERNARY_PASSES_CONVERSION_PASSES_TD
