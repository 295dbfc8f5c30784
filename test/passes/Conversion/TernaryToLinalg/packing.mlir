// Tests passes/Conversion/TernaryToLinalg/Packing.cpp: packed weight storage
// (part of --convert-ternary-to-linalg).
// RUN: ternary-opt %s --convert-ternary-to-linalg --canonicalize --cse --split-input-file | FileCheck %s

// Packed constants become their storage. Pack of run-time weights: two
// linalg.generic ops writing their slices of the storage in place. The full
// blocks (256 weights in 64 bytes) over [N, blocks, 64], reading the weights
// as [N, blocks, 4, 64], byte i of a block taking weights i + 64 j, j < 4,
// as codes w + 1 << 2j; then the partial block (bytes from 64 * blocks on),
// gathering weights i + s j, those past K padding with code 1.
// CHECK-LABEL: func @pack_and_constant
// CHECK: arith.constant dense<{{\[}}[70], [-107]]> : tensor<2x1xi8>
// CHECK: %[[ROWS:.*]] = tensor.dim %arg0, %c0
// CHECK: %[[K:.*]] = tensor.dim %arg0, %c1
// CHECK: %[[BYTES:.*]] = arith.ceildivui %[[K]], %c4
// CHECK: %[[STORAGE:.*]] = tensor.empty(%[[ROWS]], %[[BYTES]]) : tensor<?x?xi8>
// CHECK: %[[BLOCKS:.*]] = arith.divui %[[K]], %c256
// CHECK: %[[FULLK:.*]] = arith.muli %[[BLOCKS]], %c256
// CHECK: %[[FULLBYTES:.*]] = arith.muli %[[BLOCKS]], %c64
// CHECK: %[[WFULL:.*]] = tensor.extract_slice %arg0[0, 0] [%[[ROWS]], %[[FULLK]]] [1, 1]
// CHECK: %[[WB:.*]] = tensor.expand_shape %[[WFULL]] {{\[}}[0], [1, 2, 3]] output_shape [%[[ROWS]], %[[BLOCKS]], 4, 64] : tensor<?x?xi8> into tensor<?x?x4x64xi8>
// CHECK: %[[OUT:.*]] = tensor.extract_slice %[[STORAGE]][0, 0] [%[[ROWS]], %[[FULLBYTES]]] [1, 1]
// CHECK: %[[OUT3:.*]] = tensor.expand_shape %[[OUT]] {{\[}}[0], [1, 2]] output_shape [%[[ROWS]], %[[BLOCKS]], 64]
// CHECK: %[[PB:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[WB]], %[[WB]], %[[WB]], %[[WB]] : {{.*}}) outs(%[[OUT3]] : tensor<?x?x64xi8>)
// CHECK:   arith.extsi %{{.*}} : i8 to i32
// CHECK:   arith.addi %{{.*}}, %c1_i32
// CHECK:   arith.shli %{{.*}}, %c2_i32
// CHECK:   arith.shli %{{.*}}, %c4_i32
// CHECK:   arith.shli %{{.*}}, %c6_i32
// CHECK:   arith.trunci %{{.*}} : i32 to i8
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[PB]] {{\[}}[0], [1, 2]]
// CHECK: %[[S1:.*]] = tensor.insert_slice %[[FLAT]] into %[[STORAGE]][0, 0] [%[[ROWS]], %[[FULLBYTES]]] [1, 1]
// CHECK: %[[TAILBYTES:.*]] = arith.subi %[[BYTES]], %[[FULLBYTES]]
// CHECK: %[[TOUT:.*]] = tensor.extract_slice %[[S1]][0, %[[FULLBYTES]]] [%[[ROWS]], %[[TAILBYTES]]] [1, 1]
// CHECK: %[[TAIL:.*]] = linalg.generic {{.*}} outs(%[[TOUT]] : tensor<?x?xi8>)
// CHECK-COUNT-4: tensor.extract %arg0
// CHECK: linalg.yield
// CHECK: tensor.insert_slice %[[TAIL]] into %[[S1]][0, %[[FULLBYTES]]] [%[[ROWS]], %[[TAILBYTES]]] [1, 1]
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

// -----

// A static K of whole blocks has no partial block; one below a block has
// no full blocks.
// CHECK-LABEL: func @whole_blocks
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-NOT: linalg.index
// CHECK: return
// CHECK-LABEL: func @partial_block_only
// CHECK-NOT: iterator_types = ["parallel", "parallel", "parallel"]
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]}
// CHECK: linalg.index 1
// CHECK: return
func.func @whole_blocks(%w: tensor<4x512xi8>) -> !ternary.packed<4x512, i2> {
  %p = ternary.pack %w : tensor<4x512xi8> -> !ternary.packed<4x512, i2>
  return %p : !ternary.packed<4x512, i2>
}
func.func @partial_block_only(%w: tensor<4x100xi8>) -> !ternary.packed<4x100, i2> {
  %p = ternary.pack %w : tensor<4x100xi8> -> !ternary.packed<4x100, i2>
  return %p : !ternary.packed<4x100, i2>
}
