//===- GenericAdjoints.cpp - Adjoints of linalg.generic -------------------===//
//
// An input's adjoint is a new linalg.generic over the forward's iteration
// space: its body recomputes the forward body (cloned), runs a scalar
// reverse sweep from the yielded value seeded with the result's adjoint,
// and accumulates the input's scalar adjoint into an output indexed like
// the input. Dimensions the input's map does not use become reductions.
//
//===----------------------------------------------------------------------===//

#include "ternary/Autodiff/Autodiff.h"
#include "ternary/Dialect/Ternary/AdjointOpInterface.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::autodiff;

namespace {

bool isFloat(Value v) { return isa<FloatType>(v.getType()); }

/// Reverse sweep over straight-line scalar code.
class ScalarReverse {
public:
  ScalarReverse(OpBuilder &b) : b(b) {}

  /// Propagates `seed`, the adjoint of `output`, back through `ops` (in
  /// program order). Fails (with an error) on an op without a rule that has
  /// a float operand.
  LogicalResult run(ArrayRef<Operation *> ops, Value output, Value seed) {
    adj[output] = seed;
    for (Operation *op : llvm::reverse(ops)) {
      if (op->getNumResults() != 1)
        continue;
      Value a = adj.lookup(op->getResult(0));
      if (!a)
        continue;
      if (failed(visit(op, a)))
        return failure();
    }
    return success();
  }

  Value adjoint(Value v) const { return adj.lookup(v); }

private:
  OpBuilder &b;
  DenseMap<Value, Value> adj;

  void add(Value v, Value g) {
    if (!isFloat(v) || !g)
      return;
    Value &slot = adj[v];
    slot = slot ? arith::AddFOp::create(b, g.getLoc(), slot, g).getResult() : g;
  }

  /// The rule of `op` (its AdjointOpInterface) for the result adjoint
  /// `a`; ops without a rule and without float operands (index and
  /// integer code) contribute nothing.
  LogicalResult visit(Operation *op, Value a) {
    auto rule = dyn_cast<AdjointOpInterface>(op);
    if (!rule) {
      if (llvm::none_of(op->getOperands(), isFloat))
        return success();
      return op->emitOpError() << "has no derivative rule in ternary-autodiff "
                                  "(inside a linalg.generic body)";
    }
    SmallVector<bool> needed = llvm::map_to_vector(op->getOperands(), isFloat);
    FailureOr<SmallVector<Value>> grads =
        rule.buildOperandAdjoints(b, {a}, needed);
    if (failed(grads))
      return failure();
    for (auto [operand, g] : llvm::zip(op->getOperands(), *grads))
      add(operand, g);
    return success();
  }
};

/// Whether the body yields `out + e` with `out` the init's block argument,
/// used nowhere else.
bool isSumReduction(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  BlockArgument out = body.getArgument(op.getNumDpsInputs());
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add || !out.hasOneUse())
    return false;
  return add.getLhs() == out || add.getRhs() == out;
}

/// For a body yielding `max(out, e)` (a max reduction, `out` used nowhere
/// else): `e`, else null.
Value maxReductionTerm(linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  BlockArgument out = body.getArgument(op.getNumDpsInputs());
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  Operation *max = yield.getOperand(0).getDefiningOp();
  if (!max || !isa<arith::MaximumFOp, arith::MaxNumFOp>(max) ||
      !out.hasOneUse())
    return Value();
  if (max->getOperand(0) == out)
    return max->getOperand(1);
  if (max->getOperand(1) == out)
    return max->getOperand(0);
  return Value();
}

