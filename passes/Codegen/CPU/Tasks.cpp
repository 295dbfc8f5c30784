//===- Tasks.cpp - Parallel tasks of the CPU code generation --------------===//

#include "Codegen/CPU/Tasks.h"

#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"

using namespace mlir;

FailureOr<TilingInterface> mlir::ternary::detail::splitIntoTasks(
    RewriterBase &rewriter, TilingInterface op, ArrayRef<OpFoldResult> sizes) {
  scf::SCFTilingOptions options;
  options.setTileSizes(sizes);
  options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled =
      scf::tileUsingSCF(rewriter, op, options);
  if (failed(tiled))
    return op->emitError("cannot split this op into parallel tasks");
  rewriter.eraseOp(op);
  return cast<TilingInterface>(tiled->tiledOps.back());
}
