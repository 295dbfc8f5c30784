//===- VectorizeReductions.cpp - Reductions along rows, side by side ------===//
//
// --ternary-vectorize-reductions: a linalg.generic on buffers whose
// innermost loop is a reduction along contiguous rows (a sum or a product)
// and whose output is indexed by an outer parallel loop
// (the rows of a softmax or a norm; a bias gradient's channels, summed over
// images and pixels) sums `lanes` outputs side by side: it loads a row of
// `lanes` terms for each of `lanes` outputs, transposes the square in
// registers and folds its rows into one vector of running values, a lane
// an output. Each output still takes its terms one at a time in the order
// of the scalar loops, so the results are theirs bit for bit; left to LLVM,
// such a reduction is one chain of scalar additions, a term every few
// cycles. See passes/Codegen/CPU/CPUPasses.td.
//
//===----------------------------------------------------------------------===//

#include "Codegen/CPU/Rows.h"
#include "ternary/Passes/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/bit.h"

#include <functional>

namespace mlir {
namespace ternary {
#define GEN_PASS_DEF_TERNARYVECTORIZEREDUCTIONS
#include "passes/Passes.h.inc"
} // namespace ternary
} // namespace mlir

using namespace mlir;
using mlir::ternary::detail::cloneOnVectors;
using mlir::ternary::detail::elementwiseBody;
using mlir::ternary::detail::strideAlong;
using mlir::ternary::detail::vectorOf;

namespace {

/// The value `x` such that `combine(acc, x)` is `acc` bit for bit, for every
/// `acc` (NaN included), when `combine` is a combiner the pass takes: a sum
/// or a product, whose order LLVM keeps. (A maximum or minimum is exact in
/// any order: LLVM vectorises it along the row itself.)
std::optional<APFloat> identityOf(Operation *combine) {
  const llvm::fltSemantics &semantics =
      cast<FloatType>(combine->getResult(0).getType()).getFloatSemantics();
  if (isa<arith::AddFOp>(combine))
    return APFloat::getZero(semantics, /*Negative=*/true); // +0 + -0 == +0
  if (isa<arith::MulFOp>(combine))
    return APFloat::getOne(semantics);
  return std::nullopt;
}

/// What the pass needs of a reduction it takes.
struct Reduction {
  /// The parallel loop whose outputs advance side by side: the output's
  /// contiguous one.
  unsigned lane;
  /// The body's op that folds a term into the output's running value.
  Operation *combine;
  /// Which operand of `combine` is the running value.
  unsigned accOperand;
};

/// `op` as a reduction the pass takes, if it is one: one f32 or f64 output,
/// contiguous along its last index, which is a parallel loop `lane`; the
/// innermost loop a reduction of at least `minLanes` iterations (or a
/// dynamic number); every input a projected permutation that walks the
/// innermost loop contiguously or does not use it; a body of element-wise
/// ops whose result is `combine(out, term)`, `out` used there only.
std::optional<Reduction> matchReduction(linalg::GenericOp op,
                                        int64_t minLanes) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
      op.getNumDpsInputs() == 0 || op.getNumLoops() < 2 ||
      op.hasIndexSemantics())
    return std::nullopt;
  unsigned last = op.getNumLoops() - 1;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<int64_t> extents = op.getStaticLoopRanges();
  if (iterators[last] != utils::IteratorType::reduction ||
      (!ShapedType::isDynamic(extents[last]) && extents[last] < minLanes))
    return std::nullopt;
  OpOperand *init = op.getDpsInitOperand(0);
  auto initType = dyn_cast<MemRefType>(init->get().getType());
  AffineMap initMap = op.getMatchingIndexingMap(init);
  if (!initType || !isa<Float32Type, Float64Type>(initType.getElementType()) ||
      !initType.isLastDimUnitStride() || !initMap.isProjectedPermutation() ||
      initMap.getNumResults() == 0)
    return std::nullopt;
  // The output uses the parallel loops, and only them: each output's terms
  // are those of its reduction loops.
  for (unsigned d = 0; d <= last; ++d)
    if (initMap.isFunctionOfDim(d) !=
        (iterators[d] == utils::IteratorType::parallel))
      return std::nullopt;
  unsigned lane =
      cast<AffineDimExpr>(initMap.getResults().back()).getPosition();
  if (!ShapedType::isDynamic(extents[lane]) && extents[lane] < 2)
    return std::nullopt; // one output at a time: nothing side by side
  for (OpOperand *input : op.getDpsInputOperands()) {
    auto type = dyn_cast<MemRefType>(input->get().getType());
    // Whole bytes: an i1 buffer's element is not a vector lane's.
    if (!type || !type.getElementType().isIntOrFloat() ||
        type.getElementTypeBitWidth() % 8 || input->get() == init->get())
      return std::nullopt;
    AffineMap map = op.getMatchingIndexingMap(input);
    std::optional<int64_t> stride = strideAlong(map, last);
    if (!map.isProjectedPermutation() || !stride || *stride > 1 ||
        (*stride == 1 && !type.isLastDimUnitStride()))
      return std::nullopt;
  }
  Block &body = *op.getBlock();
  // A square's padding elements are zeros: no integer division may see one.
  bool divides = llvm::any_of(body, [](Operation &inner) {
    return isa<arith::DivSIOp, arith::DivUIOp, arith::RemSIOp, arith::RemUIOp,
               arith::CeilDivSIOp, arith::CeilDivUIOp, arith::FloorDivSIOp>(
        inner);
  });
  if (divides || !elementwiseBody(body))
    return std::nullopt;
  BlockArgument out = op.getMatchingBlockArgument(init);
  Value result = body.getTerminator()->getOperand(0);
  Operation *combine = result.getDefiningOp();
  if (!combine || combine->getBlock() != &body || !identityOf(combine) ||
      !result.hasOneUse() || !out.hasOneUse() ||
      out.getUses().begin()->getOwner() != combine)
    return std::nullopt;
  // A combiner that may reassociate: LLVM vectorises the row itself, with
  // partial results, which beats any transpose.
  if (auto flags = dyn_cast<arith::ArithFastMathInterface>(combine))
    if (arith::bitEnumContainsAny(flags.getFastMathFlagsAttr().getValue(),
                                  arith::FastMathFlags::reassoc))
      return std::nullopt;
  return Reduction{lane, combine, combine->getOperand(0) == out ? 0u : 1u};
}

