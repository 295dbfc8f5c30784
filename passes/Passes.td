//===- Passes.td - Passes of the ternary compiler ----------*- tablegen -*-===//

#ifndef TERNARY_PASSES_TD
#define TERNARY_PASSES_TD

include "mlir/Pass/PassBase.td"

def TernaryDecompose : Pass<"ternary-decompose"> {
  let summary = "Decompose ternary.bitlinear into its quantisation steps";
  let description = [{
    Rewrites every `ternary.bitlinear` into `ternary.normalize` (omitted for
    `norm = none`), `ternary.quantize_activations`, `ternary.weight_scale`,
    `ternary.quantize_weights`, `ternary.matmul` and `ternary.rescale`,
    carrying the layer's attributes over. The integer decomposition exists
    only for `lambda = 1`; a layer with a quantisation warm-up factor below 1
    is a training-time layer and makes the pass fail with an error.

    Example:

    ```mlir
    %y = ternary.bitlinear %x, %w bias %b
        : (tensor<4x16xf32>, tensor<8x16xf32>, tensor<8xf32>) -> tensor<4x8xf32>
    ```

    becomes

    ```mlir
    %xh = ternary.normalize %x : (tensor<4x16xf32>) -> tensor<4x16xf32>
    %xq, %a = ternary.quantize_activations %xh
        : tensor<4x16xf32> -> tensor<4x16xi8>, tensor<4xf32>
    %g = ternary.weight_scale %w : tensor<8x16xf32>
    %wq = ternary.quantize_weights %w, %g : tensor<8x16xf32> -> tensor<8x16xi8>
    %acc = ternary.matmul %xq, %wq
        : tensor<4x16xi8>, tensor<8x16xi8> -> tensor<4x8xi32>
    %y = ternary.rescale %acc, %a, %g bias %b
        : tensor<4x8xi32>, tensor<4xf32>, tensor<8xf32> -> tensor<4x8xf32>
    ```
  }];
  let dependentDialects = ["::mlir::ternary::TernaryDialect"];
}

def TernaryPackWeights : Pass<"ternary-pack-weights"> {
  let summary = "Pack the constant ternary weights of ternary.matmul";
  let description = [{
    Gives every `ternary.matmul` whose i8 weight operand is a compile-time
    constant a `!ternary.packed` weight in the chosen encoding, folded to a
    `ternary.packed_constant`: 2 bits (`i2`) or 1.6 bits (`base3`) a weight
    instead of 8. Run it after `ternary-decompose` and `canonicalize`, which
    fold the scale and quantisation of frozen latent weights to constants.
    Weights that are not constants, and constants with a value outside
    {-1, 0, +1}, are left alone.

    Example (`--ternary-pack-weights=encoding=i2`):

    ```mlir
    %w = arith.constant dense<[[1, 0, -1, 0]]> : tensor<1x4xi8>
    %acc = ternary.matmul %xq, %w : tensor<2x4xi8>, tensor<1x4xi8> -> tensor<2x1xi32>
    ```

    becomes

    ```mlir
    %p = ternary.packed_constant dense<70> : tensor<1x1xi8> -> !ternary.packed<1x4, i2>
    %acc = ternary.matmul %xq, %p : tensor<2x4xi8>, !ternary.packed<1x4, i2> -> tensor<2x1xi32>
    ```
  }];
  let options = [
    Option<"encoding", "encoding", "::mlir::ternary::Encoding",
           /*default=*/"::mlir::ternary::Encoding::i2",
           "Storage encoding of the packed weights",
           [{::llvm::cl::values(
             clEnumValN(::mlir::ternary::Encoding::i2, "i2",
                        "2 bits a weight, 4 weights a byte"),
             clEnumValN(::mlir::ternary::Encoding::base3, "base3",
                        "1.6 bits a weight, 5 weights a byte"))}]>
  ];
  let dependentDialects = ["::mlir::ternary::TernaryDialect"];
}

def ConvertTernaryToLinalg : Pass<"convert-ternary-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Lower the ternary primitives to linalg, tensor, arith and math";
  let description = [{
    Lowers `ternary.normalize`, `ternary.quantize_activations`,
    `ternary.weight_scale`, `ternary.quantize_weights`, `ternary.matmul`,
    `ternary.rescale`, `ternary.pack`, `ternary.unpack` and
    `ternary.packed_constant` to `linalg.generic`, `tensor`, `arith`, `math`
    and `scf` on builtin tensors, with the exact numerics of the reference
    (sums in f64, round half to even, the rescale order). `!ternary.packed`
    values become their storage, `tensor<N x rowBytes x i8>`, in function
    signatures too: that is the packed ABI of weights passed as arguments.
    The packed product decodes the weights inside the loop nest.
    `ternary.bitlinear` must be decomposed first (`ternary-decompose`).

    Example: `ternary.rescale %acc, %a, %g` becomes a `linalg.generic`
    computing `(sitofp(acc) + b) * ((g * a) / Q)` element-wise.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

#endif // TERNARY_PASSES_TD
