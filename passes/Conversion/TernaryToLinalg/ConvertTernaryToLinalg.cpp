//===- ConvertTernaryToLinalg.cpp - The ternary-to-linalg pass ------------===//
//
// --convert-ternary-to-linalg: the checks and preparations before the
// conversion (undecomposed layers, linalg.softmax, runtime annotations)
// and the dialect conversion of every op family. The patterns are in the
// files of their families beside this one (PopulatePatterns.h); the packed
// vector kernels in passes/Codegen/CPU.
//
//===----------------------------------------------------------------------===//

#include "Codegen/CPU/PackedMatmulKernels.h"
#include "Conversion/TernaryToLinalg/PopulatePatterns.h"
#include "ternary/Dialect/Ternary/TernaryOps.h"
#include "ternary/Passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir {
namespace ternary {
#define GEN_PASS_DEF_CONVERTTERNARYTOLINALG
#include "passes/Passes.h.inc"
} // namespace ternary
} // namespace mlir

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::detail;

namespace {

/// Every type as it is, but `!ternary.packed`, which becomes its storage
/// tensor `tensor<N x rowBytes x i8>`.
void populatePackedTypeConversion(TypeConverter &typeConverter) {
  typeConverter.addConversion([](Type type) { return type; });
  typeConverter.addConversion(
      [](PackedType type) -> Type { return type.getStorageType(); });
}

struct ConvertTernaryToLinalg
    : public mlir::ternary::impl::ConvertTernaryToLinalgBase<
          ConvertTernaryToLinalg> {
  using ConvertTernaryToLinalgBase::ConvertTernaryToLinalgBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (failed(rejectUndecomposedLayers(module)) ||
        failed(decomposeSoftmax(module)))
      return signalPassFailure();
    stripRuntimeAnnotations(module);
    if (failed(lower(module)))
      signalPassFailure();
  }

private:
  /// Inference-time BitLinear must have been decomposed.
  static LogicalResult rejectUndecomposedLayers(ModuleOp module) {
    bool undecomposed = false;
    module.walk([&](BitLinearOp op) {
      if (op.isTrainingTime())
        return; // lowered here in f32
      op.emitError("ternary.bitlinear must be decomposed before lowering "
                   "(run --ternary-decompose first)");
      undecomposed = true;
    });
    return failure(undecomposed);
  }

  /// Upstream linalg.softmax (training models use it) into its generics.
  static LogicalResult decomposeSoftmax(ModuleOp module) {
    SmallVector<linalg::SoftmaxOp> softmaxes;
    module.walk([&](linalg::SoftmaxOp op) { softmaxes.push_back(op); });
    for (linalg::SoftmaxOp op : softmaxes) {
      OpBuilder b(op);
      FailureOr<SmallVector<Value>> parts =
          cast<linalg::AggregatedOpInterface>(op.getOperation())
              .decomposeOperation(b);
      if (failed(parts))
        return op.emitOpError("cannot be decomposed into linalg.generic");
      op->replaceAllUsesWith(*parts);
      op.erase();
    }
    return success();
  }

  /// Argument annotations of the training runtime (ternary.name, ...) have
  /// no meaning below this level.
  static void stripRuntimeAnnotations(ModuleOp module) {
    module.walk([](func::FuncOp func) {
      for (unsigned i = 0; i < func.getNumArguments(); ++i)
        for (NamedAttribute attr : llvm::to_vector(
                 func.getArgAttrDict(i) ? func.getArgAttrDict(i).getValue()
                                        : ArrayRef<NamedAttribute>()))
          if (attr.getName().getValue().starts_with("ternary."))
            func.removeArgAttr(i, attr.getName());
    });
  }

  /// The dialect conversion itself.
  LogicalResult lower(ModuleOp module) {
    MLIRContext *ctx = &getContext();
    TypeConverter typeConverter;
    populatePackedTypeConversion(typeConverter);

    ConversionTarget target(*ctx);
    target.addIllegalDialect<TernaryDialect>();
    // The kernels' dot product step, lowered after bufferization.
    target.addLegalOp<DotBytesOp, PrefetchOp>();
    target
        .addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                         LLVM::LLVMDialect, math::MathDialect, scf::SCFDialect,
                         tensor::TensorDialect, vector::VectorDialect>();
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp op) {
      return typeConverter.isSignatureLegal(op.getFunctionType()) &&
             typeConverter.isLegal(&op.getBody());
    });
    target.addDynamicallyLegalOp<func::ReturnOp, func::CallOp>(
        [&](Operation *op) { return typeConverter.isLegal(op); });
    target.markUnknownOpDynamicallyLegal(
        [&](Operation *op) { return typeConverter.isLegal(op); });

    RewritePatternSet patterns(ctx);
    populateQuantizationPatterns(typeConverter, patterns);
    populateProductPatterns(typeConverter, patterns);
    populatePackingPatterns(typeConverter, patterns);
    populateBitLinearTrainingPatterns(typeConverter, patterns);
    populateLossPatterns(typeConverter, patterns);
    populateEmbeddingPatterns(typeConverter, patterns);
    populateSparsePatterns(typeConverter, patterns);
    populateRandomPatterns(typeConverter, patterns);
    populateOptimizerPatterns(typeConverter, patterns);
    // Products annotated by --ternary-select-kernels.
    populatePackedMatmulKernelPatterns(typeConverter, patterns);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(
        patterns, typeConverter);
    populateReturnOpTypeConversionPattern(patterns, typeConverter);
    populateCallOpTypeConversionPattern(patterns, typeConverter);
    return applyFullConversion(module, target, std::move(patterns));
  }
};

} // namespace
