// Tests passes/Transforms/TrainStep.cpp (--ternary-train-step).
// RUN: ternary-opt %s --ternary-train-step --split-input-file | FileCheck %s

// AdamW with a cosine schedule, clipping and an eval copy: the private
// gradient function, the step computing lr from the counter, clipping the
// gradients, one adamw a parameter, and every parameter, moment and the
// counter written back into the caller's buffers.

// CHECK-LABEL: func.func @loss(
// CHECK-NOT: ternary.train_step
// CHECK-LABEL: func.func private @train_step_loss_and_grads(
// CHECK-SAME: -> (tensor<f32>, tensor<3x4xf32>, tensor<3xf32>)
// CHECK: ternary.bitlinear_grad
// CHECK-LABEL: func.func @train_step(
// CHECK-SAME: %[[X:[^:]*]]: tensor<?x4xf32>, %[[L:[^:]*]]: tensor<?xi64>,
// CHECK-SAME: %[[W:[^:]*]]: tensor<3x4xf32> {bufferization.writable = true}, %[[B:[^:]*]]: tensor<3xf32> {bufferization.writable = true},
// CHECK-SAME: %[[MW:[^:]*]]: tensor<3x4xf32> {bufferization.writable = true}, %[[MB:[^:]*]]: tensor<3xf32> {bufferization.writable = true},
// CHECK-SAME: %[[VW:[^:]*]]: tensor<3x4xf32> {bufferization.writable = true}, %[[VB:[^:]*]]: tensor<3xf32> {bufferization.writable = true},
// CHECK-SAME: %[[T:[^:]*]]: tensor<i64> {bufferization.writable = true}) -> (tensor<f32>, tensor<f64>, tensor<f32>)
// CHECK: %[[G:.*]]:3 = call @train_step_loss_and_grads(%[[X]], %[[L]], %[[W]], %[[B]])
// CHECK: %[[STEP:.*]] = tensor.extract %[[T]][]
// CHECK: %[[NEXT:.*]] = arith.addi %[[STEP]], %{{.*}} : i64
// CHECK: %[[LR:.*]] = ternary.lr_schedule %[[STEP]] {lr = 5.000000e-02 : f64, min_lr = 1.000000e-03 : f64, schedule = #ternary.lr_schedule<cosine>, total_steps = 50 : i64, warmup_steps = 5 : i64} : i64
// CHECK: %[[WD:.*]] = arith.constant 1.000000e-02 : f64
// CHECK: %[[NORM:.*]] = ternary.global_norm %[[G]]#1, %[[G]]#2 : tensor<3x4xf32>, tensor<3xf32>
// CHECK: %[[TINY:.*]] = arith.constant 9.99999997E-7 : f32
// CHECK: %[[DEN:.*]] = arith.addf %[[NORM]], %[[TINY]] : f32
// CHECK: %[[MAX:.*]] = arith.constant 2.000000e+00 : f32
// CHECK: %[[RATIO:.*]] = arith.divf %[[MAX]], %[[DEN]] : f32
// CHECK: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: %[[C:.*]] = arith.minimumf %[[RATIO]], %[[ONE]] : f32
// CHECK: %[[GW:.*]] = linalg.generic {{.*}} ins(%[[G]]#1
// CHECK: arith.mulf %{{.*}}, %[[C]]
// CHECK: %[[GB:.*]] = linalg.generic {{.*}} ins(%[[G]]#2
// CHECK: %[[NW:.*]], %[[NMW:.*]], %[[NVW:.*]] = ternary.adamw %[[W]], %[[GW]], %[[MW]], %[[VW]], %[[LR]], %[[WD]], %[[NEXT]] {beta1 = 8.000000e-01 : f64} : tensor<3x4xf32>, f64, i64
// CHECK: %[[BUF:.*]] = bufferization.to_buffer %[[W]]
// CHECK: bufferization.materialize_in_destination %[[NW]] in restrict writable %[[BUF]]
// CHECK: bufferization.materialize_in_destination %[[NMW]] in restrict writable
// CHECK: bufferization.materialize_in_destination %[[NVW]] in restrict writable
// CHECK: ternary.adamw %[[B]], %[[GB]], %[[MB]], %[[VB]], %[[LR]], %[[WD]], %[[NEXT]]
// CHECK: %[[NT:.*]] = tensor.from_elements %[[NEXT]] : tensor<i64>
// CHECK: bufferization.materialize_in_destination %[[NT]] in restrict writable
// CHECK: %[[LRT:.*]] = tensor.from_elements %[[LR]] : tensor<f64>
// CHECK: %[[NORMT:.*]] = tensor.from_elements %[[NORM]] : tensor<f32>
// CHECK: return %[[G]]#0, %[[LRT]], %[[NORMT]] : tensor<f32>, tensor<f64>, tensor<f32>
// CHECK-LABEL: func.func @eval_step(
// CHECK-NOT: attributes
// CHECK: ternary.cross_entropy
func.func @loss(%x: tensor<?x4xf32>, %labels: tensor<?xi64>, %w: tensor<3x4xf32>, %b: tensor<3xf32>) -> tensor<f32>
    attributes {ternary.train_step = #ternary.train_step<name = "train_step", params = array<i64: 2, 3>,
      optimizer = adamw, lr = 0.05, beta1 = 0.8, weight_decay = 0.01,
      schedule = cosine, warmup_steps = 5,
      total_steps = 50, min_lr = 0.001, max_grad_norm = 2.0,
      eval = "eval_step">} {
  %y = ternary.bitlinear %x, %w bias %b : (tensor<?x4xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %l = ternary.cross_entropy %y, %labels : (tensor<?x3xf32>, tensor<?xi64>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// SGD: one momentum buffer a parameter; two_stage turns weight decay off in
// the second half of training.

// CHECK-LABEL: func.func @sgd_step(
// CHECK-SAME: %{{[^:]*}}: tensor<3x4xf32> {bufferization.writable = true}, %{{[^:]*}}: tensor<3x4xf32> {bufferization.writable = true}, %{{[^:]*}}: tensor<i64> {bufferization.writable = true}) -> (tensor<f32>, tensor<f64>, tensor<f32>)
// CHECK: %[[STEP:.*]] = tensor.extract
// CHECK: ternary.lr_schedule %[[STEP]] {lr = 1.000000e-01 : f64, min_lr = 1.000000e-02 : f64, schedule = #ternary.lr_schedule<two_stage>, total_steps = 100 : i64}
// CHECK: %[[HALF:.*]] = arith.constant 50 : i64
// CHECK: %[[FIRST:.*]] = arith.cmpi slt, %[[STEP]], %[[HALF]]
// CHECK: %[[WD:.*]] = arith.select %[[FIRST]]
// Without max_grad_norm the norm is computed (it is returned) but nothing
// is clipped.
// CHECK: ternary.global_norm
// CHECK-NOT: arith.minimumf
// CHECK: ternary.sgd %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[WD]] {momentum = 9.000000e-01 : f64} : tensor<3x4xf32>, f64
// CHECK-NOT: ternary.adamw
func.func @mse(%x: tensor<2x4xf32>, %labels: tensor<2xi64>, %w: tensor<3x4xf32>) -> tensor<f32>
    attributes {ternary.train_step = #ternary.train_step<name = "sgd_step", params = array<i64: 2>,
      optimizer = sgd, lr = 0.1, momentum = 0.9, weight_decay = 0.1,
      schedule = two_stage, total_steps = 100, min_lr = 0.01>} {
  %y = ternary.bitlinear %x, %w : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  %l = ternary.cross_entropy %y, %labels : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<f32>
  return %l : tensor<f32>
}
