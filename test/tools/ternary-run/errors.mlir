// ternary-run reports bad arguments clearly and exits non-zero.
// RUN: not ternary-run %s --function=f --input=2x3xf32=0 2>&1 | FileCheck %s --check-prefix=COUNT
// RUN: not ternary-run %s --function=f --input=2x3xf32=0 --input=3xi32=0 2>&1 | FileCheck %s --check-prefix=DTYPE
// RUN: not ternary-run %s --function=f --input=2x4xf32=0 --input=3xf32=0 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: not ternary-run %s --function=nope 2>&1 | FileCheck %s --check-prefix=NOFUNC
// RUN: not ternary-run %s --input=2x3xf32=0 2>&1 | FileCheck %s --check-prefix=CHOOSE
// RUN: not ternary-run %s --function=f --input=2x3xq8=0 2>&1 | FileCheck %s --check-prefix=INLINE
// RUN: not ternary-run %s --function=f --input=2x3xf32=1,2 2>&1 | FileCheck %s --check-prefix=VALUES
// RUN: not ternary-run %s --function=f --input=@%t.missing.npy 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: printf 'not an npy file' > %t.bad.npy
// RUN: not ternary-run %s --function=f --input=@%t.bad.npy 2>&1 | FileCheck %s --check-prefix=BADNPY
// RUN: not ternary-run %s --function=f --input=2x3xf32=0 --input=3xf32=0 --output=%t.npy 2>&1 | FileCheck %s --check-prefix=OUTPUT
// RUN: not ternary-run %s --function=f --input=2x3xf32=0 --input=3xf32=0 --output=- --output=- 2>&1 | FileCheck %s --check-prefix=OUTCOUNT

// COUNT: ternary-run: @f takes 2 inputs, got 1
// DTYPE: ternary-run: input 1 of @f: expected tensor<3xf32>, got an array of shape [3] and dtype int32
// SHAPE: ternary-run: input 0 of @f: expected tensor<2x3xf32>, got an array of shape [2, 4] and dtype float32
// NOFUNC: ternary-run: no public function @nope (the module has @f, @g)
// CHOOSE: ternary-run: the module has 2 public functions: choose one with --function
// INLINE: ternary-run: inline value '2x3xq8=0': unknown element type 'q8'
// VALUES: ternary-run: inline value '2x3xf32=1,2': 2 values for 6 elements
// MISSING: ternary-run: cannot open '{{.*}}missing.npy'
// BADNPY: ternary-run: '{{.*}}bad.npy': not an .npy file (bad magic)
// OUTPUT: ternary-run: --output must be @file.npy or -, got '{{.*}}.npy'
// OUTCOUNT: ternary-run: 2 --output given for 1 results

func.func @f(%x: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  return %x : tensor<2x3xf32>
}

func.func @g(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  return %x : tensor<2x3xf32>
}
