//===- TernaryDialect.h - The ternary dialect -------------------*- C++ -*-===//
//
// The `ternary` dialect, its enum attributes and its `!ternary.packed` type.
// Operations are declared in TernaryOps.h.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_DIALECT_TERNARY_TERNARYDIALECT_H
#define TERNARY_DIALECT_TERNARY_TERNARYDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "llvm/ADT/APFloat.h"

#include "Ternary/TernaryDialect.h.inc"
#include "Ternary/TernaryEnums.h.inc"

namespace mlir {
class AsmParser;
namespace ternary {
namespace detail {
/// Parsers of attribute parameters (TernaryAttrs.td): a float literal,
/// `true` / `false`, and `array<i64: ...>`.
FailureOr<llvm::APFloat> parseNumber(AsmParser &parser);
FailureOr<bool> parseBool(AsmParser &parser);
FailureOr<DenseI64ArrayAttr> parseI64Array(AsmParser &parser);
} // namespace detail
} // namespace ternary
} // namespace mlir

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
