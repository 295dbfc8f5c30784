//===- ConvertTernaryToLinalg.cpp - Ternary primitives to linalg ----------===//
//
// Lowers the ternary primitives to linalg.generic (and tensor, arith, math,
// scf) on builtin tensors, with exactly the numerics of the reference
// (docs/numerics.md): sums in f64 rounded once, round half to even, the
// rescale evaluated as (f32(acc) + b) * ((g * a) / Q).
//
// Every op works on [..., K] tensors of any rank >= 1: the leading
// dimensions are "rows" and become parallel loops.
//
//===----------------------------------------------------------------------===//

#include "ternary/Dialect/Ternary/TernaryOps.h"
#include "ternary/Passes/Passes.h"
#include "ternary/Runtime/Packing.h"

#include "LinalgBuilder.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/TargetParser/Host.h"

namespace mlir {
namespace ternary {
#define GEN_PASS_DEF_CONVERTTERNARYTOLINALG
#include "passes/Passes.h.inc"
} // namespace ternary
} // namespace mlir

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::detail;

namespace {

/// Where weight `col` of a row of `k` weights is stored (see
/// ternary/Runtime/Packing.h): the byte within the row and the slot within
/// the byte, as index values.
std::pair<Value, Value> locateWeight(OpBuilder &b, Location loc, Value col,
                                     Value k, int64_t per) {
  LinalgBuilder h{b, loc};
  Value blockWeights = h.index(64 * per);
  Value block = arith::DivUIOp::create(b, loc, col, blockWeights);
  Value within = arith::RemUIOp::create(b, loc, col, blockWeights);
  Value start = arith::MulIOp::create(b, loc, block, blockWeights);
  Value remaining = arith::SubIOp::create(b, loc, k, start);
  Value full = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge,
                                     remaining, blockWeights);
  Value tailBytes = arith::CeilDivUIOp::create(b, loc, remaining, h.index(per));
  Value s = arith::SelectOp::create(b, loc, full, h.index(64), tailBytes);
  Value byte = arith::AddIOp::create(
      b, loc, arith::MulIOp::create(b, loc, block, h.index(64)),
      arith::RemUIOp::create(b, loc, within, s));
  Value slot = arith::DivUIOp::create(b, loc, within, s);
  return {byte, slot};
}

/// Decodes the code in `slot` (index) of a storage byte (i8) into the
/// ternary weight, an i32 in {-1, 0, 1}.
Value decodeWeight(OpBuilder &b, Location loc, Encoding encoding, Value byte,
                   Value slotIndex) {
  LinalgBuilder h{b, loc};
  Type i32 = b.getI32Type();
  Value word = arith::ExtUIOp::create(b, loc, i32, byte);
  Value slot = arith::IndexCastUIOp::create(b, loc, i32, slotIndex);
  Value code;
  if (encoding == Encoding::i2) {
    Value shift = arith::MulIOp::create(b, loc, slot, h.i32(2));
    Value shifted = arith::ShRUIOp::create(b, loc, word, shift);
    code = arith::AndIOp::create(b, loc, shifted, h.i32(3));
  } else {
    // 3^slot by a chain of selects (slot < 5).
    Value pow = h.i32(1);
    for (int i = 1, p = 3; i < 5; ++i, p *= 3) {
      Value is = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, slot,
                                       h.i32(i));
      pow = arith::SelectOp::create(b, loc, is, h.i32(p), pow);
    }
    Value t = arith::MulIOp::create(b, loc, word, pow);
    t = arith::AndIOp::create(b, loc, t, h.i32(255));
    t = arith::MulIOp::create(b, loc, t, h.i32(3));
    code = arith::ShRUIOp::create(b, loc, t, h.i32(8));
  }
  return arith::SubIOp::create(b, loc, code, h.i32(1));
}

} // namespace

