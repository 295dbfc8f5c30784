//===- ternary-eval.cpp - Run a trained predictor over a test set ---------===//
//
// Compiles a trained model's predictor as it is deployed (parameters bound
// as constants, weights packed at compile time by the inference pipeline:
// the code of ternary-compile's object file, JIT-compiled for this CPU) and
// runs it over a data set's test split: accuracy and examples a second.
//
//   ternary-eval run/best.safetensors            # a library model's checkpoint
//   ternary-eval run/model.mlir --data mnist     # an exported predictor
//   ternary-eval run/model.o --data mnist        # the object file itself
//
// A checkpoint of `ternary-train --model` records the model, its
// configuration and its data set, so it needs nothing else (--data
// overrides the data set); an exported module (`--export`, `--compile`'s
// model.mlir) needs --data and evaluates its function @predict. An object
// file of ternary-compile is linked into a shared library with the C
// compiler (`cc`), the runtime library and LLVM's OpenMP runtime, and
// loaded; its C header beside it (model.h) gives @predict's signature.
// An exported language model's arguments say how to read a corpus: ids
// [?, T] (next token, context T), ids and attention mask (masked LM),
// encoder and decoder ids (span corruption); --tokenizer names its
// tokenizer (char by default).
//
//===----------------------------------------------------------------------===//

#include "ternary/Models/Models.h"
#include "ternary/Runner/Runner.h"
#include "ternary/Runner/ToolSupport.h"
#include "ternary/Support/Safetensors.h"
#include "ternary/Training/Export.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <dlfcn.h>
#include <fstream>
#include <functional>
#include <numeric>
#include <regex>

using namespace mlir;
using namespace mlir::ternary;
using ::ternary::DType;
using ::ternary::HostArray;
namespace cl = llvm::cl;

static cl::OptionCategory category("ternary-eval options");
static cl::opt<std::string>
    inputFile(cl::Positional, cl::Required,
              cl::desc("<checkpoint.safetensors | predictor.mlir>"),
              cl::cat(category));
static cl::opt<std::string>
    dataName("data",
             cl::desc("The data set whose test split is evaluated (default: "
                      "the checkpoint's)"),
             cl::cat(category));
static cl::opt<int64_t> batchSize("batch-size",
                                  cl::desc("Examples a call of the predictor"),
                                  cl::init(256), cl::cat(category));
static cl::opt<std::string>
    function("function", cl::desc("The predictor of an exported module"),
             cl::init("predict"), cl::cat(category));
static cl::opt<std::string> tokenizerName(
    "tokenizer",
    cl::desc("An exported language model's tokenizer: char, gpt2, bert (a "
             "checkpoint records its own)"),
    cl::init("char"), cl::cat(category));
static ThreadsOption threads(category);

static int fail(const llvm::Twine &message) {
  llvm::errs() << "ternary-eval: " << message << "\n";
  return 1;
}

