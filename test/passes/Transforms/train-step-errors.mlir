// Tests passes/Transforms/TrainStep.cpp (--ternary-train-step).
// RUN: ternary-opt %s --ternary-train-step -split-input-file -verify-diagnostics

// The attribute's own errors are tested in
// test/dialects/Ternary/train-step-attr-errors.mlir.

// expected-error @+1 {{'func.func' op 'ternary.train_step': the function 'taken' already exists}}
func.func @taken_name(%w: tensor<3xf32>) -> tensor<f32> attributes {ternary.train_step = #ternary.train_step<name = "taken", params = array<i64: 0>>} {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}
func.func @taken() {
  return
}

// -----

// The loss goes through the autodiff checks.
// expected-error @+1 {{'func.func' op ternary-autodiff needs the loss as f32 or tensor<f32>, got 'tensor<2xf32>'}}
func.func @vector_loss(%w: tensor<2xf32>) -> tensor<2xf32> attributes {ternary.train_step = #ternary.train_step<name = "s", params = array<i64: 0>>} {
  return %w : tensor<2xf32>
}
