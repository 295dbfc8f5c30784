//===- Parallelize.cpp - Tasks for threads from large linalg ops ----------===//
//
// --ternary-parallelize: a linalg op on buffers in a function body is split
// along one parallel loop into an scf.forall of tasks (upstream tiling,
// scf::tileUsingSCF with forall loops). The pipeline turns the forall into
// OpenMP worksharing; see passes/Codegen/CPU/CPUPasses.td for the rule that
// picks the loop.
//
//===----------------------------------------------------------------------===//

#include "Codegen/CPU/Tasks.h"
#include "ternary/Passes/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
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

/// The loop to split and the task size along it.
struct TaskLoop {
  unsigned dim;
  int64_t task;
};

/// The outermost parallel loop of `op` that every output uses and that
/// gives (or, dynamic, may give) at least two tasks of `minWork`
/// iterations. The work of an iteration counts the other loops' static
/// sizes (a dynamic one as 1: tasks are never smaller than `minWork`).
std::optional<TaskLoop> chooseTaskLoop(linalg::LinalgOp op, int64_t minWork) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
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
    int64_t perIteration = 1;
    for (unsigned other = 0; other < ranges.size(); ++other)
      if (other != d && !ShapedType::isDynamic(ranges[other]) &&
          llvm::MulOverflow(perIteration, ranges[other], perIteration))
        perIteration = std::numeric_limits<int64_t>::max();
    int64_t task = std::max<int64_t>(
        1, llvm::divideCeil(minWork, std::max<int64_t>(perIteration, 1)));
    if (ShapedType::isDynamic(ranges[d]))
      return TaskLoop{d, task}; // Its tasks are counted at run time.
    if (ranges[d] >= 2 * task)
      return TaskLoop{d, task};
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
      std::optional<TaskLoop> choice = chooseTaskLoop(op, minWork);
      if (!choice)
        continue;
      // A dynamic loop is split all the same: when it gives one task at
      // run time, --ternary-omp-if-several-tasks keeps the region on the
      // calling thread.
      SmallVector<OpFoldResult> sizes(op.getNumLoops(),
                                      rewriter.getIndexAttr(0));
      sizes[choice->dim] = rewriter.getIndexAttr(choice->task);
      if (failed(ternary::detail::splitIntoTasks(
              rewriter, cast<TilingInterface>(op.getOperation()), sizes)))
        return signalPassFailure();
    }
  }
};

} // namespace
