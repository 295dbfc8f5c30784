//===- Optimizers.cpp - Optimiser ops to linalg ---------------------------===//
//
// Lowers ternary.adamw and ternary.sgd to one element-wise linalg.generic
// each (the scalar factors computed once, in f64, before it),
// ternary.lr_schedule to scalar arith/math code and
// ternary.global_norm to f64 sum-of-squares reductions; part of
// --convert-ternary-to-linalg.
//
//===----------------------------------------------------------------------===//

#include "Conversion/TernaryToLinalg/PopulatePatterns.h"
#include "Utils/LinalgBuilder.h"

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::detail;

namespace {

/// Scalar arithmetic at one location.
struct Scalars {
  OpBuilder &b;
  Location l;
  Value f64(double v) const {
    return arith::ConstantOp::create(b, l, b.getF64FloatAttr(v));
  }
  Value add(Value x, Value y) const {
    return arith::AddFOp::create(b, l, x, y);
  }
  Value sub(Value x, Value y) const {
    return arith::SubFOp::create(b, l, x, y);
  }
  Value mul(Value x, Value y) const {
    return arith::MulFOp::create(b, l, x, y);
  }
  Value div(Value x, Value y) const {
    return arith::DivFOp::create(b, l, x, y);
  }
  Value min(Value x, Value y) const {
    return arith::MinimumFOp::create(b, l, x, y);
  }
  Value max(Value x, Value y) const {
    return arith::MaximumFOp::create(b, l, x, y);
  }
  Value toF32(Value x) const {
    return arith::TruncFOp::create(b, l, b.getF32Type(), x);
  }
  Value fromI64(Value x) const {
    return arith::SIToFPOp::create(b, l, b.getF64Type(), x);
  }
  Value less(Value x, Value y) const {
    return arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, x, y);
  }
  Value select(Value c, Value x, Value y) const {
    return arith::SelectOp::create(b, l, c, x, y);
  }
};

/// An element-wise generic over tensors of one shape with several results.
SmallVector<Value> elementwise(
    OpBuilder &b, Location loc, ValueRange inputs, unsigned results,
    function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)> body) {
  auto type = cast<RankedTensorType>(inputs[0].getType());
  LinalgBuilder h{b, loc};
  SmallVector<Value> outs;
  for (unsigned i = 0; i < results; ++i)
    outs.push_back(h.empty(h.sizes(inputs[0]), type.getElementType()));
  SmallVector<AffineMap> maps(inputs.size() + results,
                              b.getMultiDimIdentityMap(type.getRank()));
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  auto op = linalg::GenericOp::create(
      b, loc, TypeRange(SmallVector<Type>(results, type)), inputs, outs, maps,
      iterators, [&](OpBuilder &nb, Location nl, ValueRange args) {
        linalg::YieldOp::create(nb, nl, body(nb, nl, args));
      });
  return op.getResults();
}

