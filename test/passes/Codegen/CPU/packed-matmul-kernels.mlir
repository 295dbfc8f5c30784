// Tests passes/Codegen/CPU/PackedMatmulKernels.cpp (and the vector steps of
// PackedKernelBuilder.cpp it builds from): the vector kernels of
// the packed ternary product, chosen by --ternary-select-kernels (a named
// kernel, or the best for the target features) and lowered by
// --convert-ternary-to-linalg: each product checks its operands' sizes and
// calls the private function of its kernel, encoding and rescale (one a
// module, on dynamic shapes, the result written into the caller's
// tensor.empty), which holds the kernel.
// RUN: ternary-opt %s --ternary-select-kernels=kernel=avx512-vnni --convert-ternary-to-linalg --canonicalize --cse | FileCheck %s --check-prefixes=CHECK,VNNI
// RUN: ternary-opt %s --ternary-select-kernels=kernel=avx2 --convert-ternary-to-linalg --canonicalize --cse | FileCheck %s --check-prefixes=CHECK,AVX2
// RUN: ternary-opt %s --ternary-select-kernels=kernel=vector --convert-ternary-to-linalg --canonicalize --cse | FileCheck %s --check-prefixes=CHECK,VECTOR
// RUN: ternary-opt %s --ternary-select-kernels="target-features=+avx2,+avx512f,+avx512bw,+avx512vnni" --convert-ternary-to-linalg --canonicalize --cse | FileCheck %s --check-prefixes=CHECK,VNNI
// RUN: ternary-opt %s --ternary-select-kernels="target-features=+avx2,+avx512f,-avx512vnni" --convert-ternary-to-linalg --canonicalize --cse | FileCheck %s --check-prefixes=CHECK,AVX2
// RUN: ternary-opt %s --ternary-select-kernels="target-features=-avx2" --convert-ternary-to-linalg --canonicalize --cse | FileCheck %s --check-prefixes=CHECK,VECTOR

// The products: a call each, of one function a kernel and encoding.
// CHECK-LABEL: func @i2
// CHECK: %[[INIT:.*]] = tensor.empty(%{{.*}}, %{{.*}}) : tensor<?x?xi32>
// VNNI: call @__ternary_packed_matmul_avx512_vnni_i2(%arg0, %arg1, %[[INIT]])
// AVX2: call @__ternary_packed_matmul_avx2_i2(%arg0, %arg1, %[[INIT]])
// VECTOR: call @__ternary_packed_matmul_vector_i2(%arg0, %arg1, %[[INIT]])
func.func @i2(%x: tensor<?x?xi8>, %p: !ternary.packed<?x?, i2>) -> tensor<?x?xi32> {
  %acc = ternary.matmul %x, %p : tensor<?x?xi8>, !ternary.packed<?x?, i2> -> tensor<?x?xi32>
  return %acc : tensor<?x?xi32>
}


// CHECK-LABEL: func @base3
// CHECK: call @__ternary_packed_matmul_{{[a-z0-9_]+}}_base3(%arg0, %arg1, %{{.*}})
func.func @base3(%x: tensor<?x?xi8>, %p: !ternary.packed<?x?, base3>) -> tensor<?x?xi32> {
  %acc = ternary.matmul %x, %p : tensor<?x?xi8>, !ternary.packed<?x?, base3> -> tensor<?x?xi32>
  return %acc : tensor<?x?xi32>
}


// The fused rescale's function takes absmax, the scale, the bias (Q and
// whether there is a bias are in its name).
// CHECK-LABEL: func @rescaled
// CHECK: call @__ternary_packed_rescale_{{[a-z0-9_]+}}_i2_q128_bias(%arg0, %arg1, %arg2, %arg3, %arg4, %{{.*}}) : (tensor<?x?xi8>, tensor<?x?xi8>, tensor<?xf32>, f32, tensor<?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
func.func @rescaled(%x: tensor<?x?xi8>, %p: !ternary.packed<?x?, i2>, %a: tensor<?xf32>, %g: f32, %b: tensor<?xf32>) -> tensor<?x?xf32> {
  %y = ternary.matmul_rescale %x, %p, %a, %g bias %b : tensor<?x?xi8>, !ternary.packed<?x?, i2>, tensor<?xf32>, tensor<?xf32> -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}

