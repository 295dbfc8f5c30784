//===- ApproximateMath.cpp - erf and exp as polynomials ------------------===//
//
// --ternary-approximate-math: f32 math.erf and math.exp become MLIR's
// polynomial approximations (arith and math.fma only), which LLVM
// vectorises like any arithmetic, instead of one libm call an element. See
// passes/Codegen/CodegenPasses.td.
//
//===----------------------------------------------------------------------===//

#include "ternary/Passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir {
namespace ternary {
#define GEN_PASS_DEF_TERNARYAPPROXIMATEMATH
#include "passes/Passes.h.inc"
} // namespace ternary
} // namespace mlir

using namespace mlir;

namespace {

struct TernaryApproximateMath
    : public mlir::ternary::impl::TernaryApproximateMathBase<
          TernaryApproximateMath> {
  void runOnOperation() override {
    auto selected = [](StringRef name) {
      return name == "math.erf" || name == "math.exp";
    };
    // Only these ops and what their rewrites create: a greedy rewrite of
    // the whole module would also fold and simplify everything else, work
    // that grows with the program (compile time of a deep model).
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (selected(op->getName().getStringRef()))
        ops.push_back(op);
    });
    if (ops.empty())
      return;
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns, selected);
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
    config.enableFolding(false);
    if (failed(applyOpPatternsGreedily(ops, std::move(patterns), config)))
      signalPassFailure();
  }
};

} // namespace
