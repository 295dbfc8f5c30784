//===- OpAdjoints.cpp - Adjoint rules of tensor-level ops -----------------===//
//
// The rule of every op ternary-autodiff knows at the tensor level: the
// ternary layers and loss, linalg.generic (GenericAdjoints.cpp), ops
// without a gradient (fills, empties, constants) and tensor reshapes.
//
//===----------------------------------------------------------------------===//

#include "ternary/Autodiff/Autodiff.h"
#include "ternary/Dialect/Ternary/TernaryOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::autodiff;

namespace {

/// The flat operand number of ODS operand group `group` of `op`, or -1
/// when the (optional) group is empty.
template <typename OpTy> int flatOperand(OpTy op, unsigned group) {
  auto [start, length] = op.getODSOperandIndexAndLength(group);
  return length == 0 ? -1 : static_cast<int>(start);
}

FailureOr<SmallVector<Value>> bitLinearAdjoints(OpBuilder &b, BitLinearOp op,
                                                Value dy) {
  SmallVector<Value> grads(op->getNumOperands());
  if (!dy)
    return grads;
  RankedTensorType x = op.getInput().getType(), w = op.getWeight().getType();
  if (x.getRank() != 2)
    return op.emitOpError() << "ternary-autodiff differentiates 2-D inputs "
                               "([M, K]) only, got rank "
                            << x.getRank();
  Type f32 = b.getF32Type();
  Type biasType = op.getBias() ? op.getBias().getType()
                               : RankedTensorType::get({w.getDimSize(0)}, f32);
  SmallVector<Type> types = {x, w, biasType};
  if (op.getNorm() == NormKind::layer_affine)
    types.append({op.getGamma().getType(), op.getBeta().getType()});
  auto grad = BitLinearGradOp::create(
      b, op.getLoc(), types, op.getInput(), op.getWeight(), dy, op.getGamma(),
      op.getBeta(), op.getLambdaValue(), op.getRoundingSeed(), op.getScale(),
      op.getNorm(),
      op.getActBits(), op.getQ(), op.getEps(), op.getLambda());
  grads[0] = grad.getInputGrad();
  grads[1] = grad.getWeightGrad();
  if (int bias = flatOperand(op, 2); bias >= 0)
    grads[bias] = grad.getBiasGrad();
  if (op.getNorm() == NormKind::layer_affine) {
    grads[flatOperand(op, 3)] = grad.getAffineGrads()[0];
    grads[flatOperand(op, 4)] = grad.getAffineGrads()[1];
  }
  return grads;
}

/// linalg.softmax along dimension k: dx = y * (dy - sum_k(dy * y)).
SmallVector<Value> softmaxAdjoints(OpBuilder &b, linalg::SoftmaxOp op,
                                   Value dy) {
  SmallVector<Value> grads(op->getNumOperands());
  if (!dy)
    return grads;
  Location loc = op.getLoc();
  Value y = op->getResult(0);
  auto type = cast<RankedTensorType>(y.getType());
  unsigned rank = type.getRank(), k = op.getDimension();
  AffineMap id = b.getMultiDimIdentityMap(rank);
  AffineMap reduced = id.dropResult(k);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, y);
  SmallVector<OpFoldResult> rowSizes = sizes;
  rowSizes.erase(rowSizes.begin() + k);
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0));
  Value rowsInit = linalg::FillOp::create(
                       b, loc, ValueRange{zero},
                       ValueRange{tensor::EmptyOp::create(b, loc, rowSizes,
                                                          b.getF32Type())})
                       .getResult(0);
  SmallVector<utils::IteratorType> reduceIterators = iterators;
  reduceIterators[k] = utils::IteratorType::reduction;
  Value dots =
      linalg::GenericOp::create(
          b, loc, TypeRange{rowsInit.getType()}, ValueRange{y, dy},
          ValueRange{rowsInit}, ArrayRef<AffineMap>{id, id, reduced},
          reduceIterators,
          [](OpBuilder &nb, Location l, ValueRange a) {
            Value t = arith::MulFOp::create(nb, l, a[0], a[1]);
            linalg::YieldOp::create(
                nb, l, arith::AddFOp::create(nb, l, a[2], t).getResult());
          })
          .getResult(0);
  Value init = tensor::EmptyOp::create(b, loc, sizes, b.getF32Type());
  grads[0] =
      linalg::GenericOp::create(
          b, loc, TypeRange{type}, ValueRange{y, dy, dots}, ValueRange{init},
          ArrayRef<AffineMap>{id, id, reduced, id}, iterators,
          [](OpBuilder &nb, Location l, ValueRange a) {
            Value d = arith::SubFOp::create(nb, l, a[1], a[2]);
            linalg::YieldOp::create(
                nb, l, arith::MulFOp::create(nb, l, a[0], d).getResult());
          })
          .getResult(0);
  return grads;
}

} // namespace

