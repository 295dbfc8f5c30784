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

/// The code (w + 1) of weight `wv` (i8), as an i32; padding (`inBounds`
/// false) is the zero weight, code 1.
Value weightCode(OpBuilder &b, Location l, Value wv, Value inBounds = {}) {
  LinalgBuilder h{b, l};
  Value code = arith::AddIOp::create(
      b, l, arith::ExtSIOp::create(b, l, b.getI32Type(), wv), h.i32(1));
  if (inBounds)
    code = arith::SelectOp::create(b, l, inBounds, code, h.i32(1));
  return code;
}

/// The storage byte of `codes` (slot j holds codes[j]), as ternary/Runtime/
/// Packing.h lays it out: i2 `sum code_j << 2j`; base 3 `ceil(v * 256 /
/// 243)` for `v = sum code_j 3^(per - 1 - j)`.
Value packCodes(OpBuilder &b, Location l, Encoding encoding,
                ArrayRef<Value> codes) {
  LinalgBuilder h{b, l};
  Value acc = h.i32(0);
  for (auto [j, code] : llvm::enumerate(codes)) {
    if (encoding == Encoding::i2)
      acc = arith::OrIOp::create(
          b, l, acc,
          arith::ShLIOp::create(b, l, code, h.i32(2 * static_cast<int>(j))));
    else
      acc = arith::AddIOp::create(
          b, l, arith::MulIOp::create(b, l, acc, h.i32(3)), code);
  }
  if (encoding == Encoding::base3)
    acc = arith::DivUIOp::create(
        b, l,
        arith::AddIOp::create(
            b, l, arith::MulIOp::create(b, l, acc, h.i32(256)), h.i32(242)),
        h.i32(243));
  return arith::TruncIOp::create(b, l, b.getI8Type(), acc);
}

