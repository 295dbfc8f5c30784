// The benchmarked BitLinear MLP, 784-256-256-10 (authors' defaults in every
// layer), ReLU, mean cross-entropy; the train step is AdamW (lr 1e-3,
// weight decay 0.01). bench/train-bench.cpp times @train_step at batch 64;
// bench/torch_train_step.py times the same step in PyTorch.
func.func @loss(%x: tensor<?x784xf32>, %labels: tensor<?xi64>,
                %w1: tensor<256x784xf32>, %b1: tensor<256xf32>,
                %w2: tensor<256x256xf32>, %b2: tensor<256xf32>,
                %w3: tensor<10x256xf32>, %b3: tensor<10xf32>) -> tensor<f32>
    attributes {ternary.train_step = #ternary.train_step<name = "train_step",
        params = array<i64: 2, 3, 4, 5, 6, 7>, optimizer = adamw,
        lr = 1.0e-3, weight_decay = 0.01, eval = "eval_step">} {
  %c0 = arith.constant 0 : index
  %h1 = ternary.bitlinear %x, %w1 bias %b1
      : (tensor<?x784xf32>, tensor<256x784xf32>, tensor<256xf32>) -> tensor<?x256xf32>
  %n = tensor.dim %h1, %c0 : tensor<?x256xf32>
  %e1 = tensor.empty(%n) : tensor<?x256xf32>
  %r1 = linalg.map ins(%h1 : tensor<?x256xf32>) outs(%e1 : tensor<?x256xf32>)
    (%v: f32, %unused: f32) {
      %zero = arith.constant 0.0 : f32
      %relu = arith.maximumf %v, %zero : f32
      linalg.yield %relu : f32
    }
  %h2 = ternary.bitlinear %r1, %w2 bias %b2
      : (tensor<?x256xf32>, tensor<256x256xf32>, tensor<256xf32>) -> tensor<?x256xf32>
  %e2 = tensor.empty(%n) : tensor<?x256xf32>
  %r2 = linalg.map ins(%h2 : tensor<?x256xf32>) outs(%e2 : tensor<?x256xf32>)
    (%v: f32, %unused: f32) {
      %zero = arith.constant 0.0 : f32
      %relu = arith.maximumf %v, %zero : f32
      linalg.yield %relu : f32
    }
  %logits = ternary.bitlinear %r2, %w3 bias %b3
      : (tensor<?x256xf32>, tensor<10x256xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  %loss = ternary.cross_entropy %logits, %labels
      : (tensor<?x10xf32>, tensor<?xi64>) -> tensor<f32>
  return %loss : tensor<f32>
}
