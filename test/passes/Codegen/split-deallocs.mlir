// Tests passes/Codegen/SplitDeallocs.cpp.
// RUN: ternary-opt %s --split-input-file --ternary-split-deallocs | FileCheck %s

// Fresh buffers that nothing else in the op can alias are freed alone, under
// their own conditions; the retained buffer keeps the op and its result.
// CHECK-LABEL: func.func @fresh
// CHECK-SAME: (%[[COND:.*]]: i1)
// CHECK: %[[TRUE:.*]] = arith.constant true
// CHECK: %[[A:.*]] = memref.alloc() : memref<4xf32>
// CHECK: %[[B:.*]] = memref.alloc() : memref<8xf32>
// CHECK: %[[C:.*]] = memref.alloc() : memref<2xf32>
// CHECK-NEXT: bufferization.dealloc (%[[A]] : memref<4xf32>) if (%[[TRUE]]){{$}}
// CHECK-NEXT: bufferization.dealloc (%[[B]] : memref<8xf32>) if (%[[COND]]){{$}}
// CHECK-NEXT: %[[R:.*]] = bufferization.dealloc (%[[C]] : memref<2xf32>) if (%[[TRUE]]) retain (%[[C]] : memref<2xf32>)
// CHECK-NEXT: return %[[C]], %[[R]]
func.func @fresh(%cond: i1) -> (memref<2xf32>, i1) {
  %true = arith.constant true
  %a = memref.alloc() : memref<4xf32>
  %b = memref.alloc() : memref<8xf32>
  %c = memref.alloc() : memref<2xf32>
  %r = bufferization.dealloc (%a, %b, %c : memref<4xf32>, memref<8xf32>, memref<2xf32>)
      if (%true, %cond, %true) retain (%c : memref<2xf32>)
  return %c, %r : memref<2xf32>, i1
}

// -----

// Views count as their buffer (a subview, the base buffer of
// extract_strided_metadata). A buffer retained through a view stays in the
// op, with the function's argument; a buffer listed twice is freed once,
// if either condition holds.
// CHECK-LABEL: func.func @views
// CHECK-SAME: (%[[ARG:.*]]: memref<4xf32>, %[[C1:.*]]: i1, %[[C2:.*]]: i1)
// CHECK: %[[A:.*]] = memref.alloc() : memref<4xf32>
// CHECK: %[[B:.*]] = memref.alloc() : memref<4xf32>
// CHECK: %[[C:.*]] = memref.alloc() : memref<4xf32>
// CHECK: %[[VIEW:.*]] = memref.subview %[[A]]
// CHECK: %[[BASE:.*]], %{{.*}}, %{{.*}}, %{{.*}} = memref.extract_strided_metadata %[[B]]
// CHECK-NEXT: %[[EITHER:.*]] = arith.ori %[[C1]], %[[C2]] : i1
// CHECK-NEXT: bufferization.dealloc (%[[B]] : memref<4xf32>) if (%[[EITHER]]){{$}}
// CHECK-NEXT: bufferization.dealloc (%[[C]] : memref<4xf32>) if (%{{.*}}){{$}}
// CHECK-NEXT: %[[R:.*]] = bufferization.dealloc (%[[A]], %[[ARG]] : memref<4xf32>, memref<4xf32>) if ({{.*}}) retain (%[[VIEW]] : memref<2xf32, strided<[1], offset: 1>>)
// CHECK-NEXT: return %[[VIEW]], %[[R]]
func.func @views(%arg: memref<4xf32>, %c1: i1, %c2: i1) -> (memref<2xf32, strided<[1], offset: 1>>, i1) {
  %true = arith.constant true
  %a = memref.alloc() : memref<4xf32>
  %b = memref.alloc() : memref<4xf32>
  %c = memref.alloc() : memref<4xf32>
  %view = memref.subview %a[1] [2] [1] : memref<4xf32> to memref<2xf32, strided<[1], offset: 1>>
  %base, %offset, %size, %stride = memref.extract_strided_metadata %b : memref<4xf32> -> memref<f32>, index, index, index
  %r = bufferization.dealloc (%a, %b, %base, %c, %arg : memref<4xf32>, memref<4xf32>, memref<f32>, memref<4xf32>, memref<4xf32>)
      if (%true, %c1, %c2, %true, %true) retain (%view : memref<2xf32, strided<[1], offset: 1>>)
  return %view, %r : memref<2xf32, strided<[1], offset: 1>>, i1
}

// -----

// The copy bufferization.clone makes is a fresh buffer too.
// CHECK-LABEL: func.func @clone
// CHECK-SAME: (%[[X:.*]]: memref<4xf32>)
// CHECK: %[[A:.*]] = memref.alloc() : memref<4xf32>
// CHECK: %[[COPY:.*]] = bufferization.clone %[[X]]
// CHECK-NEXT: bufferization.dealloc (%[[A]] : memref<4xf32>) if (%{{.*}}){{$}}
// CHECK-NEXT: bufferization.dealloc (%[[COPY]] : memref<4xf32>) if (%{{.*}}){{$}}
// CHECK-NEXT: %[[R:.*]] = bufferization.dealloc (%[[X]] : memref<4xf32>) if (%{{.*}}) retain (%[[X]] : memref<4xf32>)
func.func @clone(%x: memref<4xf32>) -> i1 {
  %true = arith.constant true
  %a = memref.alloc() : memref<4xf32>
  %copy = bufferization.clone %x : memref<4xf32> to memref<4xf32>
  %r = bufferization.dealloc (%a, %copy, %x : memref<4xf32>, memref<4xf32>, memref<4xf32>)
      if (%true, %true, %true) retain (%x : memref<4xf32>)
  return %r : i1
}

