// Tests passes/Conversion/TernaryToLinalg/Optimizers.cpp: the optimiser
// updates, the schedule and the clipping coefficient (part of
// --convert-ternary-to-linalg).
// RUN: ternary-opt %s --convert-ternary-to-linalg --canonicalize | FileCheck %s --implicit-check-not=ternary.

// AdamWLowering. The scalar factors once, in f64 (1 - lr * wd, the bias
// corrections 1 - beta^t with pow and sqrt), then one element-wise generic
// with three results: p * (1 - lr wd) - step * m / (sqrt(v) / c2 + eps), m, v.
// CHECK-LABEL: func.func @adamw(
// CHECK-SAME: %[[P:[^:]*]]: tensor<8xf32>, %[[G:[^:]*]]: tensor<8xf32>, %[[LR:[^:]*]]: f64, %[[T:[^:]*]]: i64)
// CHECK: %[[TF:.*]] = arith.sitofp %[[T]] : i64 to f64
// CHECK: %[[LRWD:.*]] = arith.mulf %[[LR]], %[[LR]] : f64
// CHECK: %[[DECAY:.*]] = arith.subf %{{.*}}, %[[LRWD]] : f64
// CHECK: math.powf %{{.*}}, %[[TF]] : f64
// CHECK: math.powf %{{.*}}, %[[TF]] : f64
// CHECK: math.sqrt %{{.*}} : f64
// CHECK: %{{.*}}:3 = linalg.generic {{.*}}iterator_types = ["parallel"]} ins(%[[P]], %[[G]], %[[P]], %[[G]] :
// CHECK: ^bb0(%[[PIN:[^:]*]]: f32, %[[GIN:[^:]*]]: f32, %[[MIN:[^:]*]]: f32, %[[VIN:[^:]*]]: f32,
// CHECK: %[[M:.*]] = arith.addf
// CHECK: %[[G2:.*]] = arith.mulf %[[GIN]], %[[GIN]] : f32
// CHECK: %[[V:.*]] = arith.addf
// CHECK: %[[ROOT:.*]] = math.sqrt %[[V]] : f32
// CHECK: %[[DENOM:.*]] = arith.addf
// CHECK: arith.divf %[[M]], %[[DENOM]] : f32
// CHECK: %[[NEWP:.*]] = arith.subf
// CHECK: linalg.yield %[[NEWP]], %[[M]], %[[V]] : f32, f32, f32
func.func @adamw(%p: tensor<8xf32>, %g: tensor<8xf32>, %lr: f64, %t: i64) -> tensor<8xf32> {
  %p1, %m1, %v1 = ternary.adamw %p, %g, %p, %g, %lr, %lr, %t : tensor<8xf32>, f64, i64
  return %p1 : tensor<8xf32>
}

// SGDLowering with Nesterov momentum: g + wd p, then the buffer
// b = momentum b + g', the step along g' + momentum b, one generic with the
// parameter and the buffer as results.
// CHECK-LABEL: func.func @sgd(
// CHECK-SAME: %[[P:[^:]*]]: tensor<4x8xf32>, %[[G:[^:]*]]: tensor<4x8xf32>, %[[LR:[^:]*]]: f64, %[[WD:[^:]*]]: f64)
// CHECK: %[[LRF:.*]] = arith.truncf %[[LR]] : f64 to f32
// CHECK: %[[WDF:.*]] = arith.truncf %[[WD]] : f64 to f32
// CHECK: %[[MOM:.*]] = arith.truncf %{{.*}} : f64 to f32
// CHECK: %{{.*}}:2 = linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%[[P]], %[[G]], %[[P]] :
// CHECK: ^bb0(%[[PIN:[^:]*]]: f32, %[[GIN:[^:]*]]: f32, %[[BIN:[^:]*]]: f32,
// CHECK: %[[DECAYED:.*]] = arith.mulf %[[PIN]], %[[WDF]] : f32
// CHECK: %[[GW:.*]] = arith.addf %[[GIN]], %[[DECAYED]] : f32
// CHECK: %[[MB:.*]] = arith.mulf %[[BIN]], %[[MOM]] : f32
// CHECK: %[[B:.*]] = arith.addf %[[MB]], %[[GW]] : f32
// CHECK: %[[NB:.*]] = arith.mulf %[[B]], %[[MOM]] : f32
// CHECK: %[[D:.*]] = arith.addf %[[GW]], %[[NB]] : f32
// CHECK: %[[STEP:.*]] = arith.mulf %[[D]], %[[LRF]] : f32
// CHECK: %[[NEWP:.*]] = arith.subf %[[PIN]], %[[STEP]] : f32
// CHECK: linalg.yield %[[NEWP]], %[[B]] : f32, f32
func.func @sgd(%p: tensor<4x8xf32>, %g: tensor<4x8xf32>, %lr: f64, %wd: f64) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %p3, %b3 = ternary.sgd %p, %g, %p, %lr, %wd {momentum = 0.9, nesterov = true} : tensor<4x8xf32>, f64
  return %p3, %b3 : tensor<4x8xf32>, tensor<4x8xf32>
}

