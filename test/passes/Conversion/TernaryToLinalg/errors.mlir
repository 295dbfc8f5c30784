// Tests passes/Conversion/TernaryToLinalg/ConvertTernaryToLinalg.cpp:
// inference-time BitLinear must be decomposed first.
// RUN: ternary-opt %s --convert-ternary-to-linalg -verify-diagnostics

func.func @f(%x: tensor<4x16xf32>, %w: tensor<8x16xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{ternary.bitlinear must be decomposed before lowering (run --ternary-decompose first)}}
  %y = ternary.bitlinear %x, %w : (tensor<4x16xf32>, tensor<8x16xf32>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
