//===- Tasks.h - Parallel tasks of the CPU code generation ------*- C++ -*-===//
//
// Private to passes/Codegen: how the CPU code writes work for threads. A
// task is one iteration of an scf.forall over disjoint slices of an op's
// outputs; the pipeline lowers the forall to an OpenMP worksharing loop (or
// to a plain loop with parallel=false). Splitting only loops that index
// every output keeps each output element's computation the same on any
// number of threads.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_PASSES_CODEGEN_CPU_TASKS_H
#define TERNARY_PASSES_CODEGEN_CPU_TASKS_H

#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/TilingInterface.h"

namespace mlir {
namespace ternary {
namespace detail {

/// Replaces `op` by an scf.forall whose iterations run it on tiles of
/// `sizes` (one per loop; 0 leaves the loop whole) and returns the op
/// inside the forall; an error on `op` when it cannot be tiled.
FailureOr<TilingInterface> splitIntoTasks(RewriterBase &rewriter,
                                          TilingInterface op,
                                          ArrayRef<OpFoldResult> sizes);

} // namespace detail
} // namespace ternary
} // namespace mlir

#endif // TERNARY_PASSES_CODEGEN_CPU_TASKS_H
