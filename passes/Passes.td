//===- Passes.td - Passes of the ternary compiler ----------*- tablegen -*-===//

#ifndef TERNARY_PASSES_TD
#define TERNARY_PASSES_TD

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
    - `NAME(forward arguments..., state..., %step: tensor<i64>) -> loss`:
      one optimiser step that updates the parameters, the optimiser state
      (AdamW: all first moments, then all second moments; SGD: momentum
      buffers; zeros initially) and the step counter (0 initially) in the
      caller's buffers (`bufferization.writable` arguments written with
      `bufferization.materialize_in_destination`), and returns the loss
      before the update;
    - with `eval = "EVAL"`, a copy `EVAL` of the forward function without
      its `ternary.dropout` ops (evaluation mode).

    The step's learning rate comes from `ternary.lr_schedule` of the
    counter; with `max_grad_norm > 0` all gradients are first scaled by the
    global-norm clipping coefficient; `two_stage` schedules also turn weight
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

def TernaryStridedCopiesToLinalg : Pass<"ternary-strided-copies-to-linalg"> {
  let summary = "Turn memref.copy of non-contiguous buffers into linalg.copy";
  let description = [{
    `memref.copy` between buffers that are not both contiguous lowers to a
    call of MLIR's C runner library (`memrefCopy`), which the project's JIT
    and object files do not link. This pass rewrites those copies (and only
    those: contiguous copies stay `memcpy`) as `linalg.copy`, which
    `--convert-linalg-to-loops` lowers to plain loops. Bufferization creates
    them for slices, e.g. the gradient of `tensor.pad`.

    Example:

    ```mlir
    memref.copy %slice, %buf : memref<2x3xf32, strided<[7, 1], offset: 8>> to memref<2x3xf32>
    ```

    becomes

    ```mlir
    linalg.copy ins(%slice : memref<2x3xf32, strided<[7, 1], offset: 8>>) outs(%buf : memref<2x3xf32>)
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
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
    at run time too, so that the product uses the packed kernels (worth it
    when many rows share the weights, as in GEMM; GEMV pays the packing).

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

def TernarySelectKernels : Pass<"ternary-select-kernels"> {
  let summary = "Choose the kernel of every packed ternary product";
  let description = [{
    Sets the `kernel` attribute of every `ternary.matmul` and
    `ternary.matmul_rescale` whose weights are packed and whose activations
    are 2-D: the choice of `--convert-ternary-to-linalg`, made visible in
    the IR (as IREE's lowering configurations are). `kernel=auto` (the
    default) picks the best kernel the target features allow, from
    `target-features` or, when that is empty, the host CPU: `avx512_vnni`
    (AVX-512 F, BW and VNNI), else `avx2`, else `vector`. Any other value
    is set as it is, without a check of the target: the tools check a
    requested kernel against their target machine. A product that already
    has a kernel keeps it; unpacked products and products of more than two
    dimensions are left alone (they become `linalg.generic` loops).

    Example (`--ternary-select-kernels=target-features=+avx2`):

    ```mlir
    %acc = ternary.matmul %xq, %p
        : tensor<4x64xi8>, !ternary.packed<32x64, i2> -> tensor<4x32xi32>
    ```

    becomes

    ```mlir
    %acc = ternary.matmul %xq, %p {kernel = #ternary.kernel<avx2>}
        : tensor<4x64xi8>, !ternary.packed<32x64, i2> -> tensor<4x32xi32>
    ```
  }];
  let options = [
    Option<"kernel", "kernel", "::mlir::ternary::PackedKernel",
           /*default=*/"::mlir::ternary::PackedKernel::auto_",
           "Kernel of the packed ternary product",
           "::mlir::ternary::packedKernelOptionValues()">,
    Option<"targetFeatures", "target-features", "std::string",
           /*default=*/"\"\"",
           "LLVM target features for kernel=auto (default: the host's)">
  ];
  let dependentDialects = ["::mlir::ternary::TernaryDialect"];
}

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
      (absmean; absmedian by a bitwise selection of the lower middle
      value), `quantize_weights`;
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
    - optimisers: `adamw`, `sgd`, `lr_schedule`, `clip_coefficient`.

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

def TernaryRequestCInterface
    : Pass<"ternary-request-c-interface", "::mlir::ModuleOp"> {
  let summary = "Give public functions a C interface";
  let description = [{
    Sets `llvm.emit_c_interface` on every public `func.func` with a body, so
    that the conversion to LLVM emits `_mlir_ciface_NAME` taking memref
    descriptors by pointer (the ABI of `ternary-compile --header`). Private
    functions and declarations, such as the runtime's
    `ternary_check_failed`, keep their plain calling convention.

    Example: `func.func @f(%x: tensor<?xf32>)` gets
    `attributes {llvm.emit_c_interface}`; `func.func private @g()` does not.
  }];
}

def TernaryLowerDotBytes : Pass<"ternary-lower-dot-bytes"> {
  let summary = "Lower ternary.dot_bytes to x86 intrinsics";
  let description = [{
    Replaces every `ternary.dot_bytes` by `llvm.call_intrinsic` of
    `llvm.x86.avx512.vpdpbusd.512` (`avx512_vnni`) or of
    `llvm.x86.avx2.pmadd.ub.sw` and `llvm.x86.avx2.pmadd.wd` followed by an
    `arith.addi` (`avx2`). Run it after bufferization and buffer
    deallocation, before the conversion to LLVM.

    Example:

    ```mlir
    %r = ternary.dot_bytes %acc, %a, %b {kernel = #ternary.dot_kernel<avx512_vnni>}
        : vector<16xi32>, vector<64xi8>
    ```

    becomes

    ```mlir
    %r = llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%acc, %a, %b)
        : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
    ```
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::arith::ArithDialect"];
}

def TernaryParallelize : Pass<"ternary-parallelize", "::mlir::func::FuncOp"> {
  let summary = "Split large linalg ops on buffers into tasks for threads";
  let description = [{
    Tiles one parallel loop of every `linalg` op on buffers that sits
    directly in a function body (element-wise ops, row-wise reductions,
    transposes, fills, copies, the contractions
    `--ternary-vectorize-contractions` did not take) into an `scf.forall`
    whose iterations each hold at least `min-work` iterations of the op's
    loops. The loop is the outermost parallel one that every output uses
    and that gives at least two tasks (the work of an iteration counts the
    other loops' static sizes); ops without one (a full reduction, ops
    smaller than two tasks) are left alone, as are ops inside loops (the
    remainder tiles of the kernels). When the loop's size is dynamic (a
    batch), the op is split all the same, with tasks of the size the static
    loops call for; how many tasks there are is known at run time only, and
    `--ternary-omp-if-several-tasks` keeps a region of one task on the
    calling thread.

    Only parallel loops are split and each task runs the op's own loops on
    its slice, so every output element is computed by the same operations
    in the same order as without the pass: results are identical for any
    number of threads. The pipeline lowers the `scf.forall` to OpenMP
    (`scf-forall-to-parallel`, `convert-scf-to-openmp`), or to a plain loop
    with `parallel=false`.

    Example (`min-work=32768`): a `linalg.generic` adding two
    `memref<512x1024xf32>` becomes an
    `scf.forall (%i) = (0) to (512) step (32)` around the same generic on
    `memref.subview`s of 32 rows.
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t", /*default=*/"32768",
           "Iterations of the op's loops a task holds at least">
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect"];
}

def TernaryOmpIfSeveralTasks : Pass<"ternary-omp-if-several-tasks"> {
  let summary = "Run OpenMP parallel regions of fewer than two tasks on the calling thread";
  let description = [{
    Gives every `omp.parallel` region that holds one worksharing loop
    (`omp.wsloop` around an `omp.loop_nest`, as `convert-scf-to-openmp`
    makes of an `scf.parallel`) and no `if` clause of its own the clause
    `if(trip count >= 2)`, the trip count computed from the loop's bounds
    before the region. A region whose loop has a single iteration (a
    dynamic batch too small to split, the last task of a tiny op) then runs
    on the calling thread without waking the others, as the OpenMP
    specification defines for a false `if`: the same code on one thread, so
    results do not change. Regions whose trip count is a constant of at
    least two are left without a clause; so are regions with other
    structure (several loops, bounds computed inside the region).

    This is what lets `--ternary-parallelize` split an op whose task loop
    has a dynamic size once, instead of compiling the op twice behind a
    run-time test. Run after `convert-scf-to-openmp`, before
    `convert-openmp-to-llvm`.

    Example:

    ```mlir
    omp.parallel {
      omp.wsloop {
        omp.loop_nest (%i) : index = (%c0) to (%n) step (%c32) { ... }
      }
      omp.terminator
    }
    ```

    becomes

    ```mlir
    %tasks = arith.ceildivsi %span, %c32 : index   // %span = max(%n - %c0, 0)
    %several = arith.cmpi sge, %tasks, %c2 : index
    omp.parallel if(%several) { ... }
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def TernaryOutlineLinalg : Pass<"ternary-outline-linalg", "::mlir::ModuleOp"> {
  let summary = "Give each distinct linalg op one function, shared by its uses";
  let description = [{
    Moves linalg ops on buffers that sit directly in a function body into
    private functions `__ternary_linalg_N`, one per distinct op, and calls
    them: every f32 contraction that `--ternary-vectorize-contractions`
    takes (the same rule: two inputs, an output contiguous along n, at least
    one m, n and k), and every other linalg op that occurs at least twice in
    the module. Two ops are the same when the functions holding them are:
    the same op (maps, iterators, body, attributes) on operands of the same
    types (static sizes and layouts included). The function's arguments are
    the op's operands and the values its body reads from outside; constants
    it reads are cloned into it.

    The passes after it (the contraction kernel, tasks, loops, LLVM) then
    work on one copy per distinct op instead of one per use, so that the
    code LLVM compiles stops growing with the number of identical layers:
    the projections of an attention block, the blocks of a deeper model,
    the same product or element-wise op in the forward and the backward
    pass. The functions hold the ops as they were, so the code made of each
    is the same as without the pass. They are internal and marked
    `noinline` (`passthrough`), so LLVM compiles each once. An op used
    once, other than a contraction, stays where it is: LLVM sees its
    buffers' provenance there.

    Example:

    ```mlir
    func.func @f(%x: memref<?x128xf32>, %w: memref<128x128xf32>,
                 %q: memref<?x128xf32>, %k: memref<?x128xf32>) {
      linalg.matmul ins(%x, %w : ...) outs(%q : memref<?x128xf32>)
      linalg.matmul ins(%x, %w : ...) outs(%k : memref<?x128xf32>)
      return
    }
    ```

    becomes two calls of one function:

    ```mlir
    func.func @f(...) {
      call @__ternary_linalg_0(%x, %w, %q) : (...) -> ()
      call @__ternary_linalg_0(%x, %w, %k) : (...) -> ()
      return
    }
    func.func private @__ternary_linalg_0(%a: memref<?x128xf32>,
        %b: memref<128x128xf32>, %c: memref<?x128xf32>) {
      linalg.matmul ins(%a, %b : ...) outs(%c : memref<?x128xf32>)
      return
    }
    ```
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

def TernaryVectorizeContractions : Pass<"ternary-vectorize-contractions"> {
  let summary = "Tile f32 contractions for registers and vectorise them to FMAs";
  let description = [{
    Rewrites every f32 `linalg` contraction on buffers (`linalg.matmul`,
    `linalg.batch_matmul` and any `linalg.generic` whose body is a
    multiply-accumulate with projected-permutation maps, the shapes
    `--ternary-autodiff` emits included) whose output is contiguous along
    its `n` dimension into a register-blocked microkernel: loops over
    `tile-m` x `tile-n` output blocks (batch dimensions one at a time), an
    inner loop over `k` in steps of `tile-k`, the output block held in
    vector registers across that loop, and each step `tile-k` outer
    products, one broadcast of an element of A and one FMA per vector of
    B's row. Further parallel dimensions (a second `m` or `n`, such as the
    images sharing a convolution's filter) are taken one index at a time
    like batch dimensions; further reductions (a filter gradient's sum over
    the images) one index at a time, in order, outside the register tiles.
    Either input may be A: the one without the output's contiguous
    dimension. A `B` operand that is contiguous along `k` (a linear layer's
    `x . W^T`, attention's `q . k^T`) is first transposed into a scratch
    buffer, in vectorised 16 x 16 blocks, so that its rows are contiguous
    along `n`. Remainders (sizes that
    are not multiples of the tile) are peeled and stay scalar loops; so do
    contractions smaller than one tile. Run after bufferization.

    The sum over `k` runs in the same order as the scalar loops, but with
    fused multiply-adds: results may differ from the loops in the last
    bits (docs/numerics.md).

    Example (`tile-m=8 tile-n=32 tile-k=4`): a
    `linalg.matmul ins(%a, %b : memref<64x784xf32>, memref<784x256xf32>)`
    becomes `scf.for` loops over 8 x 32 blocks of the output whose body is
    an `scf.for` over `k` carrying a `vector<8x32xf32>` accumulator, with
    `vector.fma` of broadcast elements of `%a` and rows of `%b`.
  }];
  let options = [
    Option<"tileM", "tile-m", "int64_t", /*default=*/"8",
           "Rows of the output block held in registers">,
    Option<"tileN", "tile-n", "int64_t", /*default=*/"32",
           "Columns of the output block (a multiple of the vector width)">,
    Option<"tileK", "tile-k", "int64_t", /*default=*/"4",
           "Steps of the reduction per iteration of the inner loop">
  ];
  let dependentDialects = ["::mlir::vector::VectorDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::ub::UBDialect"];
}

#endif // TERNARY_PASSES_TD
