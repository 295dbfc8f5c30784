//===- Passes.h - Passes of the ternary compiler ----------------*- C++ -*-===//
//
// Declarations of every pass (generated from passes/Passes.td), the
// conversion pattern sets, and the registered pipelines.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_PASSES_PASSES_H
#define TERNARY_PASSES_PASSES_H

#include "ternary/Dialect/Ternary/TernaryDialect.h"
#include "ternary/Runtime/Checks.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/DialectConversion.h"

#include <string>

namespace mlir {
namespace ternary {

/// How `ternary.matmul` with packed weights is lowered.
enum class PackedMatmulKernel {
  auto_,       ///< chosen from the target's features
  loops,       ///< a linalg.generic decoding one weight at a time
  vector,      ///< generic vector code (any target)
  avx2,        ///< vpmaddubsw + vpmaddwd
  avx512_vnni, ///< vpdpbusd on 512-bit vectors
};

/// The best kernel for an LLVM feature string ("+avx2,-avx512f,..."): only
/// features marked + count.
PackedMatmulKernel selectPackedMatmulKernel(llvm::StringRef features);

/// The features `kernel` needs that `features` lacks ("" when none), e.g.
/// "+avx512vnni" for avx512_vnni on an AVX2-only target.
std::string missingKernelFeatures(PackedMatmulKernel kernel,
                                  llvm::StringRef features);

/// The name of a kernel as the `kernel` options spell it.
llvm::StringRef stringifyPackedMatmulKernel(PackedMatmulKernel kernel);

/// The host CPU's features as an LLVM feature string.
std::string hostTargetFeatures();

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

/// Adds the patterns lowering the ternary primitives to linalg, tensor,
/// arith, math and scf; `typeConverter` maps `!ternary.packed` to its
/// storage tensor (see populateTernaryToLinalgTypeConversion).
void populateTernaryToLinalgConversionPatterns(
    const TypeConverter &typeConverter, RewritePatternSet &patterns);

/// Adds the patterns lowering the training ops (bitlinear_grad,
/// cross_entropy, cross_entropy_grad) to linalg; part of
/// --convert-ternary-to-linalg.
void populateTernaryTrainingToLinalgConversionPatterns(
    const TypeConverter &typeConverter, RewritePatternSet &patterns);

/// Adds the patterns lowering the optimiser ops (adamw, sgd, lr_schedule,
/// clip_coefficient) to linalg, arith and math; part of
/// --convert-ternary-to-linalg.
void populateTernaryOptimizersToLinalgConversionPatterns(
    const TypeConverter &typeConverter, RewritePatternSet &patterns);

/// Adds the vector kernel for `ternary.matmul` with packed 2-D weights,
/// with a higher benefit than the linalg lowering (nothing for `loops`).
void populatePackedMatmulKernelPatterns(const TypeConverter &typeConverter,
                                        RewritePatternSet &patterns,
                                        PackedMatmulKernel kernel);

/// Emits a run-time check that the index values `actual` and `expected` are
/// equal, calling the runtime's `ternary_check_failed(check)` when they are
/// not (declared in the module on first use); nothing when both are
/// constants (the verifiers check static shapes).
void emitSizeCheck(OpBuilder &b, Location loc, Value actual, Value expected,
                   ternary_check check);

/// Emits the run-time checks of a product's operands: K of the activations
/// `x` (2-D or more) against the weights, unpacked (`packed` null) or
/// packed storage.
void emitProductChecks(OpBuilder &b, Location loc, Value x, Value weight,
                       PackedType packed);

/// Emits the run-time checks of the rescale operands against accumulators
/// of sizes [rowSizes..., n]: absmax [rowSizes...] and, if present, bias [n].
void emitRescaleChecks(OpBuilder &b, Location loc, ArrayRef<Value> rowSizes,
                       Value n, Value absmax, Value bias);

/// Makes `typeConverter` map every type to itself except `!ternary.packed`,
/// which becomes `tensor<N x rowBytes x i8>`.
void populateTernaryToLinalgTypeConversion(TypeConverter &typeConverter);

/// Options of the inference pipeline.
struct InferencePipelineOptions
    : public PassPipelineOptions<InferencePipelineOptions> {
  PassOptions::Option<Encoding> encoding{
      *this, "encoding", llvm::cl::desc("Storage encoding of constant weights"),
      llvm::cl::init(Encoding::i2),
      llvm::cl::values(
          clEnumValN(Encoding::i2, "i2", "2 bits a weight"),
          clEnumValN(Encoding::base3, "base3", "1.6 bits a weight"))};
  PassOptions::Option<bool> packRuntimeWeights{
      *this, "pack-runtime-weights",
      llvm::cl::desc("Pack weights quantised at run time too, for the "
                     "packed kernels (pays off when many rows share them)"),
      llvm::cl::init(false)};
  PassOptions::Option<PackedMatmulKernel> kernel{
      *this, "kernel", llvm::cl::desc("Kernel of the packed ternary product"),
      llvm::cl::init(PackedMatmulKernel::auto_),
      llvm::cl::values(
          clEnumValN(PackedMatmulKernel::auto_, "auto",
                     "from target-features (default: the host)"),
          clEnumValN(PackedMatmulKernel::loops, "loops", "scalar loops"),
          clEnumValN(PackedMatmulKernel::vector, "vector",
                     "generic vector code"),
          clEnumValN(PackedMatmulKernel::avx2, "avx2", "AVX2"),
          clEnumValN(PackedMatmulKernel::avx512_vnni, "avx512-vnni",
                     "AVX-512 VNNI"))};
  PassOptions::Option<std::string> targetFeatures{
      *this, "target-features",
      llvm::cl::desc("LLVM features of the target, e.g. +avx2,-avx512f "
                     "(default: the host's)"),
      llvm::cl::init("")};
  PassOptions::Option<bool> cInterface{
      *this, "c-interface",
      llvm::cl::desc("Give public functions a C interface "
                     "(_mlir_ciface_NAME taking memref descriptors)"),
      llvm::cl::init(true)};
};

/// Builds the pipeline from ternary and upstream tensor IR down to the LLVM
/// dialect: decompose, fold and pack constant weights, lower to linalg,
/// bufferize, lower to loops and to LLVM.
void buildInferencePipeline(OpPassManager &pm,
                            const InferencePipelineOptions &options);

/// Registers every pass and pipeline of the project (for ternary-opt).
void registerTernaryPassesAndPipelines();

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace ternary
} // namespace mlir

#endif // TERNARY_PASSES_PASSES_H
