// RUN: ternary-opt %s -split-input-file -verify-diagnostics

// Every verifier message of the training ops of the ternary dialect
// (dialects/Ternary/TernaryTrainingOps.cpp), one case a split.

//===----------------------------------------------------------------------===//
// ternary.bitlinear_grad
//===----------------------------------------------------------------------===//

func.func @bitlinear_grad_rank(%x: tensor<2x4x16xf32>, %w: tensor<8x16xf32>, %dy: tensor<2x4x8xf32>) {
  // expected-error @+1 {{'ternary.bitlinear_grad' op input and weight must be 2-D ([M, K] and [N, K]), got ranks 3 and 2}}
  %r:3 = ternary.bitlinear_grad %x, %w, %dy : (tensor<2x4x16xf32>, tensor<8x16xf32>, tensor<2x4x8xf32>) -> (tensor<2x4x16xf32>, tensor<8x16xf32>, tensor<8xf32>)
  return
}

// -----

func.func @bitlinear_grad_k(%x: tensor<4x16xf32>, %w: tensor<8x12xf32>, %dy: tensor<4x8xf32>) {
  // expected-error @+1 {{'ternary.bitlinear_grad' op input feature size [16] does not match the weight's K [12] (weight is [N, K])}}
  %r:3 = ternary.bitlinear_grad %x, %w, %dy : (tensor<4x16xf32>, tensor<8x12xf32>, tensor<4x8xf32>) -> (tensor<4x16xf32>, tensor<8x12xf32>, tensor<8xf32>)
  return
}

// -----

func.func @bitlinear_grad_dy(%x: tensor<4x16xf32>, %w: tensor<8x16xf32>, %dy: tensor<4x9xf32>) {
  // expected-error @+1 {{'ternary.bitlinear_grad' op result gradient must have shape [4, 8], got [4, 9]}}
  %r:3 = ternary.bitlinear_grad %x, %w, %dy : (tensor<4x16xf32>, tensor<8x16xf32>, tensor<4x9xf32>) -> (tensor<4x16xf32>, tensor<8x16xf32>, tensor<8xf32>)
  return
}

// -----

func.func @bitlinear_grad_dbias(%x: tensor<4x16xf32>, %w: tensor<8x16xf32>, %dy: tensor<4x8xf32>) {
  // expected-error @+1 {{'ternary.bitlinear_grad' op bias gradient must have shape [8], got [16]}}
  %r:3 = ternary.bitlinear_grad %x, %w, %dy : (tensor<4x16xf32>, tensor<8x16xf32>, tensor<4x8xf32>) -> (tensor<4x16xf32>, tensor<8x16xf32>, tensor<16xf32>)
  return
}

// -----

func.func @bitlinear_grad_affine_results(%x: tensor<4x16xf32>, %w: tensor<8x16xf32>, %dy: tensor<4x8xf32>) {
  // expected-error @+1 {{'ternary.bitlinear_grad' op expected 0 gamma/beta gradient results for normalisation 'layer', got 2}}
  %r:5 = ternary.bitlinear_grad %x, %w, %dy : (tensor<4x16xf32>, tensor<8x16xf32>, tensor<4x8xf32>) -> (tensor<4x16xf32>, tensor<8x16xf32>, tensor<8xf32>, tensor<16xf32>, tensor<16xf32>)
  return
}

// -----

