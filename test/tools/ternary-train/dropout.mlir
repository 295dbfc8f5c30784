// A model with dropout trains reproducibly: the {ternary.seed} argument
// gets a seed from --seed and the step, so two runs with one --seed give
// the same parameters and another --seed other ones; evaluation drops
// nothing (the eval step has no dropout), so it is deterministic too.
// RUN: rm -rf %t && mkdir -p %t
// RUN: ternary-train %s --input=@%fixtures/training/mlp/x.npy --input=@%fixtures/training/mlp/labels.npy --val-input=@%fixtures/training/mlp/x.npy --val-input=@%fixtures/training/mlp/labels.npy --batch-size=4 --epochs=2 --seed=1 --progress=none --save-params=%t/a | FileCheck %s
// RUN: ternary-train %s --input=@%fixtures/training/mlp/x.npy --input=@%fixtures/training/mlp/labels.npy --batch-size=4 --epochs=2 --seed=1 --progress=none --save-params=%t/b
// RUN: ternary-train %s --input=@%fixtures/training/mlp/x.npy --input=@%fixtures/training/mlp/labels.npy --batch-size=4 --epochs=2 --seed=2 --progress=none --save-params=%t/c
// RUN: ternary-npy-compare %t/a/w1.npy %t/b/w1.npy --rtol=0
// RUN: not ternary-npy-compare %t/a/w1.npy %t/c/w1.npy --rtol=0
// RUN: ternary-opt %s --ternary-train-step | FileCheck %s --check-prefix=IR

// CHECK: epoch 1: train loss {{[0-9.]+}}, validation loss {{[0-9.]+}}
// CHECK: epoch 2: train loss

// IR-LABEL: func.func private @train_step_loss_and_grads(
// IR: ternary.dropout
// IR: ternary.dropout
// IR-LABEL: func.func @eval_step(
// IR-NOT: ternary.dropout
// IR: return

func.func @loss(%x: tensor<?x20xf32>, %labels: tensor<?xi64>,
                %seed: tensor<i64> {ternary.seed},
                %w1: tensor<12x20xf32> {ternary.name = "w1"},
                %b1: tensor<12xf32> {ternary.name = "b1"},
                %w2: tensor<4x12xf32> {ternary.name = "w2"},
                %b2: tensor<4xf32> {ternary.name = "b2"}) -> tensor<f32>
    attributes {ternary.train_step = #ternary.train_step<name = "train_step",
                                      params = array<i64: 3, 4, 5, 6>,
                                      lr = 0.01, eval = "eval_step">} {
  %s = tensor.extract %seed[] : tensor<i64>
  %h = ternary.bitlinear %x, %w1 bias %b1
      : (tensor<?x20xf32>, tensor<12x20xf32>, tensor<12xf32>) -> tensor<?x12xf32>
  %d = ternary.dropout %h, %s {p = 0.25} : tensor<?x12xf32>
  %y = ternary.bitlinear %d, %w2 bias %b2
      : (tensor<?x12xf32>, tensor<4x12xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %l = ternary.cross_entropy %y, %labels
      : (tensor<?x4xf32>, tensor<?xi64>) -> tensor<f32>
  return %l : tensor<f32>
}
