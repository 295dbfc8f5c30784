//===- Derive.cpp - Derive a loss-and-gradients function ------------------===//
//
// The reverse-mode driver: clone the forward function, generalise its
// named linalg ops, mark the values that depend on the arguments to
// differentiate (activity), then walk the ops backwards from the loss,
// asking each op's rule for its operands' adjoints and summing the
// contributions of values used more than once.
//
//===----------------------------------------------------------------------===//

#include "ternary/Autodiff/Autodiff.h"
#include "ternary/Dialect/Ternary/AdjointOpInterface.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/Inliner.h"
#include "mlir/Transforms/InliningUtils.h"

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::autodiff;

Value mlir::ternary::autodiff::zerosLike(OpBuilder &b, Location loc,
                                         Value like) {
  Type type = like.getType();
  auto tensor = dyn_cast<RankedTensorType>(type);
  Type element = tensor ? tensor.getElementType() : type;
  Value zero =
      arith::ConstantOp::create(b, loc, b.getZeroAttr(element)).getResult();
  if (!tensor)
    return zero;
  Value init = tensor::EmptyOp::create(
      b, loc, tensor::getMixedSizes(b, loc, like), element);
  return linalg::FillOp::create(b, loc, ValueRange{zero}, ValueRange{init})
      .getResult(0);
}

Value mlir::ternary::autodiff::addAdjoints(OpBuilder &b, Location loc, Value a,
                                           Value c) {
  auto tensor = dyn_cast<RankedTensorType>(a.getType());
  if (!tensor)
    return arith::AddFOp::create(b, loc, a, c);
  Value init = tensor::EmptyOp::create(b, loc, tensor::getMixedSizes(b, loc, a),
                                       tensor.getElementType());
  AffineMap id = b.getMultiDimIdentityMap(tensor.getRank());
  SmallVector<utils::IteratorType> iterators(tensor.getRank(),
                                             utils::IteratorType::parallel);
  return linalg::GenericOp::create(
             b, loc, TypeRange{tensor}, ValueRange{a, c}, ValueRange{init},
             ArrayRef<AffineMap>{id, id, id}, iterators,
             [](OpBuilder &nb, Location nl, ValueRange args) {
               linalg::YieldOp::create(
                   nb, nl,
                   arith::AddFOp::create(nb, nl, args[0], args[1]).getResult());
             })
      .getResult(0);
}

FailureOr<SmallVector<Value>>
mlir::ternary::autodiff::buildOperandAdjoints(OpBuilder &b, Operation *op,
                                              ArrayRef<Value> resultAdjoints,
                                              ArrayRef<bool> needed) {
  auto rule = dyn_cast<AdjointOpInterface>(op);
  if (!rule)
    return op->emitOpError() << "has no derivative rule in ternary-autodiff";
  FailureOr<SmallVector<Value>> grads =
      rule.buildOperandAdjoints(b, resultAdjoints, needed);
  if (succeeded(grads) && grads->size() != op->getNumOperands())
    return op->emitOpError()
           << "derivative rule returned " << grads->size() << " adjoints for "
           << op->getNumOperands() << " operands";
  return grads;
}

/// Inlines the calls of `func` (and the calls they bring), so that the
/// differentiated body is one block of ops with rules.
static LogicalResult inlineCalls(func::FuncOp func) {
  InlinerInterface interface(func.getContext());
  InlinerConfig config;
  for (int round = 0; round < 32; ++round) {
    SmallVector<func::CallOp> calls;
    func.walk([&](func::CallOp call) { calls.push_back(call); });
    if (calls.empty())
      return success();
    for (func::CallOp call : calls) {
      auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
          call, call.getCalleeAttr());
      if (!callee || callee.isExternal())
        return call.emitOpError()
               << "cannot be differentiated: the callee has no body";
      if (failed(inlineCall(interface, config.getCloneCallback(), call, callee,
                            &callee.getBody())))
        return call.emitOpError() << "could not be inlined for "
                                     "ternary-autodiff";
      call.erase();
    }
  }
  return func.emitOpError()
         << "ternary-autodiff: calls nest too deeply to inline (recursion?)";
}

static bool isDifferentiable(Type type) {
  return isa<FloatType>(getElementTypeOrSelf(type));
}

/// Checks the forward function and the requested arguments.
static LogicalResult verifyRequest(func::FuncOp forward,
                                   ArrayRef<int64_t> wrt) {
  if (!llvm::hasSingleElement(forward.getBody()))
    return forward.emitOpError()
           << "ternary-autodiff needs a function with one block";
  FunctionType type = forward.getFunctionType();
  if (type.getNumResults() != 1)
    return forward.emitOpError()
           << "ternary-autodiff needs a function returning one scalar loss, "
              "got "
           << type.getNumResults() << " results";
  Type loss = type.getResult(0);
  auto lossTensor = dyn_cast<RankedTensorType>(loss);
  if (!(loss.isF32() || (lossTensor && lossTensor.getRank() == 0 &&
                         lossTensor.getElementType().isF32())))
    return forward.emitOpError()
           << "ternary-autodiff needs the loss as f32 or tensor<f32>, got "
           << loss;
  for (int64_t index : wrt) {
    if (index < 0 || index >= static_cast<int64_t>(type.getNumInputs()))
      return forward.emitOpError()
             << "ternary-autodiff: argument #" << index
             << " to differentiate does not exist (the function has "
             << type.getNumInputs() << " arguments)";
    Type arg = type.getInput(index);
    if (!isa<RankedTensorType>(arg) || !isDifferentiable(arg))
      return forward.emitOpError()
             << "ternary-autodiff: argument #" << index
             << " must be a float tensor to be differentiated, got " << arg;
  }
  return success();
}

