//===- BitLinearTraining.cpp - Training-time BitLinear to linalg
//------------===//
//
// Lowers the training-time forms of BitLinear: ternary.bitlinear with a
// quantisation warm-up factor lambda < 1 (an f32 product of the blended
// operands) and ternary.bitlinear_grad (the straight-through estimator of
// the semantics document). The backward pass recomputes the forward's
// quantities with the forward's own ops (quantize_activations,
// weight_scale, quantize_weights), so the gradients see exactly the values
// the forward pass used.
//
//===----------------------------------------------------------------------===//

#include "Conversion/TernaryToLinalg/PopulatePatterns.h"
#include "Conversion/TernaryToLinalg/Utils.h"
#include "Utils/LinalgBuilder.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::detail;

namespace {

/// An i8 value as f32 (f32 values pass through).
Value sitofp(OpBuilder &b, Location l, Value v) {
  if (v.getType().isF32())
    return v;
  return arith::SIToFPOp::create(b, l, b.getF32Type(), v);
}

/// The operands of a warm-up layer's product (lambda < 1), blended in the
/// integer domain as the reference does: xMix = v + lambda (xq - v) with
/// v = xh * (Q / a), wMix = u + lambda (wq - u) with u = W / g.
struct WarmupOperands {
  Value xMix, wMix;
};

WarmupOperands buildWarmupOperands(LinalgBuilder &h, Value x, Value gamma,
                                   Value beta, NormKind norm, float eps,
                                   int32_t q, Value lambda, Value xq,
                                   Value absmax, Value w, Value wq, Value g) {
  OpBuilder &rewriter = h.b;
  MLIRContext *ctx = rewriter.getContext();
  Type f32 = rewriter.getF32Type();
  auto xType = cast<RankedTensorType>(x.getType());
  Value xh = x;
  if (norm != NormKind::none)
    xh = NormalizeOp::create(rewriter, h.loc, xType, x, gamma, beta,
                             NormKindAttr::get(ctx, norm),
                             rewriter.getF32FloatAttr(eps));
  Value qv = h.f32(q), lam = lambda;
  auto blend = [&](OpBuilder &b, Location l, Value v, Value quantized) {
    if (!lam) // lambda = 1: the quantised value itself
      return sitofp(b, l, quantized);
    Value d = arith::SubFOp::create(b, l, sitofp(b, l, quantized), v);
    return arith::AddFOp::create(b, l, v, arith::MulFOp::create(b, l, lam, d))
        .getResult();
  };
  AffineMap id2 = identityMap(ctx, 2), rows = dimsMap(ctx, 2, {0});
  Value xMix = h.generic(
      {xh, xq, absmax}, h.empty(h.sizes(x), f32), {id2, id2, rows, id2},
      {par, par}, [&](OpBuilder &b, Location l, ValueRange a) {
        Value sx = arith::DivFOp::create(b, l, qv, a[2]);
        return blend(b, l, arith::MulFOp::create(b, l, a[0], sx), a[1]);
      });
  Value wMix = h.generic(
      {w, wq}, h.empty(h.sizes(w), f32), {id2, id2, id2}, {par, par},
      [&](OpBuilder &b, Location l, ValueRange a) {
        return blend(b, l, arith::DivFOp::create(b, l, a[0], g), a[1]);
      });
  return {xMix, wMix};
}

/// A BitLinear layer with lambda < 1 (training-time quantisation warm-up):
/// y = (f32(sum_i xMix w Mix in f64) + b) * ((g * a) / Q), as the reference.
struct BitLinearWarmupLowering : OpConversionPattern<BitLinearOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(BitLinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!op.isTrainingTime())
      return rewriter.notifyMatchFailure(op, "not a training-time layer");
    Value lambda = adaptor.getLambdaValue();
    if (!lambda && op.getLambda().convertToFloat() != 1.0f)
      lambda = LinalgBuilder{rewriter, op.getLoc()}.f32(
          op.getLambda().convertToFloat());
    if (op.getInput().getType().getRank() != 2)
      return op.emitOpError("warm-up layers (lambda < 1) are lowered for 2-D "
                            "inputs only");
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    LinalgBuilder h{rewriter, loc};
    Type f32 = rewriter.getF32Type(), f64 = rewriter.getF64Type(),
         i8 = rewriter.getI8Type();
    Value x = adaptor.getInput(), w = adaptor.getWeight();
    emitProductChecks(rewriter, loc, x, w, PackedType());
    auto xType = cast<RankedTensorType>(x.getType());
    auto wType = cast<RankedTensorType>(w.getType());
    auto quantized = QuantizeActivationsOp::create(
        rewriter, loc, RankedTensorType::get(xType.getShape(), i8),
        RankedTensorType::get(xType.getShape().drop_back(), f32), x,
        adaptor.getGamma(), adaptor.getBeta(), op.getActBits(), op.getQ(),
        op.getEps(), op.getNorm());
    Value g = WeightScaleOp::create(rewriter, loc, f32, w, op.getScale(),
                                    op.getEps());
    Value wq = adaptor.getRoundingSeed()
                   ? sampleWeights(h, w, g, adaptor.getRoundingSeed())
                   : QuantizeWeightsOp::create(
                         rewriter, loc,
                         RankedTensorType::get(wType.getShape(), i8), w, g)
                         .getResult();
    WarmupOperands mix = buildWarmupOperands(
        h, x, adaptor.getGamma(), adaptor.getBeta(), op.getNorm(),
        op.getEps().convertToFloat(), op.getQ(), lambda, quantized.getValues(),
        quantized.getAbsmax(), w, wq, g);
    SmallVector<OpFoldResult> ySizes = {h.sizes(x)[0], h.sizes(w)[0]};
    Value dot = h.generic(
        {mix.xMix, mix.wMix}, h.filled(ySizes, rewriter.getF64FloatAttr(0)),
        {dimsMap(ctx, 3, {0, 2}), dimsMap(ctx, 3, {1, 2}),
         dimsMap(ctx, 3, {0, 1})},
        {par, par, red}, [&](OpBuilder &b, Location l, ValueRange a) {
          Value t = arith::MulFOp::create(
              b, l, arith::ExtFOp::create(b, l, f64, a[0]),
              arith::ExtFOp::create(b, l, f64, a[1]));
          return addToF64Sum(b, l, a[2], t);
        });
    SmallVector<Value> ins = {dot, quantized.getAbsmax()};
    SmallVector<AffineMap> maps = {identityMap(ctx, 2), dimsMap(ctx, 2, {0})};
    Value bias = adaptor.getBias();
    if (bias) {
      ins.push_back(bias);
      maps.push_back(dimsMap(ctx, 2, {1}));
    }
    maps.push_back(identityMap(ctx, 2));
    Value q = h.f32(op.getQ());
    Value y =
        h.generic(ins, h.empty(ySizes, f32), maps, {par, par},
                  [&](OpBuilder &b, Location l, ValueRange a) {
                    Value v = arith::TruncFOp::create(b, l, f32, a[0]);
                    if (bias)
                      v = arith::AddFOp::create(b, l, v, a[2]);
                    Value factor = arith::DivFOp::create(
                        b, l, arith::MulFOp::create(b, l, g, a[1]), q);
                    return arith::MulFOp::create(b, l, v, factor).getResult();
                  });
    rewriter.replaceOp(
        op, tensor::CastOp::create(rewriter, loc, op.getResult().getType(), y));
    return success();
  }
};

