//===- FuseBatches.cpp - Runs of batched ops, one batch entry at a time ---===//
//
// --ternary-fuse-batches: a run of linalg ops on buffers that all work
// entry by entry along the same leading batch dimension, with an f32
// contraction among them and a buffer one writes and another reads (a
// convolution's window gather and its contraction, the contraction of an
// input gradient and its scatter-add), becomes one scf.forall over the
// batch entries, each iteration running every op of the run on its entry.
// A buffer only the run uses becomes one entry a task. See
// passes/Codegen/CPU/CPUPasses.td.
//
//===----------------------------------------------------------------------===//

#include "Codegen/CPU/Contractions.h"
#include "Utils/Buffers.h"
#include "ternary/Passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/MapVector.h"

namespace mlir {
namespace ternary {
#define GEN_PASS_DEF_TERNARYFUSEBATCHES
#include "passes/Passes.h.inc"
} // namespace ternary
} // namespace mlir

using namespace mlir;
using namespace mlir::ternary::detail;

namespace {

/// Whether the views from `v` back to its buffer keep dimension 0 as it is
/// (casts, and reshapes whose first group is dimension 0 alone): entry i of
/// `v` is then entry i of the buffer.
bool keepsLeadingDim(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (auto cast = dyn_cast<memref::CastOp>(def)) {
      v = cast.getSource();
    } else if (auto collapse = dyn_cast<memref::CollapseShapeOp>(def)) {
      if (collapse.getReassociationIndices().front().size() != 1)
        return false;
      v = collapse.getSrc();
    } else if (auto expand = dyn_cast<memref::ExpandShapeOp>(def)) {
      if (expand.getReassociationIndices().front().size() != 1)
        return false;
      v = expand.getSrc();
    } else {
      return !isa<ViewLikeOpInterface>(def);
    }
  }
  return true;
}

/// What proves two leading sizes equal: a static size, or the SSA value of
/// the size a buffer was allocated with (followed through memref.dim of
/// views that keep dimension 0), or the buffer whose size nothing names.
struct ExtentKey {
  int64_t size = ShapedType::kDynamic;
  Value value;
  bool operator==(const ExtentKey &o) const {
    return size == o.size && value == o.value;
  }
};

ExtentKey leadingExtent(Value buffer) {
  // Each step goes to a buffer allocated earlier: a few steps reach the
  // function's arguments.
  for (int depth = 0; depth < 8; ++depth) {
    auto type = cast<MemRefType>(buffer.getType());
    if (!type.isDynamicDim(0))
      return {type.getDimSize(0), Value()};
    if (!keepsLeadingDim(buffer))
      return {ShapedType::kDynamic, buffer};
    Value root = bufferRoot(buffer);
    auto alloc = root.getDefiningOp<memref::AllocOp>();
    if (!alloc)
      return {ShapedType::kDynamic, root};
    if (!alloc.getType().isDynamicDim(0))
      return {alloc.getType().getDimSize(0), Value()};
    Value size = alloc.getDynamicSizes().front();
    auto dim = size.getDefiningOp<memref::DimOp>();
    std::optional<int64_t> index = dim ? dim.getConstantIndex() : std::nullopt;
    if (!index || *index != 0 || !isa<MemRefType>(dim.getSource().getType()))
      return {ShapedType::kDynamic, size};
    buffer = dim.getSource();
  }
  return {ShapedType::kDynamic, buffer};
}

/// The bytes of `buffer`, or of one entry of it (dimension 0 left out),
/// if those sizes are static.
std::optional<int64_t> staticBytes(Value buffer, bool oneEntry) {
  auto type = cast<MemRefType>(buffer.getType());
  int64_t bytes = type.getElementTypeBitWidth() / 8;
  for (int64_t size : type.getShape().drop_front(oneEntry ? 1 : 0)) {
    if (ShapedType::isDynamic(size))
      return std::nullopt;
    bytes *= size;
  }
  return bytes;
}

/// How an op of a run uses one memref operand: entry by entry along the
/// batch loop (sliced), or not along it at all (read whole).
struct OperandUse {
  OpOperand *operand;
  Value root;
  bool sliced;
};