func.func @bitlinear_grad_affine_operands(%x: tensor<4x16xf32>, %w: tensor<8x16xf32>, %dy: tensor<4x8xf32>) {
  // expected-error @+1 {{'ternary.bitlinear_grad' op normalisation 'layer_affine' requires gamma and beta operands (affine(%gamma, %beta))}}
  %r:5 = ternary.bitlinear_grad %x, %w, %dy {norm = #ternary.norm<layer_affine>} : (tensor<4x16xf32>, tensor<8x16xf32>, tensor<4x8xf32>) -> (tensor<4x16xf32>, tensor<8x16xf32>, tensor<8xf32>, tensor<16xf32>, tensor<16xf32>)
  return
}

// -----

func.func @bitlinear_grad_q(%x: tensor<4x16xf32>, %w: tensor<8x16xf32>, %dy: tensor<4x8xf32>) {
  // expected-error @+1 {{'ternary.bitlinear_grad' op q must be 128 or 127 for 8-bit activations, got 100}}
  %r:3 = ternary.bitlinear_grad %x, %w, %dy {q = 100 : i32} : (tensor<4x16xf32>, tensor<8x16xf32>, tensor<4x8xf32>) -> (tensor<4x16xf32>, tensor<8x16xf32>, tensor<8xf32>)
  return
}

// -----

//===----------------------------------------------------------------------===//
// ternary.cross_entropy, ternary.cross_entropy_grad
//===----------------------------------------------------------------------===//

func.func @cross_entropy_rank(%z: tensor<10xf32>, %l: tensor<1xi64>) {
  // expected-error @+1 {{'ternary.cross_entropy' op logits must be 2-D ([M, C]), got rank 1}}
  %loss = ternary.cross_entropy %z, %l : (tensor<10xf32>, tensor<1xi64>) -> tensor<f32>
  return
}

// -----

func.func @cross_entropy_labels(%z: tensor<4x10xf32>, %l: tensor<5xi64>) {
  // expected-error @+1 {{'ternary.cross_entropy' op labels must have shape [4], got [5]}}
  %loss = ternary.cross_entropy %z, %l : (tensor<4x10xf32>, tensor<5xi64>) -> tensor<f32>
  return
}

// -----

func.func @cross_entropy_label_type(%z: tensor<4x10xf32>, %l: tensor<4xi32>) {
  // expected-error @+1 {{'ternary.cross_entropy' op operand #1 must be ranked tensor of 64-bit signless integer values, but got 'tensor<4xi32>'}}
  %loss = ternary.cross_entropy %z, %l : (tensor<4x10xf32>, tensor<4xi32>) -> tensor<f32>
  return
}

// -----

func.func @cross_entropy_grad_shape(%z: tensor<4x10xf32>, %l: tensor<4xi64>, %d: tensor<f32>) {
  // expected-error @+1 {{'ternary.cross_entropy_grad' op logits gradient must have shape [4, 10], got [4, 9]}}
  %dz = ternary.cross_entropy_grad %z, %l, %d : (tensor<4x10xf32>, tensor<4xi64>, tensor<f32>) -> tensor<4x9xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// Optimiser operations
//===----------------------------------------------------------------------===//

func.func @adamw_beta(%p: tensor<4xf32>, %lr: f64, %t: i64) {
  // expected-error @+1 {{'ternary.adamw' op beta2 must be in [0, 1), got 1}}
  %a:3 = ternary.adamw %p, %p, %p, %p, %lr, %lr, %t {beta2 = 1.0} : tensor<4xf32>, f64, i64
  return
}

// -----

func.func @adamw_eps(%p: tensor<4xf32>, %lr: f64, %t: i64) {
  // expected-error @+1 {{'ternary.adamw' op eps must be positive, got 0}}
  %a:3 = ternary.adamw %p, %p, %p, %p, %lr, %lr, %t {eps = 0.0} : tensor<4xf32>, f64, i64
  return
}

// -----

func.func @adamw_types(%p: tensor<4xf32>, %g: tensor<5xf32>, %lr: f64, %t: i64) {
  // expected-error @+1 {{'ternary.adamw' op failed to verify that all of {param, grad, exp_avg, exp_avg_sq, new_param, new_exp_avg, new_exp_avg_sq} have same type}}
  %a:3 = "ternary.adamw"(%p, %g, %p, %p, %lr, %lr, %t) : (tensor<4xf32>, tensor<5xf32>, tensor<4xf32>, tensor<4xf32>, f64, f64, i64) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @sgd_momentum(%p: tensor<4xf32>, %lr: f64) {
  // expected-error @+1 {{'ternary.sgd' op momentum must be >= 0, got -0.5}}
  %a:2 = ternary.sgd %p, %p, %p, %lr, %lr {momentum = -0.5} : tensor<4xf32>, f64
  return
}

// -----

func.func @sgd_nesterov(%p: tensor<4xf32>, %lr: f64) {
  // expected-error @+1 {{'ternary.sgd' op nesterov needs a momentum above 0}}
  %a:2 = ternary.sgd %p, %p, %p, %lr, %lr {nesterov = true} : tensor<4xf32>, f64
  return
}

// -----

func.func @schedule_total(%t: i64) {
  // expected-error @+1 {{'ternary.lr_schedule' op schedule 'cosine' needs total_steps > warmup_steps, got 10 and 10}}
  %l = ternary.lr_schedule %t {schedule = #ternary.lr_schedule<cosine>, lr = 0.1, warmup_steps = 10 : i64, total_steps = 10 : i64} : i64
  return
}

// -----

func.func @schedule_warmup(%t: i64) {
  // expected-error @+1 {{'ternary.lr_schedule' op schedule 'linear_warmup' needs warmup_steps > 0}}
  %l = ternary.lr_schedule %t {schedule = #ternary.lr_schedule<linear_warmup>, lr = 0.1} : i64
  return
}

// -----

func.func @schedule_negative_warmup(%t: i64) {
  // expected-error @+1 {{'ternary.lr_schedule' op warmup_steps must be >= 0, got -1}}
  %l = ternary.lr_schedule %t {schedule = #ternary.lr_schedule<constant>, lr = 0.1, warmup_steps = -1 : i64} : i64
  return
}

// -----

func.func @schedule_lr(%t: i64) {
  // expected-error @+1 {{'ternary.lr_schedule' op lr must be >= 0, got -0.1}}
  %l = ternary.lr_schedule %t {schedule = #ternary.lr_schedule<constant>, lr = -0.1} : i64
  return
}

// -----

func.func @global_norm_empty() {
  // expected-error @+1 {{'ternary.global_norm' op needs at least one tensor}}
  %n = "ternary.global_norm"() : () -> f32
  return
}

// -----

//===----------------------------------------------------------------------===//
// ternary.embedding, ternary.embedding_grad
//===----------------------------------------------------------------------===//

func.func @embedding_table(%t: tensor<65xf32>, %ids: tensor<8xi64>) {
  // expected-error @+1 {{'ternary.embedding' op table must be 2-D ([V, D]), got rank 1}}
  %e = ternary.embedding %t, %ids : (tensor<65xf32>, tensor<8xi64>) -> tensor<8x16xf32>
  return
}

// -----

func.func @embedding_result(%t: tensor<65x16xf32>, %ids: tensor<8xi64>) {
  // expected-error @+1 {{'ternary.embedding' op result must have shape [8, 16], got [8, 15]}}
  %e = ternary.embedding %t, %ids : (tensor<65x16xf32>, tensor<8xi64>) -> tensor<8x15xf32>
  return
}

// -----

func.func @embedding_grad_shape(%t: tensor<65x16xf32>, %ids: tensor<8xi64>, %d: tensor<8x16xf32>) {
  // expected-error @+1 {{'ternary.embedding_grad' op table gradient must have shape [65, 16], got [64, 16]}}
  %g = ternary.embedding_grad %t, %ids, %d : (tensor<65x16xf32>, tensor<8xi64>, tensor<8x16xf32>) -> tensor<64x16xf32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// ternary.spmm, ternary.spmm_transpose
//===----------------------------------------------------------------------===//

func.func @spmm_rank(%p: tensor<5x1xi64>, %i: tensor<6xi64>, %v: tensor<6xf32>, %x: tensor<7x16xf32>) {
  // expected-error @+1 {{'ternary.spmm' op indptr, indices and values must be 1-D}}
  %h = ternary.spmm %p, %i, %v, %x : (tensor<5x1xi64>, tensor<6xi64>, tensor<6xf32>, tensor<7x16xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @spmm_values(%p: tensor<5xi64>, %i: tensor<6xi64>, %v: tensor<5xf32>, %x: tensor<7x16xf32>) {
  // expected-error @+1 {{'ternary.spmm' op values must have shape [6], got [5]}}
  %h = ternary.spmm %p, %i, %v, %x : (tensor<5xi64>, tensor<6xi64>, tensor<5xf32>, tensor<7x16xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @spmm_result(%p: tensor<5xi64>, %i: tensor<6xi64>, %v: tensor<6xf32>, %x: tensor<7x16xf32>) {
  // expected-error @+1 {{'ternary.spmm' op result must have shape [4, 16], got [5, 16]}}
  %h = ternary.spmm %p, %i, %v, %x : (tensor<5xi64>, tensor<6xi64>, tensor<6xf32>, tensor<7x16xf32>) -> tensor<5x16xf32>
  return
}

// -----

func.func @spmm_transpose_result(%p: tensor<5xi64>, %i: tensor<6xi64>, %v: tensor<6xf32>, %h: tensor<4x16xf32>, %x: tensor<7x16xf32>) {
  // expected-error @+1 {{'ternary.spmm_transpose' op result must have shape [7, 16], got [4, 16]}}
  %g = ternary.spmm_transpose %p, %i, %v, %h, %x : (tensor<5xi64>, tensor<6xi64>, tensor<6xf32>, tensor<4x16xf32>, tensor<7x16xf32>) -> tensor<4x16xf32>
  return
}

// -----

func.func @dropout_p(%x: tensor<4xf32>, %s: i64) {
  // expected-error @+1 {{'ternary.dropout' op p must be in [0, 1), got 1}}
  %y = ternary.dropout %x, %s {p = 1.0} : tensor<4xf32>
  return
}

// -----

func.func @bitlinear_two_lambdas(%x: tensor<4x16xf32>, %w: tensor<8x16xf32>, %l: f32) {
  // expected-error @+1 {{'ternary.bitlinear' op a run-time lambda operand and a lambda attribute below 1 are exclusive}}
  %y = ternary.bitlinear %x, %w lambda(%l) {lambda = 0.5 : f32} : (tensor<4x16xf32>, tensor<8x16xf32>, f32) -> tensor<4x8xf32>
  return
}

// -----

func.func @bitlinear_grad_two_lambdas(%x: tensor<4x16xf32>, %w: tensor<8x16xf32>, %dy: tensor<4x8xf32>, %l: f32) {
  // expected-error @+1 {{'ternary.bitlinear_grad' op a run-time lambda operand and a lambda attribute below 1 are exclusive}}
  %r:3 = ternary.bitlinear_grad %x, %w, %dy lambda(%l) {lambda = 0.5 : f32} : (tensor<4x16xf32>, tensor<8x16xf32>, tensor<4x8xf32>, f32) -> (tensor<4x16xf32>, tensor<8x16xf32>, tensor<8xf32>)
  return
}

// -----

func.func @bitlinear_grad_lambda_range(%x: tensor<4x16xf32>, %w: tensor<8x16xf32>, %dy: tensor<4x8xf32>) {
  // expected-error @+1 {{'ternary.bitlinear_grad' op lambda must be in [0, 1], got 2}}
  %r:3 = ternary.bitlinear_grad %x, %w, %dy {lambda = 2.0 : f32} : (tensor<4x16xf32>, tensor<8x16xf32>, tensor<4x8xf32>) -> (tensor<4x16xf32>, tensor<8x16xf32>, tensor<8xf32>)
  return
}
