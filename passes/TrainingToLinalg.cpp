//===- TrainingToLinalg.cpp - Training ops of ternary to linalg -----------===//
//
// Lowers the ops the autodiff pass creates (ternary.bitlinear_grad) and the
// loss (ternary.cross_entropy, ternary.cross_entropy_grad) to linalg.generic
// on tensors; part of --convert-ternary-to-linalg.
//
// The backward pass recomputes the forward's quantities with the forward's
// own ops (quantize_activations, weight_scale, quantize_weights), so the
// gradients see exactly the values the forward pass used.
//
//===----------------------------------------------------------------------===//

#include "LinalgBuilder.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::detail;

namespace {

using utils::IteratorType;
constexpr IteratorType par = IteratorType::parallel;
constexpr IteratorType red = IteratorType::reduction;

/// The map of a `rank`-D iteration space onto the dimensions `dims`.
AffineMap dimsMap(MLIRContext *ctx, unsigned rank, ArrayRef<unsigned> dims) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d : dims)
    exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

/// A uniform draw in [0, 1) for (seed, index), both i64: the top 24 bits
/// of splitmix64(seed * 2^32 + index), exact in f32. The generator of
/// ternary.dropout and of stochastic weight rounding.
Value uniformDraw(OpBuilder &b, Location l, Value seed, Value index) {
  auto cst = [&](uint64_t v) {
    return arith::ConstantOp::create(b, l,
                                     b.getI64IntegerAttr(static_cast<int64_t>(v)))
        .getResult();
  };
  Value z = arith::AddIOp::create(
      b, l, arith::ShLIOp::create(b, l, seed, cst(32)), index);
  z = arith::AddIOp::create(b, l, z, cst(0x9E3779B97F4A7C15ull));
  auto mix = [&](Value v, uint64_t shift, uint64_t mul) {
    Value s = arith::ShRUIOp::create(b, l, v, cst(shift));
    Value xr = arith::XOrIOp::create(b, l, v, s);
    return mul ? arith::MulIOp::create(b, l, xr, cst(mul)).getResult() : xr;
  };
  z = mix(z, 30, 0xBF58476D1CE4E5B9ull);
  z = mix(z, 27, 0x94D049BB133111EBull);
  z = mix(z, 31, 0);
  Value top = arith::ShRUIOp::create(b, l, z, cst(40));
  return arith::MulFOp::create(
      b, l, arith::UIToFPOp::create(b, l, b.getF32Type(), top),
      LinalgBuilder{b, l}.f32(1.0 / (1 << 24)));
}

/// Stochastically rounded ternary weights (i8): sign(v) * [|v| >= u] with
/// v = W / g and u the draw of (seed, row-major index).
Value sampleWeights(LinalgBuilder &h, Value w, Value g, Value seed) {
  OpBuilder &rewriter = h.b;
  Type i64 = rewriter.getI64Type();
  Value k = arith::IndexCastOp::create(
      rewriter, h.loc, i64, tensor::DimOp::create(rewriter, h.loc, w, 1));
  AffineMap id = rewriter.getMultiDimIdentityMap(2);
  return h.generic(
      {w}, h.empty(h.sizes(w), rewriter.getI8Type()), {id, id}, {par, par},
      [&](OpBuilder &b, Location l, ValueRange a) {
        auto index = [&](unsigned d) {
          return arith::IndexCastOp::create(b, l, i64,
                                            linalg::IndexOp::create(b, l, d))
              .getResult();
        };
        Value linear = arith::AddIOp::create(
            b, l, arith::MulIOp::create(b, l, index(0), k), index(1));
        Value u = uniformDraw(b, l, seed, linear);
        Value v = arith::DivFOp::create(b, l, a[0], g);
        Value keep = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE,
                                           math::AbsFOp::create(b, l, v), u);
        auto i8c = [&](int v) {
          return arith::ConstantOp::create(b, l, b.getI8IntegerAttr(v))
              .getResult();
        };
        LinalgBuilder hb{b, l};
        Value sign = arith::SelectOp::create(
            b, l,
            arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, v, hb.f32(0)),
            i8c(1),
            arith::SelectOp::create(
                b, l,
                arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, v,
                                      hb.f32(0)),
                i8c(-1), i8c(0)));
        return arith::SelectOp::create(b, l, keep, sign, i8c(0)).getResult();
      });
}

