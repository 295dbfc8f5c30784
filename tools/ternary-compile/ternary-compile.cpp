//===- ternary-compile.cpp - Compile MLIR to LLVM IR, assembly or objects -===//
//
// Runs the inference pipeline on an MLIR file and emits LLVM IR, assembly
// or an object file for the chosen target, plus (optionally) a C header
// declaring the C interface of every public function:
//
//   ternary-compile model.mlir --emit=obj -o model.o --header=model.h
//
//===----------------------------------------------------------------------===//

#include "ternary/InitAll.h"
#include "ternary/Passes/Codegen/CPU/KernelSelection.h"
#include "ternary/Runner/Runner.h"
#include "ternary/Runner/ToolSupport.h"

#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
using namespace mlir::ternary;
namespace cl = llvm::cl;

namespace {
enum class Emit { LLVM, Asm, Obj };

cl::OptionCategory category("ternary-compile options");
cl::opt<std::string> inputFile(cl::Positional, cl::desc("<file.mlir>"),
                               cl::Required, cl::cat(category));
cl::opt<std::string> outputFile("o", cl::desc("Output file (- for stdout)"),
                                cl::value_desc("file"), cl::init("-"),
                                cl::cat(category));
cl::opt<Emit> emit("emit", cl::desc("What to write"), cl::init(Emit::Obj),
                   cl::values(clEnumValN(Emit::LLVM, "llvm", "LLVM IR (text)"),
                              clEnumValN(Emit::Asm, "asm", "assembly"),
                              clEnumValN(Emit::Obj, "obj", "an object file")),
                   cl::cat(category));
cl::opt<std::string> headerFile("header",
                                cl::desc("Also write a C header declaring "
                                         "the entry points"),
                                cl::value_desc("file.h"), cl::cat(category));
cl::opt<std::string> mtriple("mtriple",
                             cl::desc("Target triple (default: the host)"),
                             cl::cat(category));
cl::opt<std::string> mcpu("mcpu",
                          cl::desc("Target CPU (default: the host's, or "
                                   "generic with --mtriple)"),
                          cl::cat(category));
cl::opt<std::string> mattr("mattr",
                           cl::desc("Target features, e.g. +avx2,-avx512f"),
                           cl::cat(category));
cl::opt<unsigned> optLevel("O", cl::desc("Optimisation level 0-3"), cl::init(3),
                           cl::Prefix, cl::cat(category));
cl::opt<Encoding> encoding("encoding",
                           cl::desc("Storage encoding of constant weights"),
                           cl::init(Encoding::i2), encodingOptionValues(),
                           cl::cat(category));

cl::opt<PackedKernel> kernel("kernel",
                             cl::desc("Kernel of the packed ternary product"),
                             cl::init(PackedKernel::auto_),
                             packedKernelOptionValues(), cl::cat(category));

cl::opt<bool> parallel(
    "parallel",
    cl::desc("Run tasks on threads through LLVM's OpenMP runtime (link "
             "-lomp; the header says how); false: one thread, no OpenMP"),
    cl::init(true), cl::cat(category));

cl::opt<bool> packRuntimeWeights(
    "pack-runtime-weights",
    cl::desc("Pack weights quantised at run time too, for the packed "
             "kernels (rows of 256 weights or more; default on)"),
    cl::init(true), cl::cat(category));

int fail(const llvm::Twine &message) {
  llvm::errs() << "ternary-compile: " << message << "\n";
  return 1;
}

/// An include guard from a header file name: model.h -> MODEL_H.
std::string guardFor(llvm::StringRef path) {
  std::string guard;
  for (char c : llvm::sys::path::filename(path))
    guard += std::isalnum(static_cast<unsigned char>(c))
                 ? static_cast<char>(std::toupper(c))
                 : '_';
  return guard.empty() || std::isdigit(static_cast<unsigned char>(guard[0]))
             ? "TERNARY_" + guard
             : guard;
}
} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv, "Compile an MLIR file to LLVM IR, assembly or an object\n");

  ToolContext tool;
  std::string error;
  OwningOpRef<ModuleOp> module = tool.parse(inputFile, error);
  if (!module)
    return error.empty() ? 1 : fail(error); // parse errors are reported

  if (llvm::Error derived = deriveRequestedGradients(*module))
    return fail(llvm::toString(std::move(derived)));
  auto signatures = collectSignatures(*module);
  if (!signatures)
    return fail(llvm::toString(signatures.takeError()));

  TargetOptions target{mcpu, mattr, optLevel, mtriple};
  auto tm = createTargetMachine(target);
  if (!tm)
    return fail(llvm::toString(tm.takeError()));

  PassManager pm(&tool.context());
  InferencePipelineOptions pipeline;
  pipeline.encoding = encoding;
  pipeline.kernel = kernel;
  pipeline.packRuntimeWeights = packRuntimeWeights;
  pipeline.parallel = parallel;
  pipeline.targetFeatures = kernelFeatures(**tm);
  std::string missing = missingKernelFeatures(kernel, pipeline.targetFeatures);
  if (!missing.empty())
    return fail("kernel '" + packedKernelOptionName(kernel) +
                "' needs target features the target lacks: " + missing);
  buildInferencePipeline(pm, pipeline);
  if (failed(pm.run(*module)))
    return fail("the inference pipeline failed");

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(*module, llvmContext, "ternary");
  if (!llvmModule)
    return fail("translation to LLVM IR failed");
  llvmModule->setTargetTriple((*tm)->getTargetTriple());
  llvmModule->setDataLayout((*tm)->createDataLayout());
  if (llvm::Error err =
          makeOptimizingTransformer(optLevel, 0, tm->get())(llvmModule.get()))
    return fail(llvm::toString(std::move(err)));

  auto output = openOutputFile(outputFile, &error);
  if (!output)
    return fail(error);
  if (emit == Emit::LLVM) {
    llvmModule->print(output->os(), nullptr);
  } else {
    llvm::legacy::PassManager codegen;
    auto fileType = emit == Emit::Asm ? llvm::CodeGenFileType::AssemblyFile
                                      : llvm::CodeGenFileType::ObjectFile;
    if ((*tm)->addPassesToEmitFile(codegen, output->os(), nullptr, fileType))
      return fail("the target cannot emit this file type");
    codegen.run(*llvmModule);
  }
  output->keep();

  if (!headerFile.empty()) {
    auto header = openOutputFile(headerFile, &error);
    if (!header)
      return fail(error);
    // Any entry point of the runtime (__kmpc_fork_call, __kmpc_fork_call_if
    // of regions with an if clause, ...).
    bool usesOpenMP = llvm::any_of(llvmModule->functions(), [](auto &f) {
      return f.isDeclaration() && f.getName().starts_with("__kmpc_");
    });
    header->os() << emitCHeader(*signatures, guardFor(headerFile), usesOpenMP);
    header->keep();
  }
  return 0;
}
