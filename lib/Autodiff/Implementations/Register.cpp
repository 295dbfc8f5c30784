//===- Register.cpp - Registration of the adjoint models ------------------===//

#include "Implementations/Implementations.h"
#include "ternary/Autodiff/Autodiff.h"

void mlir::ternary::autodiff::registerAdjointExternalModels(
    DialectRegistry &registry) {
  registerArithAdjointModels(registry);
  registerMathAdjointModels(registry);
  registerLinalgAdjointModels(registry);
  registerTensorAdjointModels(registry);
}
