//===- Autodiff.h - Reverse-mode differentiation of tensor IR ---*- C++ -*-===//
//
// Reverse-mode automatic differentiation of functions on tensors built from
// linalg (any named op is generalised to linalg.generic first), tensor
// reshapes and the ternary dialect's layers. Every op's rule is its
// AdjointOpInterface (ternary/Dialect/Ternary/AdjointOpInterface.h): the
// ternary ops implement it, upstream ops get external models
// (registerAdjointExternalModels). The --ternary-autodiff pass is the
// driver's user; the rules are usable on their own (e.g. by tests).
//
// Conventions: an adjoint is a Value of the same type as the value it
// belongs to; a null adjoint means zero (no contribution).
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_AUTODIFF_AUTODIFF_H
#define TERNARY_AUTODIFF_AUTODIFF_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectRegistry.h"

namespace mlir {
namespace ternary {
namespace autodiff {

/// Attaches the AdjointOpInterface to the upstream ops that have a rule
/// (linalg, tensor, arith, math; lib/Autodiff/Implementations). The
/// ternary ops implement the interface themselves. The autodiff and
/// train-step passes add these models to their context on their own; other
/// users of deriveGradientFunction register them with their dialects.
void registerAdjointExternalModels(DialectRegistry &registry);

/// The adjoints of `op`'s operands given the adjoints of its results
/// (`resultAdjoints`, null where a result has none), from the op's
/// AdjointOpInterface; `needed[i]` says whether operand i's adjoint is
/// wanted. Returns one Value per operand (null: no gradient) or, after
/// emitting an error at `op`, failure (an op without a rule, or a form its
/// rule does not handle).
FailureOr<SmallVector<Value>>
buildOperandAdjoints(OpBuilder &b, Operation *op,
                     ArrayRef<Value> resultAdjoints, ArrayRef<bool> needed);

/// The rule for linalg.generic: one result, pure tensor semantics, a body
/// without regions of arith/math ops, reductions as sums (`yield out + e`)
/// or maxima (`yield max(out, e)`: the adjoint goes to the terms equal to
/// the maximum). Every needed input's adjoint is a linalg.generic over the
/// same iteration space that reduces over the dimensions the input's map
/// does not use; an input read through a map that is not a projected
/// permutation (convolution and pooling windows) gets its adjoint scattered
/// through that map.
FailureOr<SmallVector<Value>> buildGenericAdjoints(OpBuilder &b,
                                                   linalg::GenericOp op,
                                                   Value resultAdjoint,
                                                   ArrayRef<bool> needed);

/// `a + b` element-wise (tensors, as a linalg.generic) or as scalars.
Value addAdjoints(OpBuilder &b, Location loc, Value a, Value c);

/// A zero of `like`'s type (tensors: with `like`'s dynamic sizes).
Value zerosLike(OpBuilder &b, Location loc, Value like);

/// Creates `name`, a function with the arguments of `forward` (one block,
/// returning one scalar f32 or tensor<f32> loss) that returns the loss and
/// the gradients of the arguments `wrt` (float tensors), in that order.
/// It is inserted after `forward`. On failure nothing is left behind and an
/// error has been emitted.
FailureOr<func::FuncOp> deriveGradientFunction(func::FuncOp forward,
                                               StringRef name,
                                               ArrayRef<int64_t> wrt);

} // namespace autodiff
} // namespace ternary
} // namespace mlir

#endif // TERNARY_AUTODIFF_AUTODIFF_H
