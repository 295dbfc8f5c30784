//===- TransformsPasses.td - Passes of passes/Transforms ---*- tablegen -*-===//
//
// The passes of passes/Transforms/: tensor-level rewrites of the ternary
// dialect: autodiff, train steps, convolutions as contractions, decompose,
// pack, fuse, freeze.
// Included by passes/Passes.td.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_PASSES_TRANSFORMS_PASSES_TD
#define TERNARY_PASSES_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def TernaryAutodiff : Pass<"ternary-autodiff", "::mlir::ModuleOp"> {
  let summary = "Derive loss-and-gradient functions by reverse-mode autodiff";
  let description = [{
    For every `func.func` carrying the attribute
    `ternary.gradient = {name = "NAME", wrt = array<i64: i, j, ...>}`, adds
    a public function `NAME` with the same arguments that returns the loss
    (the forward function's only result, `f32` or `tensor<f32>`) followed
    by the gradients of the loss with respect to arguments `i, j, ...`
    (float tensors), in that order. The forward function is kept.

    The forward body is one block of tensor ops after inlining its calls.
    Every op's rule is its `AdjointOpInterface`
    (`docs/dialect/AdjointOpInterface.md`): the ternary ops implement it
    (`ternary.bitlinear` at any `lambda`, run-time `lambda(%l)` and
    `sample(%seed)` included, whose gradient is `ternary.bitlinear_grad`, the
    straight-through estimator of the semantics document;
    `ternary.cross_entropy`, `ternary.embedding`, `ternary.spmm`,
    `ternary.dropout`), and upstream ops get external models
    (`lib/Autodiff/Implementations/`): any linalg op (named ops are
    generalised; a `linalg.generic` is differentiated through its scalar
    body of arith/math ops, with sum and max reductions, broadcasts and
    window maps such as convolution and pooling, whose adjoints are
    scattered through the map), `linalg.softmax`, `tensor` reshapes, casts
    and padding, and arith/math ops on tensors. Values used several times
    have their adjoints summed; arguments the loss does not depend on get
    zero gradients. An op without a rule, a reduction that is neither a sum
    nor a maximum, or a generic body reading a float from outside is an
    error naming it.

    Example:

    ```mlir
    func.func @loss(%x: tensor<8x4xf32>, %labels: tensor<8xi64>,
                    %w: tensor<3x4xf32>) -> tensor<f32>
        attributes {ternary.gradient = {name = "loss_and_grad",
                                        wrt = array<i64: 2>}} {
      %y = ternary.bitlinear %x, %w
          : (tensor<8x4xf32>, tensor<3x4xf32>) -> tensor<8x3xf32>
      %l = ternary.cross_entropy %y, %labels
          : (tensor<8x3xf32>, tensor<8xi64>) -> tensor<f32>
      return %l : tensor<f32>
    }
    ```

    gains

    ```mlir
    func.func @loss_and_grad(%x: tensor<8x4xf32>, %labels: tensor<8xi64>,
                             %w: tensor<3x4xf32>)
        -> (tensor<f32>, tensor<3x4xf32>) {
      ...
      %dy = ternary.cross_entropy_grad %y, %labels, %one : ...
      %dx, %dw, %db = ternary.bitlinear_grad %x, %w, %dy : ...
      return %l, %dw : tensor<f32>, tensor<3x4xf32>
    }
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::ternary::TernaryDialect"
  ];
}

def TernaryTrainStep : Pass<"ternary-train-step", "::mlir::ModuleOp"> {
  let summary = "Generate compiled training steps (autodiff + optimiser)";
  let description = [{
    For every `func.func` computing a scalar loss and carrying
    `ternary.train_step = #ternary.train_step<name = "NAME",
    params = array<i64: ...>, ...>` (the typed, verified request; its keys
    and defaults are documented with the attribute), adds:

    - `NAME_loss_and_grads` (private): the loss and the gradients of the
      parameter arguments, derived as by `--ternary-autodiff`;
    - `NAME(forward arguments..., state..., %step: tensor<i64>) ->
      (loss, lr: tensor<f64>, grad_norm: tensor<f32>)`: one optimiser step that updates the parameters, the optimiser state
      (AdamW: all first moments, then all second moments; SGD: momentum
      buffers; zeros initially) and the step counter (0 initially) in the
      caller's buffers (`bufferization.writable` arguments written with
      `bufferization.materialize_in_destination`), and returns the loss
      before the update, the learning rate it used and the global L2 norm
      of the gradients before clipping (`ternary.global_norm`);
    - with `eval = "EVAL"`, a copy `EVAL` of the forward function without
      its `ternary.dropout` ops (evaluation mode).

    The step's learning rate comes from `ternary.lr_schedule` of the
    counter; with `max_grad_norm > 0` all gradients are first scaled by
    `min(1, max_grad_norm / (norm + 1e-6))` (PyTorch's `clip_grad_norm_`); `two_stage` schedules also turn weight
    decay off in their second half. `ternary-train` reads the same
    attribute to call the step (the number and order of the state buffers).

    Example:

    ```mlir
    func.func @loss(%x: tensor<?x784xf32>, %y: tensor<?xi64>,
                    %w: tensor<10x784xf32>) -> tensor<f32>
        attributes {ternary.train_step = #ternary.train_step<
            name = "train_step", params = array<i64: 2>, optimizer = adamw,
            lr = 1.0e-3, weight_decay = 0.01, eval = "eval_step">} { ... }
    ```

    gains `@train_step(%x, %y, %w, %exp_avg, %exp_avg_sq, %step)`,
    `@eval_step(%x, %y, %w)` and the private gradient function.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::ternary::TernaryDialect"
  ];
}

def TernaryFreezeParameters
    : Pass<"ternary-freeze-parameters", "::mlir::ModuleOp"> {
  let summary = "Bind a function's parameter arguments to trained values";
  let description = [{
    Replaces the trailing parameter arguments of `function` by constants
    read from `checkpoint`, a safetensors file: a checkpoint of
    `ternary-train` (its `param.NAME` tensors, in file order; the optimiser
    state is not used) or a file holding the parameters alone, in order.
    The other public functions are removed (the training functions take the
    parameters as arguments); private ones stay. The result is the
    inference module `ternary-compile` turns into an object file: the
    inference pipeline quantises and packs the frozen BitLinear weights at
    compile time. `ternary-train --export` does the same in memory.

    Example (`--ternary-freeze-parameters="function=predict
    checkpoint=run.safetensors"`, the checkpoint holding a 2x3 `param.w`):

    ```mlir
    func.func @predict(%x: tensor<?x3xf32>, %w: tensor<2x3xf32>) -> tensor<?x2xf32>
    ```

    becomes

    ```mlir
    func.func @predict(%x: tensor<?x3xf32>) -> tensor<?x2xf32> {
      %w = arith.constant dense<[[...]]> : tensor<2x3xf32>
      ...
    ```
  }];
  let options = [
    Option<"function", "function", "std::string", /*default=*/"\"predict\"",
           "The function whose trailing arguments are the parameters">,
    Option<"checkpoint", "checkpoint", "std::string", /*default=*/"\"\"",
           "The safetensors file of the trained values">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
}

def TernaryConvolutionsToContractions
    : Pass<"ternary-convolutions-to-contractions"> {
  let summary = "Rewrite 2-D convolutions as a window gather and a contraction";
  let description = [{
    Rewrites every `linalg.conv_2d_nchw_fchw` on tensors (any strides and
    dilations) into an im2col gather of the input's windows, a
    `linalg.generic` with affine maps only, and a batched contraction of
    the flattened filter `[F, C*KH*KW]` with the windows
    `[N, C*KH*KW, OH*OW]` into the flattened output. The contraction is
    the shape `--ternary-vectorize-contractions` tiles for registers, and
    so are the two `ternary-autodiff` derives from it (the filter's and the
    windows' gradients); the gather's gradient is a scatter-add over the
    same maps. The product sums over `(c, kh, kw)` in the convolution's own
    loop order: the results are those of the convolution's loops, bit for
    bit. The inference pipeline runs it first, before autodiff.

    Other convolutions (other layouts, 1-D and 3-D, depthwise) are left as
    they are, as is anything on buffers.

    Example:

    ```mlir
    %y = linalg.conv_2d_nchw_fchw
        {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
        ins(%x, %w : tensor<?x1x28x28xf32>, tensor<32x1x3x3xf32>)
        outs(%init : tensor<?x32x26x26xf32>) -> tensor<?x32x26x26xf32>
    ```

    becomes a `linalg.generic` writing `tensor<?x1x3x3x26x26xf32>` (the
    windows), `tensor.collapse_shape`s to `tensor<?x9x676xf32>`,
    `tensor<32x9xf32>` and `tensor<?x32x676xf32>`, a contraction
    `linalg.generic` (`out[n, f, p] += w[f, k] * col[n, k, p]`) and a
    `tensor.expand_shape` back to `tensor<?x32x26x26xf32>`.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::arith::ArithDialect"];
}

def TernaryGeneralizePooling : Pass<"ternary-generalize-pooling"> {
  let summary = "Rewrite 2-D poolings as generics with the window loops "
                "outside the output's rows";
  let description = [{
    Rewrites every `linalg.pooling_nchw_max` and `linalg.pooling_nchw_sum`
    on tensors into the `linalg.generic` of its definition with the loops
    in the order `(n, c, oh, kh, kw, ow)` instead of `(n, c, oh, ow, kh,
    kw)`: the innermost loop walks a row of the output and, at the
    pooling's stride, a row of the input, which `--ternary-vectorize-rows`
    makes rows of vectors. Each output element still takes its window's
    terms in `(kh, kw)` order: the results are the pooling's, bit for bit.
    The gradient `--ternary-autodiff` derives (a scatter through the
    window's map) keeps the order. The inference pipeline runs it first,
    before autodiff. Other poolings (NHWC, whose innermost loop is already
    the channels; 1-D and 3-D) are left as they are.

    Example:

    ```mlir
    %p = linalg.pooling_nchw_max
        {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
        ins(%x, %win : tensor<?x64x24x24xf32>, tensor<2x2xf32>)
        outs(%init : tensor<?x64x12x12xf32>) -> tensor<?x64x12x12xf32>
    ```

    becomes

    ```mlir
    %p = linalg.generic {indexing_maps = [
          affine_map<(n, c, oh, kh, kw, ow) -> (n, c, oh * 2 + kh, ow * 2 + kw)>,
          affine_map<(n, c, oh, kh, kw, ow) -> (kh, kw)>,
          affine_map<(n, c, oh, kh, kw, ow) -> (n, c, oh, ow)>],
        iterator_types = ["parallel", "parallel", "parallel", "reduction",
                          "reduction", "parallel"]}
        ins(%x, %win : ...) outs(%init : ...) {
    ^bb0(%in: f32, %w: f32, %out: f32):
      %m = arith.maximumf %in, %out : f32
      linalg.yield %m : f32
    } -> tensor<?x64x12x12xf32>
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def TernaryMergeFunctions
    : Pass<"ternary-merge-functions", "::mlir::ModuleOp"> {
  let summary = "Keep one body of functions that compute the same thing";
  let description = [{
    Functions with the same type and the same body (the same ops with the
    same attributes in the same order, locations aside) are compiled once.
    A module often holds such twins: a gradient requested with
    `ternary.gradient` and the one `ternary.train_step` derives for its step
    over the same parameters; an eval step cloned from a forward without
    dropout. Lowering each twin costs as much as the first: a fifth of the
    code of the 10M-parameter decoder's module.

    Of each set of twins the first public function (or the first, if all
    are private) keeps its body. A private twin is erased and its uses call
    the kept function; a public twin keeps its name and signature, and its
    body becomes a call of the kept function. Twins must also agree on
    which arguments are `bufferization.writable`. The inference pipeline
    runs this pass after the derivation of gradients and train steps.

    Example:

    ```mlir
    func.func @loss(%x: tensor<4xf32>) -> tensor<f32> { ...body... }
    func.func @eval_step(%x: tensor<4xf32>) -> tensor<f32> { ...body... }
    ```

    becomes

    ```mlir
    func.func @loss(%x: tensor<4xf32>) -> tensor<f32> { ...body... }
    func.func @eval_step(%x: tensor<4xf32>) -> tensor<f32> {
      %0 = call @loss(%x) : (tensor<4xf32>) -> tensor<f32>
      return %0 : tensor<f32>
    }
    ```
  }];
}

def TernaryDecompose : Pass<"ternary-decompose"> {
  let summary = "Decompose ternary.bitlinear into its quantisation steps; share the weight scale with bitlinear_grad";
  let description = [{
    Rewrites every `ternary.bitlinear` into `ternary.normalize` (omitted for
    `norm = none`), `ternary.quantize_activations`, `ternary.weight_scale`,
    `ternary.quantize_weights`, `ternary.matmul` and `ternary.rescale`,
    carrying the layer's attributes over. The integer decomposition exists
    only for `lambda = 1`: a layer with a quantisation warm-up factor below 1
    is a training-time layer, left as it is (`--convert-ternary-to-linalg`
    lowers it in f32 with the blended operands).

    A `ternary.bitlinear_grad` without a `weight_scale(%g)` operand gets
    one: a `ternary.weight_scale` of its weight with its `scale` and `eps`,
    the same op as the forward layer's, so that CSE leaves one computation
    of the scale for both passes (absmedian's selection sweeps the weight
    31 times).

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
    Constants with a value outside {-1, 0, +1} are left alone; so are
    weights computed at run time, unless `runtime-weights` is set: then the
    output of `ternary.quantize_weights` (ternary by construction) is packed
    at run time too, so that the product uses the packed kernels, unless
    its rows are known to be shorter than one 64-byte block of the kernels
    (K < 256 for i2, 320 for base3), where the f32 contraction does better.
    The inference pipeline sets it by default: the packing is one
    vectorised pass over the i8 weights, which the product then reads at 2
    bits a weight instead of 8 (a train step's forward products run on the
    VNNI kernels; docs/performance-history.md).

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
           "::mlir::ternary::encodingOptionValues()">,
    Option<"runtimeWeights", "runtime-weights", "bool", /*default=*/"false",
           "Also pack the quantised weights computed at run time">
  ];
  let dependentDialects = ["::mlir::ternary::TernaryDialect"];
}

def TernaryFuseQuantization : Pass<"ternary-fuse-quantization"> {
  let summary = "Fuse normalisation into quantisation, and rescale into the product";
  let description = [{
    Two fusions, each only where the intermediate value has no other use:

    - `ternary.quantize_activations(ternary.normalize(x))` becomes one
      `ternary.quantize_activations` of `x` with the `norm` attribute (and
      gamma, beta): one sweep computes the row statistics, the absmax and
      the int8 values, never storing the normalised rows (the eps of both
      steps must be equal);
    - `ternary.rescale(ternary.matmul(xq, w), a, g, b)` becomes
      `ternary.matmul_rescale`: the kernel rescales each accumulator and adds
      the bias as it computes it, never storing the i32 accumulators.

    The frozen-weight part of quantisation (scale and ternary values of
    constant weights) is folded at compile time by canonicalisation, and
    packed by `ternary-pack-weights`.

    Example:

    ```mlir
    %xh = ternary.normalize %x : (tensor<4x16xf32>) -> tensor<4x16xf32>
    %xq, %a = ternary.quantize_activations %xh
        : tensor<4x16xf32> -> tensor<4x16xi8>, tensor<4xf32>
    %acc = ternary.matmul %xq, %w : tensor<4x16xi8>, tensor<8x16xi8> -> tensor<4x8xi32>
    %y = ternary.rescale %acc, %a, %g : tensor<4x8xi32>, tensor<4xf32> -> tensor<4x8xf32>
    ```

    becomes

    ```mlir
    %xq, %a = ternary.quantize_activations %x {norm = #ternary.norm<layer>}
        : tensor<4x16xf32> -> tensor<4x16xi8>, tensor<4xf32>
    %y = ternary.matmul_rescale %xq, %w, %a, %g
        : tensor<4x16xi8>, tensor<8x16xi8>, tensor<4xf32> -> tensor<4x8xf32>
    ```
  }];
  let dependentDialects = ["::mlir::ternary::TernaryDialect"];
}

#endif // TERNARY_PASSES_TRANSFORMS_PASSES_TD
