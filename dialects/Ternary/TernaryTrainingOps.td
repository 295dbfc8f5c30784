//===- TernaryTrainingOps.td - Training ops of ternary -----*- tablegen -*-===//
//
// The operations of training: BitLinear's STE gradient, the losses,
// embeddings, CSR aggregation, dropout and the optimisers. Included by
// TernaryOps.td (one op list, one generated file).
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_TRAININGOPS_TD
#define TERNARY_TRAININGOPS_TD

def Ternary_BitLinearGradOp : Ternary_Op<"bitlinear_grad",
    [Pure, AttrSizedOperandSegments]> {
  let summary = "Gradients of a BitLinear layer (straight-through estimator)";
  let description = [{
    The backward pass of `ternary.bitlinear` for a 2-D input `x : [M, K]`,
    latent weight `W : [N, K]` and output gradient `dy : [M, N]`, with the
    same attributes as the forward layer. Following the semantics document:
    the identity straight-through estimator through both quantisers (no mask
    for clamped values), no gradient through the scales `a` and `g`, and the
    gradient continued through the normalisation into `x`. With
    `xq`, `a`, `wq`, `g` the forward's quantities:

    - `dbias[j] = sum_r dy[r, j] * g * a_r / Q`;
    - `dW[j, i] = sum_r dy[r, j] * (a_r / Q) * xq[r, i]`;
    - `dxh[r, i] = g * sum_j dy[r, j] * wq[j, i]`: the input-gradient
      product multiplies by the ternary weights (i8, a quarter of the f32
      weights' memory traffic);
    - `dx` is `dxh` through the normalisation's backward pass; with
      `layer_affine` the results also hold `dgamma` and `dbeta`.

    With `lambda < 1` (quantisation warm-up) the products use the blended
    operands `v + lambda * (q(v) - v)` (`v = xh * Q / a`, resp. `W / g`)
    in place of `xq` and `wq`, as the forward does; the optional operand
    `lambda(%l)` gives lambda at run time and `sample(%seed)` selects the
    stochastic rounding of the weights (as for `ternary.bitlinear`; the
    same seed gives the forward's weights).

    The optional operand `weight_scale(%g)` is the weight scale `g` of the
    forward pass (`ternary.weight_scale` of the same weight with the same
    `scale` and `eps`); without it the lowering computes `g` again.
    `--ternary-decompose` adds it, so that the forward's and the backward's
    scale are one computation after CSE.

    The results are `dx`, `dW`, `dbias` and, with `layer_affine`, `dgamma`
    and `dbeta`. `dbias` is computed whether or not the layer has a bias.
    `ternary-autodiff` creates this op; `--convert-ternary-to-linalg`
    lowers it.

    Example:

    ```mlir
    %dx, %dw, %db = ternary.bitlinear_grad %x, %w, %dy
        : (tensor<?x64xf32>, tensor<32x64xf32>, tensor<?x32xf32>)
        -> (tensor<?x64xf32>, tensor<32x64xf32>, tensor<32xf32>)
    ```
  }];
  let arguments = (ins
    Ternary_F32Tensor:$input,
    Ternary_F32Tensor:$weight,
    Ternary_F32Tensor:$result_grad,
    Optional<Ternary_F32Tensor>:$gamma,
    Optional<Ternary_F32Tensor>:$beta,
    Optional<F32>:$lambda_value,
    Optional<I64>:$rounding_seed,
    Optional<F32>:$weight_scale,
    DefaultValuedAttr<Ternary_ScaleMethodAttr,
                      "::mlir::ternary::ScaleMethod::absmedian">:$scale,
    DefaultValuedAttr<Ternary_NormKindAttr,
                      "::mlir::ternary::NormKind::layer">:$norm,
    DefaultValuedAttr<I32Attr, "8">:$act_bits,
    DefaultQ:$q,
    DefaultEps:$eps,
    DefaultValuedAttr<F32Attr, "1.0">:$lambda
  );
  let results = (outs
    Ternary_F32Tensor:$input_grad,
    Ternary_F32Tensor:$weight_grad,
    Ternary_F32Tensor:$bias_grad,
    Variadic<Ternary_F32Tensor>:$affine_grads
  );
  let assemblyFormat = [{
    $input `,` $weight `,` $result_grad (`affine` `(` $gamma^ `,` $beta `)`)?
    (`lambda` `(` $lambda_value^ `)`)? (`sample` `(` $rounding_seed^ `)`)?
    (`weight_scale` `(` $weight_scale^ `)`)?
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Ternary_CrossEntropyOp : Ternary_Op<"cross_entropy",
    [Pure, DeclareOpInterfaceMethods<Ternary_AdjointOpInterface>]> {
  let summary = "Mean softmax cross-entropy against integer labels";
  let description = [{
    `loss = sum_{r : labels[r] != ignore_index} (logsumexp(logits[r]) -
    logits[r, labels[r]]) / count`, the mean over the rows whose label is
    not `ignore_index` (PyTorch's `cross_entropy` with `reduction = mean`),
    for `logits : [M, C]` f32 and `labels : [M]` i64. With every row
    ignored the result is NaN (0 / 0), as in PyTorch. Compiled code checks
    at run time that every other label is in `[0, C)`.

    Upstream has `linalg.softmax` but no loss that gathers by an integer
    label, and the loss and its gradient share the row statistics; hence
    this op and `ternary.cross_entropy_grad`.

    Example:

    ```mlir
    %loss = ternary.cross_entropy %logits, %labels
        : (tensor<?x10xf32>, tensor<?xi64>) -> tensor<f32>
    ```
  }];
  let arguments = (ins
    Ternary_F32Tensor:$logits,
    RankedTensorOf<[I64]>:$labels,
    DefaultValuedAttr<I64Attr, "-100">:$ignore_index
  );
  let results = (outs 0DTensorOf<[F32]>:$loss);
  let assemblyFormat = [{
    $logits `,` $labels attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Ternary_CrossEntropyGradOp : Ternary_Op<"cross_entropy_grad", [Pure]> {
  let summary = "Gradient of ternary.cross_entropy with respect to the logits";
  let description = [{
    `dlogits[r, c] = dloss * (softmax(logits[r])[c] - [c == labels[r]]) /
    count` for the rows whose label is not `ignore_index`, and 0 for the
    others; `count` is the number of rows not ignored.

    Example:

    ```mlir
    %dlogits = ternary.cross_entropy_grad %logits, %labels, %dloss
        : (tensor<?x10xf32>, tensor<?xi64>, tensor<f32>) -> tensor<?x10xf32>
    ```
  }];
  let arguments = (ins
    Ternary_F32Tensor:$logits,
    RankedTensorOf<[I64]>:$labels,
    0DTensorOf<[F32]>:$loss_grad,
    DefaultValuedAttr<I64Attr, "-100">:$ignore_index
  );
  let results = (outs Ternary_F32Tensor:$logits_grad);
  let assemblyFormat = [{
    $logits `,` $labels `,` $loss_grad attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Ternary_EmbeddingOp : Ternary_Op<"embedding",
    [Pure, DeclareOpInterfaceMethods<Ternary_AdjointOpInterface>]> {
  let summary = "Rows of an embedding table gathered by integer ids";
  let description = [{
    `result[i..., d] = table[ids[i...], d]` for `table : [V, D]` f32 and
    `ids` of any shape, i64; the result has the shape of `ids` followed by
    `D` (PyTorch's `nn.Embedding`). Compiled code checks at run time that
    every id is in `[0, V)`. Its gradient is `ternary.embedding_grad`.

    Upstream has no gather with a matching scatter-add gradient that
    bufferizes in place (`tensor.gather`/`tensor.scatter` have no lowering
    to loops), hence this op.

    Example:

    ```mlir
    %e = ternary.embedding %table, %ids
        : (tensor<65x64xf32>, tensor<?x32xi64>) -> tensor<?x32x64xf32>
    ```
  }];
  let arguments = (ins Ternary_F32Tensor:$table, RankedTensorOf<[I64]>:$ids);
  let results = (outs Ternary_F32Tensor:$result);
  let assemblyFormat = [{
    $table `,` $ids attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Ternary_EmbeddingGradOp : Ternary_Op<"embedding_grad", [Pure]> {
  let summary = "Gradient of ternary.embedding with respect to the table";
  let description = [{
    `result[v, d] = sum over positions p with ids[p] = v of
    result_grad[p, d]`: a scatter-add of the output gradient into a zero
    table of the shape of `table` (whose values are not read), in the order
    of the positions.

    Example:

    ```mlir
    %dt = ternary.embedding_grad %table, %ids, %de
        : (tensor<65x64xf32>, tensor<?x32xi64>, tensor<?x32x64xf32>)
        -> tensor<65x64xf32>
    ```
  }];
  let arguments = (ins Ternary_F32Tensor:$table, RankedTensorOf<[I64]>:$ids,
                       Ternary_F32Tensor:$result_grad);
  let results = (outs Ternary_F32Tensor:$table_grad);
  let assemblyFormat = [{
    $table `,` $ids `,` $result_grad attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Ternary_SpmmOp : Ternary_Op<"spmm",
    [Pure, DeclareOpInterfaceMethods<Ternary_AdjointOpInterface>]> {
  let summary = "Sparse (CSR) times dense: neighbourhood aggregation";
  let description = [{
    `result[r, :] = sum_{e in [indptr[r], indptr[r + 1])} values[e] *
    input[indices[e], :]` for a sparse `[M, N]` matrix in CSR form
    (`indptr : [M + 1]`, `indices` and `values : [nnz]`) and a dense
    `input : [N, D]`: the normalised neighbourhood aggregation of GCN and
    SGC layers (`values` holds the normalised adjacency, e.g.
    `D^-1/2 (A + I) D^-1/2`). Terms are added in the order of the entries.
    Compiled code checks the indices at run time. Its gradient with respect
    to `input` is `ternary.spmm_transpose` (the adjacency is a constant of
    training: `values` gets no gradient).

    Upstream has sparse tensors (`sparse_tensor`) but not on the project's
    plain-buffer ABI; this op takes the CSR arrays as ordinary tensors.

    Example:

    ```mlir
    %h = ternary.spmm %indptr, %indices, %values, %x
        : (tensor<2709xi64>, tensor<?xi64>, tensor<?xf32>, tensor<2708x16xf32>)
        -> tensor<2708x16xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I64]>:$indptr,
                       RankedTensorOf<[I64]>:$indices,
                       Ternary_F32Tensor:$values, Ternary_F32Tensor:$input);
  let results = (outs Ternary_F32Tensor:$result);
  let assemblyFormat = [{
    $indptr `,` $indices `,` $values `,` $input attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Ternary_SpmmTransposeOp : Ternary_Op<"spmm_transpose", [Pure]> {
  let summary = "Transposed sparse (CSR) times dense";
  let description = [{
    `result = A^T input` for the CSR matrix `A : [M, N]` of
    `ternary.spmm` and `input : [M, D]`; `result : [N, D]` (its first
    dimension is that of `like`, whose values are not read): the gradient
    of `ternary.spmm` with respect to its dense operand, a scatter-add in
    the order of the entries.

    Example:

    ```mlir
    %dx = ternary.spmm_transpose %indptr, %indices, %values, %dh, %x
        : (tensor<2709xi64>, tensor<?xi64>, tensor<?xf32>, tensor<2708x16xf32>,
           tensor<2708x16xf32>) -> tensor<2708x16xf32>
    ```
  }];
  let arguments = (ins RankedTensorOf<[I64]>:$indptr,
                       RankedTensorOf<[I64]>:$indices,
                       Ternary_F32Tensor:$values, Ternary_F32Tensor:$input,
                       Ternary_F32Tensor:$like);
  let results = (outs Ternary_F32Tensor:$result);
  let assemblyFormat = [{
    $indptr `,` $indices `,` $values `,` $input `,` $like attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Ternary_DropoutOp : Ternary_Op<"dropout",
    [Pure, AllTypesMatch<["input", "result"]>,
     DeclareOpInterfaceMethods<Ternary_AdjointOpInterface>]> {
  let summary = "Seeded, reproducible dropout";
  let description = [{
    `result[i] = keep(seed, i) ? input[i] / (1 - p) : 0` where `i` is the
    row-major linear index of the element and `keep` is a counter-based
    random draw: `u = (splitmix64(seed * 2^32 + i) >> 40) * 2^-24`, kept
    when `u >= p`. The same seed and shape give the same mask on any
    machine; the mask does not depend on the values, so the op is its own
    gradient (`ternary-autodiff` applies it, with the same seed, to the
    output gradient). `p = 0` is the identity.

    Upstream has no random-number op whose stream is fixed by a seed and
    the element's index on every target (which makes the mask recomputable
    in the backward pass without storing it), hence this op.

    Example:

    ```mlir
    %h = ternary.dropout %x, %seed {p = 0.5} : tensor<?x1024xf32>
    ```
  }];
  let arguments = (ins Ternary_F32Tensor:$input, I64:$seed, F64Attr:$p);
  let results = (outs Ternary_F32Tensor:$result);
  let assemblyFormat = "$input `,` $seed attr-dict `:` type($input)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Optimiser operations
//===----------------------------------------------------------------------===//

def Ternary_AdamWOp : Ternary_Op<"adamw", [Pure, AllTypesMatch<
    ["param", "grad", "exp_avg", "exp_avg_sq", "new_param", "new_exp_avg",
     "new_exp_avg_sq"]>]> {
  let summary = "One AdamW step of one parameter tensor (decoupled decay)";
  let description = [{
    PyTorch's `AdamW` update (`amsgrad = False`) for the 1-based step
    `step`, in PyTorch's order of operations:

    ```
    p = p * (1 - lr * weight_decay)
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    p = p - (lr / (1 - beta1^step)) * m / (sqrt(v) / sqrt(1 - beta2^step) + eps)
    ```

    The scalar factors are computed in f64 (as PyTorch does in Python) and
    rounded to f32; the element-wise work is f32. `lr` and `weight_decay`
    are operands so that schedules can change them; the results are the
    new parameter and moment tensors.

    Example:

    ```mlir
    %p1, %m1, %v1 = ternary.adamw %p, %g, %m, %v, %lr, %wd, %step
        : tensor<128x64xf32>, f64, i64
    ```
  }];
  let arguments = (ins
    Ternary_F32Tensor:$param, Ternary_F32Tensor:$grad,
    Ternary_F32Tensor:$exp_avg, Ternary_F32Tensor:$exp_avg_sq,
    F64:$lr, F64:$weight_decay, I64:$step,
    DefaultValuedAttr<F64Attr, "0.9">:$beta1,
    DefaultValuedAttr<F64Attr, "0.999">:$beta2,
    DefaultValuedAttr<F64Attr, "1e-8">:$eps
  );
  let results = (outs Ternary_F32Tensor:$new_param,
                      Ternary_F32Tensor:$new_exp_avg,
                      Ternary_F32Tensor:$new_exp_avg_sq);
  let assemblyFormat = [{
    $param `,` $grad `,` $exp_avg `,` $exp_avg_sq `,` $lr `,` $weight_decay
    `,` $step attr-dict `:` type($param) `,` type($lr) `,` type($step)
  }];
  let hasVerifier = 1;
}

def Ternary_SGDOp : Ternary_Op<"sgd", [Pure, AllTypesMatch<
    ["param", "grad", "momentum_buffer", "new_param",
     "new_momentum_buffer"]>]> {
  let summary = "One SGD step with momentum of one parameter tensor";
  let description = [{
    PyTorch's `SGD` update (dampening 0):

    ```
    d = g + weight_decay * p
    buf = momentum * buf + d          (buf starts at zero)
    d = nesterov ? d + momentum * buf : buf
    p = p - lr * d
    ```

    With `momentum = 0` the buffer is returned unchanged and `d = g + wd p`.

    Example:

    ```mlir
    %p1, %b1 = ternary.sgd %p, %g, %buf, %lr, %wd {momentum = 0.9}
        : tensor<10x128xf32>, f64
    ```
  }];
  let arguments = (ins
    Ternary_F32Tensor:$param, Ternary_F32Tensor:$grad,
    Ternary_F32Tensor:$momentum_buffer, F64:$lr, F64:$weight_decay,
    DefaultValuedAttr<F64Attr, "0.0">:$momentum,
    DefaultValuedAttr<BoolAttr, "false">:$nesterov
  );
  let results = (outs Ternary_F32Tensor:$new_param,
                      Ternary_F32Tensor:$new_momentum_buffer);
  let assemblyFormat = [{
    $param `,` $grad `,` $momentum_buffer `,` $lr `,` $weight_decay attr-dict
    `:` type($param) `,` type($lr)
  }];
  let hasVerifier = 1;
}

def Ternary_LRScheduleOp : Ternary_Op<"lr_schedule", [Pure]> {
  let summary = "The learning rate of a step under a schedule";
  let description = [{
    The learning rate (f64) of the 0-based step `step` under `schedule`
    (see `#ternary.lr_schedule`) with peak rate `lr`, `warmup_steps` and
    `total_steps`, and `min_lr` for `cosine` and `two_stage`.

    Example:

    ```mlir
    %lr = ternary.lr_schedule %t {schedule = #ternary.lr_schedule<cosine>,
        lr = 1.0e-3, warmup_steps = 100 : i64, total_steps = 1000 : i64}
        : i64
    ```
  }];
  let arguments = (ins
    I64:$step,
    Ternary_LRScheduleAttr:$schedule,
    F64Attr:$lr,
    DefaultValuedAttr<I64Attr, "0">:$warmup_steps,
    DefaultValuedAttr<I64Attr, "0">:$total_steps,
    DefaultValuedAttr<F64Attr, "0.0">:$min_lr
  );
  let results = (outs F64:$result);
  let assemblyFormat = "$step attr-dict `:` type($step)";
  let hasVerifier = 1;
}

def Ternary_GlobalNormOp : Ternary_Op<"global_norm", [Pure]> {
  let summary = "L2 norm of several tensors together";
  let description = [{
    The 2-norm of all the elements of the given tensors taken as one vector
    (the gradient norm that PyTorch's `clip_grad_norm_` returns): the squares
    are summed in f64, one tensor after the other (a tensor's in an order
    that vectorises, the same for any thread count), and the square root is
    rounded to f32. Train steps report it and clip with it: multiplying every
    gradient by `min(1, max_norm / (norm + 1e-6))` clips their global norm to
    `max_norm`.

    Example:

    ```mlir
    %n = ternary.global_norm %g1, %g2 : tensor<128x64xf32>, tensor<128xf32>
    ```
  }];
  let arguments = (ins Variadic<Ternary_F32Tensor>:$inputs);
  let results = (outs F32:$result);
  let assemblyFormat = "$inputs attr-dict `:` type($inputs)";
  let hasVerifier = 1;
}

#endif // TERNARY_TRAININGOPS_TD
