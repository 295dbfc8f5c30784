//===- LinalgAdjoints.cpp - Derivative rules of linalg ops ----------------===//
//
// External AdjointOpInterface models of linalg: linalg.generic (the rule of
// GenericAdjoints.cpp, which every named op reaches by generalisation),
// linalg.softmax (not a LinalgOp: a rule of its own) and linalg.fill (no
// gradient: its value is a constant of the model).
//
//===----------------------------------------------------------------------===//

#include "Implementations/Implementations.h"
#include "ternary/Autodiff/Autodiff.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::autodiff;

namespace {

using Adjoints = FailureOr<SmallVector<Value>>;

Adjoints genericRule(OpBuilder &b, linalg::GenericOp op, ArrayRef<Value> adj,
                     ArrayRef<bool> needed) {
  return buildGenericAdjoints(b, op, adj[0], needed);
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
  Value rowsInit =
      linalg::FillOp::create(
          b, loc, ValueRange{zero},
          ValueRange{tensor::EmptyOp::create(b, loc, rowSizes, b.getF32Type())})
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

Adjoints softmaxRule(OpBuilder &b, linalg::SoftmaxOp op, ArrayRef<Value> adj,
                     ArrayRef<bool>) {
  if (!op.hasPureTensorSemantics())
    return op.emitOpError() << "ternary-autodiff needs tensor operands";
  return softmaxAdjoints(b, op, adj[0]);
}

} // namespace

void mlir::ternary::autodiff::registerLinalgAdjointModels(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, linalg::LinalgDialect *) {
    linalg::GenericOp::attachInterface<
        AdjointModel<linalg::GenericOp, genericRule>>(*ctx);
    linalg::SoftmaxOp::attachInterface<
        AdjointModel<linalg::SoftmaxOp, softmaxRule>>(*ctx);
    attachNoAdjoint<linalg::FillOp>(ctx);
  });
}