/// `op` without the inputs its body does not read, except those whose maps
/// are needed for the loops' sizes (a dimension no other operand indexes
/// directly): the kernels after bufferization match contractions of two
/// inputs, not ones that carry the forward's operands along.
linalg::GenericOp dropUnreadInputs(OpBuilder &b, linalg::GenericOp op) {
  Block &body = op.getRegion().front();
  unsigned numInputs = op.getNumDpsInputs();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  llvm::SmallBitVector covered(op.getNumLoops());
  auto cover = [&](AffineMap map) {
    for (AffineExpr e : map.getResults())
      if (auto dim = dyn_cast<AffineDimExpr>(e))
        covered.set(dim.getPosition());
  };
  for (unsigned i = 0; i < maps.size(); ++i)
    if (i >= numInputs || !body.getArgument(i).use_empty())
      cover(maps[i]);
  llvm::BitVector dropped(body.getNumArguments());
  for (unsigned i = 0; i < numInputs; ++i) {
    if (!body.getArgument(i).use_empty())
      continue;
    llvm::SmallBitVector before = covered;
    cover(maps[i]);
    if (covered == before)
      dropped.set(i);
  }
  if (dropped.none())
    return op;
  SmallVector<Value> inputs;
  SmallVector<AffineMap> keptMaps;
  for (unsigned i = 0; i < maps.size(); ++i) {
    if (dropped.test(i))
      continue;
    if (i < numInputs)
      inputs.push_back(op->getOperand(i));
    keptMaps.push_back(maps[i]);
  }
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(op);
  auto pruned = linalg::GenericOp::create(b, op.getLoc(), op->getResultTypes(),
                                          inputs, op.getDpsInits(), keptMaps,
                                          op.getIteratorTypesArray());
  pruned.getRegion().takeBody(op.getRegion());
  pruned.getRegion().front().eraseArguments(dropped);
  op->replaceAllUsesWith(pruned);
  op->erase();
  return pruned;
}

/// The adjoint of operand `index` (an input, or the init of an all-parallel
/// generic) as a new generic. An input read through a map that is not a
/// projected permutation (a convolution's `oh + kh`, a pooling window) gets
/// its adjoint scattered through that map, every loop then a reduction but
/// those that alone index a dimension of the operand. In
/// a max reduction the result's adjoint goes to the terms equal to the
/// maximum (to each of them when several are).
FailureOr<Value> operandAdjoint(OpBuilder &b, linalg::GenericOp op,
                                Value resultAdjoint, unsigned index) {
  Location loc = op.getLoc();
  Value operand = op->getOperand(index);
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  AffineMap operandMap = maps[index];
  bool scatter = !operandMap.isProjectedPermutation();
  // A loop is parallel when different iterations write different
  // elements: one the operand's map uses; when scattered, one that alone
  // indexes a dimension of the operand (the batch, the channel of a
  // convolution's input) and appears in no other.
  auto isParallel = [&](unsigned d) {
    if (!scatter)
      return operandMap.isFunctionOfDim(d);
    bool alone = false;
    for (AffineExpr e : operandMap.getResults()) {
      auto dim = dyn_cast<AffineDimExpr>(e);
      if (dim && dim.getPosition() == d)
        alone = true;
      else if (e.isFunctionOfDim(d))
        return false;
    }
    return alone;
  };
  SmallVector<utils::IteratorType> iterators;
  for (unsigned d = 0; d < op.getNumLoops(); ++d)
    iterators.push_back(isParallel(d) ? utils::IteratorType::parallel
                                      : utils::IteratorType::reduction);
  Value maxTerm = maxReductionTerm(op);
  SmallVector<Value> inputs(op->getOperands());
  inputs.push_back(resultAdjoint);
  AffineMap outMap = maps[op.getNumDpsInputs()];
  SmallVector<AffineMap> newMaps = maps;
  newMaps.push_back(outMap); // the result's adjoint
  if (maxTerm) {
    inputs.push_back(op->getResult(0)); // the maximum
    newMaps.push_back(outMap);
  }
  newMaps.push_back(operandMap); // the operand's adjoint

  // When every loop is parallel, each element of the adjoint is written
  // once: its body adds the contribution to a constant zero instead of
  // reading a zero-filled tensor (the same sum, without a pass over memory
  // to fill it: a ReLU's adjoint on a convolution's output).
  auto tensorType = dyn_cast<RankedTensorType>(operand.getType());
  bool once = tensorType && llvm::all_of(iterators, [](utils::IteratorType t) {
                return t == utils::IteratorType::parallel;
              });
  Value init = once ? tensor::EmptyOp::create(
                          b, loc, tensor::getMixedSizes(b, loc, operand),
                          tensorType.getElementType())
                          .getResult()
                    : zerosLike(b, loc, operand);
  Block &body = op.getRegion().front();
  unsigned numArgs = body.getNumArguments();
  LogicalResult status = success();
  auto grad = linalg::GenericOp::create(
      b, loc, TypeRange{operand.getType()}, inputs, ValueRange{init}, newMaps,
      iterators, [&](OpBuilder &nb, Location nl, ValueRange args) {
        IRMapping mapping;
        for (unsigned i = 0; i < numArgs; ++i)
          mapping.map(body.getArgument(i), args[i]);
        SmallVector<Operation *> cloned;
        for (Operation &inner : body.without_terminator())
          cloned.push_back(nb.clone(inner, mapping));
        Value yielded =
            mapping.lookupOrDefault(body.getTerminator()->getOperand(0));
        Value seed = args[numArgs];
        if (maxTerm) {
          // Only the terms equal to the maximum receive the adjoint.
          yielded = mapping.lookupOrDefault(maxTerm);
          Value isMax = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ,
                                              yielded, args[numArgs + 1]);
          Value zero = arith::ConstantOp::create(
              nb, nl, nb.getFloatAttr(seed.getType(), 0.0));
          seed = arith::SelectOp::create(nb, nl, isMax, seed, zero);
        }
        ScalarReverse sweep(nb);
        Value acc = once ? arith::ConstantOp::create(
                               nb, nl, nb.getZeroAttr(args.back().getType()))
                               .getResult()
                         : args.back();
        if (failed(sweep.run(cloned, yielded, seed))) {
          status = failure();
          linalg::YieldOp::create(nb, nl, acc);
          return;
        }
        Value contribution = sweep.adjoint(args[index]);
        Value sum =
            contribution
                ? arith::AddFOp::create(nb, nl, acc, contribution).getResult()
                : acc;
        linalg::YieldOp::create(nb, nl, sum);
      });
  // The recomputed forward values the sweep did not need.
  Block &newBody = grad.getRegion().front();
  SmallVector<Operation *> bodyOps;
  for (Operation &inner : newBody.without_terminator())
    bodyOps.push_back(&inner);
  for (Operation *inner : llvm::reverse(bodyOps))
    if (isOpTriviallyDead(inner))
      inner->erase();
  if (failed(status)) {
    grad->erase();
    return failure();
  }
  return dropUnreadInputs(b, grad).getResult(0);
}

} // namespace

