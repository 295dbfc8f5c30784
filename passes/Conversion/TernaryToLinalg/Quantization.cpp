//===- Quantization.cpp - Quantisation steps to linalg
//----------------------===//
//
// Lowers ternary.normalize, ternary.quantize_activations,
// ternary.weight_scale and ternary.quantize_weights to linalg.generic on
// [..., K] tensors of any rank >= 1 (the leading dimensions are rows and
// become parallel loops), with the reference's numerics (docs/numerics.md):
// sums in f64 rounded once, round half to even, scales floored at eps.
//
//===----------------------------------------------------------------------===//

#include "Conversion/TernaryToLinalg/PopulatePatterns.h"
#include "Conversion/TernaryToLinalg/Utils.h"
#include "Utils/LinalgBuilder.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::detail;

namespace {

/// round_half_even(v) clamped to [lo, hi], as i8; a NaN gives 0 (its scale
/// is NaN as well, see nanUnlessFinite), never the poison of fptosi(NaN).
Value roundClampToI8(OpBuilder &b, Location loc, Value v, double lo,
                     double hi) {
  LinalgBuilder h{b, loc};
  Value r = math::RoundEvenOp::create(b, loc, v);
  r = arith::MaximumFOp::create(b, loc, r, h.f32(lo));
  r = arith::MinimumFOp::create(b, loc, r, h.f32(hi));
  Value isNaN = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, r, r);
  r = arith::SelectOp::create(b, loc, isNaN, h.f32(0), r);
  return arith::FPToSIOp::create(b, loc, b.getI8Type(), r);
}

/// `s` if it is finite, NaN otherwise: a scale computed from a NaN or an
/// infinity is NaN, so the layer's output is NaN (docs/numerics.md).
Value nanUnlessFinite(OpBuilder &b, Location loc, Value s) {
  LinalgBuilder h{b, loc};
  Value abs = math::AbsFOp::create(b, loc, s);
  Value finite = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, abs,
                                       h.f32(INFINITY));
  return arith::SelectOp::create(b, loc, finite, s, h.f32(NAN));
}