// Left to the linalg lowering: unpacked weights, and inputs of rank 3.
// CHECK-LABEL: func @not_kernels
// CHECK-NOT: vector.transfer_read
// CHECK: linalg.generic
// CHECK: linalg.generic
func.func @not_kernels(%x: tensor<4x16xi8>, %w: tensor<8x16xi8>, %y: tensor<2x4x16xi8>, %p: !ternary.packed<8x16, i2>) -> (tensor<4x8xi32>, tensor<2x4x8xi32>) {
  %a = ternary.matmul %x, %w : tensor<4x16xi8>, tensor<8x16xi8> -> tensor<4x8xi32>
  %b = ternary.matmul %y, %p : tensor<2x4x16xi8>, !ternary.packed<8x16, i2> -> tensor<2x4x8xi32>
  return %a, %b : tensor<4x8xi32>, tensor<2x4x8xi32>
}

// The kernels, in the functions (at the end of the module).
// i2: first the sum of x over every row (to remove the + 1 of the codes);
// then blocks of 128 outputs, the tasks of an scf.forall, each writing its
// own columns of the result; in a block, tiles of rows of x (with AVX-512
// VNNI 8, then 4, then one row at a time; else 4, then one), and in a tile
// of rows, tiles of outputs (with AVX-512 VNNI 3 outputs for 8 rows, 4 for
// 4 rows, then the rest one at a time; else one): per full block of 256
// weights one 64-byte load of storage an output and 4 code positions, each
// (bytes >> 2j) & 3 against 64 consecutive activations, one load of them
// serving every output of the tile. Every load of storage is preceded by a
// prefetch of the same bytes of the output 4 KiB ahead (whole rows:
// ceil(4096 / row bytes) outputs, the last output at the end).
// CHECK-LABEL: func.func private @__ternary_packed_matmul_{{[a-z0-9_]+}}_i2(
// CHECK-SAME: passthrough = ["noinline"]
// CHECK-DAG: arith.divui %{{.*}}, %c256 : index
// CHECK-DAG: %[[OUTPUTS:.*]] = tensor.dim %arg1, %c0
// CHECK: scf.for %[[R:.*]] = %c0 to %{{.*}} step %c1 iter_args(%{{.*}}) -> (tensor<?xi32>)
// CHECK:   vector.transfer_read %arg0[%[[R]], %{{.*}}]{{.*}} : tensor<?x?xi8>, vector<64xi8>
// CHECK:   arith.extsi %{{.*}} : vector<64xi8> to vector<64xi32>
// CHECK-DAG: %[[ROWBYTES:.*]] = tensor.dim %arg1, %c1
// CHECK-DAG: %[[ROWBYTES1:.*]] = arith.maxui %[[ROWBYTES]], %c1
// CHECK-DAG: %[[AHEAD:.*]] = arith.ceildivui %c4096, %[[ROWBYTES1]]
// CHECK-DAG: %[[OUTPUTS1:.*]] = arith.maxui %[[OUTPUTS]], %c1
// CHECK-DAG: %[[LAST:.*]] = arith.subi %[[OUTPUTS1]], %c1
// CHECK: scf.forall (%[[NB:.*]]) = (0) to (%{{.*}}) step (128) shared_outs(%[[OUT:.*]] = %arg2) -> (tensor<?x?xi32>)
// CHECK:   %[[WIDTH:.*]] = arith.subi %{{.*}}, %[[NB]]
// CHECK:   %[[BLOCK:.*]] = tensor.extract_slice %[[OUT]][0, %[[NB]]] [%{{.*}}, %[[WIDTH]]] [1, 1]
// VNNI:    scf.for %[[M:.*]] = %c0 to %{{.*}} step %c8 iter_args(%{{.*}} = %[[BLOCK]])
// AVX2:    scf.for %[[M:.*]] = %c0 to %{{.*}} step %c4 iter_args(%{{.*}} = %[[BLOCK]])
// VECTOR:  scf.for %[[M:.*]] = %c0 to %{{.*}} step %c4 iter_args(%{{.*}} = %[[BLOCK]])
// VNNI:      scf.for %[[N:.*]] = %[[NB]] to %{{.*}} step %c3 iter_args
// AVX2:      scf.for %[[N:.*]] = %[[NB]] to %{{.*}} step %c1 iter_args
// VECTOR:    scf.for %[[N:.*]] = %[[NB]] to %{{.*}} step %c1 iter_args
// CHECK:       %[[NAHEAD:.*]] = arith.addi %[[N]], %[[AHEAD]]
// CHECK:       %[[PF:.*]] = arith.minui %[[NAHEAD]], %[[LAST]]
// VNNI:        %[[PF1:.*]] = arith.minui %{{.*}}, %[[LAST]]
// VNNI:        %[[PF2:.*]] = arith.minui %{{.*}}, %[[LAST]]
// Accumulators: 24 on AVX-512 (8 rows x 3 outputs), 4 on the others (4
// rows).
// VNNI:        scf.for %[[BLK:[a-z0-9_]+]] = {{.*}} -> (vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>)
// AVX2:        scf.for %[[BLK:[a-z0-9_]+]] = {{.*}} -> (vector<8xi32>, vector<8xi32>, vector<8xi32>, vector<8xi32>)
// VECTOR:      scf.for %[[BLK:[a-z0-9_]+]] = {{.*}} -> (vector<64xi32>, vector<64xi32>, vector<64xi32>, vector<64xi32>)
// CHECK:       %[[COL:.*]] = arith.muli %[[BLK]], %c64
// CHECK:       ternary.prefetch %arg1[%[[PF]], %[[COL]]] : tensor<?x?xi8>
// CHECK:       %[[BYTES:.*]] = vector.transfer_read %arg1[%[[N]], %[[COL]]]{{.*}} : tensor<?x?xi8>, vector<64xi8>
// VNNI:        ternary.prefetch %arg1[%[[PF1]], %[[COL]]] : tensor<?x?xi8>
// VNNI:        vector.transfer_read %arg1[%{{.*}}, %[[COL]]]{{.*}} : tensor<?x?xi8>, vector<64xi8>
// VNNI:        ternary.prefetch %arg1[%[[PF2]], %[[COL]]] : tensor<?x?xi8>
// VNNI:        vector.transfer_read %arg1[%{{.*}}, %[[COL]]]{{.*}} : tensor<?x?xi8>, vector<64xi8>
// CHECK:       %[[C0:.*]] = arith.andi %[[BYTES]], %{{.*}} : vector<64xi8>
// VNNI:        %[[X0:.*]] = vector.transfer_read %arg0[%[[M]], %{{.*}}]{{.*}} : tensor<?x?xi8>, vector<64xi8>
// VNNI:        ternary.dot_bytes %{{.*}}, %[[C0]], %[[X0]] {kernel = #ternary.dot_kernel<avx512_vnni>} : vector<16xi32>, vector<64xi8>
// VNNI-COUNT-2: ternary.dot_bytes %{{.*}}, %{{.*}}, %[[X0]] {kernel = #ternary.dot_kernel<avx512_vnni>}
// AVX2:        vector.extract_strided_slice %[[C0]] {offsets = [0], sizes = [32], strides = [1]}
// AVX2:        ternary.dot_bytes %{{.*}} {kernel = #ternary.dot_kernel<avx2>} : vector<8xi32>, vector<32xi8>
// VECTOR:      arith.extui %[[C0]] : vector<64xi8> to vector<64xi32>
// VECTOR:      arith.muli %{{.*}} : vector<64xi32>
// CHECK:       arith.shrui %[[BYTES]], %{{.*}} : vector<64xi8>
// The partial last block, if any, with masked loads: the mask is the low
// min(row bytes - column, 64) bits of an i64.
// CHECK:     %[[ACCS:.*]]:{{[0-9]+}} = scf.if
// CHECK:       %[[VALID:.*]] = arith.minui %{{.*}}, %c64 : index
// CHECK:       %[[LANES:.*]] = arith.index_castui %[[VALID]] : index to i64
// CHECK-DAG:   %[[NONE:.*]] = arith.cmpi eq, %[[LANES]], %c0_i64 : i64
// CHECK-DAG:   %[[SHIFT:.*]] = arith.subi %c64_i64, %[[LANES]] : i64
// CHECK-DAG:   %[[LOW:.*]] = arith.shrui %c-1_i64, %[[SHIFT]] : i64
// CHECK:       %[[BITS:.*]] = arith.select %[[NONE]], %c0_i64, %[[LOW]] : i64
// CHECK:       %[[SPLAT:.*]] = vector.broadcast %[[BITS]] : i64 to vector<1xi64>
// CHECK:       %[[MASK:.*]] = vector.bitcast %[[SPLAT]] : vector<1xi64> to vector<64xi1>
// CHECK:       vector.transfer_read %arg1[%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}], %c0_i8, %[[MASK]] {in_bounds = [true]} : tensor<?x?xi8>, vector<64xi8>
// The sums of the tile's accumulators: one transposed tree, whose first
// level puts the halves of two accumulators side by side, then one lane
// each.
// VNNI-DAG:  vector.shuffle %[[ACCS]]#0, %[[ACCS]]#1 [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23] : vector<16xi32>, vector<16xi32>
// VNNI-DAG:  vector.shuffle %[[ACCS]]#0, %[[ACCS]]#1 [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31] : vector<16xi32>, vector<16xi32>
// AVX2-DAG:  vector.shuffle %[[ACCS]]#0, %[[ACCS]]#1 [0, 1, 2, 3, 8, 9, 10, 11] : vector<8xi32>, vector<8xi32>
// CHECK-NOT: vector.reduction
// CHECK:     %[[SUM0:.*]] = vector.extract %{{.*}}[0]
// CHECK:     arith.subi %[[SUM0]], %{{.*}} : i32
// CHECK:     %[[COLUMN:.*]] = arith.subi %[[N]], %[[NB]]
// CHECK:     tensor.insert %{{.*}}[%{{.*}}, %[[COLUMN]]]
// With VNNI, the outputs of the block past the whole tiles of 3, one at a
// time: 8 rows x 2 chains.
// VNNI:      scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c1 iter_args
// VNNI:        scf.for {{.*}} -> (vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>)
// Then, with VNNI, tiles of 4 rows by 4 outputs, one accumulator each,
// and the outputs past them one at a time, 4 chains a row.
// VNNI:    scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c4 iter_args
// VNNI:      scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c4 iter_args
// VNNI:        scf.for {{.*}} -> (vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>)
// VNNI:      scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c1 iter_args
// VNNI:        scf.for {{.*}} -> (vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>)
// The remaining rows, one at a time, with one accumulator per code position
// (4 independent chains of dot products), the partial block's prefetch too.
// CHECK:   %[[DONE:.*]] = scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c1 iter_args
// CHECK:     scf.for %[[N1:.*]] = %[[NB]] to %{{.*}} step %c1 iter_args
// CHECK:       %[[PF1:.*]] = arith.minui %{{.*}}, %[[LAST]]
// VNNI:        scf.for {{.*}} -> (vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>)
// CHECK:         ternary.prefetch %arg1[%[[PF1]], %{{.*}}]
// CHECK:         vector.transfer_read %arg1[%[[N1]], %{{.*}}]{{.*}}in_bounds = [true]
// VNNI-COUNT-4:  ternary.dot_bytes %arg{{[0-9]+}}, %{{.*}}, %{{.*}} {kernel = #ternary.dot_kernel<avx512_vnni>}
// CHECK:       scf.if
// CHECK:         ternary.prefetch %arg1[%[[PF1]], %{{.*}}]
// CHECK:         vector.transfer_read %arg1[%[[N1]], %{{[a-z0-9_]+}}], %c0_i8, %{{.*}} {in_bounds = [true]} : tensor<?x?xi8>, vector<64xi8>
// VNNI:        arith.addi %{{.*}} : vector<16xi32>
// VNNI:        arith.addi %{{.*}} : vector<16xi32>
// VNNI:        arith.addi %{{.*}} : vector<16xi32>
// CHECK:       vector.reduction <add>
// CHECK:   scf.forall.in_parallel
// CHECK:     tensor.parallel_insert_slice %[[DONE]] into %[[OUT]][0, %[[NB]]] [%{{.*}}, %[[WIDTH]]] [1, 1]
// Base 3: blocks of 320 weights; five code positions decoded with byte
// arithmetic alone: t_j = 3 t_(j-1) mod 256 (2 t on 16-bit lanes, the bit
// carried into each high byte masked off, then a byte add: no multiply that
// LLVM could fold a chain of adds into), code
// (t > 85) + (t > 170).
// CHECK-LABEL: func.func private @__ternary_packed_matmul_{{[a-z0-9_]+}}_base3(
// The mask 0xFEFE of 2 t.
// CHECK-DAG: arith.constant dense<-258> : vector<32xi16>
// CHECK-DAG: arith.divui %{{.*}}, %c320 : index
// CHECK: %[[B3:.*]] = vector.transfer_read %arg1
// CHECK: arith.cmpi ugt, %[[B3]], %{{.*}} : vector<64xi8>
// CHECK: %[[W:.*]] = vector.bitcast %[[B3]] : vector<64xi8> to vector<32xi16>
// CHECK: %[[W2:.*]] = arith.shli %[[W]], %{{.*}} : vector<32xi16>
// CHECK: %[[W2M:.*]] = arith.andi %[[W2]], %{{.*}} : vector<32xi16>
// CHECK: %[[T2:.*]] = vector.bitcast %[[W2M]] : vector<32xi16> to vector<64xi8>
// CHECK: %[[T3:.*]] = arith.addi %[[T2]], %[[B3]] : vector<64xi8>
// CHECK: arith.cmpi ugt, %[[T3]], %{{.*}} : vector<64xi8>
// CHECK-NOT: vector<64xi16>
// Single rows with VNNI take the dot products of the residues instead:
// 256 code_j = 3 t_j - t_(j+1), so dot(code_j, x) = (3 dot(t_j, x) -
// dot(t_(j+1), x)) / 256, over chunks of 1024 blocks (exact in i32 whatever
// K): 5 + 5 accumulators, t_0 .. t_5 as above, two dot products a code
// position, and each chunk's lane sums (3 a - c) >> 8 added up.
// VNNI: scf.for %{{.*}} = %c0 to %{{.*}} step %c1024 iter_args(%[[TOTAL:.*]] = %{{.*}}) -> (vector<16xi32>)
// VNNI:   scf.for {{.*}} -> (vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>)
// VNNI:     %[[R0:.*]] = vector.transfer_read %arg1{{.*}}in_bounds = [true]
// VNNI:     %[[R0W:.*]] = vector.bitcast %[[R0]] : vector<64xi8> to vector<32xi16>
// VNNI:     %[[R1A:.*]] = vector.bitcast %{{.*}} : vector<32xi16> to vector<64xi8>
// VNNI:     %[[R1:.*]] = arith.addi %[[R1A]], %[[R0]] : vector<64xi8>
// VNNI:     %[[X0:.*]] = vector.transfer_read %arg0
// VNNI:     ternary.dot_bytes %{{.*}}, %[[R0]], %[[X0]] {kernel = #ternary.dot_kernel<avx512_vnni>}
// VNNI:     ternary.dot_bytes %{{.*}}, %[[R1]], %[[X0]] {kernel = #ternary.dot_kernel<avx512_vnni>}
// VNNI-COUNT-8: ternary.dot_bytes
// VNNI:     scf.yield
// VNNI:   %[[A2:.*]] = arith.addi %[[A:.*]], %[[A]] : vector<16xi32>
// VNNI:   %[[A3:.*]] = arith.addi %[[A2]], %[[A]] : vector<16xi32>
// VNNI:   %[[D:.*]] = arith.subi %[[A3]], %{{.*}} : vector<16xi32>
// VNNI:   %[[Q:.*]] = arith.shrsi %[[D]], %{{.*}} : vector<16xi32>
// VNNI:   arith.addi %[[TOTAL]], %[[Q]] : vector<16xi32>
// VNNI: scf.if {{.*}} -> (vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>)
// VNNI: arith.shrsi
// VNNI: vector.reduction <add>
// The fused rescale: each accumulator becomes (f32(acc) + b) * ((g * a) / Q)
// as it is stored; no i32 tensor.
// CHECK-LABEL: func.func private @__ternary_packed_rescale_{{[a-z0-9_]+}}_i2_q128_bias(
// CHECK-NOT: tensor<?x?xi32>
// CHECK: vector.reduction <add>
// CHECK: %[[A:.*]] = tensor.extract %arg2
// CHECK: %[[GA:.*]] = arith.mulf %arg3, %[[A]] : f32
// CHECK: %[[F:.*]] = arith.divf %[[GA]], %{{.*}} : f32
// CHECK: %[[V:.*]] = arith.sitofp %{{.*}} : i32 to f32
// CHECK: %[[B:.*]] = tensor.extract %arg4
// CHECK: %[[VB:.*]] = arith.addf %[[V]], %[[B]] : f32
// CHECK: %[[Y:.*]] = arith.mulf %[[VB]], %[[F]] : f32
// CHECK: tensor.insert %[[Y]] into %{{.*}} : tensor<?x?xf32>
