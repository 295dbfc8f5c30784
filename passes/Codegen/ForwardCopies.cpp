//===- ForwardCopies.cpp - Write arguments in place instead of copying ----===//
//
// Two kinds of copy that bufferization leaves and that need not be copies:
// a copy out of a buffer whose last write is a linalg.fill becomes a fill of
// the target (the zero-filled outputs of accumulating ops); and a value
// written back into a function argument (a train step's parameter update),
// computed into a fresh buffer and then copied, is written into the argument
// directly where the buffer's last writer is an element-wise linalg op and
// nothing touches the argument between that op and the copy (docs:
// CodegenPasses.td).
//
//===----------------------------------------------------------------------===//

#include "Utils/Buffers.h"
#include "ternary/Passes/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir {
namespace ternary {
#define GEN_PASS_DEF_TERNARYFORWARDCOPIES
#include "passes/Passes.h.inc"
} // namespace ternary
} // namespace mlir

using namespace mlir;
using mlir::ternary::detail::bufferRoot;

namespace {

/// Whether `op` (or an op nested in it) uses a view of `buffer`.
bool usesBuffer(Operation *op, Value buffer) {
  WalkResult r = op->walk([&](Operation *inner) {
    for (Value operand : inner->getOperands())
      if (isa<BaseMemRefType>(operand.getType()) &&
          bufferRoot(operand) == buffer)
        return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return r.wasInterrupted();
}

/// The output operand through which `op` overwrites every element of
/// `buffer` without reading it (an element-wise linalg op, all loops
/// parallel, `buffer` an output with the identity map and no other operand),
/// or null.
OpOperand *overwrite(Operation *op, Value buffer) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || linalgOp.getNumLoops() != linalgOp.getNumParallelLoops())
    return nullptr;
  OpOperand *init = nullptr;
  for (OpOperand &operand : op->getOpOperands()) {
    if (operand.get() != buffer)
      continue;
    if (init || !linalgOp.isDpsInit(&operand))
      return nullptr;
    init = &operand;
  }
  if (!init || !linalgOp.getMatchingIndexingMap(init).isIdentity() ||
      linalgOp.payloadUsesValueFromOperand(init))
    return nullptr;
  return init;
}

/// The op that writes what `copy` copies out of `alloc`: the use of `alloc`
/// before the copy, which must overwrite it (`init`: through which output).
/// After the copy, `alloc` must be overwritten before it is read again (the
/// same buffer may carry several updates in turn), and every use must be in
/// the copy's block.
Operation *lastWriter(memref::AllocOp alloc, memref::CopyOp copy,
                      OpOperand *&init) {
  SmallVector<Operation *> users;
  for (Operation *user : alloc->getUsers()) {
    if (user->getBlock() != copy->getBlock())
      return nullptr;
    if (!llvm::is_contained(users, user))
      users.push_back(user);
  }
  llvm::sort(users,
             [](Operation *x, Operation *y) { return x->isBeforeInBlock(y); });
  auto it = llvm::find(users, copy.getOperation());
  if (it == users.begin() || llvm::count(users, copy.getOperation()) != 1)
    return nullptr;
  if (std::next(it) != users.end() && !overwrite(*std::next(it), alloc))
    return nullptr;
  Operation *writer = *std::prev(it);
  init = overwrite(writer, alloc);
  return init ? writer : nullptr;
}

/// Whether `writer` may write `arg` through `init`: it reads `arg` only
/// element by element at the place it writes, and through no view.
bool mayWriteArgument(Operation *op, OpOperand *init, BlockArgument arg) {
  auto writer = cast<linalg::LinalgOp>(op);
  for (OpOperand &operand : writer->getOpOperands()) {
    if (&operand == init || !isa<BaseMemRefType>(operand.get().getType()) ||
        bufferRoot(operand.get()) != arg)
      continue;
    if (operand.get() != arg || writer.isDpsInit(&operand) ||
        writer.getMatchingIndexingMap(&operand) !=
            writer.getMatchingIndexingMap(init))
      return false;
  }
  // No region of the op may see the argument other than as its operands.
  for (Region &region : writer->getRegions())
    for (Operation &op : region.getOps())
      if (usesBuffer(&op, arg))
        return false;
  return true;
}

/// Whether no op strictly between `from` and `to` touches `arg`: copies
/// from other buffers into other arguments, and ops free of memory effects
/// that do not use it.
bool untouchedBetween(Operation *from, Operation *to, BlockArgument arg) {
  for (Operation *op = from->getNextNode(); op != to; op = op->getNextNode()) {
    if (auto copy = dyn_cast<memref::CopyOp>(op)) {
      auto target = dyn_cast<BlockArgument>(copy.getTarget());
      if (target && target != arg && bufferRoot(copy.getSource()) != arg)
        continue;
      return false;
    }
    if (!isMemoryEffectFree(op) || usesBuffer(op, arg))
      return false;
  }
  return true;
}

/// Whether `user` only reads `buffer`: a copy out of it, a linalg op
/// taking it as an input only, or an op free of memory effects (its sizes).
bool onlyReads(Operation *user, Value buffer) {
  if (isMemoryEffectFree(user))
    return true;
  if (auto copy = dyn_cast<memref::CopyOp>(user))
    return copy.getTarget() != buffer;
  auto linalgOp = dyn_cast<linalg::LinalgOp>(user);
  if (!linalgOp)
    return false;
  for (OpOperand &operand : user->getOpOperands())
    if (operand.get() == buffer && !linalgOp.isDpsInput(&operand))
      return false;
  return true;
}

/// The linalg.fill whose value `copy` copies out of `alloc`: the last use
/// before the copy that writes `alloc` (every use in the copy's block), or
/// null.
linalg::FillOp fillCopiedBy(memref::AllocOp alloc, memref::CopyOp copy) {
  for (Operation *user : alloc->getUsers())
    if (user->getBlock() != copy->getBlock())
      return nullptr;
  for (Operation *op = copy->getPrevNode(); op; op = op->getPrevNode()) {
    if (!llvm::is_contained(op->getOperands(), alloc.getResult()))
      continue;
    if (auto fill = dyn_cast<linalg::FillOp>(op))
      return fill.getDpsInits()[0] == alloc.getResult() ? fill : nullptr;
    if (!onlyReads(op, alloc))
      return nullptr;
  }
  return nullptr;
}

/// Copies out of a buffer that holds one value everywhere (a zero-filled
/// output that bufferization shares between several accumulating ops)
/// become fills of their targets: a write instead of a read and a write.
void copiesOfFillsToFills(func::FuncOp func) {
  SmallVector<memref::CopyOp> copies;
  func.walk([&](memref::CopyOp copy) { copies.push_back(copy); });
  for (memref::CopyOp copy : copies) {
    auto alloc = copy.getSource().getDefiningOp<memref::AllocOp>();
    if (!alloc || copy.getSource().getType() != copy.getTarget().getType())
      continue;
    linalg::FillOp fill = fillCopiedBy(alloc, copy);
    if (!fill)
      continue;
    OpBuilder b(copy);
    linalg::FillOp::create(b, copy.getLoc(), fill.value(), copy.getTarget());
    copy->erase();
    // The buffer's sizes are the allocation's; with no reader left, the
    // buffer and its fill go.
    for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
      if (auto dim = dyn_cast<memref::DimOp>(user))
        if (std::optional<int64_t> index = dim.getConstantIndex()) {
          b.setInsertionPoint(dim);
          dim.replaceAllUsesWith(getValueOrCreateConstantIndexOp(
              b, dim.getLoc(), alloc.getMixedSizes()[*index]));
          dim->erase();
        }
    if (llvm::hasSingleElement(alloc->getUses())) {
      fill->erase();
      alloc->erase();
    }
  }
}

struct TernaryForwardCopies
    : public mlir::ternary::impl::TernaryForwardCopiesBase<
          TernaryForwardCopies> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    copiesOfFillsToFills(func);
    Block *entry = &func.getBody().front();
    SmallVector<memref::CopyOp> copies;
    func.walk([&](memref::CopyOp copy) { copies.push_back(copy); });
    for (memref::CopyOp copy : copies) {
      auto arg = dyn_cast<BlockArgument>(copy.getTarget());
      auto alloc = copy.getSource().getDefiningOp<memref::AllocOp>();
      if (!arg || arg.getOwner() != entry || !alloc ||
          alloc->getBlock() != copy->getBlock() ||
          alloc.getType() != arg.getType())
        continue;
      OpOperand *init = nullptr;
      Operation *writer = lastWriter(alloc, copy, init);
      if (!writer || !mayWriteArgument(writer, init, arg) ||
          !untouchedBetween(writer, copy, arg))
        continue;
      init->set(arg);
      copy->erase();
      if (alloc->use_empty())
        alloc->erase();
    }
  }
};

} // namespace
