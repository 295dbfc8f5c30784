//===- PackedMatmulKernels.h - Vector kernels for packed products -*- C++
//-*-===//
//
// Private to passes/: the patterns lowering ternary.matmul and
// ternary.matmul_rescale with a `kernel` attribute (--ternary-select-kernels)
// to vector code; part of --convert-ternary-to-linalg.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_PASSES_CODEGEN_CPU_PACKEDMATMULKERNELS_H
#define TERNARY_PASSES_CODEGEN_CPU_PACKEDMATMULKERNELS_H

#include "mlir/Transforms/DialectConversion.h"

namespace mlir {
namespace ternary {
namespace detail {

/// Adds the vector kernels for `ternary.matmul` / `ternary.matmul_rescale`
/// of 2-D activations with packed weights and a `kernel` other than
/// `loops`, with a higher benefit than the linalg lowering.
void populatePackedMatmulKernelPatterns(const TypeConverter &typeConverter,
                                        RewritePatternSet &patterns);

} // namespace detail
} // namespace ternary
} // namespace mlir

#endif // TERNARY_PASSES_CODEGEN_CPU_PACKEDMATMULKERNELS_H
