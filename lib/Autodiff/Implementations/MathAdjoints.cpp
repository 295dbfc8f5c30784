//===- MathAdjoints.cpp - Derivative rules of math ops --------------------===//
//
// External AdjointOpInterface models of the math dialect's float functions
// (exp, log, tanh, sqrt, rsqrt, erf, abs, fma), on scalars and element-wise
// on tensors. Rules reuse the forward result where the derivative is a
// function of it (exp, tanh, sqrt, rsqrt).
//
//===----------------------------------------------------------------------===//

#include "Implementations/Implementations.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::autodiff;

namespace {

using Adjoints = FailureOr<SmallVector<Value>>;

Adjoints expRule(OpBuilder &b, math::ExpOp op, ArrayRef<Value> adj,
                 ArrayRef<bool>) {
  return SmallVector<Value>{
      AdjointBuilder{b, op.getLoc()}.mul(adj[0], op.getResult())};
}

Adjoints logRule(OpBuilder &b, math::LogOp op, ArrayRef<Value> adj,
                 ArrayRef<bool>) {
  return SmallVector<Value>{
      AdjointBuilder{b, op.getLoc()}.div(adj[0], op.getOperand())};
}

Adjoints tanhRule(OpBuilder &b, math::TanhOp op, ArrayRef<Value> adj,
                  ArrayRef<bool>) {
  AdjointBuilder r{b, op.getLoc()};
  Value t = op.getResult();
  return SmallVector<Value>{
      r.mul(adj[0], r.sub(r.constantLike(adj[0], 1.0), r.mul(t, t)))};
}

Adjoints sqrtRule(OpBuilder &b, math::SqrtOp op, ArrayRef<Value> adj,
                  ArrayRef<bool>) {
  AdjointBuilder r{b, op.getLoc()};
  return SmallVector<Value>{
      r.div(adj[0], r.mul(r.constantLike(adj[0], 2.0), op.getResult()))};
}

Adjoints rsqrtRule(OpBuilder &b, math::RsqrtOp op, ArrayRef<Value> adj,
                   ArrayRef<bool>) {
  // d x^-1/2 = -1/2 x^-3/2 = -1/2 r^3
  AdjointBuilder r{b, op.getLoc()};
  Value y = op.getResult();
  Value y3 = r.mul(r.mul(y, y), y);
  return SmallVector<Value>{
      r.mul(adj[0], r.mul(r.constantLike(adj[0], -0.5), y3))};
}

Adjoints erfRule(OpBuilder &b, math::ErfOp op, ArrayRef<Value> adj,
                 ArrayRef<bool>) {
  AdjointBuilder r{b, op.getLoc()};
  Value x = op.getOperand();
  Value e = math::ExpOp::create(b, op.getLoc(), r.neg(r.mul(x, x)));
  return SmallVector<Value>{
      r.mul(adj[0], r.mul(r.constantLike(adj[0], 2.0 / std::sqrt(M_PI)), e))};
}

Adjoints absRule(OpBuilder &b, math::AbsFOp op, ArrayRef<Value> adj,
                 ArrayRef<bool>) {
  // sign(x), 0 at 0.
  AdjointBuilder r{b, op.getLoc()};
  Location l = op.getLoc();
  Value x = op.getOperand();
  Value zero = r.constantLike(adj[0], 0.0);
  auto cmp = [&](arith::CmpFPredicate p) {
    return arith::CmpFOp::create(b, l, p, x, zero);
  };
  Value sign = arith::SelectOp::create(
      b, l, cmp(arith::CmpFPredicate::OGT), r.constantLike(adj[0], 1.0),
      arith::SelectOp::create(b, l, cmp(arith::CmpFPredicate::OLT),
                              r.constantLike(adj[0], -1.0), zero));
  return SmallVector<Value>{r.mul(adj[0], sign)};
}

Adjoints fmaRule(OpBuilder &b, math::FmaOp op, ArrayRef<Value> adj,
                 ArrayRef<bool>) {
  AdjointBuilder r{b, op.getLoc()};
  return SmallVector<Value>{r.mul(adj[0], op.getB()), r.mul(adj[0], op.getA()),
                            adj[0]};
}

} // namespace

void mlir::ternary::autodiff::registerMathAdjointModels(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, math::MathDialect *) {
    using namespace math;
    ExpOp::attachInterface<AdjointModel<ExpOp, expRule>>(*ctx);
    LogOp::attachInterface<AdjointModel<LogOp, logRule>>(*ctx);
    TanhOp::attachInterface<AdjointModel<TanhOp, tanhRule>>(*ctx);
    SqrtOp::attachInterface<AdjointModel<SqrtOp, sqrtRule>>(*ctx);
    RsqrtOp::attachInterface<AdjointModel<RsqrtOp, rsqrtRule>>(*ctx);
    ErfOp::attachInterface<AdjointModel<ErfOp, erfRule>>(*ctx);
    AbsFOp::attachInterface<AdjointModel<AbsFOp, absRule>>(*ctx);
    FmaOp::attachInterface<AdjointModel<FmaOp, fmaRule>>(*ctx);
  });
}
