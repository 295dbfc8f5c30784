// Tests passes/Transforms/TrainStep.cpp (--ternary-train-step).
// RUN: ternary-opt %s --ternary-train-step -split-input-file -verify-diagnostics

// expected-error @+1 {{'func.func' op 'ternary.train_step': needs name = "..." and params = array<i64: ...>}}
func.func @no_params(%w: tensor<3xf32>) -> tensor<f32> attributes {ternary.train_step = {name = "s"}} {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

// -----

// expected-error @+1 {{'func.func' op 'ternary.train_step': unknown key 'learning_rate'}}
func.func @unknown_key(%w: tensor<3xf32>) -> tensor<f32> attributes {ternary.train_step = {name = "s", params = array<i64: 0>, learning_rate = 0.1}} {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

// -----

// expected-error @+1 {{'func.func' op 'ternary.train_step': bad value for 'optimizer'}}
func.func @bad_optimizer(%w: tensor<3xf32>) -> tensor<f32> attributes {ternary.train_step = {name = "s", params = array<i64: 0>, optimizer = "lion"}} {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

// -----

// expected-error @+1 {{'func.func' op 'ternary.train_step': the function 'taken' already exists}}
func.func @taken_name(%w: tensor<3xf32>) -> tensor<f32> attributes {ternary.train_step = {name = "taken", params = array<i64: 0>}} {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}
func.func @taken() {
  return
}

// -----

// The request's parameters go through the autodiff checks.
// expected-error @+1 {{'func.func' op ternary-autodiff: argument #0 must be a float tensor to be differentiated, got 'tensor<3xi64>'}}
func.func @integer_param(%w: tensor<3xi64>) -> tensor<f32> attributes {ternary.train_step = {name = "s", params = array<i64: 0>}} {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}
