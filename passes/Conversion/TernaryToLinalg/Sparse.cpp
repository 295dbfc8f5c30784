//===- Sparse.cpp - CSR products to loops
//-----------------------------------===//
//
// Lowers ternary.spmm and ternary.spmm_transpose (neighbourhood
// aggregation of graph networks over a CSR matrix) to scf loops over the
// rows' non-zeros, with run-time checks of the CSR arrays.
//
//===----------------------------------------------------------------------===//

#include "Conversion/TernaryToLinalg/PopulatePatterns.h"
#include "Utils/LinalgBuilder.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::detail;

namespace {

/// Checks CSR arrays at run time: indptr[0] = 0, indptr non-decreasing,
/// indptr[M] = nnz, every column index in [0, columns).
void emitCsrChecks(LinalgBuilder &h, Value indptr, Value indices,
                   Value columns) {
  OpBuilder &b = h.b;
  Location loc = h.loc;
  Type i64 = b.getI64Type();
  Value m1 = tensor::DimOp::create(b, loc, indptr, 0);
  Value nnz = tensor::DimOp::create(b, loc, indices, 0);
  Value m = arith::SubIOp::create(b, loc, m1, h.index(1));
  auto asIndex = [&](Value v) {
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), v).getResult();
  };
  Value first = asIndex(tensor::ExtractOp::create(b, loc, indptr, h.index(0)));
  emitSizeCheck(b, loc, first, h.index(0), TERNARY_CHECK_CSR);
  Value last = asIndex(tensor::ExtractOp::create(b, loc, indptr, m));
  emitSizeCheck(b, loc, last, nnz, TERNARY_CHECK_CSR);
  // Decreasing steps of indptr and column indices out of range, counted.
  Value cols = arith::IndexCastOp::create(b, loc, i64, columns);
  auto count = [&](Value over,
                   function_ref<Value(OpBuilder &, Location, Value)> bad) {
    Value total = h.generic(
        {over}, h.filled({}, b.getI64IntegerAttr(0)),
        {b.getMultiDimIdentityMap(1), AffineMap::get(1, 0, {}, b.getContext())},
        {red}, [&](OpBuilder &nb, Location l, ValueRange a) {
          Value one = arith::ExtUIOp::create(nb, l, i64, bad(nb, l, a[0]));
          return arith::AddIOp::create(nb, l, a[1], one).getResult();
        });
    return asIndex(tensor::ExtractOp::create(b, loc, total, ValueRange{}));
  };
  Value steps = tensor::ExtractSliceOp::create(
      b, loc, indptr, ArrayRef<OpFoldResult>{b.getIndexAttr(0)},
      ArrayRef<OpFoldResult>{m}, ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
  Value decreasing = count(steps, [&](OpBuilder &nb, Location l, Value v) {
    Value r = linalg::IndexOp::create(nb, l, 0);
    Value r1 = arith::AddIOp::create(nb, l, r,
                                     arith::ConstantIndexOp::create(nb, l, 1));
    Value next = tensor::ExtractOp::create(nb, l, indptr, ValueRange{r1});
    return arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sgt, v, next)
        .getResult();
  });
  emitSizeCheck(b, loc, decreasing, h.index(0), TERNARY_CHECK_CSR);
  Value outside = count(indices, [&](OpBuilder &nb, Location l, Value c) {
    Value zero = arith::ConstantOp::create(nb, l, nb.getI64IntegerAttr(0));
    return arith::OrIOp::create(
               nb, l,
               arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, c, zero),
               arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sge, c, cols))
        .getResult();
  });
  emitSizeCheck(b, loc, outside, h.index(0), TERNARY_CHECK_CSR);
}

