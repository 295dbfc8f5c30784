//===- AdjointOpInterface.h - Reverse-mode rules of ops ---------*- C++ -*-===//
//
// The interface --ternary-autodiff asks for an op's operand adjoints
// (dialects/Ternary/AdjointOpInterface.td).
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_DIALECT_TERNARY_ADJOINTOPINTERFACE_H
#define TERNARY_DIALECT_TERNARY_ADJOINTOPINTERFACE_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"

#include "Ternary/AdjointOpInterface.h.inc"

#endif // TERNARY_DIALECT_TERNARY_ADJOINTOPINTERFACE_H
