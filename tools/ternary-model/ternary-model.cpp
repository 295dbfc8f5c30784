//===- ternary-model.cpp - Write a model of the library as MLIR -----------===//
//
// Builds one of the model library's architectures for a data set and writes
// its training module (@loss with its train-step request, @predict,
// @accuracy), to read, edit and train like a hand-written one:
//
//   ternary-model mlp --data mnist -o mlp.mlir
//   ternary-model gcn --data ../shared/data/planetoid/cora --scale absmean
//   ternary-model --list
//
// The data set gives the sizes (image shape or node features, classes);
// --epochs and --batch-size give the length of a decaying schedule.
//
//===----------------------------------------------------------------------===//

#include "ternary/Dialect/Ternary/TernaryOps.h"
#include "ternary/InitAll.h"
#include "ternary/Models/ModelOptions.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::ternary;
namespace cl = llvm::cl;

static cl::OptionCategory category("ternary-model options");
static cl::opt<std::string> modelName(cl::Positional, cl::desc("<model>"),
                                      cl::cat(category));
static cl::opt<std::string> dataName(
    "data",
    cl::desc("The data set the model is sized for: a name (mnist, "
             "fashion-mnist, cifar10, tinyshakespeare, moby-dick) or a "
             "path (IDX images, a Planetoid graph, a JPEG folder or "
             "its .tar.gz, train.tsv + test.tsv, a text file or a "
             "directory of .txt files)"),
    cl::cat(category));
static cl::opt<std::string> outputFile("o",
                                       cl::desc("Output file (- : stdout)"),
                                       cl::init("-"), cl::cat(category));
static cl::opt<unsigned> epochs("epochs",
                                cl::desc("Epochs of the run (schedule length)"),
                                cl::init(1), cl::cat(category));
static cl::opt<int64_t> batchSize("batch-size",
                                  cl::desc("Examples a step (schedule length)"),
                                  cl::init(64), cl::cat(category));
static cl::opt<bool> list("list", cl::desc("List the models and exit"),
                          cl::init(false), cl::cat(category));
static cl::opt<bool> gradients(
    "gradients",
    cl::desc("Also ask for @loss_and_grads: the loss and the gradients of "
             "every parameter (a ternary.gradient request on @loss), for "
             "ternary-run"),
    cl::init(false), cl::cat(category));
static models::ModelOptions modelOptions(category);

static int fail(const llvm::Twine &message) {
  llvm::errs() << "ternary-model: " << message << "\n";
  return 1;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "Write a model of the library as MLIR\n");
  if (list) {
    for (const models::ArchitectureInfo &a : models::architectures())
      llvm::outs() << a.name << "\t" << a.summary << "\n";
    return 0;
  }
  if (modelName.empty())
    return fail("no model named (ternary-model --list shows them)");
  if (dataName.empty())
    return fail("--data is required: the model's sizes come from the data");
  if (batchSize <= 0)
    return fail("--batch-size must be positive");
  auto config = modelOptions.config(modelName);
  if (!config)
    return fail(llvm::toString(config.takeError()));

  std::string toolDir = ::ternary::data::runningToolDirectory();
  std::string error;
  auto data = ::ternary::data::loadDataset(dataName, toolDir,
                                           models::loadOptions(*config), error);
  if (!data)
    return fail(error);
  config->totalSteps = models::stepsOfRun(*data, batchSize, epochs);

  DialectRegistry registry;
  registerAllDialects(registry);
  MLIRContext context(registry);
  auto module = models::buildModel(context, *config, models::shapeOf(*data));
  if (!module)
    return fail(llvm::toString(module.takeError()));
  if (gradients) {
    // The parameters are the arguments the train step updates.
    auto loss = (**module).lookupSymbol<func::FuncOp>("loss");
    auto request = loss->getAttrOfType<TrainStepAttr>(TrainStepAttr::kAttrName);
    Builder b(&context);
    loss->setAttr(
        "ternary.gradient",
        b.getDictionaryAttr(
            {b.getNamedAttr("name", b.getStringAttr("loss_and_grads")),
             b.getNamedAttr("wrt", request.getParams())}));
  }

  std::error_code ec;
  llvm::ToolOutputFile out(outputFile, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return fail("cannot write '" + outputFile + "': " + ec.message());
  (**module)->print(out.os());
  out.os() << "\n";
  out.keep();
  return 0;
}
