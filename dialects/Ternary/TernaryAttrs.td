//===- TernaryAttrs.td - Enum attributes of the ternary dialect -*- tablegen -*-===//

#ifndef TERNARY_ATTRS_TD
#define TERNARY_ATTRS_TD

include "TernaryDialect.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// ScaleMethod
//===----------------------------------------------------------------------===//

def Ternary_ScaleMethod : I32Enum<"ScaleMethod",
    "statistic of |W| used as the per-tensor weight scale", [
      I32EnumCase<"absmean", 0>,
      I32EnumCase<"absmedian", 1>
    ]> {
  let cppNamespace = "::mlir::ternary";
}

def Ternary_ScaleMethodAttr
    : EnumAttr<Ternary_Dialect, Ternary_ScaleMethod, "scale"> {
  let summary = "Weight scale statistic: `absmean` or `absmedian`";
  let description = [{
    How the per-tensor weight scale `g = max(stat(|W|), eps)` is computed:

    - `absmean`: the mean of |W| over the whole tensor (BitNet b1.58);
    - `absmedian`: the median of |W| over the whole tensor; for an even count
      the lower of the two middle values, as PyTorch's `median` (the default
      of the 1.58-bit papers' authors).

    Example: `#ternary.scale<absmean>`
  }];
  let assemblyFormat = "`<` $value `>`";
}

//===----------------------------------------------------------------------===//
// NormKind
//===----------------------------------------------------------------------===//

def Ternary_NormKind : I32Enum<"NormKind",
    "normalisation applied to each row before activation quantisation", [
      I32EnumCase<"none", 0>,
      I32EnumCase<"layer", 1>,
      I32EnumCase<"layer_affine", 2>,
      I32EnumCase<"rms", 3>
    ]> {
  let cppNamespace = "::mlir::ternary";
}

