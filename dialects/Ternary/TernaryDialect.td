//===- TernaryDialect.td - The ternary dialect -------------*- tablegen -*-===//
//
// The `ternary` dialect: 1.58-bit (ternary-weight) linear layers as in
// "BitNet b1.58 Reloaded" and "When are 1.58 bits enough?" (Nielsen, Galke,
// Schneider-Kamp, 2024), and the quantisation steps they decompose into.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_DIALECT_TD
#define TERNARY_DIALECT_TD

include "mlir/IR/OpBase.td"

def Ternary_Dialect : Dialect {
  let name = "ternary";
  let cppNamespace = "::mlir::ternary";
  let summary = "Ternary-weight (1.58-bit) neural network layers";
  let description = [{
    The `ternary` dialect models BitLinear, the linear layer of 1.58-bit
    networks: latent f32 weights quantised to {-1, 0, +1} with one per-tensor
    scale (absmean or absmedian), activations normalised and quantised per
    token to `act_bits` signed integers, an exact integer product, and a
    rescale back to f32.

    `ternary.bitlinear` is the whole layer. The other operations are the
    steps it decomposes into, so that passes can fuse, fold and pack them:

    ```
    xh  = ternary.normalize          x            (LayerNorm, RMSNorm, none)
    xq, a = ternary.quantize_activations xh       (int8 values, per-row absmax)
    g   = ternary.weight_scale       W            (absmean / absmedian)
    wq  = ternary.quantize_weights   W, g         ({-1, 0, +1} as i8)
    p   = ternary.pack               wq           (2-bit or base-3 storage)
    acc = ternary.matmul             xq, wq|p     (i32 accumulation)
    y   = ternary.rescale            acc, a, g, b (y = (acc + b) * g * a / Q)
    ```

    The numerics follow the BitLinear semantics document exactly (see
    `docs/numerics.md` for the choices it leaves open): round half to even
    everywhere, the lower middle value as the median of an
    even count, scales floored at `eps`, the bias added before the rescale.
    Sums over rows and tensors (mean, variance, absmean) are accumulated in
    double precision and rounded once to f32, so that every implementation,
    scalar or vectorised, computes the same scales.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let hasConstantMaterializer = 1;
  let hasOperationAttrVerify = 1;
  let useDefaultAttributePrinterParser = 1;
  let useDefaultTypePrinterParser = 1;
}

#endif // TERNARY_DIALECT_TD