/// The transpose of the square whose rows are `rows` (a power of two of
/// them): row i of the result holds element i of every row. Each step swaps
/// the off-diagonal k x k blocks of every 2k x 2k block, k = n/2, ..., 1:
/// two-source shuffles, n of them a step.
SmallVector<Value> transpose(OpBuilder &b, Location loc,
                             SmallVector<Value> rows) {
  int64_t n = rows.size();
  for (int64_t k = n / 2; k >= 1; k /= 2) {
    SmallVector<int64_t> upper, lower;
    for (int64_t c = 0; c < n; ++c) {
      bool left = (c & k) == 0;
      upper.push_back(left ? c : n + c - k);
      lower.push_back(left ? c + k : n + c);
    }
    for (int64_t r = 0; r < n; ++r) {
      if (r & k)
        continue;
      Value top = rows[r], bottom = rows[r + k];
      rows[r] = vector::ShuffleOp::create(b, loc, top, bottom, upper);
      rows[r + k] = vector::ShuffleOp::create(b, loc, top, bottom, lower);
    }
  }
  return rows;
}

/// Loops from 0 to each of `ubs` by `steps`, outermost first, carrying
/// `args`. `body` builds the innermost body from the induction variables
/// and the carried values, and returns what it yields; it runs once the
/// loops exist, so that the affine helpers may look at their induction
/// variables. Returns the outermost loop's results (`args` without loops).
SmallVector<Value>
buildLoops(OpBuilder &b, Location loc, ArrayRef<Value> ubs,
           ArrayRef<Value> steps, ValueRange args,
           function_ref<SmallVector<Value>(OpBuilder &, ValueRange, ValueRange)>
               body) {
  SmallVector<Value> ivs;
  std::function<SmallVector<Value>(size_t, ValueRange)> nest =
      [&](size_t d, ValueRange carried) -> SmallVector<Value> {
    if (d == ubs.size())
      return body(b, ivs, carried);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    auto loop = scf::ForOp::create(b, loc, zero, ubs[d], steps[d], carried);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    ivs.push_back(loop.getInductionVar());
    SmallVector<Value> yielded = nest(d + 1, loop.getRegionIterArgs());
    ivs.pop_back();
    if (!carried.empty()) // without iteration arguments it has its yield
      scf::YieldOp::create(b, loc, yielded);
    return loop.getResults();
  };
  return nest(0, args);
}

