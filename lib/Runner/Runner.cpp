//===- Runner.cpp - Compile and run functions of a module -----------------===//
//
// Calls go through the C interface of each public function
// (`_mlir_ciface_NAME`): tensor arguments are passed as pointers to memref
// descriptors {allocated, aligned, offset, sizes[r], strides[r]}; a memref
// result, or several results, come back through a pointer to a struct
// passed first; a single scalar result is returned.
//
//===----------------------------------------------------------------------===//

#include "ternary/Runner/Runner.h"
#include "ternary/Dialect/Ternary/TernaryDialect.h"
#include "ternary/Passes/Codegen/CPU/KernelSelection.h"
#include "ternary/Passes/Passes.h"
#include "ternary/Runtime/Checks.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <cstdlib>
#include <cstring>
#include <set>
#include <sstream>

using namespace mlir;
using namespace mlir::ternary;
using ::ternary::DType;
using ::ternary::HostArray;

namespace {

llvm::Error makeError(const llvm::Twine &message) {
  return llvm::make_error<llvm::StringError>(message,
                                             llvm::inconvertibleErrorCode());
}

/// The type the caller passes for `type`: packed weights travel as their
/// storage tensor.
Type callerType(Type type) {
  if (auto packed = dyn_cast<PackedType>(type))
    return packed.getStorageType();
  return type;
}

std::string typeString(Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << type;
  return s;
}

/// Aligned storage for one argument or result.
struct Buffer {
  std::vector<int64_t> words; // 8-byte aligned
  explicit Buffer(size_t bytes) : words((bytes + 7) / 8 + 1, 0) {}
  char *data() { return reinterpret_cast<char *>(words.data()); }
};

size_t scalarSize(Type type) { return (type.getIntOrFloatBitWidth() + 7) / 8; }

/// The C interface returns a memref result, or several results, through a
/// pointer to a struct passed first; a single scalar result is returned.
bool resultsViaPointer(const FunctionSignature &sig) {
  return sig.results.size() > 1 ||
         (sig.results.size() == 1 && isa<RankedTensorType>(sig.results[0]));
}

/// The C type of a host element type.
const char *cTypeName(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "float";
  case DType::F64:
    return "double";
  case DType::I8:
  case DType::U8:
    return "int8_t";
  case DType::I16:
    return "int16_t";
  case DType::I32:
    return "int32_t";
  case DType::I64:
    return "int64_t";
  }
  return "void";
}

} // namespace

std::optional<DType> mlir::ternary::hostDType(Type type) {
  if (type.isF32())
    return DType::F32;
  if (type.isF64())
    return DType::F64;
  if (type.isSignlessInteger(8))
    return DType::I8;
  if (type.isSignlessInteger(16))
    return DType::I16;
  if (type.isSignlessInteger(32))
    return DType::I32;
  if (type.isSignlessInteger(64))
    return DType::I64;
  return std::nullopt;
}

CompiledModule::~CompiledModule() = default;
CompiledModule::CompiledModule(CompiledModule &&) noexcept = default;

