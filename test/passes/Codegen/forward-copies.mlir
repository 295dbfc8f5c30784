// Tests passes/Codegen/ForwardCopies.cpp.
// RUN: ternary-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ternary-forward-copies))' | FileCheck %s

#id = affine_map<(d0) -> (d0)>
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#tr = affine_map<(d0, d1) -> (d1, d0)>

// An optimiser-like update: one element-wise op writes a fresh buffer that
// is copied into an argument it also reads; it writes the argument instead.
// Copies into other arguments between them do not stand in the way.
// CHECK-LABEL: func.func @update
// CHECK-SAME: (%[[P:.*]]: memref<4xf32>, %[[G:.*]]: memref<4xf32>, %[[M:.*]]: memref<4xf32>)
// CHECK-NOT: memref.alloc
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[P]], %[[G]], %[[M]] : memref<4xf32>, memref<4xf32>, memref<4xf32>)
// CHECK-SAME: outs(%[[P]], %[[M]] : memref<4xf32>, memref<4xf32>)
// CHECK-NOT: memref.copy
// CHECK: return
func.func @update(%p: memref<4xf32>, %g: memref<4xf32>, %m: memref<4xf32>) {
  %np = memref.alloc() : memref<4xf32>
  %nm = memref.alloc() : memref<4xf32>
  linalg.generic {indexing_maps = [#id, #id, #id, #id, #id], iterator_types = ["parallel"]}
      ins(%p, %g, %m : memref<4xf32>, memref<4xf32>, memref<4xf32>)
      outs(%np, %nm : memref<4xf32>, memref<4xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32, %o: f32, %o2: f32):
    %s = arith.subf %a, %b : f32
    %t = arith.addf %c, %b : f32
    linalg.yield %s, %t : f32, f32
  }
  memref.copy %np, %p : memref<4xf32> to memref<4xf32>
  memref.copy %nm, %m : memref<4xf32> to memref<4xf32>
  return
}

// -----

#id = affine_map<(d0) -> (d0)>

// One buffer carries two updates in turn: each writes its argument.
// CHECK-LABEL: func.func @reused
// CHECK-SAME: (%[[A:.*]]: memref<4xf32>, %[[B:.*]]: memref<4xf32>, %[[G:.*]]: memref<4xf32>)
// CHECK-NOT: memref.alloc
// CHECK: outs(%[[A]] : memref<4xf32>)
// CHECK: outs(%[[B]] : memref<4xf32>)
// CHECK-NOT: memref.copy
func.func @reused(%a: memref<4xf32>, %b: memref<4xf32>, %g: memref<4xf32>) {
  %new = memref.alloc() : memref<4xf32>
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
      ins(%a, %g : memref<4xf32>, memref<4xf32>) outs(%new : memref<4xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.subf %x, %y : f32
    linalg.yield %s : f32
  }
  memref.copy %new, %a : memref<4xf32> to memref<4xf32>
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
      ins(%b, %g : memref<4xf32>, memref<4xf32>) outs(%new : memref<4xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  }
  memref.copy %new, %b : memref<4xf32> to memref<4xf32>
  return
}

// -----

#id = affine_map<(d0) -> (d0)>

// The buffer is read after the copy before anything overwrites it: the
// copy stays (the reader needs the values in the buffer).
// CHECK-LABEL: func.func @read_after
// CHECK: %[[NEW:.*]] = memref.alloc
// CHECK: outs(%[[NEW]] : memref<4xf32>)
// CHECK: memref.copy %[[NEW]]
// CHECK: linalg.copy ins(%[[NEW]]
func.func @read_after(%a: memref<4xf32>, %g: memref<4xf32>, %out: memref<4xf32>) {
  %new = memref.alloc() : memref<4xf32>
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
      ins(%a, %g : memref<4xf32>, memref<4xf32>) outs(%new : memref<4xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.subf %x, %y : f32
    linalg.yield %s : f32
  }
  memref.copy %new, %a : memref<4xf32> to memref<4xf32>
  linalg.copy ins(%new : memref<4xf32>) outs(%out : memref<4xf32>)
  return
}

// -----

#id = affine_map<(d0) -> (d0)>

// The argument is read between the op and the copy: the copy stays.
// CHECK-LABEL: func.func @read_between
// CHECK: %[[NEW:.*]] = memref.alloc
// CHECK: outs(%[[NEW]] : memref<4xf32>)
// CHECK: memref.load
// CHECK: memref.copy %[[NEW]]
func.func @read_between(%p: memref<4xf32>, %g: memref<4xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %new = memref.alloc() : memref<4xf32>
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
      ins(%p, %g : memref<4xf32>, memref<4xf32>) outs(%new : memref<4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.subf %a, %b : f32
    linalg.yield %s : f32
  }
  %old = memref.load %p[%c0] : memref<4xf32>
  memref.copy %new, %p : memref<4xf32> to memref<4xf32>
  return %old : f32
}

// -----

#id2 = affine_map<(d0, d1) -> (d0, d1)>
#tr = affine_map<(d0, d1) -> (d1, d0)>

// The op reads the argument transposed (other elements than it writes):
// the copy stays.
// CHECK-LABEL: func.func @transposed_read
// CHECK: %[[NEW:.*]] = memref.alloc
// CHECK: outs(%[[NEW]] : memref<3x3xf32>)
// CHECK: memref.copy %[[NEW]]
func.func @transposed_read(%p: memref<3x3xf32>) {
  %new = memref.alloc() : memref<3x3xf32>
  linalg.generic {indexing_maps = [#tr, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%p : memref<3x3xf32>) outs(%new : memref<3x3xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  }
  memref.copy %new, %p : memref<3x3xf32> to memref<3x3xf32>
  return
}

// -----

#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>

// A reduction into the buffer, a buffer with a second reader, a copy into
// a buffer that is not an argument: each copy stays.
// CHECK-LABEL: func.func @reduction
// CHECK: memref.copy
func.func @reduction(%x: memref<4x3xf32>, %s: memref<4xf32>) {
  %new = memref.alloc() : memref<4xf32>
  linalg.generic {indexing_maps = [#id2, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<4x3xf32>) outs(%new : memref<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  }
  memref.copy %new, %s : memref<4xf32> to memref<4xf32>
  return
}

// CHECK-LABEL: func.func @second_reader
// CHECK: memref.copy
func.func @second_reader(%x: memref<4xf32>, %y: memref<4xf32>, %z: memref<4xf32>) {
  %new = memref.alloc() : memref<4xf32>
  linalg.copy ins(%x : memref<4xf32>) outs(%new : memref<4xf32>)
  memref.copy %new, %z : memref<4xf32> to memref<4xf32>
  memref.copy %new, %y : memref<4xf32> to memref<4xf32>
  return
}

// CHECK-LABEL: func.func @not_an_argument
// CHECK: memref.copy
func.func @not_an_argument(%x: memref<4xf32>) -> memref<4xf32> {
  %new = memref.alloc() : memref<4xf32>
  %out = memref.alloc() : memref<4xf32>
  linalg.copy ins(%x : memref<4xf32>) outs(%new : memref<4xf32>)
  memref.copy %new, %out : memref<4xf32> to memref<4xf32>
  return %out : memref<4xf32>
}

// -----

#id2 = affine_map<(d0, d1) -> (d0, d1)>

// One zero-filled buffer copied as the output of two accumulations: each
// copy becomes a fill of its target (reading its sizes is no write), the
// filled buffer goes.
// CHECK-LABEL: func.func @copies_of_a_fill
// CHECK-SAME: (%{{.*}}: memref<4x3xf32>, %[[N:.*]]: index)
// CHECK: %[[ZERO:.*]] = arith.constant 0.0
// CHECK-NOT: memref.dim
// CHECK: %[[A:.*]] = memref.alloc(%[[N]])
// CHECK-NEXT: linalg.fill ins(%[[ZERO]] : f32) outs(%[[A]] : memref<?x3xf32>)
// CHECK-NEXT: linalg.generic
// CHECK: %[[B:.*]] = memref.alloc(%[[N]])
// CHECK-NEXT: linalg.fill ins(%[[ZERO]] : f32) outs(%[[B]] : memref<?x3xf32>)
// CHECK-NOT: memref.copy
// CHECK: return
func.func @copies_of_a_fill(%x: memref<4x3xf32>, %n: index) -> (memref<?x3xf32>, memref<?x3xf32>) {
  %zero = arith.constant 0.0 : f32
  %filled = memref.alloc(%n) : memref<?x3xf32>
  linalg.fill ins(%zero : f32) outs(%filled : memref<?x3xf32>)
  %c0 = arith.constant 0 : index
  %rows = memref.dim %filled, %c0 : memref<?x3xf32>
  %a = memref.alloc(%rows) : memref<?x3xf32>
  memref.copy %filled, %a : memref<?x3xf32> to memref<?x3xf32>
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<4x3xf32>) outs(%a : memref<?x3xf32>) {
  ^bb0(%v: f32, %o: f32):
    %s = arith.addf %o, %v : f32
    linalg.yield %s : f32
  }
  %b = memref.alloc(%n) : memref<?x3xf32>
  memref.copy %filled, %b : memref<?x3xf32> to memref<?x3xf32>
  return %a, %b : memref<?x3xf32>, memref<?x3xf32>
}

// The first accumulation writes the filled buffer itself, after the copy
// for the second: the copy still copies the fill (it becomes one); a copy
// after that write stays.
// CHECK-LABEL: func.func @first_in_place
// CHECK: %[[F:.*]] = memref.alloc
// CHECK-NEXT: linalg.fill ins(%{{.*}} : f32) outs(%[[F]] : memref<3xf32>)
// CHECK-NEXT: %[[B:.*]] = memref.alloc
// CHECK-NEXT: linalg.fill ins(%{{.*}} : f32) outs(%[[B]] : memref<3xf32>)
// CHECK-NEXT: linalg.generic
// CHECK-SAME: outs(%[[F]] : memref<3xf32>)
// CHECK: %[[C:.*]] = memref.alloc
// CHECK-NEXT: memref.copy %[[F]], %[[C]]
func.func @first_in_place(%x: memref<3xf32>) -> (memref<3xf32>, memref<3xf32>, memref<3xf32>) {
  %zero = arith.constant 0.0 : f32
  %filled = memref.alloc() : memref<3xf32>
  linalg.fill ins(%zero : f32) outs(%filled : memref<3xf32>)
  %b = memref.alloc() : memref<3xf32>
  memref.copy %filled, %b : memref<3xf32> to memref<3xf32>
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      ins(%x : memref<3xf32>) outs(%filled : memref<3xf32>) {
  ^bb0(%v: f32, %o: f32):
    %s = arith.addf %o, %v : f32
    linalg.yield %s : f32
  }
  %c = memref.alloc() : memref<3xf32>
  memref.copy %filled, %c : memref<3xf32> to memref<3xf32>
  return %filled, %b, %c : memref<3xf32>, memref<3xf32>, memref<3xf32>
}

// A buffer written after its fill: its copies stay.
// CHECK-LABEL: func.func @written_after_the_fill
// CHECK: memref.copy
func.func @written_after_the_fill(%x: memref<3xf32>) -> memref<3xf32> {
  %zero = arith.constant 0.0 : f32
  %filled = memref.alloc() : memref<3xf32>
  linalg.fill ins(%zero : f32) outs(%filled : memref<3xf32>)
  linalg.copy ins(%x : memref<3xf32>) outs(%filled : memref<3xf32>)
  %a = memref.alloc() : memref<3xf32>
  memref.copy %filled, %a : memref<3xf32> to memref<3xf32>
  return %a : memref<3xf32>
}
