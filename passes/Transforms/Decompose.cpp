//===- Decompose.cpp - Decompose ternary.bitlinear ------------------------===//
//
// ternary.bitlinear -> normalize, quantize_activations, weight_scale,
// quantize_weights, matmul, rescale (lambda = 1; warm-up layers are left
// alone).
//
//===----------------------------------------------------------------------===//

#include "ternary/Dialect/Ternary/TernaryOps.h"
#include "ternary/Passes/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace ternary {
#define GEN_PASS_DEF_TERNARYDECOMPOSE
#include "passes/Passes.h.inc"
} // namespace ternary
} // namespace mlir

using namespace mlir;
using namespace mlir::ternary;

namespace {

/// `type` with its element type replaced and, when `dropLast`, its last
/// dimension removed.
RankedTensorType like(RankedTensorType type, Type element,
                      bool dropLast = false) {
  ArrayRef<int64_t> shape = type.getShape();
  if (dropLast)
    shape = shape.drop_back();
  return RankedTensorType::get(shape, element);
}

struct DecomposeBitLinear : OpRewritePattern<BitLinearOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BitLinearOp op,
                                PatternRewriter &rewriter) const override {
    if (op.isTrainingTime())
      return rewriter.notifyMatchFailure(op, "a training-time layer");
    Location loc = op.getLoc();
    Type f32 = rewriter.getF32Type(), i8 = rewriter.getI8Type(),
         i32 = rewriter.getI32Type();
    RankedTensorType xType = op.getInput().getType();
    RankedTensorType yType = op.getResult().getType();

    Value xh = op.getInput();
    if (op.getNorm() != NormKind::none)
      xh = NormalizeOp::create(rewriter, loc, xType, op.getInput(),
                               op.getGamma(), op.getBeta(), op.getNorm(),
                               op.getEps());
    auto quantized = QuantizeActivationsOp::create(
        rewriter, loc, like(xType, i8), like(xType, f32, /*dropLast=*/true), xh,
        /*gamma=*/Value(), /*beta=*/Value(), op.getActBits(), op.getQ(),
        op.getEps(), NormKind::none);
    Value g = WeightScaleOp::create(rewriter, loc, f32, op.getWeight(),
                                    op.getScale(), op.getEps());
    Value wq = QuantizeWeightsOp::create(
        rewriter, loc, like(op.getWeight().getType(), i8), op.getWeight(), g);
    Value acc = MatmulOp::create(rewriter, loc, like(yType, i32),
                                 quantized.getValues(), wq,
                                 /*kernel=*/PackedKernelAttr());
    rewriter.replaceOpWithNewOp<RescaleOp>(
        op, yType, acc, quantized.getAbsmax(), g, op.getBias(), op.getQ());
    return success();
  }
};

/// Gives a ternary.bitlinear_grad without one its weight scale as an
/// operand: the same ternary.weight_scale as the forward's, which CSE then
/// merges with it.
struct ExposeGradWeightScale : OpRewritePattern<BitLinearGradOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BitLinearGradOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getWeightScale())
      return rewriter.notifyMatchFailure(op, "has its weight scale");
    Value g =
        WeightScaleOp::create(rewriter, op.getLoc(), rewriter.getF32Type(),
                              op.getWeight(), op.getScale(), op.getEps());
    rewriter.modifyOpInPlace(op, [&] { op.getWeightScaleMutable().assign(g); });
    return success();
  }
};

struct TernaryDecompose
    : public mlir::ternary::impl::TernaryDecomposeBase<TernaryDecompose> {
  void runOnOperation() override {
    // Training-time layers (lambda < 1) have no integer form: the pattern
    // leaves them to --convert-ternary-to-linalg.
    RewritePatternSet patterns(&getContext());
    patterns.add<DecomposeBitLinear, ExposeGradWeightScale>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
