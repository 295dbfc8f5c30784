//===- TernaryAttrs.td - Enum attributes of the ternary dialect -*- tablegen -*-===//

#ifndef TERNARY_ATTRS_TD
#define TERNARY_ATTRS_TD

include "TernaryDialect.td"
include "mlir/IR/AttrTypeBase.td"
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

//===----------------------------------------------------------------------===//
// Optimizer
//===----------------------------------------------------------------------===//

def Ternary_Optimizer : I32Enum<"Optimizer", "optimiser of a train step", [
      I32EnumCase<"adamw", 0>,
      I32EnumCase<"sgd", 1>
    ]> {
  let cppNamespace = "::mlir::ternary";
}

//===----------------------------------------------------------------------===//
// TrainStepAttr
//===----------------------------------------------------------------------===//

/// A double (as an APFloat) with a default, written as a float literal
/// (`0.1`, `1.0e-3`, or a hexadecimal bit pattern) and printed so that it
/// reads back to the same value.
class Ternary_NumberParameter<string value, string desc>
    : APFloatParameter<desc> {
  let defaultValue = "::llvm::APFloat(" # value # ")";
  let parser = [{ ::mlir::ternary::detail::parseNumber($_parser) }];
  let printer = [{ $_printer.printFloat($_self) }];
}

/// An `array<i64: ...>`, written and printed in full.
def Ternary_I64ArrayParameter : AttrOrTypeParameter<"::mlir::DenseI64ArrayAttr",
                                                     "argument numbers"> {
  let parser = [{ ::mlir::ternary::detail::parseI64Array($_parser) }];
  let printer = [{ $_printer.printAttribute($_self) }];
}

class Ternary_BoolParameter<string value, string desc>
    : AttrOrTypeParameter<"bool", desc> {
  let defaultValue = value;
  let parser = [{ ::mlir::ternary::detail::parseBool($_parser) }];
  let printer = [{ $_printer << ($_self ? "true" : "false") }];
}

def Ternary_TrainStepAttr : AttrDef<Ternary_Dialect, "TrainStep"> {
  let mnemonic = "train_step";
  let summary = "The request of a compiled train step (`--ternary-train-step`)";
  let description = [{
    Set as `ternary.train_step = #ternary.train_step<...>` on a loss
    function (one scalar `f32` or `tensor<f32>` result): the contract
    between the model, `--ternary-train-step` (which generates the step) and
    `ternary-train` (which calls it). Keys, in any order; all but `name` and
    `params` may be left out:

    | key | meaning | default |
    |---|---|---|
    | `name` | the generated step function | (required) |
    | `params` | the parameter arguments, `array<i64: ...>` | (required) |
    | `eval` | a copy of the loss without dropout, for evaluation | none |
    | `optimizer` | `adamw` or `sgd` | `adamw` |
    | `lr` | peak learning rate (> 0) | 1e-3 |
    | `schedule` | `constant`, `linear_warmup`, `cosine`, `two_stage` | `constant` |
    | `warmup_steps`, `total_steps` | of the schedule | 0 |
    | `min_lr` | floor of `cosine`, restart of `two_stage` | 0 |
    | `weight_decay` | decoupled (AdamW) or L2 (SGD) | 0 |
    | `beta1`, `beta2`, `eps` | AdamW's moments and epsilon | 0.9, 0.999, 1e-8 |
    | `momentum`, `nesterov` | SGD's momentum | 0, false |
    | `max_grad_norm` | global-norm clipping of all gradients (0: off) | 0 |

    The verifier rejects values no run can use: a non-finite or non-positive
    learning rate, betas outside [0, 1), a negative or non-finite weight
    decay, momentum, epsilon or clipping norm, negative step counts, a
    `cosine` or `two_stage` schedule without `total_steps` above
    `warmup_steps`, Nesterov without SGD momentum, repeated parameters. On
    a function it also checks that every parameter is a float tensor
    argument.

    The generated step takes the loss's arguments, then the optimiser state
    (`getStatePerParam()` buffers a parameter: AdamW's `exp_avg` of every
    parameter then their `exp_avg_sq`; SGD's momentum buffers), then the
    step counter `tensor<i64>`.

    Example:

    ```mlir
    func.func @loss(%x: tensor<?x784xf32>, %y: tensor<?xi64>,
                    %w: tensor<10x784xf32>) -> tensor<f32>
        attributes {ternary.train_step = #ternary.train_step<
            name = "train_step", params = array<i64: 2>, lr = 1.0e-3,
            weight_decay = 0.01, eval = "eval_step">} { ... }
    ```
  }];
  let parameters = (ins
    StringRefParameter<"name of the generated step">:$name,
    Ternary_I64ArrayParameter:$params,
    StringRefParameter<"name of the evaluation copy (empty: none)", "\"\"">:$eval,
    DefaultValuedParameter<"::mlir::ternary::Optimizer",
        "::mlir::ternary::Optimizer::adamw", "the optimiser">:$optimizer,
    Ternary_NumberParameter<"1e-3", "peak learning rate">:$lr,
    DefaultValuedParameter<"::mlir::ternary::LRSchedule",
        "::mlir::ternary::LRSchedule::constant", "the schedule">:$schedule,
    DefaultValuedParameter<"int64_t", "0", "warm-up steps">:$warmup_steps,
    DefaultValuedParameter<"int64_t", "0", "steps of the run">:$total_steps,
    Ternary_NumberParameter<"0.0", "lowest learning rate">:$min_lr,
    Ternary_NumberParameter<"0.0", "weight decay">:$weight_decay,
    Ternary_NumberParameter<"0.9", "AdamW beta1">:$beta1,
    Ternary_NumberParameter<"0.999", "AdamW beta2">:$beta2,
    Ternary_NumberParameter<"1e-8", "AdamW epsilon">:$eps,
    Ternary_NumberParameter<"0.0", "SGD momentum">:$momentum,
    Ternary_BoolParameter<"false", "SGD Nesterov momentum">:$nesterov,
    Ternary_NumberParameter<"0.0", "global-norm clipping (0: off)">:$max_grad_norm
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The name of the attribute on loss functions.
    static constexpr ::llvm::StringLiteral kAttrName = "ternary.train_step";

    /// Optimiser state buffers a parameter (AdamW 2, SGD 1).
    unsigned getStatePerParam() const {
      return getOptimizer() == Optimizer::adamw ? 2 : 1;
    }

    /// The names of the state buffers, in order ("exp_avg", "exp_avg_sq";
    /// "momentum"): the prefixes of their tensors in checkpoints.
    ::llvm::SmallVector<::llvm::StringRef> getStateNames() const {
      if (getOptimizer() == Optimizer::adamw)
        return {"exp_avg", "exp_avg_sq"};
      return {"momentum"};
    }

    /// Checks the request against the loss function `func` it is set on:
    /// every parameter a float tensor argument, one scalar f32 result.
    ::llvm::LogicalResult verifyOn(::mlir::Operation *func) const;
  }];
}

#endif // TERNARY_ATTRS_TD
