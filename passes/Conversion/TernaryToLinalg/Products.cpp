//===- Products.cpp - Integer products and rescale to linalg
//----------------===//
//
// Lowers ternary.matmul (i8 x i8 or packed weights, i32 accumulation),
// ternary.rescale ((f32(acc) + b) * ((g * a) / Q)) and, without a kernel,
// ternary.matmul_rescale (the product, then the rescale) to linalg.generic.
// The packed vector kernels are in passes/Codegen/CPU and win over these
// patterns where the selection step annotated a product.
//
//===----------------------------------------------------------------------===//

#include "Conversion/TernaryToLinalg/PopulatePatterns.h"
#include "Conversion/TernaryToLinalg/Utils.h"
#include "Utils/LinalgBuilder.h"
#include "Utils/RuntimeChecks.h"

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::detail;

namespace {

/// Whether the i8 product of `op` (unpacked weights) is computed exactly by
/// an f32 contraction: every product and partial sum is an integer of
/// magnitude below 2^24, whatever the order of the sum and with or without
/// fused multiply-adds. Ternary weights (those of ternary.quantize_weights,
/// clamped to [-1, 1]) allow K up to 2^17 (|x| <= 128); other i8 weights
/// K up to 2^10 (|x w| <= 2^14).
bool exactInF32(MatmulOp op) {
  int64_t k = op.getValues().getType().getShape().back();
  if (ShapedType::isDynamic(k))
    return false;
  bool ternary = op.getWeight().getDefiningOp<QuantizeWeightsOp>() != nullptr;
  return k <= (ternary ? int64_t(1) << 17 : int64_t(1) << 10);
}

struct MatmulLowering : OpConversionPattern<MatmulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    LinalgBuilder h{rewriter, loc};
    MLIRContext *ctx = op.getContext();
    Value x = adaptor.getValues(), w = adaptor.getWeight();
    unsigned rank = op.getValues().getType().getRank();
    // Loops: rows (rank - 1), n, k.
    unsigned loops = rank + 1;
    SmallVector<AffineExpr> xExprs, outExprs;
    for (unsigned d = 0; d + 1 < rank; ++d) {
      xExprs.push_back(getAffineDimExpr(d, ctx));
      outExprs.push_back(getAffineDimExpr(d, ctx));
    }
    AffineExpr n = getAffineDimExpr(rank - 1, ctx),
               k = getAffineDimExpr(rank, ctx);
    xExprs.push_back(k);
    outExprs.push_back(n);

    auto packed = dyn_cast<PackedType>(op.getWeight().getType());
    emitProductChecks(rewriter, loc, x, w, packed,
                      packedAtRunTimeFrom(rewriter, op.getWeight()));
    SmallVector<Value> inputs = {x};
    SmallVector<AffineMap> maps = {AffineMap::get(loops, 0, xExprs, ctx)};
    if (!packed) {
      inputs.push_back(w);
      maps.push_back(AffineMap::get(loops, 0, {n, k}, ctx));
    }
    maps.push_back(AffineMap::get(loops, 0, outExprs, ctx));
    SmallVector<IteratorType> iterators(rank, IteratorType::parallel);
    iterators.push_back(IteratorType::reduction);

    SmallVector<OpFoldResult> outSizes = h.sizes(x, /*dropLast=*/true);
    outSizes.push_back(tensor::getMixedSize(rewriter, loc, w, 0));
    Value kSize = tensor::DimOp::create(rewriter, loc, x, rank - 1);
    Type i32 = rewriter.getI32Type();
    if (!packed && exactInF32(op)) {
      // The same integers through the f32 contraction kernel
      // (--ternary-vectorize-contractions), converted back exactly.
      Type f32 = rewriter.getF32Type();
      Value product =
          h.generic({h.castElements(x, f32), h.castElements(w, f32)},
                    h.filled(outSizes, rewriter.getF32FloatAttr(0)), maps,
                    iterators, [&](OpBuilder &b, Location l, ValueRange a) {
                      Value t = arith::MulFOp::create(b, l, a[0], a[1]);
                      return arith::AddFOp::create(b, l, a[2], t).getResult();
                    });
      rewriter.replaceOp(op, h.castElements(product, i32));
      return success();
    }
    Value result = h.generic(
        inputs, h.filled(outSizes, rewriter.getI32IntegerAttr(0)), maps,
        iterators, [&](OpBuilder &b, Location l, ValueRange a) {
          Value xv = arith::ExtSIOp::create(b, l, i32, a[0]);
          Value wv;
          if (packed) // The storage is read at a computed position.
            wv = loadPackedTernaryWeight(
                b, l, packed, w, linalg::IndexOp::create(b, l, rank - 1),
                linalg::IndexOp::create(b, l, rank), kSize);
          else
            wv = arith::ExtSIOp::create(b, l, i32, a[1]);
          Value prod = arith::MulIOp::create(b, l, xv, wv);
          return arith::AddIOp::create(b, l, a.back(), prod).getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct RescaleLowering : OpConversionPattern<RescaleOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(RescaleOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    LinalgBuilder h{rewriter, loc};
    MLIRContext *ctx = op.getContext();
    Value acc = adaptor.getAcc(), g = adaptor.getScale();
    unsigned rank = op.getAcc().getType().getRank();
    AffineMap id = identityMap(ctx, rank);
    SmallVector<Value> inputs = {acc, adaptor.getAbsmax()};
    SmallVector<AffineMap> maps = {id, rowsMap(ctx, rank)};
    bool hasBias = static_cast<bool>(adaptor.getBias());
    SmallVector<Value> accSizes;
    for (unsigned d = 0; d < rank; ++d)
      accSizes.push_back(tensor::DimOp::create(rewriter, loc, acc, d));
    emitRescaleChecks(rewriter, loc, ArrayRef<Value>(accSizes).drop_back(),
                      accSizes.back(), adaptor.getAbsmax(), adaptor.getBias());
    if (hasBias) {
      inputs.push_back(adaptor.getBias());
      maps.push_back(lastMap(ctx, rank));
    }
    maps.push_back(id);
    double q = op.getQ();
    Value result = h.generic(
        inputs, h.empty(h.sizes(acc), rewriter.getF32Type()), maps,
        SmallVector<IteratorType>(rank, IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value factor =
              arith::DivFOp::create(b, l, arith::MulFOp::create(b, l, g, a[1]),
                                    LinalgBuilder{b, l}.f32(q));
          Value v = arith::SIToFPOp::create(b, l, b.getF32Type(), a[0]);
          if (hasBias)
            v = arith::AddFOp::create(b, l, v, a[2]);
          return arith::MulFOp::create(b, l, v, factor).getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Without a kernel: the product, then the rescale.
struct MatmulRescaleLowering : OpConversionPattern<MatmulRescaleOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatmulRescaleOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = op.getResult().getType();
    auto accType =
        RankedTensorType::get(resultType.getShape(), rewriter.getI32Type());
    // New ternary ops on the original operands; the conversion lowers them
    // in turn.
    Value acc = MatmulOp::create(rewriter, op.getLoc(), accType, op.getValues(),
                                 op.getWeight(), op.getKernelAttr());
    rewriter.replaceOpWithNewOp<RescaleOp>(op, resultType, acc, op.getAbsmax(),
                                           op.getScale(), op.getBias(),
                                           op.getQ());
    return success();
  }
};

} // namespace

void mlir::ternary::detail::populateProductPatterns(
    const TypeConverter &typeConverter, RewritePatternSet &patterns) {
  patterns.add<MatmulLowering, RescaleLowering, MatmulRescaleLowering>(
      typeConverter, patterns.getContext());
}
