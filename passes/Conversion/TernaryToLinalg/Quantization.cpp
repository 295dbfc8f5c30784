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
#include "Utils/LinalgBuilder.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <cmath>
#include <limits>
#include <tuple>

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

/// The lower median of |W| as an i32 bit pattern (the bit patterns of
/// non-negative floats are ordered like the floats), and whether an element
/// is NaN or infinite.
struct AbsMedian {
  Value bits;
  Value nonFinite;
};

/// How the next sweep of the median search places its two thresholds.
enum SearchMode : int32_t {
  /// Around 0.85 to 1.6 times the geometric mean of |w| (the mean of the bit
  /// patterns): the median of the usual weight distributions (uniform,
  /// normal, Laplace: 1.23 to 1.36 times it; log-normal, Cauchy: 1).
  GeometricGuess = 0,
  /// Linear interpolation of the rank inside the bracket, +- half the
  /// square root of its count.
  Interpolate = 1,
  /// The bracket's bit range in thirds: taken after a sweep that did not
  /// shrink it 4x, it bounds the search at about 40 sweeps on any data.
  Trisect = 2,
};

/// Selects, for a 1-D tensor `w`, the element of rank r = (n - 1) / 2 of
/// u = |bits(w)| (PyTorch's lower median) by counting sweeps that each
/// narrow a bracket [a, b]:
/// `a` and `b` are elements, ca = #{u < a} <= r < cb = #{u <= b}. A sweep
/// counts the elements below two thresholds t1 <= t2 in (a, b] and records
/// the largest element below and the smallest at or above each, so the
/// bracket's ends stay elements; it is the answer once a == b, or when the
/// rank lands on an end (r == ca: a; r == cb - 1: b). Every sweep shrinks
/// the bracket, usually 10x or more: 5 to 9 sweeps for 10^5 weights of the
/// usual distributions (simulated), instead of the 31 of a bit-by-bit search.
/// The first sweep takes the range (and so tells a NaN or an infinity, whose
/// bit patterns are the largest) and the mean bit pattern.
AbsMedian selectAbsMedian(LinalgBuilder &h, Value w, Value count,
                          Type countType) {
  OpBuilder &b = h.b;
  Location loc = h.loc;
  MLIRContext *ctx = b.getContext();
  Type i32 = b.getI32Type(), i64 = b.getI64Type(), f32 = b.getF32Type();
  AffineMap id = AffineMap::getMultiDimIdentityMap(1, ctx);
  AffineMap scalar = AffineMap::get(1, 0, ctx);
  SmallVector<IteratorType> all(1, IteratorType::reduction);
  constexpr int32_t kNone = std::numeric_limits<int32_t>::max();
  auto absBits = [](OpBuilder &nb, Location l, Value x) -> Value {
    Value v = arith::BitcastOp::create(nb, l, nb.getI32Type(), x);
    return arith::AndIOp::create(nb, l, v, LinalgBuilder{nb, l}.i32(kNone));
  };
  auto fill = [&](Type type, int64_t value) {
    return h.filled({}, b.getIntegerAttr(type, value));
  };
  auto extract = [&](Value t) {
    return tensor::ExtractOp::create(b, loc, t, ValueRange{}).getResult();
  };
  auto toCount = [&](Value v) {
    return countType == i64 ? v : arith::TruncIOp::create(b, loc, countType, v);
  };
  auto sel = [&](Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y).getResult();
  };
  auto cmp = [&](arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y).getResult();
  };
  using P = arith::CmpIPredicate;

  // The first sweep: min, max and the i64 sum of the bit patterns.
  SmallVector<Value> range = h.generic(
      w, {fill(i32, kNone), fill(i32, -1), fill(i64, 0)},
      {id, scalar, scalar, scalar}, all,
      [&](OpBuilder &nb, Location l, ValueRange a) -> SmallVector<Value> {
        Value u = absBits(nb, l, a[0]);
        Value wide = arith::ExtUIOp::create(nb, l, nb.getI64Type(), u);
        return {arith::MinSIOp::create(nb, l, a[1], u),
                arith::MaxSIOp::create(nb, l, a[2], u),
                arith::AddIOp::create(nb, l, a[3], wide)};
      });
  Value lo = extract(range[0]), hi = extract(range[1]);
  Value nonFinite = cmp(P::sge, hi, h.i32(0x7f800000));
  Value one64 = h.i64(1);
  Value safeCount = arith::MaxSIOp::create(b, loc, count, one64);
  Value meanBits = arith::TruncIOp::create(
      b, loc, i32,
      arith::DivSIOp::create(b, loc, extract(range[2]), safeCount));
  Value r = toCount(arith::DivSIOp::create(
      b, loc, arith::SubIOp::create(b, loc, count, one64), h.i64(2)));
  Value n = toCount(count);
  Value zero =
      arith::ConstantOp::create(b, loc, b.getIntegerAttr(countType, 0));
  Value oneCount =
      arith::ConstantOp::create(b, loc, b.getIntegerAttr(countType, 1));

  // Once the rank lands on an end of the bracket, that end is the answer.
  auto settle = [&](Value &a, Value &bb, Value ca, Value cb) {
    Value atLow = cmp(P::eq, r, ca);
    Value atHigh = cmp(P::eq, r, arith::SubIOp::create(b, loc, cb, oneCount));
    bb = sel(atLow, a, bb);
    a = sel(atHigh, bb, a);
  };
  // No search on an empty tensor or one with a NaN or an infinity (the scale
  // is eps or NaN then).
  Value a0 = lo;
  Value b0 = sel(nonFinite, lo, hi);
  settle(a0, b0, zero, n);

  Value modeGuess = h.i32(GeometricGuess);
  auto loop = scf::WhileOp::create(
      b, loc, TypeRange{i32, i32, countType, countType, i32},
      ValueRange{a0, b0, zero, n, modeGuess},
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value go = arith::CmpIOp::create(nb, l, P::slt, args[0], args[1]);
        scf::ConditionOp::create(nb, l, go, args);
      },
      [&](OpBuilder &nb, Location l, ValueRange args) {
        // The lambdas above build with `b`: at the body's insertion point.
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
        LinalgBuilder hb{b, l};
        Value a = args[0], bb = args[1], ca = args[2], cb = args[3],
              mode = args[4];
        auto asFloat = [&](Value v) {
          return arith::BitcastOp::create(b, l, f32, v).getResult();
        };
        auto asBits = [&](Value v) {
          return arith::BitcastOp::create(b, l, i32, v).getResult();
        };
        auto toF32 = [&](Value v) {
          return arith::SIToFPOp::create(b, l, f32, v).getResult();
        };
        // Interpolate: the rank's place in the bracket, +- s.
        Value m = toF32(arith::SubIOp::create(b, l, cb, ca));
        Value k = toF32(arith::SubIOp::create(b, l, r, ca));
        Value p = arith::DivFOp::create(
            b, l, arith::AddFOp::create(b, l, k, hb.f32(0.5)), m);
        Value spread = arith::DivFOp::create(
            b, l,
            arith::MaximumFOp::create(
                b, l, hb.f32(1),
                arith::MulFOp::create(b, l, hb.f32(0.5),
                                      math::SqrtOp::create(b, l, m))),
            m);
        Value q1 = arith::MaximumFOp::create(
            b, l, arith::SubFOp::create(b, l, p, spread), hb.f32(0));
        Value q2 = arith::MinimumFOp::create(
            b, l, arith::AddFOp::create(b, l, p, spread), hb.f32(1));
        Value af = asFloat(a);
        Value width = arith::SubFOp::create(b, l, asFloat(bb), af);
        auto at = [&](Value q) {
          return asBits(arith::AddFOp::create(
              b, l, af, arith::MulFOp::create(b, l, q, width)));
        };
        Value interp1 = at(q1);
        Value interp2 = arith::AddIOp::create(b, l, at(q2), hb.i32(1));
        // Geometric guess.
        Value mean = asFloat(meanBits);
        Value guess1 = asBits(arith::MulFOp::create(b, l, mean, hb.f32(0.85)));
        Value guess2 = arith::AddIOp::create(
            b, l, asBits(arith::MulFOp::create(b, l, mean, hb.f32(1.6))),
            hb.i32(1));
        // Trisect: a + w/3 and a + w - w/3 + 1 (no overflow: w < 2^31).
        Value bitWidth = arith::SubIOp::create(b, l, bb, a);
        Value third = arith::DivSIOp::create(b, l, bitWidth, hb.i32(3));
        Value tri1 = arith::AddIOp::create(b, l, a, third);
        Value tri2 = arith::AddIOp::create(
            b, l,
            arith::AddIOp::create(b, l, a,
                                  arith::SubIOp::create(b, l, bitWidth, third)),
            hb.i32(1));
        Value isGuess = cmp(P::eq, mode, hb.i32(GeometricGuess));
        Value isTri = cmp(P::eq, mode, hb.i32(Trisect));
        Value t1 = sel(isTri, tri1, sel(isGuess, guess1, interp1));
        Value t2 = sel(isTri, tri2, sel(isGuess, guess2, interp2));
        // a < t1 <= t2 <= b: every outcome shrinks the bracket.
        Value aPlus1 = arith::AddIOp::create(b, l, a, hb.i32(1));
        t1 = arith::MinSIOp::create(
            b, l, arith::MaxSIOp::create(b, l, t1, aPlus1), bb);
        t2 = arith::MinSIOp::create(b, l, arith::MaxSIOp::create(b, l, t2, t1),
                                    bb);

        // The sweep: for both thresholds, with d = u - t (no overflow: u and
        // t are in [0, 2^31)), #{u < t} = #{d < 0}; min{u >= t} = t +
        // umin(d) and max{u < t} = t - 1 - umin(~d) (~d = t - 1 - u), where
        // the elements on the other side wrap to large unsigned values.
        // Plain unsigned minima vectorise; a select feeding a maximum
        // becomes a conditional reduction LLVM does not vectorise. Each end
        // is read only where elements lie on its side (see below).
        SmallVector<Value> s = hb.generic(
            w,
            {fill(countType, 0), fill(countType, 0), fill(i32, -1),
             fill(i32, -1), fill(i32, -1), fill(i32, -1)},
            {id, scalar, scalar, scalar, scalar, scalar, scalar}, all,
            [&](OpBuilder &ib, Location il,
                ValueRange e) -> SmallVector<Value> {
              LinalgBuilder hi{ib, il};
              Value u = absBits(ib, il, e[0]);
              SmallVector<Value> out;
              for (auto [t, c, above, below] :
                   {std::tuple{t1, e[1], e[3], e[4]},
                    std::tuple{t2, e[2], e[5], e[6]}}) {
                Value d = arith::SubIOp::create(ib, il, u, t);
                Value neg = arith::ShRUIOp::create(ib, il, d, hi.i32(31));
                if (countType != neg.getType())
                  neg = arith::ExtUIOp::create(ib, il, countType, neg);
                out.push_back(arith::AddIOp::create(ib, il, c, neg));
                Value notD = arith::XOrIOp::create(ib, il, d, hi.i32(-1));
                out.push_back(arith::MinUIOp::create(ib, il, above, d));
                out.push_back(arith::MinUIOp::create(ib, il, below, notD));
              }
              // Operand order: c1, c2, then (above, below) for t1 and t2.
              return {out[0], out[3], out[1], out[2], out[4], out[5]};
            });
        Value c1 = extract(s[0]), c2 = extract(s[1]);
        auto minAbove = [&](Value t, Value m) {
          return arith::AddIOp::create(b, l, t, m).getResult();
        };
        auto maxBelow = [&](Value t, Value m) {
          return arith::SubIOp::create(
                     b, l, arith::SubIOp::create(b, l, t, hb.i32(1)), m)
              .getResult();
        };
        Value min1 = minAbove(t1, extract(s[2])),
              max1 = maxBelow(t1, extract(s[3])),
              min2 = minAbove(t2, extract(s[4])),
              max2 = maxBelow(t2, extract(s[5]));
        // The rank below t1, at or above t2, or between.
        Value left = cmp(P::sgt, c1, r);
        Value right = cmp(P::sle, c2, r);
        Value na = sel(left, a, sel(right, min2, min1));
        Value nca = sel(left, ca, sel(right, c2, c1));
        Value nb2 = sel(left, max1, sel(right, bb, max2));
        Value ncb = sel(left, c1, sel(right, cb, c2));
        settle(na, nb2, nca, ncb);
        Value shrunk4 = cmp(P::sle, arith::SubIOp::create(b, l, nb2, na),
                            arith::DivSIOp::create(b, l, bitWidth, hb.i32(4)));
        Value next = sel(isTri, hb.i32(Interpolate),
                         sel(shrunk4, hb.i32(Interpolate), hb.i32(Trisect)));
        scf::YieldOp::create(b, l, ValueRange{na, nb2, nca, ncb, next});
      });
  return {loop.getResult(0), nonFinite};
}

