//===- TernaryOps.h - Operations of the ternary dialect ---------*- C++ -*-===//

#ifndef TERNARY_DIALECT_TERNARY_TERNARYOPS_H
#define TERNARY_DIALECT_TERNARY_TERNARYOPS_H

#include "ternary/Dialect/Ternary/AdjointOpInterface.h"
#include "ternary/Dialect/Ternary/TernaryDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "Ternary/TernaryOps.h.inc"

#endif // TERNARY_DIALECT_TERNARY_TERNARYOPS_H
