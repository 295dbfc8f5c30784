//===- RequestCInterface.cpp - C interfaces for public functions ----------===//
//
// Marks public function definitions with `llvm.emit_c_interface`, so that
// the conversion to LLVM gives each a `_mlir_ciface_NAME` wrapper taking
// memref descriptors by pointer. Unlike upstream --llvm-request-c-wrappers it
// leaves private functions and declarations (runtime functions the code
// calls, such as ternary_check_failed) alone.
//
//===----------------------------------------------------------------------===//

#include "ternary/Passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace mlir {
namespace ternary {
#define GEN_PASS_DEF_TERNARYREQUESTCINTERFACE
#include "passes/Passes.h.inc"
} // namespace ternary
} // namespace mlir

using namespace mlir;

namespace {
struct TernaryRequestCInterface
    : public mlir::ternary::impl::TernaryRequestCInterfaceBase<
          TernaryRequestCInterface> {
  void runOnOperation() override {
    UnitAttr unit = UnitAttr::get(&getContext());
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (func.isPublic() && !func.isDeclaration())
        func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(), unit);
  }
};
} // namespace
