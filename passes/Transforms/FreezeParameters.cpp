//===- FreezeParameters.cpp - Parameters as constants ---------------------===//
//
// freezeParameters (the library function) and --ternary-freeze-parameters,
// which takes the values from a safetensors checkpoint of ternary-train
// (its `param.NAME` tensors, in order) or from a file of parameters alone.
//
//===----------------------------------------------------------------------===//

#include "ternary/Passes/Transforms/FreezeParameters.h"
#include "ternary/Passes/Passes.h"
#include "ternary/Support/Safetensors.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/BitVector.h"

namespace mlir {
namespace ternary {
#define GEN_PASS_DEF_TERNARYFREEZEPARAMETERS
#include "passes/Passes.h.inc"
} // namespace ternary
} // namespace mlir

using namespace mlir;
using namespace mlir::ternary;

LogicalResult
mlir::ternary::freezeParameters(func::FuncOp func,
                                ArrayRef<DenseElementsAttr> values) {
  unsigned numArgs = func.getNumArguments();
  if (numArgs < values.size())
    return func.emitOpError()
           << "has " << numArgs << " arguments, fewer than the "
           << values.size() << " parameters to freeze";
  if (func.isExternal())
    return func.emitOpError() << "has no body to freeze parameters into";
  OpBuilder b(func.getBody());
  unsigned first = numArgs - values.size();
  llvm::BitVector erase(numArgs);
  for (auto [i, value] : llvm::enumerate(values)) {
    BlockArgument arg = func.getArgument(first + i);
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    auto valueType = cast<RankedTensorType>(value.getType());
    if (!type || !type.getElementType().isF32() ||
        !valueType.getElementType().isF32() ||
        failed(verifyCompatibleShape(type, valueType)))
      return func.emitOpError()
             << "argument #" << first + i << " (" << arg.getType()
             << ") cannot take parameter " << i << " of type " << valueType;
    Value cst = arith::ConstantOp::create(b, func.getLoc(), value);
    if (type != valueType)
      cst = tensor::CastOp::create(b, func.getLoc(), type, cst);
    arg.replaceAllUsesWith(cst);
    erase.set(first + i);
  }
  return func.eraseArguments(erase);
}

void mlir::ternary::keepOnlyPublicFunctions(ModuleOp module,
                                            ArrayRef<func::FuncOp> keep) {
  for (auto other : llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
    if (!llvm::is_contained(keep, other) && !other.isPrivate())
      other.erase();
}

namespace {

struct TernaryFreezeParameters
    : public mlir::ternary::impl::TernaryFreezeParametersBase<
          TernaryFreezeParameters> {
  using TernaryFreezeParametersBase::TernaryFreezeParametersBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto func = module.lookupSymbol<func::FuncOp>(function);
    if (!func) {
      module.emitError() << "--ternary-freeze-parameters: no function @"
                         << function;
      return signalPassFailure();
    }
    ::ternary::TensorFile file;
    std::string error;
    if (checkpoint.empty() ||
        !::ternary::readSafetensors(checkpoint, file, error)) {
      module.emitError() << "--ternary-freeze-parameters: "
                         << (checkpoint.empty() ? "no checkpoint given"
                                                : error);
      return signalPassFailure();
    }
    // A checkpoint of ternary-train holds param.NAME tensors (and the
    // optimiser state); any other file is parameters alone.
    bool checkpointNames = llvm::any_of(file.tensors, [](const auto &t) {
      return StringRef(t.first).starts_with("param.");
    });
    SmallVector<DenseElementsAttr> values;
    for (const auto &[name, array] : file.tensors) {
      if (checkpointNames && !StringRef(name).starts_with("param."))
        continue;
      if (array.dtype != ::ternary::DType::F32) {
        module.emitError() << "--ternary-freeze-parameters: tensor '" << name
                           << "' of " << checkpoint << " is not f32";
        return signalPassFailure();
      }
      auto type =
          RankedTensorType::get(array.shape, Float32Type::get(&getContext()));
      values.push_back(DenseElementsAttr::get(
          type, ArrayRef<float>(array.data<float>(), array.numElements())));
    }
    if (failed(freezeParameters(func, values)))
      return signalPassFailure();
    keepOnlyPublicFunctions(module, func);
  }
};

} // namespace