FailureOr<func::FuncOp> mlir::ternary::autodiff::deriveGradientFunction(
    func::FuncOp forward, StringRef name, ArrayRef<int64_t> wrt) {
  if (failed(verifyRequest(forward, wrt)))
    return failure();
  auto module = forward->getParentOfType<ModuleOp>();
  if (module && module.lookupSymbol(name))
    return forward.emitOpError() << "ternary-autodiff: the gradient function '"
                                 << name << "' already exists";

  func::FuncOp grad = forward.clone();
  grad.setSymName(name);
  // The forward's requests (ternary.gradient, ternary.train_step) are not
  // the derived function's.
  for (NamedAttribute attr : forward->getDiscardableAttrs())
    if (attr.getName().getValue().starts_with("ternary."))
      grad->removeAttr(attr.getName());
  OpBuilder outer(forward);
  outer.setInsertionPointAfter(forward);
  outer.insert(grad);
  auto fail = [&]() -> FailureOr<func::FuncOp> {
    grad.erase();
    return failure();
  };

  if (failed(inlineCalls(grad)))
    return fail();

  // Named linalg ops become generics, which one rule differentiates.
  IRRewriter rewriter(grad.getContext());
  SmallVector<linalg::LinalgOp> named;
  grad.walk([&](linalg::LinalgOp op) {
    if (!isa<linalg::GenericOp, linalg::FillOp>(op))
      named.push_back(op);
  });
  // (linalg.softmax is not a LinalgOp: it has a rule of its own.)
  for (linalg::LinalgOp op : named) {
    rewriter.setInsertionPoint(op);
    if (failed(linalg::generalizeNamedOp(rewriter, op))) {
      op.emitOpError() << "ternary-autodiff cannot generalise this op";
      return fail();
    }
  }

  Block &body = grad.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  Value loss = ret.getOperand(0);

  // Activity: the values that depend on an argument to differentiate.
  DenseSet<Value> active;
  for (int64_t index : wrt)
    active.insert(body.getArgument(index));
  for (Operation &op : body.without_terminator()) {
    if (llvm::none_of(op.getOperands(),
                      [&](Value v) { return active.contains(v); }))
      continue;
    for (Value result : op.getResults())
      if (isDifferentiable(result.getType()))
        active.insert(result);
  }

  OpBuilder b(ret);
  Location loc = ret.getLoc();
  DenseMap<Value, Value> adjoints;
  if (active.contains(loss)) {
    Attribute one = b.getF32FloatAttr(1.0f);
    if (auto t = dyn_cast<RankedTensorType>(loss.getType()))
      one = DenseElementsAttr::get(t, one);
    adjoints[loss] = arith::ConstantOp::create(b, loc, cast<TypedAttr>(one));
  }
  SmallVector<Operation *> forwardOps;
  for (Operation &op : body.without_terminator())
    forwardOps.push_back(&op);
  for (Operation *op : llvm::reverse(forwardOps)) {
    SmallVector<Value> resultAdjoints;
    for (Value result : op->getResults())
      resultAdjoints.push_back(adjoints.lookup(result));
    if (llvm::all_of(resultAdjoints, [](Value v) { return !v; }))
      continue;
    SmallVector<bool> needed;
    for (Value operand : op->getOperands())
      needed.push_back(active.contains(operand));
    if (llvm::none_of(needed, [](bool n) { return n; }))
      continue;
    FailureOr<SmallVector<Value>> grads =
        buildOperandAdjoints(b, op, resultAdjoints, needed);
    if (failed(grads))
      return fail();
    for (auto [operand, g, want] :
         llvm::zip_equal(op->getOperands(), *grads, needed)) {
      if (!g || !want)
        continue;
      Value &slot = adjoints[operand];
      slot = slot ? addAdjoints(b, op->getLoc(), slot, g) : g;
    }
  }

  SmallVector<Value> results = {loss};
  for (int64_t index : wrt) {
    Value arg = body.getArgument(index);
    Value g = adjoints.lookup(arg);
    results.push_back(g ? g : zerosLike(b, loc, arg));
  }
  func::ReturnOp::create(b, loc, results);
  ret.erase();
  grad.setFunctionType(b.getFunctionType(grad.getArgumentTypes(),
                                         ValueRange(results).getTypes()));
  return grad;
}
