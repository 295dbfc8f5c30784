//===- AdjointOpInterface.td - Reverse-mode rules of ops ---*- tablegen -*-===//
//
// The op interface through which --ternary-autodiff asks an op for the
// adjoints of its operands. Ops of the ternary dialect implement it in
// their own files (TernaryAdjoints.cpp); upstream ops (linalg, tensor,
// arith, math) get it as external models registered by
// ternary::autodiff::registerAdjointExternalModels (lib/Autodiff/
// Implementations/), as Enzyme-MLIR's AutoDiffOpInterface does.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_ADJOINTOPINTERFACE_TD
#define TERNARY_ADJOINTOPINTERFACE_TD

include "mlir/IR/OpBase.td"

def Ternary_AdjointOpInterface : OpInterface<"AdjointOpInterface"> {
  let cppNamespace = "::mlir::ternary";
  let description = [{
    The reverse-mode derivative rule of an op: given the adjoints of its
    results, build the adjoints of its operands. The same rule serves ops on
    tensors (the body of a differentiated function) and scalar ops (the body
    of a `linalg.generic`, which the generic's own rule sweeps in reverse).

    Conventions: an adjoint has the type of the value it belongs to; a null
    adjoint means zero. `resultAdjoints` has one entry per result (at least
    one is not null) and `needed` one per operand (at least one is true):
    the rule may skip the operands not needed. The result has one Value per
    operand, null for operands that get no contribution (integer operands,
    operands the result does not depend on). An op that cannot be
    differentiated in the form it has emits an error and returns failure.
    The builder's insertion point is where the adjoints must be built: after
    the whole forward computation, so that every forward value is available.

    An op without the interface is an error in a differentiated function;
    inside a `linalg.generic` body, an op without it and without float
    operands (index and integer code) contributes nothing.
  }];
  let methods = [
    InterfaceMethod<[{
        Builds the adjoints of the operands from the adjoints of the results.
      }],
      "::mlir::FailureOr<::llvm::SmallVector<::mlir::Value>>",
      "buildOperandAdjoints",
      (ins "::mlir::OpBuilder &":$builder,
           "::llvm::ArrayRef<::mlir::Value>":$resultAdjoints,
           "::llvm::ArrayRef<bool>":$needed)>
  ];
}

#endif // TERNARY_ADJOINTOPINTERFACE_TD
