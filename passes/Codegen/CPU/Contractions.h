//===- Contractions.h - The f32 contractions the kernel takes ---*- C++ -*-===//
//
// Private to passes/Codegen: which linalg ops the register-blocked f32
// contraction kernel (--ternary-vectorize-contractions) takes, shared with
// --ternary-outline-linalg, which gives each distinct one a function.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_PASSES_CODEGEN_CPU_CONTRACTIONS_H
#define TERNARY_PASSES_CODEGEN_CPU_CONTRACTIONS_H

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"

namespace mlir {
namespace ternary {
namespace detail {

/// Whether `op` is an f32 contraction on buffers of the kernel's form: two
/// inputs, one output contiguous along an n dimension, at least one m, n
/// and k (whatever its sizes: tiles too large for it stay loops).
bool isKernelContraction(linalg::LinalgOp op);

} // namespace detail
} // namespace ternary
} // namespace mlir

#endif // TERNARY_PASSES_CODEGEN_CPU_CONTRACTIONS_H