void mlir::ternary::emitRescaleChecks(OpBuilder &b, Location loc,
                                      ArrayRef<Value> rowSizes, Value n,
                                      Value absmax, Value bias) {
  for (auto [d, size] : llvm::enumerate(rowSizes))
    emitSizeCheck(b, loc, tensor::DimOp::create(b, loc, absmax, d), size,
                  TERNARY_CHECK_ABSMAX_ROWS);
  if (bias)
    emitSizeCheck(b, loc, tensor::DimOp::create(b, loc, bias, 0), n,
                  TERNARY_CHECK_BIAS_SIZE);
}

namespace {

/// The weight [row, col] (index values) of packed storage with rows of `k`
/// weights, decoded to an i32 in {-1, 0, 1}.
Value loadPackedTernaryWeight(OpBuilder &b, Location loc, PackedType packed,
                              Value storage, Value row, Value col, Value k) {
  Encoding encoding = packed.getEncoding();
  auto [byteIndex, slot] =
      locateWeight(b, loc, col, k, packed.getWeightsPerByte());
  Value byte =
      tensor::ExtractOp::create(b, loc, storage, ValueRange{row, byteIndex});
  return decodeWeight(b, loc, encoding, byte, slot);
}

/// round_half_even(v) clamped to [lo, hi], as i8.
Value roundClampToI8(OpBuilder &b, Location loc, Value v, double lo,
                     double hi) {
  LinalgBuilder h{b, loc};
  Value r = math::RoundEvenOp::create(b, loc, v);
  r = arith::MaximumFOp::create(b, loc, r, h.f32(lo));
  r = arith::MinimumFOp::create(b, loc, r, h.f32(hi));
  return arith::FPToSIOp::create(b, loc, b.getI8Type(), r);
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

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

    // a = max(max|xh|, eps) per row.
    SmallVector<AffineMap> reduceMaps = maps;
    reduceMaps.push_back(rows);
    Value maxAbs = h.generic(
        inputs, h.filled(rowSizes, rewriter.getF32FloatAttr(0)), reduceMaps,
        rowReduction(rank), [&](OpBuilder &b, Location l, ValueRange a) {
          Value xh = norm.apply(b, l, a[0], a.slice(1, extra));
          Value abs = math::AbsFOp::create(b, l, xh);
          return arith::MaximumFOp::create(b, l, a.back(), abs).getResult();
        });
    Value absmax = h.generic(
        maxAbs, h.empty(rowSizes, rewriter.getF32Type()),
        {AffineMap::getMultiDimIdentityMap(rank - 1, ctx),
         AffineMap::getMultiDimIdentityMap(rank - 1, ctx)},
        SmallVector<IteratorType>(rank - 1, IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange a) {
          return arith::MaximumFOp::create(b, l, a[0], LinalgBuilder{b, l}.f32(eps))
              .getResult();
        });
    // values = clamp(round_half_even(xh * (Q / a))).
    inputs.push_back(absmax);
    maps.append({rows, id});
    Value values =
        h.generic(inputs, h.empty(h.sizes(x), rewriter.getI8Type()), maps,
                  SmallVector<IteratorType>(rank, IteratorType::parallel),
                  [&](OpBuilder &b, Location l, ValueRange a) {
                    Value xh = norm.apply(b, l, a[0], a.slice(1, extra));
                    Value sx = arith::DivFOp::create(b, l, LinalgBuilder{b, l}.f32(q),
                                                     a[1 + extra]);
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
    MLIRContext *ctx = op.getContext();
    Value w = adaptor.getWeight();
    unsigned rank = op.getWeight().getType().getRank();
    Type f32 = rewriter.getF32Type(), f64 = rewriter.getF64Type(),
         i32 = rewriter.getI32Type(), i64 = rewriter.getI64Type();
    AffineMap id = identityMap(ctx, rank);
    AffineMap scalar = AffineMap::get(rank, 0, ctx);
    SmallVector<IteratorType> all(rank, IteratorType::reduction);

    // The element count as i64.
    Value count = h.index(1);
    for (unsigned d = 0; d < rank; ++d)
      count = arith::MulIOp::create(rewriter, loc, count,
                                    tensor::DimOp::create(rewriter, loc, w, d));
    count = arith::IndexCastOp::create(rewriter, loc, i64, count);

    Value stat;
    if (op.getMethod() == ScaleMethod::absmean) {
      Value sum =
          h.generic(w, h.filled({}, rewriter.getF64FloatAttr(0)), {id, scalar},
                    all, [&](OpBuilder &b, Location l, ValueRange a) {
                      Value v = arith::ExtFOp::create(b, l, f64, a[0]);
                      v = math::AbsFOp::create(b, l, v);
                      return arith::AddFOp::create(b, l, a[1], v).getResult();
                    });
      sum = tensor::ExtractOp::create(rewriter, loc, sum, ValueRange{});
      Value n = arith::SIToFPOp::create(rewriter, loc, f64, count);
      stat = arith::TruncFOp::create(
          rewriter, loc, f32, arith::DivFOp::create(rewriter, loc, sum, n));
    } else {
      // The element of rank r = (count - 1) / 2 of |W|: the largest bit
      // pattern t with #{|w| < t} <= r, built bit by bit from the top (the
      // bit patterns of non-negative floats are ordered like the floats).
      Value r = arith::DivSIOp::create(
          rewriter, loc,
          arith::SubIOp::create(
              rewriter, loc, count,
              arith::ConstantOp::create(rewriter, loc,
                                        rewriter.getI64IntegerAttr(1))),
          arith::ConstantOp::create(rewriter, loc,
                                    rewriter.getI64IntegerAttr(2)));
      auto loop = scf::ForOp::create(
          rewriter, loc, h.index(0), h.index(31), h.index(1),
          ValueRange{h.i32(0)},
          [&](OpBuilder &b, Location l, Value iv, ValueRange iter) {
            LinalgBuilder hb{b, l};
            Value bit = arith::SubIOp::create(
                b, l, hb.i32(30), arith::IndexCastOp::create(b, l, i32, iv));
            Value cand = arith::OrIOp::create(
                b, l, iter[0], arith::ShLIOp::create(b, l, hb.i32(1), bit));
            Value below = hb.generic(
                w, hb.filled({}, b.getI64IntegerAttr(0)), {id, scalar}, all,
                [&](OpBuilder &ib, Location il, ValueRange a) {
                  Value abs = math::AbsFOp::create(ib, il, a[0]);
                  Value bits = arith::BitcastOp::create(ib, il, i32, abs);
                  Value lt = arith::CmpIOp::create(
                      ib, il, arith::CmpIPredicate::slt, bits, cand);
                  Value one = arith::ExtUIOp::create(ib, il, i64, lt);
                  return arith::AddIOp::create(ib, il, a[1], one).getResult();
                });
            below = tensor::ExtractOp::create(b, l, below, ValueRange{});
            Value keep = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sle,
                                               below, r);
            Value next = arith::SelectOp::create(b, l, keep, cand, iter[0]);
            scf::YieldOp::create(b, l, next);
          });
      stat = arith::BitcastOp::create(rewriter, loc, f32, loop.getResult(0));
    }
    // Floor at eps; an empty tensor (NaN statistic) gets eps.
    Value g = arith::MaxNumFOp::create(rewriter, loc, stat,
                                       h.f32(op.getEps().convertToFloat()));
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
    emitProductChecks(rewriter, loc, x, w, packed);
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
          Value factor = arith::DivFOp::create(
              b, l, arith::MulFOp::create(b, l, g, a[1]), LinalgBuilder{b, l}.f32(q));
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
                                 op.getWeight());
    rewriter.replaceOpWithNewOp<RescaleOp>(op, resultType, acc, op.getAbsmax(),
                                           op.getScale(), op.getBias(),
                                           op.getQ());
    return success();
  }
};