struct NormalizeLowering : OpConversionPattern<NormalizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(NormalizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    LinalgBuilder h{rewriter, op.getLoc()};
    Value x = adaptor.getInput();
    unsigned rank = op.getInput().getType().getRank();
    if (op.getKind() == NormKind::none) {
      rewriter.replaceOp(op, x);
      return success();
    }
    RowNorm norm =
        RowNorm::build(h, x, rank, op.getKind(), op.getEps().convertToFloat(),
                       adaptor.getGamma(), adaptor.getBeta());
    AffineMap id = identityMap(op.getContext(), rank);
    SmallVector<Value> inputs = {x};
    inputs.append(norm.inputs);
    SmallVector<AffineMap> maps = {id};
    maps.append(norm.maps);
    maps.push_back(id);
    Value result = h.generic(
        inputs, h.empty(h.sizes(x), rewriter.getF32Type()), maps,
        SmallVector<IteratorType>(rank, IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange a) {
          return norm.apply(b, l, a[0], a.slice(1, norm.inputs.size()));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct QuantizeActivationsLowering
    : OpConversionPattern<QuantizeActivationsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(QuantizeActivationsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    LinalgBuilder h{rewriter, loc};
    MLIRContext *ctx = op.getContext();
    Value x = adaptor.getInput();
    unsigned rank = op.getInput().getType().getRank();
    AffineMap id = identityMap(ctx, rank), rows = rowsMap(ctx, rank);
    SmallVector<OpFoldResult> rowSizes = h.sizes(x, /*dropLast=*/true);
    float eps = op.getEps().convertToFloat();
    double q = op.getQ();
    double bound = std::ldexp(1.0, op.getBits() - 1);
    // A fused normalisation is recomputed inline by both sweeps below, so
    // the normalised rows are never stored.
    RowNorm norm = RowNorm::build(h, x, rank, op.getNorm(), eps,
                                  adaptor.getGamma(), adaptor.getBeta());
    size_t extra = norm.inputs.size();
    SmallVector<Value> inputs = {x};
    inputs.append(norm.inputs);
    SmallVector<AffineMap> maps = {id};
    maps.append(norm.maps);

    // a = max(max|xh|, eps) per row (maximumf propagates NaN), NaN if the
    // row holds a NaN or an infinity.
    SmallVector<AffineMap> reduceMaps = maps;
    reduceMaps.push_back(rows);
    Value maxAbs = h.generic(
        inputs, h.filled(rowSizes, rewriter.getF32FloatAttr(0)), reduceMaps,
        rowReduction(rank), [&](OpBuilder &b, Location l, ValueRange a) {
          Value xh = norm.apply(b, l, a[0], a.slice(1, extra));
          Value abs = math::AbsFOp::create(b, l, xh);
          return arith::MaximumFOp::create(b, l, a.back(), abs).getResult();
        });
    Value absmax =
        h.generic(maxAbs, h.empty(rowSizes, rewriter.getF32Type()),
                  {AffineMap::getMultiDimIdentityMap(rank - 1, ctx),
                   AffineMap::getMultiDimIdentityMap(rank - 1, ctx)},
                  SmallVector<IteratorType>(rank - 1, IteratorType::parallel),
                  [&](OpBuilder &b, Location l, ValueRange a) {
                    Value floored = arith::MaximumFOp::create(
                        b, l, a[0], LinalgBuilder{b, l}.f32(eps));
                    return nanUnlessFinite(b, l, floored);
                  });
    // values = clamp(round_half_even(xh * (Q / a))).
    inputs.push_back(absmax);
    maps.append({rows, id});
    Value values =
        h.generic(inputs, h.empty(h.sizes(x), rewriter.getI8Type()), maps,
                  SmallVector<IteratorType>(rank, IteratorType::parallel),
                  [&](OpBuilder &b, Location l, ValueRange a) {
                    Value xh = norm.apply(b, l, a[0], a.slice(1, extra));
                    Value sx = arith::DivFOp::create(
                        b, l, LinalgBuilder{b, l}.f32(q), a[1 + extra]);
                    Value v = arith::MulFOp::create(b, l, xh, sx);
                    return roundClampToI8(b, l, v, -bound, bound - 1);
                  });
    rewriter.replaceOp(op, {values, absmax});
    return success();
  }
};

struct WeightScaleLowering : OpConversionPattern<WeightScaleOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(WeightScaleOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    LinalgBuilder h{rewriter, loc};
    Value w = adaptor.getWeight();
    unsigned rank = op.getWeight().getType().getRank();
    Type f32 = rewriter.getF32Type(), f64 = rewriter.getF64Type(),
         i32 = rewriter.getI32Type(), i64 = rewriter.getI64Type();

    // The element count as i64.
    Value count = h.index(1);
    for (unsigned d = 0; d < rank; ++d)
      count = arith::MulIOp::create(rewriter, loc, count,
                                    tensor::DimOp::create(rewriter, loc, w, d));
    count = arith::IndexCastOp::create(rewriter, loc, i64, count);

    // Whether any element is NaN or infinite: the scale is then NaN. The f64
    // sum of absmean tells on its own (it is finite iff every element is),
    // absmedian's first sweep (the range of |w|) as well.
    Value nonFinite;
    Value stat;
    if (op.getMethod() == ScaleMethod::absmean) {
      Value sum = h.sumF64(w, [&](OpBuilder &b, Location l, Value x) -> Value {
        Value v = arith::ExtFOp::create(b, l, f64, x);
        return math::AbsFOp::create(b, l, v);
      });
      sum = tensor::ExtractOp::create(rewriter, loc, sum, ValueRange{});
      Value n = arith::SIToFPOp::create(rewriter, loc, f64, count);
      stat = arith::TruncFOp::create(
          rewriter, loc, f32, arith::DivFOp::create(rewriter, loc, sum, n));
      nonFinite = arith::CmpFOp::create(
          rewriter, loc, arith::CmpFPredicate::UGE, sum, h.f64(INFINITY));
    } else {
      // The counts of a tensor of fewer than 2^31 elements (every static
      // weight) fit in i32: twice as many lanes as i64 in the sweeps.
      auto weightType = op.getWeight().getType();
      bool narrow = weightType.hasStaticShape() &&
                    weightType.getNumElements() < (int64_t(1) << 31);
      func::FuncOp fn = absMedianFunction(
          rewriter, loc, op->getParentOfType<ModuleOp>(), narrow ? i32 : i64);
      // The weight as one dynamic 1-D tensor: one loop over every element
      // (rows of a 2-D weight would each end in a horizontal reduction and
      // a remainder loop), one function for every shape.
      func::CallOp call = earlierCall(op, fn, w);
      Value flat = w;
      if (!call && rank != 1) {
        ReassociationIndices all;
        for (unsigned d = 0; d < rank; ++d)
          all.push_back(d);
        flat = tensor::CollapseShapeOp::create(
            rewriter, loc, flat, ArrayRef<ReassociationIndices>{all});
      }
      auto dynamic = RankedTensorType::get({ShapedType::kDynamic}, f32);
      if (!call && flat.getType() != dynamic)
        flat = tensor::CastOp::create(rewriter, loc, dynamic, flat);
      if (!call)
        call = func::CallOp::create(rewriter, loc, fn, ValueRange{flat});
      nonFinite = call.getResult(1);
      stat = arith::BitcastOp::create(rewriter, loc, f32, call.getResult(0));
    }
    // Floor at eps; NaN for a NaN or an infinity; eps for an empty tensor.
    Value eps = h.f32(op.getEps().convertToFloat());
    Value g = arith::MaximumFOp::create(rewriter, loc, stat, eps);
    g = arith::SelectOp::create(rewriter, loc, nonFinite, h.f32(NAN), g);
    Value empty = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq,
                                        count, h.i64(0));
    g = arith::SelectOp::create(rewriter, loc, empty, eps, g);
    rewriter.replaceOp(op, g);
    return success();
  }
};