/// The private function `(tensor<?xf32>) -> (i32 bits, i1 non-finite)`
/// that computes absmedian with `countType` counts: one a module and count
/// type, called by every weight_scale (36 inline copies of the search made
/// the 6-block decoder's code, and its compile time, a third larger). Not
/// inlined, internal (several compiled modules may be linked together).
func::FuncOp absMedianFunction(OpBuilder &b, Location loc, ModuleOp module,
                               Type countType) {
  std::string name = "__ternary_absmedian_";
  name += countType.isInteger(32) ? "i32" : "i64";
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  auto flat = RankedTensorType::get({ShapedType::kDynamic}, b.getF32Type());
  auto fn = func::FuncOp::create(
      b, loc, name, b.getFunctionType({flat}, {b.getI32Type(), b.getI1Type()}));
  fn.setPrivate();
  fn->setAttr("passthrough", b.getArrayAttr({b.getStringAttr("noinline")}));
  fn->setAttr("llvm.linkage",
              LLVM::LinkageAttr::get(b.getContext(), LLVM::Linkage::Internal));
  Block *entry = b.createBlock(&fn.getBody(), {}, {flat}, {loc});
  b.setInsertionPointToStart(entry);
  LinalgBuilder h{b, loc};
  Value w = entry->getArgument(0);
  Value count = arith::IndexCastOp::create(b, loc, b.getI64Type(),
                                           tensor::DimOp::create(b, loc, w, 0));
  AbsMedian median = selectAbsMedian(h, w, count, countType);
  func::ReturnOp::create(b, loc, ValueRange{median.bits, median.nonFinite});
  return fn;
}

/// A call of `fn` before `op` in its block on the weight `w` (through the
/// collapse and cast made for it), whose results can serve `op` too: the
/// forward and the backward pass each ask for the scale of a weight, and
/// CSE does not merge calls.
func::CallOp earlierCall(Operation *op, func::FuncOp fn, Value w) {
  for (Operation &other : *op->getBlock()) {
    if (&other == op)
      break;
    auto call = dyn_cast<func::CallOp>(other);
    if (!call || call.getCallee() != fn.getSymName())
      continue;
    Value v = call.getOperand(0);
    if (auto cast = v.getDefiningOp<tensor::CastOp>())
      v = cast.getSource();
    if (auto collapse = v.getDefiningOp<tensor::CollapseShapeOp>())
      v = collapse.getSrc();
    if (v == w)
      return call;
  }
  return nullptr;
}

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