struct PackLowering : OpConversionPattern<PackOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PackOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    LinalgBuilder h{rewriter, loc};
    Value w = adaptor.getInput();
    PackedType packed = op.getResult().getType();
    Encoding encoding = packed.getEncoding();
    int64_t per = packed.getWeightsPerByte();
    auto storageType =
        cast<RankedTensorType>(getTypeConverter()->convertType(packed));

    Value rowsV = tensor::DimOp::create(rewriter, loc, w, 0);
    Value cols = tensor::DimOp::create(rewriter, loc, w, 1);
    // ceil(K / per) bytes a row.
    Value rowBytes = arith::DivUIOp::create(
        rewriter, loc,
        arith::AddIOp::create(rewriter, loc, cols, h.index(per - 1)),
        h.index(per));
    SmallVector<Value> dynamic;
    if (storageType.isDynamicDim(0))
      dynamic.push_back(rowsV);
    if (storageType.isDynamicDim(1))
      dynamic.push_back(rowBytes);
    Type i32 = rewriter.getI32Type();
    auto generate = tensor::GenerateOp::create(
        rewriter, loc, storageType, dynamic,
        [&](OpBuilder &b, Location l, ValueRange idx) {
          LinalgBuilder hb{b, l};
          // Byte i of its block holds weights start + i + s * j.
          Value block = arith::DivUIOp::create(b, l, idx[1], hb.index(64));
          Value i = arith::RemUIOp::create(b, l, idx[1], hb.index(64));
          Value start = arith::MulIOp::create(b, l, block, hb.index(64 * per));
          Value remaining = arith::SubIOp::create(b, l, cols, start);
          Value full = arith::CmpIOp::create(b, l, arith::CmpIPredicate::uge,
                                             remaining, hb.index(64 * per));
          Value s = arith::SelectOp::create(
              b, l, full, hb.index(64),
              arith::CeilDivUIOp::create(b, l, remaining, hb.index(per)));
          Value acc = hb.i32(0);
          for (int64_t j = 0; j < per; ++j) {
            Value col = arith::AddIOp::create(
                b, l, arith::AddIOp::create(b, l, start, i),
                arith::MulIOp::create(b, l, s, hb.index(j)));
            Value inBounds = arith::CmpIOp::create(
                b, l, arith::CmpIPredicate::ult, col, cols);
            Value safeCol =
                arith::SelectOp::create(b, l, inBounds, col, hb.index(0));
            Value wv =
                tensor::ExtractOp::create(b, l, w, ValueRange{idx[0], safeCol});
            Value code = arith::AddIOp::create(
                b, l, arith::ExtSIOp::create(b, l, i32, wv), hb.i32(1));
            // Padding is the zero weight (code 1).
            code = arith::SelectOp::create(b, l, inBounds, code, hb.i32(1));
            if (encoding == Encoding::i2)
              acc = arith::OrIOp::create(
                  b, l, acc, arith::ShLIOp::create(b, l, code, hb.i32(2 * j)));
            else
              acc = arith::AddIOp::create(
                  b, l, arith::MulIOp::create(b, l, acc, hb.i32(3)), code);
          }
          if (encoding == Encoding::base3) // ceil(v * 256 / 243)
            acc = arith::DivUIOp::create(
                b, l,
                arith::AddIOp::create(
                    b, l, arith::MulIOp::create(b, l, acc, hb.i32(256)),
                    hb.i32(242)),
                hb.i32(243));
          Value byte = arith::TruncIOp::create(b, l, b.getI8Type(), acc);
          tensor::YieldOp::create(b, l, byte);
        });
    rewriter.replaceOp(op, generate.getResult());
    return success();
  }
};

