// ternary-run compiles, JIT-runs and prints results, reads and writes .npy.
// RUN: ternary-run %ternary_src/examples/bitlinear_absmean.mlir --input=1x2xf32=1,-1 --input=2x2xf32=1,1,1,-1 --input=2xf32=0.5,-2 | FileCheck %s --check-prefix=ABSMEAN
// RUN: ternary-run %ternary_src/examples/bitlinear_absmean.mlir --input=1x2xf32=1,-1 --input=2x2xf32=1,1,1,-1 --input=2xf32=0.5,-2 --output=@%t.y.npy
// RUN: ternary-run %s --function=identity --input=@%t.y.npy | FileCheck %s --check-prefix=ABSMEAN
// RUN: ternary-run %s --function=identity --input=2x3xf32=7 | FileCheck %s --check-prefix=FILL
// RUN: ternary-run %s --function=scalars --input=f32=1.5 --input=3xi64=1,2,3 | FileCheck %s --check-prefix=SCALARS
// RUN: ternary-run %ternary_src/examples/mlp.mlir --input=3x64xf32=0.5 --input=128x64xf32=0.25 --input=128xf32=1 --input=128x128xf32=-0.5 --input=128xf32=0 --input=10x128xf32=1 --input=10xf32=2 | FileCheck %s --check-prefix=MLP
// RUN: ternary-run %s --function=frozen --encoding=base3 --input=1x5xf32=3,0,1,2,1 | FileCheck %s --check-prefix=FROZEN
// RUN: ternary-run %s --function=frozen --encoding=i2 --mattr=-avx512f --input=1x5xf32=3,0,1,2,1 | FileCheck %s --check-prefix=FROZEN

// x = [1, -1]: absmax 1, sx = 128, xq = [127, -128]; W ternary with g = 1;
// acc = [-1, 255]; y = (acc + b) / 128.
// ABSMEAN: result[0]: 1x2xf32={{\[}}[-0.00390625, 1.9765625]]

// FILL: result[0]: 2x3xf32={{\[}}[7, 7, 7], [7, 7, 7]]

// SCALARS: result[0]: f32=3
// SCALARS-NEXT: result[1]: 3xi64=[2, 4, 6]

// Constant input rows normalise to zero: every output is the rescaled bias,
// (0 + 2) * g * eps / 128 with g = 1.
// MLP: result[0]: 3x10xf32={{\[}}[1.56249996e-07, 1.56249996e-07,

// x = [3, 0, 1, 2, 1]: mean 1.4, variance 1.04, xh = [1.569, -1.373,
// -0.392, 0.588, -0.392], a = 1.569, sx = 81.58, xq = [128 -> 127, -112,
// -32, 48, -32]. Rows [1, 0, -1, 0, 1] and [0, 0, 0, 1, -1]: acc = [127, 80].
// Six of the ten |W| are 0, so the absmedian scale is eps = 1e-5:
// y = acc * 1e-5 * 1.569 / 128 = [1.5567e-05, 9.806e-06].
// FROZEN: result[0]: 1x2xf32={{\[}}[1.5566{{[0-9]*}}e-05, 9.805{{[0-9]*}}e-06]]

func.func @identity(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  return %x : tensor<?x?xf32>
}

func.func @scalars(%a: f32, %v: tensor<3xi64>) -> (f32, tensor<3xi64>) {
  %s = arith.addf %a, %a : f32
  %d = arith.addi %v, %v : tensor<3xi64>
  return %s, %d : f32, tensor<3xi64>
}

func.func @frozen(%x: tensor<?x5xf32>) -> tensor<?x2xf32> {
  %w = arith.constant dense<[[1.0, 0.0, -1.0, 0.0, 1.0], [0.0, 0.0, 0.0, 1.0, -1.0]]> : tensor<2x5xf32>
  %y = ternary.bitlinear %x, %w : (tensor<?x5xf32>, tensor<2x5xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