struct BitLinearGradLowering : OpConversionPattern<BitLinearGradOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(BitLinearGradOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    LinalgBuilder h{rewriter, loc};
    Type f32 = rewriter.getF32Type(), f64 = rewriter.getF64Type(),
         i8 = rewriter.getI8Type();
    Value x = adaptor.getInput(), w = adaptor.getWeight(),
          dy = adaptor.getResultGrad();
    Value gamma = adaptor.getGamma(), beta = adaptor.getBeta();
    NormKind norm = op.getNorm();
    float eps = op.getEps().convertToFloat();

    Value m = tensor::DimOp::create(rewriter, loc, x, 0);
    Value n = tensor::DimOp::create(rewriter, loc, w, 0);
    emitProductChecks(rewriter, loc, x, w, PackedType());
    emitSizeCheck(rewriter, loc, tensor::DimOp::create(rewriter, loc, dy, 0), m,
                  TERNARY_CHECK_ROWS_MISMATCH);
    emitSizeCheck(rewriter, loc, tensor::DimOp::create(rewriter, loc, dy, 1), n,
                  TERNARY_CHECK_GRAD_COLUMNS);

    // The forward's quantities: xq and a (normalisation fused), g and wq.
    auto xType = cast<RankedTensorType>(x.getType());
    auto wType = cast<RankedTensorType>(w.getType());
    auto quantized = QuantizeActivationsOp::create(
        rewriter, loc, RankedTensorType::get(xType.getShape(), i8),
        RankedTensorType::get(xType.getShape().drop_back(), f32), x, gamma,
        beta, op.getActBits(), op.getQ(), op.getEps(), norm);
    Value g = adaptor.getWeightScale()
                  ? adaptor.getWeightScale()
                  : WeightScaleOp::create(rewriter, loc, f32, w, op.getScale(),
                                          op.getEps())
                        .getResult();
    Value wq = adaptor.getRoundingSeed()
                   ? sampleWeights(h, w, g, adaptor.getRoundingSeed())
                   : QuantizeWeightsOp::create(
                         rewriter, loc,
                         RankedTensorType::get(wType.getShape(), i8), w, g)
                         .getResult();
    Value xq = quantized.getValues(), absmax = quantized.getAbsmax();
    Value q = h.f32(op.getQ());
    // The operands of the product: the quantised values, or with lambda < 1
    // their blends with the unquantised ones (f32).
    if (adaptor.getLambdaValue() || op.getLambda().convertToFloat() != 1.0f) {
      Value lambda = adaptor.getLambdaValue()
                         ? adaptor.getLambdaValue()
                         : h.f32(op.getLambda().convertToFloat());
      WarmupOperands mix =
          buildWarmupOperands(h, x, gamma, beta, norm, eps, op.getQ(), lambda,
                              xq, absmax, w, wq, g);
      xq = mix.xMix;
      wq = mix.wMix;
    }

    // dbias[j] = sum_r dy[r, j] * ((g * a_r) / Q), space (r, j).
    SmallVector<OpFoldResult> nSizes = {h.sizes(w)[0]};
    Value dbias = h.generic(
        {dy, absmax}, h.filled(nSizes, rewriter.getF32FloatAttr(0)),
        {dimsMap(ctx, 2, {0, 1}), dimsMap(ctx, 2, {0}), dimsMap(ctx, 2, {1})},
        {red, par}, [&](OpBuilder &b, Location l, ValueRange a) {
          Value factor = arith::DivFOp::create(
              b, l, arith::MulFOp::create(b, l, g, a[1]), q);
          Value d = arith::MulFOp::create(b, l, a[0], factor);
          return arith::AddFOp::create(b, l, a[2], d).getResult();
        });

    // The products are plain f32 contractions, which the register-blocked
    // kernel of --ternary-vectorize-contractions takes: their operands are
    // made f32 first (the quantised values exactly, the row factor of dW
    // applied to dy).
    AffineMap id2 = identityMap(ctx, 2), rows = dimsMap(ctx, 2, {0}),
              cols = dimsMap(ctx, 2, {1});
    auto asF32 = [&](Value v) {
      if (cast<RankedTensorType>(v.getType()).getElementType().isF32())
        return v;
      return h.castElements(v, f32);
    };
    auto multiplyAccumulate = [](OpBuilder &b, Location l, ValueRange a) {
      Value t = arith::MulFOp::create(b, l, a[0], a[1]);
      return arith::AddFOp::create(b, l, a[2], t).getResult();
    };

    // dW[j, i] = sum_r (dy[r, j] * (a_r / Q)) * xq[r, i], space (r, j, i):
    // the innermost loop runs along rows of xq and dW.
    Value dyScaled =
        h.generic({dy, absmax}, h.empty(h.sizes(dy), f32), {id2, rows, id2},
                  {par, par}, [&](OpBuilder &b, Location l, ValueRange a) {
                    return arith::MulFOp::create(
                               b, l, a[0], arith::DivFOp::create(b, l, a[1], q))
                        .getResult();
                  });
    Value dw = h.generic({dyScaled, asF32(xq)},
                         h.filled(h.sizes(w), rewriter.getF32FloatAttr(0)),
                         {dimsMap(ctx, 3, {0, 1}), dimsMap(ctx, 3, {0, 2}),
                          dimsMap(ctx, 3, {1, 2})},
                         {red, par, par}, multiplyAccumulate);

    // The input-gradient product by the ternary weights:
    // p[r, i] = sum_j dy[r, j] * wq[j, i], space (r, j, i); dxh = g * p.
    Value p = h.generic({dy, asF32(wq)},
                        h.filled(h.sizes(x), rewriter.getF32FloatAttr(0)),
                        {dimsMap(ctx, 3, {0, 1}), dimsMap(ctx, 3, {1, 2}),
                         dimsMap(ctx, 3, {0, 2})},
                        {par, red, par}, multiplyAccumulate);

    SmallVector<Value> results = {Value(), dw, dbias};
    auto scaled = [&](OpBuilder &b, Location l, Value pv) {
      return arith::MulFOp::create(b, l, g, pv).getResult();
    };
    if (norm == NormKind::none) {
      results[0] =
          h.generic({p}, h.empty(h.sizes(x), f32), {id2, id2}, {par, par},
                    [&](OpBuilder &b, Location l, ValueRange a) {
                      return scaled(b, l, a[0]);
                    });
      rewriter.replaceOp(op, results);
      return success();
    }

    // Through the normalisation: xhat from the row statistics of x.
    NormKind plain = norm == NormKind::layer_affine ? NormKind::layer : norm;
    RowNorm stats = RowNorm::build(h, x, 2, plain, eps, Value(), Value());
    SmallVector<Value> normIns = {p, x};
    SmallVector<AffineMap> normMaps = {id2, id2};
    llvm::append_range(normIns, stats.inputs);
    llvm::append_range(normMaps, stats.maps);
    size_t gammaArg = normIns.size();
    if (norm == NormKind::layer_affine) {
      normIns.push_back(gamma);
      normMaps.push_back(cols);
    }
    auto statsArgs = [&](ValueRange a) {
      return a.slice(2, stats.inputs.size());
    };
    // dxhat = g * p (times gamma with layer_affine).
    auto dxhat = [&](OpBuilder &b, Location l, ValueRange a) {
      Value d = scaled(b, l, a[0]);
      if (norm == NormKind::layer_affine)
        d = arith::MulFOp::create(b, l, d, a[gammaArg]);
      return d;
    };
    if (norm == NormKind::layer_affine) {
      // dgamma[i] = sum_r g p[r, i] xhat[r, i], dbeta[i] = sum_r g p[r, i].
      SmallVector<Value> ins(normIns.begin(), normIns.begin() + gammaArg);
      SmallVector<AffineMap> maps(normMaps.begin(),
                                  normMaps.begin() + gammaArg);
      maps.push_back(cols);
      SmallVector<OpFoldResult> kSizes = {h.sizes(x)[1]};
      results.push_back(h.generic(
          ins, h.filled(kSizes, rewriter.getF32FloatAttr(0)), maps, {red, par},
          [&](OpBuilder &b, Location l, ValueRange a) {
            Value xhat = stats.apply(b, l, a[1], statsArgs(a));
            Value t = arith::MulFOp::create(b, l, scaled(b, l, a[0]), xhat);
            return arith::AddFOp::create(b, l, a.back(), t).getResult();
          }));
      results.push_back(h.generic(
          {p}, h.filled(kSizes, rewriter.getF32FloatAttr(0)), {id2, cols},
          {red, par}, [&](OpBuilder &b, Location l, ValueRange a) {
            return arith::AddFOp::create(b, l, a[1], scaled(b, l, a[0]))
                .getResult();
          }));
    }

    // Row sums of dxhat and dxhat * xhat, in f64.
    SmallVector<OpFoldResult> mSizes = {h.sizes(x)[0]};
    auto rowSum = [&](bool timesXhat) {
      SmallVector<AffineMap> maps = normMaps;
      maps.push_back(rows);
      return h.generic(
          normIns, h.filled(mSizes, rewriter.getF64FloatAttr(0)), maps,
          {par, red}, [&](OpBuilder &b, Location l, ValueRange a) {
            Value d = dxhat(b, l, a);
            if (timesXhat)
              d = arith::MulFOp::create(b, l, d,
                                        stats.apply(b, l, a[1], statsArgs(a)));
            Value wide = arith::ExtFOp::create(b, l, f64, d);
            return addToF64Sum(b, l, a.back(), wide);
          });
    };
    Value sumD = plain == NormKind::layer ? rowSum(false) : Value();
    Value sumDX = rowSum(true);

    // dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / denominator
    // (RMSNorm: without the mean(dxhat) term).
    SmallVector<Value> ins = normIns;
    SmallVector<AffineMap> maps = normMaps;
    ins.push_back(sumDX);
    maps.push_back(rows);
    if (sumD) {
      ins.push_back(sumD);
      maps.push_back(rows);
    }
    maps.push_back(id2);
    size_t sumArg = normIns.size();
    results[0] = h.generic(
        ins, h.empty(h.sizes(x), f32), maps, {par, par},
        [&](OpBuilder &b, Location l, ValueRange a) {
          auto mean = [&](Value sum) {
            return arith::TruncFOp::create(
                b, l, f32, arith::DivFOp::create(b, l, sum, stats.k));
          };
          Value xhat = stats.apply(b, l, a[1], statsArgs(a));
          Value d = dxhat(b, l, a);
          d = arith::SubFOp::create(
              b, l, d, arith::MulFOp::create(b, l, xhat, mean(a[sumArg])));
          if (sumD)
            d = arith::SubFOp::create(b, l, d, mean(a[sumArg + 1]));
          return arith::DivFOp::create(b, l, d,
                                       stats.denominator(b, l, statsArgs(a)))
              .getResult();
        });
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void mlir::ternary::detail::populateBitLinearTrainingPatterns(
    const TypeConverter &typeConverter, RewritePatternSet &patterns) {
  patterns.add<BitLinearWarmupLowering, BitLinearGradLowering>(
      typeConverter, patterns.getContext());
}