// LRScheduleLowering. Cosine with a linear warm-up, in f64 scalar code: the
// warm-up factor min(1, (t + 1) / W), the progress clamped to [0, 1], the
// cosine, and the warm-up branch chosen while t < W; a constant schedule
// folds to its rate.
// CHECK-LABEL: func.func @lr_schedule(
// CHECK-SAME: %[[T:[^:]*]]: i64)
// CHECK-DAG: %[[CONSTANT:.*]] = arith.constant 1.000000e-02 : f64
// CHECK: %[[TF:.*]] = arith.sitofp %[[T]] : i64 to f64
// CHECK: %[[WARM:.*]] = arith.minimumf
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// CHECK: math.cos %{{.*}} : f64
// CHECK: arith.addf
// CHECK: arith.mulf
// CHECK: %[[COS:.*]] = arith.addf
// CHECK: %[[RAMP:.*]] = arith.mulf %[[WARM]], %{{.*}} : f64
// CHECK: %[[IN:.*]] = arith.cmpi slt, %[[T]], %c10_i64 : i64
// CHECK: %[[LR:.*]] = arith.select %[[IN]], %[[RAMP]], %[[COS]] : f64
// CHECK: return %[[LR]], %[[CONSTANT]] : f64, f64
func.func @lr_schedule(%t: i64) -> (f64, f64) {
  %l1 = ternary.lr_schedule %t {schedule = #ternary.lr_schedule<cosine>, lr = 1.0e-3, warmup_steps = 10 : i64, total_steps = 100 : i64} : i64
  %l2 = ternary.lr_schedule %t {schedule = #ternary.lr_schedule<constant>, lr = 1.0e-2} : i64
  return %l1, %l2 : f64, f64
}

// GlobalNormLowering. The sum of squares of every tensor in f64 (one
// reduction each, added in order), then sqrt rounded to f32.
// CHECK-LABEL: func.func @global_norm(
// CHECK-SAME: %[[A:[^:]*]]: tensor<4x8xf32>, %[[B:[^:]*]]: tensor<?xf32>)
// A matrix: partial sums a column (column loop innermost), then over them;
// a vector: one sum.
// CHECK: %[[COLS:.*]] = linalg.generic {{.*}}iterator_types = ["reduction", "parallel"]} ins(%[[A]] : tensor<4x8xf32>) outs(%{{.*}} : tensor<8xf64>)
// CHECK: arith.extf %{{.*}} : f32 to f64
// CHECK: %[[SA:.*]] = linalg.generic {{.*}}iterator_types = ["reduction"]} ins(%[[COLS]] : tensor<8xf64>) outs(%{{.*}} : tensor<f64>)
// CHECK-NOT: arith.mulf
// CHECK: %[[SB:.*]] = linalg.generic {{.*}}iterator_types = ["reduction"]} ins(%[[B]] : tensor<?xf32>) outs(%{{.*}} : tensor<f64>)
// CHECK: arith.extf %{{.*}} : f32 to f64
// CHECK: %[[NORM:.*]] = math.sqrt %{{.*}} : f64
// CHECK: %[[NORM32:.*]] = arith.truncf %[[NORM]] : f64 to f32
// CHECK: return %[[NORM32]] : f32
func.func @global_norm(%g: tensor<4x8xf32>, %v: tensor<?xf32>) -> f32 {
  %n = ternary.global_norm %g, %v : tensor<4x8xf32>, tensor<?xf32>
  return %n : f32
}
