// Tests dialects/Ternary/BufferizableOpInterfaceImpl.cpp: one-shot
// bufferization turns ternary.prefetch into memref.prefetch of the tensor's
// buffer (read, locality 3, data cache), at the same indices; a prefetch
// neither reads nor writes, so the tensor's buffer is not copied for it,
// and it stays although nothing uses a result.
// RUN: ternary-opt %s --one-shot-bufferize="bufferize-function-boundaries" | FileCheck %s

// CHECK-LABEL: func @prefetch
// CHECK-SAME: (%[[W:.*]]: memref<?x?xi8{{.*}}>, %[[I:.*]]: index, %[[J:.*]]: index)
// CHECK-NOT: memref.alloc
// CHECK: memref.prefetch %[[W]][%[[I]], %[[J]]], read, locality<3>, data
// CHECK-NOT: ternary.prefetch
// CHECK: %[[V:.*]] = memref.load %[[W]][%[[I]], %[[J]]]
// CHECK: return %[[V]]
func.func @prefetch(%w: tensor<?x?xi8>, %i: index, %j: index) -> i8 {
  ternary.prefetch %w[%i, %j] : tensor<?x?xi8>
  %v = tensor.extract %w[%i, %j] : tensor<?x?xi8>
  return %v : i8
}

// In a loop over a tensor the loop writes: the prefetch reads the loop's
// buffer, and the insert stays in place.
// CHECK-LABEL: func @in_loop
// CHECK-SAME: (%[[T:.*]]: memref<8xf32{{.*}}>
// CHECK-NOT: memref.alloc
// CHECK: scf.for %[[K:[a-z0-9_]+]] = {{.*}} iter_args(%[[ACC:.*]] = %[[T]])
// CHECK:   memref.prefetch %[[ACC]][%[[K]]], read, locality<3>, data : memref<8xf32
// CHECK:   memref.store %{{.*}}, %[[ACC]][%[[K]]]
func.func @in_loop(%t: tensor<8xf32>, %v: f32) -> tensor<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %r = scf.for %k = %c0 to %c8 step %c1 iter_args(%acc = %t) -> tensor<8xf32> {
    ternary.prefetch %acc[%k] : tensor<8xf32>
    %u = tensor.insert %v into %acc[%k] : tensor<8xf32>
    scf.yield %u : tensor<8xf32>
  }
  return %r : tensor<8xf32>
}
