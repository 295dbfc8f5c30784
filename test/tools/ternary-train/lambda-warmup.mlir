// Quantisation warm-up in training: the {ternary.lambda} argument gets
// 2 * sigmoid(5 * step / N) - 1 for the first N steps (then 1), so early
// steps train the latent weights nearly in full precision. The first step
// has lambda = 0 exactly: its loss is that of the unquantised layers
// (xh . W^T, rescaled), which @loss with the lambda argument at 0 computes.
// RUN: rm -rf %t && mkdir -p %t
// RUN: ternary-train %s --input=@%fixtures/training/mlp/x.npy --input=@%fixtures/training/mlp/labels.npy --param=@%fixtures/training/mlp/w1.npy --param=@%fixtures/training/mlp/b1.npy --param=@%fixtures/training/mlp/w2.npy --param=@%fixtures/training/mlp/b2.npy --batch-size=16 --epochs=4 --shuffle=false --lambda-warmup-steps=3 --progress=none --losses=%t/losses.npy | FileCheck %s
// RUN: ternary-run %s --function=loss --input=@%fixtures/training/mlp/x.npy --input=@%fixtures/training/mlp/labels.npy --input=f32=0 --input=@%fixtures/training/mlp/w1.npy --input=@%fixtures/training/mlp/b1.npy --input=@%fixtures/training/mlp/w2.npy --input=@%fixtures/training/mlp/b2.npy --output=@%t/first.npy
// RUN: ternary-run %s --function=first --input=@%t/losses.npy --output=@%t/first-step.npy
// RUN: ternary-npy-compare %t/first-step.npy %t/first.npy --rtol=1e-6
// RUN: ternary-opt %s --ternary-train-step | FileCheck %s --check-prefix=IR

// CHECK: epoch 4: train loss

// IR: ternary.bitlinear_grad %{{.*}}, %{{.*}}, %{{.*}} lambda(%{{.*}})

func.func @loss(%x: tensor<?x20xf32>, %labels: tensor<?xi64>,
                %lambda: tensor<f32> {ternary.lambda},
                %w1: tensor<12x20xf32> {ternary.name = "w1"},
                %b1: tensor<12xf32> {ternary.name = "b1"},
                %w2: tensor<4x12xf32> {ternary.name = "w2"},
                %b2: tensor<4xf32> {ternary.name = "b2"}) -> tensor<f32>
    attributes {ternary.train_step = #ternary.train_step<name = "train_step",
                                      params = array<i64: 3, 4, 5, 6>,
                                      lr = 0.01>} {
  %l = tensor.extract %lambda[] : tensor<f32>
  %h = ternary.bitlinear %x, %w1 bias %b1 lambda(%l)
      : (tensor<?x20xf32>, tensor<12x20xf32>, tensor<12xf32>, f32) -> tensor<?x12xf32>
  %y = ternary.bitlinear %h, %w2 bias %b2 lambda(%l)
      : (tensor<?x12xf32>, tensor<4x12xf32>, tensor<4xf32>, f32) -> tensor<?x4xf32>
  %loss = ternary.cross_entropy %y, %labels
      : (tensor<?x4xf32>, tensor<?xi64>) -> tensor<f32>
  return %loss : tensor<f32>
}

// The first element of a 1-D array, as a 0-d one.
func.func @first(%a: tensor<?xf32>) -> tensor<f32> {
  %c0 = arith.constant 0 : index
  %v = tensor.extract %a[%c0] : tensor<?xf32>
  %r = tensor.from_elements %v : tensor<f32>
  return %r : tensor<f32>
}
