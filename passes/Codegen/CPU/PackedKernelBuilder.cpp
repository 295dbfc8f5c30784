//===- PackedKernelBuilder.cpp - Vector steps of the packed kernels ------===//
//
// The longer steps of PackedKernelBuilder (PackedKernelBuilder.h): masked
// loads, decoding, dot products.
//
//===----------------------------------------------------------------------===//

#include "Codegen/CPU/PackedKernelBuilder.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::detail;

Value PackedKernelBuilder::load64(Value tensor, Value row, Value col,
                                  bool inBounds) {
  Value pad = arith::ConstantOp::create(b, loc, b.getI8IntegerAttr(0));
  if (inBounds)
    return vector::TransferReadOp::create(b, loc, bytes64(), tensor,
                                          ValueRange{row, col}, pad,
                                          ArrayRef<bool>{true});
  // valid = clamp(size - col, 0, 64) lanes; mask = ~0 >> (64 - valid).
  Value size = tensor::DimOp::create(b, loc, tensor, 1);
  Value valid = arith::MinUIOp::create(
      b, loc,
      arith::SubIOp::create(b, loc, arith::MaxUIOp::create(b, loc, size, col),
                            col),
      index(64));
  Type i64 = b.getI64Type();
  auto constant = [&](int64_t v) {
    return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
  };
  Value lanes = arith::IndexCastUIOp::create(b, loc, i64, valid);
  Value bits = arith::SelectOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lanes,
                            constant(0)),
      constant(0),
      arith::ShRUIOp::create(
          b, loc, constant(-1),
          arith::SubIOp::create(b, loc, constant(64), lanes)));
  Value mask = vector::BitCastOp::create(
      b, loc, VectorType::get({64}, b.getI1Type()),
      vector::BroadcastOp::create(b, loc, VectorType::get({1}, i64), bits));
  return vector::TransferReadOp::create(
      b, loc, bytes64(), tensor, ValueRange{row, col},
      AffineMapAttr::get(AffineMap::getMinorIdentityMap(2, 1, b.getContext())),
      pad, mask, b.getBoolArrayAttr({true}));
}

SmallVector<Value> PackedKernelBuilder::codes(Value bytes) {
  SmallVector<Value> result;
  if (encoding == Encoding::i2) {
    for (int64_t j = 0; j < per; ++j) {
      Value shifted = bytes;
      if (j)
        shifted =
            arith::ShRUIOp::create(b, loc, bytes, splat(bytes64(), 2 * j));
      result.push_back(
          arith::AndIOp::create(b, loc, shifted, splat(bytes64(), 3)));
    }
    return result;
  }
  // Base 3, in byte arithmetic only: t_j = (byte * 3^j) mod 256 is
  // 3 t_{j-1} (two wrapping byte adds), and floor(3 t / 256), the code,
  // is (t > 85) + (t > 170).
  Value t = bytes;
  Value one = splat(bytes64(), 1), zero = splat(bytes64(), 0);
  for (int64_t j = 0; j < per; ++j) {
    if (j)
      t = times3(t);
    auto above = [&](int64_t bound) {
      Value cmp = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt, t,
                                        splat(bytes64(), bound));
      return arith::SelectOp::create(b, loc, cmp, one, zero);
    };
    result.push_back(arith::AddIOp::create(b, loc, above(85), above(170)));
  }
  return result;
}

Value PackedKernelBuilder::dot(Value acc, Value codesV, Value x) {
  switch (kernel) {
  case PackedKernel::avx512_vnni:
    return DotBytesOp::create(b, loc, acc.getType(), acc, codesV, x,
                              DotKernel::avx512_vnni);
  case PackedKernel::avx2:
    // Two 256-bit halves.
    for (int64_t h = 0; h < 2; ++h) {
      Value c = vector::ExtractStridedSliceOp::create(b, loc, codesV, {32 * h},
                                                      {32}, {1});
      Value xv =
          vector::ExtractStridedSliceOp::create(b, loc, x, {32 * h}, {32}, {1});
      acc = DotBytesOp::create(b, loc, acc.getType(), acc, c, xv,
                               DotKernel::avx2);
    }
    return acc;
  default: {
    Value c = arith::ExtUIOp::create(b, loc, accType(), codesV);
    Value xv = arith::ExtSIOp::create(b, loc, accType(), x);
    return arith::AddIOp::create(b, loc, acc,
                                 arith::MulIOp::create(b, loc, c, xv));
  }
  }
}
