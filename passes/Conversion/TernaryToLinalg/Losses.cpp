//===- Losses.cpp - Cross-entropy to linalg
//---------------------------------===//
//
// Lowers ternary.cross_entropy (mean over the rows whose label is not the
// ignore index) and ternary.cross_entropy_grad to linalg.generic, with the
// row statistics (max, log-sum-exp) computed once and run-time checks of
// the labels.
//
//===----------------------------------------------------------------------===//

#include "Conversion/TernaryToLinalg/PopulatePatterns.h"
#include "Utils/LinalgBuilder.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::detail;

namespace {

/// The row statistics of a cross-entropy: max and sum of exp(z - max) per
/// row, the number of rows not ignored (f32), with the run-time checks of
/// the labels.
struct SoftmaxRows {
  Value max, sumExp, count;

  static SoftmaxRows build(LinalgBuilder &h, Value logits, Value labels,
                           int64_t ignoreIndex) {
    OpBuilder &rewriter = h.b;
    Location loc = h.loc;
    MLIRContext *ctx = rewriter.getContext();
    Type i64 = rewriter.getI64Type();
    Value m = tensor::DimOp::create(rewriter, loc, logits, 0);
    Value c = tensor::DimOp::create(rewriter, loc, logits, 1);
    emitSizeCheck(rewriter, loc,
                  tensor::DimOp::create(rewriter, loc, labels, 0), m,
                  TERNARY_CHECK_ROWS_MISMATCH);

    // The number of labels out of range must be 0.
    Value cI64 = arith::IndexCastOp::create(rewriter, loc, i64, c);
    AffineMap scalar1 = AffineMap::get(1, 0, {}, ctx);
    AffineMap id1 = identityMap(ctx, 1);
    Value bad = h.generic(
        {labels}, h.filled({}, rewriter.getI64IntegerAttr(0)), {id1, scalar1},
        {red}, [&](OpBuilder &b, Location l, ValueRange a) {
          auto cmp = [&](arith::CmpIPredicate p, Value lhs, Value rhs) {
            return arith::CmpIOp::create(b, l, p, lhs, rhs);
          };
          Value zero = arith::ConstantOp::create(b, l, b.getI64IntegerAttr(0));
          Value ignore =
              arith::ConstantOp::create(b, l, b.getI64IntegerAttr(ignoreIndex));
          Value outside = arith::OrIOp::create(
              b, l, cmp(arith::CmpIPredicate::slt, a[0], zero),
              cmp(arith::CmpIPredicate::sge, a[0], cI64));
          Value counted = arith::AndIOp::create(
              b, l, outside, cmp(arith::CmpIPredicate::ne, a[0], ignore));
          Value one = arith::ExtUIOp::create(b, l, b.getI64Type(), counted);
          return arith::AddIOp::create(b, l, a[1], one).getResult();
        });
    Value badCount = arith::IndexCastOp::create(
        rewriter, loc, rewriter.getIndexType(),
        tensor::ExtractOp::create(rewriter, loc, bad, ValueRange{}));
    emitSizeCheck(rewriter, loc, badCount, h.index(0),
                  TERNARY_CHECK_LABEL_RANGE);

    SoftmaxRows rowsStats;
    AffineMap id2 = identityMap(ctx, 2), rows = rowsMap(ctx, 2);
    SmallVector<OpFoldResult> mSizes = {h.sizes(logits)[0]};
    rowsStats.max = h.generic(
        {logits},
        h.filled(mSizes, rewriter.getF32FloatAttr(
                             -std::numeric_limits<float>::infinity())),
        {id2, rows}, {par, red}, [&](OpBuilder &b, Location l, ValueRange a) {
          return arith::MaximumFOp::create(b, l, a[0], a[1]).getResult();
        });
    rowsStats.sumExp = h.generic(
        {logits, rowsStats.max}, h.filled(mSizes, rewriter.getF32FloatAttr(0)),
        {id2, rows, rows}, {par, red},
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value e = math::ExpOp::create(
              b, l, arith::SubFOp::create(b, l, a[0], a[1]));
          return arith::AddFOp::create(b, l, a[2], e).getResult();
        });
    Value count = h.generic(
        {labels}, h.filled({}, rewriter.getF32FloatAttr(0)), {id1, scalar1},
        {red}, [&](OpBuilder &b, Location l, ValueRange a) {
          Value kept = isKept(b, l, a[0], ignoreIndex);
          Value one = arith::UIToFPOp::create(b, l, b.getF32Type(), kept);
          return arith::AddFOp::create(b, l, a[1], one).getResult();
        });
    rowsStats.count =
        tensor::ExtractOp::create(rewriter, loc, count, ValueRange{});
    return rowsStats;
  }

