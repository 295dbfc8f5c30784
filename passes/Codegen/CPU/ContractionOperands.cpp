//===- ContractionOperands.cpp - Operand layouts of the f32 kernel --------===//
//
// Part of --ternary-vectorize-contractions (VectorizeContractions.cpp): the
// layouts its register tiles need. A B operand contiguous along k is
// transposed into a scratch buffer (tasks of 16 x 16 blocks through
// shuffles) so that every B row the kernel reads runs along n; a
// contraction with outer reductions whose A is much smaller computes the
// transposed output instead, so that the operand transposed is the smaller.
//
//===----------------------------------------------------------------------===//

#include "Codegen/CPU/Contractions.h"
#include "Codegen/CPU/Tasks.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Interfaces/TilingInterface.h"

using namespace mlir;
using namespace mlir::ternary::detail;

namespace {

/// Transposes of B are blocks of kTransposeTile x kTransposeTile elements:
/// rows read and written whole (vector.transpose of 16 x 16 f32 lowers to
/// register shuffles), instead of the element-wise loops whose vectorised
/// form gathers one element per lane. Tasks of kTransposeTaskRows rows.
constexpr int64_t kTransposeTaskRows = 128;

/// Tiles a transpose (on buffers, the last two loops swapped) into tasks
/// and blocks of kTransposeTile x kTransposeTile, peeled so that the main
/// blocks are full; marks them for vectorisation. A transpose too small
/// for one block is left as it is.
LogicalResult tileTranspose(IRRewriter &rewriter, linalg::TransposeOp op) {
  unsigned rank = op.getInit().getType().getRank();
  SmallVector<int64_t> ranges =
      cast<linalg::LinalgOp>(op.getOperation()).getStaticLoopRanges();
  if (rank < 2 || !llvm::all_of(ArrayRef(ranges).take_back(2), [](int64_t s) {
        return ShapedType::isDynamic(s) || s >= kTransposeTile;
      }))
    return failure();
  SmallVector<OpFoldResult> taskSizes(rank, rewriter.getIndexAttr(1));
  taskSizes[rank - 2] = rewriter.getIndexAttr(kTransposeTaskRows);
  taskSizes[rank - 1] = rewriter.getIndexAttr(0);
  rewriter.setInsertionPoint(op);
  FailureOr<TilingInterface> task = ternary::detail::splitIntoTasks(
      rewriter, cast<TilingInterface>(op.getOperation()), taskSizes);
  if (failed(task))
    return failure();
  SmallVector<OpFoldResult> sizes(rank, rewriter.getIndexAttr(1));
  sizes[rank - 2] = sizes[rank - 1] = rewriter.getIndexAttr(kTransposeTile);
  scf::SCFTilingOptions options;
  options.setTileSizes(sizes);
  options.setLoopType(scf::SCFTilingOptions::LoopType::ForOp);
  rewriter.setInsertionPoint(*task);
  FailureOr<scf::SCFTilingResult> tiled =
      scf::tileUsingSCF(rewriter, *task, options);
  if (failed(tiled))
    return failure();
  tiled->tiledOps.back()->setAttr(kTileMarker, rewriter.getUnitAttr());
  rewriter.eraseOp(*task);
  for (LoopLikeOpInterface loop : tiled->loops) {
    scf::ForOp partial;
    (void)scf::peelForLoopAndSimplifyBounds(
        rewriter, cast<scf::ForOp>(loop.getOperation()), partial);
  }
  return success();
}

/// The product of the static sizes of the loops that index `map` but not
/// `other`, or nullopt if one of them is dynamic.
std::optional<int64_t> ownElements(linalg::LinalgOp op, AffineMap map,
                                   AffineMap other) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t elements = 1;
  for (AffineExpr e : map.getResults()) {
    auto dim = dyn_cast<AffineDimExpr>(e);
    if (!dim)
      return std::nullopt;
    if (other.isFunctionOfDim(dim.getPosition()))
      continue;
    int64_t size = ranges[dim.getPosition()];
    if (ShapedType::isDynamic(size))
      return std::nullopt;
    elements *= size;
  }
  return elements;
}

} // namespace

