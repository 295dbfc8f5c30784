//===- ArithAdjoints.cpp - Derivative rules of arith ops ------------------===//
//
// External AdjointOpInterface models of the float ops of the arith dialect,
// on scalars (linalg.generic bodies) and element-wise on tensors alike.
// Ties of max/min go to the right operand: max(x, 0) has PyTorch's ReLU
// gradient, 0 at x = 0.
//
//===----------------------------------------------------------------------===//

#include "Implementations/Implementations.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::autodiff;

namespace {

using Adjoints = FailureOr<SmallVector<Value>>;

Adjoints addRule(OpBuilder &, arith::AddFOp, ArrayRef<Value> adj,
                 ArrayRef<bool>) {
  return SmallVector<Value>{adj[0], adj[0]};
}

Adjoints subRule(OpBuilder &b, arith::SubFOp op, ArrayRef<Value> adj,
                 ArrayRef<bool>) {
  return SmallVector<Value>{adj[0], AdjointBuilder{b, op.getLoc()}.neg(adj[0])};
}

Adjoints mulRule(OpBuilder &b, arith::MulFOp op, ArrayRef<Value> adj,
                 ArrayRef<bool>) {
  AdjointBuilder r{b, op.getLoc()};
  return SmallVector<Value>{r.mul(adj[0], op.getRhs()),
                            r.mul(adj[0], op.getLhs())};
}

Adjoints divRule(OpBuilder &b, arith::DivFOp op, ArrayRef<Value> adj,
                 ArrayRef<bool>) {
  AdjointBuilder r{b, op.getLoc()};
  // d(x / y)/dy = -(x / y) / y
  return SmallVector<Value>{
      r.div(adj[0], op.getRhs()),
      r.neg(r.div(r.mul(adj[0], op.getResult()), op.getRhs()))};
}

Adjoints negRule(OpBuilder &b, arith::NegFOp op, ArrayRef<Value> adj,
                 ArrayRef<bool>) {
  return SmallVector<Value>{AdjointBuilder{b, op.getLoc()}.neg(adj[0])};
}

/// max and min: the adjoint goes to the operand that won (`pred` true:
/// the left one), ties to the right.
template <typename OpTy, arith::CmpFPredicate Pred>
Adjoints extremumRule(OpBuilder &b, OpTy op, ArrayRef<Value> adj,
                      ArrayRef<bool>) {
  AdjointBuilder r{b, op.getLoc()};
  Value zero = r.constantLike(adj[0], 0.0);
  Value left = r.cmp(Pred, op.getLhs(), op.getRhs());
  return SmallVector<Value>{r.select(left, adj[0], zero),
                            r.select(left, zero, adj[0])};
}

Adjoints selectRule(OpBuilder &b, arith::SelectOp op, ArrayRef<Value> adj,
                    ArrayRef<bool>) {
  if (!isa<FloatType>(getElementTypeOrSelf(op.getType())))
    return SmallVector<Value>(3);
  AdjointBuilder r{b, op.getLoc()};
  Value zero = r.constantLike(adj[0], 0.0);
  return SmallVector<Value>{Value(), r.select(op.getCondition(), adj[0], zero),
                            r.select(op.getCondition(), zero, adj[0])};
}

Adjoints extRule(OpBuilder &b, arith::ExtFOp op, ArrayRef<Value> adj,
                 ArrayRef<bool>) {
  return SmallVector<Value>{
      arith::TruncFOp::create(b, op.getLoc(), op.getIn().getType(), adj[0])};
}

Adjoints truncRule(OpBuilder &b, arith::TruncFOp op, ArrayRef<Value> adj,
                   ArrayRef<bool>) {
  return SmallVector<Value>{
      arith::ExtFOp::create(b, op.getLoc(), op.getIn().getType(), adj[0])};
}

} // namespace

void mlir::ternary::autodiff::registerArithAdjointModels(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, arith::ArithDialect *) {
    using namespace arith;
    AddFOp::attachInterface<AdjointModel<AddFOp, addRule>>(*ctx);
    SubFOp::attachInterface<AdjointModel<SubFOp, subRule>>(*ctx);
    MulFOp::attachInterface<AdjointModel<MulFOp, mulRule>>(*ctx);
    DivFOp::attachInterface<AdjointModel<DivFOp, divRule>>(*ctx);
    NegFOp::attachInterface<AdjointModel<NegFOp, negRule>>(*ctx);
    MaximumFOp::attachInterface<
        AdjointModel<MaximumFOp, extremumRule<MaximumFOp, CmpFPredicate::OGT>>>(
        *ctx);
    MaxNumFOp::attachInterface<
        AdjointModel<MaxNumFOp, extremumRule<MaxNumFOp, CmpFPredicate::OGT>>>(
        *ctx);
    MinimumFOp::attachInterface<
        AdjointModel<MinimumFOp, extremumRule<MinimumFOp, CmpFPredicate::OLT>>>(
        *ctx);
    MinNumFOp::attachInterface<
        AdjointModel<MinNumFOp, extremumRule<MinNumFOp, CmpFPredicate::OLT>>>(
        *ctx);
    SelectOp::attachInterface<AdjointModel<SelectOp, selectRule>>(*ctx);
    ExtFOp::attachInterface<AdjointModel<ExtFOp, extRule>>(*ctx);
    TruncFOp::attachInterface<AdjointModel<TruncFOp, truncRule>>(*ctx);
    attachNoAdjoint<ConstantOp>(ctx);
  });
}

Value AdjointBuilder::constantLike(Value like, double v) {
  Type type = like.getType();
  auto shaped = dyn_cast<ShapedType>(type);
  Type element = shaped ? shaped.getElementType() : type;
  TypedAttr attr = b.getFloatAttr(element, v);
  if (shaped)
    attr = DenseElementsAttr::get(shaped, attr);
  return arith::ConstantOp::create(b, l, attr);
}
Value AdjointBuilder::mul(Value x, Value y) {
  return arith::MulFOp::create(b, l, x, y);
}
Value AdjointBuilder::div(Value x, Value y) {
  return arith::DivFOp::create(b, l, x, y);
}
Value AdjointBuilder::sub(Value x, Value y) {
  return arith::SubFOp::create(b, l, x, y);
}
Value AdjointBuilder::neg(Value x) { return arith::NegFOp::create(b, l, x); }
Value AdjointBuilder::select(Value c, Value x, Value y) {
  return arith::SelectOp::create(b, l, c, x, y);
}
Value AdjointBuilder::cmp(arith::CmpFPredicate p, Value x, Value y) {
  return arith::CmpFOp::create(b, l, p, x, y);
}
