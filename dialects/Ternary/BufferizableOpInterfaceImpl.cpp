//===- BufferizableOpInterfaceImpl.cpp - Bufferizing ternary ops ----------===//
//
// `ternary.prefetch` on a tensor becomes `memref.prefetch` on its buffer.
// The other ternary ops are lowered to linalg, tensor and vector ops before
// bufferization (--convert-ternary-to-linalg).
//
//===----------------------------------------------------------------------===//

#include "ternary/Dialect/Ternary/BufferizableOpInterfaceImpl.h"
#include "ternary/Dialect/Ternary/TernaryOps.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::bufferization;
using namespace mlir::ternary;

namespace {

/// A prefetch neither reads nor writes the tensor's values (a hint may see
/// any version of them), so it constrains no in-place decision, and its
/// result is nothing.
struct PrefetchOpInterface
    : BufferizableOpInterface::ExternalModel<PrefetchOpInterface, PrefetchOp> {
  bool bufferizesToMemoryRead(Operation *, OpOperand &,
                              const AnalysisState &) const {
    return false;
  }
  bool bufferizesToMemoryWrite(Operation *, OpOperand &,
                               const AnalysisState &) const {
    return false;
  }
  AliasingValueList getAliasingValues(Operation *, OpOperand &,
                                      const AnalysisState &) const {
    return {};
  }
  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const BufferizationOptions &options,
                          BufferizationState &state) const {
    auto prefetch = cast<PrefetchOp>(op);
    FailureOr<Value> buffer =
        getBuffer(rewriter, prefetch.getSource(), options, state);
    if (failed(buffer))
      return failure();
    rewriter.setInsertionPoint(op);
    memref::PrefetchOp::create(rewriter, op->getLoc(), *buffer,
                               prefetch.getIndices(), /*isWrite=*/false,
                               /*localityHint=*/3, /*isDataCache=*/true);
    rewriter.eraseOp(op);
    return success();
  }
};

} // namespace

void mlir::ternary::registerBufferizableOpInterfaceExternalModels(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, TernaryDialect *) {
    PrefetchOp::attachInterface<PrefetchOpInterface>(*context);
  });
}
