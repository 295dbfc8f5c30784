//===- Passes.h - Passes of the ternary compiler ----------------*- C++ -*-===//
//
// Declarations and registration of every pass (generated from
// passes/Passes.td, which gathers each layer's *Passes.td). The passes live
// in passes/Transforms (tensor-level rewrites of the ternary dialect),
// passes/Conversion/TernaryToLinalg (the lowering to linalg) and
// passes/Codegen (kernel selection, CPU kernels, the lowering to LLVM).
// Pipelines are in ternary/Passes/Pipelines.h.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_PASSES_PASSES_H
#define TERNARY_PASSES_PASSES_H

#include "ternary/Dialect/Ternary/TernaryDialect.h"
#include "ternary/Dialect/Ternary/TernaryOptions.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

#include <string>

namespace mlir {
namespace ternary {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace ternary
} // namespace mlir

#endif // TERNARY_PASSES_PASSES_H