// -----

// A call's result: the callee's body says which buffer it is (its argument
// %x, returned through a cast: the same buffer as %a; a buffer it allocates:
// a fresh one). Without a body, it may be a view of any buffer passed to
// it: that buffer stays with it; a buffer the call does not see is freed
// alone.
func.func private @kernel(memref<4xf32>) -> memref<4xf32>

func.func private @in_place(%x: memref<4xf32>) -> memref<?xf32> {
  %cast = memref.cast %x : memref<4xf32> to memref<?xf32>
  return %cast : memref<?xf32>
}

func.func private @fresh_result(%x: memref<4xf32>) -> memref<4xf32> {
  %y = memref.alloc() : memref<4xf32>
  memref.copy %x, %y : memref<4xf32> to memref<4xf32>
  return %y : memref<4xf32>
}

// CHECK-LABEL: func.func @call_results
// CHECK-SAME: (%[[C1:.*]]: i1, %[[C2:.*]]: i1)
// CHECK: %[[A:.*]] = memref.alloc() : memref<4xf32>
// CHECK: %[[B:.*]] = memref.alloc() : memref<4xf32>
// CHECK: %[[D:.*]] = memref.alloc() : memref<4xf32>
// CHECK: %[[SAME:.*]] = call @in_place(%[[A]])
// CHECK: %[[NEW:.*]] = call @fresh_result(%[[A]])
// CHECK: %[[ANY:.*]] = call @kernel(%[[D]])
// CHECK-NEXT: %[[EITHER:.*]] = arith.ori %[[C1]], %[[C2]] : i1
// CHECK-NEXT: bufferization.dealloc (%[[A]] : memref<4xf32>) if (%[[EITHER]]){{$}}
// CHECK-NEXT: bufferization.dealloc (%[[B]] : memref<4xf32>) if (%{{.*}}){{$}}
// CHECK-NEXT: bufferization.dealloc (%[[NEW]] : memref<4xf32>) if (%{{.*}}){{$}}
// CHECK-NEXT: bufferization.dealloc (%[[D]], %[[ANY]] : memref<4xf32>, memref<4xf32>) if (%{{.*}}, %{{.*}}){{$}}
func.func @call_results(%c1: i1, %c2: i1) {
  %true = arith.constant true
  %a = memref.alloc() : memref<4xf32>
  %b = memref.alloc() : memref<4xf32>
  %d = memref.alloc() : memref<4xf32>
  %same = call @in_place(%a) : (memref<4xf32>) -> memref<?xf32>
  %new = call @fresh_result(%a) : (memref<4xf32>) -> memref<4xf32>
  %any = call @kernel(%d) : (memref<4xf32>) -> memref<4xf32>
  bufferization.dealloc (%a, %b, %same, %new, %d, %any : memref<4xf32>, memref<4xf32>, memref<?xf32>, memref<4xf32>, memref<4xf32>, memref<4xf32>)
      if (%c1, %true, %c2, %true, %true, %true)
  return
}

// -----

// A buffer of unknown origin (chosen by a select, an argument of a nested
// block) may be any of them: the op is left whole for upstream's
// simplification.
// CHECK-LABEL: func.func @unknown
// CHECK: bufferization.dealloc (%{{.*}}, %{{.*}}, %{{.*}} : memref<4xf32>, memref<4xf32>, memref<4xf32>) if
// CHECK-NOT: bufferization.dealloc
// CHECK: scf.for
// CHECK: bufferization.dealloc (%{{.*}}, %{{.*}} : memref<4xf32>, memref<4xf32>) if
func.func @unknown(%cond: i1, %n: index) {
  %true = arith.constant true
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %a = memref.alloc() : memref<4xf32>
  %b = memref.alloc() : memref<4xf32>
  %s = arith.select %cond, %a, %b : memref<4xf32>
  bufferization.dealloc (%a, %b, %s : memref<4xf32>, memref<4xf32>, memref<4xf32>) if (%true, %true, %true)
  scf.for %i = %c0 to %n step %c1 iter_args(%buf = %a) -> memref<4xf32> {
    %c = memref.alloc() : memref<4xf32>
    bufferization.dealloc (%c, %buf : memref<4xf32>, memref<4xf32>) if (%true, %true)
    scf.yield %c : memref<4xf32>
  }
  return
}

// -----

// One buffer, or buffers that all share a root: nothing to split.
// CHECK-LABEL: func.func @nothing_to_split
// CHECK: %[[A:.*]] = memref.alloc() : memref<4xf32>
// CHECK-NEXT: bufferization.dealloc (%[[A]] : memref<4xf32>) if (%{{.*}}){{$}}
// CHECK-NEXT: return
func.func @nothing_to_split() {
  %true = arith.constant true
  %a = memref.alloc() : memref<4xf32>
  bufferization.dealloc (%a : memref<4xf32>) if (%true)
  return
}