/// ternary.pack in two parts, each a linalg.generic writing its slice of
/// the storage in place. The full blocks of 64 bytes (64 * per weights),
/// where byte i of a block holds weights i + 64 j: over [N, blocks, 64],
/// reading the weights as [N, blocks, per, 64], which vectorises (the
/// weights of a training step are packed at every step). The partial last
/// block, whose byte i holds weights i + s j (s = ceil(r / per) for r
/// remaining weights): a gather of its bytes. A static K leaves out the
/// part it does not have.
struct PackLowering : OpConversionPattern<PackOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PackOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    LinalgBuilder h{rewriter, loc};
    MLIRContext *ctx = op.getContext();
    Value w = adaptor.getInput();
    PackedType packed = op.getResult().getType();
    Encoding encoding = packed.getEncoding();
    int64_t per = packed.getWeightsPerByte();
    auto storageType =
        cast<RankedTensorType>(getTypeConverter()->convertType(packed));
    Type i8 = rewriter.getI8Type();

    Value rowsV = tensor::DimOp::create(rewriter, loc, w, 0);
    Value cols = tensor::DimOp::create(rewriter, loc, w, 1);
    // ceil(K / per) bytes a row.
    Value rowBytes =
        arith::CeilDivUIOp::create(rewriter, loc, cols, h.index(per));
    SmallVector<Value> dynamic;
    if (storageType.isDynamicDim(0))
      dynamic.push_back(rowsV);
    if (storageType.isDynamicDim(1))
      dynamic.push_back(rowBytes);
    Value storage = tensor::EmptyOp::create(
        rewriter, loc, storageType.getShape(), i8, dynamic);

    // Static K decides which parts exist.
    int64_t staticK = op.getInput().getType().getDimSize(1);
    bool known = !ShapedType::isDynamic(staticK);
    bool hasFull = !known || staticK >= 64 * per;
    bool hasTail = !known || staticK % (64 * per) != 0;
    Value blocks =
        arith::DivUIOp::create(rewriter, loc, cols, h.index(64 * per));
    Value fullCols =
        arith::MulIOp::create(rewriter, loc, blocks, h.index(64 * per));
    Value fullBytes = arith::MulIOp::create(rewriter, loc, blocks, h.index(64));
    OpFoldResult zero = rewriter.getIndexAttr(0),
                 one = rewriter.getIndexAttr(1);
    int64_t d = ShapedType::kDynamic;
    // Each part is computed in place, in a slice of the storage.
    auto part = [&](Value offset, Value size) {
      return tensor::ExtractSliceOp::create(
          rewriter, loc, storage, {zero, OpFoldResult(offset)},
          {OpFoldResult(rowsV), OpFoldResult(size)}, {one, one});
    };
    auto insert = [&](Value value, Value offset, Value size) {
      storage = tensor::InsertSliceOp::create(
          rewriter, loc, value, storage, {zero, OpFoldResult(offset)},
          {OpFoldResult(rowsV), OpFoldResult(size)}, {one, one});
    };

    // The full blocks.
    if (hasFull) {
      Value wFull = tensor::ExtractSliceOp::create(
          rewriter, loc, w, {zero, zero},
          {OpFoldResult(rowsV), OpFoldResult(fullCols)}, {one, one});
      Value wBlocks = tensor::ExpandShapeOp::create(
          rewriter, loc, RankedTensorType::get({d, d, per, 64}, i8), wFull,
          ArrayRef<ReassociationIndices>{{0}, {1, 2, 3}},
          ArrayRef<OpFoldResult>{rowsV, blocks, rewriter.getIndexAttr(per),
                                 rewriter.getIndexAttr(64)});
      Value out = tensor::ExpandShapeOp::create(
          rewriter, loc, RankedTensorType::get({d, d, 64}, i8),
          part(h.index(0), fullBytes),
          ArrayRef<ReassociationIndices>{{0}, {1, 2}},
          ArrayRef<OpFoldResult>{rowsV, blocks, rewriter.getIndexAttr(64)});
      SmallVector<AffineMap> maps;
      AffineExpr n = getAffineDimExpr(0, ctx), blk = getAffineDimExpr(1, ctx),
                 i = getAffineDimExpr(2, ctx);
      for (int64_t j = 0; j < per; ++j)
        maps.push_back(AffineMap::get(
            3, 0, {n, blk, getAffineConstantExpr(j, ctx), i}, ctx));
      maps.push_back(AffineMap::getMultiDimIdentityMap(3, ctx));
      SmallVector<Value> inputs(per, wBlocks);
      Value packedBlocks =
          h.generic(inputs, out, maps,
                    SmallVector<IteratorType>(3, IteratorType::parallel),
                    [&](OpBuilder &b, Location l, ValueRange a) {
                      SmallVector<Value> codes;
                      for (int64_t j = 0; j < per; ++j)
                        codes.push_back(weightCode(b, l, a[j]));
                      return packCodes(b, l, encoding, codes);
                    });
      insert(tensor::CollapseShapeOp::create(
                 rewriter, loc, packedBlocks,
                 ArrayRef<ReassociationIndices>{{0}, {1, 2}}),
             h.index(0), fullBytes);
    }

    // The partial block: its bytes [fullBytes, rowBytes).
    if (hasTail) {
      Value remaining = arith::SubIOp::create(rewriter, loc, cols, fullCols);
      Value tailBytes =
          arith::SubIOp::create(rewriter, loc, rowBytes, fullBytes);
      Value stride =
          arith::CeilDivUIOp::create(rewriter, loc, remaining, h.index(per));
      AffineMap id = AffineMap::getMultiDimIdentityMap(2, ctx);
      Value tail = h.generic(
          {}, part(fullBytes, tailBytes), {id},
          {IteratorType::parallel, IteratorType::parallel},
          [&](OpBuilder &b, Location l, ValueRange) {
            LinalgBuilder hb{b, l};
            Value row = linalg::IndexOp::create(b, l, 0);
            Value byte = linalg::IndexOp::create(b, l, 1);
            SmallVector<Value> codes;
            for (int64_t j = 0; j < per; ++j) {
              Value col = arith::AddIOp::create(
                  b, l, arith::AddIOp::create(b, l, fullCols, byte),
                  arith::MulIOp::create(b, l, stride, hb.index(j)));
              Value inBounds = arith::CmpIOp::create(
                  b, l, arith::CmpIPredicate::ult, col, cols);
              Value safeCol =
                  arith::SelectOp::create(b, l, inBounds, col, hb.index(0));
              Value wv =
                  tensor::ExtractOp::create(b, l, w, ValueRange{row, safeCol});
              codes.push_back(weightCode(b, l, wv, inBounds));
            }
            return packCodes(b, l, encoding, codes);
          });
      insert(tail, fullBytes, tailBytes);
    }
    rewriter.replaceOp(op, storage);
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
