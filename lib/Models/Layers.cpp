//===- Layers.cpp - The layers the architectures are built from -----------===//

#include "Layers.h"

#include "ternary/Dialect/Ternary/TernaryOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::models;

using namespace mlir::ternary::models::detail;

Value mlir::ternary::models::detail::f32(OpBuilder &b, Location loc, double v) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(float(v)));
}

void mlir::ternary::models::detail::multiplyAccumulate(OpBuilder &b,
                                                       Location loc,
                                                       ValueRange args) {
  Value product = arith::MulFOp::create(b, loc, args[0], args[1]);
  linalg::YieldOp::create(
      b, loc, ValueRange{arith::AddFOp::create(b, loc, args[2], product)});
}

Value Layers::constantF32(float value) {
  return arith::ConstantOp::create(b, b.getF32FloatAttr(value));
}

Value Layers::empty(RankedTensorType type, Value like) {
  SmallVector<Value> dynamic;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      dynamic.push_back(tensor::DimOp::create(b, like, d));
  return tensor::EmptyOp::create(b, type, dynamic);
}

Value Layers::zeros(RankedTensorType type, Value like) {
  return linalg::FillOp::create(b, ValueRange{constantF32(0.0f)},
                                ValueRange{empty(type, like)})
      .getResult(0);
}

Value Layers::table(Value t) {
  if (!config.ternary || !config.ternaryEmbeddings)
    return t;
  return TernarizeOp::create(b, t.getType(), t,
                             ScaleMethodAttr::get(b.getContext(), config.scale),
                             FloatAttr());
}

Value Layers::linear(Value x, Value w, Value bias) {
  RankedTensorType xType = tensorType(x), wType = tensorType(w);
  auto yType = RankedTensorType::get({xType.getDimSize(0), wType.getDimSize(0)},
                                     b.getF32Type());
  if (config.ternary && !floatWeights.contains(w.getAsOpaquePointer()))
    return BitLinearOp::create(
        b, yType, x, w, bias, Value(), Value(), Value(), Value(),
        ScaleMethodAttr::get(b.getContext(), config.scale),
        NormKindAttr::get(b.getContext(), config.norm), IntegerAttr(),
        b.getI32IntegerAttr(config.q), FloatAttr(), FloatAttr());
  // y[m, n] = sum_k x[m, k] w[n, k], then + bias[n].
  MLIRContext *ctx = b.getContext();
  AffineExpr m, n, k;
  bindDims(ctx, m, n, k);
  auto map = [&](ArrayRef<AffineExpr> results) {
    return AffineMap::get(3, 0, results, ctx);
  };
  Value product =
      linalg::GenericOp::create(
          b, TypeRange{yType}, ValueRange{x, w}, ValueRange{zeros(yType, x)},
          ArrayRef<AffineMap>{map({m, k}), map({n, k}), map({m, n})},
          ArrayRef<IteratorType>{kPar, kPar, kRed}, multiplyAccumulate)
          .getResult(0);
  return bias ? addToRows(product, bias) : product;
}

Value Layers::addToRows(Value x, Value row) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType type = tensorType(x);
  AffineExpr r, c;
  bindDims(ctx, r, c);
  return linalg::GenericOp::create(
             b, TypeRange{type}, ValueRange{x, row}, ValueRange{empty(type, x)},
             ArrayRef<AffineMap>{AffineMap::get(2, 0, {r, c}, ctx),
                                 AffineMap::get(2, 0, {c}, ctx),
                                 AffineMap::get(2, 0, {r, c}, ctx)},
             ArrayRef<IteratorType>{kPar, kPar},
             [](OpBuilder &nb, Location loc, ValueRange args) {
               Value s = arith::AddFOp::create(nb, loc, args[0], args[1]);
               linalg::YieldOp::create(nb, loc, s);
             })
      .getResult(0);
}

