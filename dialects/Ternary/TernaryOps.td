//===- TernaryOps.td - Operations of the ternary dialect ---*- tablegen -*-===//
//
// The inference operations: BitLinear, the steps it decomposes into, the
// packed weights and the kernels' dot product. The training operations are
// in TernaryTrainingOps.td, included at the end.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_OPS_TD
#define TERNARY_OPS_TD

include "AdjointOpInterface.td"
include "TernaryTypes.td"
include "mlir/IR/OpBase.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

class Ternary_Op<string mnemonic, list<Trait> traits = []>
    : Op<Ternary_Dialect, mnemonic, traits>;

def Ternary_F32Tensor : RankedTensorOf<[F32]>;
def Ternary_I8Tensor : RankedTensorOf<[I8]>;
def Ternary_I32Tensor : RankedTensorOf<[I32]>;
def Ternary_WeightLike : AnyTypeOf<[Ternary_I8Tensor, Ternary_PackedType],
    "ternary weights (i8 tensor or !ternary.packed)">;

// Attribute defaults shared by several operations.
defvar DefaultEps = DefaultValuedAttr<F32Attr, "1e-5">;
defvar DefaultQ = DefaultValuedAttr<I32Attr, "128">;

//===----------------------------------------------------------------------===//
// BitLinearOp
//===----------------------------------------------------------------------===//

