//===- Packing.cpp - Packed weight storage to linalg
//------------------------===//
//
// Lowers ternary.pack, ternary.unpack and ternary.packed_constant to
// tensor.generate / linalg.generic on the storage tensor
// (tensor<N x rowBytes x i8>) of the layout of ternary/Runtime/Packing.h,
// and provides the decoding of one packed weight to the other lowerings.
//
//===----------------------------------------------------------------------===//

#include "Conversion/TernaryToLinalg/PopulatePatterns.h"
#include "Conversion/TernaryToLinalg/Utils.h"
#include "Utils/LinalgBuilder.h"

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
          Value row = linalg::IndexOp::create(b, l, 0);
          Value column = linalg::IndexOp::create(b, l, 1);
          Value wv = loadPackedTernaryWeight(b, l, packed, storage, row, column,
                                             kSize);
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

} // namespace

/// The weight [row, col] (index values) of packed storage with rows of `k`
/// weights, decoded to an i32 in {-1, 0, 1}.
Value mlir::ternary::detail::loadPackedTernaryWeight(OpBuilder &b, Location loc,
                                                     PackedType packed,
                                                     Value storage, Value row,
                                                     Value col, Value k) {
  Encoding encoding = packed.getEncoding();
  auto [byteIndex, slot] =
      locateWeight(b, loc, col, k, packed.getWeightsPerByte());
  Value byte =
      tensor::ExtractOp::create(b, loc, storage, ValueRange{row, byteIndex});
  return decodeWeight(b, loc, encoding, byte, slot);
}

void mlir::ternary::detail::populatePackingPatterns(
    const TypeConverter &typeConverter, RewritePatternSet &patterns) {
  patterns.add<PackLowering, UnpackLowering, PackedConstantLowering>(
      typeConverter, patterns.getContext());
}
