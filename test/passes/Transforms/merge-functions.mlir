// Tests passes/Transforms/MergeFunctions.cpp.
// RUN: ternary-opt %s --split-input-file --ternary-merge-functions | FileCheck %s

// Public twins: the first keeps its body, the second calls it. Locations do
// not count.
// CHECK-LABEL: func.func @loss
// CHECK-SAME: (%{{.*}}: tensor<4xf32>) -> tensor<f32>
// CHECK: linalg.generic
// CHECK-LABEL: func.func @eval_step
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>) -> tensor<f32>
// CHECK-NEXT: %[[R:.*]] = call @loss(%[[X]]) : (tensor<4xf32>) -> tensor<f32>
// CHECK-NEXT: return %[[R]] : tensor<f32>
// CHECK-NEXT: }
#id = affine_map<(d0) -> (d0)>
#all = affine_map<(d0) -> ()>
func.func @loss(%x: tensor<4xf32>) -> tensor<f32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %s = linalg.generic {indexing_maps = [#id, #all], iterator_types = ["reduction"]}
      ins(%x : tensor<4xf32>) outs(%f : tensor<f32>) {
  ^bb0(%in: f32, %out: f32):
    %a = arith.addf %in, %out : f32
    linalg.yield %a : f32
  } -> tensor<f32>
  return %s : tensor<f32>
}
func.func @eval_step(%y: tensor<4xf32>) -> tensor<f32> {
  %zero = arith.constant 0.0 : f32 loc("elsewhere")
  %e = tensor.empty() : tensor<f32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %s = linalg.generic {indexing_maps = [#id, #all], iterator_types = ["reduction"]}
      ins(%y : tensor<4xf32>) outs(%f : tensor<f32>) {
  ^bb0(%in: f32, %out: f32):
    %a = arith.addf %in, %out : f32
    linalg.yield %a : f32
  } -> tensor<f32>
  return %s : tensor<f32>
}

// -----

// A private twin is erased and its callers call the public one, even when
// it comes first.
// CHECK-LABEL: func.func @step
// CHECK: call @grads(
// CHECK-NOT: func.func private
// CHECK-LABEL: func.func @grads
// CHECK: arith.mulf
func.func @step(%x: f32) -> f32 {
  %r = call @step_grads(%x) : (f32) -> f32
  return %r : f32
}
func.func private @step_grads(%x: f32) -> f32 {
  %two = arith.constant 2.0 : f32
  %r = arith.mulf %x, %two : f32
  return %r : f32
}
func.func @grads(%x: f32) -> f32 {
  %two = arith.constant 2.0 : f32
  %r = arith.mulf %x, %two : f32
  return %r : f32
}

// -----

// Private twins only: the first stays, uses of the others follow it.
// CHECK-LABEL: func.func @user
// CHECK: call @first(
// CHECK: call @first(
// CHECK: func.func private @first
// CHECK-NOT: func.func private
func.func @user(%x: f32) -> f32 {
  %a = call @first(%x) : (f32) -> f32
  %b = call @second(%a) : (f32) -> f32
  return %b : f32
}
func.func private @first(%x: f32) -> f32 {
  %r = arith.negf %x : f32
  return %r : f32
}
func.func private @second(%x: f32) -> f32 {
  %r = arith.negf %x : f32
  return %r : f32
}

// -----

// Not twins: another constant, another type, another writable argument,
// a declaration.
// CHECK-LABEL: func.func @scale2
// CHECK: arith.constant 2.0
// CHECK-LABEL: func.func @scale3
// CHECK: arith.constant 3.0
// CHECK-LABEL: func.func @scale2_f64
// CHECK: arith.mulf
// CHECK-LABEL: func.func @fill_a
// CHECK: linalg.fill
// CHECK-LABEL: func.func @fill_b
// CHECK: linalg.fill
// CHECK-LABEL: func.func private @extern_a
// CHECK-LABEL: func.func private @extern_b
func.func @scale2(%x: f32) -> f32 {
  %c = arith.constant 2.0 : f32
  %r = arith.mulf %x, %c : f32
  return %r : f32
}
func.func @scale3(%x: f32) -> f32 {
  %c = arith.constant 3.0 : f32
  %r = arith.mulf %x, %c : f32
  return %r : f32
}
func.func @scale2_f64(%x: f64) -> f64 {
  %c = arith.constant 2.0 : f64
  %r = arith.mulf %x, %c : f64
  return %r : f64
}
func.func @fill_a(%t: tensor<4xf32> {bufferization.writable = true}) -> tensor<4xf32> {
  %c = arith.constant 1.0 : f32
  %f = linalg.fill ins(%c : f32) outs(%t : tensor<4xf32>) -> tensor<4xf32>
  return %f : tensor<4xf32>
}
func.func @fill_b(%t: tensor<4xf32>) -> tensor<4xf32> {
  %c = arith.constant 1.0 : f32
  %f = linalg.fill ins(%c : f32) outs(%t : tensor<4xf32>) -> tensor<4xf32>
  return %f : tensor<4xf32>
}
func.func private @extern_a(f32) -> f32
func.func private @extern_b(f32) -> f32
