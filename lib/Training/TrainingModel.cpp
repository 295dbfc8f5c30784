//===- TrainingModel.cpp - What a training run reads off a model ----------===//

#include "ternary/Training/TrainingModel.h"
#include "ternary/Dialect/Ternary/TernaryDialect.h"
#include "ternary/Support/HostArrays.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace mlir;
using namespace mlir::ternary;
using ::ternary::DType;

llvm::Expected<TrainingModel>
mlir::ternary::readTrainingModel(ModuleOp module) {
  for (auto func : module.getOps<func::FuncOp>()) {
    // Verified by the dialect when the module was parsed.
    auto request = func->getAttrOfType<TrainStepAttr>(TrainStepAttr::kAttrName);
    if (!request)
      continue;
    TrainingModel m;
    m.loss = func.getName().str();
    m.step = request.getName().str();
    m.eval = request.getEval().str();
    for (StringRef name : request.getStateNames())
      m.stateNames.push_back(name.str());
    ArrayRef<int64_t> params = request.getParams().asArrayRef();
    m.params.assign(params.begin(), params.end());
    for (unsigned i = 0; i < func.getNumArguments(); ++i) {
      if (llvm::is_contained(m.params, int64_t(i)))
        continue;
      if (func.getArgAttr(i, "ternary.seed"))
        m.seedArgs.push_back(i);
      else if (func.getArgAttr(i, "ternary.lambda"))
        m.lambdaArgs.push_back(i);
      else
        m.dataArgs.push_back(i);
    }
    for (int64_t p : m.params) {
      auto given = func.getArgAttrOfType<StringAttr>(p, "ternary.name");
      m.names.push_back(given ? given.getValue().str()
                              : "arg" + std::to_string(p));
      auto init = func.getArgAttrOfType<StringAttr>(p, "ternary.init");
      m.inits.push_back(init ? init.getValue().str() : "");
      m.paramTypes.push_back(
          cast<RankedTensorType>(func.getArgumentTypes()[p]));
    }
    return m;
  }
  return llvm::createStringError(
      "no function with a ternary.train_step request in the module");
}

std::vector<HostArray> mlir::ternary::randomTrainingData(ModuleOp module,
                                                         const TrainingModel &m,
                                                         int64_t batch,
                                                         int64_t classes,
                                                         std::mt19937 &rng) {
  auto loss = module.lookupSymbol<func::FuncOp>(m.loss);
  std::vector<HostArray> data;
  for (unsigned i : m.dataArgs) {
    auto type = cast<RankedTensorType>(loss.getArgumentTypes()[i]);
    std::vector<int64_t> shape(type.getShape().begin(), type.getShape().end());
    for (int64_t &d : shape)
      if (ShapedType::isDynamic(d))
        d = batch;
    bool integers = type.getElementType().isInteger(64);
    HostArray a =
        HostArray::zeros(integers ? DType::I64 : DType::F32, std::move(shape));
    std::normal_distribution<float> normal;
    std::uniform_int_distribution<int64_t> pick(0, classes - 1);
    for (int64_t e = 0; e < a.numElements(); ++e) {
      if (integers)
        a.data<int64_t>()[e] = pick(rng);
      else
        a.data<float>()[e] = normal(rng);
    }
    data.push_back(std::move(a));
  }
  return data;
}

llvm::Expected<std::vector<HostArray>>
mlir::ternary::initialiseParameters(const TrainingModel &m,
                                    const std::vector<std::string> &kinds,
                                    std::mt19937 &rng) {
  std::vector<HostArray> out;
  int64_t fanIn = 0;
  for (size_t i = 0; i < m.params.size(); ++i) {
    RankedTensorType type = m.paramTypes[i];
    if (!type.hasStaticShape())
      return llvm::createStringError(
          "parameter '" + m.names[i] +
          "' has a dynamic shape: give initial values with --param");
    std::vector<int64_t> shape(type.getShape().begin(), type.getShape().end());
    HostArray a = HostArray::zeros(DType::F32, shape);
    std::string kind = kinds[i];
    if (kind.empty())
      kind = shape.size() >= 2 ? "linear" : fanIn > 0 ? "bias" : "ones";
    auto uniform = [&](int64_t fan) {
      float bound =
          1.0f / std::sqrt(static_cast<float>(std::max<int64_t>(fan, 1)));
      std::uniform_real_distribution<float> u(-bound, bound);
      for (int64_t e = 0; e < a.numElements(); ++e)
        a.data<float>()[e] = u(rng);
    };
    if (kind == "linear" || kind == "conv") {
      fanIn = 1;
      for (size_t d = 1; d < shape.size(); ++d)
        fanIn *= shape[d];
      uniform(fanIn);
    } else if (kind == "bias") {
      if (fanIn == 0)
        return llvm::createStringError("bias '" + m.names[i] +
                                       "' has no weight before it");
      uniform(fanIn);
      fanIn = 0;
    } else if (kind == "embedding") {
      std::normal_distribution<float> normal(0.f, 1.f);
      for (int64_t e = 0; e < a.numElements(); ++e)
        a.data<float>()[e] = normal(rng);
    } else if (kind == "ones") {
      for (int64_t e = 0; e < a.numElements(); ++e)
        a.data<float>()[e] = 1.0f;
    } else if (kind != "zeros") {
      return llvm::createStringError(
          "parameter '" + m.names[i] + "': unknown ternary.init '" + kind +
          "' (linear, conv, bias, embedding, ones, zeros)");
    }
    out.push_back(std::move(a));
  }
  return out;
}

HostArray mlir::ternary::gatherRows(const HostArray &a,
                                    const std::vector<int64_t> &rows) {
  std::vector<int64_t> shape = a.shape;
  shape[0] = rows.size();
  HostArray out = HostArray::zeros(a.dtype, shape);
  size_t rowBytes = a.bytes.size() / std::max<int64_t>(1, a.shape[0]);
  for (size_t r = 0; r < rows.size(); ++r)
    std::memcpy(out.bytes.data() + r * rowBytes,
                a.bytes.data() + rows[r] * rowBytes, rowBytes);
  return out;
}

llvm::Expected<std::vector<HostArray>>
mlir::ternary::readArrayArguments(const std::vector<std::string> &specs) {
  std::vector<HostArray> out;
  for (const std::string &spec : specs) {
    HostArray a;
    std::string error;
    if (!::ternary::readArrayArgument(spec, a, error))
      return llvm::createStringError(error);
    out.push_back(std::move(a));
  }
  return out;
}

llvm::Error mlir::ternary::checkTrainingData(const TrainingModel &m,
                                             const std::vector<HostArray> &data,
                                             const char *what, bool fullBatch) {
  if (data.size() != m.dataArgs.size())
    return llvm::createStringError(
        "@" + m.loss + " has " + std::to_string(m.dataArgs.size()) +
        " data arguments, got " + std::to_string(data.size()) + " " + what);
  if (fullBatch)
    return llvm::Error::success();
  for (const HostArray &a : data)
    if (a.shape.empty() || a.shape[0] != data[0].shape[0])
      return llvm::createStringError(std::string("the ") + what +
                                     " arrays differ in their first "
                                     "dimension (the examples)");
  return llvm::Error::success();
}
