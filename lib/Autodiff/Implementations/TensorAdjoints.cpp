//===- TensorAdjoints.cpp - Derivative rules of tensor ops ----------------===//
//
// External AdjointOpInterface models of the tensor dialect: reshapes
// (collapse and expand are each other's adjoint), casts, padding (the
// source's part of the padded adjoint) and the ops whose values do not
// depend on their operands' values (empty, dim).
//
//===----------------------------------------------------------------------===//

#include "Implementations/Implementations.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::autodiff;

namespace {

using Adjoints = FailureOr<SmallVector<Value>>;

Adjoints collapseRule(OpBuilder &b, tensor::CollapseShapeOp op,
                      ArrayRef<Value> adj, ArrayRef<bool>) {
  SmallVector<Value> grads(op->getNumOperands());
  grads[0] = tensor::ExpandShapeOp::create(
      b, op.getLoc(), op.getSrcType(), adj[0], op.getReassociationIndices());
  return grads;
}

Adjoints expandRule(OpBuilder &b, tensor::ExpandShapeOp op, ArrayRef<Value> adj,
                    ArrayRef<bool>) {
  SmallVector<Value> grads(op->getNumOperands());
  grads[0] = tensor::CollapseShapeOp::create(
      b, op.getLoc(), op.getSrcType(), adj[0], op.getReassociationIndices());
  return grads;
}

Adjoints padRule(OpBuilder &b, tensor::PadOp op, ArrayRef<Value> adj,
                 ArrayRef<bool> needed) {
  // The source's part of the padded adjoint; the padding value is a
  // constant of the models (no gradient).
  SmallVector<Value> grads(op->getNumOperands());
  if (needed[0]) {
    Location loc = op.getLoc();
    SmallVector<OpFoldResult> strides(op.getSourceType().getRank(),
                                      b.getIndexAttr(1));
    grads[0] = tensor::ExtractSliceOp::create(
        b, loc, op.getSourceType(), adj[0], op.getMixedLowPad(),
        tensor::getMixedSizes(b, loc, op.getSource()), strides);
  }
  return grads;
}

Adjoints castRule(OpBuilder &b, tensor::CastOp op, ArrayRef<Value> adj,
                  ArrayRef<bool>) {
  return SmallVector<Value>{
      tensor::CastOp::create(b, op.getLoc(), op.getSource().getType(), adj[0])};
}

} // namespace

void mlir::ternary::autodiff::registerTensorAdjointModels(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, tensor::TensorDialect *) {
    using namespace tensor;
    CollapseShapeOp::attachInterface<
        AdjointModel<CollapseShapeOp, collapseRule>>(*ctx);
    ExpandShapeOp::attachInterface<AdjointModel<ExpandShapeOp, expandRule>>(
        *ctx);
    PadOp::attachInterface<AdjointModel<PadOp, padRule>>(*ctx);
    CastOp::attachInterface<AdjointModel<CastOp, castRule>>(*ctx);
    attachNoAdjoint<EmptyOp, DimOp>(ctx);
  });
}