/// for r < M: for e in [indptr[r], indptr[r + 1]): for d < D:
///   acc = update(acc, r, indices[e], values[e], d), threading `init`.
Value csrLoops(LinalgBuilder &h, Value indptr, Value indices, Value values,
               Value dSize, Value init,
               function_ref<Value(OpBuilder &, Location, Value acc, Value r,
                                  Value c, Value v, Value d)>
                   update) {
  OpBuilder &b = h.b;
  Location loc = h.loc;
  Value m = arith::SubIOp::create(
      b, loc, tensor::DimOp::create(b, loc, indptr, 0), h.index(1));
  Value c0 = h.index(0), c1 = h.index(1);
  auto asIndex = [](OpBuilder &nb, Location l, Value v) {
    return arith::IndexCastOp::create(nb, l, nb.getIndexType(), v).getResult();
  };
  auto rows = scf::ForOp::create(
      b, loc, c0, m, c1, ValueRange{init},
      [&](OpBuilder &rb, Location rl, Value r, ValueRange acc) {
        Value r1 = arith::AddIOp::create(
            rb, rl, r, arith::ConstantIndexOp::create(rb, rl, 1));
        Value begin =
            asIndex(rb, rl, tensor::ExtractOp::create(rb, rl, indptr, r));
        Value end =
            asIndex(rb, rl, tensor::ExtractOp::create(rb, rl, indptr, r1));
        Value one = arith::ConstantIndexOp::create(rb, rl, 1);
        Value zero = arith::ConstantIndexOp::create(rb, rl, 0);
        auto entries = scf::ForOp::create(
            rb, rl, begin, end, one, acc,
            [&](OpBuilder &eb, Location el, Value e, ValueRange acc2) {
              Value c = asIndex(eb, el,
                                tensor::ExtractOp::create(eb, el, indices, e));
              Value v = tensor::ExtractOp::create(eb, el, values, e);
              auto cols = scf::ForOp::create(
                  eb, el, zero, dSize, one, acc2,
                  [&](OpBuilder &db, Location dl, Value d, ValueRange acc3) {
                    scf::YieldOp::create(db, dl,
                                         update(db, dl, acc3[0], r, c, v, d));
                  });
              scf::YieldOp::create(eb, el, cols.getResults());
            });
        scf::YieldOp::create(rb, rl, entries.getResults());
      });
  return rows.getResult(0);
}

/// acc[at..] += v * src[from..], on tensors.
Value accumulate(OpBuilder &b, Location l, Value acc, Value src, ValueRange at,
                 ValueRange from, Value v) {
  Value x = tensor::ExtractOp::create(b, l, src, from);
  Value old = tensor::ExtractOp::create(b, l, acc, at);
  Value sum =
      arith::AddFOp::create(b, l, old, arith::MulFOp::create(b, l, v, x));
  return tensor::InsertOp::create(b, l, sum, acc, at);
}

/// A [M, N] CSR matrix A times a dense input: A x ([N, D] -> [M, D]) or,
/// `transposed`, A^T x ([M, D] -> [outRows = N, D]), with the run-time
/// checks of the CSR arrays.
Value csrProduct(LinalgBuilder &h, Value indptr, Value indices, Value values,
                 Value input, Value outRows, bool transposed) {
  OpBuilder &b = h.b;
  Location loc = h.loc;
  Value m = arith::SubIOp::create(
      b, loc, tensor::DimOp::create(b, loc, indptr, 0), h.index(1));
  Value columns = transposed
                      ? outRows
                      : tensor::DimOp::create(b, loc, input, 0).getResult();
  emitCsrChecks(h, indptr, indices, columns);
  emitSizeCheck(b, loc, tensor::DimOp::create(b, loc, values, 0),
                tensor::DimOp::create(b, loc, indices, 0), TERNARY_CHECK_CSR);
  if (transposed)
    emitSizeCheck(b, loc, tensor::DimOp::create(b, loc, input, 0), m,
                  TERNARY_CHECK_ROWS_MISMATCH);
  Value dSize = tensor::DimOp::create(b, loc, input, 1);
  Value init =
      h.filled({transposed ? outRows : m, dSize}, b.getF32FloatAttr(0));
  return csrLoops(
      h, indptr, indices, values, dSize, init,
      [&](OpBuilder &nb, Location l, Value acc, Value r, Value c, Value v,
          Value d) {
        return transposed ? accumulate(nb, l, acc, input, {c, d}, {r, d}, v)
                          : accumulate(nb, l, acc, input, {r, d}, {c, d}, v);
      });
}

struct SpmmLowering : OpConversionPattern<SpmmOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SpmmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    LinalgBuilder h{rewriter, op.getLoc()};
    Value result = csrProduct(h, adaptor.getIndptr(), adaptor.getIndices(),
                              adaptor.getValues(), adaptor.getInput(), Value(),
                              /*transposed=*/false);
    rewriter.replaceOp(op, tensor::CastOp::create(rewriter, op.getLoc(),
                                                  op.getResult().getType(),
                                                  result));
    return success();
  }
};

struct SpmmTransposeLowering : OpConversionPattern<SpmmTransposeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SpmmTransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    LinalgBuilder h{rewriter, op.getLoc()};
    Value n =
        tensor::DimOp::create(rewriter, op.getLoc(), adaptor.getLike(), 0);
    Value result = csrProduct(h, adaptor.getIndptr(), adaptor.getIndices(),
                              adaptor.getValues(), adaptor.getInput(), n,
                              /*transposed=*/true);
    rewriter.replaceOp(op, tensor::CastOp::create(rewriter, op.getLoc(),
                                                  op.getResult().getType(),
                                                  result));
    return success();
  }
};

} // namespace

void mlir::ternary::detail::populateSparsePatterns(
    const TypeConverter &typeConverter, RewritePatternSet &patterns) {
  patterns.add<SpmmLowering, SpmmTransposeLowering>(typeConverter,
                                                    patterns.getContext());
}
