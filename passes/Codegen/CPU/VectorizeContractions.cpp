//===- VectorizeContractions.cpp - Register-blocked f32 contractions ------===//
//
// --ternary-vectorize-contractions: f32 linalg contractions on buffers
// (matmuls, batch matmuls and the contraction-shaped generics of autodiff)
// become a register-blocked outer-product microkernel, built from upstream
// pieces: tiling (scf::tileUsingSCF), loop peeling, linalg vectorisation to
// vector.contract, hoisting of the output block out of the k loop, and the
// vector dialect's lowering of contractions to outer products and FMAs. A B
// operand that is contiguous along k is transposed into a scratch buffer
// first (in vectorised 16 x 16 blocks), so that every B row the kernel
// reads is contiguous along n; when A is much smaller, the transposed output
// is computed instead, so that A is the one transposed. Besides one m, n
// and k, a contraction may
// have further parallel dimensions (batch entries, a filter shared by the
// images of a convolution), taken one index at a time, and further
// reductions (a filter gradient summed over the images), summed one index
// at a time in their order. The remainders of the tiles (and contractions
// smaller than one tile) are whole tiles with masks. A fill of the output
// just before the contraction moves into its tasks, each filling its own
// block while it is in cache.
//
//===----------------------------------------------------------------------===//

#include "Codegen/CPU/Contractions.h"
#include "Codegen/CPU/Tasks.h"
#include "ternary/Passes/Passes.h"

#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace mlir {
namespace ternary {
#define GEN_PASS_DEF_TERNARYVECTORIZECONTRACTIONS
#include "passes/Passes.h.inc"
} // namespace ternary
} // namespace mlir

using namespace mlir;
using namespace mlir::ternary::detail;

namespace {

/// Register tiles of a task along m and n: tasks of 16 x 256 outputs with
/// AVX-512's tiles (a 64-row batch gives 4 tasks a linear layer), big
/// enough that a task's B block is reused from L1/L2, small enough that 2-8
/// threads get work on the papers' shapes.
constexpr int64_t kTaskTilesM = 2;
constexpr int64_t kTaskTilesN = 8;
/// The same for contractions with outer reductions: 128 x 128 outputs.
constexpr int64_t kOuterTaskTilesM = 16;
constexpr int64_t kOuterTaskTilesN = 4;

} // namespace

namespace {

/// The rows of `op`'s register tile: `tileM`, or all of a static m that is
/// smaller (the 4 query heads of a key/value group, the 5 key heads
/// rotated at a decoding step), so that such contractions are vectorised
/// along n rather than left as scalar loops.
int64_t rowsOfTile(linalg::LinalgOp op, const KernelDims &kd, int64_t tileM) {
  int64_t size = op.getStaticLoopRanges()[kd.m];
  return ShapedType::isDynamic(size) ? tileM : std::min(size, tileM);
}

/// The register tiles along m of a task of a contraction with outer
/// reductions: kOuterTaskTilesM, or fewer when that gives an odd number of
/// tasks (more than one), so that two threads get as much work each. Such
/// a contraction has few tasks (a filter gradient of 288 x 64 outputs got
/// 3, one thread idle a third of the time); each output element is
/// computed the same way whatever the tasks.
int64_t outerTaskTilesM(linalg::LinalgOp op, const KernelDims &kd, int64_t rows,
                        int64_t tileN) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t m = ranges[kd.m], n = ranges[kd.n];
  if (ShapedType::isDynamic(m) || ShapedType::isDynamic(n))
    return kOuterTaskTilesM;
  int64_t tiles = llvm::divideCeil(m, rows);
  int64_t tasksM = llvm::divideCeil(tiles, kOuterTaskTilesM);
  int64_t tasksN = llvm::divideCeil(n, tileN * kOuterTaskTilesN);
  if (tasksM * tasksN < 2 || (tasksM * tasksN) % 2 == 0)
    return kOuterTaskTilesM;
  return llvm::divideCeil(tiles, tasksM + 1);
}

