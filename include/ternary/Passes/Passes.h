//===- Passes.h - Passes of the ternary compiler ----------------*- C++ -*-===//
//
// Declarations of every pass (generated from passes/Passes.td), the
// conversion pattern sets, and the registered pipelines.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_PASSES_PASSES_H
#define TERNARY_PASSES_PASSES_H

#include "ternary/Dialect/Ternary/TernaryDialect.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/DialectConversion.h"

#include <string>

namespace mlir {
namespace ternary {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

/// Adds the patterns lowering the ternary primitives to linalg, tensor,
/// arith, math and scf; `typeConverter` maps `!ternary.packed` to its
/// storage tensor (see populateTernaryToLinalgTypeConversion).
void populateTernaryToLinalgConversionPatterns(
    const TypeConverter &typeConverter, RewritePatternSet &patterns);

/// Makes `typeConverter` map every type to itself except `!ternary.packed`,
/// which becomes `tensor<N x rowBytes x i8>`.
void populateTernaryToLinalgTypeConversion(TypeConverter &typeConverter);

/// Options of the inference pipeline.
struct InferencePipelineOptions
    : public PassPipelineOptions<InferencePipelineOptions> {
  PassOptions::Option<Encoding> encoding{
      *this, "encoding",
      llvm::cl::desc("Storage encoding of constant weights"),
      llvm::cl::init(Encoding::i2),
      llvm::cl::values(
          clEnumValN(Encoding::i2, "i2", "2 bits a weight"),
          clEnumValN(Encoding::base3, "base3", "1.6 bits a weight"))};
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
