//===- TransformerLayers.cpp - The layers of the language models ----------===//
//
// Embeddings with learned positions, LayerNorm and RMSNorm, rotary
// positions, GELU, ReLU^2 and SiLU, written as linalg on tensors and
// ternary ops, so that autodiff derives their gradients from the generic
// rule. Attention is in Attention.cpp.
//
//===----------------------------------------------------------------------===//

#include "Layers.h"

#include "ternary/Dialect/Ternary/TernaryOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::models;
using namespace mlir::ternary::models::detail;

namespace {
constexpr float kNormEps = 1e-5f;
} // namespace

Value Layers::flattenPositions(Value x) {
  RankedTensorType type = tensorType(x);
  int64_t rows =
      type.isDynamicDim(0) ? kDyn : type.getDimSize(0) * type.getDimSize(1);
  SmallVector<int64_t> shape = {rows};
  ReassociationIndices rest = {0, 1};
  SmallVector<ReassociationIndices> groups = {rest};
  for (int64_t d = 2; d < type.getRank(); ++d) {
    shape.push_back(type.getDimSize(d));
    groups.push_back({d});
  }
  return tensor::CollapseShapeOp::create(
      b, RankedTensorType::get(shape, type.getElementType()), x, groups);
}

Value Layers::batchOf(Value x) { return tensor::DimOp::create(b, x, 0); }

Value Layers::embedTokens(Value table, Value positions, Value ids) {
  RankedTensorType idsType = tensorType(ids), tableType = tensorType(table);
  int64_t context = idsType.getDimSize(1), width = tableType.getDimSize(1);
  auto rowsType = RankedTensorType::get({kDyn, context, width}, b.getF32Type());
  Value rows = EmbeddingOp::create(b, rowsType, table, ids);
  if (!positions)
    return flattenPositions(rows);
  MLIRContext *ctx = b.getContext();
  AffineExpr n, t, d;
  bindDims(ctx, n, t, d);
  Value sum = linalg::GenericOp::create(
                  b, TypeRange{rowsType}, ValueRange{rows, positions},
                  ValueRange{empty(rowsType, rows)},
                  ArrayRef<AffineMap>{AffineMap::get(3, 0, {n, t, d}, ctx),
                                      AffineMap::get(3, 0, {t, d}, ctx),
                                      AffineMap::get(3, 0, {n, t, d}, ctx)},
                  ArrayRef<IteratorType>{kPar, kPar, kPar},
                  [](OpBuilder &nb, Location loc, ValueRange a) {
                    linalg::YieldOp::create(
                        nb, loc,
                        ValueRange{arith::AddFOp::create(nb, loc, a[0], a[1])});
                  })
                  .getResult(0);
  return flattenPositions(sum);
}

Value Layers::embedToken(Value table, Value positions, Value ids,
                         Value position) {
  int64_t width = tensorType(table).getDimSize(1);
  auto rowsType = RankedTensorType::get({kDyn, width}, b.getF32Type());
  Value rows = EmbeddingOp::create(b, rowsType, table, ids);
  if (!positions)
    return rows;
  SmallVector<OpFoldResult> offsets = {position, b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), b.getIndexAttr(width)};
  SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
  Value row = tensor::ExtractSliceOp::create(
      b, RankedTensorType::get({width}, b.getF32Type()), positions, offsets,
      sizes, strides);
  return addToRows(rows, row);
}

