// Tests passes/Utils/RuntimeChecks.cpp through --convert-ternary-to-linalg:
// with dynamic sizes a lowering emits `scf.if (actual != expected)` calling
// the runtime's ternary_check_failed with the check's code (declared once a
// module); with static sizes (checked by the verifiers) it emits nothing.
// RUN: ternary-opt %s --convert-ternary-to-linalg --split-input-file | FileCheck %s

// K of the activations against the weights (emitProductChecks, code 1), and
// the rescale's absmax rows (code 3) and bias size (code 4)
// (emitRescaleChecks).
// CHECK-LABEL: module
// CHECK-COUNT-1: func.func private @ternary_check_failed(i32)
// CHECK-LABEL: func.func @dynamic
// CHECK: %[[K:.*]] = tensor.dim %arg0, %{{.*}} : tensor<?x?xi8>
// CHECK: %[[COLS:.*]] = tensor.dim %arg1, %{{.*}} : tensor<?x?xi8>
// CHECK: %[[NE:.*]] = arith.cmpi ne, %[[COLS]], %[[K]] : index
// CHECK: scf.if %[[NE]] {
// CHECK-NEXT: %[[CODE:.*]] = arith.constant 1 : i32
// CHECK-NEXT: func.call @ternary_check_failed(%[[CODE]]) : (i32) -> ()
// CHECK: arith.constant 3 : i32
// CHECK-NEXT: func.call @ternary_check_failed
// CHECK: arith.constant 4 : i32
// CHECK-NEXT: func.call @ternary_check_failed
func.func @dynamic(%x: tensor<?x?xi8>, %w: tensor<?x?xi8>, %a: tensor<?xf32>, %g: f32, %b: tensor<?xf32>) -> tensor<?x?xf32> {
  %acc = ternary.matmul %x, %w : tensor<?x?xi8>, tensor<?x?xi8> -> tensor<?x?xi32>
  %y = ternary.rescale %acc, %a, %g bias %b : tensor<?x?xi32>, tensor<?xf32>, tensor<?xf32> -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}

// -----

// Packed weights: the storage's bytes against ceil(K / 4) (code 2).
// CHECK-LABEL: func.func @packed
// CHECK: arith.ceildivui %{{.*}}, %c4 : index
// CHECK: scf.if
// CHECK-NEXT: arith.constant 2 : i32
// CHECK-NEXT: func.call @ternary_check_failed
func.func @packed(%x: tensor<4x?xi8>, %p: !ternary.packed<8x?, i2>) -> tensor<4x8xi32> {
  %acc = ternary.matmul %x, %p : tensor<4x?xi8>, !ternary.packed<8x?, i2> -> tensor<4x8xi32>
  return %acc : tensor<4x8xi32>
}

// -----

// Static sizes: no check, and no declaration of the runtime function.
// CHECK-LABEL: module
// CHECK-NOT: ternary_check_failed
// CHECK-LABEL: func.func @static
// CHECK-NOT: scf.if
// CHECK-NOT: ternary_check_failed
// CHECK: return
// CHECK-NEXT: }
// CHECK-NEXT: }
func.func @static(%x: tensor<4x16xi8>, %w: tensor<8x16xi8>, %a: tensor<4xf32>, %g: f32, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %acc = ternary.matmul %x, %w : tensor<4x16xi8>, tensor<8x16xi8> -> tensor<4x8xi32>
  %y = ternary.rescale %acc, %a, %g bias %b : tensor<4x8xi32>, tensor<4xf32>, tensor<8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