/// The rewrite of one reduction.
class ReductionBuilder {
public:
  ReductionBuilder(linalg::GenericOp op, Reduction reduction, int64_t lanes)
      : op(op), reduction(reduction), last(op.getNumLoops() - 1), lanes(lanes) {
  }

  /// Loops over the output's other indices, then over blocks of `lanes`
  /// outputs along `lane`, each with its running values in one vector
  /// through the reduction loops.
  void rewrite(OpBuilder &b) {
    Location loc = op.getLoc();
    sizes = cast<linalg::LinalgOp>(op.getOperation()).createLoopRanges(b, loc);
    SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
    for (unsigned d = 0; d < last; ++d)
      (iterators[d] == utils::IteratorType::reduction ? inner : outer)
          .push_back(d);
    llvm::erase(outer, reduction.lane);
    element = cast<MemRefType>(op.getDpsInitOperand(0)->get().getType())
                  .getElementType();
    identity = arith::ConstantOp::create(
        b, loc, vectorType(element),
        DenseElementsAttr::get(vectorType(element),
                               *identityOf(reduction.combine)));
    laneSize = sizes[reduction.lane].size;
    std::optional<int64_t> staticLanes = getConstantIntValue(laneSize);
    fullBlocks = staticLanes && *staticLanes % lanes == 0;
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    SmallVector<Value> ubs, steps(outer.size(), one);
    for (unsigned d : outer)
      ubs.push_back(getValueOrCreateConstantIndexOp(b, loc, sizes[d].size));
    ubs.push_back(getValueOrCreateConstantIndexOp(b, loc, laneSize));
    steps.push_back(arith::ConstantIndexOp::create(b, loc, lanes));
    buildLoops(b, loc, ubs, steps, ValueRange{},
               [&](OpBuilder &nb, ValueRange ivs, ValueRange) {
                 SmallVector<OpFoldResult> at(op.getNumLoops());
                 for (auto [d, iv] : llvm::zip(outer, ivs))
                   at[d] = iv;
                 emitBlock(nb, loc, at, ivs.back());
                 return SmallVector<Value>{};
               });
  }

private:
  VectorType vectorType(Type element) const {
    return VectorType::get({lanes}, element);
  }

  /// The indices of `operand` at the loop indices `at`.
  SmallVector<Value> indices(OpBuilder &b, Location loc, OpOperand &operand,
                             ArrayRef<OpFoldResult> at) {
    SmallVector<Value> result;
    for (AffineExpr e : op.getMatchingIndexingMap(&operand).getResults())
      result.push_back(getValueOrCreateConstantIndexOp(
          b, loc, at[cast<AffineDimExpr>(e).getPosition()]));
    return result;
  }

  /// The outputs `first` to `first + lanes - 1` along `lane` (those that
  /// exist), their running values carried through the reduction loops.
  void emitBlock(OpBuilder &b, Location loc, SmallVector<OpFoldResult> at,
                 Value first) {
    at[reduction.lane] = first;
    OpOperand *init = op.getDpsInitOperand(0);
    // The loop indices the output does not use may be anything here.
    for (unsigned d : inner)
      at[d] = b.getIndexAttr(0);
    at[last] = b.getIndexAttr(0);
    SmallVector<Value> where = indices(b, loc, *init, at);
    Value base = init->get();
    Value mask;
    if (!fullBlocks) {
      AffineExpr s0 = getAffineSymbolExpr(0, b.getContext()),
                 s1 = getAffineSymbolExpr(1, b.getContext());
      OpFoldResult count = affine::makeComposedFoldedAffineMin(
          b, loc,
          AffineMap::get(
              0, 2, {getAffineConstantExpr(lanes, b.getContext()), s0 - s1},
              b.getContext()),
          {laneSize, first});
      mask = vector::CreateMaskOp::create(
          b, loc, vectorType(b.getI1Type()),
          ValueRange{getValueOrCreateConstantIndexOp(b, loc, count)});
    }
    Value acc =
        mask ? vector::MaskedLoadOp::create(b, loc, vectorType(element), base,
                                            where, mask, identity)
                   .getResult()
             : vector::LoadOp::create(b, loc, vectorType(element), base, where)
                   .getResult();
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    SmallVector<Value> ubs, steps(inner.size(), one);
    for (unsigned d : inner)
      ubs.push_back(getValueOrCreateConstantIndexOp(b, loc, sizes[d].size));
    acc =
        buildLoops(b, loc, ubs, steps, ValueRange{acc},
                   [&](OpBuilder &nb, ValueRange ivs, ValueRange args) {
                     for (auto [d, iv] : llvm::zip(inner, ivs))
                       at[d] = iv;
                     return SmallVector<Value>{emitRows(nb, loc, at, args[0])};
                   })[0];
    if (mask)
      vector::MaskedStoreOp::create(b, loc, base, where, mask, acc);
    else
      vector::StoreOp::create(b, loc, acc, base, where);
  }

