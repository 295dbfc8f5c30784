// Tests passes/Codegen/RequestCInterface.cpp (--ternary-request-c-interface).
// RUN: ternary-opt %s --ternary-request-c-interface | FileCheck %s

// CHECK-LABEL: func.func @public
// CHECK-SAME: attributes {llvm.emit_c_interface}
func.func @public(%x: tensor<?xf32>) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}

// Private functions and declarations keep their plain calls.
// CHECK-LABEL: func.func private @helper
// CHECK-NOT: llvm.emit_c_interface
// CHECK-LABEL: func.func private @ternary_check_failed(i32)
// CHECK-NOT: llvm.emit_c_interface
func.func private @helper() {
  return
}
func.func private @ternary_check_failed(i32)
