//===- Parallelize.cpp - Tasks for threads from large linalg ops ----------===//
//
// --ternary-parallelize: a linalg op on buffers in a function body is split
// along one parallel loop into an scf.forall of tasks (upstream tiling,
// scf::tileUsingSCF with forall loops). The pipeline turns the forall into
// OpenMP worksharing; see Passes.td for the rule that picks the loop.
//
//===----------------------------------------------------------------------===//

#include "Codegen/CPU/Tasks.h"
#include "ternary/Passes/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "llvm/Support/MathExtras.h"

#include <limits>

namespace mlir {
namespace ternary {
#define GEN_PASS_DEF_TERNARYPARALLELIZE
#include "passes/Passes.h.inc"
} // namespace ternary
} // namespace mlir

using namespace mlir;

namespace {

/// The size a dynamic loop counts as when the work is estimated: a
/// typical batch.
constexpr int64_t kDynamicSizeGuess = 64;

/// The loop to split and the task size along it, if `op` has one that
/// gives at least two tasks of `minWork` iterations.
std::optional<std::pair<unsigned, int64_t>> chooseTaskLoop(linalg::LinalgOp op,
                                                           int64_t minWork) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  int64_t total = 1;
  for (int64_t r : ranges)
    if (llvm::MulOverflow(
            total, ShapedType::isDynamic(r) ? kDynamicSizeGuess : r, total))
      total = std::numeric_limits<int64_t>::max();
  for (unsigned d = 0; d < ranges.size(); ++d) {
    if (iterators[d] != utils::IteratorType::parallel)
      continue;
    // Every output element must belong to one task.
    bool inEveryOutput =
        llvm::all_of(op.getDpsInitsMutable(), [&](OpOperand &o) {
          return op.getMatchingIndexingMap(&o).isFunctionOfDim(d);
        });
    if (!inEveryOutput)
      continue;
    int64_t size =
        ShapedType::isDynamic(ranges[d]) ? kDynamicSizeGuess : ranges[d];
    int64_t perIteration =
        std::max<int64_t>(1, total / std::max<int64_t>(size, 1));
    int64_t task =
        std::max<int64_t>(1, llvm::divideCeil(minWork, perIteration));
    if (size >= 2 * task)
      return std::make_pair(d, task);
  }
  return std::nullopt;
}

struct TernaryParallelize
    : public mlir::ternary::impl::TernaryParallelizeBase<TernaryParallelize> {
  using Base::Base;

  void runOnOperation() override {
    if (minWork < 1) {
      getOperation()->emitError()
          << "ternary-parallelize: min-work must be positive (got "
          << int64_t(minWork) << ")";
      return signalPassFailure();
    }
    func::FuncOp func = getOperation();
    SmallVector<linalg::LinalgOp> targets;
    for (Operation &op : func.getBody().getOps())
      if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
        if (linalgOp.hasPureBufferSemantics() && isa<TilingInterface>(op) &&
            linalgOp.getNumLoops() > 0)
          targets.push_back(linalgOp);
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : targets) {
      std::optional<std::pair<unsigned, int64_t>> choice =
          chooseTaskLoop(op, minWork);
      if (!choice)
        continue;
      SmallVector<OpFoldResult> sizes(op.getNumLoops(),
                                      rewriter.getIndexAttr(0));
      sizes[choice->first] = rewriter.getIndexAttr(choice->second);
      if (failed(ternary::detail::splitIntoTasks(
              rewriter, cast<TilingInterface>(op.getOperation()), sizes)))
        return signalPassFailure();
    }
  }
};

} // namespace