llvm::Expected<std::vector<FunctionSignature>>
mlir::ternary::collectSignatures(ModuleOp module) {
  std::vector<FunctionSignature> result;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isDeclaration() || !func.isPublic())
      continue;
    FunctionSignature sig;
    sig.name = func.getName().str();
    for (Type t : func.getArgumentTypes())
      sig.inputs.push_back(callerType(t));
    for (Type t : func.getResultTypes())
      sig.results.push_back(callerType(t));
    for (Type t : llvm::concat<Type>(sig.inputs, sig.results)) {
      Type element = t;
      if (auto tensor = dyn_cast<RankedTensorType>(t))
        element = tensor.getElementType();
      else if (isa<ShapedType>(t))
        return makeError("function @" + func.getName() + ": type " +
                         typeString(t) +
                         " is not supported (ranked tensors "
                         "and scalars)");
      if (!hostDType(element))
        return makeError("function @" + func.getName() + ": type " +
                         typeString(t) +
                         " is not supported (f32, f64, i8, "
                         "i16, i32, i64 tensors and scalars)");
    }
    result.push_back(std::move(sig));
  }
  return result;
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
mlir::ternary::createTargetMachine(const TargetOptions &target, bool forJIT) {
  static bool targetsInitialised = [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
    return true;
  }();
  (void)targetsInitialised;

  bool host = target.triple.empty();
  llvm::Triple triple(host ? llvm::sys::getProcessTriple() : target.triple);
  std::string error;
  const llvm::Target *llvmTarget =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!llvmTarget)
    return makeError("unknown target '" + triple.str() + "': " + error);
  std::string cpu = target.cpu;
  llvm::SubtargetFeatures features;
  if (cpu.empty() && host) {
    cpu = llvm::sys::getHostCPUName().str();
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      features.AddFeature(feature.first(), feature.second);
  }
  if (cpu.empty())
    cpu = "generic";
  SmallVector<StringRef> extra;
  StringRef(target.features).split(extra, ',', -1, /*KeepEmpty=*/false);
  for (StringRef feature : extra) {
    feature = feature.trim();
    if (feature.size() < 2 || (feature[0] != '+' && feature[0] != '-'))
      return makeError("target feature '" + feature +
                       "' must start with + or -");
    features.AddFeature(feature);
  }
  static const llvm::CodeGenOptLevel levels[] = {
      llvm::CodeGenOptLevel::None, llvm::CodeGenOptLevel::Less,
      llvm::CodeGenOptLevel::Default, llvm::CodeGenOptLevel::Aggressive};
  std::unique_ptr<llvm::TargetMachine> tm(llvmTarget->createTargetMachine(
      triple, cpu, features.getString(), llvm::TargetOptions(),
      llvm::Reloc::PIC_, std::nullopt, levels[std::min(target.optLevel, 3u)],
      forJIT));
  if (!tm)
    return makeError("cannot create a target machine for '" + triple.str() +
                     "', CPU '" + cpu + "'");
  return std::move(tm);
}

std::string mlir::ternary::kernelFeatures(const llvm::TargetMachine &tm) {
  std::string features;
  const llvm::MCSubtargetInfo *sti = tm.getMCSubtargetInfo();
  for (const char *feature : {"avx2", "avx512f", "avx512bw", "avx512vnni"}) {
    bool on = sti && sti->checkFeatures(std::string("+") + feature);
    features +=
        (features.empty() ? "" : ",") + std::string(on ? "+" : "-") + feature;
  }
  return features;
}

llvm::Error mlir::ternary::deriveRequestedGradients(ModuleOp module) {
  PassManager pm(module->getContext());
  pm.addPass(createTernaryAutodiff());
  pm.addPass(createTernaryTrainStep());
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
  auto engine = ExecutionEngine::create(*module, engineOptions, std::move(*tm));
  if (!engine)
    return engine.takeError();
  result.engine = std::move(*engine);
  // The runtime functions compiled code calls.
  result.engine->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    symbols[interner("ternary_check_failed")] = {
        llvm::orc::ExecutorAddr::fromPtr(&ternary_check_failed),
        llvm::JITSymbolFlags::Exported};
    return symbols;
  });
  return std::move(result);
}

