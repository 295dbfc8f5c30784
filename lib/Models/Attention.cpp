//===- Attention.cpp - The language models' attention ---------------------===//
//
// Multi-head and grouped-query attention (query heads in groups sharing a
// key/value head): self-attention causal or not, with a padding mask, or
// cross-attention over other rows; keys and values captured into caches
// for a prefill step; one position against the caches for a decoding step.
// Written as linalg on tensors and ternary ops, so that autodiff derives
// their gradients from the generic rule (the softmax has its own).
//
//===----------------------------------------------------------------------===//

#include "Layers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::models;
using namespace mlir::ternary::models::detail;

namespace {
/// The loop dimensions of a contraction some of which may be absent: the
/// head of a key/value group, which multi-head attention (one query head a
/// group) leaves out, so that its IR has no unit dimensions.
struct Loops {
  MLIRContext *ctx;
  unsigned count = 0;

  /// The next loop dimension, or a null expression when not `present`.
  AffineExpr dim(bool present = true) {
    return present ? getAffineDimExpr(count++, ctx) : AffineExpr();
  }
  /// The map of the present expressions of `results`.
  AffineMap map(std::initializer_list<AffineExpr> results) const {
    SmallVector<AffineExpr> kept;
    for (AffineExpr e : results)
      if (e)
        kept.push_back(e);
    return AffineMap::get(count, 0, kept, ctx);
  }
  /// Every dimension parallel but the last, a reduction.
  SmallVector<IteratorType> iterators() const {
    SmallVector<IteratorType> types(count, kPar);
    types.back() = kRed;
    return types;
  }
};

/// Query heads in groups sharing a key/value head (grouped-query
/// attention): `groups` key/value heads, `perGroup` query heads each, in a
/// row. The contractions index a query head as (group, head of the group),
/// or by group alone when perGroup is 1 (multi-head attention).
struct HeadGroups {
  int64_t groups, perGroup;

  bool grouped() const { return perGroup > 1; }
  /// x with its dimension `at` (query heads) split into (groups, perGroup);
  /// x itself when not grouped.
  Value split(OpBuilder &b, Value x, unsigned at) const {
    if (!grouped())
      return x;
    auto type = cast<RankedTensorType>(x.getType());
    SmallVector<int64_t> shape(type.getShape());
    shape[at] = groups;
    shape.insert(shape.begin() + at + 1, perGroup);
    return tensor::ExpandShapeOp::create(
        b, x.getLoc(), RankedTensorType::get(shape, type.getElementType()), x,
        around(type.getRank(), at));
  }
  /// The inverse of split: dimensions `at` and `at` + 1 merged.
  Value merge(OpBuilder &b, Value x, unsigned at) const {
    if (!grouped())
      return x;
    auto type = cast<RankedTensorType>(x.getType());
    SmallVector<int64_t> shape(type.getShape());
    shape[at] = groups * perGroup;
    shape.erase(shape.begin() + at + 1);
    return tensor::CollapseShapeOp::create(
        b, x.getLoc(), RankedTensorType::get(shape, type.getElementType()), x,
        around(shape.size(), at));
  }

private:
  /// The reassociation of `rank` dimensions with `at` split in two.
  static SmallVector<ReassociationIndices> around(int64_t rank, unsigned at) {
    SmallVector<ReassociationIndices> groups;
    for (int64_t d = 0, e = 0; d < rank; ++d) {
      groups.push_back({e++});
      if (d == at)
        groups.back().push_back(e++);
    }
    return groups;
  }
};
} // namespace

Value Layers::selfAttention(Value x, Value batch, int64_t context,
                            int64_t heads, int64_t kvHeads, Value wq, Value wk,
                            Value wv, Value wo, bool causal, Value keyMask) {
  return attention(x, x, batch, context, context, heads, kvHeads, wq, wk, wv,
                   wo, causal, keyMask, config.rotary);
}

