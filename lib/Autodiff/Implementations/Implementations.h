//===- Implementations.h - Adjoint models of upstream dialects --*- C++ -*-===//
//
// Private to lib/Autodiff: one registration function per upstream dialect
// whose ops get the AdjointOpInterface as external models, and the helpers
// the models share. registerAdjointExternalModels (Autodiff.h) calls them
// all.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_LIB_AUTODIFF_IMPLEMENTATIONS_IMPLEMENTATIONS_H
#define TERNARY_LIB_AUTODIFF_IMPLEMENTATIONS_IMPLEMENTATIONS_H

#include "ternary/Dialect/Ternary/AdjointOpInterface.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/DialectRegistry.h"

namespace mlir {
namespace ternary {
namespace autodiff {

void registerArithAdjointModels(DialectRegistry &registry);
void registerMathAdjointModels(DialectRegistry &registry);
void registerLinalgAdjointModels(DialectRegistry &registry);
void registerTensorAdjointModels(DialectRegistry &registry);

/// What the rules build at one location, for float scalars or element-wise
/// on tensors of floats.
struct AdjointBuilder {
  OpBuilder &b;
  Location l;

  /// `v` with the type of `like` (a splat for tensors).
  Value constantLike(Value like, double v);
  Value mul(Value x, Value y);
  Value div(Value x, Value y);
  Value sub(Value x, Value y);
  Value neg(Value x);
  Value select(Value c, Value x, Value y);
  Value cmp(arith::CmpFPredicate p, Value x, Value y);
};

/// A rule written as a function of the op, its result adjoints and the
/// needed operands: the external model of an op whose rule is `Rule`.
template <typename OpTy,
          FailureOr<SmallVector<Value>> (*Rule)(
              OpBuilder &, OpTy, ArrayRef<Value>, ArrayRef<bool>)>
struct AdjointModel
    : public AdjointOpInterface::ExternalModel<AdjointModel<OpTy, Rule>, OpTy> {
  FailureOr<SmallVector<Value>>
  buildOperandAdjoints(Operation *op, OpBuilder &b,
                       ArrayRef<Value> resultAdjoints,
                       ArrayRef<bool> needed) const {
    return Rule(b, cast<OpTy>(op), resultAdjoints, needed);
  }
};

/// The model of ops whose results do not depend on their operands' values
/// (constants, fills, empties, dims): no operand gets an adjoint.
template <typename OpTy>
struct NoAdjointModel
    : public AdjointOpInterface::ExternalModel<NoAdjointModel<OpTy>, OpTy> {
  FailureOr<SmallVector<Value>> buildOperandAdjoints(Operation *op, OpBuilder &,
                                                     ArrayRef<Value>,
                                                     ArrayRef<bool>) const {
    return SmallVector<Value>(op->getNumOperands());
  }
};

/// Attaches NoAdjointModel to every op of `Ops`.
template <typename... Ops> void attachNoAdjoint(MLIRContext *ctx) {
  (Ops::template attachInterface<NoAdjointModel<Ops>>(*ctx), ...);
}

} // namespace autodiff
} // namespace ternary
} // namespace mlir

#endif // TERNARY_LIB_AUTODIFF_IMPLEMENTATIONS_IMPLEMENTATIONS_H
