// Tests the #ternary.train_step attribute (dialects/Ternary/TernaryAttrs.td
// and TernaryAttrs.cpp): every parse and verifier error of the train-step
// contract, and the checks against the function it is set on.
// RUN: ternary-opt %s -split-input-file -verify-diagnostics


// expected-error @+1 {{struct is missing required parameter: params}}
func.func @no_params(%w: tensor<3xf32>) -> tensor<f32> attributes {ternary.train_step = #ternary.train_step<name = "s">} {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

// -----

// expected-error @+1 {{duplicate or unknown struct parameter name: learning_rate}}
func.func @unknown_key(%w: tensor<3xf32>) -> tensor<f32> attributes {ternary.train_step = #ternary.train_step<name = "s", params = array<i64: 0>, learning_rate = 0.1>} {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

// -----

// expected-error @+2 {{expected one of [adamw, sgd] for optimiser of a train step, got: lion}}
// expected-error @+1 {{failed to parse Ternary_TrainStepAttr parameter 'optimizer' which is to be a `::mlir::ternary::Optimizer`}}
func.func @bad_optimizer(%w: tensor<3xf32>) -> tensor<f32> attributes {ternary.train_step = #ternary.train_step<name = "s", params = array<i64: 0>, optimizer = lion>} {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

// -----

// expected-error @+1 {{#ternary.train_step: lr must be finite and > 0, got nan}}
func.func @nan_lr(%w: tensor<3xf32>) -> tensor<f32> attributes {ternary.train_step = #ternary.train_step<name = "s", params = array<i64: 0>, lr = 0x7FF8000000000000>} {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

// -----

// expected-error @+1 {{#ternary.train_step: weight_decay must be finite and >= 0, got inf}}
func.func @inf_weight_decay(%w: tensor<3xf32>) -> tensor<f32> attributes {ternary.train_step = #ternary.train_step<name = "s", params = array<i64: 0>, weight_decay = 0x7FF0000000000000>} {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

// -----

// expected-error @+1 {{#ternary.train_step: lr must be finite and > 0, got -0.1}}
func.func @negative_lr(%w: tensor<3xf32>) -> tensor<f32> attributes {ternary.train_step = #ternary.train_step<name = "s", params = array<i64: 0>, lr = -0.1>} {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

// -----

// expected-error @+1 {{#ternary.train_step: min_lr must be in [0, lr], got 0.5}}
func.func @min_lr_above_lr(%w: tensor<3xf32>) -> tensor<f32> attributes {ternary.train_step = #ternary.train_step<name = "s", params = array<i64: 0>, lr = 0.1, min_lr = 0.5>} {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

// -----

// expected-error @+1 {{#ternary.train_step: beta2 must be in [0, 1), got 1}}
func.func @beta_one(%w: tensor<3xf32>) -> tensor<f32> attributes {ternary.train_step = #ternary.train_step<name = "s", params = array<i64: 0>, beta2 = 1.0>} {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

// -----

// expected-error @+1 {{#ternary.train_step: eps must be finite and > 0, got 0}}
func.func @zero_eps(%w: tensor<3xf32>) -> tensor<f32> attributes {ternary.train_step = #ternary.train_step<name = "s", params = array<i64: 0>, eps = 0.0>} {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

// -----

// expected-error @+1 {{#ternary.train_step: warmup_steps and total_steps must be >= 0, got -5 and 0}}
func.func @negative_steps(%w: tensor<3xf32>) -> tensor<f32> attributes {ternary.train_step = #ternary.train_step<name = "s", params = array<i64: 0>, warmup_steps = -5>} {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

// -----

// expected-error @+1 {{#ternary.train_step: the cosine schedule needs total_steps > warmup_steps, got 0 and 10}}
func.func @cosine_without_total(%w: tensor<3xf32>) -> tensor<f32> attributes {ternary.train_step = #ternary.train_step<name = "s", params = array<i64: 0>, schedule = cosine, warmup_steps = 10>} {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

// -----

// expected-error @+1 {{#ternary.train_step: nesterov needs optimizer = sgd and momentum > 0}}
func.func @nesterov_adamw(%w: tensor<3xf32>) -> tensor<f32> attributes {ternary.train_step = #ternary.train_step<name = "s", params = array<i64: 0>, nesterov = true>} {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

// -----

// expected-error @+1 {{#ternary.train_step: argument #0 is a parameter twice}}
func.func @repeated_param(%w: tensor<3xf32>) -> tensor<f32> attributes {ternary.train_step = #ternary.train_step<name = "s", params = array<i64: 0, 0>>} {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

// -----

// expected-error @+1 {{#ternary.train_step: name must not be empty}}
func.func @empty_name(%w: tensor<3xf32>) -> tensor<f32> attributes {ternary.train_step = #ternary.train_step<name = "", params = array<i64: 0>>} {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

// -----

// expected-error @+1 {{#ternary.train_step: eval and name must differ, both are 's'}}
func.func @eval_is_name(%w: tensor<3xf32>) -> tensor<f32> attributes {ternary.train_step = #ternary.train_step<name = "s", params = array<i64: 0>, eval = "s">} {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

// -----

// expected-error @+2 {{expected 'true' or 'false'}}
// expected-error @+1 {{failed to parse Ternary_TrainStepAttr parameter 'nesterov' which is to be a `bool`}}
func.func @bad_bool(%w: tensor<3xf32>) -> tensor<f32> attributes {ternary.train_step = #ternary.train_step<name = "s", params = array<i64: 0>, nesterov = yes>} {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

// -----

// expected-error @+2 {{expected array<i64: ...>, got [0]}}
// expected-error @+1 {{failed to parse Ternary_TrainStepAttr parameter 'params' which is to be a `::mlir::DenseI64ArrayAttr`}}
func.func @params_not_array(%w: tensor<3xf32>) -> tensor<f32> attributes {ternary.train_step = #ternary.train_step<name = "s", params = [0]>} {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

// -----

// expected-error @+1 {{'func.func' op 'ternary.train_step': parameter argument #1 does not exist (the function has 1 arguments)}}
func.func @param_out_of_range(%w: tensor<3xf32>) -> tensor<f32> attributes {ternary.train_step = #ternary.train_step<name = "s", params = array<i64: 1>>} {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

// -----

// expected-error @+1 {{'func.func' op 'ternary.train_step': parameter argument #0 must be a float tensor, got 'tensor<3xi64>'}}
func.func @integer_param(%w: tensor<3xi64>) -> tensor<f32> attributes {ternary.train_step = #ternary.train_step<name = "s", params = array<i64: 0>>} {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

// -----

// The dictionary of earlier versions is refused with the form to use.
// expected-error @+1 {{'func.func' op 'ternary.train_step' must be a #ternary.train_step<...> attribute, got {name = "s", params = array<i64: 0>}}}
func.func @dictionary(%w: tensor<3xf32>) -> tensor<f32> attributes {ternary.train_step = {name = "s", params = array<i64: 0>}} {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

// -----

// expected-error @+1 {{'builtin.module' op 'ternary.train_step' is a request of a loss function}}
module attributes {ternary.train_step = #ternary.train_step<name = "s", params = array<i64: 0>>} {
}
