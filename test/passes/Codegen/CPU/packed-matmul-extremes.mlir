// The packed kernels at the largest sums: every weight +1 and every
// activation 127 (or -128), K long enough that base 3's single rows combine
// their residue dot products in several chunks of 1024 blocks (327680
// weights; passes/Codegen/CPU/PackedMatmulKernels.cpp). Each output is
// 127 K (or -128 K), exact in i32. Rows 1 and 3 of x: a single row
// (residues), and four rows (a tile sharing its codes); both encodings.
// REQUIRES: avx512vnni
// RUN: ternary-run %s --function=base3 --kernel=avx512-vnni --input=1x700001xi8=127 --input=3x700001xi8=1 | FileCheck %s --check-prefix=ONE
// RUN: ternary-run %s --function=base3 --kernel=avx512-vnni --input=1x700001xi8=-128 --input=3x700001xi8=1 | FileCheck %s --check-prefix=NEG
// RUN: ternary-run %s --function=base3 --kernel=avx512-vnni --input=4x700001xi8=127 --input=3x700001xi8=1 | FileCheck %s --check-prefix=FOUR
// RUN: ternary-run %s --function=i2 --kernel=avx512-vnni --input=1x700001xi8=127 --input=3x700001xi8=1 | FileCheck %s --check-prefix=ONE

// 127 * 700001 = 88900127; -128 * 700001 = -89600128.
// ONE: result[0]: 1x3xi32={{\[}}[88900127, 88900127, 88900127]]
// NEG: result[0]: 1x3xi32={{\[}}[-89600128, -89600128, -89600128]]
// FOUR: result[0]: 4x3xi32={{\[}}[88900127, 88900127, 88900127], [88900127, 88900127, 88900127], [88900127, 88900127, 88900127], [88900127, 88900127, 88900127]]

func.func @base3(%x: tensor<?x?xi8>, %w: tensor<?x?xi8>) -> tensor<?x?xi32> {
  %p = ternary.pack %w : tensor<?x?xi8> -> !ternary.packed<?x?, base3>
  %y = ternary.matmul %x, %p : tensor<?x?xi8>, !ternary.packed<?x?, base3> -> tensor<?x?xi32>
  return %y : tensor<?x?xi32>
}

func.func @i2(%x: tensor<?x?xi8>, %w: tensor<?x?xi8>) -> tensor<?x?xi32> {
  %p = ternary.pack %w : tensor<?x?xi8> -> !ternary.packed<?x?, i2>
  %y = ternary.matmul %x, %p : tensor<?x?xi8>, !ternary.packed<?x?, i2> -> tensor<?x?xi32>
  return %y : tensor<?x?xi32>
}
