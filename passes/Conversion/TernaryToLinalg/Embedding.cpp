//===- Embedding.cpp - Embedding lookups to linalg
//--------------------------===//
//
// Lowers ternary.embedding (a gather of table rows) and
// ternary.embedding_grad (an in-place scatter-add of the output gradient)
// with run-time checks of the ids.
//
//===----------------------------------------------------------------------===//

#include "Conversion/TernaryToLinalg/PopulatePatterns.h"
#include "Utils/LinalgBuilder.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::detail;

namespace {

/// Emits the run-time check that every id is in [0, V).
void emitIdChecks(LinalgBuilder &h, Value ids, Value rows) {
  OpBuilder &b = h.b;
  auto type = cast<RankedTensorType>(ids.getType());
  unsigned rank = type.getRank();
  Value v = arith::IndexCastOp::create(b, h.loc, b.getI64Type(), rows);
  SmallVector<IteratorType> iterators(rank, red);
  Value bad = h.generic(
      {ids}, h.filled({}, b.getI64IntegerAttr(0)),
      {b.getMultiDimIdentityMap(rank),
       AffineMap::get(rank, 0, {}, b.getContext())},
      iterators, [&](OpBuilder &nb, Location l, ValueRange a) {
        Value zero = arith::ConstantOp::create(nb, l, nb.getI64IntegerAttr(0));
        Value outside = arith::OrIOp::create(
            nb, l,
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, a[0], zero),
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sge, a[0], v));
        Value one = arith::ExtUIOp::create(nb, l, nb.getI64Type(), outside);
        return arith::AddIOp::create(nb, l, a[1], one).getResult();
      });
  Value count = arith::IndexCastOp::create(
      b, h.loc, b.getIndexType(),
      tensor::ExtractOp::create(b, h.loc, bad, ValueRange{}));
  emitSizeCheck(b, h.loc, count, h.index(0), TERNARY_CHECK_INDEX_RANGE);
}

struct EmbeddingLowering : OpConversionPattern<EmbeddingOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(EmbeddingOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    LinalgBuilder h{rewriter, loc};
    Value table = adaptor.getTable(), ids = adaptor.getIds();
    emitIdChecks(h, ids, tensor::DimOp::create(rewriter, loc, table, 0));
    auto resultType = cast<RankedTensorType>(op.getResult().getType());
    unsigned rank = resultType.getRank();
    SmallVector<OpFoldResult> sizes = h.sizes(ids);
    sizes.push_back(h.sizes(table)[1]);
    Value result = h.generic(
        {ids}, h.empty(sizes, rewriter.getF32Type()),
        {rowsMap(rewriter.getContext(), rank),
         identityMap(rewriter.getContext(), rank)},
        SmallVector<IteratorType>(rank, par),
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value row = arith::IndexCastOp::create(b, l, b.getIndexType(), a[0]);
          Value col = linalg::IndexOp::create(b, l, rank - 1);
          return tensor::ExtractOp::create(b, l, table, ValueRange{row, col})
              .getResult();
        });
    rewriter.replaceOp(
        op, tensor::CastOp::create(rewriter, loc, resultType, result));
    return success();
  }
};

struct EmbeddingGradLowering : OpConversionPattern<EmbeddingGradOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(EmbeddingGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    LinalgBuilder h{rewriter, loc};
    Value table = adaptor.getTable(), ids = adaptor.getIds(),
          dout = adaptor.getResultGrad();
    emitIdChecks(h, ids, tensor::DimOp::create(rewriter, loc, table, 0));
    // Positions as one dimension: ids [N], dout [N, D].
    auto idsType = cast<RankedTensorType>(ids.getType());
    if (idsType.getRank() != 1) {
      ReassociationIndices all;
      for (int64_t d = 0; d < idsType.getRank(); ++d)
        all.push_back(d);
      ReassociationIndices last = {idsType.getRank()};
      ids = tensor::CollapseShapeOp::create(
          rewriter, loc, ids, ArrayRef<ReassociationIndices>{all});
      dout = tensor::CollapseShapeOp::create(
          rewriter, loc, dout, ArrayRef<ReassociationIndices>{all, last});
    }
    Value zero = h.filled(h.sizes(table), rewriter.getF32FloatAttr(0));
    Value n = tensor::DimOp::create(rewriter, loc, ids, 0);
    Value dSize = tensor::DimOp::create(rewriter, loc, table, 1);
    Value c0 = h.index(0), c1 = h.index(1);
    // for p: for d: grad[ids[p], d] += dout[p, d], in order (in place).
    auto outer = scf::ForOp::create(
        rewriter, loc, c0, n, c1, ValueRange{zero},
        [&](OpBuilder &b, Location l, Value p, ValueRange acc) {
          Value id = tensor::ExtractOp::create(b, l, ids, ValueRange{p});
          Value row = arith::IndexCastOp::create(b, l, b.getIndexType(), id);
          auto inner = scf::ForOp::create(
              b, l, c0, dSize, c1, acc,
              [&](OpBuilder &nb, Location nl, Value d, ValueRange grad) {
                Value g =
                    tensor::ExtractOp::create(nb, nl, dout, ValueRange{p, d});
                Value old = tensor::ExtractOp::create(nb, nl, grad[0],
                                                      ValueRange{row, d});
                Value sum = arith::AddFOp::create(nb, nl, old, g);
                Value next = tensor::InsertOp::create(nb, nl, sum, grad[0],
                                                      ValueRange{row, d});
                scf::YieldOp::create(nb, nl, next);
              });
          scf::YieldOp::create(b, l, inner.getResults());
        });
    rewriter.replaceOp(op, tensor::CastOp::create(rewriter, loc,
                                                  op.getTableGrad().getType(),
                                                  outer.getResult(0)));
    return success();
  }
};

} // namespace

void mlir::ternary::detail::populateEmbeddingPatterns(
    const TypeConverter &typeConverter, RewritePatternSet &patterns) {
  patterns.add<EmbeddingLowering, EmbeddingGradLowering>(typeConverter,
                                                         patterns.getContext());
}