/// Makes the body's product read A first: linalg's vectoriser takes the
/// product's operands as the contraction's lhs and rhs, and the vector
/// lowering gives outer products along n (full vectors) only for lhs = A.
/// IEEE multiplication is commutative: the results do not change.
void orderProduct(IRRewriter &rewriter, linalg::GenericOp op,
                  const KernelDims &kd) {
  Block &body = op.getRegion().front();
  for (auto mul : body.getOps<arith::MulFOp>())
    if (mul.getLhs() == body.getArgument(kd.b) &&
        mul.getRhs() == body.getArgument(kd.a))
      rewriter.modifyOpInPlace(mul, [&] {
        mul->setOperands({body.getArgument(kd.a), body.getArgument(kd.b)});
      });
}

/// Whether an op in `loop` other than `read` and `write` accesses the
/// memory of `buffer`: through it, or through any view of the allocation it
/// is a view of, wherever that view was made (a peeled remainder tile's
/// subview may be made before the loop).
bool accessedElsewhere(Value buffer, Operation *read, Operation *write,
                       scf::ForOp loop) {
  // Subviews, casts and reshapes are all view-like ops.
  auto sourceOf = [](Value v) -> Value {
    auto view = v.getDefiningOp<ViewLikeOpInterface>();
    return view ? view.getViewSource() : Value();
  };
  Value root = buffer;
  while (Value source = sourceOf(root))
    root = source;
  SmallVector<Value> views = {root};
  DenseSet<Value> seen;
  while (!views.empty()) {
    Value v = views.pop_back_val();
    if (!seen.insert(v).second)
      continue;
    for (Operation *user : v.getUsers()) {
      if (user == read || user == write)
        continue;
      if (loop->isAncestor(user))
        return true;
      for (Value result : user->getResults())
        if (isa<MemRefType>(result.getType()) && sourceOf(result) == v)
          views.push_back(result);
    }
  }
  return false;
}