/// An i8 value as f32 (f32 values pass through).
Value sitofp(OpBuilder &b, Location l, Value v) {
  if (v.getType().isF32())
    return v;
  return arith::SIToFPOp::create(b, l, b.getF32Type(), v);
}

//===----------------------------------------------------------------------===//
// BitLinearGradOp
//===----------------------------------------------------------------------===//

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
        op.getEps().convertToFloat(), op.getQ(), lambda,
        quantized.getValues(), quantized.getAbsmax(), w, wq, g);
    SmallVector<OpFoldResult> ySizes = {h.sizes(x)[0], h.sizes(w)[0]};
    Value dot = h.generic(
        {mix.xMix, mix.wMix}, h.filled(ySizes, rewriter.getF64FloatAttr(0)),
        {dimsMap(ctx, 3, {0, 2}), dimsMap(ctx, 3, {1, 2}),
         dimsMap(ctx, 3, {0, 1})},
        {par, par, red}, [&](OpBuilder &b, Location l, ValueRange a) {
          Value t = arith::MulFOp::create(b, l,
                                          arith::ExtFOp::create(b, l, f64, a[0]),
                                          arith::ExtFOp::create(b, l, f64, a[1]));
          return arith::AddFOp::create(b, l, a[2], t).getResult();
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
    Value y = h.generic(
        ins, h.empty(ySizes, f32), maps, {par, par},
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value v = arith::TruncFOp::create(b, l, f32, a[0]);
          if (bias)
            v = arith::AddFOp::create(b, l, v, a[2]);
          Value factor = arith::DivFOp::create(
              b, l, arith::MulFOp::create(b, l, g, a[1]), q);
          return arith::MulFOp::create(b, l, v, factor).getResult();
        });
    rewriter.replaceOp(op, tensor::CastOp::create(rewriter, loc,
                                                  op.getResult().getType(), y));
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
    emitSizeCheck(rewriter, loc, tensor::DimOp::create(rewriter, loc, dy, 0),
                  m, TERNARY_CHECK_ROWS_MISMATCH);
    emitSizeCheck(rewriter, loc, tensor::DimOp::create(rewriter, loc, dy, 1),
                  n, TERNARY_CHECK_GRAD_COLUMNS);

    // The forward's quantities: xq and a (normalisation fused), g and wq.
    auto xType = cast<RankedTensorType>(x.getType());
    auto wType = cast<RankedTensorType>(w.getType());
    auto quantized = QuantizeActivationsOp::create(
        rewriter, loc, RankedTensorType::get(xType.getShape(), i8),
        RankedTensorType::get(xType.getShape().drop_back(), f32), x, gamma,
        beta, op.getActBits(), op.getQ(), op.getEps(), norm);
    Value g = WeightScaleOp::create(rewriter, loc, f32, w, op.getScale(),
                                    op.getEps());
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

    // dW[j, i] = sum_r (dy[r, j] * (a_r / Q)) * xq[r, i], space (r, j, i):
    // the innermost loop runs along rows of xq and dW.
    Value dw = h.generic(
        {dy, absmax, xq}, h.filled(h.sizes(w), rewriter.getF32FloatAttr(0)),
        {dimsMap(ctx, 3, {0, 1}), dimsMap(ctx, 3, {0}), dimsMap(ctx, 3, {0, 2}),
         dimsMap(ctx, 3, {1, 2})},
        {red, par, par}, [&](OpBuilder &b, Location l, ValueRange a) {
          Value d = arith::MulFOp::create(
              b, l, a[0], arith::DivFOp::create(b, l, a[1], q));
          Value t = arith::MulFOp::create(b, l, d, sitofp(b, l, a[2]));
          return arith::AddFOp::create(b, l, a[3], t).getResult();
        });

    // The input-gradient product by the ternary weights:
    // p[r, i] = sum_j dy[r, j] * wq[j, i], space (r, j, i); dxh = g * p.
    Value p = h.generic(
        {dy, wq}, h.filled(h.sizes(x), rewriter.getF32FloatAttr(0)),
        {dimsMap(ctx, 3, {0, 1}), dimsMap(ctx, 3, {1, 2}),
         dimsMap(ctx, 3, {0, 2})},
        {par, red, par}, [&](OpBuilder &b, Location l, ValueRange a) {
          Value t = arith::MulFOp::create(b, l, a[0], sitofp(b, l, a[1]));
          return arith::AddFOp::create(b, l, a[2], t).getResult();
        });

    SmallVector<Value> results = {Value(), dw, dbias};
    AffineMap id2 = identityMap(ctx, 2), rows = dimsMap(ctx, 2, {0}),
              cols = dimsMap(ctx, 2, {1});
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
      SmallVector<AffineMap> maps(normMaps.begin(), normMaps.begin() + gammaArg);
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
      return h.generic(normIns, h.filled(mSizes, rewriter.getF64FloatAttr(0)),
                       maps, {par, red},
                       [&](OpBuilder &b, Location l, ValueRange a) {
                         Value d = dxhat(b, l, a);
                         if (timesXhat)
                           d = arith::MulFOp::create(
                               b, l, d, stats.apply(b, l, a[1], statsArgs(a)));
                         Value wide = arith::ExtFOp::create(b, l, f64, d);
                         return arith::AddFOp::create(b, l, a.back(), wide)
                             .getResult();
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
          return arith::DivFOp::create(
                     b, l, d, stats.denominator(b, l, statsArgs(a)))
              .getResult();
        });
    rewriter.replaceOp(op, results);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// CrossEntropyOp, CrossEntropyGradOp
//===----------------------------------------------------------------------===//

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
    emitSizeCheck(rewriter, loc, tensor::DimOp::create(rewriter, loc, labels, 0),
                  m, TERNARY_CHECK_ROWS_MISMATCH);

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
          Value ignore = arith::ConstantOp::create(
              b, l, b.getI64IntegerAttr(ignoreIndex));
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
    AffineMap id1 = identityMap(ctx, 1), scalar1 = AffineMap::get(1, 0, {}, ctx);
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
    Value dloss = tensor::ExtractOp::create(rewriter, loc, adaptor.getLossGrad(),
                                            ValueRange{});
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
              math::ExpOp::create(b, l, arith::SubFOp::create(b, l, a[0], a[2])),
              a[3]);
          Value col = linalg::IndexOp::create(b, l, 1);
          Value hit = arith::CmpIOp::create(
              b, l, arith::CmpIPredicate::eq, col,
              SoftmaxRows::column(b, l, a[1], kept));
          LinalgBuilder hb{b, l};
          Value target = arith::SelectOp::create(b, l, hit, hb.f32(1), hb.f32(0));
          Value d = arith::MulFOp::create(
              b, l, arith::SubFOp::create(b, l, p, target), perRow);
          return arith::SelectOp::create(b, l, kept, d, hb.f32(0)).getResult();
        });
    rewriter.replaceOp(op, grad);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// EmbeddingOp, EmbeddingGradOp