std::string
mlir::ternary::emitCHeader(const std::vector<FunctionSignature> &signatures,
                           llvm::StringRef guard) {
  std::string out;
  llvm::raw_string_ostream os(out);
  auto cType = [](Type scalar) { return cTypeName(*hostDType(scalar)); };
  // One descriptor type per (rank, element type) used.
  std::set<std::pair<int64_t, DType>> descriptors;
  auto descName = [&](RankedTensorType t) {
    DType element = *hostDType(t.getElementType());
    descriptors.insert({t.getRank(), element});
    return "ternary_memref_" + std::to_string(t.getRank()) + "d_" +
           ::ternary::dtypeMlirName(element);
  };
  std::string decls;
  llvm::raw_string_ostream ds(decls);
  for (const FunctionSignature &sig : signatures) {
    ds << "\n/* @" << sig.name << "(";
    for (size_t i = 0; i < sig.inputs.size(); ++i)
      ds << (i ? ", " : "") << typeString(sig.inputs[i]);
    ds << ") -> (";
    for (size_t i = 0; i < sig.results.size(); ++i)
      ds << (i ? ", " : "") << typeString(sig.results[i]);
    ds << ") */\n";
    bool viaPointer = resultsViaPointer(sig);
    std::string resultStruct;
    if (sig.results.size() > 1) {
      resultStruct = sig.name + "_results";
      ds << "typedef struct {\n";
      for (size_t i = 0; i < sig.results.size(); ++i) {
        if (auto t = dyn_cast<RankedTensorType>(sig.results[i]))
          ds << "  " << descName(t) << " r" << i << ";\n";
        else
          ds << "  " << cType(sig.results[i]) << " r" << i << ";\n";
      }
      ds << "} " << resultStruct << ";\n";
    }
    std::string ret = "void";
    if (!viaPointer && sig.results.size() == 1)
      ret = cType(sig.results[0]);
    ds << ret << " _mlir_ciface_" << sig.name << "(";
    bool first = true;
    if (viaPointer) {
      if (sig.results.size() == 1)
        ds << descName(cast<RankedTensorType>(sig.results[0])) << " *result";
      else
        ds << resultStruct << " *results";
      first = false;
    }
    for (size_t i = 0; i < sig.inputs.size(); ++i) {
      ds << (first ? "" : ", ");
      first = false;
      if (auto t = dyn_cast<RankedTensorType>(sig.inputs[i]))
        ds << descName(t) << " *arg" << i;
      else
        ds << cType(sig.inputs[i]) << " arg" << i;
    }
    if (first)
      ds << "void";
    ds << ");\n";
  }

  os << "/* Generated by ternary-compile. Do not edit. */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <stdint.h>\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
     << "/* Tensors travel as memref descriptors: the buffer as allocated and\n"
     << "   as aligned, an offset and, per dimension, a size and a stride (in\n"
     << "   elements, row-major: the last stride is 1). Results are written\n"
     << "   to the descriptor(s) passed first; their buffers come from malloc\n"
     << "   and belong to the caller: free(result.allocated). Packed ternary\n"
     << "   weights (!ternary.packed) are passed as their int8 storage,\n"
     << "   [N, ceil(K / 4)] for i2 and [N, ceil(K / 5)] for base3, written "
        "by\n"
     << "   ternary_pack() of ternary/Runtime/Packing.h. Link the runtime\n"
     << "   library (libTernaryRuntime.a): with dynamic shapes the code "
        "checks\n"
     << "   that operand sizes agree and calls ternary_check_failed() (see\n"
     << "   ternary/Runtime/Checks.h) when they do not. */\n";
  for (const auto &[rank, element] : descriptors) {
    const char *c = cTypeName(element);
    os << "\ntypedef struct {\n  " << c << " *allocated;\n  " << c
       << " *aligned;\n  int64_t offset;\n";
    if (rank > 0)
      os << "  int64_t sizes[" << rank << "];\n  int64_t strides[" << rank
         << "];\n";
    os << "} ternary_memref_" << rank << "d_"
       << ::ternary::dtypeMlirName(element) << ";\n";
  }
  os << decls;
  os << "\n#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << " */\n";
  return out;
}

llvm::Expected<HostArray>
mlir::ternary::readArrayArgument(llvm::StringRef spec) {
  if (spec.starts_with("@")) {
    HostArray a;
    std::string error;
    if (!::ternary::readNpy(spec.drop_front().str(), a, error))
      return makeError(error);
    return a;
  }
  return parseInlineArray(spec);
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

namespace {
template <typename T>
void appendValues(std::ostringstream &os, const HostArray &a, size_t dim,
                  int64_t &flat) {
  if (dim == a.shape.size()) {
    T v = a.data<T>()[flat++];
    if constexpr (std::is_floating_point_v<T>) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
      os << buf;
    } else {
      os << static_cast<int64_t>(v);
    }
    return;
  }
  os << '[';
  for (int64_t i = 0; i < a.shape[dim]; ++i) {
    if (i)
      os << ", ";
    appendValues<T>(os, a, dim + 1, flat);
  }
  os << ']';
}
} // namespace