/// Keeps output blocks in registers across their k loops: a transfer_read
/// and a transfer_write of the same buffer at the same loop-invariant
/// indices, with no other access to that buffer's memory in the loop,
/// become a loop argument (read before the loop, written after it). The
/// same rule as linalg::hoistRedundantVectorTransfers, whose check also
/// refuses buffers that have a view anywhere else in the function, as
/// every buffer with a peeled remainder tile has.
void hoistOutputBlocks(Operation *root) {
  IRRewriter rewriter(root->getContext());
  bool changed = true;
  while (changed) {
    changed = false;
    root->walk([&](scf::ForOp loop) {
      for (auto read : loop.getBody()->getOps<vector::TransferReadOp>()) {
        if (!isa<MemRefType>(read.getShapedType()) ||
            !llvm::all_of(read->getOperands(), [&](Value v) {
              return loop.isDefinedOutsideOfLoop(v);
            }))
          continue;
        vector::TransferWriteOp write;
        for (auto candidate : loop.getBody()->getOps<vector::TransferWriteOp>())
          if (candidate.getBase() == read.getBase() &&
              candidate.getIndices() == read.getIndices() &&
              candidate.getVectorType() == read.getVectorType() &&
              candidate.getPermutationMap() == read.getPermutationMap())
            write = candidate;
        if (!write || !read->isBeforeInBlock(write))
          continue;
        if (accessedElsewhere(read.getBase(), read, write, loop))
          continue;
        loop.moveOutOfLoop(read);
        rewriter.moveOpAfter(write, loop);
        NewYieldValuesFn yield = [&](OpBuilder &, Location,
                                     ArrayRef<BlockArgument>) {
          return SmallVector<Value>{write.getVector()};
        };
        FailureOr<LoopLikeOpInterface> newLoop =
            cast<LoopLikeOpInterface>(loop.getOperation())
                .replaceWithAdditionalYields(rewriter, read.getVector(),
                                             /*replaceInitOperandUsesInLoop=*/
                                             true, yield);
        if (failed(newLoop))
          return WalkResult::interrupt();
        write.getValueToStoreMutable().assign((*newLoop)->getResults().back());
        changed = true;
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
  }
}

/// `op` without its loops `unit` (each of size 1 and indexing its
/// operands only as a whole dimension): the operands become rank-reducing
/// subviews and the maps lose those dimensions.
linalg::GenericOp dropUnitLoops(IRRewriter &rewriter, linalg::GenericOp op,
                                ArrayRef<unsigned> unit) {
  llvm::SmallBitVector dropped(op.getNumLoops());
  for (unsigned d : unit)
    dropped.set(d);
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  SmallVector<Value> operands;
  SmallVector<AffineMap> maps;
  for (OpOperand &operand : op->getOpOperands()) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    auto type = cast<MemRefType>(operand.get().getType());
    SmallVector<int64_t> droppedResults;
    SmallVector<int64_t> shape;
    for (auto [i, e] : llvm::enumerate(map.getResults())) {
      auto dim = dyn_cast<AffineDimExpr>(e);
      if (dim && dropped.test(dim.getPosition())) {
        droppedResults.push_back(i);
        continue;
      }
      shape.push_back(type.getDimSize(i));
    }
    Value value = operand.get();
    if (!droppedResults.empty())
      value = memref::createCanonicalRankReducingSubViewOp(rewriter, loc, value,
                                                           shape);
    operands.push_back(value);
    maps.push_back(compressDims(map.dropResults(droppedResults), dropped));
  }
  SmallVector<utils::IteratorType> iterators;
  for (auto [d, it] : llvm::enumerate(op.getIteratorTypesArray()))
    if (!dropped.test(d))
      iterators.push_back(it);
  unsigned numInputs = op.getNumDpsInputs();
  auto reduced = linalg::GenericOp::create(
      rewriter, loc, TypeRange{}, ValueRange(operands).take_front(numInputs),
      ValueRange(operands).drop_front(numInputs), maps, iterators);
  rewriter.inlineRegionBefore(op.getRegion(), reduced.getRegion(),
                              reduced.getRegion().begin());
  rewriter.eraseOp(op);
  return reduced;
}

struct TernaryVectorizeContractions
    : public mlir::ternary::impl::TernaryVectorizeContractionsBase<
          TernaryVectorizeContractions> {
  using Base::Base;

  void runOnOperation() override {
    if (tileM < 1 || tileN < 1 || tileK < 1) {
      getOperation()->emitError()
          << "ternary-vectorize-contractions: tile-m, tile-n and tile-k must "
             "be positive (got "
          << int64_t(tileM) << ", " << int64_t(tileN) << ", " << int64_t(tileK)
          << ")";
      return signalPassFailure();
    }
    MLIRContext *ctx = &getContext();
    IRRewriter rewriter(ctx);
    SmallVector<linalg::LinalgOp> targets;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (kernelDims(op))
        targets.push_back(op);
    });
    for (linalg::LinalgOp op : targets)
      if (failed(tile(rewriter, op)))
        return signalPassFailure();
    if (targets.empty())
      return;
    simplify();
    vectorizeTiles(rewriter);
    lowerVectors();
  }

  /// Tiles `op` (generalised, B packed where needed) into output blocks and
  /// k steps, and peels every loop so that the main iterations hold full
  /// tiles of static shape.
  LogicalResult tile(IRRewriter &rewriter, linalg::LinalgOp namedOp) {
    // A fill of the output just before: each task fills its own output
    // block just before computing it (below), while it is in cache.
    auto fill = dyn_cast_or_null<linalg::FillOp>(namedOp->getPrevNode());
    if (fill && !fillsOutputOf(fill, namedOp))
      fill = nullptr;
    Value output = namedOp.getDpsInitOperand(0)->get();
    rewriter.setInsertionPoint(namedOp);
    FailureOr<linalg::GenericOp> generic =
        isa<linalg::GenericOp>(namedOp)
            ? cast<linalg::GenericOp>(namedOp.getOperation())
            : linalg::generalizeNamedOp(rewriter, namedOp);
    if (failed(generic))
      return namedOp->emitError("cannot generalise this contraction");
    linalg::GenericOp op = transposeOutputIfCheaper(
        rewriter, *generic, *kernelDims(*generic), tileN);
    // Loops in the kernel's order: batch entries, outer reductions, m, n,
    // k (the vector lowering takes a contraction whose iterators end in
    // parallel, parallel, reduction). Reductions keep their relative
    // order: the sums run in the order of the original loops.
    KernelDims original = *kernelDims(op);
    SmallVector<unsigned> order(original.batch);
    order.append(original.outerK.begin(), original.outerK.end());
    order.append({original.m, original.n, original.k});
    if (!llvm::equal(order, llvm::seq<unsigned>(0, order.size()))) {
      FailureOr<linalg::GenericOp> interchanged =
          linalg::interchangeGenericOp(rewriter, op, order);
      if (failed(interchanged))
        return op->emitError("cannot reorder the loops of this contraction");
      op = *interchanged;
    }
    KernelDims kd = *kernelDims(op);
    orderProduct(rewriter, op, kd);
    packB(rewriter, op, kd);
    int64_t rows = rowsOfTile(op, kd, tileM);

    unsigned numLoops = op.getNumLoops();
    // Tasks: an scf.forall over batch entries and blocks of whole register
    // tiles, which the pipeline hands to threads (or runs in order). Every
    // task is a multiple of the register tile, so each output element is
    // computed by the same code however the tasks are split.
    SmallVector<OpFoldResult> taskSizes(numLoops, rewriter.getIndexAttr(0));
    for (unsigned d : kd.batch)
      taskSizes[d] = rewriter.getIndexAttr(1);
    // With outer reductions (a filter gradient summed over images), every
    // image's B block is read once per task: tasks then take more rows
    // (all of a small m) and fewer columns.
    bool outer = !kd.outerK.empty();
    int64_t tilesM = outer ? outerTaskTilesM(op, kd, rows, tileN) : kTaskTilesM;
    taskSizes[kd.m] = rewriter.getIndexAttr(rows * tilesM);
    taskSizes[kd.n] =
        rewriter.getIndexAttr(tileN * (outer ? kOuterTaskTilesN : kTaskTilesN));
    FailureOr<TilingInterface> tasks = ternary::detail::splitIntoTasks(
        rewriter, cast<TilingInterface>(op.getOperation()), taskSizes);
    if (failed(tasks))
      return failure();
    TilingInterface task = *tasks;
    // The output may have become a transposed scratch copy: the fill then
    // stays where it is.
    Value block =
        cast<linalg::LinalgOp>(task.getOperation()).getDpsInitOperand(0)->get();
    auto view = block.getDefiningOp<memref::SubViewOp>();
    if (fill && (block == output || (view && view.getSource() == output))) {
      rewriter.setInsertionPoint(task);
      linalg::FillOp::create(rewriter, fill.getLoc(),
                             fill.getDpsInputOperand(0)->get(), block);
      rewriter.eraseOp(fill);
    }

    // The loops are in the kernel's order (batch entries, outer reductions,
    // whose task output block stays in L1/L2 while they run, then m, n, k):
    // unit steps, then the register tiles.
    SmallVector<OpFoldResult> sizes(numLoops, rewriter.getIndexAttr(0));
    for (unsigned d : llvm::concat<unsigned>(kd.batch, kd.outerK))
      sizes[d] = rewriter.getIndexAttr(1);
    sizes[kd.m] = rewriter.getIndexAttr(rows);
    sizes[kd.n] = rewriter.getIndexAttr(tileN);
    sizes[kd.k] = rewriter.getIndexAttr(tileK);
    scf::SCFTilingOptions options;
    options.setTileSizes(sizes);
    options.setLoopType(scf::SCFTilingOptions::LoopType::ForOp);
    rewriter.setInsertionPoint(task);
    FailureOr<scf::SCFTilingResult> tiled =
        scf::tileUsingSCF(rewriter, task, options);
    if (failed(tiled))
      return task->emitError("cannot tile this contraction");
    tiled->tiledOps.back()->setAttr(
        kTileMarker, rewriter.getDenseI64ArrayAttr({rows, tileN, tileK}));
    rewriter.eraseOp(task);
    // Peel from the outside in: each loop's main part (the original loop)
    // holds the next loop; the partial iterations hold remainder tiles.
    for (LoopLikeOpInterface loop : tiled->loops) {
      auto forOp = cast<scf::ForOp>(loop.getOperation());
      scf::ForOp partial;
      (void)scf::peelForLoopAndSimplifyBounds(rewriter, forOp, partial);
    }
    return success();
  }

  /// Folds the peeled loops' constant tile sizes into static subview types.
  void simplify() {
    RewritePatternSet patterns(&getContext());
    for (RegisteredOperationName name : getContext().getRegisteredOperations())
      if (isa<affine::AffineDialect, memref::MemRefDialect, arith::ArithDialect,
              scf::SCFDialect, linalg::LinalgDialect>(name.getDialect()))
        name.getCanonicalizationPatterns(patterns, &getContext());
    (void)applyPatternsGreedily(getOperation(), std::move(patterns));
  }

  /// Vectorises the marked tiles: those whose shapes are now static and
  /// full as they are, the others (remainders) with masks.
  void vectorizeTiles(IRRewriter &rewriter) {
    SmallVector<linalg::LinalgOp> tiles;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (op->hasAttr(kTileMarker))
        tiles.push_back(op);
    });
    for (linalg::LinalgOp op : tiles) {
      // The register tile's m, n and k (a transpose's marker holds none).
      auto tile = op->getAttrOfType<DenseI64ArrayAttr>(kTileMarker);
      op->removeAttr(kTileMarker);
      // The canonicalizer's static subviews reach a transpose through a
      // memref.cast (it has no folder of its own for them).
      if (isa<linalg::TransposeOp>(op))
        (void)memref::foldMemRefCast(op);
      bool isStatic = llvm::all_of(op.getStaticLoopRanges(), [](int64_t s) {
        return !ShapedType::isDynamic(s);
      });
      if (isa<linalg::TransposeOp>(op)) {
        if (!isStatic)
          continue;
        SmallVector<int64_t> ranges = op.getStaticLoopRanges();
        if (ranges.back() != kTransposeTile ||
            ranges[ranges.size() - 2] != kTransposeTile)
          continue;
        rewriter.setInsertionPoint(op);
        if (succeeded(linalg::vectorize(rewriter, op)))
          rewriter.eraseOp(op);
        continue;
      }
      std::optional<KernelDims> kd = kernelDims(op);
      if (!kd || !tile)
        continue;
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      rewriter.setInsertionPoint(op);
      if (!isStatic ||
          !llvm::equal(
              ArrayRef<int64_t>{ranges[kd->m], ranges[kd->n], ranges[kd->k]},
              tile.asArrayRef())) {
        vectorizeRemainder(rewriter, op, *kd, tile.asArrayRef());
        continue;
      }
      if (!kd->outerK.empty()) {
        // The outer reductions' unit loops go: the vector lowering unrolls
        // a contraction's first reduction, which must be k.
        auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
        if (!generic)
          continue;
        op = dropUnitLoops(rewriter, generic, kd->outerK);
      }
      if (succeeded(linalg::vectorize(rewriter, op, {}, {},
                                      /*vectorizeNDExtract=*/false,
                                      /*flatten1DDepthwiseConv=*/false,
                                      /*assumeDynamicDimsMatchVecSizes=*/false,
                                      /*createNamedContraction=*/true)))
        rewriter.eraseOp(op);
    }
  }

  /// Vectorises a remainder tile (m, n and k at most the register tile's
  /// `tile`, some smaller or dynamic) as a whole tile with masks: the
  /// reads past its edges give zeros, the products there are dropped and
  /// its writes stop at its edges (vector.mask, lowered to masked loads,
  /// stores and selects). Scalar, such a tile took as long as the rest of
  /// a weight gradient whose n is 784 (the last 16 columns of 32), and all
  /// of a 10-class head (docs/performance-history.md). Remainders with
  /// outer reductions stay scalar loops.
  void vectorizeRemainder(IRRewriter &rewriter, linalg::LinalgOp op,
                          const KernelDims &kd, ArrayRef<int64_t> tile) {
    if (!kd.outerK.empty())
      return;
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    SmallVector<int64_t> sizes(ranges.size(), 1);
    sizes[kd.m] = tile[0];
    sizes[kd.n] = tile[1];
    sizes[kd.k] = tile[2];
    for (auto [range, size] : llvm::zip(ranges, sizes))
      if (!ShapedType::isDynamic(range) && range > size)
        return;
    SmallVector<bool> scalable(sizes.size(), false);
    Operation *before = op->getPrevNode();
    FailureOr<linalg::VectorizationResult> result = linalg::vectorize(
        rewriter, op, sizes, scalable, /*vectorizeNDExtract=*/false,
        /*flatten1DDepthwiseConv=*/false,
        /*assumeDynamicDimsMatchVecSizes=*/false,
        /*createNamedContraction=*/true);
    if (failed(result))
      return;
    // The vectorised tile: the ops between `before` and `op`.
    SmallVector<vector::MaskOp> masks;
    Block::iterator first =
        before ? std::next(before->getIterator()) : op->getBlock()->begin();
    for (Operation &inserted : llvm::make_range(first, op->getIterator()))
      if (auto mask = dyn_cast<vector::MaskOp>(inserted))
        masks.push_back(mask);
    // The masked reads pad with zeros, so the lanes past the edges add
    // 0 * 0 to nothing the writes keep: the product's reduction needs no
    // mask (lowered with one, its 3-D mask took thousands of shuffles), and
    // without one it folds into a vector.contract like a full tile's.
    // (Created while `op`, the insertion point, still exists.)
    Value zero = arith::ConstantOp::create(rewriter, op.getLoc(),
                                           rewriter.getF32FloatAttr(0.0f));
    rewriter.replaceOp(op, result->replacements);
    for (vector::MaskOp mask : masks) {
      Operation *inner = mask.getMaskableOp();
      if (auto read = dyn_cast_or_null<vector::TransferReadOp>(inner)) {
        rewriter.modifyOpInPlace(
            read, [&] { read.getPaddingMutable().assign(zero); });
      } else if (isa_and_nonnull<vector::ContractionOp,
                                 vector::MultiDimReductionOp>(inner)) {
        rewriter.setInsertionPoint(mask);
        Operation *unmasked = rewriter.clone(*inner);
        rewriter.replaceOp(mask, unmasked->getResults());
      }
    }
  }

  /// Keeps each output block in registers across its k loop, then lowers
  /// the contractions to outer products and FMAs and the 2-D transfers to
  /// 1-D loads and stores.
  void lowerVectors() {
    Operation *root = getOperation();
    MLIRContext *ctx = &getContext();
    {
      // Vectorised generics are broadcasts, a multiply and a
      // multi_reduction: fold them into vector.contract.
      RewritePatternSet patterns(ctx);
      vector::populateVectorReductionToContractPatterns(patterns);
      // Masked transfers of remainder tiles: transfers with a mask operand.
      vector::populateVectorMaskLoweringPatternsForSideEffectingOps(patterns);
      vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
      vector::TransferReadOp::getCanonicalizationPatterns(patterns, ctx);
      vector::TransferWriteOp::getCanonicalizationPatterns(patterns, ctx);
      vector::ContractionOp::getCanonicalizationPatterns(patterns, ctx);
      (void)applyPatternsGreedily(root, std::move(patterns));
    }
    {
      // Transfers read and write the function's buffers, not subviews:
      // the hoisting below does not look through views.
      RewritePatternSet patterns(ctx);
      memref::populateFoldMemRefAliasOpPatterns(patterns);
      (void)applyPatternsGreedily(root, std::move(patterns));
    }
    // The reads and writes of an output block must use the same index
    // values (the task's offset adds an affine.apply to each).
    {
      IRRewriter rewriter(ctx);
      DominanceInfo dominance(root);
      eliminateCommonSubExpressions(rewriter, dominance, root);
    }
    root->walk([](LoopLikeOpInterface loop) { moveLoopInvariantCode(loop); });
    hoistOutputBlocks(root);
    {
      RewritePatternSet patterns(ctx);
      vector::populateVectorContractLoweringPatterns(
          patterns, vector::VectorContractLowering::OuterProduct);
      vector::populateVectorTransposeLoweringPatterns(
          patterns, vector::VectorTransposeLowering::Shuffle16x16);
      vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
      vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
      vector::populateVectorOuterProductLoweringPatterns(patterns);
      vector::populateVectorShapeCastLoweringPatterns(patterns);
      vector::populateVectorMaskOpLoweringPatterns(patterns);
      (void)applyPatternsGreedily(root, std::move(patterns));
    }
    {
      RewritePatternSet patterns(ctx);
      populateVectorToSCFConversionPatterns(
          patterns, VectorTransferToSCFOptions().enableFullUnroll());
      (void)applyPatternsGreedily(root, std::move(patterns));
    }
  }
};

} // namespace
