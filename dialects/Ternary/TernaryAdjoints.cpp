//===- TernaryAdjoints.cpp - Derivative rules of the ternary ops ----------===//
//
// The AdjointOpInterface of the differentiable ternary ops: BitLinear (the
// straight-through estimator, as ternary.bitlinear_grad; ternarize's
// too), cross-entropy,
// embedding lookups, CSR aggregation and dropout. Each rule builds the
// dialect's own gradient ops; their lowerings are in
// passes/Conversion/TernaryToLinalg.
//
//===----------------------------------------------------------------------===//

#include "ternary/Dialect/Ternary/TernaryOps.h"

using namespace mlir;
using namespace mlir::ternary;

/// The flat operand number of ODS operand group `group` of `op`, or -1
/// when the (optional) group is empty.
template <typename OpTy> static int flatOperand(OpTy op, unsigned group) {
  auto [start, length] = op.getODSOperandIndexAndLength(group);
  return length == 0 ? -1 : static_cast<int>(start);
}

FailureOr<SmallVector<Value>>
BitLinearOp::buildOperandAdjoints(OpBuilder &b, ArrayRef<Value> resultAdjoints,
                                  ArrayRef<bool> needed) {
  SmallVector<Value> grads(getNumOperands());
  Value dy = resultAdjoints[0];
  if (!dy)
    return grads;
  RankedTensorType x = getInput().getType(), w = getWeight().getType();
  if (x.getRank() != 2)
    return emitOpError() << "ternary-autodiff differentiates 2-D inputs "
                            "([M, K]) only, got rank "
                         << x.getRank();
  Type f32 = b.getF32Type();
  Type biasType = getBias() ? getBias().getType()
                            : RankedTensorType::get({w.getDimSize(0)}, f32);
  SmallVector<Type> types = {x, w, biasType};
  if (getNorm() == NormKind::layer_affine)
    types.append({getGamma().getType(), getBeta().getType()});
  auto grad = BitLinearGradOp::create(
      b, getLoc(), types, getInput(), getWeight(), dy, getGamma(), getBeta(),
      getLambdaValue(), getRoundingSeed(), /*weight_scale=*/Value(), getScale(),
      getNorm(), getActBits(), getQ(), getEps(), getLambda());
  grads[0] = grad.getInputGrad();
  grads[1] = grad.getWeightGrad();
  if (int bias = flatOperand(*this, 2); bias >= 0)
    grads[bias] = grad.getBiasGrad();
  if (getNorm() == NormKind::layer_affine) {
    grads[flatOperand(*this, 3)] = grad.getAffineGrads()[0];
    grads[flatOperand(*this, 4)] = grad.getAffineGrads()[1];
  }
  return grads;
}

FailureOr<SmallVector<Value>>
TernarizeOp::buildOperandAdjoints(OpBuilder &b, ArrayRef<Value> resultAdjoints,
                                  ArrayRef<bool> needed) {
  // The straight-through estimator: d(W) = d(result), the scale detached.
  return SmallVector<Value>{resultAdjoints[0]};
}

FailureOr<SmallVector<Value>> CrossEntropyOp::buildOperandAdjoints(
    OpBuilder &b, ArrayRef<Value> resultAdjoints, ArrayRef<bool> needed) {
  SmallVector<Value> grads(getNumOperands());
  if (resultAdjoints[0])
    grads[0] = CrossEntropyGradOp::create(b, getLoc(), getLogits().getType(),
                                          getLogits(), getLabels(),
                                          resultAdjoints[0], getIgnoreIndex());
  return grads;
}

FailureOr<SmallVector<Value>>
EmbeddingOp::buildOperandAdjoints(OpBuilder &b, ArrayRef<Value> resultAdjoints,
                                  ArrayRef<bool> needed) {
  SmallVector<Value> grads(getNumOperands());
  if (resultAdjoints[0])
    grads[0] = EmbeddingGradOp::create(b, getLoc(), getTable().getType(),
                                       getTable(), getIds(), resultAdjoints[0]);
  return grads;
}

FailureOr<SmallVector<Value>>
SpmmOp::buildOperandAdjoints(OpBuilder &b, ArrayRef<Value> resultAdjoints,
                             ArrayRef<bool> needed) {
  SmallVector<Value> grads(getNumOperands());
  if (needed[2])
    return emitOpError()
           << "ternary-autodiff does not differentiate with respect to "
              "the sparse values (a constant adjacency)";
  if (resultAdjoints[0])
    grads[3] = SpmmTransposeOp::create(b, getLoc(), getInput().getType(),
                                       getIndptr(), getIndices(), getValues(),
                                       resultAdjoints[0], getInput());
  return grads;
}

FailureOr<SmallVector<Value>>
DropoutOp::buildOperandAdjoints(OpBuilder &b, ArrayRef<Value> resultAdjoints,
                                ArrayRef<bool> needed) {
  // The mask depends on the seed and the shape only: the gradient is the
  // same dropout of the output gradient.
  SmallVector<Value> grads(getNumOperands());
  if (resultAdjoints[0])
    grads[0] = DropoutOp::create(b, getLoc(), resultAdjoints[0].getType(),
                                 resultAdjoints[0], getSeed(), getPAttr());
  return grads;
}
