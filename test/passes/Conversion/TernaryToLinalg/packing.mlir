// Tests passes/Conversion/TernaryToLinalg/Packing.cpp: packed weight storage
// (part of --convert-ternary-to-linalg).
// RUN: ternary-opt %s --convert-ternary-to-linalg --canonicalize --cse --split-input-file | FileCheck %s

// Packed constants become their storage; pack of run-time weights a
// tensor.generate that gathers 4 (i2) weights a byte.
// CHECK-LABEL: func @pack_and_constant
// CHECK: arith.constant dense<{{\[}}[70], [-107]]> : tensor<2x1xi8>
// CHECK: tensor.generate
// CHECK-COUNT-4: tensor.extract
// CHECK: tensor.yield
func.func @pack_and_constant(%w: tensor<?x?xi8>) -> (!ternary.packed<2x4, i2>, !ternary.packed<?x?, i2>) {
  %c = ternary.packed_constant dense<[[70], [-107]]> : tensor<2x1xi8> -> !ternary.packed<2x4, i2>
  %p = ternary.pack %w : tensor<?x?xi8> -> !ternary.packed<?x?, i2>
  return %c, %p : !ternary.packed<2x4, i2>, !ternary.packed<?x?, i2>
}

// -----

// UnpackLowering, base3: the byte of weight (n, k) as the layout places it
// (blocks of 320 weights in 64 bytes; the last block of 20 weights in
// s = 4 bytes), code = ((byte * 3^slot) mod 256) * 3 >> 8, weight = code - 1.
// CHECK-LABEL: func @unpack
// CHECK-SAME: (%[[S:.*]]: tensor<?x4xi8>) -> tensor<?x20xi8>
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} outs(%{{.*}} : tensor<?x20xi8>)
// CHECK: %[[N:.*]] = linalg.index 0 : index
// CHECK: %[[K:.*]] = linalg.index 1 : index
// CHECK: arith.divui %[[K]], %c320 : index
// CHECK: %[[BYTE:.*]] = tensor.extract %[[S]][%[[N]], %{{.*}}] : tensor<?x4xi8>
// CHECK: %[[WORD:.*]] = arith.extui %[[BYTE]] : i8 to i32
// CHECK: %[[POW:.*]] = arith.select %{{.*}}, %c81_i32, %{{.*}} : i32
// CHECK: %[[T:.*]] = arith.muli %[[WORD]], %[[POW]] : i32
// CHECK: %[[LOW:.*]] = arith.andi %[[T]], %c255_i32 : i32
// CHECK: %[[T3:.*]] = arith.muli %[[LOW]], %c3_i32 : i32
// CHECK: %[[CODE:.*]] = arith.shrui %[[T3]], %c8_i32 : i32
// CHECK: %[[WV:.*]] = arith.subi %[[CODE]], %c1_i32 : i32
// CHECK: arith.trunci %[[WV]] : i32 to i8
func.func @unpack(%p: !ternary.packed<?x20, base3>) -> tensor<?x20xi8> {
  %w = ternary.unpack %p : !ternary.packed<?x20, base3> -> tensor<?x20xi8>
  return %w : tensor<?x20xi8>
}
