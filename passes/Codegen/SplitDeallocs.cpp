//===- SplitDeallocs.cpp - Free unaliased fresh buffers on their own ------===//
//
// Splits each bufferization.dealloc so that every fresh buffer (allocated in
// the function or by a callee) that no other operand or retained value of
// the op can alias without being known to is freed once by an op of its own,
// in time linear in the op's operands, before upstream's quadratic
// --buffer-deallocation-simplification sees the op (docs:
// CodegenPasses.td).
//
//===----------------------------------------------------------------------===//

#include "Utils/Buffers.h"
#include "ternary/Passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/MapVector.h"

namespace mlir {
namespace ternary {
#define GEN_PASS_DEF_TERNARYSPLITDEALLOCS
#include "passes/Passes.h.inc"
} // namespace ternary
} // namespace mlir

using namespace mlir;
using mlir::ternary::detail::bufferRoot;

namespace {

/// Whether `root` is a buffer its op allocates (memref.alloc, or the copy
/// bufferization.clone makes).
bool isAllocation(Value root) {
  return root.getDefiningOp<memref::AllocOp>() ||
         root.getDefiningOp<bufferization::CloneOp>();
}

/// Where a buffer comes from: `exact` when it is a view of that one buffer (an
/// allocation, an argument of the function, or a buffer a call allocated
/// and returned), otherwise the buffers in `may` it may be a view of.
struct Origin {
  Value exact;
  SmallVector<Value, 2> may;
};

/// The buffers of a function, their origins worked out once.
class Origins {
public:
  explicit Origins(FunctionOpInterface function) : function(function) {}

  /// The origin of `v`, or failure if it may be any buffer.
  FailureOr<Origin> of(Value v) {
    Value root = bufferRoot(v);
    if (auto it = cache.find(root); it != cache.end())
      return it->second;
    FailureOr<Origin> origin = compute(root);
    cache.try_emplace(root, origin);
    return origin;
  }

private:
  FailureOr<Origin> compute(Value root) {
    if (isAllocation(root))
      return Origin{root, {}};
    if (auto arg = dyn_cast<BlockArgument>(root)) {
      if (arg.getOwner() == &function.getFunctionBody().front())
        return Origin{root, {}};
      return failure();
    }
    auto call = root.getDefiningOp<CallOpInterface>();
    if (!call)
      return failure();
    std::optional<int> returned =
        returnedArgument(call, cast<OpResult>(root).getResultNumber());
    if (returned && *returned < 0)
      return Origin{root, {}};
    if (returned)
      return of(call->getOperand(*returned));
    // A call returns a fresh buffer or a view of a buffer passed to it.
    Origin origin;
    for (Value operand : call->getOperands()) {
      if (!isa<BaseMemRefType>(operand.getType()))
        continue;
      FailureOr<Origin> inner = of(operand);
      if (failed(inner))
        return failure();
      if (inner->exact)
        origin.may.push_back(inner->exact);
      llvm::append_range(origin.may, inner->may);
    }
    return origin;
  }

  /// The argument of the callee that result `index` of `call` is a view of,
  /// -1 if the callee returns there a buffer it allocated (and returns it
  /// nowhere else), nullopt if unknown.
  static std::optional<int> returnedArgument(CallOpInterface call,
                                             unsigned index) {
    auto callee = dyn_cast_if_present<func::FuncOp>(call.resolveCallable());
    if (!callee || callee.isExternal())
      return std::nullopt;
    func::ReturnOp ret;
    for (Block &block : callee.getBody()) {
      auto candidate = dyn_cast<func::ReturnOp>(block.getTerminator());
      if (candidate && ret)
        return std::nullopt;
      if (candidate)
        ret = candidate;
    }
    if (!ret)
      return std::nullopt;
    Value returned = bufferRoot(ret.getOperand(index));
    if (auto arg = dyn_cast<BlockArgument>(returned))
      return arg.getOwner() == &callee.getBody().front()
                 ? std::optional<int>(arg.getArgNumber())
                 : std::nullopt;
    if (!isAllocation(returned))
      return std::nullopt;
    for (auto [i, other] : llvm::enumerate(ret.getOperands()))
      if (i != index && isa<BaseMemRefType>(other.getType()) &&
          bufferRoot(other) == returned)
        return std::nullopt;
    return -1;
  }