/// If B is contiguous along k, transposes it into a scratch buffer whose
/// last two dimensions are (k, n) and rewrites `op` (a generic) to read it.
void mlir::ternary::detail::packB(IRRewriter &rewriter, linalg::GenericOp op,
                                  const KernelDims &kd) {
  OpOperand *bOperand = op.getDpsInputOperand(kd.b);
  AffineMap bMap = op.getMatchingIndexingMap(bOperand);
  MLIRContext *ctx = op.getContext();
  AffineExpr kExpr = getAffineDimExpr(kd.k, ctx),
             nExpr = getAffineDimExpr(kd.n, ctx);
  if (bMap.getResults().back() != kExpr)
    return;
  // New order of B's dimensions: the others (batch, broadcast) first, then
  // k and n.
  SmallVector<int64_t> permutation;
  SmallVector<AffineExpr> results;
  for (auto [i, e] : llvm::enumerate(bMap.getResults()))
    if (e != kExpr && e != nExpr) {
      permutation.push_back(i);
      results.push_back(e);
    }
  for (AffineExpr e : {kExpr, nExpr}) {
    auto it = llvm::find(bMap.getResults(), e);
    permutation.push_back(it - bMap.getResults().begin());
    results.push_back(e);
  }

  Location loc = op.getLoc();
  Value b = bOperand->get();
  auto bType = cast<MemRefType>(b.getType());
  SmallVector<int64_t> shape;
  SmallVector<Value> dynamicSizes;
  rewriter.setInsertionPoint(op);
  for (int64_t p : permutation) {
    shape.push_back(bType.getDimSize(p));
    if (bType.isDynamicDim(p))
      dynamicSizes.push_back(memref::DimOp::create(rewriter, loc, b, p));
  }
  auto packedType = MemRefType::get(shape, bType.getElementType());
  Value packed =
      memref::AllocOp::create(rewriter, loc, packedType, dynamicSizes);
  auto transpose =
      linalg::TransposeOp::create(rewriter, loc, b, packed, permutation);
  (void)tileTranspose(rewriter, transpose);
  rewriter.modifyOpInPlace(op, [&] {
    bOperand->set(packed);
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    maps[bOperand->getOperandNumber()] =
        AffineMap::get(bMap.getNumDims(), 0, results, ctx);
    op.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
  });
  rewriter.setInsertionPointAfter(op);
  memref::DeallocOp::create(rewriter, loc, packed);
}

bool mlir::ternary::detail::canTransposeOutput(linalg::GenericOp op,
                                               const KernelDims &kd) {
  MLIRContext *ctx = op.getContext();
  OpOperand *out = op.getDpsInitOperand(0);
  AffineMap outMap = op.getMatchingIndexingMap(out);
  AffineMap bMap = op.getMatchingIndexingMap(op.getDpsInputOperand(kd.b));
  auto outType = cast<MemRefType>(out->get().getType());
  return !kd.outerK.empty() &&
         bMap.getResults().back() == getAffineDimExpr(kd.k, ctx) &&
         outType.getRank() == 2 &&
         outMap.getResult(0) == getAffineDimExpr(kd.m, ctx) &&
         outMap.getResult(1) == getAffineDimExpr(kd.n, ctx) &&
         outType.getLayout().isIdentity() &&
         !llvm::is_contained(op.getDpsInputs(), out->get());
}

/// When a contraction with outer reductions has B contiguous along k
/// (packB would transpose all of it, every index of the outer reductions)
/// and A is much smaller, computes the transposed output instead, in a
/// scratch buffer: A and B swap roles, so the transpose, if any, is of the
/// smaller operand. A filter gradient dW[m, n] = sum_b sum_k dy[b, m, k] col[b,
/// n, k] reads 64 x 576 values of dy an image against 288 x 576 of the patches.
/// So does a contraction whose n is too small for a register tile and whose
/// m is not (the first convolution's filter gradient, 32 x 9): its columns
/// then fill the tile instead of staying scalar loops.
/// The output (a 2-D block, accumulated into) is transposed into the scratch
/// buffer and back, which costs its size once each way. Each element's sum
/// keeps its order: the results do not change.
linalg::GenericOp mlir::ternary::detail::transposeOutputIfCheaper(
    IRRewriter &rewriter, linalg::GenericOp op, const KernelDims &kd,
    int64_t tileN) {
  if (!canTransposeOutput(op, kd))
    return op;
  MLIRContext *ctx = op.getContext();
  OpOperand *out = op.getDpsInitOperand(0);
  AffineMap outMap = op.getMatchingIndexingMap(out);
  AffineMap aMap = op.getMatchingIndexingMap(op.getDpsInputOperand(kd.a));
  AffineMap bMap = op.getMatchingIndexingMap(op.getDpsInputOperand(kd.b));
  auto outType = cast<MemRefType>(out->get().getType());
  std::optional<int64_t> aOwn = ownElements(op, aMap, bMap),
                         bOwn = ownElements(op, bMap, aMap);
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  auto below = [&](unsigned d) {
    return !ShapedType::isDynamic(ranges[d]) && ranges[d] < tileN;
  };
  bool smallerA = aOwn && bOwn && 2 * *aOwn <= *bOwn;
  if (!smallerA && !(below(kd.n) && !below(kd.m)))
    return op;

  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Value output = out->get();
  SmallVector<Value> dynamicSizes;
  SmallVector<int64_t> shape = {outType.getDimSize(1), outType.getDimSize(0)};
  for (int64_t d : {1, 0})
    if (outType.isDynamicDim(d))
      dynamicSizes.push_back(memref::DimOp::create(rewriter, loc, output, d));
  Value scratch = memref::AllocOp::create(
      rewriter, loc, MemRefType::get(shape, outType.getElementType()),
      dynamicSizes);
  linalg::TransposeOp::create(rewriter, loc, output, scratch,
                              ArrayRef<int64_t>{1, 0});
  rewriter.modifyOpInPlace(op, [&] {
    out->set(scratch);
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    maps[out->getOperandNumber()] =
        AffineMap::get(outMap.getNumDims(), 0,
                       {outMap.getResult(1), outMap.getResult(0)}, ctx);
    op.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
  });
  rewriter.setInsertionPointAfter(op);
  linalg::TransposeOp::create(rewriter, loc, scratch, output,
                              ArrayRef<int64_t>{1, 0});
  memref::DeallocOp::create(rewriter, loc, scratch);
  return op;
}