FailureOr<SmallVector<Value>> mlir::ternary::autodiff::buildGenericAdjoints(
    OpBuilder &b, linalg::GenericOp op, Value resultAdjoint,
    ArrayRef<bool> needed) {
  SmallVector<Value> grads(op->getNumOperands());
  if (!resultAdjoint)
    return grads;
  if (op.getNumDpsInits() != 1 || op->getNumResults() != 1 ||
      !op.hasPureTensorSemantics())
    return op.emitOpError() << "ternary-autodiff handles linalg.generic with "
                               "one tensor result only";
  Block &body = op.getRegion().front();
  for (Operation &inner : body) {
    if (inner.getNumRegions() != 0)
      return inner.emitOpError()
             << "ternary-autodiff cannot differentiate a region inside a "
                "linalg.generic body";
    // A float value read from outside the body (not an operand, not a
    // constant) would get no gradient: say so instead of dropping it.
    for (Value v : inner.getOperands()) {
      if (v.getParentRegion() == &op.getRegion() ||
          !isa<FloatType>(getElementTypeOrSelf(v.getType())) ||
          v.getDefiningOp<arith::ConstantOp>())
        continue;
      return inner.emitOpError()
             << "reads a float value from outside its linalg.generic: "
                "ternary-autodiff needs it as an input of the generic";
    }
  }
  bool reduces = op.getNumReductionLoops() != 0;
  bool maxReduction = reduces && maxReductionTerm(op);
  if (reduces && !isSumReduction(op) && !maxReduction)
    return op.emitOpError()
           << "ternary-autodiff differentiates reductions that are sums "
              "(yield %out + ...) or maxima (yield max(%out, ...)) only";

  unsigned init = op.getNumDpsInputs();
  for (unsigned i = 0; i < op->getNumOperands(); ++i) {
    if (!needed[i] || !isa<FloatType>(getElementTypeOrSelf(op->getOperand(i))))
      continue;
    if (!isa<RankedTensorType>(op->getOperand(i).getType()))
      return op.emitOpError()
             << "ternary-autodiff cannot differentiate with respect to the "
                "scalar operand #"
             << i << " of a linalg.generic";
    if (i == init) {
      // A sum adds the init once; an element-wise body may read it.
      if (reduces) {
        // A sum adds the init once; a maximum's init (-inf, a constant)
        // gets nothing.
        if (!maxReduction)
          grads[i] = resultAdjoint;
        continue;
      }
      if (body.getArgument(init).use_empty())
        continue;
    } else if (body.getArgument(i).use_empty()) {
      continue;
    }
    FailureOr<Value> grad = operandAdjoint(b, op, resultAdjoint, i);
    if (failed(grad))
      return failure();
    grads[i] = *grad;
  }
  return grads;
}
