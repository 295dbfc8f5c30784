// A three-layer BitLinear MLP, 64 -> 128 -> 128 -> 10, with ReLU between the
// layers and the authors' defaults in every layer (absmedian, LayerNorm,
// Q = 128). Weights and biases are arguments; the batch size is dynamic.
//
//   build/bin/ternary-opt examples/mlp.mlir --ternary-inference-pipeline
func.func @mlp(%x: tensor<?x64xf32>,
               %w1: tensor<128x64xf32>, %b1: tensor<128xf32>,
               %w2: tensor<128x128xf32>, %b2: tensor<128xf32>,
               %w3: tensor<10x128xf32>, %b3: tensor<10xf32>)
    -> tensor<?x10xf32> {
  %c0 = arith.constant 0 : index
  %h1 = ternary.bitlinear %x, %w1 bias %b1
      : (tensor<?x64xf32>, tensor<128x64xf32>, tensor<128xf32>) -> tensor<?x128xf32>
  %r1 = func.call @relu(%h1) : (tensor<?x128xf32>) -> tensor<?x128xf32>
  %h2 = ternary.bitlinear %r1, %w2 bias %b2
      : (tensor<?x128xf32>, tensor<128x128xf32>, tensor<128xf32>) -> tensor<?x128xf32>
  %r2 = func.call @relu(%h2) : (tensor<?x128xf32>) -> tensor<?x128xf32>
  %y = ternary.bitlinear %r2, %w3 bias %b3
      : (tensor<?x128xf32>, tensor<10x128xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  return %y : tensor<?x10xf32>
}

func.func private @relu(%h: tensor<?x128xf32>) -> tensor<?x128xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %h, %c0 : tensor<?x128xf32>
  %init = tensor.empty(%n) : tensor<?x128xf32>
  %r = linalg.map ins(%h : tensor<?x128xf32>) outs(%init : tensor<?x128xf32>)
    (%v: f32, %unused: f32) {
      %zero = arith.constant 0.0 : f32
      %m = arith.maximumf %v, %zero : f32
      linalg.yield %m : f32
    }
  return %r : tensor<?x128xf32>
}
