// Tests passes/Decompose.cpp: a training-time layer (lambda < 1) has no
// integer form.
// RUN: ternary-opt %s --ternary-decompose -verify-diagnostics

func.func @warmup(%x: tensor<4x16xf32>, %w: tensor<8x16xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{cannot decompose a layer with lambda = 0.5: the integer form needs lambda = 1 (lambda < 1 is quantisation warm-up, a training-time setting)}}
  %y = ternary.bitlinear %x, %w {lambda = 0.5 : f32} : (tensor<4x16xf32>, tensor<8x16xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