Value Layers::norm(Value x, Value gain, Value bias, bool rms) {
  RankedTensorType type = tensorType(x);
  int64_t width = type.getDimSize(1);
  MLIRContext *ctx = b.getContext();
  AffineExpr r, d;
  bindDims(ctx, r, d);
  AffineMap all = AffineMap::get(2, 0, {r, d}, ctx);
  AffineMap row = AffineMap::get(2, 0, {r}, ctx);
  AffineMap column = AffineMap::get(2, 0, {d}, ctx);
  auto rowsType = RankedTensorType::get({type.getDimSize(0)}, b.getF32Type());
  // sum_d f(x[r, d]) for each row.
  auto rowSum = [&](Value input, bool square) {
    return linalg::GenericOp::create(
               b, TypeRange{rowsType}, ValueRange{input},
               ValueRange{zeros(rowsType, input)},
               ArrayRef<AffineMap>{all, row},
               ArrayRef<IteratorType>{kPar, kRed},
               [square](OpBuilder &nb, Location loc, ValueRange a) {
                 Value v = square ? arith::MulFOp::create(nb, loc, a[0], a[0])
                                        .getResult()
                                  : a[0];
                 linalg::YieldOp::create(
                     nb, loc,
                     ValueRange{arith::AddFOp::create(nb, loc, a[1], v)});
               })
        .getResult(0);
  };
  Value centred = x;
  if (!rms) {
    Value sum = rowSum(x, false);
    centred =
        linalg::GenericOp::create(
            b, TypeRange{type}, ValueRange{x, sum}, ValueRange{empty(type, x)},
            ArrayRef<AffineMap>{all, row, all},
            ArrayRef<IteratorType>{kPar, kPar},
            [width](OpBuilder &nb, Location loc, ValueRange a) {
              Value mean = arith::DivFOp::create(nb, loc, a[1],
                                                 f32(nb, loc, double(width)));
              linalg::YieldOp::create(
                  nb, loc,
                  ValueRange{arith::SubFOp::create(nb, loc, a[0], mean)});
            })
            .getResult(0);
  }
  Value squares = rowSum(centred, true);
  SmallVector<Value> inputs = {centred, squares, gain};
  SmallVector<AffineMap> maps = {all, row, column};
  if (bias) {
    inputs.push_back(bias);
    maps.push_back(column);
  }
  maps.push_back(all);
  bool hasBias = bool(bias);
  return linalg::GenericOp::create(
             b, TypeRange{type}, inputs, ValueRange{empty(type, x)}, maps,
             ArrayRef<IteratorType>{kPar, kPar},
             [width, hasBias](OpBuilder &nb, Location loc, ValueRange a) {
               Value variance = arith::DivFOp::create(
                   nb, loc, a[1], f32(nb, loc, double(width)));
               Value scale = math::RsqrtOp::create(
                   nb, loc,
                   arith::AddFOp::create(nb, loc, variance,
                                         f32(nb, loc, kNormEps)));
               Value y = arith::MulFOp::create(
                   nb, loc, arith::MulFOp::create(nb, loc, a[0], scale), a[2]);
               if (hasBias)
                 y = arith::AddFOp::create(nb, loc, y, a[3]);
               linalg::YieldOp::create(nb, loc, ValueRange{y});
             })
      .getResult(0);
}

Value Layers::gelu(Value x) {
  return linalg::MapOp::create(
             b, ValueRange{x}, empty(tensorType(x), x),
             [](OpBuilder &nb, Location loc, ValueRange a) {
               Value s = arith::MulFOp::create(nb, loc, a[0],
                                               f32(nb, loc, M_SQRT1_2));
               Value p = arith::AddFOp::create(nb, loc, f32(nb, loc, 1.0),
                                               math::ErfOp::create(nb, loc, s));
               Value half =
                   arith::MulFOp::create(nb, loc, f32(nb, loc, 0.5), a[0]);
               linalg::YieldOp::create(
                   nb, loc,
                   ValueRange{arith::MulFOp::create(nb, loc, half, p)});
             })
      .getResult()[0];
}

Value Layers::reluSquared(Value x) {
  return linalg::MapOp::create(
             b, ValueRange{x}, empty(tensorType(x), x),
             [](OpBuilder &nb, Location loc, ValueRange a) {
               Value r =
                   arith::MaximumFOp::create(nb, loc, a[0], f32(nb, loc, 0.0));
               linalg::YieldOp::create(
                   nb, loc, ValueRange{arith::MulFOp::create(nb, loc, r, r)});
             })
      .getResult()[0];
}

/// An element-wise binary op on two tensors of one shape.
template <typename Op>
static Value elementwise(OpBuilder &b, Value lhs, Value rhs, Value init) {
  return linalg::MapOp::create(
             b, lhs.getLoc(), ValueRange{lhs, rhs}, init,
             [](OpBuilder &nb, Location loc, ValueRange a) {
               linalg::YieldOp::create(
                   nb, loc, ValueRange{Op::create(nb, loc, a[0], a[1])});
             })
      .getResult()[0];
}

Value Layers::add(Value lhs, Value rhs) {
  return elementwise<arith::AddFOp>(b, lhs, rhs, empty(tensorType(lhs), lhs));
}

