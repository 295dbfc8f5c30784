//===- Threads.h - Threads of the compiled code ----------------*- C++ -*-===//
//
// Compiled code (with the pipeline's `parallel` option, the default) runs its
// tasks on LLVM's OpenMP runtime, libomp: one pool of threads for the whole
// process. These functions set and read that pool's size; the tools'
// `--threads N` goes through them. Results do not depend on the count: the
// tasks split only parallel loops (docs/performance-history.md, "Threads").
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_RUNNER_THREADS_H
#define TERNARY_RUNNER_THREADS_H

namespace mlir {
namespace ternary {

/// The cores this process may run on (its CPU affinity mask), at least 1.
int availableCores();

/// Sets the threads compiled code uses from now on; `threads` = 0 means
/// the OpenMP runtime's OMP_NUM_THREADS when it is set, else
/// availableCores(). Returns the count in force.
int setThreadCount(unsigned threads);

/// The threads compiled code uses now.
int threadCount();

} // namespace ternary
} // namespace mlir

#endif // TERNARY_RUNNER_THREADS_H
