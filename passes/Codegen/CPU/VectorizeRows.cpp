//===- VectorizeRows.cpp - Element-wise generics as rows of vectors -------===//
//
// --ternary-vectorize-rows: a linalg.generic on buffers whose innermost
// loop walks its operands contiguously, and that LLVM would vectorise
// across the wrong loop, becomes loops over its outer dimensions around
// one row of vector loads, element-wise vector ops and stores along the
// innermost loop. Such generics: those that read or write through windows
// (a map that is not a projected permutation, such as the `oh + kh` of a
// convolution's im2col gather and of the scatter-add autodiff derives from
// it), and those whose innermost loop is short and static (the 24 columns
// of an image). Left with the scalar loops, LLVM unrolls the short
// innermost loop and vectorises the next one, with gathers and scatters.
// See passes/Codegen/CPU/CPUPasses.td.
//
//===----------------------------------------------------------------------===//

#include "Codegen/CPU/Rows.h"
#include "ternary/Passes/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"

namespace mlir {
namespace ternary {
#define GEN_PASS_DEF_TERNARYVECTORIZEROWS
#include "passes/Passes.h.inc"
} // namespace ternary
} // namespace mlir

using namespace mlir;
using mlir::ternary::detail::cloneOnVectors;
using mlir::ternary::detail::elementwiseBody;
using mlir::ternary::detail::strideAlong;
using mlir::ternary::detail::vectorOf;

namespace {

/// Whether the pass rewrites `op`: rows of at least `minLanes` static
/// elements, and, when every map is a projected permutation, of at most
/// `shortRow`.
bool isRowwise(linalg::GenericOp op, int64_t minLanes, int64_t shortRow) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumLoops() == 0)
    return false;
  unsigned last = op.getNumLoops() - 1;
  int64_t extent = op.getStaticLoopRanges()[last];
  bool windowed = !llvm::all_of(op.getIndexingMapsArray(), [](AffineMap m) {
    return m.isProjectedPermutation();
  });
  if (!ShapedType::isDynamic(extent) && extent < minLanes)
    return false; // too short a row to pay for vectors
  if (!windowed && (ShapedType::isDynamic(extent) || extent > shortRow))
    return false; // LLVM vectorises these along the row itself
  OpOperand *init = op.getDpsInitOperand(0);
  AffineMap initMap = op.getMatchingIndexingMap(init);
  std::optional<int64_t> initStride = strideAlong(initMap, last);
  if (!initStride || *initStride == 0)
    return false; // a reduction along the row
  // A strided row of the output is written back whole, the elements
  // between its own included: no task may own any of them, so every loop
  // its position uses is one --ternary-parallelize does not split.
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  if (*initStride > 1)
    for (unsigned d = 0; d <= last; ++d)
      if (initMap.getResults().back().isFunctionOfDim(d) &&
          iterators[d] == utils::IteratorType::parallel)
        return false;
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = dyn_cast<MemRefType>(operand.get().getType());
    // Whole bytes: an i1 buffer's element is not a vector lane's.
    if (!type || !type.getElementType().isIntOrFloat() ||
        type.getElementTypeBitWidth() % 8)
      return false;
    AffineMap map = op.getMatchingIndexingMap(&operand);
    std::optional<int64_t> stride = strideAlong(map, last);
    if (!stride || (*stride > 0 && !type.isLastDimUnitStride()))
      return false;
    // The row reads every input before it writes the output: an input that
    // is the output buffer must be read where the output is written.
    if (&operand != init && operand.get() == init->get() && map != initMap)
      return false;
  }
  return !op.hasIndexSemantics() && elementwiseBody(*op.getBlock());
}

/// The rewrite of one generic.
class RowBuilder {
public:
  RowBuilder(linalg::GenericOp op, int64_t vectorBytes)
      : op(op), last(op.getNumLoops() - 1) {
    unsigned widest = 1;
    for (OpOperand &operand : op->getOpOperands()) {
      widest = std::max<unsigned>(
          widest,
          cast<MemRefType>(operand.get().getType()).getElementTypeBitWidth() /
              8);
      strides.push_back(
          *strideAlong(op.getMatchingIndexingMap(&operand), last));
    }
    lanes = std::max<int64_t>(1, vectorBytes / widest);
  }