  /// The terms of one reduction row (all indices but the innermost fixed)
  /// folded into `acc`: squares of `lanes` terms, then one square of the
  /// remainder.
  Value emitRows(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> at,
                 Value acc) {
    AffineExpr e = getAffineSymbolExpr(0, b.getContext());
    OpFoldResult extent = sizes[last].size;
    OpFoldResult full = affine::makeComposedFoldedAffineApply(
        b, loc, e.floorDiv(lanes) * lanes, {extent});
    OpFoldResult rest =
        affine::makeComposedFoldedAffineApply(b, loc, e % lanes, {extent});
    Value fullValue = getValueOrCreateConstantIndexOp(b, loc, full);
    std::optional<int64_t> staticFull = getConstantIntValue(full);
    if (!staticFull || *staticFull > 0)
      acc = buildLoops(
          b, loc, {fullValue}, {arith::ConstantIndexOp::create(b, loc, lanes)},
          ValueRange{acc}, [&](OpBuilder &nb, ValueRange ivs, ValueRange args) {
            return SmallVector<Value>{emitSquare(
                nb, loc, at, ivs[0], nb.getIndexAttr(lanes), args[0])};
          })[0];
    std::optional<int64_t> staticRest = getConstantIntValue(rest);
    if (staticRest && *staticRest == 0)
      return acc;
    if (staticRest)
      return emitSquare(b, loc, at, fullValue, rest, acc);
    Value any =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt,
                              getValueOrCreateConstantIndexOp(b, loc, rest),
                              arith::ConstantIndexOp::create(b, loc, 0));
    auto tail = scf::IfOp::create(b, loc, TypeRange{acc.getType()}, any,
                                  /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(tail.elseBlock());
    scf::YieldOp::create(b, loc, acc);
    b.setInsertionPointToStart(tail.thenBlock());
    scf::YieldOp::create(b, loc, emitSquare(b, loc, at, fullValue, rest, acc));
    return tail.getResult(0);
  }

  /// One square: for each of the block's `lanes` outputs, the `count` terms
  /// from innermost index `i` on, computed by the body on vectors along the
  /// innermost loop; transposed, so that row t holds term t of every
  /// output; folded into `acc` row by row. Outputs past the end of `lane`
  /// read the last one's terms (their lanes are never stored); terms past
  /// `count` are the combiner's identity, or, with a static count, not
  /// folded at all.
  Value emitSquare(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> rowAt,
                   Value i, OpFoldResult count, Value acc) {
    SmallVector<OpFoldResult> at(rowAt);
    std::optional<int64_t> staticCount = getConstantIntValue(count);
    bool whole = staticCount && *staticCount == lanes;
    Value mask;
    if (!whole)
      mask = vector::CreateMaskOp::create(
          b, loc, vectorType(b.getI1Type()),
          ValueRange{getValueOrCreateConstantIndexOp(b, loc, count)});
    at[last] = i;
    Value first = getValueOrCreateConstantIndexOp(b, loc, at[reduction.lane]);
    AffineExpr d0 = getAffineDimExpr(0, b.getContext()),
               s0 = getAffineSymbolExpr(0, b.getContext());
    Block &body = *op.getBlock();
    Value term = reduction.combine->getOperand(1 - reduction.accOperand);
    SmallVector<Value> rows;
    for (int64_t j = 0; j < lanes; ++j) {
      at[reduction.lane] =
          fullBlocks
              ? affine::makeComposedFoldedAffineApply(b, loc, d0 + j, {first})
              : affine::makeComposedFoldedAffineMin(
                    b, loc,
                    AffineMap::get(1, 1, {d0 + j, s0 - 1}, b.getContext()),
                    {first, laneSize});
      IRMapping mapping;
      for (OpOperand *input : op.getDpsInputOperands()) {
        BlockArgument arg = op.getMatchingBlockArgument(input);
        if (!arg.use_empty())
          mapping.map(arg, load(b, loc, *input, at, mask));
      }
      cloneOnVectors(b, loc, body, lanes, mapping, reduction.combine);
      Value row = vectorOf(b, loc, term, lanes, mapping);
      if (mask && !staticCount)
        row = arith::SelectOp::create(b, loc, mask, row, identity);
      rows.push_back(row);
    }
    SmallVector<Value> terms = transpose(b, loc, rows);
    int64_t folded = staticCount.value_or(lanes);
    for (int64_t t = 0; t < folded; ++t) {
      IRMapping mapping;
      mapping.map(reduction.combine->getOperand(reduction.accOperand), acc);
      mapping.map(term, terms[t]);
      Operation *combine = b.clone(*reduction.combine, mapping);
      combine->getResult(0).setType(acc.getType());
      acc = combine->getResult(0);
    }
    return acc;
  }

