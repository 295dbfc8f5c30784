//===- StridedCopiesToLinalg.cpp - memref.copy of strided views as loops --===//
//
// memref.copy between buffers that are not both contiguous (or contiguous
// with a strided layout and a dynamic shape) lowers to a call of MLIR's C
// runner library (`memrefCopy`), which neither the JIT nor an
// object file of this project links. Bufferization creates such copies,
// e.g. for the gradient of tensor.pad (a slice of the padded gradient).
// This pass turns them into linalg.copy, which becomes plain loops.
//
//===----------------------------------------------------------------------===//

#include "ternary/Passes/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace ternary {
#define GEN_PASS_DEF_TERNARYSTRIDEDCOPIESTOLINALG
#include "passes/Passes.h.inc"
} // namespace ternary
} // namespace mlir

using namespace mlir;

namespace {

/// Whether the memref-to-LLVM lowering copies `v` with memcpy: an identity
/// layout, or a static shape laid out contiguously row-major (a strided
/// layout of a dynamic shape, even contiguous, goes to `memrefCopy`).
bool isContiguous(Value v) {
  auto type = cast<MemRefType>(v.getType());
  return type.getLayout().isIdentity() ||
         (type.hasStaticShape() && type.getNumElements() > 0 &&
          memref::isStaticShapeAndContiguousRowMajor(type));
}

struct TernaryStridedCopiesToLinalg
    : public mlir::ternary::impl::TernaryStridedCopiesToLinalgBase<
          TernaryStridedCopiesToLinalg> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation()->walk([&](memref::CopyOp op) {
      if (!isContiguous(op.getSource()) || !isContiguous(op.getTarget()))
        copies.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (memref::CopyOp op : copies) {
      rewriter.setInsertionPoint(op);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(op, op.getSource(),
                                                  op.getTarget());
    }
  }
};

} // namespace
