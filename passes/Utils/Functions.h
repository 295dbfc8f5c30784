//===- Functions.h - Functions the compiler makes ---------------*- C++ -*-===//
//
// Private to passes/: what the functions the lowerings create for several
// call sites (outlined linalg ops, absmedian's search, the packed product
// kernels) have in common.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_PASSES_UTILS_FUNCTIONS_H
#define TERNARY_PASSES_UTILS_FUNCTIONS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace mlir {
namespace ternary {
namespace detail {

/// Makes `fn`, created for several call sites, private to its module:
/// compiled once and not inlined back into every caller (llvm.func's own
/// `no_inline` does not survive convert-func-to-llvm; its `passthrough`
/// list does), with internal linkage (several compiled modules may be
/// linked together).
inline void markInternalNoInline(func::FuncOp fn) {
  MLIRContext *context = fn.getContext();
  fn.setPrivate();
  fn->setAttr("passthrough",
              ArrayAttr::get(context, {StringAttr::get(context, "noinline")}));
  fn->setAttr("llvm.linkage",
              LLVM::LinkageAttr::get(context, LLVM::Linkage::Internal));
}

} // namespace detail
} // namespace ternary
} // namespace mlir

#endif // TERNARY_PASSES_UTILS_FUNCTIONS_H