//===----------------------------------------------------------------------===//

/// Emits the run-time check that every id is in [0, V).
void emitIdChecks(LinalgBuilder &h, Value ids, Value rows) {
  OpBuilder &b = h.b;
  auto type = cast<RankedTensorType>(ids.getType());
  unsigned rank = type.getRank();
  Value v = arith::IndexCastOp::create(b, h.loc, b.getI64Type(), rows);
  SmallVector<IteratorType> iterators(rank, red);
  Value bad = h.generic(
      {ids}, h.filled({}, b.getI64IntegerAttr(0)),
      {b.getMultiDimIdentityMap(rank), AffineMap::get(rank, 0, {}, b.getContext())},
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
        {rowsMap(rewriter.getContext(), rank), identityMap(rewriter.getContext(), rank)},
        SmallVector<IteratorType>(rank, par),
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value row = arith::IndexCastOp::create(b, l, b.getIndexType(), a[0]);
          Value col = linalg::IndexOp::create(b, l, rank - 1);
          return tensor::ExtractOp::create(b, l, table, ValueRange{row, col})
              .getResult();
        });
    rewriter.replaceOp(op, tensor::CastOp::create(rewriter, loc, resultType,
                                                  result));
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
      ids = tensor::CollapseShapeOp::create(rewriter, loc, ids,
                                            ArrayRef<ReassociationIndices>{all});
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
                Value g = tensor::ExtractOp::create(nb, nl, dout,
                                                    ValueRange{p, d});
                Value old = tensor::ExtractOp::create(nb, nl, grad[0],
                                                      ValueRange{row, d});
                Value sum = arith::AddFOp::create(nb, nl, old, g);
                Value next = tensor::InsertOp::create(nb, nl, sum, grad[0],
                                                      ValueRange{row, d});
                scf::YieldOp::create(nb, nl, next);
              });
          scf::YieldOp::create(b, l, inner.getResults());
        });
    rewriter.replaceOp(op, tensor::CastOp::create(
                               rewriter, loc, op.getTableGrad().getType(),
                               outer.getResult(0)));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// SpmmOp, SpmmTransposeOp
