//===- Random.cpp - Seeded randomness to linalg
//-----------------------------===//
//
// The counter-based generator of the training ops (splitmix64 of seed and
// element index) and the ops that use it: ternary.dropout and the
// stochastic rounding of BitLinear's weights (sample(%seed)).
//
//===----------------------------------------------------------------------===//

#include "Conversion/TernaryToLinalg/PopulatePatterns.h"
#include "Conversion/TernaryToLinalg/Utils.h"
#include "Utils/LinalgBuilder.h"

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::detail;

namespace {

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
          Value keep = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE, u,
                                             threshold);
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

/// A uniform draw in [0, 1) for (seed, index), both i64: the top 24 bits
/// of splitmix64(seed * 2^32 + index), exact in f32. The generator of
/// ternary.dropout and of stochastic weight rounding.
Value mlir::ternary::detail::uniformDraw(OpBuilder &b, Location l, Value seed,
                                         Value index) {
  auto cst = [&](uint64_t v) {
    return arith::ConstantOp::create(
               b, l, b.getI64IntegerAttr(static_cast<int64_t>(v)))
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
Value mlir::ternary::detail::sampleWeights(LinalgBuilder &h, Value w, Value g,
                                           Value seed) {
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
            arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, v,
                                  hb.f32(0)),
            i8c(1),
            arith::SelectOp::create(
                b, l,
                arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, v,
                                      hb.f32(0)),
                i8c(-1), i8c(0)));
        return arith::SelectOp::create(b, l, keep, sign, i8c(0)).getResult();
      });
}

void mlir::ternary::detail::populateRandomPatterns(
    const TypeConverter &typeConverter, RewritePatternSet &patterns) {
  patterns.add<DropoutLowering>(typeConverter, patterns.getContext());
}