struct UnpackLowering : OpConversionPattern<UnpackOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(UnpackOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    LinalgBuilder h{rewriter, loc};
    MLIRContext *ctx = op.getContext();
    PackedType packed = op.getInput().getType();
    Value storage = adaptor.getInput();
    // The logical column count K is static in the type or unknown: take it
    // from the result type when static, else it cannot be recovered from
    // the storage alone.
    RankedTensorType resultType = op.getResult().getType();
    if (resultType.isDynamicDim(1))
      return rewriter.notifyMatchFailure(op, "dynamic K");
    SmallVector<OpFoldResult> sizes = {
        tensor::getMixedSize(rewriter, loc, storage, 0),
        rewriter.getIndexAttr(resultType.getDimSize(1))};
    Value kSize = h.index(resultType.getDimSize(1));
    Value result = h.generic(
        {}, h.empty(sizes, rewriter.getI8Type()),
        {AffineMap::getMultiDimIdentityMap(2, ctx)},
        {IteratorType::parallel, IteratorType::parallel},
        [&](OpBuilder &b, Location l, ValueRange) {
          Value wv = loadPackedTernaryWeight(
              b, l, packed, storage, linalg::IndexOp::create(b, l, 0),
              linalg::IndexOp::create(b, l, 1), kSize);
          return arith::TruncIOp::create(b, l, b.getI8Type(), wv).getResult();
        });
    if (result.getType() != resultType)
      result = tensor::CastOp::create(rewriter, loc, resultType, result);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct PackedConstantLowering : OpConversionPattern<PackedConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PackedConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, op.getValueAttr());
    return success();
  }
};

