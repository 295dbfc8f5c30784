// Tests passes/Transforms/FreezeParameters.cpp (--ternary-freeze-parameters):
// the trailing parameter arguments become the checkpoint's param.* tensors
// (in order; optimiser state ignored), the other public functions go.
// RUN: %python %S/Inputs/write-checkpoint.py %t.safetensors
// RUN: ternary-opt %s --ternary-freeze-parameters="function=predict checkpoint=%t.safetensors" | FileCheck %s
// RUN: not ternary-opt %s --ternary-freeze-parameters="function=absent checkpoint=%t.safetensors" 2>&1 | FileCheck %s --check-prefix=NOFUNC
// RUN: not ternary-opt %s --ternary-freeze-parameters="function=predict checkpoint=%t.missing" 2>&1 | FileCheck %s --check-prefix=NOFILE
// RUN: not ternary-opt %s --ternary-freeze-parameters="function=wrong_shape checkpoint=%t.safetensors" 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: not ternary-opt %s --ternary-freeze-parameters="function=too_few checkpoint=%t.safetensors" 2>&1 | FileCheck %s --check-prefix=FEW

// CHECK-NOT: func.func @loss
// CHECK-LABEL: func.func @predict(%arg0: tensor<?x3xf32>) -> tensor<?x2xf32>
// CHECK-DAG: arith.constant dense<{{\[}}[1.000000e+00, 2.000000e+00, 3.000000e+00], [4.000000e+00, 5.000000e+00, 6.000000e+00]]> : tensor<2x3xf32>
// CHECK-DAG: %[[B:.*]] = arith.constant dense<[5.000000e-01, -5.000000e-01]> : tensor<2xf32>
// CHECK-DAG: %[[BD:.*]] = tensor.cast %[[B]] : tensor<2xf32> to tensor<?xf32>
// CHECK: ternary.bitlinear %arg0, %{{.*}} bias %[[BD]]
// CHECK: func.func private @helper
// CHECK-NOT: func.func @wrong_shape

// NOFUNC: error: --ternary-freeze-parameters: no function @absent
// NOFILE: error: --ternary-freeze-parameters: cannot open
// SHAPE: error: 'func.func' op argument #1 ('tensor<4x3xf32>') cannot take parameter 0 of type 'tensor<2x3xf32>'
// FEW: error: 'func.func' op has 1 arguments, fewer than the 2 parameters to freeze

func.func @loss(%x: tensor<?x3xf32>, %w: tensor<2x3xf32>, %b: tensor<?xf32>) -> tensor<f32> {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c : tensor<f32>
}

func.func @predict(%x: tensor<?x3xf32>, %w: tensor<2x3xf32>, %b: tensor<?xf32>) -> tensor<?x2xf32> {
  %y = ternary.bitlinear %x, %w bias %b : (tensor<?x3xf32>, tensor<2x3xf32>, tensor<?xf32>) -> tensor<?x2xf32>
  %z = func.call @helper(%y) : (tensor<?x2xf32>) -> tensor<?x2xf32>
  return %z : tensor<?x2xf32>
}

func.func private @helper(%y: tensor<?x2xf32>) -> tensor<?x2xf32> {
  return %y : tensor<?x2xf32>
}

func.func @wrong_shape(%x: tensor<?x3xf32>, %w: tensor<4x3xf32>, %b: tensor<2xf32>) {
  return
}

func.func @too_few(%w: tensor<2x3xf32>) {
  return
}
