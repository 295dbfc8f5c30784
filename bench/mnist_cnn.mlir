// The papers' MNIST CNN, written as a user would: 3x3 convolution 1 -> 32,
// ReLU, 3x3 convolution 32 -> 64, ReLU, 2x2 max-pool, dropout 0.25,
// flatten, BitLinear 9216 -> 128 (authors' defaults), ReLU, dropout 0.5,
// BitLinear 128 -> 10, mean cross-entropy; the convolutions stay 32-bit.
// The train step is AdamW (lr 1e-3, weight decay 0.01).
// bench/train-bench.cpp times @train_step at batch 64;
// bench/torch_train_step.py times the same step in PyTorch.
func.func @loss(%x: tensor<?x1x28x28xf32>, %labels: tensor<?xi64>,
                %seed: tensor<i64> {ternary.seed},
                %c1: tensor<32x1x3x3xf32> {ternary.name = "conv1.weight", ternary.init = "conv"},
                %cb1: tensor<32xf32> {ternary.name = "conv1.bias"},
                %c2: tensor<64x32x3x3xf32> {ternary.name = "conv2.weight", ternary.init = "conv"},
                %cb2: tensor<64xf32> {ternary.name = "conv2.bias"},
                %w1: tensor<128x9216xf32> {ternary.name = "fc1.weight"},
                %b1: tensor<128xf32> {ternary.name = "fc1.bias"},
                %w2: tensor<10x128xf32> {ternary.name = "fc2.weight"},
                %b2: tensor<10xf32> {ternary.name = "fc2.bias"}) -> tensor<f32>
    attributes {ternary.train_step = #ternary.train_step<name = "train_step",
        params = array<i64: 3, 4, 5, 6, 7, 8, 9, 10>, optimizer = adamw,
        lr = 1.0e-3, weight_decay = 0.01, eval = "eval_step">} {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant -3.4e38 : f32
  %n = tensor.dim %x, %c0 : tensor<?x1x28x28xf32>
  %s = tensor.extract %seed[] : tensor<i64>
  %c2s = arith.constant 1 : i64
  %s2 = arith.addi %s, %c2s : i64

  // conv1 + bias + ReLU: [n, 32, 26, 26]
  %e1 = tensor.empty(%n) : tensor<?x32x26x26xf32>
  %bias1 = linalg.broadcast ins(%cb1 : tensor<32xf32>) outs(%e1 : tensor<?x32x26x26xf32>) dimensions = [0, 2, 3]
  %y1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %c1 : tensor<?x1x28x28xf32>, tensor<32x1x3x3xf32>) outs(%bias1 : tensor<?x32x26x26xf32>) -> tensor<?x32x26x26xf32>
  %r1 = linalg.map ins(%y1 : tensor<?x32x26x26xf32>) outs(%e1 : tensor<?x32x26x26xf32>)
    (%v: f32, %unused: f32) {
      %relu = arith.maximumf %v, %zero : f32
      linalg.yield %relu : f32
    }

  // conv2 + bias + ReLU: [n, 64, 24, 24]
  %e2 = tensor.empty(%n) : tensor<?x64x24x24xf32>
  %bias2 = linalg.broadcast ins(%cb2 : tensor<64xf32>) outs(%e2 : tensor<?x64x24x24xf32>) dimensions = [0, 2, 3]
  %y2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%r1, %c2 : tensor<?x32x26x26xf32>, tensor<64x32x3x3xf32>) outs(%bias2 : tensor<?x64x24x24xf32>) -> tensor<?x64x24x24xf32>
  %r2 = linalg.map ins(%y2 : tensor<?x64x24x24xf32>) outs(%e2 : tensor<?x64x24x24xf32>)
    (%v: f32, %unused: f32) {
      %relu = arith.maximumf %v, %zero : f32
      linalg.yield %relu : f32
    }

  // 2x2 max-pool: [n, 64, 12, 12], dropout 0.25, flatten to [n, 9216]
  %win = tensor.empty() : tensor<2x2xf32>
  %e3 = tensor.empty(%n) : tensor<?x64x12x12xf32>
  %mi = linalg.fill ins(%ninf : f32) outs(%e3 : tensor<?x64x12x12xf32>) -> tensor<?x64x12x12xf32>
  %p = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%r2, %win : tensor<?x64x24x24xf32>, tensor<2x2xf32>) outs(%mi : tensor<?x64x12x12xf32>) -> tensor<?x64x12x12xf32>
  %d1 = ternary.dropout %p, %s {p = 0.25} : tensor<?x64x12x12xf32>
  %f = tensor.collapse_shape %d1 [[0], [1, 2, 3]] : tensor<?x64x12x12xf32> into tensor<?x9216xf32>

  // BitLinear 9216 -> 128, ReLU, dropout 0.5, BitLinear 128 -> 10
  %h = ternary.bitlinear %f, %w1 bias %b1
      : (tensor<?x9216xf32>, tensor<128x9216xf32>, tensor<128xf32>) -> tensor<?x128xf32>
  %eh = tensor.empty(%n) : tensor<?x128xf32>
  %rh = linalg.map ins(%h : tensor<?x128xf32>) outs(%eh : tensor<?x128xf32>)
    (%v: f32, %unused: f32) {
      %relu = arith.maximumf %v, %zero : f32
      linalg.yield %relu : f32
    }
  %d2 = ternary.dropout %rh, %s2 {p = 0.5} : tensor<?x128xf32>
  %logits = ternary.bitlinear %d2, %w2 bias %b2
      : (tensor<?x128xf32>, tensor<10x128xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  %loss = ternary.cross_entropy %logits, %labels
      : (tensor<?x10xf32>, tensor<?xi64>) -> tensor<f32>
  return %loss : tensor<f32>
}
