//===- SplitDeallocs.cpp - Free unaliased fresh buffers on their own ------===//
//
// Splits each bufferization.dealloc so that the buffers allocated in the
// function that no other buffer or retained value of the op can alias are
// freed by ops of their own, in time linear in the op's operands, before
// upstream's quadratic --buffer-deallocation-simplification sees the op
// (docs: CodegenPasses.td).
//
//===----------------------------------------------------------------------===//

#include "ternary/Passes/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir {
namespace ternary {
#define GEN_PASS_DEF_TERNARYSPLITDEALLOCS
#include "passes/Passes.h.inc"
} // namespace ternary
} // namespace mlir

using namespace mlir;

namespace {

/// The buffer `v` is a view of (through view-like ops and the base buffer of
/// memref.extract_strided_metadata), or `v`.
Value rootOf(Value v) {
  while (true) {
    if (auto view = v.getDefiningOp<ViewLikeOpInterface>()) {
      v = view.getViewSource();
      continue;
    }
    auto metadata = v.getDefiningOp<memref::ExtractStridedMetadataOp>();
    if (!metadata || v != metadata.getBaseBuffer())
      return v;
    v = metadata.getSource();
  }
}

/// Adds to `roots` the buffers that `v` may be a view of, each an allocation
/// or an argument of `function`; false if `v` may be anything else. A call
/// returns a fresh buffer or a view of a buffer passed to it.
bool collectRoots(Value v, FunctionOpInterface function,
                  SmallVectorImpl<Value> &roots) {
  Value root = rootOf(v);
  if (root.getDefiningOp<memref::AllocOp>()) {
    roots.push_back(root);
    return true;
  }
  if (auto arg = dyn_cast<BlockArgument>(root))
    return arg.getOwner() == &function.getFunctionBody().front();
  auto call = root.getDefiningOp<CallOpInterface>();
  if (!call)
    return false;
  for (Value operand : call->getOperands())
    if (isa<BaseMemRefType>(operand.getType()) &&
        !collectRoots(operand, function, roots))
      return false;
  return true;
}

/// Splits `dealloc`; returns whether it changed.
bool splitDealloc(bufferization::DeallocOp dealloc) {
  auto function = dealloc->getParentOfType<FunctionOpInterface>();
  if (!function || function.isExternal())
    return false;
  // For each allocation: how many operands of the op may be a view of it.
  llvm::DenseMap<Value, unsigned> sharing;
  SmallVector<Value> roots;
  for (Value v :
       llvm::concat<Value>(dealloc.getMemrefs(), dealloc.getRetained())) {
    roots.clear();
    if (!collectRoots(v, function, roots))
      return false;
    llvm::SmallDenseSet<Value, 4> distinct(roots.begin(), roots.end());
    for (Value root : distinct)
      ++sharing[root];
  }

  SmallVector<Value> keptMemrefs, keptConditions;
  SmallVector<std::pair<Value, Value>> alone;
  for (auto [memref, condition] :
       llvm::zip_equal(dealloc.getMemrefs(), dealloc.getConditions())) {
    Value root = rootOf(memref);
    if (root.getDefiningOp<memref::AllocOp>() && sharing[root] == 1) {
      alone.emplace_back(memref, condition);
    } else {
      keptMemrefs.push_back(memref);
      keptConditions.push_back(condition);
    }
  }
  if (alone.empty() || (keptMemrefs.empty() && alone.size() == 1 &&
                        dealloc.getRetained().empty()))
    return false;

  OpBuilder b(dealloc);
  Location loc = dealloc.getLoc();
  for (auto [memref, condition] : alone)
    bufferization::DeallocOp::create(b, loc, ValueRange{memref},
                                     ValueRange{condition}, ValueRange{});
  if (dealloc.getRetained().empty() && keptMemrefs.empty()) {
    dealloc.erase();
    return true;
  }
  auto rest = bufferization::DeallocOp::create(
      b, loc, keptMemrefs, keptConditions, dealloc.getRetained());
  dealloc.replaceAllUsesWith(rest.getUpdatedConditions());
  dealloc.erase();
  return true;
}

struct TernarySplitDeallocs
    : public mlir::ternary::impl::TernarySplitDeallocsBase<
          TernarySplitDeallocs> {
  void runOnOperation() override {
    SmallVector<bufferization::DeallocOp> deallocs;
    getOperation()->walk(
        [&](bufferization::DeallocOp op) { deallocs.push_back(op); });
    for (bufferization::DeallocOp op : deallocs)
      splitDealloc(op);
  }
};

} // namespace
