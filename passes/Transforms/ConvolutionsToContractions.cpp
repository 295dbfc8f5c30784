//===- ConvolutionsToContractions.cpp - Convolutions as im2col + GEMM -----===//
//
// --ternary-convolutions-to-contractions: a linalg.conv_2d_nchw_fchw on
// tensors becomes a gather of its input windows (im2col, a linalg.generic
// with affine maps only) and a batched contraction of the flattened filter
// with them. Both are ops the rest of the compiler handles well: the
// contraction (and the ones ternary-autodiff derives from it) goes to the
// register-blocked f32 kernel, the gather's adjoint is a scatter-add over
// the same maps.
//
//===----------------------------------------------------------------------===//

#include "ternary/Passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace ternary {
#define GEN_PASS_DEF_TERNARYCONVOLUTIONSTOCONTRACTIONS
#include "passes/Passes.h.inc"
} // namespace ternary
} // namespace mlir

using namespace mlir;

namespace {

/// conv_2d_nchw_fchw (x: [N, C, H, W], w: [F, C, KH, KW], out: [N, F, OH,
/// OW]) as
///   col[n, c, kh, kw, oh, ow] = x[n, c, oh * sh + kh * dh, ow * sw + kw * dw]
///   out[n, f, p] += sum_k w[f, k] * col[n, k, p]
/// with k = (c, kh, kw) and p = (oh, ow) flattened. The sum runs over k in
/// the order of the convolution's own loops (c, then kh, then kw), so the
/// results are those of the convolution's loops, bit for bit.
struct ConvNchwFchwToContraction
    : public OpRewritePattern<linalg::Conv2DNchwFchwOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::Conv2DNchwFchwOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return rewriter.notifyMatchFailure(op, "needs tensor operands");
    Value x = op.getInputs()[0], w = op.getInputs()[1],
          init = op.getOutputs()[0];
    auto xType = dyn_cast<RankedTensorType>(x.getType());
    auto wType = dyn_cast<RankedTensorType>(w.getType());
    auto outType = dyn_cast<RankedTensorType>(init.getType());
    if (!xType || !wType || !outType ||
        xType.getElementType() != wType.getElementType() ||
        xType.getElementType() != outType.getElementType() ||
        !isa<FloatType>(xType.getElementType()))
      return rewriter.notifyMatchFailure(op, "needs one float element type");
    Type element = xType.getElementType();
    SmallVector<int64_t> strides(op.getStrides().getValues<int64_t>());
    SmallVector<int64_t> dilations(op.getDilations().getValues<int64_t>());

    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    SmallVector<OpFoldResult> xSizes = tensor::getMixedSizes(rewriter, loc, x);
    SmallVector<OpFoldResult> wSizes = tensor::getMixedSizes(rewriter, loc, w);
    SmallVector<OpFoldResult> outSizes =
        tensor::getMixedSizes(rewriter, loc, init);

    // The windows: col[n, c, kh, kw, oh, ow].
    AffineExpr n, c, kh, kw, oh, ow;
    bindDims(ctx, n, c, kh, kw, oh, ow);
    AffineMap xMap = AffineMap::get(6, 0,
                                    {n, c, oh * strides[0] + kh * dilations[0],
                                     ow * strides[1] + kw * dilations[1]},
                                    ctx);
    SmallVector<OpFoldResult> colSizes = {xSizes[0], wSizes[1],   wSizes[2],
                                          wSizes[3], outSizes[2], outSizes[3]};
    Value colInit = tensor::EmptyOp::create(rewriter, loc, colSizes, element);
    SmallVector<utils::IteratorType> gatherIterators(
        6, utils::IteratorType::parallel);
    Value col =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{colInit.getType()}, ValueRange{x},
            ValueRange{colInit},
            ArrayRef<AffineMap>{xMap, rewriter.getMultiDimIdentityMap(6)},
            gatherIterators,
            [](OpBuilder &b, Location l, ValueRange args) {
              linalg::YieldOp::create(b, l, args[0]);
            })
            .getResult(0);

    // Flattened operands: col [N, K, P], w [F, K], out [N, F, P].
    using Reassociation = SmallVector<ReassociationIndices>;
    Value colFlat = tensor::CollapseShapeOp::create(
        rewriter, loc, col, Reassociation{{0}, {1, 2, 3}, {4, 5}});
    Value wFlat = tensor::CollapseShapeOp::create(
        rewriter, loc, w, Reassociation{{0}, {1, 2, 3}});
    Reassociation outGroups{{0}, {1}, {2, 3}};
    Value outFlat =
        tensor::CollapseShapeOp::create(rewriter, loc, init, outGroups);

    AffineExpr bn, f, p, k;
    bindDims(ctx, bn, f, p, k);
    SmallVector<AffineMap> maps = {AffineMap::get(4, 0, {f, k}, ctx),
                                   AffineMap::get(4, 0, {bn, k, p}, ctx),
                                   AffineMap::get(4, 0, {bn, f, p}, ctx)};
    SmallVector<utils::IteratorType> iterators(3,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    Value product =
        linalg::GenericOp::create(
            rewriter, loc, TypeRange{outFlat.getType()},
            ValueRange{wFlat, colFlat}, ValueRange{outFlat}, maps, iterators,
            [](OpBuilder &b, Location l, ValueRange args) {
              // The convolution's body: out + x * w.
              Value m = arith::MulFOp::create(b, l, args[1], args[0]);
              linalg::YieldOp::create(
                  b, l, arith::AddFOp::create(b, l, args[2], m).getResult());
            })
            .getResult(0);
    rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(op, outType, product,
                                                       outGroups, outSizes);
    return success();
  }
};

struct TernaryConvolutionsToContractions
    : public mlir::ternary::impl::TernaryConvolutionsToContractionsBase<
          TernaryConvolutionsToContractions> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ConvNchwFchwToContraction>(&getContext());
    // Only the matched ops change: no folding of the rest of the IR.
    GreedyRewriteConfig config;
    config.enableFolding(false);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      return signalPassFailure();
  }
};

} // namespace
