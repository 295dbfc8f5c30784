// Tests passes/Codegen/StridedCopiesToLinalg.cpp.
// RUN: ternary-opt %s --ternary-strided-copies-to-linalg | FileCheck %s

// A copy out of a strided view becomes linalg.copy (loops later); a copy
// between contiguous buffers stays a memref.copy (a memcpy).

// CHECK-LABEL: func.func @strided
// CHECK-NEXT: linalg.copy ins(%{{.*}} : memref<2x3xf32, strided<[7, 1], offset: 8>>) outs(%{{.*}} : memref<2x3xf32>)
// CHECK-NEXT: return
func.func @strided(%src: memref<2x3xf32, strided<[7, 1], offset: 8>>, %dst: memref<2x3xf32>) {
  memref.copy %src, %dst : memref<2x3xf32, strided<[7, 1], offset: 8>> to memref<2x3xf32>
  return
}

// CHECK-LABEL: func.func @contiguous
// CHECK-NEXT: memref.copy
// CHECK-NOT: linalg.copy
func.func @contiguous(%src: memref<2x3xf32>, %dst: memref<2x3xf32>) {
  memref.copy %src, %dst : memref<2x3xf32> to memref<2x3xf32>
  return
}

// A contiguous strided layout of a static shape is still a memcpy; of a
// dynamic shape (a batch of rows viewed through expand_shape) the lowering
// would call memrefCopy, so it becomes linalg.copy too.

// CHECK-LABEL: func.func @static_contiguous_strided
// CHECK-NEXT: memref.copy
// CHECK-NOT: linalg.copy
func.func @static_contiguous_strided(%src: memref<2x3xf32, strided<[3, 1], offset: 6>>, %dst: memref<2x3xf32>) {
  memref.copy %src, %dst : memref<2x3xf32, strided<[3, 1], offset: 6>> to memref<2x3xf32>
  return
}

// CHECK-LABEL: func.func @dynamic_contiguous_strided
// CHECK-NEXT: linalg.copy ins(%{{.*}} : memref<?x3xf32, strided<[3, 1], offset: ?>>) outs(%{{.*}} : memref<?x3xf32>)
func.func @dynamic_contiguous_strided(%src: memref<?x3xf32, strided<[3, 1], offset: ?>>, %dst: memref<?x3xf32>) {
  memref.copy %src, %dst : memref<?x3xf32, strided<[3, 1], offset: ?>> to memref<?x3xf32>
  return
}
