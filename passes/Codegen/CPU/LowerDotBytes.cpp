//===- LowerDotBytes.cpp - ternary.dot_bytes to x86 intrinsics ------------===//
//
// ternary.dot_bytes -> llvm.call_intrinsic of vpdpbusd (AVX-512 VNNI) or
// vpmaddubsw + vpmaddwd + add (AVX2). Runs after bufferization (the
// intrinsic calls have no declared memory effects, which the buffer
// deallocation passes refuse) and before the conversion to LLVM.
//
//===----------------------------------------------------------------------===//

#include "ternary/Dialect/Ternary/TernaryOps.h"
#include "ternary/Passes/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace ternary {
#define GEN_PASS_DEF_TERNARYLOWERDOTBYTES
#include "passes/Passes.h.inc"
} // namespace ternary
} // namespace mlir

using namespace mlir;
using namespace mlir::ternary;

namespace {

Value intrinsic(PatternRewriter &rewriter, Location loc, Type type,
                StringRef name, ValueRange args) {
  return LLVM::CallIntrinsicOp::create(rewriter, loc, type,
                                       rewriter.getStringAttr(name), args)
      .getResult(0);
}

struct LowerDotBytes : OpRewritePattern<DotBytesOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DotBytesOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Type accType = op.getAcc().getType();
    if (op.getKernel() == DotKernel::avx512_vnni) {
      rewriter.replaceOp(
          op, intrinsic(rewriter, loc, accType, "llvm.x86.avx512.vpdpbusd.512",
                        {op.getAcc(), op.getLhs(), op.getRhs()}));
      return success();
    }
    // vpmaddubsw: u8 x s8 pairs -> i16 (codes <= 2: no saturation);
    // vpmaddwd with ones: i16 pairs -> i32.
    auto pairs = VectorType::get({16}, rewriter.getI16Type());
    Value p16 = intrinsic(rewriter, loc, pairs, "llvm.x86.avx2.pmadd.ub.sw",
                          {op.getLhs(), op.getRhs()});
    Value ones = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(pairs, rewriter.getI16IntegerAttr(1)));
    Value p32 = intrinsic(rewriter, loc, accType, "llvm.x86.avx2.pmadd.wd",
                          {p16, ones});
    rewriter.replaceOpWithNewOp<arith::AddIOp>(op, op.getAcc(), p32);
    return success();
  }
};

struct TernaryLowerDotBytes
    : public mlir::ternary::impl::TernaryLowerDotBytesBase<
          TernaryLowerDotBytes> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<LowerDotBytes>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
