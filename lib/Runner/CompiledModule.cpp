//===- CompiledModule.cpp - Modules compiled in memory --------------------===//
//
// A module run through the inference pipeline and JIT-compiled for a
// target machine, and calls of its functions on host arrays through their
// C interface: descriptors are built for the inputs (copies unless the
// caller wants in-place updates) and the results read back and freed.
//
//===----------------------------------------------------------------------===//

#include "ternary/Runner/CompiledModule.h"
#include "CAbi.h"
#include "ternary/Passes/Codegen/CPU/KernelSelection.h"
#include "ternary/Passes/Passes.h"
#include "ternary/Runner/Threads.h"
#include "ternary/Runtime/Checks.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Pass/PassManager.h"

#include <cstdlib>
#include <cstring>
#include <set>

using namespace mlir;
using namespace mlir::ternary;
using namespace mlir::ternary::detail;
using ::ternary::DType;
using ::ternary::HostArray;

namespace {

/// Aligned storage for one argument or result.
struct Buffer {
  std::vector<int64_t> words; // 8-byte aligned
  explicit Buffer(size_t bytes) : words((bytes + 7) / 8 + 1, 0) {}
  char *data() { return reinterpret_cast<char *>(words.data()); }
};

size_t scalarSize(Type type) { return (type.getIntOrFloatBitWidth() + 7) / 8; }

} // namespace

CompiledModule::~CompiledModule() = default;
CompiledModule::CompiledModule(CompiledModule &&) noexcept = default;

llvm::Error mlir::ternary::deriveRequestedGradients(ModuleOp module) {
  PassManager pm(module->getContext());
  buildDerivationPipeline(pm);
  if (failed(pm.run(module)))
    return makeError("deriving the requested gradient and training functions "
                     "failed (see the diagnostics above)");
  return llvm::Error::success();
}

llvm::Expected<CompiledModule>
CompiledModule::compile(OwningOpRef<ModuleOp> module,
                        const InferencePipelineOptions &options,
                        const TargetOptions &target) {
  CompiledModule result;
  if (llvm::Error error = deriveRequestedGradients(*module))
    return std::move(error);
  auto signatures = collectSignatures(*module);
  if (!signatures)
    return signatures.takeError();
  for (FunctionSignature &sig : *signatures) {
    result.names.push_back(sig.name);
    result.signatures[sig.name] = std::move(sig);
  }

  auto tm = createTargetMachine(target, /*forJIT=*/true);
  if (!tm)
    return tm.takeError();

  PassManager pm(module->getContext());
  InferencePipelineOptions forTarget;
  forTarget.copyOptionValuesFrom(options);
  forTarget.targetFeatures = kernelFeatures(**tm);
  std::string missing = missingKernelFeatures(options.kernel.getValue(),
                                              forTarget.targetFeatures);
  if (!missing.empty())
    return makeError("kernel '" +
                     packedKernelOptionName(options.kernel.getValue()) +
                     "' needs target features the target lacks: " + missing);
  buildInferencePipeline(pm, forTarget);
  if (failed(pm.run(*module)))
    return makeError("the inference pipeline failed (see the diagnostics "
                     "above)");

  ExecutionEngineOptions engineOptions;
  auto transformer =
      makeOptimizingTransformer(target.optLevel, /*sizeLevel=*/0, tm->get());
  engineOptions.transformer = transformer;
  engineOptions.jitCodeGenOptLevel = (*tm)->getOptLevel();
  // TERNARY_PERF_JIT=1: tell `perf` about the compiled functions
  // (`perf record -k 1`, then `perf inject --jit`; docs/performance.md).
  if (const char *perf = std::getenv("TERNARY_PERF_JIT"); perf && *perf == '1')
    engineOptions.enablePerfNotificationListener = true;
  auto engine = ExecutionEngine::create(*module, engineOptions, std::move(*tm));
  if (!engine)
    return engine.takeError();
  result.engine = std::move(*engine);
  // Code with tasks calls LLVM's OpenMP runtime (__kmpc_fork_call, ...),
  // which the JIT resolves among the process's symbols: asking the runtime
  // for its thread count here keeps libomp a dependency of every program
  // that links the runner (a linker with --as-needed would drop it) and
  // starts the runtime before the first call.
  (void)threadCount();
  // The runtime functions compiled code calls.
  result.engine->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    symbols[interner("ternary_check_failed")] = {
        llvm::orc::ExecutorAddr::fromPtr(&ternary_check_failed),
        llvm::JITSymbolFlags::Exported};
    return symbols;
  });
  // LLVM compiles the module at its first lookup: here, so that the first
  // call is not the one that pays for code generation.
  if (!result.names.empty())
    if (auto entry = result.lookupCInterface(result.names.front()); !entry)
      return entry.takeError();
  return std::move(result);
}