struct QuantizeWeightsLowering : OpConversionPattern<QuantizeWeightsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(QuantizeWeightsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    LinalgBuilder h{rewriter, loc};
    Value w = adaptor.getWeight(), g = adaptor.getScale();
    unsigned rank = op.getWeight().getType().getRank();
    AffineMap id = identityMap(op.getContext(), rank);
    Value result =
        h.generic(w, h.empty(h.sizes(w), rewriter.getI8Type()), {id, id},
                  SmallVector<IteratorType>(rank, IteratorType::parallel),
                  [&](OpBuilder &b, Location l, ValueRange a) {
                    Value v = arith::DivFOp::create(b, l, a[0], g);
                    return roundClampToI8(b, l, v, -1, 1);
                  });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// ternarize: weight_scale, quantize_weights (lowered in turn), then
/// g * float(wq) element-wise.
struct TernarizeLowering : OpConversionPattern<TernarizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TernarizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    LinalgBuilder h{rewriter, loc};
    Value w = adaptor.getWeight();
    Type f32 = rewriter.getF32Type();
    Value g = WeightScaleOp::create(rewriter, loc, f32, w, op.getMethod(),
                                    op.getEps());
    auto i8Type = RankedTensorType::get(op.getWeight().getType().getShape(),
                                        rewriter.getI8Type());
    Value wq = QuantizeWeightsOp::create(rewriter, loc, i8Type, w, g);
    unsigned rank = op.getWeight().getType().getRank();
    AffineMap id = identityMap(op.getContext(), rank);
    Value result =
        h.generic(wq, h.empty(h.sizes(w), f32), {id, id},
                  SmallVector<IteratorType>(rank, IteratorType::parallel),
                  [&](OpBuilder &b, Location l, ValueRange a) -> Value {
                    Value v = arith::SIToFPOp::create(b, l, f32, a[0]);
                    return arith::MulFOp::create(b, l, g, v);
                  });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::ternary::detail::populateQuantizationPatterns(
    const TypeConverter &typeConverter, RewritePatternSet &patterns) {
  patterns.add<NormalizeLowering, QuantizeActivationsLowering,
               WeightScaleLowering, QuantizeWeightsLowering, TernarizeLowering>(
      typeConverter, patterns.getContext());
}
