// Tests passes/Codegen/CPU/OutlineLinalg.cpp: every f32 contraction the
// kernel takes, and every other linalg op on buffers used twice or more,
// moves into a private function, one per distinct op, called where the op
// was; ops used once stay where they are, and so do ops on 0-d buffers.
// RUN: ternary-opt %s --split-input-file --ternary-outline-linalg | FileCheck %s

// Two identical products (same op, same operand types) share a function; a
// product on other types gets its own; two identical element-wise ops
// reading a constant and an outside value share one (the value becomes an
// argument, the constant is cloned); an i32 product, an element-wise op
// and a reduction, each used once, stay.
// CHECK-LABEL: func.func @layers
// CHECK-SAME: (%[[X:.*]]: memref<?x128xf32>, %[[W:.*]]: memref<128x128xf32>, %[[Q:.*]]: memref<?x128xf32>, %[[K:.*]]: memref<?x128xf32>, %[[W2:.*]]: memref<64x128xf32>, %[[H:.*]]: memref<?x64xf32>
// CHECK-SAME: %[[G:[a-z0-9]+]]: f32)
// CHECK: call @__ternary_linalg_0(%[[X]], %[[W]], %[[Q]]) : (memref<?x128xf32>, memref<128x128xf32>, memref<?x128xf32>) -> ()
// CHECK: call @__ternary_linalg_0(%[[X]], %[[W]], %[[K]])
// CHECK: call @__ternary_linalg_1(%[[X]], %[[W2]], %[[H]]) : (memref<?x128xf32>, memref<64x128xf32>, memref<?x64xf32>) -> ()
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : memref<4x8xi32>, memref<8x2xi32>)
// CHECK: call @__ternary_linalg_2(%[[Q]], %[[K]], %[[G]]) : (memref<?x128xf32>, memref<?x128xf32>, f32) -> ()
// CHECK: call @__ternary_linalg_2(%[[K]], %[[Q]], %[[G]])
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]{{.*}} ins(%[[X]] : memref<?x128xf32>)
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "reduction"]
// CHECK: return
// CHECK: func.func private @__ternary_linalg_0(%[[A:.*]]: memref<?x128xf32>, %[[B:.*]]: memref<128x128xf32>, %[[C:.*]]: memref<?x128xf32>)
// CHECK-SAME: attributes {llvm.linkage = #llvm.linkage<internal>, passthrough = ["noinline"]}
// CHECK-NEXT: linalg.generic {{.*}} ins(%[[A]], %[[B]] : memref<?x128xf32>, memref<128x128xf32>) outs(%[[C]] : memref<?x128xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: return
// CHECK: func.func private @__ternary_linalg_1(%{{.*}}: memref<?x128xf32>, %{{.*}}: memref<64x128xf32>, %{{.*}}: memref<?x64xf32>)
// CHECK: func.func private @__ternary_linalg_2(%[[I:.*]]: memref<?x128xf32>, %[[O:.*]]: memref<?x128xf32>, %[[S:.*]]: f32)
// CHECK-NEXT: %[[TWO:.*]] = arith.constant 2.000000e+00 : f32
// CHECK-NEXT: linalg.generic {{.*}} ins(%[[I]] : memref<?x128xf32>) outs(%[[O]] : memref<?x128xf32>)
// CHECK: arith.mulf %{{.*}}, %[[TWO]] : f32
// CHECK: arith.addf %{{.*}}, %[[S]] : f32
// CHECK-NOT: func.func
#rk = affine_map<(m, n, k) -> (m, k)>
#nk = affine_map<(m, n, k) -> (n, k)>
#mn = affine_map<(m, n, k) -> (m, n)>
#id = affine_map<(m, n) -> (m, n)>
func.func @layers(%x: memref<?x128xf32>, %w: memref<128x128xf32>, %q: memref<?x128xf32>,
                  %k: memref<?x128xf32>, %w2: memref<64x128xf32>, %h: memref<?x64xf32>,
                  %i: memref<4x8xi32>, %j: memref<8x2xi32>, %o: memref<4x2xi32>,
                  %s: memref<f32>, %g: f32) {
  %two = arith.constant 2.0 : f32
  linalg.generic {indexing_maps = [#rk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : memref<?x128xf32>, memref<128x128xf32>) outs(%q : memref<?x128xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %t = arith.mulf %a, %b : f32
    %u = arith.addf %c, %t : f32
    linalg.yield %u : f32
  }
  linalg.generic {indexing_maps = [#rk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : memref<?x128xf32>, memref<128x128xf32>) outs(%k : memref<?x128xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %t = arith.mulf %a, %b : f32
    %u = arith.addf %c, %t : f32
    linalg.yield %u : f32
  }
  linalg.generic {indexing_maps = [#rk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w2 : memref<?x128xf32>, memref<64x128xf32>) outs(%h : memref<?x64xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %t = arith.mulf %a, %b : f32
    %u = arith.addf %c, %t : f32
    linalg.yield %u : f32
  }
  linalg.matmul ins(%i, %j : memref<4x8xi32>, memref<8x2xi32>) outs(%o : memref<4x2xi32>)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%q : memref<?x128xf32>) outs(%k : memref<?x128xf32>) {
  ^bb0(%a: f32, %c: f32):
    %m = arith.mulf %a, %two : f32
    %n = arith.addf %m, %g : f32
    linalg.yield %n : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%k : memref<?x128xf32>) outs(%q : memref<?x128xf32>) {
  ^bb0(%a: f32, %c: f32):
    %m = arith.mulf %a, %two : f32
    %n = arith.addf %m, %g : f32
    linalg.yield %n : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : memref<?x128xf32>) outs(%q : memref<?x128xf32>) {
  ^bb0(%a: f32, %c: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  }
  linalg.generic {indexing_maps = [affine_map<(m, k) -> (m, k)>, affine_map<(m, k) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%x : memref<?x128xf32>) outs(%s : memref<f32>) {
  ^bb0(%a: f32, %c: f32):
    %u = arith.addf %c, %a : f32
    linalg.yield %u : f32
  }
  return
}

// -----

// Element-wise ops alike but for a constant are two functions.
// CHECK-LABEL: func.func @constants_differ
// CHECK: call @__ternary_linalg_0
// CHECK: call @__ternary_linalg_0
// CHECK: call @__ternary_linalg_1
// CHECK: call @__ternary_linalg_1
func.func @constants_differ(%x: memref<8xf32>, %y: memref<8xf32>) {
  %one = arith.constant 1.0 : f32
  %two = arith.constant 2.0 : f32
  linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]} ins(%x : memref<8xf32>) outs(%y : memref<8xf32>) {
  ^bb0(%a: f32, %c: f32):
    %n = arith.addf %a, %one : f32
    linalg.yield %n : f32
  }
  linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]} ins(%x : memref<8xf32>) outs(%y : memref<8xf32>) {
  ^bb0(%a: f32, %c: f32):
    %n = arith.addf %a, %one : f32
    linalg.yield %n : f32
  }
  linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]} ins(%x : memref<8xf32>) outs(%y : memref<8xf32>) {
  ^bb0(%a: f32, %c: f32):
    %n = arith.addf %a, %two : f32
    linalg.yield %n : f32
  }
  linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]} ins(%x : memref<8xf32>) outs(%y : memref<8xf32>) {
  ^bb0(%a: f32, %c: f32):
    %n = arith.addf %a, %two : f32
    linalg.yield %n : f32
  }
  return
}

