//===- Evaluation.cpp - ternary-train's evaluation and export -------------===//

#include "Evaluation.h"

#include "ternary/Passes/Transforms/FreezeParameters.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/raw_ostream.h"

#include <numeric>

using namespace mlir;
using namespace mlir::ternary;
using ::ternary::DType;

llvm::Expected<std::string>
mlir::ternary::exportModule(ModuleOp source, const std::string &function,
                            const std::vector<HostArray> &params) {
  OwningOpRef<ModuleOp> module = source.clone();
  auto func = module->lookupSymbol<func::FuncOp>(function);
  if (!func)
    return llvm::createStringError("no function @" + function +
                                   " to export (--export-function)");
  SmallVector<DenseElementsAttr> values;
  for (const HostArray &p : params) {
    auto type =
        RankedTensorType::get(p.shape, Float32Type::get(func.getContext()));
    values.push_back(DenseElementsAttr::get(
        type, llvm::ArrayRef<float>(p.data<float>(), p.numElements())));
  }
  if (failed(freezeParameters(func, values)))
    return llvm::createStringError("cannot bind the parameters to @" +
                                   function + " (see the error above)");
  keepOnlyPublicFunction(*module, func);
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os);
  return text;
}

llvm::Expected<double> mlir::ternary::evaluate(
    CompiledModule &compiled, const TrainingModel &model,
    const std::string &function, const std::vector<HostArray> &data,
    const std::vector<HostArray> &params, bool fullBatch, int64_t batchSize) {
  int64_t examples = fullBatch ? 1 : data[0].shape[0];
  int64_t step = fullBatch ? 1 : batchSize;
  double sum = 0;
  for (int64_t begin = 0; begin < examples; begin += step) {
    int64_t end = std::min(examples, begin + step);
    std::vector<int64_t> rows(end - begin);
    std::iota(rows.begin(), rows.end(), begin);
    std::vector<HostArray> args(model.dataArgs.size() + model.seedArgs.size() +
                                model.lambdaArgs.size() + model.params.size());
    for (size_t d = 0; d < model.dataArgs.size(); ++d)
      args[model.dataArgs[d]] = fullBatch ? data[d] : gatherRows(data[d], rows);
    for (unsigned s : model.seedArgs) // unused: evaluation drops nothing
      args[s] = HostArray::zeros(DType::I64, {});
    for (unsigned l : model.lambdaArgs) { // evaluation is quantised
      args[l] = HostArray::zeros(DType::F32, {});
      args[l].data<float>()[0] = 1.0f;
    }
    for (size_t p = 0; p < model.params.size(); ++p)
      args[model.params[p]] = params[p];
    auto result = compiled.call(function, args);
    if (!result)
      return result.takeError();
    sum += double((*result)[0].data<float>()[0]) * (end - begin);
  }
  return sum / examples;
}