Value Layers::attention(Value queries, Value keysValues, Value batch,
                        int64_t queryLength, int64_t keyLength, int64_t heads,
                        int64_t kvHeads, Value wq, Value wk, Value wv, Value wo,
                        bool causal, Value keyMask, bool rotary) {
  int64_t width = tensorType(queries).getDimSize(1), headWidth = width / heads;
  int64_t kvWidth = headWidth * kvHeads;
  HeadGroups groups{kvHeads, heads / kvHeads};
  MLIRContext *ctx = b.getContext();
  Type f = b.getF32Type();
  auto split = [&](Value rows, int64_t length, int64_t count) {
    auto type = RankedTensorType::get({kDyn, length, count, headWidth}, f);
    SmallVector<OpFoldResult> shape = {batch, b.getIndexAttr(length),
                                       b.getIndexAttr(count),
                                       b.getIndexAttr(headWidth)};
    return tensor::ExpandShapeOp::create(
        b, type, rows, ArrayRef<ReassociationIndices>{{0, 1}, {2, 3}}, shape);
  };
  Value q = split(linear(queries, wq, Value()), queryLength, heads);
  Value k = split(linear(keysValues, wk, Value()), keyLength, kvHeads);
  Value v = split(linear(keysValues, wv, Value()), keyLength, kvHeads);
  if (rotary) {
    q = rotate(q);
    k = rotate(k);
  }
  if (capturedKeys && queries == keysValues) {
    // [N, T, Hkv, E] as [1, N, T, Dkv] into block `capturedBlocks`.
    auto store = [&](Value heads, Value cache) {
      Value rows = tensor::CollapseShapeOp::create(
          b, RankedTensorType::get({kDyn, keyLength, kvWidth}, f), heads,
          ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
      SmallVector<OpFoldResult> shape = {b.getIndexAttr(1), batch,
                                         b.getIndexAttr(keyLength),
                                         b.getIndexAttr(kvWidth)};
      Value slot = tensor::ExpandShapeOp::create(
          b, RankedTensorType::get({1, kDyn, keyLength, kvWidth}, f), rows,
          ArrayRef<ReassociationIndices>{{0, 1}, {2}, {3}}, shape);
      SmallVector<OpFoldResult> offsets = {b.getIndexAttr(capturedBlocks),
                                           b.getIndexAttr(0), b.getIndexAttr(0),
                                           b.getIndexAttr(0)};
      SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
      return tensor::InsertSliceOp::create(b, slot, cache, offsets, shape,
                                           strides)
          .getResult();
    };
    *capturedKeys = store(k, *capturedKeys);
    *capturedValues = store(v, *capturedValues);
    ++capturedBlocks;
  }

  // scores[n, g, r, i, j] = sum_e q[n, i, g, r, e] k[n, j, g, e] for query
  // head h = (g, r) (g alone without groups), as [N, H, Tq, Tk].
  auto scoresType =
      RankedTensorType::get({kDyn, heads, queryLength, keyLength}, f);
  Loops sl{ctx};
  AffineExpr n = sl.dim(), g = sl.dim(), r = sl.dim(groups.grouped()),
             i = sl.dim(), j = sl.dim(), e = sl.dim();
  Value scoresInit = groups.split(b, zeros(scoresType, q), 1);
  Value scores = groups.merge(
      b,
      linalg::GenericOp::create(
          b, TypeRange{scoresInit.getType()},
          ValueRange{groups.split(b, q, 2), k}, ValueRange{scoresInit},
          ArrayRef<AffineMap>{sl.map({n, i, g, r, e}), sl.map({n, j, g, e}),
                              sl.map({n, g, r, i, j})},
          sl.iterators(), multiplyAccumulate)
          .getResult(0),
      1);
  // Scaled by 1/sqrt(head width); a causal mask sets the future to -1e9,
  // a key mask (0: padding) the padding.
  double scale = 1.0 / std::sqrt(double(headWidth));
  AffineExpr n4, h4, i4, j4;
  bindDims(ctx, n4, h4, i4, j4);
  AffineMap id4 = AffineMap::get(4, 0, {n4, h4, i4, j4}, ctx);
  SmallVector<Value> inputs = {scores};
  SmallVector<AffineMap> maps = {id4};
  if (keyMask) {
    inputs.push_back(keyMask);
    maps.push_back(AffineMap::get(4, 0, {n4, j4}, ctx));
  }
  maps.push_back(id4);
  bool masked = bool(keyMask);
  Value scaled =
      linalg::GenericOp::create(
          b, TypeRange{scoresType}, inputs,
          ValueRange{empty(scoresType, scores)}, maps,
          ArrayRef<IteratorType>{kPar, kPar, kPar, kPar},
          [scale, causal, masked](OpBuilder &nb, Location loc, ValueRange a) {
            Value s = arith::MulFOp::create(nb, loc, a[0], f32(nb, loc, scale));
            Value hidden;
            if (causal) {
              Value row = linalg::IndexOp::create(nb, loc, 2);
              Value col = linalg::IndexOp::create(nb, loc, 3);
              hidden = arith::CmpIOp::create(nb, loc, arith::CmpIPredicate::ugt,
                                             col, row);
            }
            if (masked) {
              Value zero =
                  arith::ConstantOp::create(nb, loc, nb.getI64IntegerAttr(0));
              Value padding = arith::CmpIOp::create(
                  nb, loc, arith::CmpIPredicate::eq, a[1], zero);
              hidden = hidden ? arith::OrIOp::create(nb, loc, hidden, padding)
                                    .getResult()
                              : padding;
            }
            if (hidden)
              s = arith::SelectOp::create(nb, loc, hidden, f32(nb, loc, -1e9),
                                          s);
            linalg::YieldOp::create(nb, loc, ValueRange{s});
          })
          .getResult(0);
  Value probs = linalg::SoftmaxOp::create(b, TypeRange{scoresType}, scaled,
                                          empty(scoresType, scores), 3)
                    .getResult()[0];
  // out[n, i, g, r, e] = sum_j probs[n, g, r, i, j] v[n, j, g, e], as
  // [N, Tq, H, E].
  auto outType =
      RankedTensorType::get({kDyn, queryLength, heads, headWidth}, f);
  Loops ol{ctx};
  AffineExpr n5 = ol.dim(), i5 = ol.dim(), g5 = ol.dim(),
             r5 = ol.dim(groups.grouped()), e5 = ol.dim(), j5 = ol.dim();
  Value outInit = groups.split(b, zeros(outType, v), 2);
  Value out = groups.merge(
      b,
      linalg::GenericOp::create(
          b, TypeRange{outInit.getType()},
          ValueRange{groups.split(b, probs, 1), v}, ValueRange{outInit},
          ArrayRef<AffineMap>{ol.map({n5, g5, r5, i5, j5}),
                              ol.map({n5, j5, g5, e5}),
                              ol.map({n5, i5, g5, r5, e5})},
          ol.iterators(), multiplyAccumulate)
          .getResult(0),
      2);
  Value rows = tensor::CollapseShapeOp::create(
      b, RankedTensorType::get({kDyn, width}, f), out,
      ArrayRef<ReassociationIndices>{{0, 1}, {2, 3}});
  return linear(rows, wo, Value());
}

Value Layers::cachedSelfAttention(Value x, Value position, int64_t layer,
                                  int64_t heads, int64_t kvHeads, Value wq,
                                  Value wk, Value wv, Value wo, Value &keys,
                                  Value &values) {
  RankedTensorType cacheType = tensorType(keys);
  int64_t context = cacheType.getDimSize(2), kvWidth = cacheType.getDimSize(3);
  int64_t width = tensorType(x).getDimSize(1), headWidth = width / heads;
  HeadGroups groups{kvHeads, heads / kvHeads};
  MLIRContext *ctx = b.getContext();
  Type f = b.getF32Type();
  Value batch = batchOf(x);
  // This position's keys and values into the caches: [B, Dkv] as
  // [1, B, 1, Dkv] at (layer, 0, position, 0).
  auto store = [&](Value rows, Value cache) {
    auto slotType = RankedTensorType::get({1, kDyn, 1, kvWidth}, f);
    SmallVector<OpFoldResult> shape = {
        b.getIndexAttr(1), batch, b.getIndexAttr(1), b.getIndexAttr(kvWidth)};
    Value slot = tensor::ExpandShapeOp::create(
        b, slotType, rows, ArrayRef<ReassociationIndices>{{0, 1}, {2, 3}},
        shape);
    SmallVector<OpFoldResult> offsets = {
        b.getIndexAttr(layer), b.getIndexAttr(0), position, b.getIndexAttr(0)};
    SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
    return tensor::InsertSliceOp::create(b, slot, cache, offsets, shape,
                                         strides)
        .getResult();
  };
  // [B, count * E] <-> [B, count, E].
  auto headsType = [&](int64_t count) {
    return RankedTensorType::get({kDyn, count, headWidth}, f);
  };
  auto splitHeads = [&](Value rows, int64_t count) -> Value {
    SmallVector<OpFoldResult> shape = {batch, b.getIndexAttr(count),
                                       b.getIndexAttr(headWidth)};
    return tensor::ExpandShapeOp::create(
        b, headsType(count), rows, ArrayRef<ReassociationIndices>{{0}, {1, 2}},
        shape);
  };
  // Rotary positions rotate Q and K by `position`.
  auto rotated = [&](Value rows, int64_t count) -> Value {
    if (!config.rotary)
      return rows;
    return tensor::CollapseShapeOp::create(
        b, RankedTensorType::get({kDyn, count * headWidth}, f),
        rotateAt(splitHeads(rows, count), position, context),
        ArrayRef<ReassociationIndices>{{0}, {1, 2}});
  };
  Value q = rotated(linear(x, wq, Value()), heads);
  keys = store(rotated(linear(x, wk, Value()), kvHeads), keys);
  values = store(linear(x, wv, Value()), values);
  // Block `layer` of a cache as [B, T, H, E].
  auto block = [&](Value cache) {
    SmallVector<OpFoldResult> offsets = {b.getIndexAttr(layer),
                                         b.getIndexAttr(0), b.getIndexAttr(0),
                                         b.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), batch,
                                       b.getIndexAttr(context),
                                       b.getIndexAttr(kvWidth)};
    SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
    auto rowsType = RankedTensorType::get({kDyn, context, kvWidth}, f);
    Value rows = tensor::ExtractSliceOp::create(b, rowsType, cache, offsets,
                                                sizes, strides);
    auto type = RankedTensorType::get({kDyn, context, kvHeads, headWidth}, f);
    SmallVector<OpFoldResult> shape = {batch, b.getIndexAttr(context),
                                       b.getIndexAttr(kvHeads),
                                       b.getIndexAttr(headWidth)};
    return tensor::ExpandShapeOp::create(
        b, type, rows, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}}, shape);
  };
  Value k = block(keys), v = block(values);
  Value q3 = splitHeads(q, heads);

  // scores[n, g, r, j] = sum_e q[n, g, r, e] k[n, j, g, e] for query head
  // h = (g, r) (g alone without groups), as [B, H, T]: as the full forward
  // computes row `position` of its scores.
  auto scoresType = RankedTensorType::get({kDyn, heads, context}, f);
  Loops sl{ctx};
  AffineExpr n = sl.dim(), g = sl.dim(), r = sl.dim(groups.grouped()),
             j = sl.dim(), e = sl.dim();
  Value scoresInit = groups.split(b, zeros(scoresType, q3), 1);
  Value scores = groups.merge(
      b,
      linalg::GenericOp::create(
          b, TypeRange{scoresInit.getType()},
          ValueRange{groups.split(b, q3, 1), k}, ValueRange{scoresInit},
          ArrayRef<AffineMap>{sl.map({n, g, r, e}), sl.map({n, j, g, e}),
                              sl.map({n, g, r, j})},
          sl.iterators(), multiplyAccumulate)
          .getResult(0),
      1);
  double scale = 1.0 / std::sqrt(double(headWidth));
  AffineExpr n3, h3, j3;
  bindDims(ctx, n3, h3, j3);
  AffineMap id3 = AffineMap::get(3, 0, {n3, h3, j3}, ctx);
  Value scaled =
      linalg::GenericOp::create(
          b, TypeRange{scoresType}, ValueRange{scores},
          ValueRange{empty(scoresType, scores)}, ArrayRef<AffineMap>{id3, id3},
          ArrayRef<IteratorType>{kPar, kPar, kPar},
          [scale, position](OpBuilder &nb, Location loc, ValueRange a) {
            Value s = arith::MulFOp::create(nb, loc, a[0], f32(nb, loc, scale));
            Value col = linalg::IndexOp::create(nb, loc, 2);
            Value future = arith::CmpIOp::create(
                nb, loc, arith::CmpIPredicate::ugt, col, position);
            s = arith::SelectOp::create(nb, loc, future, f32(nb, loc, -1e9), s);
            linalg::YieldOp::create(nb, loc, ValueRange{s});
          })
          .getResult(0);
  Value probs = linalg::SoftmaxOp::create(b, TypeRange{scoresType}, scaled,
                                          empty(scoresType, scores), 2)
                    .getResult()[0];
  // out[n, g, r, e] = sum_j probs[n, g, r, j] v[n, j, g, e], as [B, H, E].
  Loops ol{ctx};
  AffineExpr n4 = ol.dim(), g4 = ol.dim(), r4 = ol.dim(groups.grouped()),
             e4 = ol.dim(), j4 = ol.dim();
  Value outInit = groups.split(b, zeros(headsType(heads), q3), 1);
  Value out = groups.merge(
      b,
      linalg::GenericOp::create(b, TypeRange{outInit.getType()},
                                ValueRange{groups.split(b, probs, 1), v},
                                ValueRange{outInit},
                                ArrayRef<AffineMap>{ol.map({n4, g4, r4, j4}),
                                                    ol.map({n4, j4, g4, e4}),
                                                    ol.map({n4, g4, r4, e4})},
                                ol.iterators(), multiplyAccumulate)
          .getResult(0),
      1);
  Value rows = tensor::CollapseShapeOp::create(
      b, RankedTensorType::get({kDyn, width}, f), out,
      ArrayRef<ReassociationIndices>{{0}, {1, 2}});
  return linear(rows, wo, Value());
}
