// Tests passes/Codegen/CPU/LowerDotBytes.cpp (--ternary-lower-dot-bytes).
// RUN: ternary-opt %s --ternary-lower-dot-bytes | FileCheck %s

// CHECK-LABEL: func @vnni
// CHECK-SAME: (%[[ACC:.*]]: vector<16xi32>, %[[A:.*]]: vector<64xi8>, %[[B:.*]]: vector<64xi8>)
// CHECK-NEXT: %[[R:.*]] = llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%[[ACC]], %[[A]], %[[B]]) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
// CHECK-NEXT: return %[[R]]
func.func @vnni(%acc: vector<16xi32>, %a: vector<64xi8>, %b: vector<64xi8>) -> vector<16xi32> {
  %r = ternary.dot_bytes %acc, %a, %b {kernel = #ternary.dot_kernel<avx512_vnni>} : vector<16xi32>, vector<64xi8>
  return %r : vector<16xi32>
}

// CHECK-LABEL: func @avx2
// CHECK-SAME: (%[[ACC:.*]]: vector<8xi32>, %[[A:.*]]: vector<32xi8>, %[[B:.*]]: vector<32xi8>)
// CHECK: %[[P16:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"(%[[A]], %[[B]]) : (vector<32xi8>, vector<32xi8>) -> vector<16xi16>
// CHECK: %[[P32:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%[[P16]], %{{.*}}) : (vector<16xi16>, vector<16xi16>) -> vector<8xi32>
// CHECK: %[[R:.*]] = arith.addi %[[ACC]], %[[P32]] : vector<8xi32>
// CHECK: return %[[R]]
func.func @avx2(%acc: vector<8xi32>, %a: vector<32xi8>, %b: vector<32xi8>) -> vector<8xi32> {
  %r = ternary.dot_bytes %acc, %a, %b {kernel = #ternary.dot_kernel<avx2>} : vector<8xi32>, vector<32xi8>
  return %r : vector<8xi32>
}

// Leaves other ops alone.
// CHECK-LABEL: func @other
// CHECK-NEXT: arith.addi
func.func @other(%a: vector<8xi32>) -> vector<8xi32> {
  %r = arith.addi %a, %a : vector<8xi32>
  return %r : vector<8xi32>
}
