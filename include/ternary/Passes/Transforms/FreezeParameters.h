//===- FreezeParameters.h - Parameters as constants -------------*- C++ -*-===//
//
// Binds the trailing parameter arguments of a function to trained values,
// as constants: the export of a trained model for inference (the
// inference pipeline then quantises and packs the frozen BitLinear weights
// at compile time). --ternary-freeze-parameters reads the values from a
// checkpoint; ternary-train --export calls freezeParameters directly.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_PASSES_TRANSFORMS_FREEZEPARAMETERS_H
#define TERNARY_PASSES_TRANSFORMS_FREEZEPARAMETERS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"

namespace mlir {
namespace ternary {

/// Replaces the last `values.size()` arguments of `func` by constants of
/// `values` (f32, static shapes; a `tensor.cast` to the argument's type
/// where the argument's shape is dynamic) and removes them from its
/// signature. Fails with an error at `func` when an argument is missing,
/// not an f32 tensor, or of a shape the value does not have.
LogicalResult freezeParameters(func::FuncOp func,
                               ArrayRef<DenseElementsAttr> values);

/// Erases the public functions of `module` other than those of `keep`
/// (private ones, such as callees and runtime declarations, stay).
void keepOnlyPublicFunctions(ModuleOp module, ArrayRef<func::FuncOp> keep);

} // namespace ternary
} // namespace mlir

#endif // TERNARY_PASSES_TRANSFORMS_FREEZEPARAMETERS_H
