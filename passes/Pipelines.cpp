//===- Pipelines.cpp - Registered pass pipelines --------------------------===//
//
// The inference pipeline (ternary + tensor IR -> LLVM dialect) and the
// registration of every pass and pipeline of the project.
//
//===----------------------------------------------------------------------===//

#include "ternary/Passes/Pipelines.h"
#include "ternary/Passes/Codegen/CPU/KernelSelection.h"
#include "ternary/Passes/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::ternary::buildDerivationPipeline(OpPassManager &pm) {
  // Convolutions as window gathers and contractions, poolings with their
  // windows outside the output's rows (the same sums in the same order),
  // before autodiff derives their gradients.
  pm.addPass(createTernaryConvolutionsToContractions());
  pm.addPass(createTernaryGeneralizePooling());
  // Gradient functions requested with `ternary.gradient` (none: no-op).
  pm.addPass(createTernaryAutodiff());
  pm.addPass(createTernaryTrainStep());
  // A requested gradient and a train step's over the same parameters, an
  // eval step without dropout: compiled once.
  pm.addPass(createTernaryMergeFunctions());
}

void mlir::ternary::buildInferencePipeline(
    OpPassManager &pm, const InferencePipelineOptions &options) {
  buildDerivationPipeline(pm);
  // Ternary level: decompose, fold frozen weights, pack them, fuse.
  pm.addPass(createTernaryDecompose());
  pm.addPass(createCanonicalizerPass());
  TernaryPackWeightsOptions pack;
  pack.encoding = options.encoding;
  pack.runtimeWeights = options.packRuntimeWeights;
  pm.addPass(createTernaryPackWeights(pack));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createTernaryFuseQuantization());

  // Kernel selection, visible in the IR as the products' `kernel`.
  TernarySelectKernelsOptions select;
  select.kernel = options.kernel;
  select.targetFeatures = options.targetFeatures;
  pm.addPass(createTernarySelectKernels(select));

  // Tensor level.
  pm.addPass(createConvertTernaryToLinalg());
  // Element-wise arith/math on tensors (a ReLU, a residual add) as linalg.
  pm.addPass(createConvertElementwiseToLinalgPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  // Buffers: identity layouts at function boundaries, so that the C
  // interface takes plain row-major memref descriptors.
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  // Updates written back into the caller's buffers are computed there.
  pm.addNestedPass<func::FuncOp>(createTernaryForwardCopies());
  // Private functions (the packed kernels) return no buffer they were given:
  // their callers use the argument, and nothing clones the output to
  // return it.
  pm.addPass(bufferization::createDropEquivalentBufferResultsPass());
  // Upstream's buffer-deallocation-pipeline, with the buffers nothing can
  // alias split off first: its simplification is quadratic in the buffers
  // a block frees.
  pm.addPass(memref::createExpandReallocPass({/*emitDeallocs=*/false}));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(bufferization::createOwnershipBasedBufferDeallocationPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createTernarySplitDeallocs());
  pm.addPass(bufferization::createBufferDeallocationSimplificationPass());
  pm.addPass(bufferization::createLowerDeallocationsPass());
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addPass(createTernaryStridedCopiesToLinalg());
  pm.addPass(createTernaryLowerDotBytes());
  // Runs of ops over the same batch (a convolution's gather, contraction
  // and ReLU) one entry at a time: each entry's windows are read back from
  // cache; buffers only such a run uses shrink to one entry a task.
  if (options.fuseBatches)
    pm.addNestedPass<func::FuncOp>(createTernaryFuseBatches());
  // One function per distinct linalg op used twice or more, and per
  // contraction (the kernel then runs once per function): code that does
  // not grow with the number of identical layers.
  pm.addPass(createTernaryOutlineLinalg());
  std::string features = options.targetFeatures.empty()
                             ? hostTargetFeatures()
                             : std::string(options.targetFeatures);
  if (options.vectorizeContractions) {
    ContractionTiles tiles = selectContractionTiles(features);
    TernaryVectorizeContractionsOptions vectorize;
    vectorize.tileM = tiles.m;
    vectorize.tileN = tiles.n;
    vectorize.tileK = tiles.k;
    pm.addNestedPass<func::FuncOp>(
        createTernaryVectorizeContractions(vectorize));
    pm.addPass(createCanonicalizerPass());
  }
  // Tasks: the kernels' scf.forall loops and those of
  // --ternary-parallelize become OpenMP worksharing loops, or plain loops.
  if (options.parallel) {
    TernaryParallelizeOptions parallelize;
    parallelize.minWork = options.parallelMinWork;
    pm.addNestedPass<func::FuncOp>(createTernaryParallelize(parallelize));
  }

  // Loops and LLVM. erf and exp as polynomials first: LLVM vectorises
  // those, not a libm call an element.
  pm.addPass(createTernaryApproximateMath());
  // Windows (a convolution's gather and its scatter-add) and short rows
  // as rows of vectors: LLVM vectorises their loops across rows, with
  // gathers.
  // Reductions along rows: several outputs side by side, each in order.
  if (options.vectorizeReductions) {
    TernaryVectorizeReductionsOptions reductions;
    reductions.vectorBytes = selectVectorBytes(features);
    pm.addNestedPass<func::FuncOp>(
        createTernaryVectorizeReductions(reductions));
  }
  if (options.vectorizeRows) {
    TernaryVectorizeRowsOptions rows;
    rows.vectorBytes = selectVectorBytes(features);
    pm.addNestedPass<func::FuncOp>(createTernaryVectorizeRows(rows));
  }
  pm.addPass(createConvertLinalgToLoopsPass());
  if (options.parallel) {
    pm.addPass(createForallToParallelLoopPass());
    pm.addPass(createConvertSCFToOpenMPPass());
    // The conversion wraps each loop in a memref.alloca_scope, which must
    // be gone before its region becomes blocks: the canonicalizer inlines
    // scopes that hold no alloca.
    pm.addPass(createCanonicalizerPass());
    // A region whose loop has one iteration (a dynamic size too small to
    // split) runs on the calling thread.
    pm.addPass(createTernaryOmpIfSeveralTasks());
  } else {
    pm.addPass(createForallToForLoopPass());
  }
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertVectorToLLVMPass());
  // aligned_alloc, not malloc plus an address rounded up by integer
  // arithmetic: LLVM's alias analysis cannot follow a pointer through
  // inttoptr, so it could not tell two buffers apart (the accumulators of a
  // reduction stayed in memory, the loop unvectorised).
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useAlignedAlloc = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  pm.addPass(createConvertMathToLLVMPass());
  // What has no LLVM intrinsic (erf, ...) calls libm.
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  // Poison values of the vector lowerings (ub.poison).
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  if (options.cInterface)
    pm.addPass(createTernaryRequestCInterface());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void mlir::ternary::registerTernaryPassesAndPipelines() {
  registerTernaryPasses();
  PassPipelineRegistration<InferencePipelineOptions>(
      "ternary-inference-pipeline",
      "Compile ternary and tensor IR down to the LLVM dialect: decompose "
      "BitLinear, fold and pack constant weights, lower to linalg, "
      "bufferize, lower to loops and to LLVM",
      buildInferencePipeline);
}