std::string mlir::ternary::formatArray(const HostArray &a) {
  std::ostringstream os;
  for (int64_t d : a.shape)
    os << d << 'x';
  os << ::ternary::dtypeMlirName(a.dtype) << '=';
  int64_t flat = 0;
  switch (a.dtype) {
  case DType::F32:
    appendValues<float>(os, a, 0, flat);
    break;
  case DType::F64:
    appendValues<double>(os, a, 0, flat);
    break;
  case DType::I8:
    appendValues<int8_t>(os, a, 0, flat);
    break;
  case DType::U8:
    appendValues<uint8_t>(os, a, 0, flat);
    break;
  case DType::I16:
    appendValues<int16_t>(os, a, 0, flat);
    break;
  case DType::I32:
    appendValues<int32_t>(os, a, 0, flat);
    break;
  case DType::I64:
    appendValues<int64_t>(os, a, 0, flat);
    break;
  }
  return os.str();
}

llvm::Expected<HostArray>
mlir::ternary::parseInlineArray(llvm::StringRef text) {
  auto [typePart, valuePart] = text.split('=');
  if (valuePart.empty() && !text.contains('='))
    return makeError("inline value '" + text +
                     "' must look like 2x3xf32=1,2,3,4,5,6");
  SmallVector<StringRef> parts;
  typePart.split(parts, 'x');
  StringRef dtypeName = parts.pop_back_val();
  HostArray a;
  static const std::pair<const char *, DType> names[] = {
      {"f32", DType::F32}, {"f64", DType::F64}, {"i8", DType::I8},
      {"ui8", DType::U8},  {"i16", DType::I16}, {"i32", DType::I32},
      {"i64", DType::I64}};
  bool found = false;
  for (auto [name, dtype] : names)
    if (dtypeName == name) {
      a.dtype = dtype;
      found = true;
    }
  if (!found)
    return makeError("inline value '" + text + "': unknown element type '" +
                     dtypeName + "'");
  for (StringRef dim : parts) {
    int64_t d;
    if (dim.getAsInteger(10, d) || d < 0)
      return makeError("inline value '" + text + "': bad dimension '" + dim +
                       "'");
    a.shape.push_back(d);
  }
  a = HostArray::zeros(a.dtype, a.shape);
  SmallVector<StringRef> values;
  valuePart.split(values, ',', -1, /*KeepEmpty=*/false);
  int64_t count = a.numElements();
  if (values.size() != 1 && int64_t(values.size()) != count)
    return makeError("inline value '" + text +
                     "': " + llvm::Twine(values.size()) + " values for " +
                     llvm::Twine(count) + " elements");
  size_t elementSize = ::ternary::dtypeSize(a.dtype);
  for (int64_t e = 0; e < count; ++e) {
    StringRef v = values.size() == 1 ? values[0] : values[e];
    v = v.trim();
    char *dst = a.bytes.data() + e * elementSize;
    if (a.dtype == DType::F32 || a.dtype == DType::F64) {
      double d;
      if (v.getAsDouble(d))
        return makeError("inline value '" + text + "': bad number '" + v + "'");
      if (a.dtype == DType::F32) {
        float f = static_cast<float>(d);
        std::memcpy(dst, &f, 4);
      } else {
        std::memcpy(dst, &d, 8);
      }
    } else {
      int64_t i;
      if (v.getAsInteger(10, i))
        return makeError("inline value '" + text + "': bad integer '" + v +
                         "'");
      std::memcpy(dst, &i, elementSize); // little-endian truncation
    }
  }
  return a;
}