def Ternary_BitLinearOp : Ternary_Op<"bitlinear",
    [Pure, AttrSizedOperandSegments,
     DeclareOpInterfaceMethods<Ternary_AdjointOpInterface>]> {
  let summary = "A 1.58-bit linear layer (BitLinear)";
  let description = [{
    `y = BitLinear(x, W, b)` for an input `x : [..., K]`, a latent weight
    `W : [N, K]` and an optional bias `b : [N]`, all f32; the result is
    `[..., N]`. With `Q = q`, `B = 2^(act_bits - 1)`:

    1. `xh = norm(x)` over the last dimension (see `#ternary.norm`); with
       `layer_affine` the operands `gamma` and `beta : [K]` are required;
    2. per row: `a = max(max|xh|, eps)`, `sx = Q / a`;
    3. `xq = clamp(round_half_even(xh * sx), -B, B - 1)`;
    4. `g = max(stat(|W|), eps)` with `stat` from `scale` (absmean or
       absmedian, lower middle for an even count);
    5. `wq = clamp(round_half_even(W / g), -1, 1)`;
    6. `acc = xq . wq^T` exactly in i32;
    7. `y = (f32(acc) + b) * (g * a / Q)`: the bias is added before the
       rescale.

    `lambda` in [0, 1] is the quantisation warm-up factor of training: both
    quantisers return `v + lambda * (q(v) - v)` in the integer domain
    (`v = xh * sx` and `v = W / g`), so that `lambda = 1` (the default) is
    the integer computation above and `lambda = 0` is `xh . W^T` plus the
    rescaled bias. Its gradient is the straight-through estimator of the
    semantics document.

    A warm-up schedule changes lambda every step: the optional f32 operand
    `lambda(%l)` gives it at run time (the attribute must then keep its
    default). Such a layer is a training-time layer: it is lowered in f32
    with the blended operands whatever the value (at `%l = 1` that equals
    the integer form up to the rounding of the blend).

    `sample(%seed)` (an i64) rounds the weights stochastically instead
    (the semantics document's `strategy = sample`):
    `wq = sign(v) * [|v| >= u]` with `v = W / g` and `u` in [0, 1) drawn
    per weight from the seed and the weight's row-major index with the
    generator of `ternary.dropout`. Also a training-time option.

    `eps` is the variance epsilon of the normalisation and the floor of both
    scales. `q` must be `B` or `B - 1` (128 or 127 for 8 bits).

    Example (the authors' defaults, then BitNet b1.58's inference form):

    ```mlir
    %y = ternary.bitlinear %x, %w bias %b
        : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xf32>) -> tensor<?x?xf32>
    %z = ternary.bitlinear %x, %w
        {norm = #ternary.norm<none>, scale = #ternary.scale<absmean>, q = 127 : i32}
        : (tensor<4x64xf32>, tensor<32x64xf32>) -> tensor<4x32xf32>
    ```
  }];
  let arguments = (ins
    Ternary_F32Tensor:$input,
    Ternary_F32Tensor:$weight,
    Optional<Ternary_F32Tensor>:$bias,
    Optional<Ternary_F32Tensor>:$gamma,
    Optional<Ternary_F32Tensor>:$beta,
    Optional<F32>:$lambda_value,
    Optional<I64>:$rounding_seed,
    DefaultValuedAttr<Ternary_ScaleMethodAttr,
                      "::mlir::ternary::ScaleMethod::absmedian">:$scale,
    DefaultValuedAttr<Ternary_NormKindAttr,
                      "::mlir::ternary::NormKind::layer">:$norm,
    DefaultValuedAttr<I32Attr, "8">:$act_bits,
    DefaultQ:$q,
    DefaultEps:$eps,
    DefaultValuedAttr<F32Attr, "1.0">:$lambda
  );
  let results = (outs Ternary_F32Tensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`bias` $bias^)? (`affine` `(` $gamma^ `,` $beta `)`)?
    (`lambda` `(` $lambda_value^ `)`)? (`sample` `(` $rounding_seed^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    /// Whether the layer is a training-time layer (lambda below 1 or given
    /// at run time, or stochastic rounding), which has no integer form.
    bool isTrainingTime();
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// NormalizeOp
//===----------------------------------------------------------------------===//

def Ternary_NormalizeOp : Ternary_Op<"normalize",
    [Pure, AttrSizedOperandSegments]> {
  let summary = "Normalise every row of a tensor over its last dimension";
  let description = [{
    Applies the normalisation `kind` (see `#ternary.norm`) to every row of
    `input : [..., K]`; `gamma` and `beta : [K]` are required with
    `layer_affine` and not allowed otherwise. Mean and variance are sums in
    double precision rounded once to f32; the variance is biased.
    `kind = none` folds to the input.

    Example:

    ```mlir
    %xh = ternary.normalize %x {kind = #ternary.norm<rms>}
        : (tensor<4x64xf32>) -> tensor<4x64xf32>
    ```
  }];
  let arguments = (ins
    Ternary_F32Tensor:$input,
    Optional<Ternary_F32Tensor>:$gamma,
    Optional<Ternary_F32Tensor>:$beta,
    DefaultValuedAttr<Ternary_NormKindAttr,
                      "::mlir::ternary::NormKind::layer">:$kind,
    DefaultEps:$eps
  );
  let results = (outs Ternary_F32Tensor:$result);
  let assemblyFormat = [{
    $input (`affine` `(` $gamma^ `,` $beta `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// WeightScaleOp
//===----------------------------------------------------------------------===//

def Ternary_WeightScaleOp : Ternary_Op<"weight_scale", [Pure]> {
  let summary = "Per-tensor weight scale g = max(stat(|W|), eps)";
  let description = [{
    Computes the scale of a latent weight tensor of any shape: the mean
    (`absmean`) or the median (`absmedian`, lower middle value for an even
    count) of `|W|` over all elements, floored at `eps`. The mean is a sum in
    double precision rounded once to f32. An empty tensor has scale `eps`.
    Folds to a constant when `W` is a constant.

    Example:

    ```mlir
    %g = ternary.weight_scale %w {method = #ternary.scale<absmean>}
        : tensor<32x64xf32>
    ```
  }];
  let arguments = (ins
    Ternary_F32Tensor:$weight,
    DefaultValuedAttr<Ternary_ScaleMethodAttr,
                      "::mlir::ternary::ScaleMethod::absmedian">:$method,
    DefaultEps:$eps
  );
  let results = (outs F32:$scale);
  let assemblyFormat = "$weight attr-dict `:` type($weight)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// QuantizeWeightsOp
//===----------------------------------------------------------------------===//

def Ternary_QuantizeWeightsOp : Ternary_Op<"quantize_weights", [Pure]> {
  let summary = "Quantise latent weights to {-1, 0, +1}";
  let description = [{
    `wq = clamp(round_half_even(W / g), -1, 1)` element-wise, as i8. `g` is
    the scale computed by `ternary.weight_scale`. Folds to a constant when
    both operands are constants.

    Example:

    ```mlir
    %wq = ternary.quantize_weights %w, %g : tensor<32x64xf32> -> tensor<32x64xi8>
    ```
  }];
  let arguments = (ins Ternary_F32Tensor:$weight, F32:$scale);
  let results = (outs Ternary_I8Tensor:$result);
  let assemblyFormat = [{
    $weight `,` $scale attr-dict `:` type($weight) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// TernarizeOp
//===----------------------------------------------------------------------===//

def Ternary_TernarizeOp : Ternary_Op<"ternarize",
    [Pure, AllTypesMatch<["weight", "result"]>,
     DeclareOpInterfaceMethods<Ternary_AdjointOpInterface>]> {
  let summary = "Latent weights as the ternary values BitLinear uses, in f32";
  let description = [{
    `g * clamp(round_half_even(W / g), -1, 1)` element-wise, `g` the scale
    of `ternary.weight_scale` with the same method and `eps`: the weights a
    BitLinear layer multiplies by, in the latent weights' shape and type.
    For tables that are looked up rather than multiplied (a language
    model's ternary token embeddings). Its derivative is the
    straight-through estimator, as BitLinear's: the result's gradient
    passes to `W` unchanged, the scale detached. Folds to a constant when
    `W` is one.

    Example:

    ```mlir
    %t = ternary.ternarize %table {method = #ternary.scale<absmean>}
        : tensor<65x64xf32>
    ```
  }];
  let arguments = (ins
    Ternary_F32Tensor:$weight,
    DefaultValuedAttr<Ternary_ScaleMethodAttr,
                      "::mlir::ternary::ScaleMethod::absmedian">:$method,
    DefaultEps:$eps
  );
  let results = (outs Ternary_F32Tensor:$result);
  let assemblyFormat = "$weight attr-dict `:` type($weight)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// QuantizeActivationsOp
//===----------------------------------------------------------------------===//

def Ternary_QuantizeActivationsOp : Ternary_Op<"quantize_activations",
    [Pure, AttrSizedOperandSegments]> {
  let summary = "Per-token absmax quantisation of activations to integers";
  let description = [{
    For every row of `input : [..., K]`, normalised first by `norm` (with
    `gamma` and `beta : [K]` for `layer_affine`; `none` by default):
    `a = max(max|xh|, eps)`, `sx = q / a` (in f32), and
    `values = clamp(round_half_even(xh * sx), -2^(bits-1), 2^(bits-1) - 1)`
    as i8. Returns the values and `absmax = a` per row (shape `[...]`), which
    `ternary.rescale` needs. `q` must be `2^(bits-1)` or `2^(bits-1) - 1`.
    `eps` is also the normalisation's epsilon.

    With a normalisation this is `ternary.normalize` fused into the
    quantisation (`--ternary-fuse-quantization` creates it): the lowering
    computes the row statistics once and the normalised values inline, so
    they are never stored.

    Example:

    ```mlir
    %xq, %a = ternary.quantize_activations %xh {q = 127 : i32}
        : tensor<4x64xf32> -> tensor<4x64xi8>, tensor<4xf32>
    %yq, %b = ternary.quantize_activations %x {norm = #ternary.norm<rms>}
        : tensor<4x64xf32> -> tensor<4x64xi8>, tensor<4xf32>
    ```
  }];
  let arguments = (ins
    Ternary_F32Tensor:$input,
    Optional<Ternary_F32Tensor>:$gamma,
    Optional<Ternary_F32Tensor>:$beta,
    DefaultValuedAttr<I32Attr, "8">:$bits,
    DefaultQ:$q,
    DefaultEps:$eps,
    DefaultValuedAttr<Ternary_NormKindAttr,
                      "::mlir::ternary::NormKind::none">:$norm
  );
  let results = (outs Ternary_I8Tensor:$values, Ternary_F32Tensor:$absmax);
  let assemblyFormat = [{
    $input (`affine` `(` $gamma^ `,` $beta `:` type($gamma) `,` type($beta) `)`)?
    attr-dict `:` type($input) `->` type($values) `,` type($absmax)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

def Ternary_MatmulOp : Ternary_Op<"matmul", [Pure]> {
  let summary = "Integer product of activations with ternary weights";
  let description = [{
    `acc[..., n] = sum_k values[..., k] * w[n, k]`, exactly, in i32, for
    int8 activations `values : [..., K]` and ternary weights `[N, K]` given
    either unpacked (i8 with values in {-1, 0, +1}) or as a
    `!ternary.packed` value. The result is `[..., N]`.

    `kernel` (set by `--ternary-select-kernels`, on 2-D activations with
    packed weights only) names the vector kernel the product is lowered
    to; without it the product becomes a `linalg.generic`.

    Example:

    ```mlir
    %acc = ternary.matmul %xq, %p
        : tensor<4x64xi8>, !ternary.packed<32x64, i2> -> tensor<4x32xi32>
    ```
  }];
  let arguments = (ins Ternary_I8Tensor:$values, Ternary_WeightLike:$weight,
                       OptionalAttr<Ternary_PackedKernelAttr>:$kernel);
  let results = (outs Ternary_I32Tensor:$result);
  let assemblyFormat = [{
    $values `,` $weight attr-dict `:` type($values) `,` type($weight)
    `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// RescaleOp
//===----------------------------------------------------------------------===//

def Ternary_RescaleOp : Ternary_Op<"rescale", [Pure]> {
  let summary = "Rescale i32 accumulators to f32, with the bias added first";
  let description = [{
    `y[..., n] = (f32(acc[..., n]) + bias[n]) * (scale * absmax[...] / q)`,
    evaluated in f32 left to right (`(scale * absmax) / q`), for the i32
    accumulators `acc : [..., N]`, the per-row activation absmax
    `absmax : [...]`, the weight scale `scale` and an optional
    `bias : [N]`. A constant all-zero bias is removed by canonicalisation.

    Example:

    ```mlir
    %y = ternary.rescale %acc, %a, %g bias %b
        : tensor<4x32xi32>, tensor<4xf32>, tensor<32xf32> -> tensor<4x32xf32>
    ```
  }];
  let arguments = (ins
    Ternary_I32Tensor:$acc,
    Ternary_F32Tensor:$absmax,
    F32:$scale,
    Optional<Ternary_F32Tensor>:$bias,
    DefaultQ:$q
  );
  let results = (outs Ternary_F32Tensor:$result);
  let assemblyFormat = [{
    $acc `,` $absmax `,` $scale (`bias` $bias^)? attr-dict `:`
    type($acc) `,` type($absmax) (`,` type($bias)^)? `->` type($result)
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// MatmulRescaleOp
//===----------------------------------------------------------------------===//

def Ternary_MatmulRescaleOp : Ternary_Op<"matmul_rescale", [Pure]> {
  let summary = "The ternary product and the rescale, fused";
  let description = [{
    `ternary.rescale(ternary.matmul(values, weight), absmax, scale, bias)`
    in one op, with the same numerics:
    `y[..., n] = (f32(acc[..., n]) + bias[n]) * ((scale * absmax[...]) / q)`
    with `acc = values . weight^T` exact in i32. The kernels compute each
    accumulator and write the f32 result directly, so the i32 accumulators
    are never stored. `--ternary-fuse-quantization` creates it. `kernel`
    is as for `ternary.matmul`.

    Example:

    ```mlir
    %y = ternary.matmul_rescale %xq, %p, %a, %g bias %b
        : tensor<4x64xi8>, !ternary.packed<32x64, i2>, tensor<4xf32>,
          tensor<32xf32> -> tensor<4x32xf32>
    ```
  }];
  let arguments = (ins
    Ternary_I8Tensor:$values,
    Ternary_WeightLike:$weight,
    Ternary_F32Tensor:$absmax,
    F32:$scale,
    Optional<Ternary_F32Tensor>:$bias,
    DefaultQ:$q,
    OptionalAttr<Ternary_PackedKernelAttr>:$kernel
  );
  let results = (outs Ternary_F32Tensor:$result);
  let assemblyFormat = [{
    $values `,` $weight `,` $absmax `,` $scale (`bias` $bias^)? attr-dict `:`
    type($values) `,` type($weight) `,` type($absmax) (`,` type($bias)^)?
    `->` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// PackOp / UnpackOp / PackedConstantOp
//===----------------------------------------------------------------------===//

def Ternary_PackOp : Ternary_Op<"pack", [Pure]> {
  let summary = "Pack ternary i8 weights into a packed encoding";
  let description = [{
    Packs an `[N, K]` i8 tensor whose values are in {-1, 0, +1} into the
    encoding of the result type (see `#ternary.encoding`). Any other value
    in the input makes the result undefined; constants holding one are not
    folded. `unpack(pack(w))` folds to `w`, `pack` of a constant folds to a
    `ternary.packed_constant`.

    Example:

    ```mlir
    %p = ternary.pack %wq : tensor<32x64xi8> -> !ternary.packed<32x64, base3>
    ```
  }];
  let arguments = (ins Ternary_I8Tensor:$input);
  let results = (outs Ternary_PackedType:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Ternary_UnpackOp : Ternary_Op<"unpack", [Pure]> {
  let summary = "Unpack packed ternary weights to i8";
  let description = [{
    The inverse of `ternary.pack`: an `[N, K]` i8 tensor with values in
    {-1, 0, +1}. `pack(unpack(p))` folds to `p` for the same packed type, and
    `unpack` of a `ternary.packed_constant` folds to a dense constant.

    Example:

    ```mlir
    %wq = ternary.unpack %p : !ternary.packed<32x64, i2> -> tensor<32x64xi8>
    ```
  }];
  let arguments = (ins Ternary_PackedType:$input);
  let results = (outs Ternary_I8Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Ternary_PackedConstantOp : Ternary_Op<"packed_constant",
    [ConstantLike, Pure]> {
  let summary = "A constant of packed ternary weights";
  let description = [{
    Packed weights known at compile time: `value` holds the storage bytes,
    an `[N, rowBytes]` i8 tensor in the encoding of the result type, which
    must have a static shape. Produced by folding `ternary.pack` of
    constants.

    Example (two rows of four weights, `[1, 0, -1, 0]` and `[0, 0, 0, 1]`):

    ```mlir
    %p = ternary.packed_constant dense<[[70], [-107]]> : tensor<2x1xi8>
        -> !ternary.packed<2x4, i2>
    ```
  }];
  let arguments = (ins SignlessIntElementsAttr<8>:$value);
  let results = (outs Ternary_PackedType:$result);
  let assemblyFormat = "$value attr-dict `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// PrefetchOp
//===----------------------------------------------------------------------===//

def Ternary_PrefetchOp : Ternary_Op<"prefetch"> {
  let summary = "Bring an element of a tensor's buffer into the caches";
  let description = [{
    A step of the packed product kernels: a hint that the element of
    `source` at `indices` (which must be in bounds) will be read soon, so
    its cache line should be on its way to the L1 cache. It has no result
    and changes nothing; it bufferizes to `memref.prefetch` (read, locality
    3, data cache) on the tensor's buffer, which LLVM lowers to a
    `prefetcht0`. The kernels prefetch the packed weights a few rows ahead,
    which the hardware prefetchers do not do across 4 KiB pages: measured
    on a GEMV from DRAM, 51 % of the read bandwidth without, about 90 %
    with (docs/performance-history.md). Its effects are left unknown, so
    that nothing removes it as dead at the tensor level.

    Example:

    ```mlir
    ternary.prefetch %storage[%row, %col] : tensor<?x?xi8>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$source, Variadic<Index>:$indices);
  let assemblyFormat = [{
    $source `[` $indices `]` attr-dict `:` type($source)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// DotBytesOp
//===----------------------------------------------------------------------===//

def Ternary_DotBytesOp : Ternary_Op<"dot_bytes",
    [Pure, AllTypesMatch<["acc", "result"]>, AllTypesMatch<["lhs", "rhs"]>]> {
  let summary = "Accumulate dot products of unsigned and signed bytes";
  let description = [{
    A step of the packed product kernels:
    `result[i] = acc[i] + sum_{j < 4} zext(lhs[4i + j]) * sext(rhs[4i + j])`
    for `acc : vector<L x i32>` and `lhs`, `rhs : vector<4L x i8>`, exactly
    (the kernels pass codes in {0, 1, 2} as `lhs`, so nothing saturates).
    `kernel` selects the x86 instructions it lowers to
    (`--ternary-lower-dot-bytes`): `avx512_vnni` needs `L = 16`, `avx2`
    needs `L = 8`. The upstream x86vector dialect has no u8 x s8 dot
    product, hence this op.

    Example:

    ```mlir
    %r = ternary.dot_bytes %acc, %codes, %x {kernel = #ternary.dot_kernel<avx512_vnni>}
        : vector<16xi32>, vector<64xi8>
    ```
  }];
  let arguments = (ins
    VectorOfRankAndType<[1], [I32]>:$acc,
    VectorOfRankAndType<[1], [I8]>:$lhs,
    VectorOfRankAndType<[1], [I8]>:$rhs,
    Ternary_DotKernelAttr:$kernel
  );
  let results = (outs VectorOfRankAndType<[1], [I32]>:$result);
  let assemblyFormat = [{
    $acc `,` $lhs `,` $rhs attr-dict `:` type($acc) `,` type($lhs)
  }];
  let hasVerifier = 1;
}

// The operations of training (gradients, losses, optimisers).
include "TernaryTrainingOps.td"

#endif // TERNARY_OPS_TD
