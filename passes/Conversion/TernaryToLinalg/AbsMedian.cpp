//===- AbsMedian.cpp - absmedian's weight scale to linalg -----------------===//
//
// The lower median of |W| for ternary.weight_scale with method absmedian
// (Quantization.cpp lowers the op): a narrowing search over the bit
// patterns of |w| in a few counting sweeps, in one private function a
// module; each sweep runs by chunks of weights, the tasks of an
// scf.forall.
//
//===----------------------------------------------------------------------===//

#include "Conversion/TernaryToLinalg/Utils.h"
#include "Utils/Functions.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <limits>
#include <tuple>

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::detail;

namespace {

/// Weights in a chunk of a sweep (256 KiB of f32): the chunks are the tasks
/// of an scf.forall, so that the threads share the sweeps of large weights
/// (one task, on the calling thread, below 2^16 weights).
constexpr int64_t kChunk = int64_t(1) << 16;

/// A sweep over the 1-D `w` by chunks of kChunk elements: `reduce` reduces
/// one chunk (a slice of `w`) to 0-d tensors, one a result, in the tasks of
/// an scf.forall; then `combine(acc, part)` folds the chunks' results,
/// starting from `identities`. The sweeps combine with integer minima,
/// maxima and sums: the result does not depend on the chunks or the
/// threads.
SmallVector<Value>
chunkedSweep(LinalgBuilder &h, Value w, ArrayRef<TypedAttr> identities,
             function_ref<SmallVector<Value>(LinalgBuilder &, Value)> reduce,
             function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange,
                                             ValueRange)>
                 combine) {
  OpBuilder &b = h.b;
  Location loc = h.loc;
  MLIRContext *ctx = b.getContext();
  Value n = tensor::DimOp::create(b, loc, w, 0);
  Value chunks = arith::CeilDivUIOp::create(b, loc, n, h.index(kChunk));
  SmallVector<Value> parts;
  for (TypedAttr identity : identities)
    parts.push_back(h.empty({OpFoldResult(chunks)}, identity.getType()));
  auto forall = scf::ForallOp::create(
      b, loc, ArrayRef<OpFoldResult>{b.getIndexAttr(0)},
      ArrayRef<OpFoldResult>{chunks}, ArrayRef<OpFoldResult>{b.getIndexAttr(1)},
      parts, /*mapping=*/std::nullopt);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(forall.getBody());
    LinalgBuilder hc{b, loc};
    Value c = forall.getInductionVar(0);
    Value offset = arith::MulIOp::create(b, loc, c, hc.index(kChunk));
    Value size = arith::MinUIOp::create(
        b, loc, hc.index(kChunk), arith::SubIOp::create(b, loc, n, offset));
    Value slice = tensor::ExtractSliceOp::create(
        b, loc, w, ArrayRef<OpFoldResult>{offset}, ArrayRef<OpFoldResult>{size},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
    SmallVector<Value> ones;
    for (Value part : reduce(hc, slice)) {
      Type element = cast<RankedTensorType>(part.getType()).getElementType();
      ones.push_back(tensor::FromElementsOp::create(
          b, loc, RankedTensorType::get({1}, element),
          ValueRange{tensor::ExtractOp::create(b, loc, part, ValueRange{})}));
    }
    b.setInsertionPointToEnd(forall.getTerminator().getBody());
    for (auto [one, shared] : llvm::zip(ones, forall.getRegionIterArgs()))
      tensor::ParallelInsertSliceOp::create(
          b, loc, one, shared, ArrayRef<OpFoldResult>{c},
          ArrayRef<OpFoldResult>{b.getIndexAttr(1)},
          ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
  }
  size_t k = identities.size();
  SmallVector<Value> inits;
  SmallVector<AffineMap> maps(k, AffineMap::getMultiDimIdentityMap(1, ctx));
  for (TypedAttr identity : identities) {
    inits.push_back(h.filled({}, identity));
    maps.push_back(AffineMap::get(1, 0, ctx));
  }
  return h.generic(forall.getResults(), inits, maps, {IteratorType::reduction},
                   [&](OpBuilder &nb, Location l, ValueRange a) {
                     return combine(nb, l, a.drop_front(k), a.take_front(k));
                   });
}

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
  SmallVector<Value> range = chunkedSweep(
      h, w,
      {b.getI32IntegerAttr(kNone), b.getI32IntegerAttr(-1),
       b.getI64IntegerAttr(0)},
      [&](LinalgBuilder &hc, Value slice) {
        return hc.generic(
            slice, {fill(i32, kNone), fill(i32, -1), fill(i64, 0)},
            {id, scalar, scalar, scalar}, all,
            [&](OpBuilder &nb, Location l, ValueRange a) -> SmallVector<Value> {
              Value u = absBits(nb, l, a[0]);
              Value wide = arith::ExtUIOp::create(nb, l, nb.getI64Type(), u);
              return {arith::MinSIOp::create(nb, l, a[1], u),
                      arith::MaxSIOp::create(nb, l, a[2], u),
                      arith::AddIOp::create(nb, l, a[3], wide)};
            });
      },
      [](OpBuilder &nb, Location l, ValueRange acc,
         ValueRange part) -> SmallVector<Value> {
        return {arith::MinSIOp::create(nb, l, acc[0], part[0]),
                arith::MaxSIOp::create(nb, l, acc[1], part[1]),
                arith::AddIOp::create(nb, l, acc[2], part[2])};
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
        SmallVector<Value> s = chunkedSweep(
            hb, w,
            {b.getIntegerAttr(countType, 0), b.getIntegerAttr(countType, 0),
             b.getI32IntegerAttr(-1), b.getI32IntegerAttr(-1),
             b.getI32IntegerAttr(-1), b.getI32IntegerAttr(-1)},
            [&](LinalgBuilder &hc, Value slice) {
              return hc.generic(
                  slice,
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
                      out.push_back(
                          arith::MinUIOp::create(ib, il, below, notD));
                    }
                    // Operand order: c1, c2, then (above, below) for t1 and t2.
                    return {out[0], out[3], out[1], out[2], out[4], out[5]};
                  });
            },
            [](OpBuilder &nb, Location il, ValueRange acc,
               ValueRange part) -> SmallVector<Value> {
              SmallVector<Value> out;
              for (int i = 0; i < 2; ++i)
                out.push_back(arith::AddIOp::create(nb, il, acc[i], part[i]));
              for (int i = 2; i < 6; ++i)
                out.push_back(arith::MinUIOp::create(nb, il, acc[i], part[i]));
              return out;
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

} // namespace

/// The private function `(tensor<?xf32>) -> (i32 bits, i1 non-finite)`
/// that computes absmedian with `countType` counts: one a module and count
/// type, called by every weight_scale (36 inline copies of the search made
/// the 6-block decoder's code, and its compile time, a third larger). Not
/// inlined, internal (several compiled modules may be linked together).
func::FuncOp mlir::ternary::detail::absMedianFunction(OpBuilder &b,
                                                      Location loc,
                                                      ModuleOp module,
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
  markInternalNoInline(fn);
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
func::CallOp mlir::ternary::detail::earlierCall(Operation *op, func::FuncOp fn,
                                                Value w) {
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
