//===- TernaryDialect.h - The ternary dialect -------------------*- C++ -*-===//
//
// The `ternary` dialect, its enum attributes and its `!ternary.packed` type.
// Operations are declared in TernaryOps.h.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_DIALECT_TERNARY_TERNARYDIALECT_H
#define TERNARY_DIALECT_TERNARY_TERNARYDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"

#include "Ternary/TernaryDialect.h.inc"
#include "Ternary/TernaryEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "Ternary/TernaryAttrs.h.inc"

#define GET_TYPEDEF_CLASSES
#include "Ternary/TernaryTypes.h.inc"

#include <string>

namespace mlir {
namespace ternary {
/// Formats an attribute value for diagnostics: "0.5", "2", "1e-05".
std::string formatNumber(double value);
} // namespace ternary
} // namespace mlir

#endif // TERNARY_DIALECT_TERNARY_TERNARYDIALECT_H
