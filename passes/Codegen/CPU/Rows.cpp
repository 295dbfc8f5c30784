//===- Rows.cpp - How a generic's operands walk its innermost loop --------===//

#include "Codegen/CPU/Rows.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpDefinition.h"

using namespace mlir;

std::optional<int64_t> mlir::ternary::detail::strideAlong(AffineMap map,
                                                          unsigned last) {
  if (!map.isFunctionOfDim(last))
    return 0;
  for (AffineExpr e : map.getResults().drop_back())
    if (e.isFunctionOfDim(last))
      return std::nullopt;
  MLIRContext *ctx = map.getContext();
  unsigned dims = map.getNumDims();
  AffineExpr e = map.getResults().back();
  // The coefficient: e with d_last = 1 minus e with d_last = 0, the other
  // loops at 0.
  auto at = [&](int64_t v) -> std::optional<int64_t> {
    SmallVector<AffineExpr> values(dims, getAffineConstantExpr(0, ctx));
    values[last] = getAffineConstantExpr(v, ctx);
    auto c = dyn_cast<AffineConstantExpr>(
        simplifyAffineExpr(e.replaceDims(values), dims, 0));
    return c ? std::optional<int64_t>(c.getValue()) : std::nullopt;
  };
  std::optional<int64_t> one = at(1), zero = at(0);
  if (!one || !zero || *one <= *zero)
    return std::nullopt;
  int64_t stride = *one - *zero;
  AffineExpr rest =
      simplifyAffineExpr(e - stride * getAffineDimExpr(last, ctx), dims, 0);
  if (rest.isFunctionOfDim(last))
    return std::nullopt;
  return stride;
}

bool mlir::ternary::detail::elementwiseBody(Block &body) {
  for (Operation &op : body.without_terminator()) {
    if (matchPattern(&op, m_Constant()))
      continue;
    if (!isa<arith::ArithDialect, math::MathDialect>(op.getDialect()) ||
        !OpTrait::hasElementwiseMappableTraits(&op) || op.getNumRegions())
      return false;
    for (Type t : llvm::concat<Type>(op.getOperandTypes(), op.getResultTypes()))
      if (!t.isIntOrFloat())
        return false;
  }
  return true;
}

Value mlir::ternary::detail::vectorOf(OpBuilder &b, Location loc, Value v,
                                      int64_t lanes, IRMapping &mapping) {
  if (Value mapped = mapping.lookupOrNull(v))
    return mapped;
  Value splat = vector::BroadcastOp::create(
      b, loc, VectorType::get({lanes}, v.getType()), v);
  mapping.map(v, splat);
  return splat;
}

void mlir::ternary::detail::cloneOnVectors(OpBuilder &b, Location loc,
                                           Block &body, int64_t lanes,
                                           IRMapping &mapping,
                                           Operation *skip) {
  for (Operation &inner : body.without_terminator()) {
    if (&inner == skip)
      continue;
    if (matchPattern(&inner, m_Constant())) {
      Operation *scalar = b.clone(inner);
      mapping.map(inner.getResult(0),
                  vectorOf(b, loc, scalar->getResult(0), lanes, mapping));
      continue;
    }
    for (Value v : inner.getOperands())
      vectorOf(b, loc, v, lanes, mapping);
    Operation *vectorOp = b.clone(inner, mapping);
    for (OpResult r : vectorOp->getResults())
      r.setType(VectorType::get({lanes}, r.getType()));
  }
}
