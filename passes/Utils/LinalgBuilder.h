//===- LinalgBuilder.h - Helpers of the linalg lowerings --------*- C++ -*-===//
//
// Private to passes/: what the lowerings of ternary ops to linalg share
// (constants, sizes, generics, indexing maps, the row normalisation).
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_PASSES_UTILS_LINALGBUILDER_H
#define TERNARY_PASSES_UTILS_LINALGBUILDER_H

#include "Utils/RuntimeChecks.h"
#include "ternary/Dialect/Ternary/TernaryOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir {
namespace ternary {
namespace detail {

using utils::IteratorType;
constexpr IteratorType par = IteratorType::parallel;
constexpr IteratorType red = IteratorType::reduction;

/// `acc + v` as a step of a sum accumulated in f64 and rounded once to f32:
/// marked `reassoc`, so that LLVM may vectorise the reduction; for the
/// sizes these models have the order cannot change the rounded result
/// (docs/numerics.md, "Why sums in double").
inline Value addToF64Sum(OpBuilder &b, Location l, Value acc, Value v) {
  return arith::AddFOp::create(b, l, acc, v, arith::FastMathFlags::reassoc);
}

/// Builds the pieces every lowering needs at one location.
struct LinalgBuilder {
  OpBuilder &b;
  Location loc;

  Value f32(double v) const {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  Value f64(double v) const {
    return arith::ConstantOp::create(b, loc, b.getF64FloatAttr(v));
  }
  Value i32(int64_t v) const {
    return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(v));
  }
  Value i64(int64_t v) const {
    return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
  }
  Value index(int64_t v) const {
    return arith::ConstantIndexOp::create(b, loc, v);
  }

  /// Sizes of `value`'s dimensions, optionally without the last one.
  SmallVector<OpFoldResult> sizes(Value value, bool dropLast = false) const {
    SmallVector<OpFoldResult> result = tensor::getMixedSizes(b, loc, value);
    if (dropLast)
      result.pop_back();
    return result;
  }

  Value empty(ArrayRef<OpFoldResult> sizes, Type element) const {
    return tensor::EmptyOp::create(b, loc, sizes, element);
  }

  Value filled(ArrayRef<OpFoldResult> sizes, TypedAttr zero) const {
    Value init = empty(sizes, zero.getType());
    Value cst = arith::ConstantOp::create(b, loc, zero);
    return linalg::FillOp::create(b, loc, ValueRange{cst}, ValueRange{init})
        .getResult(0);
  }

  /// The size of dimension `dim` of `tensor` as an f64.
  Value dimAsF64(Value tensor, int64_t dim) const {
    Value size = tensor::DimOp::create(b, loc, tensor, dim);
    Value asInt = arith::IndexCastOp::create(b, loc, b.getI64Type(), size);
    return arith::SIToFPOp::create(b, loc, b.getF64Type(), asInt);
  }

  /// A linalg.generic with one result.
  Value
  generic(ValueRange inputs, Value output, ArrayRef<AffineMap> maps,
          ArrayRef<IteratorType> iterators,
          function_ref<Value(OpBuilder &, Location, ValueRange)> body) const {
    auto op = linalg::GenericOp::create(
        b, loc, TypeRange{output.getType()}, inputs, ValueRange{output}, maps,
        iterators, [&](OpBuilder &nb, Location nloc, ValueRange args) {
          linalg::YieldOp::create(nb, nloc, body(nb, nloc, args));
        });
    return op.getResult(0);
  }

  /// A linalg.generic with one result per output.
  SmallVector<Value>
  generic(ValueRange inputs, ValueRange outputs, ArrayRef<AffineMap> maps,
          ArrayRef<IteratorType> iterators,
          function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)>
              body) const {
    auto op = linalg::GenericOp::create(
        b, loc, outputs.getTypes(), inputs, outputs, maps, iterators,
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          linalg::YieldOp::create(nb, nloc, body(nb, nloc, args));
        });
    return SmallVector<Value>(op.getResults());
  }