struct ConvertTernaryToLinalg
    : public mlir::ternary::impl::ConvertTernaryToLinalgBase<
          ConvertTernaryToLinalg> {
  using ConvertTernaryToLinalgBase::ConvertTernaryToLinalgBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    bool undecomposed = false;
    module.walk([&](BitLinearOp op) {
      if (op.isTrainingTime())
        return; // lowered here in f32
      op.emitError("ternary.bitlinear must be decomposed before lowering "
                   "(run --ternary-decompose first)");
      undecomposed = true;
    });
    if (undecomposed)
      return signalPassFailure();

    // Upstream linalg.softmax (training models use it) into its generics.
    SmallVector<linalg::SoftmaxOp> softmaxes;
    module.walk([&](linalg::SoftmaxOp op) { softmaxes.push_back(op); });
    for (linalg::SoftmaxOp op : softmaxes) {
      OpBuilder b(op);
      FailureOr<SmallVector<Value>> parts =
          cast<linalg::AggregatedOpInterface>(op.getOperation())
              .decomposeOperation(b);
      if (failed(parts)) {
        op.emitOpError("cannot be decomposed into linalg.generic");
        return signalPassFailure();
      }
      op->replaceAllUsesWith(*parts);
      op.erase();
    }

    // Argument annotations of the training runtime (ternary.name) have no
    // meaning below this level.
    module.walk([](func::FuncOp func) {
      for (unsigned i = 0; i < func.getNumArguments(); ++i)
        for (NamedAttribute attr :
             llvm::to_vector(func.getArgAttrDict(i)
                                 ? func.getArgAttrDict(i).getValue()
                                 : ArrayRef<NamedAttribute>()))
          if (attr.getName().getValue().starts_with("ternary."))
            func.removeArgAttr(i, attr.getName());
    });

    MLIRContext *ctx = &getContext();
    TypeConverter typeConverter;
    populateTernaryToLinalgTypeConversion(typeConverter);

    ConversionTarget target(*ctx);
    target.addIllegalDialect<TernaryDialect>();
    // The kernels' dot product step, lowered after bufferization.
    target.addLegalOp<DotBytesOp>();
    target
        .addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                         LLVM::LLVMDialect, math::MathDialect, scf::SCFDialect,
                         tensor::TensorDialect, vector::VectorDialect>();
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp op) {
      return typeConverter.isSignatureLegal(op.getFunctionType()) &&
             typeConverter.isLegal(&op.getBody());
    });
    target.addDynamicallyLegalOp<func::ReturnOp, func::CallOp>(
        [&](Operation *op) { return typeConverter.isLegal(op); });
    target.markUnknownOpDynamicallyLegal(
        [&](Operation *op) { return typeConverter.isLegal(op); });

    RewritePatternSet patterns(ctx);
    populateTernaryToLinalgConversionPatterns(typeConverter, patterns);
    populateTernaryTrainingToLinalgConversionPatterns(typeConverter, patterns);
    populateTernaryOptimizersToLinalgConversionPatterns(typeConverter,
                                                        patterns);
    PackedMatmulKernel chosen = kernel;
    if (chosen == PackedMatmulKernel::auto_)
      chosen = selectPackedMatmulKernel(
          targetFeatures.empty() ? hostTargetFeatures() : targetFeatures);
    populatePackedMatmulKernelPatterns(typeConverter, patterns, chosen);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(
        patterns, typeConverter);
    populateReturnOpTypeConversionPattern(patterns, typeConverter);
    populateCallOpTypeConversionPattern(patterns, typeConverter);
    if (failed(applyFullConversion(module, target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::ternary::emitSizeCheck(OpBuilder &b, Location loc, Value actual,
                                  Value expected, ternary_check check) {
  if (getConstantIntValue(actual) && getConstantIntValue(expected))
    return;
  // func.func private @ternary_check_failed(i32), once a module.
  auto module =
      b.getInsertionBlock()->getParentOp()->getParentOfType<ModuleOp>();
  constexpr StringLiteral name = "ternary_check_failed";
  if (!module.lookupSymbol<func::FuncOp>(name)) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    auto decl = func::FuncOp::create(b, loc, name,
                                     b.getFunctionType({b.getI32Type()}, {}));
    decl.setPrivate();
  }
  Value differ =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, actual, expected);
  scf::IfOp::create(b, loc, differ, [&](OpBuilder &nb, Location nl) {
    Value code = arith::ConstantOp::create(
        nb, nl, nb.getI32IntegerAttr(static_cast<int32_t>(check)));
    func::CallOp::create(nb, nl, name, TypeRange{}, ValueRange{code});
    scf::YieldOp::create(nb, nl);
  });
}

void mlir::ternary::emitProductChecks(OpBuilder &b, Location loc, Value x,
                                      Value weight, PackedType packed) {
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  Value k = tensor::DimOp::create(b, loc, x, rank - 1);
  Value cols = tensor::DimOp::create(b, loc, weight, 1);
  if (!packed) {
    emitSizeCheck(b, loc, cols, k, TERNARY_CHECK_K_MISMATCH);
    return;
  }
  Value per =
      arith::ConstantIndexOp::create(b, loc, packed.getWeightsPerByte());
  emitSizeCheck(b, loc, cols, arith::CeilDivUIOp::create(b, loc, k, per),
                TERNARY_CHECK_PACKED_BYTES);
}

std::string mlir::ternary::hostTargetFeatures() {
  std::string features;
  for (const auto &feature : llvm::sys::getHostCPUFeatures())
    features += (features.empty() ? "" : ",") +
                std::string(feature.second ? "+" : "-") + feature.first().str();
  return features;
}

void mlir::ternary::populateTernaryToLinalgTypeConversion(
    TypeConverter &typeConverter) {
  typeConverter.addConversion([](Type type) { return type; });
  typeConverter.addConversion(
      [](PackedType type) -> Type { return type.getStorageType(); });
}

void mlir::ternary::populateTernaryToLinalgConversionPatterns(
    const TypeConverter &typeConverter, RewritePatternSet &patterns) {
  patterns.add<NormalizeLowering, QuantizeActivationsLowering,
               WeightScaleLowering, QuantizeWeightsLowering, MatmulLowering,
               MatmulRescaleLowering, RescaleLowering, PackLowering,
               UnpackLowering, PackedConstantLowering>(typeConverter,
                                                       patterns.getContext());
}