Value Layers::conv(Value x, Value w, Value bias) {
  RankedTensorType xType = tensorType(x), wType = tensorType(w);
  auto yType =
      RankedTensorType::get({xType.getDimSize(0), wType.getDimSize(0),
                             xType.getDimSize(2) - wType.getDimSize(2) + 1,
                             xType.getDimSize(3) - wType.getDimSize(3) + 1},
                            b.getF32Type());
  Value init = linalg::BroadcastOp::create(b, bias, empty(yType, x),
                                           ArrayRef<int64_t>{0, 2, 3})
                   .getResult()[0];
  auto ones = DenseIntElementsAttr::get(
      RankedTensorType::get({2}, b.getI64Type()), ArrayRef<int64_t>{1, 1});
  return linalg::Conv2DNchwFchwOp::create(b, TypeRange{yType}, ValueRange{x, w},
                                          ValueRange{init}, ones, ones)
      .getResult(0);
}

Value Layers::relu(Value x) {
  return linalg::MapOp::create(
             b, ValueRange{x}, empty(tensorType(x), x),
             [](OpBuilder &nb, Location loc, ValueRange args) {
               Value zero =
                   arith::ConstantOp::create(nb, loc, nb.getF32FloatAttr(0.0f));
               Value r = arith::MaximumFOp::create(nb, loc, args[0], zero);
               linalg::YieldOp::create(nb, loc, r);
             })
      .getResult()[0];
}

Value Layers::maxPool2(Value x) {
  RankedTensorType xType = tensorType(x);
  auto yType =
      RankedTensorType::get({xType.getDimSize(0), xType.getDimSize(1),
                             xType.getDimSize(2) / 2, xType.getDimSize(3) / 2},
                            b.getF32Type());
  Value lowest = constantF32(-3.4e38f);
  Value init =
      linalg::FillOp::create(b, ValueRange{lowest}, ValueRange{empty(yType, x)})
          .getResult(0);
  Value window =
      tensor::EmptyOp::create(b, ArrayRef<int64_t>{2, 2}, b.getF32Type());
  auto attr = [&](int64_t v) {
    return DenseIntElementsAttr::get(RankedTensorType::get({2}, b.getI64Type()),
                                     ArrayRef<int64_t>{v, v});
  };
  return linalg::PoolingNchwMaxOp::create(b, TypeRange{yType},
                                          ValueRange{x, window},
                                          ValueRange{init}, attr(2), attr(1))
      .getResult(0);
}

Value Layers::flatten(Value x) {
  RankedTensorType xType = tensorType(x);
  int64_t features = 1;
  ReassociationIndices rest;
  for (int64_t d = 1; d < xType.getRank(); ++d) {
    features *= xType.getDimSize(d);
    rest.push_back(d);
  }
  auto type =
      RankedTensorType::get({xType.getDimSize(0), features}, b.getF32Type());
  return tensor::CollapseShapeOp::create(
      b, type, x, ArrayRef<ReassociationIndices>{{0}, rest});
}

Value Layers::dropout(Value x, double p) {
  if (!training || p <= 0.0)
    return x;
  // Each dropout draws from its own seed: the step's seed plus its index.
  Value s = tensor::ExtractOp::create(b, seed, ValueRange{});
  if (dropouts > 0)
    s = arith::AddIOp::create(
        b, s, arith::ConstantOp::create(b, b.getI64IntegerAttr(dropouts)));
  ++dropouts;
  return DropoutOp::create(b, x.getType(), x, s, b.getF64FloatAttr(p));
}

Value Layers::embeddingBag(Value table, Value ids, Value weights) {
  RankedTensorType idsType = tensorType(ids), tableType = tensorType(table);
  int64_t n = idsType.getDimSize(0), words = idsType.getDimSize(1),
          width = tableType.getDimSize(1);
  auto rowsType = RankedTensorType::get({n, words, width}, b.getF32Type());
  Value rows = EmbeddingOp::create(b, rowsType, table, ids);
  // bag[i, d] = sum_l weights[i, l] * rows[i, l, d]
  MLIRContext *ctx = b.getContext();
  AffineExpr i, d, l;
  bindDims(ctx, i, d, l);
  auto bagType = RankedTensorType::get({n, width}, b.getF32Type());
  return linalg::GenericOp::create(
             b, TypeRange{bagType}, ValueRange{weights, rows},
             ValueRange{zeros(bagType, ids)},
             ArrayRef<AffineMap>{AffineMap::get(3, 0, {i, l}, ctx),
                                 AffineMap::get(3, 0, {i, l, d}, ctx),
                                 AffineMap::get(3, 0, {i, d}, ctx)},
             ArrayRef<IteratorType>{kPar, kPar, kRed}, multiplyAccumulate)
      .getResult(0);
}

