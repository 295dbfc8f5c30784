//===- Export.h - A trained inference function, parameters bound -*- C++ -*-=//
//
// What `ternary-train --export` writes and `ternary-eval` runs: a model's
// inference function with the trained parameters bound as constants, alone
// with what it calls, so that the inference pipeline packs the weights at
// compile time (the module ternary-compile turns into an object file).
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_TRAINING_EXPORT_H
#define TERNARY_TRAINING_EXPORT_H

#include "ternary/Training/TrainingModel.h"

#include "mlir/IR/OwningOpRef.h"

namespace mlir {
namespace ternary {

/// `function` of `source` (its last arguments are the parameters, in
/// order) with `params` bound (freezeParameters), alone with the functions
/// it calls; an error when there is no such function or the parameters do
/// not fit.
llvm::Expected<OwningOpRef<ModuleOp>>
exportModule(ModuleOp source, const std::string &function,
             const std::vector<HostArray> &params);

/// The same for several functions taking the same parameters (a language
/// model's @prefill and @decode), the others erased.
llvm::Expected<OwningOpRef<ModuleOp>>
exportModule(ModuleOp source, llvm::ArrayRef<std::string> functions,
             const std::vector<HostArray> &params);

} // namespace ternary
} // namespace mlir

#endif // TERNARY_TRAINING_EXPORT_H
