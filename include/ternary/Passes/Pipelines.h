//===- Pipelines.h - Pass pipelines of the ternary compiler -----*- C++ -*-===//
//
// The inference pipeline, from ternary and tensor IR to the LLVM dialect,
// in stages: ternary-level rewrites (autodiff and train-step requests,
// decompose, fold and pack constant weights, fuse), kernel selection, the
// lowering to linalg, bufferization, and the lowering to LLVM.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_PASSES_PIPELINES_H
#define TERNARY_PASSES_PIPELINES_H

#include "ternary/Dialect/Ternary/TernaryDialect.h"
#include "ternary/Dialect/Ternary/TernaryOptions.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

#include <string>

namespace mlir {
namespace ternary {

/// Options of the inference pipeline.
struct InferencePipelineOptions
    : public PassPipelineOptions<InferencePipelineOptions> {
  PassOptions::Option<Encoding> encoding{
      *this, "encoding", llvm::cl::desc("Storage encoding of constant weights"),
      llvm::cl::init(Encoding::i2), encodingOptionValues()};
  PassOptions::Option<bool> packRuntimeWeights{
      *this, "pack-runtime-weights",
      llvm::cl::desc("Pack weights quantised at run time too, for the "
                     "packed kernels (rows of 256 weights or more)"),
      llvm::cl::init(true)};
  PassOptions::Option<PackedKernel> kernel{
      *this, "kernel", llvm::cl::desc("Kernel of the packed ternary product"),
      llvm::cl::init(PackedKernel::auto_), packedKernelOptionValues()};
  PassOptions::Option<std::string> targetFeatures{
      *this, "target-features",
      llvm::cl::desc("LLVM features of the target, e.g. +avx2,-avx512f "
                     "(default: the host's)"),
      llvm::cl::init("")};
  PassOptions::Option<bool> vectorizeContractions{
      *this, "vectorize-contractions",
      llvm::cl::desc("Register-blocked, vectorised f32 contractions "
                     "(--ternary-vectorize-contractions); off: scalar loops"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> vectorizeRows{
      *this, "vectorize-rows",
      llvm::cl::desc("Windowed element-wise generics (im2col gathers, their "
                     "scatter-adds) and short static rows as rows of "
                     "vectors (--ternary-vectorize-rows); off: scalar loops"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> vectorizeReductions{
      *this, "vectorize-reductions",
      llvm::cl::desc("Reductions along contiguous rows (row sums, bias "
                     "gradients) with several outputs side by side "
                     "(--ternary-vectorize-reductions); off: scalar loops"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> fuseBatches{
      *this, "fuse-batches",
      llvm::cl::desc("Run a convolution's window gather, its contraction and "
                     "their neighbours one batch entry at a time "
                     "(--ternary-fuse-batches); off: each op over the whole "
                     "batch in turn"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> parallel{
      *this, "parallel",
      llvm::cl::desc("Run the kernels' tasks and large linalg ops on "
                     "threads (OpenMP: the code calls LLVM's libomp; the "
                     "thread count is a run-time setting); off: one thread, "
                     "no OpenMP calls"),
      llvm::cl::init(true)};
  PassOptions::Option<int64_t> parallelMinWork{
      *this, "parallel-min-work",
      llvm::cl::desc("Iterations a task of --ternary-parallelize holds at "
                     "least (smaller: more, smaller tasks)"),
      llvm::cl::init(32768)};
  PassOptions::Option<bool> cInterface{
      *this, "c-interface",
      llvm::cl::desc("Give public functions a C interface "
                     "(_mlir_ciface_NAME taking memref descriptors)"),
      llvm::cl::init(true)};
};

/// Builds the pipeline's first stage: convolutions and poolings rewritten
/// into the forms their gradients are derived from, then the gradient
/// (`ternary.gradient`) and train-step functions derived.
void buildDerivationPipeline(OpPassManager &pm);

/// Builds the pipeline from ternary and upstream tensor IR down to the LLVM
/// dialect: the ternary-level stage, kernel selection, the lowering to
/// linalg, bufferization, the lowering to loops and to LLVM.
void buildInferencePipeline(OpPassManager &pm,
                            const InferencePipelineOptions &options);

/// Registers every pass and pipeline of the project (for ternary-opt).
void registerTernaryPassesAndPipelines();

} // namespace ternary
} // namespace mlir

#endif // TERNARY_PASSES_PIPELINES_H
