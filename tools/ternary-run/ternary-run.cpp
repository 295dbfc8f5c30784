//===- ternary-run.cpp - Run a function of an MLIR file -------------------===//
//
// Compiles an MLIR file through the inference pipeline, JIT-compiles it and
// runs one function on inputs from .npy files or inline values:
//
//   ternary-run model.mlir --function=bitlinear \
//       --input=@x.npy --input=@w.npy --input=4xf32=0 --output=@y.npy
//
// Results without an --output are printed ("2x3xf32=[[...]]").
//
//===----------------------------------------------------------------------===//

#include "ternary/InitAll.h"
#include "ternary/Runner/Runner.h"
#include "ternary/Runner/ToolSupport.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
using namespace mlir::ternary;
namespace cl = llvm::cl;

static cl::OptionCategory category("ternary-run options");
static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<file.mlir>"),
                                      cl::Required, cl::cat(category));
static cl::opt<std::string>
    functionName("function",
                 cl::desc("Function to run (default: the only public one)"),
                 cl::cat(category));
static cl::list<std::string>
    inputs("input",
           cl::desc("An argument, in order: @file.npy, or an inline value "
                    "such as 2x3xf32=1,2,3,4,5,6 (one value fills all)"),
           cl::cat(category));
static cl::list<std::string>
    outputs("output",
            cl::desc("Where to write a result, in order: @file.npy, or - to "
                     "print it"),
            cl::cat(category));
static cl::opt<std::string>
    mcpu("mcpu", cl::desc("Target CPU (default: the host)"), cl::cat(category));
static cl::opt<std::string>
    mattr("mattr", cl::desc("Target features, e.g. -avx512f,+avx2"),
          cl::cat(category));
static cl::opt<unsigned> optLevel("O", cl::desc("Optimisation level 0-3"),
                                  cl::init(3), cl::Prefix, cl::cat(category));
static cl::opt<Encoding>
    encoding("encoding", cl::desc("Storage encoding of constant weights"),
             cl::init(Encoding::i2), encodingOptionValues(), cl::cat(category));

static cl::opt<PackedKernel>
    kernel("kernel", cl::desc("Kernel of the packed ternary product"),
           cl::init(PackedKernel::auto_), packedKernelOptionValues(),
           cl::cat(category));

static cl::opt<bool> packRuntimeWeights(
    "pack-runtime-weights",
    cl::desc("Pack weights quantised at run time too, for the packed "
             "kernels (rows of 256 weights or more; default on)"),
    cl::init(true), cl::cat(category));

static ThreadsOption threads(category);

static int fail(const llvm::Twine &message) {
  llvm::errs() << "ternary-run: " << message << "\n";
  return 1;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv, "Run a function of an MLIR file on .npy inputs\n");

  std::string error;
  if (!threads.apply(error))
    return fail(error);
  ToolContext tool;
  OwningOpRef<ModuleOp> module = tool.parse(inputFile, error);
  if (!module)
    return error.empty() ? 1 : fail(error); // parse errors are reported

  // Read the inputs before compiling, so that bad arguments fail fast.
  std::vector<::ternary::HostArray> args;
  for (const std::string &spec : inputs) {
    ::ternary::HostArray a;
    std::string error;
    if (!::ternary::readArrayArgument(spec, a, error))
      return fail(error);
    args.push_back(std::move(a));
  }

  InferencePipelineOptions pipeline;
  pipeline.encoding = encoding;
  pipeline.kernel = kernel;
  pipeline.packRuntimeWeights = packRuntimeWeights;
  TargetOptions target{mcpu, mattr, optLevel};
  auto compiled = CompiledModule::compile(std::move(module), pipeline, target);
  if (!compiled)
    return fail(llvm::toString(compiled.takeError()));

  std::string name = functionName;
  if (name.empty()) {
    if (compiled->functionNames().size() != 1)
      return fail("the module has " +
                  llvm::Twine(compiled->functionNames().size()) +
                  " public functions: choose one with --function");
    name = compiled->functionNames().front();
  }
  auto results = compiled->call(name, args);
  if (!results)
    return fail(llvm::toString(results.takeError()));
  if (outputs.size() > results->size())
    return fail(llvm::Twine(outputs.size()) + " --output given for " +
                llvm::Twine(results->size()) + " results");
  for (size_t r = 0; r < results->size(); ++r) {
    const ::ternary::HostArray &result = (*results)[r];
    if (r < outputs.size() && outputs[r] != "-") {
      if (outputs[r].empty() || outputs[r][0] != '@')
        return fail("--output must be @file.npy or -, got '" + outputs[r] +
                    "'");
      if (!::ternary::writeNpy(outputs[r].substr(1), result, error))
        return fail(error);
      continue;
    }
    llvm::outs() << "result[" << r << "]: " << ::ternary::formatArray(result)
                 << "\n";
  }
  return 0;
}