/// A linalg op that works entry by entry along a parallel loop that
/// indexes dimension 0 of every output (and of the inputs it slices), and
/// nothing else of them; its operands' uses.
std::optional<SmallVector<OperandUse>>
batchedUses(linalg::LinalgOp op, int64_t maxEntryBytes, ExtentKey &extent) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInits() == 0 ||
      op->getNumRegions() != 1)
    return std::nullopt;
  AffineMap first = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (first.getNumResults() == 0)
    return std::nullopt;
  auto batch = dyn_cast<AffineDimExpr>(first.getResult(0));
  if (!batch || op.getIteratorTypesArray()[batch.getPosition()] !=
                    utils::IteratorType::parallel)
    return std::nullopt;
  unsigned b = batch.getPosition();
  // A body that reads its batch index (a dropout mask drawn from the
  // element's position) would read 0 on every entry's slice.
  bool readsBatchIndex = false;
  op->walk(
      [&](linalg::IndexOp index) { readsBatchIndex |= index.getDim() == b; });
  if (readsBatchIndex)
    return std::nullopt;
  // A contraction's entries are its batch entries, not rows of its m or n:
  // a matrix product split by rows would read the other operand once a row.
  if (std::optional<KernelDims> kd = kernelDims(op))
    if (!llvm::is_contained(kd->batch, b))
      return std::nullopt;
  SmallVector<OperandUse> uses;
  std::optional<ExtentKey> key;
  for (OpOperand &operand : op->getOpOperands()) {
    if (!isa<MemRefType>(operand.get().getType()))
      continue;
    AffineMap map = op.getMatchingIndexingMap(&operand);
    bool sliced = map.getNumResults() > 0 && map.getResult(0) == batch;
    for (unsigned r = sliced ? 1 : 0; r < map.getNumResults(); ++r)
      if (map.getResult(r).isFunctionOfDim(b))
        return std::nullopt;
    bool written = op.isDpsInit(&operand);
    if (written && !sliced)
      return std::nullopt;
    // Whatever an entry reads whole is read again by every entry: only a
    // small one (a filter, a bias) pays back.
    if (!sliced) {
      std::optional<int64_t> bytes =
          staticBytes(operand.get(), /*oneEntry=*/false);
      if (!bytes || *bytes > maxEntryBytes)
        return std::nullopt;
    } else {
      if (!keepsLeadingDim(operand.get()))
        return std::nullopt;
      ExtentKey k = leadingExtent(operand.get());
      if (key && !(*key == k))
        return std::nullopt;
      key = k;
    }
    uses.push_back({&operand, bufferRoot(operand.get()), sliced});
  }
  if (!key)
    return std::nullopt;
  // A buffer sliced by one operand and read whole by another would be read
  // by entry j after entry i changed it.
  for (const OperandUse &u : uses)
    for (const OperandUse &v : uses)
      if (u.root == v.root && u.sliced != v.sliced)
        return std::nullopt;
  extent = *key;
  return uses;
}

/// A run being gathered: its ops in order and their operands' uses.
struct Run {
  SmallVector<linalg::LinalgOp> ops;
  SmallVector<SmallVector<OperandUse>> uses;
  ExtentKey extent;
  /// Linalg ops between the run's ops that are not of it and go after its
  /// loop (a filter gradient summed over the images between two runs),
  /// with the buffers they write and read.
  SmallVector<linalg::LinalgOp> deferred;
  DenseSet<Value> deferredWrites, deferredReads;

  /// Whether `op` may wait until the run's loop is done: it writes nothing
  /// the run has used (later members must then leave its buffers alone, see
  /// `keepsDeferred`).
  bool defer(linalg::LinalgOp op) {
    if (ops.empty() || !op.hasPureBufferSemantics())
      return false;
    for (OpOperand &operand : op->getOpOperands())
      if (isa<MemRefType>(operand.get().getType()) && op.isDpsInit(&operand) &&
          membersUse(bufferRoot(operand.get())))
        return false;
    for (OpOperand &operand : op->getOpOperands())
      if (isa<MemRefType>(operand.get().getType()))
        (op.isDpsInit(&operand) ? deferredWrites : deferredReads)
            .insert(bufferRoot(operand.get()));
    deferred.push_back(op);
    return true;
  }
  /// Whether a later member using `opUses` leaves the deferred ops' data as
  /// they would have found it: it uses nothing they write and writes
  /// nothing they read.
  bool keepsDeferred(ArrayRef<OperandUse> opUses, linalg::LinalgOp op) const {
    for (const OperandUse &u : opUses)
      if (deferredWrites.contains(u.root) ||
          (op.isDpsInit(u.operand) && deferredReads.contains(u.root)))
        return false;
    return true;
  }

