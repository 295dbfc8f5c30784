//===- TernaryAttrs.cpp - Attributes of the ternary dialect ---------------===//
//
// The parsers of attribute parameters, the verifier of the train-step
// contract (#ternary.train_step), and the dialect's check of the
// attributes it owns on other ops (`ternary.train_step` on functions).
//
//===----------------------------------------------------------------------===//

#include "ternary/Dialect/Ternary/TernaryDialect.h"

#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

#include <cmath>

using namespace mlir;
using namespace mlir::ternary;

FailureOr<APFloat> mlir::ternary::detail::parseNumber(AsmParser &parser) {
  double value;
  if (parser.parseFloat(value))
    return failure();
  return APFloat(value);
}

FailureOr<bool> mlir::ternary::detail::parseBool(AsmParser &parser) {
  if (succeeded(parser.parseOptionalKeyword("true")))
    return true;
  if (succeeded(parser.parseOptionalKeyword("false")))
    return false;
  return parser.emitError(parser.getCurrentLocation(),
                          "expected 'true' or 'false'");
}

FailureOr<DenseI64ArrayAttr>
mlir::ternary::detail::parseI64Array(AsmParser &parser) {
  SMLoc loc = parser.getCurrentLocation();
  Attribute attr;
  if (parser.parseAttribute(attr))
    return failure();
  if (auto array = dyn_cast<DenseI64ArrayAttr>(attr))
    return array;
  return parser.emitError(loc, "expected array<i64: ...>, got ") << attr;
}

LogicalResult TrainStepAttr::verify(
    function_ref<InFlightDiagnostic()> emitError, StringRef name,
    DenseI64ArrayAttr params, StringRef eval, Optimizer optimizer,
    APFloat lrValue, LRSchedule schedule, int64_t warmupSteps,
    int64_t totalSteps, APFloat minLrValue, APFloat weightDecayValue,
    APFloat beta1Value, APFloat beta2Value, APFloat epsValue,
    APFloat momentumValue, bool nesterov, APFloat maxGradNormValue) {
  double lr = lrValue.convertToDouble(), minLr = minLrValue.convertToDouble(),
         weightDecay = weightDecayValue.convertToDouble(),
         beta1 = beta1Value.convertToDouble(),
         beta2 = beta2Value.convertToDouble(), eps = epsValue.convertToDouble(),
         momentum = momentumValue.convertToDouble(),
         maxGradNorm = maxGradNormValue.convertToDouble();
  auto fail = [&]() {
    InFlightDiagnostic diag = emitError();
    diag << "#ternary.train_step: ";
    return diag;
  };
  if (name.empty())
    return fail() << "name must not be empty";
  if (!params || params.empty())
    return fail() << "params must name at least one argument";
  for (auto [i, p] : llvm::enumerate(params.asArrayRef())) {
    if (p < 0)
      return fail() << "params must be argument numbers >= 0, got " << p;
    if (llvm::is_contained(params.asArrayRef().take_front(i), p))
      return fail() << "argument #" << p << " is a parameter twice";
  }
  if (!std::isfinite(lr) || lr <= 0)
    return fail() << "lr must be finite and > 0, got " << formatNumber(lr);
  if (!std::isfinite(minLr) || minLr < 0 || minLr > lr)
    return fail() << "min_lr must be in [0, lr], got " << formatNumber(minLr);
  auto nonNegative = [&](StringRef key, double v) -> LogicalResult {
    if (std::isfinite(v) && v >= 0)
      return success();
    return fail() << key << " must be finite and >= 0, got " << formatNumber(v);
  };
  if (failed(nonNegative("weight_decay", weightDecay)) ||
      failed(nonNegative("momentum", momentum)) ||
      failed(nonNegative("max_grad_norm", maxGradNorm)))
    return failure();
  if (!std::isfinite(eps) || eps <= 0)
    return fail() << "eps must be finite and > 0, got " << formatNumber(eps);
  for (auto [key, beta] : {std::pair{"beta1", beta1}, {"beta2", beta2}})
    if (!(beta >= 0 && beta < 1))
      return fail() << key << " must be in [0, 1), got " << formatNumber(beta);
  if (warmupSteps < 0 || totalSteps < 0)
    return fail() << "warmup_steps and total_steps must be >= 0, got "
                  << warmupSteps << " and " << totalSteps;
  if ((schedule == LRSchedule::cosine || schedule == LRSchedule::two_stage) &&
      totalSteps <= warmupSteps)
    return fail() << "the " << stringifyLRSchedule(schedule)
                  << " schedule needs total_steps > warmup_steps, got "
                  << totalSteps << " and " << warmupSteps;
  if (nesterov && (optimizer != Optimizer::sgd || momentum <= 0))
    return fail() << "nesterov needs optimizer = sgd and momentum > 0";
  if (!eval.empty() && eval == name)
    return fail() << "eval and name must differ, both are '" << name << "'";
  return success();
}

LogicalResult TrainStepAttr::verifyOn(Operation *op) const {
  auto func = dyn_cast<FunctionOpInterface>(op);
  if (!func)
    return op->emitOpError()
           << "'" << kAttrName << "' is a request of a loss function";
  ArrayRef<Type> inputs = func.getArgumentTypes();
  for (int64_t p : getParams().asArrayRef()) {
    if (p >= static_cast<int64_t>(inputs.size()))
      return op->emitOpError() << "'" << kAttrName << "': parameter argument #"
                               << p << " does not exist (the function has "
                               << inputs.size() << " arguments)";
    auto type = dyn_cast<RankedTensorType>(inputs[p]);
    if (!type || !isa<FloatType>(type.getElementType()))
      return op->emitOpError()
             << "'" << kAttrName << "': parameter argument #" << p
             << " must be a float tensor, got " << inputs[p];
  }
  return success();
}

LogicalResult TernaryDialect::verifyOperationAttribute(Operation *op,
                                                       NamedAttribute attr) {
  if (attr.getName() != TrainStepAttr::kAttrName)
    return success();
  auto request = dyn_cast<TrainStepAttr>(attr.getValue());
  if (!request)
    return op->emitOpError()
           << "'" << TrainStepAttr::kAttrName
           << "' must be a #ternary.train_step<...> attribute, got "
           << attr.getValue();
  return request.verifyOn(op);
}
