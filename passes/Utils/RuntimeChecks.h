//===- RuntimeChecks.h - Run-time checks of dynamic sizes -------*- C++ -*-===//
//
// Private to passes/: the run-time checks the lowerings emit where sizes
// are dynamic (the verifiers check static ones). A failed check calls
// `ternary_check_failed(check)` of the runtime (ternary/Runtime/Checks.h).
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_PASSES_UTILS_RUNTIMECHECKS_H
#define TERNARY_PASSES_UTILS_RUNTIMECHECKS_H

#include "ternary/Dialect/Ternary/TernaryDialect.h"
#include "ternary/Runtime/Checks.h"

#include "mlir/IR/Builders.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir {
namespace ternary {
namespace detail {

/// Emits a run-time check that the index values `actual` and `expected` are
/// equal, calling the runtime's `ternary_check_failed(check)` when they are
/// not (declared in the module on first use); nothing when both are known
/// at compile time, constants or `tensor.dim` of static dimensions (the
/// verifiers check static shapes).
void emitSizeCheck(OpBuilder &b, Location loc, Value actual, Value expected,
                   ternary_check check);

/// Emits the run-time checks of a product's operands: K of the activations
/// `x` (2-D or more) against the weights, unpacked (`packed` null) or
/// packed storage. `unpacked`, if given, is the i8 tensor the storage was
/// packed from at run time: K is checked against it instead, so that a
/// mismatch reads as one, whatever the bytes.
void emitProductChecks(OpBuilder &b, Location loc, Value x, Value weight,
                       PackedType packed, Value unpacked = {});

/// The (converted) i8 weights that `weight`, an operand of a product before
/// conversion, was packed from at run time (`ternary.pack`); null if it was
/// not.
Value packedAtRunTimeFrom(ConversionPatternRewriter &rewriter, Value weight);

/// Emits the run-time checks of the rescale operands against accumulators
/// of sizes [rowSizes..., n]: absmax [rowSizes...] and, if present, bias [n].
void emitRescaleChecks(OpBuilder &b, Location loc, ArrayRef<Value> rowSizes,
                       Value n, Value absmax, Value bias);

} // namespace detail
} // namespace ternary
} // namespace mlir

#endif // TERNARY_PASSES_UTILS_RUNTIMECHECKS_H
