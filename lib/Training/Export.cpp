//===- Export.cpp - A trained inference function, parameters bound --------===//

#include "ternary/Training/Export.h"

#include "ternary/Passes/Transforms/FreezeParameters.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::ternary;

llvm::Expected<OwningOpRef<ModuleOp>>
mlir::ternary::exportModule(ModuleOp source, const std::string &function,
                            const std::vector<HostArray> &params) {
  return exportModule(source, llvm::ArrayRef<std::string>(function), params);
}

llvm::Expected<OwningOpRef<ModuleOp>>
mlir::ternary::exportModule(ModuleOp source,
                            llvm::ArrayRef<std::string> functions,
                            const std::vector<HostArray> &params) {
  OwningOpRef<ModuleOp> module = source.clone();
  SmallVector<func::FuncOp> kept;
  for (const std::string &function : functions) {
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
    kept.push_back(func);
  }
  keepOnlyPublicFunctions(*module, kept);
  return module;
}
