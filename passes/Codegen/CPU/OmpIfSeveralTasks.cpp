//===- OmpIfSeveralTasks.cpp - Single-task parallel regions stay serial ---===//
//
// --ternary-omp-if-several-tasks: every omp.parallel region around one
// worksharing loop gets the clause if(trip count >= 2), so that a region
// with a single task runs on the calling thread (OpenMP's serialized
// region) instead of waking the team. See passes/Codegen/CPU/CPUPasses.td.
//
//===----------------------------------------------------------------------===//

#include "ternary/Passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

namespace mlir {
namespace ternary {
#define GEN_PASS_DEF_TERNARYOMPIFSEVERALTASKS
#include "passes/Passes.h.inc"
} // namespace ternary
} // namespace mlir

using namespace mlir;

namespace {

/// The loop nest of `parallel`'s only worksharing loop, when that is the
/// region's shape and the loop's bounds are defined before the region.
omp::LoopNestOp singleLoopNest(omp::ParallelOp parallel) {
  omp::WsloopOp wsloop;
  for (Operation &op : parallel.getRegion().getOps()) {
    auto loop = dyn_cast<omp::WsloopOp>(op);
    if (!loop)
      continue;
    if (wsloop)
      return nullptr; // Several loops: no single trip count.
    wsloop = loop;
  }
  if (!wsloop)
    return nullptr;
  auto nest = dyn_cast_or_null<omp::LoopNestOp>(wsloop.getWrappedLoop());
  if (!nest)
    return nullptr;
  for (Value v : nest->getOperands())
    if (parallel->isAncestor(v.getParentRegion()->getParentOp()))
      return nullptr;
  return nest;
}

/// The static trip count of `nest`, if every bound is a constant.
std::optional<int64_t> staticTripCount(omp::LoopNestOp nest) {
  int64_t total = 1;
  bool inclusive = nest.getLoopInclusive();
  for (auto [lb, ub, step] :
       llvm::zip(nest.getLoopLowerBounds(), nest.getLoopUpperBounds(),
                 nest.getLoopSteps())) {
    std::optional<int64_t> l = getConstantIntValue(lb),
                           u = getConstantIntValue(ub),
                           s = getConstantIntValue(step);
    if (!l || !u || !s || *s <= 0)
      return std::nullopt;
    int64_t span = *u - *l + (inclusive ? 1 : 0);
    total *= span <= 0 ? 0 : (span + *s - 1) / *s;
  }
  return total;
}

/// `trip count of nest >= 2`, built before `parallel`. Steps are positive
/// (scf.parallel's rule); a negative span counts as no iteration.
Value severalIterations(OpBuilder &b, Location loc, omp::LoopNestOp nest) {
  Type type = nest.getLoopLowerBounds().front().getType();
  auto constant = [&](int64_t v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, v));
  };
  Value zero = constant(0), two = constant(2), total;
  bool inclusive = nest.getLoopInclusive();
  for (auto [lb, ub, step] :
       llvm::zip(nest.getLoopLowerBounds(), nest.getLoopUpperBounds(),
                 nest.getLoopSteps())) {
    Value span = arith::SubIOp::create(b, loc, ub, lb);
    if (inclusive)
      span = arith::AddIOp::create(b, loc, span, constant(1));
    span = arith::MaxSIOp::create(b, loc, span, zero);
    Value count = arith::CeilDivSIOp::create(b, loc, span, step);
    total =
        total ? arith::MulIOp::create(b, loc, total, count).getResult() : count;
  }
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, total, two);
}

struct TernaryOmpIfSeveralTasks
    : public mlir::ternary::impl::TernaryOmpIfSeveralTasksBase<
          TernaryOmpIfSeveralTasks> {
  void runOnOperation() override {
    OpBuilder b(&getContext());
    getOperation()->walk([&](omp::ParallelOp parallel) {
      if (parallel.getIfExpr())
        return;
      omp::LoopNestOp nest = singleLoopNest(parallel);
      if (!nest)
        return;
      std::optional<int64_t> trips = staticTripCount(nest);
      if (trips && *trips >= 2)
        return;
      b.setInsertionPoint(parallel);
      Value several = trips ? arith::ConstantOp::create(b, parallel.getLoc(),
                                                        b.getBoolAttr(false))
                                  .getResult()
                            : severalIterations(b, parallel.getLoc(), nest);
      parallel.getIfExprMutable().assign(several);
    });
  }
};

} // namespace