Value Layers::multiply(Value lhs, Value rhs) {
  return elementwise<arith::MulFOp>(b, lhs, rhs, empty(tensorType(lhs), lhs));
}

Value Layers::silu(Value x) {
  return linalg::MapOp::create(
             b, ValueRange{x}, empty(tensorType(x), x),
             [](OpBuilder &nb, Location loc, ValueRange a) {
               Value e = math::ExpOp::create(
                   nb, loc, arith::NegFOp::create(nb, loc, a[0]));
               Value d = arith::AddFOp::create(nb, loc, f32(nb, loc, 1.0), e);
               linalg::YieldOp::create(
                   nb, loc,
                   ValueRange{arith::DivFOp::create(nb, loc, a[0], d)});
             })
      .getResult()[0];
}

Value Layers::rotations(int64_t context, int64_t headWidth) {
  int64_t half = headWidth / 2;
  std::vector<float> r(size_t(context * headWidth * headWidth), 0.0f);
  for (int64_t t = 0; t < context; ++t)
    for (int64_t i = 0; i < half; ++i) {
      double theta = std::pow(10000.0, -2.0 * double(i) / double(headWidth));
      float c = float(std::cos(double(t) * theta)),
            s = float(std::sin(double(t) * theta));
      float *m = r.data() + t * headWidth * headWidth;
      // out[i] = c x[i] - s x[i + E/2]; out[i + E/2] = s x[i] + c x[i + E/2]
      m[i * headWidth + i] = c;
      m[i * headWidth + i + half] = -s;
      m[(i + half) * headWidth + i] = s;
      m[(i + half) * headWidth + i + half] = c;
    }
  auto type =
      RankedTensorType::get({context, headWidth, headWidth}, b.getF32Type());
  return arith::ConstantOp::create(
      b, type, DenseElementsAttr::get(type, llvm::ArrayRef<float>(r)));
}

Value Layers::rotate(Value x) {
  RankedTensorType type = tensorType(x);
  int64_t context = type.getDimSize(1), headWidth = type.getDimSize(3);
  Value r = rotations(context, headWidth);
  // out[n, t, h, o] = sum_i r[t, o, i] x[n, t, h, i]
  MLIRContext *ctx = b.getContext();
  AffineExpr n, t, h, o, i;
  bindDims(ctx, n, t, h, o, i);
  return linalg::GenericOp::create(
             b, TypeRange{type}, ValueRange{r, x}, ValueRange{zeros(type, x)},
             ArrayRef<AffineMap>{AffineMap::get(5, 0, {t, o, i}, ctx),
                                 AffineMap::get(5, 0, {n, t, h, i}, ctx),
                                 AffineMap::get(5, 0, {n, t, h, o}, ctx)},
             ArrayRef<IteratorType>{kPar, kPar, kPar, kPar, kRed},
             multiplyAccumulate)
      .getResult(0);
}

Value Layers::rotateAt(Value x, Value position, int64_t context) {
  RankedTensorType type = tensorType(x);
  int64_t headWidth = type.getDimSize(2);
  Value all = rotations(context, headWidth);
  SmallVector<OpFoldResult> offsets = {position, b.getIndexAttr(0),
                                       b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {
      b.getIndexAttr(1), b.getIndexAttr(headWidth), b.getIndexAttr(headWidth)};
  SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
  Value r = tensor::ExtractSliceOp::create(
      b, RankedTensorType::get({headWidth, headWidth}, b.getF32Type()), all,
      offsets, sizes, strides);
  // out[n, h, o] = sum_i r[o, i] x[n, h, i]
  MLIRContext *ctx = b.getContext();
  AffineExpr n, h, o, i;
  bindDims(ctx, n, h, o, i);
  return linalg::GenericOp::create(
             b, TypeRange{type}, ValueRange{r, x}, ValueRange{zeros(type, x)},
             ArrayRef<AffineMap>{AffineMap::get(4, 0, {o, i}, ctx),
                                 AffineMap::get(4, 0, {n, h, i}, ctx),
                                 AffineMap::get(4, 0, {n, h, o}, ctx)},
             ArrayRef<IteratorType>{kPar, kPar, kPar, kRed}, multiplyAccumulate)
      .getResult(0);
}