  /// Whether a member uses `root`.
  bool membersUse(Value root) const {
    for (const auto &opUses : uses)
      for (const OperandUse &u : opUses)
        if (u.root == root)
          return true;
    return false;
  }
  /// Whether a member or a deferred op uses `root`.
  bool touches(Value root) const {
    return membersUse(root) || deferredWrites.contains(root) ||
           deferredReads.contains(root);
  }
  /// Whether `opUses` fits the run: nothing one slices is read whole by
  /// another, nothing is written that the run reads whole.
  bool accepts(ArrayRef<OperandUse> opUses, linalg::LinalgOp op) const {
    auto conflict = [](const OperandUse &a, linalg::LinalgOp aOp,
                       const OperandUse &b, linalg::LinalgOp bOp) {
      if (a.root != b.root)
        return false;
      bool aWrites = aOp.isDpsInit(a.operand),
           bWrites = bOp.isDpsInit(b.operand);
      return a.sliced != b.sliced || ((aWrites || bWrites) && !a.sliced);
    };
    for (auto [runOp, runUses] : llvm::zip(ops, uses))
      for (const OperandUse &u : runUses)
        for (const OperandUse &v : opUses)
          if (conflict(u, runOp, v, op))
            return false;
    return true;
  }
};

struct TernaryFuseBatches
    : public mlir::ternary::impl::TernaryFuseBatchesBase<TernaryFuseBatches> {
  using Base::Base;

  void runOnOperation() override {
    if (maxEntryBytes < 1) {
      getOperation()->emitError()
          << "ternary-fuse-batches: max-entry-bytes must be positive (got "
          << int64_t(maxEntryBytes) << ")";
      return signalPassFailure();
    }
    std::vector<Run> runs;
    getOperation()->walk([&](Block *block) { gatherRuns(*block, runs); });
    for (Run &run : runs)
      if (worthFusing(run))
        fuse(run);
  }

  /// Splits `block` into maximal runs of batched ops, between which only
  /// ops without memory effects, allocations and deallocations of buffers
  /// the run has not used, and linalg ops that may wait until after the
  /// run (Run::defer) stand.
  void gatherRuns(Block &block, std::vector<Run> &runs) {
    Run run;
    auto finish = [&] {
      // Deferred ops after the last member stay where they are.
      while (!run.deferred.empty() &&
             run.ops.back()->isBeforeInBlock(run.deferred.back()))
        run.deferred.pop_back();
      if (run.ops.size() >= 2)
        runs.push_back(std::move(run));
      run = Run();
    };
    for (Operation &op : block) {
      if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
        ExtentKey extent;
        std::optional<SmallVector<OperandUse>> uses =
            batchedUses(linalgOp, maxEntryBytes, extent);
        if (uses && !run.ops.empty() && run.extent == extent &&
            run.accepts(*uses, linalgOp) &&
            run.keepsDeferred(*uses, linalgOp)) {
          run.ops.push_back(linalgOp);
          run.uses.push_back(std::move(*uses));
          continue;
        }
        if (run.defer(linalgOp))
          continue;
        // The members after the last deferred op go on with the next run
        // (a fill between a deferred op and the op that needs it) when the
        // new op may join them.
        Run next;
        if (uses && !run.deferred.empty() && run.extent == extent) {
          size_t first = run.ops.size();
          while (first > 0 &&
                 run.deferred.back()->isBeforeInBlock(run.ops[first - 1]))
            --first;
          next.extent = extent;
          next.ops.assign(run.ops.begin() + first, run.ops.end());
          next.uses.assign(run.uses.begin() + first, run.uses.end());
          if (next.accepts(*uses, linalgOp)) {
            run.ops.truncate(first);
            run.uses.truncate(first);
          } else {
            next = Run();
          }
        }
        finish();
        run = std::move(next);
        if (uses) {
          run.extent = extent;
          run.ops.push_back(linalgOp);
          run.uses.push_back(std::move(*uses));
        }
        continue;
      }
      if (isa<memref::AllocOp>(op) || isMemoryEffectFree(&op))
        continue;
      if (auto dealloc = dyn_cast<memref::DeallocOp>(op))
        if (!run.touches(bufferRoot(dealloc.getMemref())))
          continue;
      finish();
    }
    finish();
  }

  /// A run pays when it holds a contraction and hands a buffer from one op
  /// (not a fill) to a later one, one entry of which fits in a core's
  /// cache: that entry is then read back from cache, not memory.
  bool worthFusing(const Run &run) const {
    bool contraction = llvm::any_of(
        run.ops, [](linalg::LinalgOp op) { return isKernelContraction(op); });
    if (!contraction)
      return false;
    for (size_t i = 0; i < run.ops.size(); ++i) {
      linalg::LinalgOp producer = run.ops[i];
      if (isa<linalg::FillOp>(producer))
        continue;
      for (const OperandUse &w : run.uses[i]) {
        if (!producer.isDpsInit(w.operand))
          continue;
        for (size_t j = i + 1; j < run.ops.size(); ++j)
          for (const OperandUse &r : run.uses[j]) {
            std::optional<int64_t> bytes =
                staticBytes(r.operand->get(), /*oneEntry=*/true);
            if (r.root == w.root && bytes && *bytes <= maxEntryBytes)
              return true;
          }
      }
    }
    return false;
  }

  /// Whether every use of `root` (through views) is an operand of the run,
  /// a view or its deallocation: the run may then keep one entry of it a
  /// task.
  static bool onlyRunUses(Value root, const Run &run,
                          SmallVectorImpl<memref::DeallocOp> &deallocs) {
    auto alloc = root.getDefiningOp<memref::AllocOp>();
    if (!alloc || !alloc.getType().isDynamicDim(0) ||
        !alloc.getType().getLayout().isIdentity())
      return false;
    DenseSet<Operation *> runOps;
    for (linalg::LinalgOp op : run.ops)
      runOps.insert(op);
    SmallVector<Value> values = {root};
    while (!values.empty()) {
      Value v = values.pop_back_val();
      for (Operation *user : v.getUsers()) {
        if (runOps.contains(user))
          continue;
        if (auto dealloc = dyn_cast<memref::DeallocOp>(user)) {
          if (v != root)
            return false;
          deallocs.push_back(dealloc);
          continue;
        }
        if (!isa<memref::CollapseShapeOp, memref::ExpandShapeOp,
                 memref::CastOp>(user))
          return false;
        values.push_back(user->getResult(0));
      }
    }
    return true;
  }

  /// Recreates the views from `root` to `v` on `entry` (the same types:
  /// dimension 0 stays dynamic) inside the task, memoised in `mapping`.
  static Value viewOfEntry(OpBuilder &b, Value v, Value root, Value entry,
                           Value one, IRMapping &mapping) {
    if (v == root)
      return entry;
    if (Value done = mapping.lookupOrNull(v))
      return done;
    Operation *view = v.getDefiningOp();
    Value source =
        viewOfEntry(b, view->getOperand(0), root, entry, one, mapping);
    IRMapping local;
    local.map(view->getOperand(0), source);
    // An expansion names its dynamic sizes: the first is now one entry.
    if (auto expand = dyn_cast<memref::ExpandShapeOp>(view))
      if (!expand.getOutputShape().empty() &&
          expand.getResultType().isDynamicDim(0))
        local.map(expand.getOutputShape().front(), one);
    Value result = b.clone(*view, local)->getResult(0);
    mapping.map(v, result);
    return result;
  }

  /// Rewrites `run` as one scf.forall over its entries, at the place of
  /// its last op: each task slices the run's buffers at its entry (or
  /// allocates the one entry of a buffer only the run uses) and runs the
  /// run's ops in order; the deferred ops follow the loop.
  void fuse(Run &run) {
    linalg::LinalgOp last = run.ops.back();
    Location loc = last.getLoc();
    OpBuilder b(last);
    // Buffers only the run uses: one entry a task.
    // (In the order of their first use: the IR does not depend on pointers.)
    llvm::MapVector<Value, SmallVector<memref::DeallocOp>> local;
    for (const auto &opUses : run.uses)
      for (const OperandUse &u : opUses) {
        SmallVector<memref::DeallocOp> deallocs;
        if (u.sliced && !local.count(u.root) &&
            onlyRunUses(u.root, run, deallocs))
          local[u.root] = deallocs;
      }
    // The number of entries: the size a local buffer was allocated with,
    // or that of a sliced operand of the first op (defined before it).
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value entries;
    for (const OperandUse &u : run.uses.front()) {
      if (!u.sliced)
        continue;
      if (local.count(u.root))
        entries = u.root.getDefiningOp<memref::AllocOp>().getDynamicSizes()[0];
      else
        entries =
            memref::DimOp::create(b, loc, u.operand->get(),
                                  arith::ConstantIndexOp::create(b, loc, 0));
      break;
    }

    auto forall = scf::ForallOp::create(b, loc, ArrayRef<OpFoldResult>{entries},
                                        ValueRange(), std::nullopt);
    b.setInsertionPointToStart(forall.getBody());
    Value i = forall.getInductionVar(0);
    llvm::MapVector<Value, Value> entryBuffers;
    for (auto &[root, deallocs] : local) {
      auto alloc = root.getDefiningOp<memref::AllocOp>();
      SmallVector<Value> sizes(alloc.getDynamicSizes());
      sizes.front() = one;
      entryBuffers[root] = memref::AllocOp::create(
          b, loc, alloc.getType(), sizes, alloc.getAlignmentAttr());
    }
    IRMapping views;
    for (auto [op, opUses] : llvm::zip(run.ops, run.uses)) {
      IRMapping mapping;
      for (const OperandUse &u : opUses) {
        if (!u.sliced)
          continue;
        // Entry i of the whole buffer, or the task's one entry: the same
        // static type either way (ops such as linalg.map compare shapes).
        Value v = u.operand->get();
        bool inTask = entryBuffers.count(u.root);
        Value base =
            inTask ? viewOfEntry(b, v, u.root, entryBuffers[u.root], one, views)
                   : v;
        SmallVector<OpFoldResult> offsets, sizes, strides;
        auto type = cast<MemRefType>(v.getType());
        for (int64_t d = 0; d < type.getRank(); ++d) {
          offsets.push_back(d == 0 && !inTask ? OpFoldResult(i)
                                              : b.getIndexAttr(0));
          sizes.push_back(d == 0 ? OpFoldResult(b.getIndexAttr(1))
                                 : memref::getMixedSize(b, loc, base, d));
          strides.push_back(b.getIndexAttr(1));
        }
        mapping.map(v, memref::SubViewOp::create(b, loc, base, offsets, sizes,
                                                 strides));
      }
      b.clone(*op, mapping);
    }
    for (auto &[root, buffer] : entryBuffers)
      memref::DeallocOp::create(b, loc, buffer);
    for (linalg::LinalgOp op : run.ops)
      op->erase();
    // The ops that waited, after the loop in their order.
    Operation *after = forall;
    for (linalg::LinalgOp op : run.deferred) {
      op->moveAfter(after);
      after = op;
    }
    // The whole buffers the tasks replaced, their views and deallocations.
    for (auto &[root, deallocs] : local) {
      for (memref::DeallocOp dealloc : deallocs)
        dealloc->erase();
      eraseUnusedViews(root);
      if (root.use_empty())
        root.getDefiningOp()->erase();
    }
  }

  /// Erases the views of `v` (and theirs) that nothing uses any more.
  static void eraseUnusedViews(Value v) {
    for (Operation *user : llvm::make_early_inc_range(v.getUsers())) {
      eraseUnusedViews(user->getResult(0));
      if (user->use_empty())
        user->erase();
    }
  }
};

} // namespace