//===----------------------------------------------------------------------===//

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
  auto count = [&](Value over, function_ref<Value(OpBuilder &, Location,
                                                  Value)> bad) {
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
    Value r1 = arith::AddIOp::create(
        nb, l, r, arith::ConstantIndexOp::create(nb, l, 1));
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
        Value r1 = arith::AddIOp::create(rb, rl, r,
                                         arith::ConstantIndexOp::create(rb, rl, 1));
        Value begin = asIndex(rb, rl, tensor::ExtractOp::create(rb, rl, indptr, r));
        Value end = asIndex(rb, rl, tensor::ExtractOp::create(rb, rl, indptr, r1));
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
                    scf::YieldOp::create(
                        db, dl, update(db, dl, acc3[0], r, c, v, d));
                  });
              scf::YieldOp::create(eb, el, cols.getResults());
            });
        scf::YieldOp::create(rb, rl, entries.getResults());
      });
  return rows.getResult(0);
}

/// acc[at..] += v * src[from..], on tensors.
Value accumulate(OpBuilder &b, Location l, Value acc, Value src,
                 ValueRange at, ValueRange from, Value v) {
  Value x = tensor::ExtractOp::create(b, l, src, from);
  Value old = tensor::ExtractOp::create(b, l, acc, at);
  Value sum = arith::AddFOp::create(b, l, old, arith::MulFOp::create(b, l, v, x));
  return tensor::InsertOp::create(b, l, sum, acc, at);
}

