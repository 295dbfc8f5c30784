//===- Autodiff.cpp - The ternary-autodiff pass ---------------------------===//
//
// Reads `ternary.gradient = {name, wrt}` requests on functions and derives
// the loss-and-gradients functions (lib/Autodiff).
//
//===----------------------------------------------------------------------===//

#include "ternary/Autodiff/Autodiff.h"
#include "ternary/Dialect/Ternary/TernaryOps.h"
#include "ternary/Passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir {
namespace ternary {
#define GEN_PASS_DEF_TERNARYAUTODIFF
#include "passes/Passes.h.inc"
} // namespace ternary
} // namespace mlir

using namespace mlir;
using namespace mlir::ternary;

namespace {

constexpr StringLiteral kGradientAttr = "ternary.gradient";

struct TernaryAutodiff
    : public mlir::ternary::impl::TernaryAutodiffBase<TernaryAutodiff> {
  void getDependentDialects(DialectRegistry &registry) const override {
    TernaryAutodiffBase::getDependentDialects(registry);
    // The derivative rules of upstream ops.
    autodiff::registerAdjointExternalModels(registry);
  }

  void runOnOperation() override {
    SmallVector<func::FuncOp> requests;
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (func->hasAttr(kGradientAttr))
        requests.push_back(func);
    bool failedAny = false;
    for (func::FuncOp forward : requests) {
      auto request = dyn_cast<DictionaryAttr>(forward->getAttr(kGradientAttr));
      auto name = request ? request.getAs<StringAttr>("name") : StringAttr();
      auto wrt = request ? request.getAs<DenseI64ArrayAttr>("wrt")
                         : DenseI64ArrayAttr();
      if (!name || !wrt || request.size() != 2) {
        forward.emitOpError()
            << "'" << kGradientAttr
            << "' must be {name = \"NAME\", wrt = array<i64: ...>}";
        failedAny = true;
        continue;
      }
      if (failed(autodiff::deriveGradientFunction(forward, name.getValue(),
                                                  wrt.asArrayRef())))
        failedAny = true;
      else
        forward->removeAttr(kGradientAttr); // the request is served
    }
    if (failedAny)
      signalPassFailure();
  }
};

} // namespace
