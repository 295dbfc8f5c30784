//===- TrainStep.cpp - Generate compiled training and evaluation steps ----===//
//
// Reads `ternary.train_step` requests on forward (loss) functions and
// generates `train_step` functions: loss and gradients (derived by the
// autodiff library), the learning-rate schedule, optional global-norm
// clipping, the optimiser update of every parameter, and the step counter,
// all written back into the caller's buffers (in place).
//
//===----------------------------------------------------------------------===//

#include "ternary/Autodiff/Autodiff.h"
#include "ternary/Dialect/Ternary/TernaryOps.h"
#include "ternary/Passes/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir {
namespace ternary {
#define GEN_PASS_DEF_TERNARYTRAINSTEP
#include "passes/Passes.h.inc"
} // namespace ternary
} // namespace mlir

using namespace mlir;
using namespace mlir::ternary;

namespace {

constexpr StringLiteral kRequestAttr = "ternary.train_step";

/// A parsed `ternary.train_step` request.
struct Request {
  std::string name, eval;
  SmallVector<int64_t> params;
  bool adamw = true;
  double lr = 1e-3, weightDecay = 0.0, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  double momentum = 0.0, minLr = 0.0, maxGradNorm = 0.0;
  bool nesterov = false;
  LRSchedule schedule = LRSchedule::constant;
  int64_t warmupSteps = 0, totalSteps = 0;
};

FailureOr<Request> parseRequest(func::FuncOp func) {
  auto dict = dyn_cast<DictionaryAttr>(func->getAttr(kRequestAttr));
  auto fail = [&](const Twine &message) -> FailureOr<Request> {
    func.emitOpError() << "'" << kRequestAttr << "': " << message;
    return failure();
  };
  if (!dict)
    return fail("must be a dictionary");
  Request r;
  for (NamedAttribute entry : dict) {
    StringRef key = entry.getName().getValue();
    Attribute value = entry.getValue();
    auto number = [&](double &out) {
      if (auto f = dyn_cast<FloatAttr>(value))
        return out = f.getValueAsDouble(), true;
      if (auto i = dyn_cast<IntegerAttr>(value))
        return out = static_cast<double>(i.getInt()), true;
      return false;
    };
    auto integer = [&](int64_t &out) {
      if (auto i = dyn_cast<IntegerAttr>(value))
        return out = i.getInt(), true;
      return false;
    };
    auto string = [&](std::string &out) {
      if (auto s = dyn_cast<StringAttr>(value))
        return out = s.getValue().str(), true;
      return false;
    };
    bool ok = true;
    if (key == "name")
      ok = string(r.name);
    else if (key == "eval")
      ok = string(r.eval);
    else if (key == "params") {
      auto array = dyn_cast<DenseI64ArrayAttr>(value);
      ok = bool(array);
      if (array)
        r.params.assign(array.asArrayRef().begin(), array.asArrayRef().end());
    } else if (key == "optimizer") {
      std::string name;
      ok = string(name) && (name == "adamw" || name == "sgd");
      r.adamw = name == "adamw";
    } else if (key == "schedule") {
      auto attr = dyn_cast<LRScheduleAttr>(value);
      ok = bool(attr);
      if (attr)
        r.schedule = attr.getValue();
    } else if (key == "lr")
      ok = number(r.lr);
    else if (key == "weight_decay")
      ok = number(r.weightDecay);
    else if (key == "beta1")
      ok = number(r.beta1);
    else if (key == "beta2")
      ok = number(r.beta2);
    else if (key == "eps")
      ok = number(r.eps);
    else if (key == "momentum")
      ok = number(r.momentum);
    else if (key == "min_lr")
      ok = number(r.minLr);
    else if (key == "max_grad_norm")
      ok = number(r.maxGradNorm);
    else if (key == "nesterov") {
      auto b = dyn_cast<BoolAttr>(value);
      ok = bool(b);
      r.nesterov = b && b.getValue();
    } else if (key == "warmup_steps")
      ok = integer(r.warmupSteps);
    else if (key == "total_steps")
      ok = integer(r.totalSteps);
    else
      return fail("unknown key '" + key + "'");
    if (!ok)
      return fail("bad value for '" + key + "'");
  }
  if (r.name.empty() || r.params.empty())
    return fail("needs name = \"...\" and params = array<i64: ...>");
  return r;
}

/// Writes `value` into the caller's buffer of argument `arg`.
void writeBack(OpBuilder &b, Location loc, BlockArgument arg, Value value) {
  auto type = cast<RankedTensorType>(arg.getType());
  auto memref = MemRefType::get(type.getShape(), type.getElementType());
  Value buffer = bufferization::ToBufferOp::create(b, loc, memref, arg);
  auto op =
      bufferization::MaterializeInDestinationOp::create(b, loc, value, buffer);
  op.setRestrict(true);
  op.setWritable(true);
}

LogicalResult buildTrainStep(func::FuncOp forward, const Request &r) {
  MLIRContext *ctx = forward.getContext();
  Location loc = forward.getLoc();
  auto module = forward->getParentOfType<ModuleOp>();
  std::string gradName = r.name + "_loss_and_grads";
  for (StringRef name : {StringRef(r.name), StringRef(gradName)})
    if (module.lookupSymbol(name))
      return forward.emitOpError() << "'" << kRequestAttr << "': the function '"
                                   << name << "' already exists";
  FailureOr<func::FuncOp> grads =
      autodiff::deriveGradientFunction(forward, gradName, r.params);
  if (failed(grads))
    return failure();
  grads->setPrivate();

  // Signature: the forward's arguments, then the optimiser state of every
  // parameter (AdamW: exp_avg, exp_avg_sq; SGD: momentum buffer), then the
  // step counter tensor<i64>.
  FunctionType fwdType = forward.getFunctionType();
  SmallVector<Type> inputs(fwdType.getInputs());
  unsigned statePerParam = r.adamw ? 2 : 1;
  unsigned stateStart = inputs.size();
  for (unsigned s = 0; s < statePerParam; ++s)
    for (int64_t p : r.params)
      inputs.push_back(fwdType.getInput(p));
  Type i64 = IntegerType::get(ctx, 64);
  inputs.push_back(RankedTensorType::get({}, i64));
  OpBuilder b(ctx);
  b.setInsertionPointAfter(*grads);
  auto step = func::FuncOp::create(
      b, loc, r.name, FunctionType::get(ctx, inputs, fwdType.getResults()));
  auto writable = b.getNamedAttr("bufferization.writable", b.getBoolAttr(true));
  for (int64_t p : r.params)
    step.setArgAttrs(p, ArrayRef<NamedAttribute>{writable});
  for (unsigned i = stateStart; i < inputs.size(); ++i)
    step.setArgAttrs(i, ArrayRef<NamedAttribute>{writable});

  Block *body = step.addEntryBlock();
  b.setInsertionPointToStart(body);
  ValueRange args = body->getArguments();
  auto call = func::CallOp::create(b, loc, *grads,
                                   args.take_front(fwdType.getNumInputs()));
  Value loss = call.getResult(0);
  SmallVector<Value> gradients(call.getResults().drop_front());

  BlockArgument counter = body->getArguments().back();
  Value t = tensor::ExtractOp::create(b, loc, counter, ValueRange{});
  Value one = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(1));
  Value next = arith::AddIOp::create(b, loc, t, one);
  Value lr = LRScheduleOp::create(
      b, loc, b.getF64Type(), t, LRScheduleAttr::get(ctx, r.schedule),
      b.getF64FloatAttr(r.lr), b.getI64IntegerAttr(r.warmupSteps),
      b.getI64IntegerAttr(r.totalSteps), b.getF64FloatAttr(r.minLr));
  Value wd =
      arith::ConstantOp::create(b, loc, b.getF64FloatAttr(r.weightDecay));
  if (r.schedule == LRSchedule::two_stage) {
    // BitNet b1.58: no weight decay in the second stage.
    Value half = arith::ConstantOp::create(
        b, loc, b.getI64IntegerAttr(r.totalSteps / 2));
    Value first =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, t, half);
    Value zero = arith::ConstantOp::create(b, loc, b.getF64FloatAttr(0.0));
    wd = arith::SelectOp::create(b, loc, first, wd, zero);
  }
  if (r.maxGradNorm > 0) {
    Value coef = ClipCoefficientOp::create(b, loc, b.getF32Type(), gradients,
                                           b.getF64FloatAttr(r.maxGradNorm));
    for (Value &g : gradients) {
      auto type = cast<RankedTensorType>(g.getType());
      Value init = tensor::EmptyOp::create(
          b, loc, tensor::getMixedSizes(b, loc, g), type.getElementType());
      AffineMap id = b.getMultiDimIdentityMap(type.getRank());
      SmallVector<utils::IteratorType> iterators(type.getRank(),
                                                 utils::IteratorType::parallel);
      g = linalg::GenericOp::create(
              b, loc, TypeRange{type}, ValueRange{g}, ValueRange{init},
              ArrayRef<AffineMap>{id, id}, iterators,
              [&](OpBuilder &nb, Location nl, ValueRange a) {
                linalg::YieldOp::create(
                    nb, nl,
                    arith::MulFOp::create(nb, nl, a[0], coef).getResult());
              })
              .getResult(0);
    }
  }

  for (auto [i, p] : llvm::enumerate(r.params)) {
    BlockArgument param = body->getArgument(p);
    BlockArgument state0 = body->getArgument(stateStart + i);
    if (r.adamw) {
      BlockArgument state1 =
          body->getArgument(stateStart + r.params.size() + i);
      Type t = param.getType();
      auto update =
          AdamWOp::create(b, loc, t, t, t, param, gradients[i], state0, state1,
                          lr, wd, next, b.getF64FloatAttr(r.beta1),
                          b.getF64FloatAttr(r.beta2), b.getF64FloatAttr(r.eps));
      writeBack(b, loc, param, update.getNewParam());
      writeBack(b, loc, state0, update.getNewExpAvg());
      writeBack(b, loc, state1, update.getNewExpAvgSq());
    } else {
      Type t = param.getType();
      auto update = SGDOp::create(b, loc, t, t, param, gradients[i], state0, lr,
                                  wd, b.getF64FloatAttr(r.momentum),
                                  b.getBoolAttr(r.nesterov));
      writeBack(b, loc, param, update.getNewParam());
      writeBack(b, loc, state0, update.getNewMomentumBuffer());
    }
  }
  Value nextTensor = tensor::FromElementsOp::create(
      b, loc, RankedTensorType::get({}, i64), ValueRange{next});
  writeBack(b, loc, counter, nextTensor);
  func::ReturnOp::create(b, loc, loss);

  if (!r.eval.empty()) {
    if (module.lookupSymbol(r.eval))
      return forward.emitOpError() << "'" << kRequestAttr << "': the function '"
                                   << r.eval << "' already exists";
    func::FuncOp eval = forward.clone();
    eval.setSymName(r.eval);
    for (NamedAttribute attr : forward->getDiscardableAttrs())
      if (attr.getName().getValue().starts_with("ternary."))
        eval->removeAttr(attr.getName());
    b.setInsertionPointAfter(step);
    b.insert(eval);
    // Evaluation does not drop anything.
    eval.walk([](DropoutOp dropout) {
      dropout.replaceAllUsesWith(dropout.getInput());
      dropout.erase();
    });
  }
  return success();
}

struct TernaryTrainStep
    : public mlir::ternary::impl::TernaryTrainStepBase<TernaryTrainStep> {
  void getDependentDialects(DialectRegistry &registry) const override {
    TernaryTrainStepBase::getDependentDialects(registry);
    // The derivative rules of upstream ops.
    autodiff::registerAdjointExternalModels(registry);
  }

  void runOnOperation() override {
    SmallVector<func::FuncOp> requests;
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (func->hasAttr(kRequestAttr))
        requests.push_back(func);
    bool failedAny = false;
    for (func::FuncOp forward : requests) {
      FailureOr<Request> request = parseRequest(forward);
      if (failed(request) || failed(buildTrainStep(forward, *request))) {
        failedAny = true;
        continue;
      }
      forward->removeAttr(kRequestAttr); // the request is served
    }
    if (failedAny)
      signalPassFailure();
  }
};

} // namespace
