//===- TrainStep.cpp - Generate compiled training and evaluation steps ----===//
//
// Reads `ternary.train_step` requests on forward (loss) functions and
// generates `train_step` functions: loss and gradients (derived by the
// autodiff library), the learning-rate schedule, optional global-norm
// clipping, the optimiser update of every parameter, and the step counter,
// all written back into the caller's buffers (in place). A step returns the
// loss, the learning rate it used and the gradients' global norm.
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

constexpr StringLiteral kRequestAttr = TrainStepAttr::kAttrName;

double value(const APFloat &f) { return f.convertToDouble(); }

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

LogicalResult buildTrainStep(func::FuncOp forward, TrainStepAttr r) {
  MLIRContext *ctx = forward.getContext();
  Location loc = forward.getLoc();
  auto module = forward->getParentOfType<ModuleOp>();
  std::string gradName = (r.getName() + "_loss_and_grads").str();
  for (StringRef name : {r.getName(), StringRef(gradName)})
    if (module.lookupSymbol(name))
      return forward.emitOpError() << "'" << kRequestAttr << "': the function '"
                                   << name << "' already exists";
  FailureOr<func::FuncOp> grads = autodiff::deriveGradientFunction(
      forward, gradName, r.getParams().asArrayRef());
  if (failed(grads))
    return failure();
  grads->setPrivate();

  // Signature: the forward's arguments, then the optimiser state of every
  // parameter (AdamW: exp_avg, exp_avg_sq; SGD: momentum buffer), then the
  // step counter tensor<i64>.
  FunctionType fwdType = forward.getFunctionType();
  SmallVector<Type> inputs(fwdType.getInputs());
  unsigned statePerParam = r.getStatePerParam();
  ArrayRef<int64_t> params = r.getParams().asArrayRef();
  unsigned stateStart = inputs.size();
  for (unsigned s = 0; s < statePerParam; ++s)
    for (int64_t p : params)
      inputs.push_back(fwdType.getInput(p));
  Type i64 = IntegerType::get(ctx, 64);
  inputs.push_back(RankedTensorType::get({}, i64));
  OpBuilder b(ctx);
  b.setInsertionPointAfter(*grads);
  // Results: the forward's (the loss), the learning rate used (f64) and
  // the global gradient norm before clipping.
  SmallVector<Type> outputs(fwdType.getResults());
  outputs.push_back(RankedTensorType::get({}, b.getF64Type()));
  outputs.push_back(RankedTensorType::get({}, b.getF32Type()));
  auto step = func::FuncOp::create(b, loc, r.getName(),
                                   FunctionType::get(ctx, inputs, outputs));
  auto writable = b.getNamedAttr("bufferization.writable", b.getBoolAttr(true));
  for (int64_t p : params)
    step.setArgAttrs(p, ArrayRef<NamedAttribute>{writable});
  for (unsigned i = stateStart; i < inputs.size(); ++i)
    step.setArgAttrs(i, ArrayRef<NamedAttribute>{writable});

  Block *body = step.addEntryBlock();
  b.setInsertionPointToStart(body);
  ValueRange args = body->getArguments();
  auto call = func::CallOp::create(b, loc, *grads,
                                   args.take_front(fwdType.getNumInputs()));
  SmallVector<Value> gradients(call.getResults().drop_front());

  BlockArgument counter = body->getArguments().back();
  Value t = tensor::ExtractOp::create(b, loc, counter, ValueRange{});
  Value one = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(1));
  Value next = arith::AddIOp::create(b, loc, t, one);
  Value lr = LRScheduleOp::create(b, loc, b.getF64Type(), t,
                                  LRScheduleAttr::get(ctx, r.getSchedule()),
                                  b.getF64FloatAttr(value(r.getLr())),
                                  b.getI64IntegerAttr(r.getWarmupSteps()),
                                  b.getI64IntegerAttr(r.getTotalSteps()),
                                  b.getF64FloatAttr(value(r.getMinLr())));
  Value wd = arith::ConstantOp::create(
      b, loc, b.getF64FloatAttr(value(r.getWeightDecay())));
  if (r.getSchedule() == LRSchedule::two_stage) {
    // BitNet b1.58: no weight decay in the second stage.
    Value half = arith::ConstantOp::create(
        b, loc, b.getI64IntegerAttr(r.getTotalSteps() / 2));
    Value first =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, t, half);
    Value zero = arith::ConstantOp::create(b, loc, b.getF64FloatAttr(0.0));
    wd = arith::SelectOp::create(b, loc, first, wd, zero);
  }
  // The global norm of the gradients before clipping (reported; PyTorch's
  // clip_grad_norm_ returns the same), and clipping with it.
  Value norm = GlobalNormOp::create(b, loc, b.getF32Type(), gradients);
  if (value(r.getMaxGradNorm()) > 0) {
    // PyTorch: min(1, max_norm / (norm + 1e-6)), in f32.
    auto f32 = [&](double v) {
      return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(float(v)));
    };
    Value denominator = arith::AddFOp::create(b, loc, norm, f32(1e-6));
    Value ratio = arith::DivFOp::create(b, loc, f32(value(r.getMaxGradNorm())),
                                        denominator);
    Value coef = arith::MinimumFOp::create(b, loc, ratio, f32(1.0));
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

  for (auto [i, p] : llvm::enumerate(params)) {
    BlockArgument param = body->getArgument(p);
    BlockArgument state0 = body->getArgument(stateStart + i);
    if (r.getOptimizer() == Optimizer::adamw) {
      BlockArgument state1 = body->getArgument(stateStart + params.size() + i);
      Type t = param.getType();
      auto update =
          AdamWOp::create(b, loc, t, t, t, param, gradients[i], state0, state1,
                          lr, wd, next, b.getF64FloatAttr(value(r.getBeta1())),
                          b.getF64FloatAttr(value(r.getBeta2())),
                          b.getF64FloatAttr(value(r.getEps())));
      writeBack(b, loc, param, update.getNewParam());
      writeBack(b, loc, state0, update.getNewExpAvg());
      writeBack(b, loc, state1, update.getNewExpAvgSq());
    } else {
      Type t = param.getType();
      auto update = SGDOp::create(b, loc, t, t, param, gradients[i], state0, lr,
                                  wd, b.getF64FloatAttr(value(r.getMomentum())),
                                  b.getBoolAttr(r.getNesterov()));
      writeBack(b, loc, param, update.getNewParam());
      writeBack(b, loc, state0, update.getNewMomentumBuffer());
    }
  }
  Value nextTensor = tensor::FromElementsOp::create(
      b, loc, RankedTensorType::get({}, i64), ValueRange{next});
  writeBack(b, loc, counter, nextTensor);
  SmallVector<Value> results(
      call.getResults().take_front(fwdType.getNumResults()));
  results.push_back(tensor::FromElementsOp::create(
      b, loc, RankedTensorType::get({}, b.getF64Type()), ValueRange{lr}));
  results.push_back(tensor::FromElementsOp::create(
      b, loc, RankedTensorType::get({}, b.getF32Type()), ValueRange{norm}));
  func::ReturnOp::create(b, loc, results);

  if (!r.getEval().empty()) {
    if (module.lookupSymbol(r.getEval()))
      return forward.emitOpError() << "'" << kRequestAttr << "': the function '"
                                   << r.getEval() << "' already exists";
    func::FuncOp eval = forward.clone();
    eval.setSymName(r.getEval());
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
      // The dialect verified the request (TrainStepAttr::verify, verifyOn).
      auto request = forward->getAttrOfType<TrainStepAttr>(kRequestAttr);
      if (!request)
        forward.emitOpError()
            << "'" << kRequestAttr << "' must be a #ternary.train_step<...>";
      if (!request || failed(buildTrainStep(forward, request))) {
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
