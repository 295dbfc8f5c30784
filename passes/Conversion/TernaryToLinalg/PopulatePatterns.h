//===- PopulatePatterns.h - Pattern sets of ternary-to-linalg ---*- C++ -*-===//
//
// Private to passes/Conversion/TernaryToLinalg: one populate function per
// op family, each defined in the file of that family and called by the
// pass (ConvertTernaryToLinalg.cpp). Every pattern is an
// OpConversionPattern whose type converter maps `!ternary.packed` to its
// storage tensor.
//
// Adding a lowering: put the pattern in its family's file (or a new file
// with a new populate function declared here and called by the pass), and
// a FileCheck case in test/passes/Conversion/TernaryToLinalg/.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_PASSES_CONVERSION_TERNARYTOLINALG_POPULATEPATTERNS_H
#define TERNARY_PASSES_CONVERSION_TERNARYTOLINALG_POPULATEPATTERNS_H

#include "mlir/Transforms/DialectConversion.h"

namespace mlir {
namespace ternary {
namespace detail {

/// ternary.normalize, quantize_activations, weight_scale, quantize_weights
/// (Quantization.cpp).
void populateQuantizationPatterns(const TypeConverter &typeConverter,
                                  RewritePatternSet &patterns);

/// ternary.matmul, rescale, matmul_rescale as linalg.generic
/// (Products.cpp).
void populateProductPatterns(const TypeConverter &typeConverter,
                             RewritePatternSet &patterns);

/// ternary.pack, unpack, packed_constant (Packing.cpp).
void populatePackingPatterns(const TypeConverter &typeConverter,
                             RewritePatternSet &patterns);

/// Training-time ternary.bitlinear (lambda < 1) and bitlinear_grad
/// (BitLinearTraining.cpp).
void populateBitLinearTrainingPatterns(const TypeConverter &typeConverter,
                                       RewritePatternSet &patterns);

/// ternary.cross_entropy and cross_entropy_grad (Losses.cpp).
void populateLossPatterns(const TypeConverter &typeConverter,
                          RewritePatternSet &patterns);

/// ternary.embedding and embedding_grad (Embedding.cpp).
void populateEmbeddingPatterns(const TypeConverter &typeConverter,
                               RewritePatternSet &patterns);

/// ternary.spmm and spmm_transpose (Sparse.cpp).
void populateSparsePatterns(const TypeConverter &typeConverter,
                            RewritePatternSet &patterns);

/// ternary.dropout (Random.cpp).
void populateRandomPatterns(const TypeConverter &typeConverter,
                            RewritePatternSet &patterns);

/// ternary.adamw, sgd, lr_schedule, global_norm (Optimizers.cpp).
void populateOptimizerPatterns(const TypeConverter &typeConverter,
                               RewritePatternSet &patterns);

} // namespace detail
} // namespace ternary
} // namespace mlir

#endif // TERNARY_PASSES_CONVERSION_TERNARYTOLINALG_POPULATEPATTERNS_H
