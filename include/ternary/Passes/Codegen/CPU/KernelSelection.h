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

/// The register tile of the f32 contraction kernel
/// (--ternary-vectorize-contractions) for a target: output rows, columns
/// and reduction steps per iteration.
struct ContractionTiles {
  int64_t m, n, k;
};

/// 8 x 32 x 4 with AVX-512 (16 zmm accumulators), 6 x 16 x 4 with AVX2 and
/// FMA (12 ymm), 4 x 8 x 4 otherwise.
ContractionTiles selectContractionTiles(llvm::StringRef features);

/// Bytes of a vector register of a target: 64 with AVX-512, 32 with AVX2,
/// 16 otherwise.
int64_t selectVectorBytes(llvm::StringRef features);

} // namespace ternary
} // namespace mlir

#endif // TERNARY_PASSES_CODEGEN_CPU_KERNELSELECTION_H