llvm::Expected<void *>
CompiledModule::lookupCInterface(const std::string &function) const {
  return engine->lookup("_mlir_ciface_" + function);
}

llvm::Expected<std::vector<HostArray>>
CompiledModule::call(const std::string &function,
                     const std::vector<HostArray> &inputs) {
  std::vector<HostArray *> pointers;
  for (const HostArray &in : inputs)
    pointers.push_back(const_cast<HostArray *>(&in));
  return invoke(function, pointers, /*copyInputs=*/true);
}

llvm::Expected<std::vector<HostArray>>
CompiledModule::callInPlace(const std::string &function,
                            const std::vector<HostArray *> &inputs) {
  return invoke(function, inputs, /*copyInputs=*/false);
}

llvm::Expected<std::vector<HostArray>>
CompiledModule::invoke(const std::string &function,
                       const std::vector<HostArray *> &inputs,
                       bool copyInputs) {
  auto it = signatures.find(function);
  if (it == signatures.end()) {
    std::string known;
    for (const std::string &n : names)
      known += (known.empty() ? "@" : ", @") + n;
    return makeError("no public function @" + function + " (the module has " +
                     (known.empty() ? std::string("none") : known) + ")");
  }
  const FunctionSignature &sig = it->second;
  if (inputs.size() != sig.inputs.size())
    return makeError("@" + function + " takes " +
                     llvm::Twine(sig.inputs.size()) + " inputs, got " +
                     llvm::Twine(inputs.size()));

  std::vector<std::unique_ptr<Buffer>> storage;
  std::vector<void *> pointers(inputs.size());
  std::vector<void *> packed;
  std::set<const void *> inputData;

  // Results: through a pointer to a struct, or returned (one scalar).
  bool viaPointer = resultsViaPointer(sig);
  std::vector<size_t> resultOffsets;
  size_t resultBytes = 0;
  for (Type t : sig.results) {
    size_t size, align;
    if (auto tensor = dyn_cast<RankedTensorType>(t)) {
      size = 8 * (3 + 2 * tensor.getRank());
      align = 8;
    } else {
      size = align = scalarSize(t);
    }
    resultBytes = (resultBytes + align - 1) / align * align;
    resultOffsets.push_back(resultBytes);
    resultBytes += size;
  }
  auto results = std::make_unique<Buffer>(std::max<size_t>(resultBytes, 8));
  void *resultPointer = results->data();
  if (viaPointer)
    packed.push_back(&resultPointer);

  for (size_t i = 0; i < inputs.size(); ++i) {
    HostArray &in = *inputs[i];
    Type expected = sig.inputs[i];
    auto tensor = dyn_cast<RankedTensorType>(expected);
    Type element = tensor ? tensor.getElementType() : expected;
    DType want = *hostDType(element);
    bool dtypeOk =
        in.dtype == want || (want == DType::I8 && in.dtype == DType::U8);
    bool shapeOk =
        tensor ? in.shape.size() == size_t(tensor.getRank()) : in.shape.empty();
    if (shapeOk && tensor)
      for (int64_t d = 0; d < tensor.getRank(); ++d)
        if (!tensor.isDynamicDim(d) && tensor.getDimSize(d) != in.shape[d])
          shapeOk = false;
    if (!dtypeOk || !shapeOk)
      return makeError("input " + llvm::Twine(i) + " of @" + function +
                       ": expected " + typeString(expected) +
                       ", got an array of shape " + in.shapeString() +
                       " and dtype " + ::ternary::dtypeName(in.dtype));
    // The callee may update its arguments in place: pass copies unless the
    // caller wants the updates.
    void *memory = in.bytes.data();
    if (copyInputs) {
      auto data = std::make_unique<Buffer>(in.bytes.size());
      // An empty array has no storage: memcpy from null is undefined even
      // for 0 bytes.
      if (!in.bytes.empty())
        std::memcpy(data->data(), in.bytes.data(), in.bytes.size());
      memory = data->data();
      storage.push_back(std::move(data));
    }
    inputData.insert(memory);
    if (!tensor) {
      pointers[i] = memory;
      packed.push_back(pointers[i]);
      continue;
    }
    int64_t rank = tensor.getRank();
    auto desc = std::make_unique<Buffer>(8 * (3 + 2 * rank));
    desc->words[0] = reinterpret_cast<int64_t>(memory);
    desc->words[1] = reinterpret_cast<int64_t>(memory);
    desc->words[2] = 0;
    int64_t stride = 1;
    for (int64_t d = rank - 1; d >= 0; --d) {
      desc->words[3 + d] = in.shape[d];
      desc->words[3 + rank + d] = stride;
      stride *= in.shape[d];
    }
    pointers[i] = desc->data();
    packed.push_back(&pointers[i]);
    storage.push_back(std::move(desc));
  }
  if (!viaPointer && sig.results.size() == 1)
    packed.push_back(resultPointer);

  if (llvm::Error err =
          engine->invokePacked("_mlir_ciface_" + function, packed))
    return std::move(err);

  std::vector<HostArray> outputs;
  std::set<void *> freed;
  for (size_t r = 0; r < sig.results.size(); ++r) {
    char *slot = results->data() + resultOffsets[r];
    Type type = sig.results[r];
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor) {
      HostArray scalar = HostArray::zeros(*hostDType(type), {});
      std::memcpy(scalar.bytes.data(), slot, scalarSize(type));
      outputs.push_back(std::move(scalar));
      continue;
    }
    int64_t rank = tensor.getRank();
    const int64_t *words = reinterpret_cast<const int64_t *>(slot);
    void *allocated = reinterpret_cast<void *>(words[0]);
    const char *aligned = reinterpret_cast<const char *>(words[1]);
    int64_t offset = words[2];
    std::vector<int64_t> shape(words + 3, words + 3 + rank);
    std::vector<int64_t> strides(words + 3 + rank, words + 3 + 2 * rank);
    DType dtype = *hostDType(tensor.getElementType());
    HostArray out = HostArray::zeros(dtype, shape);
    size_t elementSize = ::ternary::dtypeSize(dtype);
    int64_t count = out.numElements();
    // Row-major results (the usual case) in one copy; strided ones element
    // by element.
    bool rowMajor = true;
    for (int64_t d = rank - 1, stride = 1; d >= 0; stride *= shape[d--])
      rowMajor &= shape[d] == 1 || strides[d] == stride;
    if (rowMajor && count > 0) {
      std::memcpy(out.bytes.data(), aligned + offset * elementSize,
                  count * elementSize);
      count = 0;
    }
    std::vector<int64_t> index(rank, 0);
    for (int64_t e = 0; e < count; ++e) {
      int64_t linear = offset;
      for (int64_t d = 0; d < rank; ++d)
        linear += index[d] * strides[d];
      std::memcpy(out.bytes.data() + e * elementSize,
                  aligned + linear * elementSize, elementSize);
      for (int64_t d = rank - 1; d >= 0; --d) {
        if (++index[d] < shape[d])
          break;
        index[d] = 0;
      }
    }
    // Results the callee allocated are ours to free; a result may also be
    // an input passed through, or share a buffer with another result.
    if (allocated && !inputData.count(allocated) &&
        freed.insert(allocated).second)
      std::free(allocated);
    outputs.push_back(std::move(out));
  }
  return outputs;
}
