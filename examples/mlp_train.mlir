// Training a two-layer BitLinear MLP: the forward function computes the
// mean cross-entropy of x -> BitLinear(w1, b1) -> ReLU -> BitLinear(w2, b2)
// against int64 labels (-100: ignored), both layers with the authors'
// defaults (absmedian, LayerNorm, Q = 128). Its `ternary.gradient` request
// makes --ternary-autodiff derive
//
//   @loss_and_grads(%x, %labels, %w1, %b1, %w2, %b2)
//       -> (loss, dx, dw1, db1, dw2, db2)
//
// with the straight-through estimator of the semantics document, and its
// `ternary.train_step` request makes --ternary-train-step generate
//
//   @train_step(%x, %labels, %w1, %b1, %w2, %b2,
//               4 x exp_avg, 4 x exp_avg_sq, %step: tensor<i64>) -> loss
//
// (AdamW, lr 0.01, weight decay 0.01, updating parameters, moments and step
// in place) and @eval_step (the loss alone). Every size is dynamic:
// x [B, K], w1 [H, K], b1 [H], w2 [C, H], b2 [C], labels [B].
//
//   build/bin/ternary-run examples/mlp_train.mlir --function=loss_and_grads \
//       --input=@x.npy --input=@labels.npy --input=@w1.npy --input=@b1.npy \
//       --input=@w2.npy --input=@b2.npy
//   build/bin/ternary-train examples/mlp_train.mlir --input=@x.npy \
//       --input=@labels.npy --param=@w1.npy --param=@b1.npy \
//       --param=@w2.npy --param=@b2.npy --batch-size=16 --epochs=3
func.func @loss(%x: tensor<?x?xf32>, %labels: tensor<?xi64>,
                %w1: tensor<?x?xf32> {ternary.name = "w1"},
                %b1: tensor<?xf32> {ternary.name = "b1"},
                %w2: tensor<?x?xf32> {ternary.name = "w2"},
                %b2: tensor<?xf32> {ternary.name = "b2"}) -> tensor<f32>
    attributes {ternary.gradient = {name = "loss_and_grads",
                                    wrt = array<i64: 0, 2, 3, 4, 5>},
                ternary.train_step = #ternary.train_step<name = "train_step",
                                      params = array<i64: 2, 3, 4, 5>,
                                      optimizer = adamw, lr = 0.01,
                                      weight_decay = 0.01,
                                      eval = "eval_step">} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %h = ternary.bitlinear %x, %w1 bias %b1
      : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xf32>) -> tensor<?x?xf32>
  %rows = tensor.dim %h, %c0 : tensor<?x?xf32>
  %cols = tensor.dim %h, %c1 : tensor<?x?xf32>
  %init = tensor.empty(%rows, %cols) : tensor<?x?xf32>
  %r = linalg.map ins(%h : tensor<?x?xf32>) outs(%init : tensor<?x?xf32>)
    (%v: f32, %unused: f32) {
      %zero = arith.constant 0.0 : f32
      %relu = arith.maximumf %v, %zero : f32
      linalg.yield %relu : f32
    }
  %logits = ternary.bitlinear %r, %w2 bias %b2
      : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xf32>) -> tensor<?x?xf32>
  %loss = ternary.cross_entropy %logits, %labels
      : (tensor<?x?xf32>, tensor<?xi64>) -> tensor<f32>
  return %loss : tensor<f32>
}

// Inference with the same layers: the logits. `ternary-train --export`
// binds its trailing parameter arguments to the trained values, as
// constants that the inference pipeline quantises and packs at compile time.
func.func @predict(%x: tensor<?x?xf32>,
                   %w1: tensor<?x?xf32>, %b1: tensor<?xf32>,
                   %w2: tensor<?x?xf32>, %b2: tensor<?xf32>) -> tensor<?x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %h = ternary.bitlinear %x, %w1 bias %b1
      : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xf32>) -> tensor<?x?xf32>
  %rows = tensor.dim %h, %c0 : tensor<?x?xf32>
  %cols = tensor.dim %h, %c1 : tensor<?x?xf32>
  %init = tensor.empty(%rows, %cols) : tensor<?x?xf32>
  %r = linalg.map ins(%h : tensor<?x?xf32>) outs(%init : tensor<?x?xf32>)
    (%v: f32, %unused: f32) {
      %zero = arith.constant 0.0 : f32
      %relu = arith.maximumf %v, %zero : f32
      linalg.yield %relu : f32
    }
  %logits = ternary.bitlinear %r, %w2 bias %b2
      : (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xf32>) -> tensor<?x?xf32>
  return %logits : tensor<?x?xf32>
}