// -----

// Ops on 0-d buffers (the fills of a reduction's accumulators) stay, however
// often they occur: a call costs more than one store, and a buffer passed to
// a call escapes, so LLVM would keep the accumulator in memory.
// CHECK-LABEL: func.func @scalars_stay
// CHECK-NOT: call
// CHECK: linalg.fill ins(%{{.*}} : i32) outs(%{{.*}} : memref<i32>)
// CHECK: linalg.fill ins(%{{.*}} : i32) outs(%{{.*}} : memref<i32>)
// CHECK: linalg.fill ins(%{{.*}} : i32) outs(%{{.*}} : memref<i32>)
// CHECK-NOT: call
// CHECK: return
// CHECK-NOT: func.func private @__ternary_linalg
func.func @scalars_stay(%a: memref<i32>, %b: memref<i32>, %c: memref<i32>) {
  %zero = arith.constant 0 : i32
  linalg.fill ins(%zero : i32) outs(%a : memref<i32>)
  linalg.fill ins(%zero : i32) outs(%b : memref<i32>)
  linalg.fill ins(%zero : i32) outs(%c : memref<i32>)
  return
}

// -----

// The fill of a contraction's output goes into the contraction's function,
// moved past ops that cannot touch that buffer (a conversion into another
// allocation), so that the kernel can fill each output block in its task.
// A fill whose buffer an op between reads (the copy) stays where it is.
// CHECK-LABEL: func.func @fills
// CHECK-SAME: (%[[X:.*]]: memref<64x256xf32>, %[[W:.*]]: memref<256x128xf32>, %[[I:.*]]: memref<64x256xi8>, %[[D:.*]]: memref<64x128xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[Y:.*]] = memref.alloc() : memref<64x128xf32>
// CHECK-NEXT: %[[F:.*]] = memref.alloc() : memref<64x256xf32>
// CHECK-NEXT: linalg.generic {{.*}} ins(%[[I]] : memref<64x256xi8>) outs(%[[F]] : memref<64x256xf32>)
// CHECK: call @__ternary_linalg_0(%[[ZERO]], %[[Y]], %[[F]], %[[W]]) : (f32, memref<64x128xf32>, memref<64x256xf32>, memref<256x128xf32>) -> ()
// CHECK: %[[Z:.*]] = memref.alloc() : memref<64x128xf32>
// CHECK-NEXT: linalg.fill ins(%[[ZERO]] : f32) outs(%[[Z]] : memref<64x128xf32>)
// CHECK-NEXT: memref.copy %[[Z]], %[[D]]
// CHECK-NEXT: call @__ternary_linalg_1(%[[X]], %[[W]], %[[Z]]) : (memref<64x256xf32>, memref<256x128xf32>, memref<64x128xf32>) -> ()
// CHECK: func.func private @__ternary_linalg_0(%[[V:.*]]: f32, %[[C:.*]]: memref<64x128xf32>, %[[A:.*]]: memref<64x256xf32>, %[[B:.*]]: memref<256x128xf32>)
// CHECK-NEXT: linalg.fill ins(%[[V]] : f32) outs(%[[C]] : memref<64x128xf32>)
// CHECK-NEXT: linalg.matmul ins(%[[A]], %[[B]] : memref<64x256xf32>, memref<256x128xf32>) outs(%[[C]] : memref<64x128xf32>)
// CHECK-NEXT: return
// CHECK: func.func private @__ternary_linalg_1(
// CHECK-NEXT: linalg.matmul
// CHECK-NEXT: return
#id = affine_map<(m, n) -> (m, n)>
func.func @fills(%x: memref<64x256xf32>, %w: memref<256x128xf32>, %i: memref<64x256xi8>,
                 %d: memref<64x128xf32>) {
  %zero = arith.constant 0.0 : f32
  %y = memref.alloc() : memref<64x128xf32>
  linalg.fill ins(%zero : f32) outs(%y : memref<64x128xf32>)
  %f = memref.alloc() : memref<64x256xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%i : memref<64x256xi8>) outs(%f : memref<64x256xf32>) {
  ^bb0(%a: i8, %b: f32):
    %c = arith.sitofp %a : i8 to f32
    linalg.yield %c : f32
  }
  linalg.matmul ins(%f, %w : memref<64x256xf32>, memref<256x128xf32>) outs(%y : memref<64x128xf32>)
  %z = memref.alloc() : memref<64x128xf32>
  linalg.fill ins(%zero : f32) outs(%z : memref<64x128xf32>)
  memref.copy %z, %d : memref<64x128xf32> to memref<64x128xf32>
  linalg.matmul ins(%x, %w : memref<64x256xf32>, memref<256x128xf32>) outs(%z : memref<64x128xf32>)
  memref.dealloc %f : memref<64x256xf32>
  memref.dealloc %y : memref<64x128xf32>
  memref.dealloc %z : memref<64x128xf32>
  return
}