  FunctionOpInterface function;
  llvm::DenseMap<Value, FailureOr<Origin>> cache;
};

/// Splits `dealloc`; returns whether it changed.
bool splitDealloc(bufferization::DeallocOp dealloc, Origins &origins) {
  // The buffers of the op by exact origin, and the origins that another
  // operand may share without being known to (or that a retained value
  // shares): those stay in the op.
  llvm::MapVector<Value, SmallVector<unsigned>> byOrigin;
  llvm::DenseSet<Value> blocked;
  for (auto [i, memref] : llvm::enumerate(dealloc.getMemrefs())) {
    FailureOr<Origin> origin = origins.of(memref);
    if (failed(origin))
      return false;
    if (origin->exact)
      byOrigin[origin->exact].push_back(i);
    blocked.insert(origin->may.begin(), origin->may.end());
  }
  for (Value retained : dealloc.getRetained()) {
    FailureOr<Origin> origin = origins.of(retained);
    if (failed(origin))
      return false;
    if (origin->exact)
      blocked.insert(origin->exact);
    blocked.insert(origin->may.begin(), origin->may.end());
  }

  // Buffers allocated here or by a callee that nothing else can alias:
  // freed once, by their own op, if any of their entries' conditions holds.
  OpBuilder b(dealloc);
  Location loc = dealloc.getLoc();
  llvm::BitVector alone(dealloc.getMemrefs().size());
  for (auto &[origin, entries] : byOrigin) {
    if (isa<BlockArgument>(origin) || blocked.contains(origin))
      continue;
    for (unsigned i : entries)
      alone.set(i);
  }
  if (alone.none() ||
      (alone.all() && byOrigin.size() == 1 &&
       dealloc.getMemrefs().size() == 1 && dealloc.getRetained().empty()))
    return false;
  for (auto &[origin, entries] : byOrigin) {
    if (!alone.test(entries.front()))
      continue;
    Value condition = dealloc.getConditions()[entries.front()];
    for (unsigned i : ArrayRef(entries).drop_front())
      condition =
          arith::OrIOp::create(b, loc, condition, dealloc.getConditions()[i]);
    bufferization::DeallocOp::create(
        b, loc, ValueRange{dealloc.getMemrefs()[entries.front()]},
        ValueRange{condition}, ValueRange{});
  }

  SmallVector<Value> keptMemrefs, keptConditions;
  for (auto [i, memref, condition] :
       llvm::enumerate(dealloc.getMemrefs(), dealloc.getConditions())) {
    if (alone.test(i))
      continue;
    keptMemrefs.push_back(memref);
    keptConditions.push_back(condition);
  }
  if (!dealloc.getRetained().empty() || !keptMemrefs.empty()) {
    auto rest = bufferization::DeallocOp::create(
        b, loc, keptMemrefs, keptConditions, dealloc.getRetained());
    dealloc.replaceAllUsesWith(rest.getUpdatedConditions());
  }
  dealloc.erase();
  return true;
}

struct TernarySplitDeallocs
    : public mlir::ternary::impl::TernarySplitDeallocsBase<
          TernarySplitDeallocs> {
  void runOnOperation() override {
    getOperation()->walk([&](FunctionOpInterface function) {
      if (function.isExternal())
        return;
      Origins origins(function);
      SmallVector<bufferization::DeallocOp> deallocs;
      function->walk(
          [&](bufferization::DeallocOp op) { deallocs.push_back(op); });
      for (bufferization::DeallocOp op : deallocs)
        splitDealloc(op, origins);
    });
  }
};

} // namespace
