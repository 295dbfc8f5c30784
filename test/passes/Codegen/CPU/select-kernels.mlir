// Tests passes/Codegen/CPU/KernelSelection.cpp (--ternary-select-kernels):
// which kernel a target gets, as the `kernel` attribute of the packed 2-D
// products, and what the selection leaves alone.
// RUN: ternary-opt %s --ternary-select-kernels="target-features=+avx2,+avx512f,+avx512bw,+avx512vnni" | FileCheck %s --check-prefixes=CHECK,VNNI
// RUN: ternary-opt %s --ternary-select-kernels="target-features=+avx512f,+avx512bw,+avx512vnni,+avx2,-avx512vnni" | FileCheck %s --check-prefixes=CHECK,AVX2
// RUN: ternary-opt %s --ternary-select-kernels="target-features=+sse4.2,-avx2" | FileCheck %s --check-prefixes=CHECK,VECTOR
// RUN: ternary-opt %s --ternary-select-kernels="target-features=+neon" | FileCheck %s --check-prefixes=CHECK,VECTOR
// RUN: ternary-opt %s --ternary-select-kernels="kernel=loops target-features=+avx2" | FileCheck %s --check-prefixes=CHECK,LOOPS
// A named kernel is set without a check of the target (the tools check it).
// RUN: ternary-opt %s --ternary-select-kernels="kernel=avx512-vnni target-features=-avx2" | FileCheck %s --check-prefixes=CHECK,VNNI

// CHECK-LABEL: func @packed
// VNNI: ternary.matmul %{{.*}}, %{{.*}} {kernel = #ternary.kernel<avx512_vnni>}
// AVX2: ternary.matmul %{{.*}}, %{{.*}} {kernel = #ternary.kernel<avx2>}
// VECTOR: ternary.matmul %{{.*}}, %{{.*}} {kernel = #ternary.kernel<vector>}
// LOOPS: ternary.matmul %{{.*}}, %{{.*}} {kernel = #ternary.kernel<loops>}
// VNNI: ternary.matmul_rescale {{.*}} {kernel = #ternary.kernel<avx512_vnni>}
// AVX2: ternary.matmul_rescale {{.*}} {kernel = #ternary.kernel<avx2>}
// VECTOR: ternary.matmul_rescale {{.*}} {kernel = #ternary.kernel<vector>}
// LOOPS: ternary.matmul_rescale {{.*}} {kernel = #ternary.kernel<loops>}
func.func @packed(%x: tensor<4x64xi8>, %p: !ternary.packed<32x64, base3>,
                  %a: tensor<4xf32>, %g: f32)
    -> (tensor<4x32xi32>, tensor<4x32xf32>) {
  %acc = ternary.matmul %x, %p
      : tensor<4x64xi8>, !ternary.packed<32x64, base3> -> tensor<4x32xi32>
  %y = ternary.matmul_rescale %x, %p, %a, %g
      : tensor<4x64xi8>, !ternary.packed<32x64, base3>, tensor<4xf32>
      -> tensor<4x32xf32>
  return %acc, %y : tensor<4x32xi32>, tensor<4x32xf32>
}

// A chosen kernel stays; unpacked weights and 3-D activations get none.
// CHECK-LABEL: func @left_alone
// CHECK: ternary.matmul %{{.*}}, %{{.*}} {kernel = #ternary.kernel<vector>}
// CHECK-NOT: kernel
// CHECK: return
func.func @left_alone(%x: tensor<4x64xi8>, %x3: tensor<2x4x64xi8>,
                      %w: tensor<32x64xi8>, %p: !ternary.packed<32x64, i2>)
    -> (tensor<4x32xi32>, tensor<4x32xi32>, tensor<2x4x32xi32>) {
  %chosen = ternary.matmul %x, %p {kernel = #ternary.kernel<vector>}
      : tensor<4x64xi8>, !ternary.packed<32x64, i2> -> tensor<4x32xi32>
  %unpacked = ternary.matmul %x, %w
      : tensor<4x64xi8>, tensor<32x64xi8> -> tensor<4x32xi32>
  %rows3 = ternary.matmul %x3, %p
      : tensor<2x4x64xi8>, !ternary.packed<32x64, i2> -> tensor<2x4x32xi32>
  return %chosen, %unpacked, %rows3
      : tensor<4x32xi32>, tensor<4x32xi32>, tensor<2x4x32xi32>
}