  void rewrite(OpBuilder &b) {
    Location loc = op.getLoc();
    SmallVector<Range> ranges =
        cast<linalg::LinalgOp>(op.getOperation()).createLoopRanges(b, loc);
    SmallVector<Value> lbs, ubs, steps;
    for (unsigned d = 0; d < last; ++d) {
      lbs.push_back(getValueOrCreateConstantIndexOp(b, loc, ranges[d].offset));
      ubs.push_back(getValueOrCreateConstantIndexOp(b, loc, ranges[d].size));
      steps.push_back(
          getValueOrCreateConstantIndexOp(b, loc, ranges[d].stride));
    }
    OpFoldResult extent = ranges[last].size;
    scf::buildLoopNest(b, loc, lbs, ubs, steps,
                       [&](OpBuilder &nb, Location nl, ValueRange outer) {
                         emitRows(nb, nl, outer, extent);
                       });
  }

private:
  /// Where a row is: the outer loops' indices, the first index `j` of the
  /// innermost loop, and how many elements it holds (`lanes` when full).
  struct Row {
    ValueRange outer;
    Value j;
    OpFoldResult count;
    bool full;
  };

  /// Full rows of `lanes` along the innermost loop, then one masked row for
  /// the remainder.
  void emitRows(OpBuilder &b, Location loc, ValueRange outer,
                OpFoldResult extent) {
    AffineExpr e = getAffineSymbolExpr(0, b.getContext());
    OpFoldResult full = affine::makeComposedFoldedAffineApply(
        b, loc, e.floorDiv(lanes) * lanes, {extent});
    OpFoldResult rest =
        affine::makeComposedFoldedAffineApply(b, loc, e % lanes, {extent});
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value step = arith::ConstantIndexOp::create(b, loc, lanes);
    Value fullValue = getValueOrCreateConstantIndexOp(b, loc, full);
    std::optional<int64_t> staticFull = getConstantIntValue(full);
    if (!staticFull || *staticFull > 0)
      scf::ForOp::create(
          b, loc, zero, fullValue, step, ValueRange{},
          [&](OpBuilder &fb, Location fl, Value j, ValueRange) {
            emitRow(fb, fl, Row{outer, j, fb.getIndexAttr(lanes), true});
            scf::YieldOp::create(fb, fl);
          });
    std::optional<int64_t> staticRest = getConstantIntValue(rest);
    if (staticRest && *staticRest == 0)
      return;
    Row tail{outer, fullValue, rest, false};
    if (staticRest) {
      emitRow(b, loc, tail);
      return;
    }
    Value any = arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::ugt,
        getValueOrCreateConstantIndexOp(b, loc, rest), zero);
    scf::IfOp::create(b, loc, any, [&](OpBuilder &tb, Location tl) {
      emitRow(tb, tl, tail);
      scf::YieldOp::create(tb, tl);
    });
  }

  /// The indices of `operand` at the start of `row`.
  SmallVector<Value> indices(OpBuilder &b, Location loc, OpOperand &operand,
                             const Row &row) {
    SmallVector<OpFoldResult> ivs(row.outer);
    ivs.push_back(row.j);
    AffineMap map = op.getMatchingIndexingMap(&operand);
    SmallVector<Value> result;
    for (unsigned r = 0; r < map.getNumResults(); ++r)
      result.push_back(getValueOrCreateConstantIndexOp(
          b, loc,
          affine::makeComposedFoldedAffineApply(b, loc, map.getSubMap({r}),
                                                ivs)));
    return result;
  }

  /// The mask of the first `stride * (count - 1) + 1` of `width` lanes:
  /// the elements a row of `count` at `stride` spans.
  Value spanMask(OpBuilder &b, Location loc, const Row &row, int64_t stride,
                 int64_t width) {
    AffineExpr c = getAffineSymbolExpr(0, b.getContext());
    OpFoldResult span = affine::makeComposedFoldedAffineApply(
        b, loc, (c - 1) * stride + 1, {row.count});
    return vector::CreateMaskOp::create(
        b, loc, VectorType::get({width}, b.getI1Type()),
        ValueRange{getValueOrCreateConstantIndexOp(b, loc, span)});
  }

  /// The `stride * lanes` elements from `at` on that a row at `stride`
  /// spans, the others zero (stride 1: a remainder row under its mask).
  Value loadSpan(OpBuilder &b, Location loc, Value base, ValueRange at,
                 const Row &row, int64_t stride) {
    Type element = cast<MemRefType>(base.getType()).getElementType();
    auto type = VectorType::get({stride * lanes}, element);
    Value zeros = arith::ConstantOp::create(
        b, loc, type, DenseElementsAttr::get(type, b.getZeroAttr(element)));
    return vector::MaskedLoadOp::create(
        b, loc, type, base, at, spanMask(b, loc, row, stride, stride * lanes),
        zeros);
  }

  /// The row of `operand`, or its one element broadcast when its map does
  /// not use the innermost loop. A strided row is one wide masked load and
  /// a shuffle of every stride-th element.
  Value load(OpBuilder &b, Location loc, OpOperand &operand, const Row &row) {
    Value base = operand.get();
    Type element = cast<MemRefType>(base.getType()).getElementType();
    auto type = VectorType::get({lanes}, element);
    SmallVector<Value> at = indices(b, loc, operand, row);
    int64_t stride = strides[operand.getOperandNumber()];
    if (stride == 0)
      return vector::BroadcastOp::create(
          b, loc, type, memref::LoadOp::create(b, loc, base, at));
    if (stride == 1 && row.full)
      return vector::LoadOp::create(b, loc, type, base, at);
    if (stride == 1)
      return loadSpan(b, loc, base, at, row, 1); // the remainder's row
    Value span = loadSpan(b, loc, base, at, row, stride);
    if (&operand == op.getDpsInitOperand(0))
      initSpan = span; // written back around the new elements
    SmallVector<int64_t> every;
    for (int64_t i = 0; i < lanes; ++i)
      every.push_back(i * stride);
    return vector::ShuffleOp::create(b, loc, span, span, every);
  }

  /// Writes `value` to the output's row. A strided row is read, merged with
  /// `value` at every stride-th element and written back whole.
  void store(OpBuilder &b, Location loc, Value value, const Row &row) {
    OpOperand *init = op.getDpsInitOperand(0);
    Value base = init->get();
    SmallVector<Value> at = indices(b, loc, *init, row);
    int64_t stride = strides[init->getOperandNumber()];
    if (stride == 1 && row.full) {
      vector::StoreOp::create(b, loc, value, base, at);
      return;
    }
    if (stride == 1) {
      vector::MaskedStoreOp::create(b, loc, base, at,
                                    spanMask(b, loc, row, 1, lanes), value);
      return;
    }
    Value span = initSpan ? initSpan : loadSpan(b, loc, base, at, row, stride);
    // Lane i of the result: value[i / stride] where i % stride == 0, else
    // span[i] (shuffle indices past the span's lanes pick from `value`).
    SmallVector<int64_t> merge;
    for (int64_t i = 0; i < stride * lanes; ++i)
      merge.push_back(i % stride ? i : stride * lanes + i / stride);
    Value merged = vector::ShuffleOp::create(b, loc, span, value, merge);
    vector::MaskedStoreOp::create(b, loc, base, at,
                                  spanMask(b, loc, row, stride, stride * lanes),
                                  merged);
  }

  /// The body on vectors for `row`.
  void emitRow(OpBuilder &b, Location loc, const Row &row) {
    initSpan = Value();
    Block &body = *op.getBlock();
    IRMapping mapping;
    for (OpOperand &operand : op->getOpOperands()) {
      BlockArgument arg = op.getMatchingBlockArgument(&operand);
      if (!arg.use_empty())
        mapping.map(arg, load(b, loc, operand, row));
    }
    cloneOnVectors(b, loc, body, lanes, mapping);
    store(b, loc,
          vectorOf(b, loc, body.getTerminator()->getOperand(0), lanes, mapping),
          row);
  }

  linalg::GenericOp op;
  unsigned last;
  int64_t lanes;
  /// Per operand, its stride along the innermost loop (0: not used).
  SmallVector<int64_t> strides;
  /// The output's strided span the current row read, if it read it.
  Value initSpan;
};

struct TernaryVectorizeRows
    : public mlir::ternary::impl::TernaryVectorizeRowsBase<
          TernaryVectorizeRows> {
  using TernaryVectorizeRowsBase::TernaryVectorizeRowsBase;

  void runOnOperation() override {
    if (vectorBytes < 1 || minLanes < 1) {
      getOperation()->emitError()
          << "ternary-vectorize-rows: vector-bytes and min-lanes must be "
             "positive (got "
          << int64_t(vectorBytes) << ", " << int64_t(minLanes) << ")";
      return signalPassFailure();
    }
    SmallVector<linalg::GenericOp> rowwise;
    getOperation()->walk([&](linalg::GenericOp op) {
      if (isRowwise(op, minLanes, shortRow))
        rowwise.push_back(op);
    });
    for (linalg::GenericOp op : rowwise) {
      OpBuilder b(op);
      RowBuilder(op, vectorBytes).rewrite(b);
      op->erase();
    }
  }
};

} // namespace