  /// The f64 sum of `term(x)` over every element of `x` (a 0-d tensor),
  /// in a fixed order that vectorises: a tensor of rank 2 or more is summed
  /// over its leading dimensions into one partial sum per position of the
  /// last (the loop over the last dimension innermost, its iterations
  /// independent), then those partial sums (`addToF64Sum`: in an order
  /// LLVM may choose, which rounds to the same f32). A sum of one chain,
  /// element after element, waits for each addition (4 cycles an element);
  /// these take a vector of additions a cycle. The same for any thread
  /// count: a task splits the last dimension, never a sum.
  Value sumF64(Value x,
               function_ref<Value(OpBuilder &, Location, Value)> term) const {
    auto type = cast<RankedTensorType>(x.getType());
    unsigned rank = type.getRank();
    MLIRContext *ctx = b.getContext();
    TypedAttr zero = b.getF64FloatAttr(0);
    Value partial = x;
    auto add = [&](bool apply) {
      return [&, apply](OpBuilder &nb, Location l, ValueRange a) -> Value {
        Value v = apply ? term(nb, l, a[0]) : a[0];
        return addToF64Sum(nb, l, a[1], v);
      };
    };
    bool applied = false;
    if (rank >= 2) {
      SmallVector<IteratorType> it(rank - 1, IteratorType::reduction);
      it.push_back(IteratorType::parallel);
      partial =
          generic(x, filled({tensor::getMixedSize(b, loc, x, rank - 1)}, zero),
                  {AffineMap::getMultiDimIdentityMap(rank, ctx),
                   AffineMap::get(rank, 0, getAffineDimExpr(rank - 1, ctx))},
                  it, add(true));
      applied = true;
      rank = 1;
    }
    SmallVector<IteratorType> all(rank, IteratorType::reduction);
    Value sum = generic(partial, filled({}, zero),
                        {AffineMap::getMultiDimIdentityMap(rank, ctx),
                         AffineMap::get(rank, 0, {}, ctx)},
                        all, add(!applied));
    return sum;
  }

  /// `tensor` with its elements converted to `element` (signed integers
  /// and floats, arith's usual casts): an element-wise linalg.generic.
  Value castElements(Value tensor, Type element) const {
    auto type = cast<RankedTensorType>(tensor.getType());
    AffineMap id =
        AffineMap::getMultiDimIdentityMap(type.getRank(), b.getContext());
    return generic(tensor, empty(sizes(tensor), element), {id, id},
                   SmallVector<utils::IteratorType>(
                       type.getRank(), utils::IteratorType::parallel),
                   [&](OpBuilder &nb, Location nloc, ValueRange args) {
                     return convertScalarToDtype(nb, nloc, args[0], element,
                                                 /*isUnsignedCast=*/false);
                   });
  }
};

