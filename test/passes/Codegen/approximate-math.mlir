// Tests passes/Codegen/ApproximateMath.cpp: f32 erf and exp, scalar or
// vector, become polynomial arithmetic (no math.erf / math.exp left, the
// polynomial evaluated with math.fma); f64 ones and other math ops stay.
// RUN: ternary-opt %s --split-input-file --ternary-approximate-math | FileCheck %s

// CHECK-LABEL: func.func @f32_scalars
// CHECK-NOT: math.erf
// CHECK-NOT: math.exp
// CHECK: math.fma
// CHECK-NOT: math.erf
// CHECK-NOT: math.exp
// CHECK: return
func.func @f32_scalars(%x: f32) -> (f32, f32) {
  %e = math.erf %x : f32
  %x2 = math.exp %x : f32
  return %e, %x2 : f32, f32
}

// -----

// CHECK-LABEL: func.func @f32_vectors
// CHECK-NOT: math.exp
// CHECK: math.fma %{{.*}} : vector<8xf32>
// CHECK-NOT: math.exp
// CHECK: return
func.func @f32_vectors(%x: vector<8xf32>) -> vector<8xf32> {
  %e = math.exp %x : vector<8xf32>
  return %e : vector<8xf32>
}

// -----

// CHECK-LABEL: func.func @left_alone
// CHECK: math.exp %{{.*}} : f64
// CHECK: math.erf %{{.*}} : f64
// CHECK: math.log %{{.*}} : f32
// CHECK: math.tanh %{{.*}} : f32
func.func @left_alone(%d: f64, %x: f32) -> (f64, f64, f32, f32) {
  %a = math.exp %d : f64
  %b = math.erf %d : f64
  %c = math.log %x : f32
  %t = math.tanh %x : f32
  return %a, %b, %c, %t : f64, f64, f32, f32
}
