// Tests passes/Conversion/TernaryToLinalg/Random.cpp: dropout (part of
// --convert-ternary-to-linalg).
// RUN: ternary-opt %s --convert-ternary-to-linalg --canonicalize | FileCheck %s --implicit-check-not=ternary.

// DropoutLowering. One element-wise generic: the row-major index of the
// element, splitmix64(seed * 2^32 + index) (the documented constants), its
// top 24 bits as u in [0, 1), and x / (1 - p) where u >= p, else 0.
// CHECK-LABEL: func.func @dropout(
// CHECK-SAME: %[[X:[^:]*]]: tensor<?x16xf32>, %[[S:[^:]*]]: i64)
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} ins(%[[X]] : tensor<?x16xf32>)
// CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[ROW:.*]] = arith.muli %{{.*}}, %c16_i64 : i64
// CHECK: %[[INDEX:.*]] = arith.addi %[[ROW]], %{{.*}} : i64
// CHECK: %[[HI:.*]] = arith.shli %[[S]], %c32_i64 : i64
// CHECK: %[[Z0:.*]] = arith.addi %[[HI]], %[[INDEX]] : i64
// CHECK: arith.addi %[[Z0]], %c-7046029254386353131_i64 : i64
// CHECK: arith.muli %{{.*}}, %c-4658895280553007687_i64 : i64
// CHECK: arith.muli %{{.*}}, %c-7723592293110705685_i64 : i64
// CHECK: %[[TOP:.*]] = arith.shrui %{{.*}}, %c40_i64 : i64
// CHECK: %[[F:.*]] = arith.uitofp %[[TOP]] : i64 to f32
// CHECK: %[[U:.*]] = arith.mulf %[[F]], %cst{{.*}} : f32
// CHECK: %[[KEEP:.*]] = arith.cmpf oge, %[[U]], %cst{{.*}} : f32
// CHECK: %[[SCALED:.*]] = arith.mulf %[[IN]], %cst{{.*}} : f32
// CHECK: %[[Y:.*]] = arith.select %[[KEEP]], %[[SCALED]], %cst{{.*}} : f32
// CHECK: linalg.yield %[[Y]] : f32
func.func @dropout(%x: tensor<?x16xf32>, %s: i64) -> tensor<?x16xf32> {
  %y = ternary.dropout %x, %s {p = 0.25} : tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}
