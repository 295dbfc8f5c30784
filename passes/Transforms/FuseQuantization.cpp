//===- FuseQuantization.cpp - Fuse the quantisation steps -----------------===//
//
// quantize_activations(normalize(x)) -> quantize_activations(x) {norm}
// rescale(matmul(xq, w), a, g, b)    -> matmul_rescale(xq, w, a, g, b)
//
//===----------------------------------------------------------------------===//

#include "ternary/Dialect/Ternary/TernaryOps.h"
#include "ternary/Passes/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace ternary {
#define GEN_PASS_DEF_TERNARYFUSEQUANTIZATION
#include "passes/Passes.h.inc"
} // namespace ternary
} // namespace mlir

using namespace mlir;
using namespace mlir::ternary;

namespace {

// These fusions are C++, not DRR (ToyCombine.td's form): both ops have
// optional operands (gamma/beta behind AttrSizedOperandSegments, the bias),
// and mlir-tblgen -gen-rewriters of LLVM 22 passes an absent optional
// operand to the builder as a null Value and leaves the segment sizes
// unset, which crashes in OperandStorage (tried: FuseRescale without a bias,
// FuseNormalize). The same holds for the structural canonicalisations of
// TernaryOps.cpp, which remove optional operands in place.

/// Normalisation into the quantisation sweep, when the normalised rows have
/// no other use and both steps use the same eps.
struct FuseNormalize : OpRewritePattern<QuantizeActivationsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeActivationsOp op,
                                PatternRewriter &rewriter) const override {
    auto norm = op.getInput().getDefiningOp<NormalizeOp>();
    if (!norm || op.getNorm() != NormKind::none || !norm->hasOneUse() ||
        norm.getEps() != op.getEps())
      return failure();
    rewriter.replaceOpWithNewOp<QuantizeActivationsOp>(
        op, op.getValues().getType(), op.getAbsmax().getType(), norm.getInput(),
        norm.getGamma(), norm.getBeta(), op.getBits(), op.getQ(), op.getEps(),
        norm.getKind());
    return success();
  }
};

/// The rescale into the product, when the accumulators have no other use.
struct FuseRescale : OpRewritePattern<RescaleOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RescaleOp op,
                                PatternRewriter &rewriter) const override {
    auto matmul = op.getAcc().getDefiningOp<MatmulOp>();
    if (!matmul || !matmul->hasOneUse())
      return failure();
    rewriter.replaceOpWithNewOp<MatmulRescaleOp>(
        op, op.getResult().getType(), matmul.getValues(), matmul.getWeight(),
        op.getAbsmax(), op.getScale(), op.getBias(), op.getQ(),
        matmul.getKernelAttr());
    return success();
  }
};

struct TernaryFuseQuantization
    : public mlir::ternary::impl::TernaryFuseQuantizationBase<
          TernaryFuseQuantization> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseNormalize, FuseRescale>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
