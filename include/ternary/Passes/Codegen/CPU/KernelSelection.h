//===- KernelSelection.h - Choosing the packed-product kernel ---*- C++ -*-===//
//
// Which kernel of the packed ternary product a target gets, from its LLVM
// feature string. `--ternary-select-kernels` applies the choice to the IR
// (the `kernel` attribute of ternary.matmul / matmul_rescale); the runner,
// the tools and the benchmark use the same functions to check a requested
// kernel against the target.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_PASSES_CODEGEN_CPU_KERNELSELECTION_H
#define TERNARY_PASSES_CODEGEN_CPU_KERNELSELECTION_H

#include "ternary/Dialect/Ternary/TernaryDialect.h"

#include "llvm/ADT/StringRef.h"

#include <string>

namespace mlir {
namespace ternary {

/// The best kernel for an LLVM feature string ("+avx2,-avx512f,..."): only
/// features marked + count (the last mention of a feature wins).
PackedKernel selectPackedKernel(llvm::StringRef features);

/// The features `kernel` needs that `features` lacks ("" when none), e.g.
/// "+avx512vnni" for avx512_vnni on an AVX2-only target.
std::string missingKernelFeatures(PackedKernel kernel,
                                  llvm::StringRef features);

/// The host CPU's features as an LLVM feature string.
std::string hostTargetFeatures();

} // namespace ternary
} // namespace mlir

#endif // TERNARY_PASSES_CODEGEN_CPU_KERNELSELECTION_H