namespace {

/// The frozen predictor of a library model's checkpoint, and its data set
/// (loaded as the model's config says: a corpus's tokenizer and context).
llvm::Expected<OwningOpRef<ModuleOp>>
predictorOfCheckpoint(MLIRContext &context, const std::string &path,
                      const std::string &toolDir, std::string &data,
                      models::ModelConfig &config,
                      std::optional<::ternary::data::Dataset> &dataset) {
  ::ternary::TensorFile file;
  std::string error;
  if (!::ternary::readSafetensors(path, file, error))
    return llvm::createStringError(error);
  auto configText = file.metadata.find("config");
  auto dataText = file.metadata.find("data");
  if (configText == file.metadata.end())
    return llvm::createStringError(
        "'" + path +
        "' is not a checkpoint of a library model (no 'config' in its "
        "metadata): export the predictor (ternary-train --export) and give "
        "that with --data");
  auto parsed = models::configFromJson(configText->second);
  if (!parsed)
    return parsed.takeError();
  config = *parsed;
  if (data.empty()) {
    if (dataText == file.metadata.end())
      return llvm::createStringError(
          "'" + path + "' does not name its data set: give --data");
    data = dataText->second;
  }
  dataset = ::ternary::data::loadDataset(data, toolDir,
                                         models::loadOptions(config), error);
  if (!dataset)
    return llvm::createStringError(error);
  auto module = models::buildModel(context, config, models::shapeOf(*dataset));
  if (!module)
    return module.takeError();
  // The parameters, in the order of @predict's trailing arguments (the
  // loss's parameter order).
  auto loss = (**module).lookupSymbol<func::FuncOp>("loss");
  std::vector<HostArray> params;
  for (unsigned i = 0; i < loss.getNumArguments(); ++i) {
    auto name = loss.getArgAttrOfType<StringAttr>(i, "ternary.name");
    if (!name)
      continue;
    const HostArray *p = file.find("param." + name.str());
    if (!p)
      return llvm::createStringError("'" + path + "' has no parameter '" +
                                     name.str() + "' of model '" +
                                     config.architecture + "'");
    params.push_back(*p);
  }
  return exportModule(**module, "predict", params);
}

/// A predictor: its arguments' shapes (-1: dynamic), and a call on a batch
/// returning the logits [examples, classes].
struct Predictor {
  std::vector<std::vector<int64_t>> argShapes;
  std::function<llvm::Expected<HostArray>(const std::vector<HostArray> &)> call;
};

/// The argument shapes of @`name` in `module`.
std::vector<std::vector<int64_t>> argShapesOf(ModuleOp module,
                                              const std::string &name) {
  std::vector<std::vector<int64_t>> shapes;
  if (auto fn = module.lookupSymbol<func::FuncOp>(name))
    for (Type t : fn.getArgumentTypes()) {
      std::vector<int64_t> dims;
      for (int64_t d : cast<ShapedType>(t).getShape())
        dims.push_back(ShapedType::isDynamic(d) ? -1 : d);
      shapes.push_back(std::move(dims));
    }
  return shapes;
}

/// How a corpus is read for an exported language model's predictor, from
/// its arguments: ids [?, T] (next token: context T); ids and their
/// attention mask, [?, T] each (masked LM); encoder and decoder ids
/// [?, I] and [?, O] (span corruption: the context whose corruption has
/// those lengths).
::ternary::data::LoadOptions
corpusOptions(const std::vector<std::vector<int64_t>> &shapes) {
  ::ternary::data::LoadOptions options;
  options.tokenizer = tokenizerName;
  if (shapes.empty() || shapes[0].size() != 2 || shapes[0][1] < 1)
    return options;
  options.context = shapes[0][1];
  if (shapes.size() < 2 || shapes[1].size() != 2)
    return options;
  if (shapes[1][1] == shapes[0][1]) {
    options.objective = "mlm";
    return options;
  }
  for (int64_t t = 2; t <= 8 * shapes[0][1]; ++t) {
    ::ternary::data::SpanLengths s = ::ternary::data::spanLengths(t);
    if (s.inputs == shapes[0][1] && s.targets == shapes[1][1]) {
      options.context = t;
      options.objective = "span";
      break;
    }
  }
  return options;
}

/// The predictor of an object file: linked into a shared library (cc,
/// the runtime library, libomp) and loaded; the argument types are read off
/// its C header's comment `/* @predict(tensor<?x784xf32>) -> ... */`.
llvm::Expected<Predictor> loadObject(const std::string &object,
                                     const std::string &name,
                                     const std::string &toolDir) {
  llvm::SmallString<128> header(object);
  llvm::sys::path::replace_extension(header, "h");
  std::ifstream in(header.str().str());
  if (!in)
    return llvm::createStringError("no C header '" + header.str().str() +
                                   "' beside the object file (ternary-compile "
                                   "--header writes it)");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  std::smatch match;
  if (!std::regex_search(text, match,
                         std::regex("/\\* @" + name + "\\(([^)]*)\\) ->")))
    return llvm::createStringError("'" + header.str().str() +
                                   "' declares no @" + name);
  Predictor p;
  std::string args = match[1];
  std::regex tensor("tensor<([^>]*)>");
  for (auto it = std::sregex_iterator(args.begin(), args.end(), tensor);
       it != std::sregex_iterator(); ++it) {
    std::string dims = (*it)[1];
    std::vector<int64_t> shape;
    llvm::SmallVector<llvm::StringRef> parts;
    llvm::StringRef(dims).split(parts, 'x');
    parts.pop_back(); // the element type
    for (llvm::StringRef part : parts) {
      int64_t size = -1;
      if (part != "?" && part.getAsInteger(10, size))
        return llvm::createStringError("'" + header.str().str() +
                                       "': malformed type of @" + name);
      shape.push_back(size);
    }
    p.argShapes.push_back(std::move(shape));
  }
  if (p.argShapes.empty() || p.argShapes.size() > 4)
    return llvm::createStringError("@" + name + " of '" + header.str().str() +
                                   "' must take 1 to 4 tensors");

  llvm::SmallString<128> library;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("ternary-eval", "so", library))
    return llvm::createStringError("cannot create a temporary file: " +
                                   ec.message());
  auto cc = llvm::sys::findProgramByName("cc");
  if (!cc)
    return llvm::createStringError("no C compiler (cc) to link '" + object +
                                   "'");
  llvm::SmallString<128> runtime(toolDir);
  llvm::sys::path::append(runtime, "..", "lib", "libTernaryRuntime.a");
  std::string message;
  llvm::StringRef argv[] = {*cc,
                            "-shared",
                            object,
                            runtime,
                            "-L/usr/lib/llvm-22/lib",
                            "-lomp",
                            "-Wl,-rpath,/usr/lib/llvm-22/lib",
                            "-lm",
                            "-o",
                            library};
  if (llvm::sys::ExecuteAndWait(*cc, argv, std::nullopt, {}, 0, 0, &message))
    return llvm::createStringError("cannot link '" + object +
                                   "' into a shared library" +
                                   (message.empty() ? "" : ": " + message));
  void *handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  llvm::sys::fs::remove(library);
  if (!handle)
    return llvm::createStringError(std::string("cannot load '") + object +
                                   "': " + dlerror());
  void *entry = dlsym(handle, ("_mlir_ciface_" + name).c_str());
  if (!entry)
    return llvm::createStringError("'" + object + "' has no _mlir_ciface_" +
                                   name);
  p.call =
      [entry](
          const std::vector<HostArray> &inputs) -> llvm::Expected<HostArray> {
    // Memref descriptors: allocated, aligned, offset, sizes, strides.
    std::vector<std::vector<int64_t>> descriptors;
    for (const HostArray &a : inputs) {
      std::vector<int64_t> d = {reinterpret_cast<int64_t>(a.bytes.data()),
                                reinterpret_cast<int64_t>(a.bytes.data()), 0};
      d.insert(d.end(), a.shape.begin(), a.shape.end());
      int64_t stride = 1;
      std::vector<int64_t> strides(a.shape.size());
      for (size_t k = a.shape.size(); k-- > 0;) {
        strides[k] = stride;
        stride *= a.shape[k];
      }
      d.insert(d.end(), strides.begin(), strides.end());
      descriptors.push_back(std::move(d));
    }
    int64_t result[7] = {};
    void *r = result;
    auto arg = [&](size_t k) { return descriptors[k].data(); };
    switch (descriptors.size()) {
    case 1:
      reinterpret_cast<void (*)(void *, void *)>(entry)(r, arg(0));
      break;
    case 2:
      reinterpret_cast<void (*)(void *, void *, void *)>(entry)(r, arg(0),
                                                                arg(1));
      break;
    case 3:
      reinterpret_cast<void (*)(void *, void *, void *, void *)>(entry)(
          r, arg(0), arg(1), arg(2));
      break;
    default:
      reinterpret_cast<void (*)(void *, void *, void *, void *, void *)>(entry)(
          r, arg(0), arg(1), arg(2), arg(3));
      break;
    }
    HostArray logits = HostArray::zeros(DType::F32, {result[3], result[4]});
    const float *values =
        reinterpret_cast<const float *>(result[1]) + result[2];
    for (int64_t i = 0; i < result[3]; ++i)
      for (int64_t j = 0; j < result[4]; ++j)
        logits.data<float>()[i * result[4] + j] =
            values[i * result[5] + j * result[6]];
    free(reinterpret_cast<void *>(result[0]));
    return logits;
  };
  return p;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "Run a trained predictor over a test set\n");
  if (batchSize <= 0)
    return fail("--batch-size must be positive");
  if (std::string error; !threads.apply(error))
    return fail(error);
  std::string toolDir = ::ternary::data::runningToolDirectory();

  ToolContext tool;
  std::string error, data = dataName;
  models::ModelConfig config;
  llvm::StringRef input(inputFile);
  bool checkpoint = input.ends_with(".safetensors");
  std::string name = checkpoint ? std::string("predict") : function.getValue();
  if (!checkpoint && data.empty())
    return fail("--data is required with an exported predictor or an object "
                "file");

  // The predictor: JIT-compiled from a module (bound parameters packed at
  // compile time, the code of ternary-compile's object), or the object.
  Predictor predictor;
  std::optional<CompiledModule> compiled;
  std::optional<::ternary::data::Dataset> dataset;
  if (input.ends_with(".o")) {
    auto loaded = loadObject(inputFile, name, toolDir);
    if (!loaded)
      return fail(llvm::toString(loaded.takeError()));
    predictor = std::move(*loaded);
  } else {
    OwningOpRef<ModuleOp> module;
    if (checkpoint) {
      auto built = predictorOfCheckpoint(tool.context(), inputFile, toolDir,
                                         data, config, dataset);
      if (!built)
        return fail(llvm::toString(built.takeError()));
      module = std::move(*built);
    } else {
      module = tool.parse(inputFile, error);
      if (!module)
        return error.empty() ? 1 : fail(error);
      if (!module->lookupSymbol(name))
        return fail("'" + inputFile + "' has no function @" + name);
    }
    predictor.argShapes = argShapesOf(*module, name);
    auto jit = CompiledModule::compile(std::move(module),
                                       InferencePipelineOptions(), {});
    if (!jit)
      return fail(llvm::toString(jit.takeError()));
    compiled.emplace(std::move(*jit));
    predictor.call =
        [&](const std::vector<HostArray> &args) -> llvm::Expected<HostArray> {
      auto result = compiled->call(name, args);
      if (!result)
        return result.takeError();
      return std::move((*result)[0]);
    };
  }
  if (!dataset)
    dataset = ::ternary::data::loadDataset(
        data, toolDir, corpusOptions(predictor.argShapes), error);
  if (!dataset)
    return fail(error);

  // The test split: every array but the labels goes to the predictor,
  // images flattened when its first argument is a matrix.
  // A corpus has no test split: its held-out (validation) text.
  std::vector<HostArray> test =
      dataset->test.empty() ? dataset->validation : dataset->test;
  HostArray labels = test.back();
  test.pop_back();
  if (predictor.argShapes.size() != test.size())
    return fail("@" + name + " takes " +
                llvm::Twine(predictor.argShapes.size()) +
                " arguments; the data set gives " + llvm::Twine(test.size()));
  if (predictor.argShapes[0].size() == 2 && test[0].shape.size() > 2)
    test = models::flattenExamples(std::move(test));
  int64_t examples = labels.shape[0];
  // A language model predicts every position of an example: a row of
  // logits and a label each.
  int64_t positions = labels.shape.size() == 2 ? labels.shape[1] : 1;
  int64_t step = dataset->fullBatch() ? examples : batchSize;
  auto batchOf = [&](int64_t begin, int64_t end) {
    std::vector<int64_t> rows(end - begin);
    std::iota(rows.begin(), rows.end(), begin);
    std::vector<HostArray> args;
    for (const HostArray &a : test)
      args.push_back(dataset->fullBatch() ? a : gatherRows(a, rows));
    return args;
  };
  // One call before the timed ones: the first touches the code and the
  // packed weights (page faults), which a deployed model pays once.
  if (auto warm = predictor.call(batchOf(0, std::min(step, examples))); !warm)
    return fail(llvm::toString(warm.takeError()));
  int64_t correct = 0, counted = 0;
  double seconds = 0;
  for (int64_t begin = 0; begin < examples; begin += step) {
    int64_t end = std::min(examples, begin + step);
    std::vector<HostArray> args = batchOf(begin, end);
    auto started = std::chrono::steady_clock::now();
    auto result = predictor.call(args);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                             started)
                   .count();
    if (!result)
      return fail(llvm::toString(result.takeError()));
    const HostArray &logits = *result;
    if (logits.shape.size() != 2 || logits.dtype != DType::F32 ||
        logits.shape[0] != (end - begin) * positions)
      return fail("@" + name + " returned " + logits.shapeString() +
                  ", not logits [examples, classes]");
    int64_t classes = logits.shape[1];
    for (int64_t r = 0; r < (end - begin) * positions; ++r) {
      int64_t label = labels.data<int64_t>()[begin * positions + r];
      if (label < 0)
        continue; // a node outside the split
      const float *row = logits.data<float>() + r * classes;
      int64_t best = std::max_element(row, row + classes) - row;
      correct += best == label;
      ++counted;
    }
  }
  char line[200];
  std::snprintf(
      line, sizeof(line),
      positions > 1 ? "accuracy %.4f on %lld validation tokens, %.0f tokens/s "
                      "(batch %lld, %.3f s in the predictor)\n"
                    : "accuracy %.4f on %lld test examples, %.0f examples/s "
                      "(batch %lld, %.3f s in the predictor)\n",
      counted ? double(correct) / counted : 0.0,
      static_cast<long long>(counted), seconds > 0 ? counted / seconds : 0.0,
      static_cast<long long>(std::min(step, examples)), seconds);
  llvm::outs() << line;
  return 0;
}