def Ternary_NormKindAttr
    : EnumAttr<Ternary_Dialect, Ternary_NormKind, "norm"> {
  let summary = "Row normalisation: `none`, `layer`, `layer_affine` or `rms`";
  let description = [{
    The normalisation over the last dimension that BitLinear applies before
    quantising its input, with `eps` the variance epsilon:

    - `none`: the input as it is;
    - `layer`: `(x - mean(x)) / sqrt(var(x) + eps)`, biased variance, no
      learned parameters (the papers' default);
    - `layer_affine`: `layer` followed by `* gamma + beta` (per feature);
    - `rms`: `x / sqrt(mean(x^2) + eps)` (BitNet b1.58's RMSNorm).

    Example: `#ternary.norm<rms>`
  }];
  let assemblyFormat = "`<` $value `>`";
}

//===----------------------------------------------------------------------===//
// Encoding
//===----------------------------------------------------------------------===//

def Ternary_Encoding : I32Enum<"Encoding",
    "storage encoding of packed ternary weights", [
      I32EnumCase<"i2", 0>,
      I32EnumCase<"base3", 1>
    ]> {
  let cppNamespace = "::mlir::ternary";
}

def Ternary_EncodingAttr
    : EnumAttr<Ternary_Dialect, Ternary_Encoding, "encoding"> {
  let summary = "Packed weight encoding: `i2` (2 bits) or `base3` (1.6 bits)";
  let description = [{
    How ternary weights are stored, row by row (one row per output feature),
    as codes `c = w + 1` in {0, 1, 2}, `p` codes a byte:

    - `i2` (`p = 4`, 2 bits a weight): code `j` in bits `2j..2j+1`;
    - `base3` (`p = 5`, 1.6 bits a weight): the byte holds
      `ceil(v * 256 / 243)` with `v = c0*81 + c1*27 + c2*9 + c3*3 + c4`, so
      that code `j` decodes with byte arithmetic alone:
      `((byte * 3^j) mod 256) * 3 >> 8`.

    A row of `K` weights takes `ceil(K / p)` bytes, cut into blocks of
    `64 p` weights in 64 bytes; the last block, of `r` weights, takes
    `s = ceil(r / p)` bytes. In a block of `s` bytes, weight `i + s j` of the
    block (`i < s`) is code `j` of byte `i`: code `j` of a full block's 64
    bytes holds 64 consecutive weights, which a SIMD kernel decodes with one
    shift (or multiply) and mask. Unused codes are padding, the zero weight.

    The runtime library (`ternary/Runtime/Packing.h`) implements both and is
    the packing ABI of weights passed to compiled functions.

    Example: `#ternary.encoding<base3>`
  }];
  let assemblyFormat = "`<` $value `>`";
}

//===----------------------------------------------------------------------===//
// PackedKernel
//===----------------------------------------------------------------------===//

def Ternary_PackedKernel : I32Enum<"PackedKernel",
    "kernel of the ternary product with packed weights", [
      I32EnumCase<"auto_", 0, "auto">,
      I32EnumCase<"loops", 1>,
      I32EnumCase<"vector", 2>,
      I32EnumCase<"avx2", 3>,
      I32EnumCase<"avx512_vnni", 4>
    ]> {
  let cppNamespace = "::mlir::ternary";
}

def Ternary_PackedKernelAttr
    : EnumAttr<Ternary_Dialect, Ternary_PackedKernel, "kernel"> {
  let summary = "Kernel of a packed product: `loops`, `vector`, `avx2`, `avx512_vnni`";
  let description = [{
    How `ternary.matmul` and `ternary.matmul_rescale` with packed 2-D
    weights are lowered. `--ternary-select-kernels` chooses one from the
    target's features and sets it as the ops' `kernel` attribute;
    `--convert-ternary-to-linalg` reads it:

    - `loops`: a `linalg.generic` decoding one weight at a time (any
      target; also what a product without the attribute gets);
    - `vector`: generic vector code, widening multiply-adds that LLVM
      legalises for any target;
    - `avx2`: `vpmaddubsw` + `vpmaddwd` on 256-bit vectors;
    - `avx512_vnni`: `vpdpbusd` on 512-bit vectors.

    `auto` exists only as the value of the selection options (the best
    kernel the target features allow); it is not a valid attribute value.
    Command-line options spell `avx512_vnni` as `avx512-vnni`.

    Example: `#ternary.kernel<avx2>`
  }];
  let assemblyFormat = "`<` $value `>`";
}

//===----------------------------------------------------------------------===//
// DotKernel
//===----------------------------------------------------------------------===//

def Ternary_DotKernel : I32Enum<"DotKernel",
    "x86 instructions of a byte dot product", [
      I32EnumCase<"avx2", 0>,
      I32EnumCase<"avx512_vnni", 1>
    ]> {
  let cppNamespace = "::mlir::ternary";
}

def Ternary_DotKernelAttr
    : EnumAttr<Ternary_Dialect, Ternary_DotKernel, "dot_kernel"> {
  let summary = "x86 byte dot product: `avx2` or `avx512_vnni`";
  let description = [{
    The instructions `ternary.dot_bytes` lowers to: `avx512_vnni` is one
    `vpdpbusd` on 512-bit vectors; `avx2` is `vpmaddubsw` then `vpmaddwd`
    with ones on 256-bit vectors, then an add.

    Example: `#ternary.dot_kernel<avx2>`
  }];
  let assemblyFormat = "`<` $value `>`";
}

//===----------------------------------------------------------------------===//
// LRSchedule
//===----------------------------------------------------------------------===//

def Ternary_LRSchedule : I32Enum<"LRSchedule",
    "learning-rate schedule of training", [
      I32EnumCase<"constant", 0>,
      I32EnumCase<"linear_warmup", 1>,
      I32EnumCase<"cosine", 2>,
      I32EnumCase<"two_stage", 3>
    ]> {
  let cppNamespace = "::mlir::ternary";
}

def Ternary_LRScheduleAttr
    : EnumAttr<Ternary_Dialect, Ternary_LRSchedule, "lr_schedule"> {
  let summary = "Learning-rate schedule";
  let description = [{
    The learning rate of (0-based) step `t` for a peak rate `lr`, `W`
    warm-up steps and `T` total steps (`ternary.lr_schedule`):

    - `constant`: `lr`;
    - `linear_warmup`: `lr * min(1, (t + 1) / W)`;
    - `cosine`: the warm-up, then `min_lr + (lr - min_lr) * (1 + cos(pi *
      p)) / 2` with `p = (t - W) / (T - W)` clamped to [0, 1];
    - `two_stage` (BitNet b1.58's recipe): the warm-up, then a linear decay
      from `lr` to `lr / 2` over the first half of training; at `T / 2` the
      rate drops to `min_lr` and decays linearly to 0 at `T` (the train-step
      generator also turns weight decay off in the second stage).

    Example: `#ternary.lr_schedule<cosine>`
  }];
  let assemblyFormat = "`<` $value `>`";
}

#endif // TERNARY_ATTRS_TD