  /// The row of `input` at `at` along the innermost loop (`mask`: the
  /// elements that exist, the others zero), or its one element broadcast
  /// when it does not use that loop.
  Value load(OpBuilder &b, Location loc, OpOperand &input,
             ArrayRef<OpFoldResult> at, Value mask) {
    Value base = input.get();
    VectorType type =
        vectorType(cast<MemRefType>(base.getType()).getElementType());
    SmallVector<Value> where = indices(b, loc, input, at);
    if (!op.getMatchingIndexingMap(&input).isFunctionOfDim(last))
      return vector::BroadcastOp::create(
          b, loc, type, memref::LoadOp::create(b, loc, base, where));
    if (!mask)
      return vector::LoadOp::create(b, loc, type, base, where);
    Value zeros = arith::ConstantOp::create(
        b, loc, type,
        DenseElementsAttr::get(type, b.getZeroAttr(type.getElementType())));
    return vector::MaskedLoadOp::create(b, loc, type, base, where, mask, zeros);
  }

  linalg::GenericOp op;
  Reduction reduction;
  unsigned last;
  int64_t lanes;
  /// The loops: the output's other parallel ones (outside the blocks) and
  /// the reductions but the innermost (inside), each in its order.
  SmallVector<unsigned> outer, inner;
  SmallVector<Range> sizes;
  OpFoldResult laneSize;
  /// Whether every block holds `lanes` outputs (a static multiple).
  bool fullBlocks = false;
  /// The output's element type (f32 or f64) and the combiner's identity on
  /// every lane.
  Type element;
  Value identity;
};

struct TernaryVectorizeReductions
    : public mlir::ternary::impl::TernaryVectorizeReductionsBase<
          TernaryVectorizeReductions> {
  using TernaryVectorizeReductionsBase::TernaryVectorizeReductionsBase;

  void runOnOperation() override {
    if (vectorBytes < 16 || !llvm::has_single_bit(uint64_t(vectorBytes)) ||
        minLanes < 1) {
      getOperation()->emitError()
          << "ternary-vectorize-reductions: vector-bytes must be a power of "
             "two of at least 16, and min-lanes positive (got "
          << int64_t(vectorBytes) << ", " << int64_t(minLanes) << ")";
      return signalPassFailure();
    }
    SmallVector<std::pair<linalg::GenericOp, Reduction>> reductions;
    getOperation()->walk([&](linalg::GenericOp op) {
      if (std::optional<Reduction> r = matchReduction(op, minLanes))
        reductions.push_back({op, *r});
    });
    for (auto [op, r] : reductions) {
      OpBuilder b(op);
      int64_t bytes = cast<MemRefType>(op.getDpsInitOperand(0)->get().getType())
                          .getElementTypeBitWidth() /
                      8;
      ReductionBuilder(op, r, vectorBytes / bytes).rewrite(b);
      op->erase();
    }
  }
};

} // namespace