Value Layers::propagate(const Graph &graph, Value x) {
  return SpmmOp::create(b, x.getType(), graph.indptr, graph.indices,
                        graph.values, x);
}

Value Layers::crossEntropy(Value logits, Value labels) {
  return CrossEntropyOp::create(b, RankedTensorType::get({}, b.getF32Type()),
                                logits, labels);
}

Value Layers::accuracy(Value logits, Value labels) {
  MLIRContext *ctx = b.getContext();
  RankedTensorType type = tensorType(logits);
  auto rowsType = RankedTensorType::get({type.getDimSize(0)}, b.getF32Type());
  auto scalarType = RankedTensorType::get({}, b.getF32Type());
  Value lowest = constantF32(-3.4e38f);
  Value maxInit = linalg::FillOp::create(b, ValueRange{lowest},
                                         ValueRange{empty(rowsType, logits)})
                      .getResult(0);
  Value rowMax =
      linalg::ReduceOp::create(
          b, ValueRange{logits}, ValueRange{maxInit}, ArrayRef<int64_t>{1},
          [](OpBuilder &nb, Location loc, ValueRange args) {
            Value m = arith::MaximumFOp::create(nb, loc, args[1], args[0]);
            linalg::YieldOp::create(nb, loc, m);
          })
          .getResult(0);
  // Per row r: labelled = label >= 0; hit = logits[r, label] >= max_r.
  AffineExpr r;
  bindDims(ctx, r);
  AffineMap row = AffineMap::get(1, 0, {r}, ctx);
  AffineMap scalar = AffineMap::get(1, 0, {}, ctx);
  Value zero = zeros(scalarType, Value());
  auto counts = linalg::GenericOp::create(
      b, TypeRange{scalarType, scalarType}, ValueRange{labels, rowMax},
      ValueRange{zero, zero}, ArrayRef<AffineMap>{row, row, scalar, scalar},
      ArrayRef<IteratorType>{kRed},
      [&](OpBuilder &nb, Location loc, ValueRange args) {
        Value label = args[0], max = args[1];
        Value zero64 =
            arith::ConstantOp::create(nb, loc, nb.getI64IntegerAttr(0));
        Value labelled = arith::CmpIOp::create(
            nb, loc, arith::CmpIPredicate::sge, label, zero64);
        Value safe = arith::SelectOp::create(nb, loc, labelled, label, zero64);
        Value col =
            arith::IndexCastOp::create(nb, loc, nb.getIndexType(), safe);
        Value index = linalg::IndexOp::create(nb, loc, 0);
        Value z =
            tensor::ExtractOp::create(nb, loc, logits, ValueRange{index, col});
        Value reaches =
            arith::CmpFOp::create(nb, loc, arith::CmpFPredicate::OGE, z, max);
        Value hit = arith::AndIOp::create(nb, loc, reaches, labelled);
        auto count = [&](Value flag, Value acc) -> Value {
          Value one = arith::UIToFPOp::create(nb, loc, nb.getF32Type(), flag);
          return arith::AddFOp::create(nb, loc, acc, one);
        };
        linalg::YieldOp::create(
            nb, loc, ValueRange{count(hit, args[2]), count(labelled, args[3])});
      });
  Value correct =
      tensor::ExtractOp::create(b, counts.getResult(0), ValueRange{});
  Value total = tensor::ExtractOp::create(b, counts.getResult(1), ValueRange{});
  Value fraction = arith::DivFOp::create(b, correct, total);
  return tensor::FromElementsOp::create(b, scalarType, ValueRange{fraction});
}
