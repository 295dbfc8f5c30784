//===- Decoding.cpp - A decoder's prefill and decoding steps --------------===//
//
// What generation calls (ternary-generate, examples/gpt/generate.c):
//
//   @decode(tokens [B], position, keys [L, B, T, Dkv], values, params...)
//       -> (logits [B, V], keys, values)
//   one position a step, this position's keys and values written into the
//   caches, the earlier ones read from them (the row's DecodeStep);
//
//   @prefill(ids [B, T], last, params...) -> (logits [B, V], keys, values)
//   a prompt at once, padded to the context: the full forward with every
//   block's keys and values kept (Layers::captureCaches), the logits of
//   position `last`. Positions after `last` change none before them, and
//   @decode writes a slot before it reads it, so the padding never counts.
//
//===----------------------------------------------------------------------===//

#include "Architectures.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::models;

Layers mlir::ternary::models::layersFor(ImplicitLocOpBuilder &b,
                                        const ModelConfig &config,
                                        llvm::ArrayRef<ParamSpec> specs,
                                        ValueRange params, bool training,
                                        Value seed) {
  Layers layers(b, config, training, seed);
  for (auto [i, spec] : llvm::enumerate(specs))
    if (llvm::is_contained(config.floatLayers, layerOf(spec.name)))
      layers.keepFloat(params[i]);
  return layers;
}

namespace {

/// The index held by a tensor<i64> argument.
Value indexOf(ImplicitLocOpBuilder &b, Value scalar) {
  return arith::IndexCastOp::create(
      b, b.getIndexType(), tensor::ExtractOp::create(b, scalar, ValueRange{}));
}

} // namespace

void mlir::ternary::models::buildDecodingSteps(
    ImplicitLocOpBuilder &b, ModuleOp module, const Architecture &arch,
    const ModelConfig &config, const DataShape &data,
    llvm::ArrayRef<ParamSpec> specs, llvm::ArrayRef<Type> paramTypes,
    const Forward &forward) {
  constexpr int64_t dyn = ShapedType::kDynamic;
  Type f32 = b.getF32Type(), i64 = b.getI64Type();
  // Keys and values of kvHeads heads of the query heads' width.
  int64_t context = data.example[0],
          kvWidth = specs.front().shape[1] / config.heads * config.kvHeads;
  auto cacheType =
      RankedTensorType::get({config.depth, dyn, context, kvWidth}, f32);
  auto logitsType = RankedTensorType::get({dyn, data.classes}, f32);
  auto scalarType = RankedTensorType::get({}, i64);
  auto function = [&](StringRef name, SmallVector<Type> inputs) {
    b.setInsertionPointToEnd(module.getBody());
    inputs.append(paramTypes.begin(), paramTypes.end());
    auto fn = func::FuncOp::create(
        b, name, b.getFunctionType(inputs, {logitsType, cacheType, cacheType}));
    b.setInsertionPointToStart(fn.addEntryBlock());
    return fn;
  };

  func::FuncOp decode = function("decode", {RankedTensorType::get({dyn}, i64),
                                            scalarType, cacheType, cacheType});
  {
    ValueRange args = decode.getArguments();
    ValueRange params = args.drop_front(4);
    Layers layers = layersFor(b, config, specs, params);
    Value keys = args[2], values = args[3];
    Value logits = arch.decode(config)(layers, args[0], indexOf(b, args[1]),
                                       keys, values, params);
    func::ReturnOp::create(b, ValueRange{logits, keys, values});
  }

  func::FuncOp prefill = function(
      "prefill", {RankedTensorType::get({dyn, context}, i64), scalarType});
  {
    ValueRange args = prefill.getArguments();
    ValueRange params = args.drop_front(2);
    Layers layers = layersFor(b, config, specs, params);
    Value batch = tensor::DimOp::create(b, args[0], 0);
    Value zero = arith::ConstantOp::create(b, b.getF32FloatAttr(0.0f));
    auto emptyCache = [&] {
      Value empty = tensor::EmptyOp::create(b, cacheType, ValueRange{batch});
      return linalg::FillOp::create(b, ValueRange{zero}, ValueRange{empty})
          .getResult(0);
    };
    Value keys = emptyCache(), values = emptyCache();
    layers.captureCaches(&keys, &values);
    Value all = forward(layers, args.take_front(1), params); // [B * T, V]
    // Row `last` of each example: [B * T, V] as [B, T, V], sliced.
    SmallVector<OpFoldResult> byPosition = {batch, b.getIndexAttr(context),
                                            b.getIndexAttr(data.classes)};
    Value positions = tensor::ExpandShapeOp::create(
        b, RankedTensorType::get({dyn, context, data.classes}, f32), all,
        ArrayRef<ReassociationIndices>{{0, 1}, {2}}, byPosition);
    SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), indexOf(b, args[1]),
                                         b.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes = {batch, b.getIndexAttr(1),
                                       b.getIndexAttr(data.classes)};
    SmallVector<OpFoldResult> strides(3, b.getIndexAttr(1));
    Value last = tensor::ExtractSliceOp::create(b, logitsType, positions,
                                                offsets, sizes, strides);
    func::ReturnOp::create(b, ValueRange{last, keys, values});
  }
}
