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

Value PackedKernelBuilder::times3Bytes(Value t) {
  auto bytes = cast<VectorType>(t.getType());
  auto words =
      VectorType::get({bytes.getNumElements() / 2}, b.getIntegerType(16));
  Value w = vector::BitCastOp::create(b, loc, words, t);
  Value twice = arith::AndIOp::create(
      b, loc, arith::ShLIOp::create(b, loc, w, splat(words, 1)),
      splat(words, 0xFEFE));
  return arith::AddIOp::create(
      b, loc, vector::BitCastOp::create(b, loc, bytes, twice), t);
}

Value PackedKernelBuilder::code(Value bytes, int64_t j, Value &state) {
  if (encoding == Encoding::i2) {
    Value shifted =
        j ? arith::ShRUIOp::create(b, loc, bytes, splat(bytes64(), 2 * j))
          : bytes;
    return arith::AndIOp::create(b, loc, shifted, splat(bytes64(), 3));
  }
  // Base 3, in byte arithmetic only: t_j = (byte * 3^j) mod 256 is
  // 3 t_{j-1} (two wrapping byte adds), and floor(3 t / 256), the code,
  // is (t > 85) + (t > 170).
  state = j ? times3(state) : bytes;
  Value one = splat(bytes64(), 1), zero = splat(bytes64(), 0);
  auto above = [&](int64_t bound) {
    Value cmp = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt, state,
                                      splat(bytes64(), bound));
    return arith::SelectOp::create(b, loc, cmp, one, zero);
  };
  return arith::AddIOp::create(b, loc, above(85), above(170));
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

SmallVector<Value> PackedKernelBuilder::reduceAll(ArrayRef<Value> accs) {
  SmallVector<Value> sums;
  if (accs.empty())
    return sums;
  auto type = cast<VectorType>(accs.front().getType());
  int64_t lanes = type.getNumElements();
  if (accs.size() == 1 || !llvm::isPowerOf2_64(lanes)) {
    for (Value acc : accs)
      sums.push_back(reduce(acc));
    return sums;
  }
  // A vector of the tree: the accumulator each lane belongs to (-1: none).
  struct Node {
    Value v;
    SmallVector<int64_t> owner;
  };
  // a + b with blocks of `size` lanes: block 2i of the result is the sum of
  // a's blocks 2i and 2i + 1, block 2i + 1 that of b's.
  auto combine = [&](const Node &x, const Node &y, int64_t size) {
    SmallVector<int64_t> even, odd;
    Node out;
    for (int64_t blk = 0; blk < lanes / size; blk += 2) {
      for (int64_t i = 0; i < size; ++i) {
        even.push_back(blk * size + i);
        odd.push_back((blk + 1) * size + i);
        out.owner.push_back(x.owner[blk * size + i]);
      }
      for (int64_t i = 0; i < size; ++i) {
        even.push_back(lanes + blk * size + i);
        odd.push_back(lanes + (blk + 1) * size + i);
        out.owner.push_back(y.owner[blk * size + i]);
      }
    }
    out.v = arith::AddIOp::create(
        b, loc, vector::ShuffleOp::create(b, loc, x.v, y.v, even),
        vector::ShuffleOp::create(b, loc, x.v, y.v, odd));
    return out;
  };
  // Groups of up to `lanes` accumulators, each reduced to one vector.
  for (size_t first = 0; first < accs.size(); first += lanes) {
    size_t count = std::min<size_t>(lanes, accs.size() - first);
    SmallVector<Node> level;
    for (size_t i = 0; i < count; ++i)
      level.push_back(
          {accs[first + i], SmallVector<int64_t>(lanes, int64_t(first + i))});
    // Pad to a power of two with zeros.
    while (!llvm::isPowerOf2_64(level.size()))
      level.push_back({splat(type, 0), SmallVector<int64_t>(lanes, -1)});
    int64_t size = lanes / 2;
    while (level.size() > 1) {
      SmallVector<Node> next;
      for (size_t i = 0; i < level.size(); i += 2)
        next.push_back(combine(level[i], level[i + 1], size));
      level = std::move(next);
      size /= 2;
    }
    // Each sum now spans `2 * size` adjacent lanes: fold them.
    Node root = level.front();
    for (; size >= 1; size /= 2)
      root = combine(root, root, size);
    // Lane l holds the whole sum of its owner when it starts its group.
    SmallVector<Value> group(count);
    for (int64_t l = 0; l < lanes; ++l) {
      int64_t owner = root.owner[l];
      if (owner >= 0 && !group[owner - first])
        group[owner - first] = vector::ExtractOp::create(b, loc, root.v, l);
    }
    sums.append(group.begin(), group.end());
  }
  return sums;
}
