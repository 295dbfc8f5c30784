//===- Contractions.h - The f32 contractions the kernel takes ---*- C++ -*-===//
//
// Private to passes/Codegen: which linalg ops the register-blocked f32
// contraction kernel (--ternary-vectorize-contractions) takes and which
// fills it moves into its tasks (Contractions.cpp), shared with
// --ternary-outline-linalg, which gives each distinct one a function; and
// the kernel's operand layouts (ContractionOperands.cpp: B transposed so
// that its rows run along n, or the output computed transposed).
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_PASSES_CODEGEN_CPU_CONTRACTIONS_H
#define TERNARY_PASSES_CODEGEN_CPU_CONTRACTIONS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/PatternMatch.h"

#include <optional>

namespace mlir {
namespace ternary {
namespace detail {

/// Whether `op` is an f32 contraction on buffers of the kernel's form: two
/// inputs, one output contiguous along an n dimension, at least one m, n
/// and k (whatever its sizes: tiles too large for it stay loops).
bool isKernelContraction(linalg::LinalgOp op);

/// The loop dimensions of a contraction as the kernel takes it: one m, n and
/// k for the register tiles (the innermost of each kind; n the output's
/// contiguous dimension), the other parallel dimensions (batch entries, a
/// second m or n such as the batch of a filter shared by all images) taken
/// one index at a time, the other reductions (a batch summed into a weight
/// gradient) one index at a time in order, and the operand indices of A
/// (m, k) and B (k, n).
struct KernelDims {
  SmallVector<unsigned> batch;
  SmallVector<unsigned> outerK;
  unsigned m, n, k;
  unsigned a, b;
};

/// The kernel's loop dimensions of `op`, if it is a contraction the kernel
/// takes (see isKernelContraction).
std::optional<KernelDims> kernelDims(linalg::LinalgOp op);

/// Whether `fill` fills the output of `contraction` (on buffers), which
/// reads no input from that buffer: the kernel may then fill each output
/// block in the task that computes it instead.
bool fillsOutputOf(linalg::FillOp fill, linalg::LinalgOp contraction);

/// Marks the tiles to vectorise (clones made by peeling keep it): on a
/// contraction its register tile's m, n and k sizes (an array of three), on a
/// transpose of B nothing (a unit attribute).
constexpr llvm::StringLiteral kTileMarker = "ternary.contraction_tile";

/// Transposes of B are blocks of kTransposeTile x kTransposeTile elements.
constexpr int64_t kTransposeTile = 16;

/// Whether `op` may compute its output transposed: a 2-D `[m, n]` block
/// with outer reductions, B contiguous along k.
bool canTransposeOutput(linalg::GenericOp op, const KernelDims &kd);

/// When `op` can compute its output transposed and either A is much smaller
/// than B or n cannot fill a register tile of `tileN` columns while m can,
/// the same contraction computing the transposed output in a scratch buffer
/// (A and B swap roles); otherwise `op` itself.
linalg::GenericOp transposeOutputIfCheaper(IRRewriter &rewriter,
                                           linalg::GenericOp op,
                                           const KernelDims &kd, int64_t tileN);

/// If B is contiguous along k, transposes it into a scratch buffer whose
/// last two dimensions are (k, n) and rewrites `op` to read it.
void packB(IRRewriter &rewriter, linalg::GenericOp op, const KernelDims &kd);

} // namespace detail
} // namespace ternary
} // namespace mlir

#endif // TERNARY_PASSES_CODEGEN_CPU_CONTRACTIONS_H