struct AdamWLowering : OpConversionPattern<AdamWOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AdamWOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Scalars s{rewriter, loc};
    double beta1 = op.getBeta1().convertToDouble();
    double beta2 = op.getBeta2().convertToDouble();
    Value step = s.fromI64(adaptor.getStep());
    Value lr = adaptor.getLr();
    auto pow = [&](double base) {
      return math::PowFOp::create(rewriter, loc, s.f64(base), step).getResult();
    };
    // PyTorch: decay = 1 - lr * wd; step_size = lr / (1 - beta1^t);
    // bc2_sqrt = sqrt(1 - beta2^t); all Python floats, then f32.
    Value decay =
        s.toF32(s.sub(s.f64(1.0), s.mul(lr, adaptor.getWeightDecay())));
    Value stepSize = s.toF32(s.div(lr, s.sub(s.f64(1.0), pow(beta1))));
    Value bc2Sqrt = s.toF32(
        math::SqrtOp::create(rewriter, loc, s.sub(s.f64(1.0), pow(beta2))));
    Value eps = s.toF32(s.f64(op.getEps().convertToDouble()));
    Value b1 = s.toF32(s.f64(beta1)), c1 = s.toF32(s.f64(1.0 - beta1));
    Value b2 = s.toF32(s.f64(beta2)), c2 = s.toF32(s.f64(1.0 - beta2));
    SmallVector<Value> results = elementwise(
        rewriter, loc,
        {adaptor.getParam(), adaptor.getGrad(), adaptor.getExpAvg(),
         adaptor.getExpAvgSq()},
        3, [&](OpBuilder &b, Location l, ValueRange a) -> SmallVector<Value> {
          Scalars e{b, l};
          Value p = e.mul(a[0], decay);
          Value m = e.add(e.mul(a[2], b1), e.mul(a[1], c1));
          Value v = e.add(e.mul(a[3], b2), e.mul(e.mul(a[1], a[1]), c2));
          Value denom =
              e.add(e.div(math::SqrtOp::create(b, l, v), bc2Sqrt), eps);
          Value update = e.mul(e.div(m, denom), stepSize);
          return {e.sub(p, update), m, v};
        });
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct SGDLowering : OpConversionPattern<SGDOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SGDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Scalars s{rewriter, loc};
    double momentum = op.getMomentum().convertToDouble();
    bool nesterov = op.getNesterov();
    Value lr = s.toF32(adaptor.getLr());
    Value wd = s.toF32(adaptor.getWeightDecay());
    Value mom = s.toF32(s.f64(momentum));
    SmallVector<Value> results = elementwise(
        rewriter, loc,
        {adaptor.getParam(), adaptor.getGrad(), adaptor.getMomentumBuffer()}, 2,
        [&](OpBuilder &b, Location l, ValueRange a) -> SmallVector<Value> {
          Scalars e{b, l};
          Value d = e.add(a[1], e.mul(a[0], wd));
          Value buf = a[2];
          if (momentum != 0.0) {
            buf = e.add(e.mul(a[2], mom), d);
            d = nesterov ? e.add(d, e.mul(buf, mom)) : buf;
          }
          return {e.sub(a[0], e.mul(d, lr)), buf};
        });
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct LRScheduleLowering : OpConversionPattern<LRScheduleOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(LRScheduleOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Scalars s{rewriter, op.getLoc()};
    double peak = op.getLr().convertToDouble();
    double minLr = op.getMinLr().convertToDouble();
    double warmup = op.getWarmupSteps(), total = op.getTotalSteps();
    Value t = s.fromI64(adaptor.getStep());
    Value one = s.f64(1.0), zero = s.f64(0.0);
    // min(1, (t + 1) / W), 1 without warm-up.
    Value warm =
        warmup > 0 ? s.min(one, s.div(s.add(t, one), s.f64(warmup))) : one;
    /// Progress through [from, to), clamped to [0, 1].
    auto progress = [&](double from, double to) {
      Value p = s.div(s.sub(t, s.f64(from)), s.f64(to - from));
      return s.min(one, s.max(zero, p));
    };
    Value lr;
    switch (op.getSchedule()) {
    case LRSchedule::constant:
      lr = s.f64(peak);
      break;
    case LRSchedule::linear_warmup:
      lr = s.mul(s.f64(peak), warm);
      break;
    case LRSchedule::cosine: {
      Value angle = s.mul(s.f64(M_PI), progress(warmup, total));
      Value cosine = math::CosOp::create(rewriter, op.getLoc(), angle);
      Value halfCosine = s.add(one, cosine);
      Value decayed =
          s.add(s.f64(minLr), s.mul(s.f64((peak - minLr) / 2), halfCosine));
      // One statement per op that is not a constant: the order of function
      // arguments is unspecified, and the IR must not depend on the host
      // compiler (gcc and clang evaluate them in opposite orders).
      Value ramp = s.mul(s.f64(peak), warm);
      Value inWarmup = s.less(t, s.f64(warmup));
      lr = s.select(inWarmup, ramp, decayed);
      break;
    }
    case LRSchedule::two_stage: {
      double half = std::floor(total / 2);
      Value ramp = s.mul(s.f64(peak), warm);
      Value firstProgress = progress(std::min(warmup, half), half);
      Value firstFactor = s.sub(one, s.mul(s.f64(0.5), firstProgress));
      Value first = s.mul(ramp, firstFactor);
      Value secondFactor = s.sub(one, progress(half, total));
      Value second = s.mul(s.f64(minLr), secondFactor);
      Value inFirst = s.less(t, s.f64(half));
      lr = s.select(inFirst, first, second);
      break;
    }
    }
    rewriter.replaceOp(op, lr);
    return success();
  }
};

struct GlobalNormLowering : OpConversionPattern<GlobalNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GlobalNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    LinalgBuilder h{rewriter, loc};
    Scalars s{rewriter, loc};
    Type f64 = rewriter.getF64Type();
    Value total = s.f64(0.0);
    for (Value g : adaptor.getInputs()) {
      Value sum = h.sumF64(g, [&](OpBuilder &b, Location l, Value x) -> Value {
        Value v = arith::ExtFOp::create(b, l, f64, x);
        return arith::MulFOp::create(b, l, v, v);
      });
      total = s.add(
          total, tensor::ExtractOp::create(rewriter, loc, sum, ValueRange{}));
    }
    rewriter.replaceOp(op, s.toF32(math::SqrtOp::create(rewriter, loc, total)));
    return success();
  }
};

} // namespace

void mlir::ternary::detail::populateOptimizerPatterns(
    const TypeConverter &typeConverter, RewritePatternSet &patterns) {
  patterns
      .add<AdamWLowering, SGDLowering, LRScheduleLowering, GlobalNormLowering>(
          typeConverter, patterns.getContext());
}