FailureOr<SmallVector<Value>> mlir::ternary::autodiff::buildOperandAdjoints(
    OpBuilder &b, Operation *op, ArrayRef<Value> resultAdjoints,
    ArrayRef<bool> needed) {
  SmallVector<Value> none(op->getNumOperands());
  Location loc = op->getLoc();
  return TypeSwitch<Operation *, FailureOr<SmallVector<Value>>>(op)
      .Case([&](BitLinearOp o) {
        return bitLinearAdjoints(b, o, resultAdjoints[0]);
      })
      .Case([&](CrossEntropyOp o) -> FailureOr<SmallVector<Value>> {
        SmallVector<Value> grads = none;
        if (resultAdjoints[0])
          grads[0] = CrossEntropyGradOp::create(
              b, loc, o.getLogits().getType(), o.getLogits(), o.getLabels(),
              resultAdjoints[0], o.getIgnoreIndex());
        return grads;
      })
      .Case([&](EmbeddingOp o) -> FailureOr<SmallVector<Value>> {
        SmallVector<Value> grads = none;
        if (resultAdjoints[0])
          grads[0] = EmbeddingGradOp::create(b, loc, o.getTable().getType(),
                                             o.getTable(), o.getIds(),
                                             resultAdjoints[0]);
        return grads;
      })
      .Case([&](linalg::SoftmaxOp o) -> FailureOr<SmallVector<Value>> {
        if (!o.hasPureTensorSemantics())
          return o.emitOpError() << "ternary-autodiff needs tensor operands";
        return softmaxAdjoints(b, o, resultAdjoints[0]);
      })
      .Case([&](SpmmOp o) -> FailureOr<SmallVector<Value>> {
        SmallVector<Value> grads = none;
        if (needed[2])
          return o.emitOpError()
                 << "ternary-autodiff does not differentiate with respect to "
                    "the sparse values (a constant adjacency)";
        if (resultAdjoints[0])
          grads[3] = SpmmTransposeOp::create(
              b, loc, o.getInput().getType(), o.getIndptr(), o.getIndices(),
              o.getValues(), resultAdjoints[0], o.getInput());
        return grads;
      })
      .Case([&](DropoutOp o) -> FailureOr<SmallVector<Value>> {
        // The mask depends on the seed and the shape only: the gradient is
        // the same dropout of the output gradient.
        SmallVector<Value> grads = none;
        if (resultAdjoints[0])
          grads[0] = DropoutOp::create(b, loc, resultAdjoints[0].getType(),
                                       resultAdjoints[0], o.getSeed(),
                                       o.getPAttr());
        return grads;
      })
      .Case([&](linalg::GenericOp o) {
        return buildGenericAdjoints(b, o, resultAdjoints[0], needed);
      })
      // The values of these do not depend on their tensor operands' values.
      .Case<linalg::FillOp, tensor::EmptyOp, arith::ConstantOp, tensor::DimOp>(
          [&](Operation *) { return none; })
      .Case([&](tensor::CollapseShapeOp o) -> FailureOr<SmallVector<Value>> {
        SmallVector<Value> grads = none;
        if (resultAdjoints[0])
          grads[0] = tensor::ExpandShapeOp::create(
              b, loc, o.getSrcType(), resultAdjoints[0],
              o.getReassociationIndices());
        return grads;
      })
      .Case([&](tensor::ExpandShapeOp o) -> FailureOr<SmallVector<Value>> {
        SmallVector<Value> grads = none;
        if (resultAdjoints[0])
          grads[0] = tensor::CollapseShapeOp::create(
              b, loc, o.getSrcType(), resultAdjoints[0],
              o.getReassociationIndices());
        return grads;
      })
      .Case([&](tensor::PadOp o) -> FailureOr<SmallVector<Value>> {
        // The source's part of the padded adjoint; the padding value is a
        // constant of the models (no gradient).
        SmallVector<Value> grads = none;
        if (!resultAdjoints[0])
          return grads;
        if (needed[0]) {
          SmallVector<OpFoldResult> strides(
              o.getSourceType().getRank(), b.getIndexAttr(1));
          grads[0] = tensor::ExtractSliceOp::create(
              b, loc, o.getSourceType(), resultAdjoints[0],
              o.getMixedLowPad(),
              tensor::getMixedSizes(b, loc, o.getSource()), strides);
        }
        return grads;
      })
      .Case([&](tensor::CastOp o) -> FailureOr<SmallVector<Value>> {
        SmallVector<Value> grads = none;
        if (resultAdjoints[0])
          grads[0] = tensor::CastOp::create(b, loc, o.getSource().getType(),
                                            resultAdjoints[0]);
        return grads;
      })
      .Default([&](Operation *o) -> FailureOr<SmallVector<Value>> {
        return o->emitOpError() << "has no derivative rule in ternary-autodiff";
      });
}
