// Tests passes/Codegen/CPU/FuseBatches.cpp (--ternary-fuse-batches): which
// runs of batched ops it runs one entry at a time, which buffers shrink to
// one entry a task, and what it leaves alone. The numbers of the whole
// pipeline with and without it are compared, bit for bit, in
// test/unittests/Codegen/FuseBatchesTest.cpp.
// RUN: ternary-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ternary-fuse-batches))' | FileCheck %s
// RUN: ternary-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ternary-fuse-batches{max-entry-bytes=4096}))' | FileCheck %s --check-prefix=SMALL
// RUN: not ternary-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ternary-fuse-batches{max-entry-bytes=0}))' 2>&1 | FileCheck %s --check-prefix=ERR
// ERR: error: ternary-fuse-batches: max-entry-bytes must be positive (got 0)

#id3 = affine_map<(n, k, p) -> (n, k, p)>
#w = affine_map<(n, f, p, k) -> (f, k)>
#cols = affine_map<(n, f, p, k) -> (n, k, p)>
#out = affine_map<(n, f, p, k) -> (n, f, p)>
// Windows made and read only here: one scf.forall over the images; the
// windows' buffer becomes one image allocated in each task (32 x 64 floats,
// 8 KB), the input and output are sliced at the image.
// CHECK-LABEL: func.func @windows_then_contraction
// CHECK-SAME: (%[[X:.*]]: memref<4x32x64xf32>, %[[W:.*]]: memref<16x32xf32>, %[[Y:.*]]: memref<4x16x64xf32>)
// CHECK-NOT: memref.alloc
// CHECK: scf.forall (%[[I:.*]]) in (%{{.*}}) {
// CHECK:   %[[COLS:.*]] = memref.alloc(%c1) {alignment = 64 : i64} : memref<?x32x64xf32>
// CHECK:   %[[XI:.*]] = memref.subview %[[X]][%[[I]], 0, 0] [1, 32, 64] [1, 1, 1]
// CHECK:   %[[CI:.*]] = memref.subview %[[COLS]][0, 0, 0] [1, 32, 64] [1, 1, 1]
// CHECK:   linalg.generic {{.*}} ins(%[[XI]] : {{.*}}) outs(%[[CI]] : {{.*}})
// CHECK:   %[[CJ:.*]] = memref.subview %[[COLS]][0, 0, 0] [1, 32, 64] [1, 1, 1]
// CHECK:   %[[YI:.*]] = memref.subview %[[Y]][%[[I]], 0, 0] [1, 16, 64] [1, 1, 1]
// CHECK:   linalg.generic {{.*}} ins(%[[W]], %[[CJ]] : memref<16x32xf32>, {{.*}}) outs(%[[YI]] : {{.*}})
// CHECK:   memref.dealloc %[[COLS]]
// CHECK: }
// CHECK-NOT: memref.dealloc
// CHECK: return
// With entries of at most 4 KB, the 8 KB windows do not make it pay.
// SMALL-LABEL: func.func @windows_then_contraction
// SMALL-NOT: scf.forall
func.func @windows_then_contraction(%x: memref<4x32x64xf32>, %w: memref<16x32xf32>,
                                    %y: memref<4x16x64xf32>) {
  %c0 = arith.constant 0 : index
  %n = memref.dim %x, %c0 : memref<4x32x64xf32>
  %cols = memref.alloc(%n) {alignment = 64 : i64} : memref<?x32x64xf32>
  linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : memref<4x32x64xf32>) outs(%cols : memref<?x32x64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = arith.addf %a, %a : f32
    linalg.yield %t : f32
  }
  linalg.generic {indexing_maps = [#w, #cols, #out], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%w, %cols : memref<16x32xf32>, memref<?x32x64xf32>) outs(%y : memref<4x16x64xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  memref.dealloc %cols : memref<?x32x64xf32>
  return
}

// -----

#id3 = affine_map<(n, k, p) -> (n, k, p)>
#w = affine_map<(n, f, p, k) -> (f, k)>
#cols = affine_map<(n, f, p, k) -> (n, k, p)>
#out = affine_map<(n, f, p, k) -> (n, f, p)>
#dw = affine_map<(n, f, k, p) -> (f, k)>
#dy = affine_map<(n, f, k, p) -> (n, f, p)>
#cl = affine_map<(n, f, k, p) -> (n, k, p)>
// The windows are read again after the run (a filter gradient, summed over
// the images, which is no run member): the run reads and writes entry i of
// the whole buffer, through the views that keep the images first; the
// filter gradient stays where it is.
// CHECK-LABEL: func.func @windows_kept
// CHECK: %[[COLS:.*]] = memref.alloc(%{{.*}}) {alignment = 64 : i64} : memref<?x32x8x8xf32>
// CHECK: %[[FLAT:.*]] = memref.collapse_shape %[[COLS]] {{\[}}[0], [1], [2, 3]]
// CHECK: scf.forall (%[[I:.*]]) in
// CHECK-NOT: memref.alloc
// CHECK:   memref.subview %[[COLS]][%[[I]], 0, 0, 0] [1, 32, 8, 8]
// CHECK:   linalg.generic
// CHECK:   memref.subview %[[FLAT]][%[[I]], 0, 0] [1, 32, 64]
// CHECK:   linalg.generic
// CHECK: }
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%{{.*}}, %[[FLAT]] :
// CHECK: memref.dealloc %[[COLS]]
#id4 = affine_map<(n, k, h, w) -> (n, k, h, w)>
func.func @windows_kept(%x: memref<4x32x8x8xf32>, %w: memref<16x32xf32>,
                        %y: memref<4x16x64xf32>, %dyv: memref<4x16x64xf32>,
                        %dwv: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  %n = memref.dim %x, %c0 : memref<4x32x8x8xf32>
  %cols = memref.alloc(%n) {alignment = 64 : i64} : memref<?x32x8x8xf32>
  linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<4x32x8x8xf32>) outs(%cols : memref<?x32x8x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = arith.addf %a, %a : f32
    linalg.yield %t : f32
  }
  %flat = memref.collapse_shape %cols [[0], [1], [2, 3]] : memref<?x32x8x8xf32> into memref<?x32x64xf32>
  linalg.generic {indexing_maps = [#w, #cols, #out], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%w, %flat : memref<16x32xf32>, memref<?x32x64xf32>) outs(%y : memref<4x16x64xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#dy, #cl, #dw], iterator_types = ["reduction", "parallel", "parallel", "reduction"]}
      ins(%dyv, %flat : memref<4x16x64xf32>, memref<?x32x64xf32>) outs(%dwv : memref<16x32xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  memref.dealloc %cols : memref<?x32x8x8xf32>
  return
}

// -----

#w = affine_map<(n, f, p, k) -> (f, k)>
#cols = affine_map<(n, f, p, k) -> (n, k, p)>
#out = affine_map<(n, f, p, k) -> (n, f, p)>
#id3 = affine_map<(n, k, p) -> (n, k, p)>
// An input gradient's contraction (after the fill of its output) and the
// scatter-add of its windows (after the fill of its own output): the fills
// go into the tasks with the ops they precede; the windows' gradient only
// lives in the run.
// CHECK-LABEL: func.func @contraction_then_scatter
// CHECK: scf.forall (%[[I:.*]]) in
// CHECK:   %[[DCOLS:.*]] = memref.alloc(%c1)
// CHECK:   linalg.fill {{.*}} outs(%{{.*}} : memref<1x32x64xf32, strided<[2048, 64, 1]>>)
// CHECK:   linalg.generic {{.*}} ["parallel", "parallel", "parallel", "reduction"]
// CHECK:   linalg.fill {{.*}} outs(%{{.*}} : memref<1x32x64xf32, strided<[2048, 64, 1], offset: ?>>)
// CHECK:   linalg.generic {{.*}} ["parallel", "parallel", "parallel"]
// CHECK:   memref.dealloc %[[DCOLS]]
// CHECK: }
// CHECK-NEXT: return
func.func @contraction_then_scatter(%wt: memref<32x16xf32>, %dy: memref<4x16x64xf32>,
                                    %dx: memref<4x32x64xf32>) {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = memref.dim %dy, %c0 : memref<4x16x64xf32>
  %dcols = memref.alloc(%n) {alignment = 64 : i64} : memref<?x32x64xf32>
  linalg.fill ins(%zero : f32) outs(%dcols : memref<?x32x64xf32>)
  linalg.generic {indexing_maps = [#w, #cols, #out], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%wt, %dy : memref<32x16xf32>, memref<4x16x64xf32>) outs(%dcols : memref<?x32x64xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  linalg.fill ins(%zero : f32) outs(%dx : memref<4x32x64xf32>)
  linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%dcols : memref<?x32x64xf32>) outs(%dx : memref<4x32x64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = arith.addf %o, %a : f32
    linalg.yield %t : f32
  }
  memref.dealloc %dcols : memref<?x32x64xf32>
  return
}

// -----

#id3 = affine_map<(n, k, p) -> (n, k, p)>
#w = affine_map<(n, f, p, k) -> (f, k)>
#cols = affine_map<(n, f, p, k) -> (n, k, p)>
#out = affine_map<(n, f, p, k) -> (n, f, p)>
#all = affine_map<(f, k) -> (f, k)>
// A linalg op between two members that is not one (here over the filter)
// and touches nothing the run uses goes after the loop. One whose output a
// later member reads cannot wait: the run ends before it.
// CHECK-LABEL: func.func @deferred
// CHECK-SAME: (%[[X:.*]]: memref<4x32x64xf32>, %[[W:.*]]: memref<16x32xf32>, %[[Y:.*]]: memref<4x16x64xf32>, %[[V:.*]]: memref<16x32xf32>)
// CHECK: scf.forall
// CHECK:   linalg.generic {{.*}} ins(%{{.*}} : memref<1x32x64xf32, {{.*}}>) outs(%{{.*}} : memref<1x32x64xf32, {{.*}}>)
// CHECK:   linalg.generic {{.*}} ins(%[[W]], %{{.*}} : memref<16x32xf32>, {{.*}}) outs(%{{.*}} : memref<1x16x64xf32, {{.*}}>)
// CHECK:   memref.dealloc
// CHECK-NEXT: }
// CHECK-NEXT: linalg.generic {{.*}} ins(%[[W]] : memref<16x32xf32>) outs(%[[V]] : memref<16x32xf32>)
// CHECK-NOT: scf.forall
// CHECK: return
func.func @deferred(%x: memref<4x32x64xf32>, %w: memref<16x32xf32>,
                    %y: memref<4x16x64xf32>, %v: memref<16x32xf32>) {
  %c0 = arith.constant 0 : index
  %n = memref.dim %x, %c0 : memref<4x32x64xf32>
  %cols = memref.alloc(%n) {alignment = 64 : i64} : memref<?x32x64xf32>
  linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : memref<4x32x64xf32>) outs(%cols : memref<?x32x64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = arith.addf %a, %a : f32
    linalg.yield %t : f32
  }
  // Deferred: reads the filter, writes %v, which no member uses.
  linalg.generic {indexing_maps = [#all, #all], iterator_types = ["parallel", "parallel"]}
      ins(%w : memref<16x32xf32>) outs(%v : memref<16x32xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = arith.mulf %a, %a : f32
    linalg.yield %t : f32
  }
  linalg.generic {indexing_maps = [#w, #cols, #out], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%w, %cols : memref<16x32xf32>, memref<?x32x64xf32>) outs(%y : memref<4x16x64xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  memref.dealloc %cols : memref<?x32x64xf32>
  // Not deferred: the contraction reads %v, which the op in between writes.
  %cols2 = memref.alloc(%n) {alignment = 64 : i64} : memref<?x32x64xf32>
  linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : memref<4x32x64xf32>) outs(%cols2 : memref<?x32x64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = arith.addf %a, %a : f32
    linalg.yield %t : f32
  }
  linalg.generic {indexing_maps = [#all, #all], iterator_types = ["parallel", "parallel"]}
      ins(%w : memref<16x32xf32>) outs(%v : memref<16x32xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = arith.addf %a, %a : f32
    linalg.yield %t : f32
  }
  linalg.generic {indexing_maps = [#w, #cols, #out], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%v, %cols2 : memref<16x32xf32>, memref<?x32x64xf32>) outs(%y : memref<4x16x64xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  memref.dealloc %cols2 : memref<?x32x64xf32>
  return
}

// -----

#id2 = affine_map<(m, k) -> (m, k)>
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (n, k)>
#c = affine_map<(m, n, k) -> (m, n)>
#id3 = affine_map<(n, k, p) -> (n, k, p)>
#w = affine_map<(n, f, p, k) -> (f, k)>
#cols = affine_map<(n, f, p, k) -> (n, k, p)>
#out = affine_map<(n, f, p, k) -> (n, f, p)>
// Left alone:
// - a matrix product's rows are no batch (split by rows, it would read its
//   weights once a row);
// - a run without a contraction;
// - a call between the producer and the contraction (it may touch any
//   buffer);
// - batches of sizes not provably equal (%m windows from 4 inputs);
// - an op reading its batch index (on an entry's slice it would read 0).
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: scf.forall
// CHECK: return
func.func private @opaque()
func.func @left_alone(%x: memref<4x64xf32>, %wt: memref<32x64xf32>, %y: memref<4x32xf32>,
                      %u: memref<4x32x64xf32>, %v: memref<4x32x64xf32>,
                      %w: memref<16x32xf32>, %z: memref<4x16x64xf32>,
                      %m: index) {
  %c0 = arith.constant 0 : index
  %n = memref.dim %x, %c0 : memref<4x64xf32>
  %h = memref.alloc(%n) {alignment = 64 : i64} : memref<?x64xf32>
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<4x64xf32>) outs(%h : memref<?x64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = arith.addf %a, %a : f32
    linalg.yield %t : f32
  }
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%h, %wt : memref<?x64xf32>, memref<32x64xf32>) outs(%y : memref<4x32xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  memref.dealloc %h : memref<?x64xf32>
  // No contraction.
  linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%u : memref<4x32x64xf32>) outs(%v : memref<4x32x64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = arith.addf %a, %a : f32
    linalg.yield %t : f32
  }
  linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%v : memref<4x32x64xf32>) outs(%u : memref<4x32x64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = arith.mulf %a, %a : f32
    linalg.yield %t : f32
  }
  // A call in between.
  %k = memref.dim %u, %c0 : memref<4x32x64xf32>
  %cols = memref.alloc(%k) {alignment = 64 : i64} : memref<?x32x64xf32>
  linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%u : memref<4x32x64xf32>) outs(%cols : memref<?x32x64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = arith.addf %a, %a : f32
    linalg.yield %t : f32
  }
  func.call @opaque() : () -> ()
  linalg.generic {indexing_maps = [#w, #cols, #out], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%w, %cols : memref<16x32xf32>, memref<?x32x64xf32>) outs(%z : memref<4x16x64xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  memref.dealloc %cols : memref<?x32x64xf32>
  // Sizes not provably equal: %m entries of windows, %z's own batch.
  %cols2 = memref.alloc(%m) {alignment = 64 : i64} : memref<?x32x64xf32>
  linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%v : memref<4x32x64xf32>) outs(%cols2 : memref<?x32x64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %t = arith.addf %a, %a : f32
    linalg.yield %t : f32
  }
  linalg.generic {indexing_maps = [#w, #cols, #out], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%w, %cols2 : memref<16x32xf32>, memref<?x32x64xf32>) outs(%z : memref<4x16x64xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  memref.dealloc %cols2 : memref<?x32x64xf32>
  // The batch index read.
  %cols3 = memref.alloc(%k) {alignment = 64 : i64} : memref<?x32x64xf32>
  linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%u : memref<4x32x64xf32>) outs(%cols3 : memref<?x32x64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %i = linalg.index 0 : index
    %ii = arith.index_cast %i : index to i32
    %fi = arith.sitofp %ii : i32 to f32
    %t = arith.addf %a, %fi : f32
    linalg.yield %t : f32
  }
  linalg.generic {indexing_maps = [#w, #cols, #out], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%w, %cols3 : memref<16x32xf32>, memref<?x32x64xf32>) outs(%z : memref<4x16x64xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  memref.dealloc %cols3 : memref<?x32x64xf32>
  return
}