/// A [M, N] CSR matrix A times a dense input: A x ([N, D] -> [M, D]) or,
/// `transposed`, A^T x ([M, D] -> [outRows = N, D]), with the run-time
/// checks of the CSR arrays.
Value csrProduct(LinalgBuilder &h, Value indptr, Value indices, Value values,
                 Value input, Value outRows, bool transposed) {
  OpBuilder &b = h.b;
  Location loc = h.loc;
  Value m = arith::SubIOp::create(b, loc, tensor::DimOp::create(b, loc, indptr, 0),
                                  h.index(1));
  Value columns =
      transposed ? outRows : tensor::DimOp::create(b, loc, input, 0).getResult();
  emitCsrChecks(h, indptr, indices, columns);
  emitSizeCheck(b, loc, tensor::DimOp::create(b, loc, values, 0),
                tensor::DimOp::create(b, loc, indices, 0), TERNARY_CHECK_CSR);
  if (transposed)
    emitSizeCheck(b, loc, tensor::DimOp::create(b, loc, input, 0), m,
                  TERNARY_CHECK_ROWS_MISMATCH);
  Value dSize = tensor::DimOp::create(b, loc, input, 1);
  Value init =
      h.filled({transposed ? outRows : m, dSize}, b.getF32FloatAttr(0));
  return csrLoops(h, indptr, indices, values, dSize, init,
                  [&](OpBuilder &nb, Location l, Value acc, Value r, Value c,
                      Value v, Value d) {
                    return transposed
                               ? accumulate(nb, l, acc, input, {c, d}, {r, d}, v)
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
                              adaptor.getValues(), adaptor.getInput(),
                              Value(), /*transposed=*/false);
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
    Value n = tensor::DimOp::create(rewriter, op.getLoc(), adaptor.getLike(), 0);
    Value result = csrProduct(h, adaptor.getIndptr(), adaptor.getIndices(),
                              adaptor.getValues(), adaptor.getInput(), n,
                              /*transposed=*/true);
    rewriter.replaceOp(op, tensor::CastOp::create(rewriter, op.getLoc(),
                                                  op.getResult().getType(),
                                                  result));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// DropoutOp
//===----------------------------------------------------------------------===//

struct DropoutLowering : OpConversionPattern<DropoutOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DropoutOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    LinalgBuilder h{rewriter, loc};
    Value x = adaptor.getInput();
    double p = op.getP().convertToDouble();
    if (p == 0.0) {
      rewriter.replaceOp(op, x);
      return success();
    }
    auto type = cast<RankedTensorType>(x.getType());
    unsigned rank = type.getRank();
    Type i64 = rewriter.getI64Type();
    SmallVector<Value> sizes;
    for (unsigned d = 0; d < rank; ++d)
      sizes.push_back(arith::IndexCastOp::create(
          rewriter, loc, i64, tensor::DimOp::create(rewriter, loc, x, d)));
    Value seed = adaptor.getSeed();
    Value scale = h.f32(1.0 / (1.0 - p));
    Value threshold = h.f32(p);
    AffineMap id = rewriter.getMultiDimIdentityMap(rank);
    Value result = h.generic(
        {x}, h.empty(h.sizes(x), rewriter.getF32Type()), {id, id},
        SmallVector<IteratorType>(rank, par),
        [&](OpBuilder &b, Location l, ValueRange a) {
          auto cst = [&](uint64_t v) {
            return arith::ConstantOp::create(
                       b, l, b.getI64IntegerAttr(static_cast<int64_t>(v)))
                .getResult();
          };
          // The row-major linear index.
          Value index = cst(0);
          for (unsigned d = 0; d < rank; ++d) {
            Value i = arith::IndexCastOp::create(
                b, l, i64, linalg::IndexOp::create(b, l, d));
            index = arith::AddIOp::create(
                b, l, arith::MulIOp::create(b, l, index, sizes[d]), i);
          }
          Value u = uniformDraw(b, l, seed, index);
          Value keep =
              arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE, u, threshold);
          Value kept = arith::MulFOp::create(b, l, a[0], scale);
          return arith::SelectOp::create(b, l, keep, kept,
                                         LinalgBuilder{b, l}.f32(0))
              .getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::ternary::populateTernaryTrainingToLinalgConversionPatterns(
    const TypeConverter &typeConverter, RewritePatternSet &patterns) {
  patterns.add<BitLinearWarmupLowering, BitLinearGradLowering,
               CrossEntropyLowering,
               CrossEntropyGradLowering, EmbeddingLowering,
               EmbeddingGradLowering, SpmmLowering, SpmmTransposeLowering,
               DropoutLowering>(typeConverter, patterns.getContext());
}