  /// Whether `label` is not the ignore index (i1).
  static Value isKept(OpBuilder &b, Location l, Value label,
                      int64_t ignoreIndex) {
    Value ignore =
        arith::ConstantOp::create(b, l, b.getI64IntegerAttr(ignoreIndex));
    return arith::CmpIOp::create(b, l, arith::CmpIPredicate::ne, label, ignore);
  }

  /// The column of `label` as an index, 0 for an ignored row.
  static Value column(OpBuilder &b, Location l, Value label, Value kept) {
    Value zero = arith::ConstantOp::create(b, l, b.getI64IntegerAttr(0));
    Value safe = arith::SelectOp::create(b, l, kept, label, zero);
    return arith::IndexCastOp::create(b, l, b.getIndexType(), safe);
  }
};

struct CrossEntropyLowering : OpConversionPattern<CrossEntropyOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(CrossEntropyOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    LinalgBuilder h{rewriter, loc};
    Value logits = adaptor.getLogits(), labels = adaptor.getLabels();
    int64_t ignoreIndex = op.getIgnoreIndex();
    SoftmaxRows stats = SoftmaxRows::build(h, logits, labels, ignoreIndex);

    // sum over kept rows of max + log(sumExp) - z[r, label], then / count.
    AffineMap id1 = identityMap(ctx, 1),
              scalar1 = AffineMap::get(1, 0, {}, ctx);
    Value total = h.generic(
        {labels, stats.max, stats.sumExp},
        h.filled({}, rewriter.getF32FloatAttr(0)), {id1, id1, id1, scalar1},
        {red}, [&](OpBuilder &b, Location l, ValueRange a) {
          Value kept = SoftmaxRows::isKept(b, l, a[0], ignoreIndex);
          Value row = linalg::IndexOp::create(b, l, 0);
          Value z = tensor::ExtractOp::create(
              b, l, logits,
              ValueRange{row, SoftmaxRows::column(b, l, a[0], kept)});
          Value lse = arith::AddFOp::create(b, l, a[1],
                                            math::LogOp::create(b, l, a[2]));
          Value sum = arith::AddFOp::create(
              b, l, a[3], arith::SubFOp::create(b, l, lse, z));
          return arith::SelectOp::create(b, l, kept, sum, a[3]).getResult();
        });
    AffineMap scalar0 = AffineMap::get(0, 0, {}, ctx);
    Value loss = h.generic(
        {total}, h.empty({}, rewriter.getF32Type()), {scalar0, scalar0}, {},
        [&](OpBuilder &b, Location l, ValueRange a) {
          return arith::DivFOp::create(b, l, a[0], stats.count).getResult();
        });
    rewriter.replaceOp(op, loss);
    return success();
  }
};

struct CrossEntropyGradLowering : OpConversionPattern<CrossEntropyGradOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(CrossEntropyGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    LinalgBuilder h{rewriter, loc};
    Value logits = adaptor.getLogits(), labels = adaptor.getLabels();
    int64_t ignoreIndex = op.getIgnoreIndex();
    SoftmaxRows stats = SoftmaxRows::build(h, logits, labels, ignoreIndex);
    Value dloss = tensor::ExtractOp::create(
        rewriter, loc, adaptor.getLossGrad(), ValueRange{});
    Value perRow = arith::DivFOp::create(rewriter, loc, dloss, stats.count);

    AffineMap id2 = identityMap(ctx, 2), rows = rowsMap(ctx, 2);
    Value grad = h.generic(
        {logits, labels, stats.max, stats.sumExp},
        h.empty(h.sizes(logits), rewriter.getF32Type()),
        {id2, rows, rows, rows, id2}, {par, par},
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value kept = SoftmaxRows::isKept(b, l, a[1], ignoreIndex);
          Value p = arith::DivFOp::create(
              b, l,
              math::ExpOp::create(b, l,
                                  arith::SubFOp::create(b, l, a[0], a[2])),
              a[3]);
          Value col = linalg::IndexOp::create(b, l, 1);
          Value hit =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, col,
                                    SoftmaxRows::column(b, l, a[1], kept));
          LinalgBuilder hb{b, l};
          Value target =
              arith::SelectOp::create(b, l, hit, hb.f32(1), hb.f32(0));
          Value d = arith::MulFOp::create(
              b, l, arith::SubFOp::create(b, l, p, target), perRow);
          return arith::SelectOp::create(b, l, kept, d, hb.f32(0)).getResult();
        });
    rewriter.replaceOp(op, grad);
    return success();
  }
};

} // namespace

void mlir::ternary::detail::populateLossPatterns(
    const TypeConverter &typeConverter, RewritePatternSet &patterns) {
  patterns.add<CrossEntropyLowering, CrossEntropyGradLowering>(
      typeConverter, patterns.getContext());
}
