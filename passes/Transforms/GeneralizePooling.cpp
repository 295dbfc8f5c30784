//===- GeneralizePooling.cpp - Poolings with their windows outside rows ---===//
//
// --ternary-generalize-pooling: a 2-D pooling in NCHW layout becomes a
// linalg.generic whose window loops run outside the loop over the
// output's columns, so that the innermost loop walks a row of the output
// (and, at the pooling's stride, a row of the input); the gradient
// ternary-autodiff derives from it keeps that order. See
// passes/Transforms/TransformsPasses.td.
//
//===----------------------------------------------------------------------===//

#include "ternary/Passes/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"

namespace mlir {
namespace ternary {
#define GEN_PASS_DEF_TERNARYGENERALIZEPOOLING
#include "passes/Passes.h.inc"
} // namespace ternary
} // namespace mlir

using namespace mlir;

namespace {

struct TernaryGeneralizePooling
    : public mlir::ternary::impl::TernaryGeneralizePoolingBase<
          TernaryGeneralizePooling> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> poolings;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (isa<linalg::PoolingNchwMaxOp, linalg::PoolingNchwSumOp>(op) &&
          op.hasPureTensorSemantics())
        poolings.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : poolings) {
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::GenericOp> generic =
          linalg::generalizeNamedOp(rewriter, op);
      // Loops (n, c, oh, ow, kh, kw) -> (n, c, oh, kh, kw, ow): for each
      // output element the window's terms still come in (kh, kw) order.
      if (failed(generic) || failed(linalg::interchangeGenericOp(
                                 rewriter, *generic, {0, 1, 2, 4, 5, 3}))) {
        op->emitOpError("ternary-generalize-pooling could not rewrite it");
        return signalPassFailure();
      }
    }
  }
};

} // namespace