/// Maps of a rank-`rank` iteration space: all dims, all but the last, and
/// the last alone.
/// The map of a `rank`-D iteration space onto the dimensions `dims`.
inline AffineMap dimsMap(MLIRContext *ctx, unsigned rank,
                         ArrayRef<unsigned> dims) {
  SmallVector<AffineExpr> exprs;
  for (unsigned d : dims)
    exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

inline AffineMap identityMap(MLIRContext *ctx, unsigned rank) {
  return AffineMap::getMultiDimIdentityMap(rank, ctx);
}
inline AffineMap rowsMap(MLIRContext *ctx, unsigned rank) {
  return AffineMap::getMultiDimIdentityMap(rank, ctx).getMajorSubMap(rank - 1);
}
inline AffineMap lastMap(MLIRContext *ctx, unsigned rank) {
  return AffineMap::get(rank, 0, getAffineDimExpr(rank - 1, ctx));
}

inline SmallVector<IteratorType> rowReduction(unsigned rank) {
  SmallVector<IteratorType> it(rank - 1, IteratorType::parallel);
  it.push_back(IteratorType::reduction);
  return it;
}

/// A row normalisation split in two: the row statistics (linalg reductions
/// in f64, then each row's mean and denominator rounded to f32 once) and
/// the element-wise step, which any consumer's linalg.generic can compute
/// inline from x and the extra inputs. Inlining it is how
/// quantize_activations with a fused normalisation avoids materialising
/// the normalised rows; computing the row's values once keeps divisions
/// and square roots out of the element-wise loops (the values are the same
/// as computed per element: the same operations on the same row sums).
struct RowNorm {
  NormKind kind = NormKind::none;
  Value k;                     // K as f64
  SmallVector<Value> inputs;   // [mean,] denominator[, gamma, beta]
  SmallVector<AffineMap> maps; // their indexing maps

  static RowNorm build(LinalgBuilder &h, Value x, unsigned rank, NormKind kind,
                       float eps, Value gamma, Value beta) {
    RowNorm norm;
    norm.kind = kind;
    if (kind == NormKind::none)
      return norm;
    OpBuilder &rewriter = h.b;
    MLIRContext *ctx = rewriter.getContext();
    Type f64 = rewriter.getF64Type(), f32 = rewriter.getF32Type();
    AffineMap id = identityMap(ctx, rank), rows = rowsMap(ctx, rank);
    SmallVector<OpFoldResult> rowSizes = h.sizes(x, /*dropLast=*/true);
    Value k = norm.k = h.dimAsF64(x, rank - 1);
    bool rms = kind == NormKind::rms;
    // sum(x) or, for RMSNorm, sum(x^2), in f64.
    Value sum = h.generic(x, h.filled(rowSizes, rewriter.getF64FloatAttr(0)),
                          {id, rows}, rowReduction(rank),
                          [&](OpBuilder &b, Location l, ValueRange a) {
                            Value v = arith::ExtFOp::create(b, l, f64, a[0]);
                            if (rms)
                              v = arith::MulFOp::create(b, l, v, v);
                            return addToF64Sum(b, l, a[1], v);
                          });
    // A row sum (f64) divided by K, rounded to f32.
    auto meanOf = [k, f32](OpBuilder &b, Location l, Value rowSum) {
      return arith::TruncFOp::create(b, l, f32,
                                     arith::DivFOp::create(b, l, rowSum, k))
          .getResult();
    };
    // Row values from row sums: one generic over the rows.
    unsigned rowRank = rank - 1;
    AffineMap rowId = AffineMap::getMultiDimIdentityMap(rowRank, ctx);
    auto perRow = [&](ValueRange sums, auto body) {
      SmallVector<AffineMap> maps(sums.size() + 1, rowId);
      return h.generic(sums, h.empty(rowSizes, f32), maps,
                       SmallVector<utils::IteratorType>(
                           rowRank, utils::IteratorType::parallel),
                       body);
    };
    // sqrt(moment + eps), the moment a row sum over K rounded to f32.
    auto denominator = [&](Value moments) {
      return perRow(moments, [&](OpBuilder &b, Location l, ValueRange a) {
        LinalgBuilder hb{b, l};
        return math::SqrtOp::create(
                   b, l,
                   arith::AddFOp::create(b, l, meanOf(b, l, a[0]), hb.f32(eps)))
            .getResult();
      });
    };
    if (rms) {
      norm.inputs.push_back(denominator(sum));
      norm.maps.push_back(rows);
    } else {
      // sum((x - mean_d)^2) with the mean in f64.
      Value sumSq =
          h.generic({x, sum}, h.filled(rowSizes, rewriter.getF64FloatAttr(0)),
                    {id, rows, rows}, rowReduction(rank),
                    [&](OpBuilder &b, Location l, ValueRange a) {
                      Value mean = arith::DivFOp::create(b, l, a[1], k);
                      Value d = arith::SubFOp::create(
                          b, l, arith::ExtFOp::create(b, l, f64, a[0]), mean);
                      Value sq = arith::MulFOp::create(b, l, d, d);
                      return addToF64Sum(b, l, a[2], sq);
                    });
      Value mean = perRow(sum, [&](OpBuilder &b, Location l, ValueRange a) {
        return meanOf(b, l, a[0]);
      });
      norm.inputs.append({mean, denominator(sumSq)});
      norm.maps.append({rows, rows});
    }
    if (kind == NormKind::layer_affine) {
      Value kIndex = tensor::DimOp::create(rewriter, h.loc, x, rank - 1);
      for (Value v : {gamma, beta})
        emitSizeCheck(rewriter, h.loc,
                      tensor::DimOp::create(rewriter, h.loc, v, 0), kIndex,
                      TERNARY_CHECK_AFFINE_SIZE);
      norm.inputs.append({gamma, beta});
      norm.maps.append({lastMap(ctx, rank), lastMap(ctx, rank)});
    }
    return norm;
  }

  /// The row's denominator sqrt(var + eps) (RMSNorm: sqrt(mean(x^2) + eps))
  /// inside a generic whose block arguments for `inputs` are `extra`; not
  /// for `none`.
  Value denominator(OpBuilder &, Location, ValueRange extra) const {
    return extra[kind == NormKind::rms ? 0 : 1];
  }

  /// The normalised value of element `x` inside a generic whose block
  /// arguments for `inputs` are `extra`.
  Value apply(OpBuilder &b, Location l, Value x, ValueRange extra) const {
    if (kind == NormKind::none)
      return x;
    Value denom = denominator(b, l, extra);
    if (kind == NormKind::rms)
      return arith::DivFOp::create(b, l, x, denom);
    Value v = arith::DivFOp::create(
        b, l, arith::SubFOp::create(b, l, x, extra[0]), denom);
    if (kind == NormKind::layer_affine) {
      v = arith::MulFOp::create(b, l, v, extra[2]); // no fused multiply-add
      v = arith::AddFOp::create(b, l, v, extra[3]);
    }
    return v;
  }
};

} // namespace detail
} // namespace ternary
} // namespace mlir

#endif // TERNARY_PASSES_UTILS_LINALGBUILDER_H
