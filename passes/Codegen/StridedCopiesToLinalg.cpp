//===- StridedCopiesToLinalg.cpp - memref.copy of strided views as loops --===//
//
// memref.copy between buffers that are not both contiguous lowers to a call
// of MLIR's C runner library (`memrefCopy`), which neither the JIT nor an
// object file of this project links. Bufferization creates such copies,
// e.g. for the gradient of tensor.pad (a slice of the padded gradient).
// This pass turns them into linalg.copy, which becomes plain loops.
//
//===----------------------------------------------------------------------===//

#include "ternary/Passes/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace ternary {
#define GEN_PASS_DEF_TERNARYSTRIDEDCOPIESTOLINALG
#include "passes/Passes.h.inc"
} // namespace ternary
} // namespace mlir

using namespace mlir;

namespace {

bool isContiguous(Value v) {
  auto type = cast<MemRefType>(v.getType());
  return type.getLayout().isIdentity() ||
         type.areTrailingDimsContiguous(type.getRank());
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
