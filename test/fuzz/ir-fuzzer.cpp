//===- ir-fuzzer.cpp - libFuzzer target: IR parser, verifier, passes ------===//
//
// Parses the input as MLIR (the dialects ternary-opt registers), verifies
// it, and runs one of the project's passes or the whole inference pipeline
// on it, chosen by the input's length so that every mutation of a seed
// reaches several of them. Diagnostics are swallowed: an error is a fine
// outcome, a crash, a sanitizer report or an LLVM fatal error is not.
//
// Inputs that would only reach two known crashes of upstream MLIR's own
// parser (docs/reliability.md, "Upstream crashes") are skipped, so that the
// bounded runs in the test suite look for the project's bugs.
//
//===----------------------------------------------------------------------===//

#include "ternary/InitAll.h"
#include "ternary/Passes/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include <cstddef>
#include <cstdint>
#include <regex>
#include <string>

using namespace mlir;

namespace {

/// The pass pipelines the fuzzer picks from (textual, as ternary-opt's
/// --pass-pipeline takes them); index 0 only parses and verifies.
const char *const kPipelines[] = {
    "",
    "builtin.module(ternary-autodiff)",
    "builtin.module(ternary-train-step)",
    "builtin.module(ternary-freeze-parameters)",
    "builtin.module(func.func(ternary-decompose))",
    "builtin.module(func.func(ternary-decompose,ternary-pack-weights,"
    "ternary-fuse-quantization))",
    "builtin.module(func.func(ternary-select-kernels))",
    "builtin.module(convert-ternary-to-linalg)",
    "builtin.module(func.func(ternary-decompose),convert-ternary-to-linalg)",
    "builtin.module(ternary-inference-pipeline{kernel=loops})",
    "builtin.module(ternary-inference-pipeline{kernel=vector "
    "encoding=base3})",
    "builtin.module(ternary-inference-pipeline{kernel=avx512-vnni "
    "target-features=+avx512f,+avx512vnni,+avx512bw})",
    "builtin.module(ternary-inference-pipeline{kernel=avx2 "
    "target-features=+avx2,-avx512f pack-runtime-weights=true})",
    // The buffer-level passes (their seeds: test/passes/Codegen/CPU).
    "builtin.module(func.func(ternary-vectorize-contractions))",
    "builtin.module(func.func(ternary-parallelize{min-work=64}))",
    "builtin.module(ternary-inference-pipeline{parallel=false})",
};

/// Whether `text` reaches a known crash of upstream MLIR's parser.
bool reachesKnownUpstreamCrash(const std::string &text) {
  // `array<index: ...>`: DenseArrayAttr of index elements crashes.
  if (text.find("array<index") != std::string::npos)
    return true;
  // linalg.reduce / broadcast / transpose: any `dimensions = ...` or
  // `permutation = ...` that is not a well-formed list of integers makes the
  // custom parser store a null attribute on its error path and crash
  // (`dimensions = ""`, a stray byte inside the brackets, `permutation =
  // 0[1, 0]`, ...). Skip unless every such list is well formed.
  static const std::regex dimensions(R"((dimensions|permutation)\s*=)");
  static const std::regex wellFormed(
      R"((dimensions|permutation)\s*=\s*\[\s*(-?[0-9]+\s*(,\s*-?[0-9]+\s*)*)?\])");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), dimensions);
       it != std::sregex_iterator(); ++it) {
    std::smatch list;
    if (!std::regex_search(text.cbegin() + it->position(), text.cend(), list,
                           wellFormed, std::regex_constants::match_continuous))
      return true;
  }
  return false;
}

struct Setup {
  DialectRegistry registry;
  Setup() {
    ternary::registerAllDialects(registry);
    ternary::registerTernaryPassesAndPipelines();
  }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static Setup setup;
  std::string text(reinterpret_cast<const char *>(data), size);
  if (reachesKnownUpstreamCrash(text))
    return -1; // not added to the corpus
  MLIRContext context(setup.registry, MLIRContext::Threading::DISABLED);
  ScopedDiagnosticHandler quiet(&context,
                                [](Diagnostic &) { return success(); });
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, &context);
  if (!module || failed(verify(*module)))
    return 0;
  const char *pipeline = kPipelines[size % std::size(kPipelines)];
  if (!*pipeline)
    return 0;
  PassManager pm(&context);
  if (failed(parsePassPipeline(pipeline, pm))) {
    // A pipeline of this file that does not parse is the fuzzer's bug.
    llvm::report_fatal_error(llvm::Twine("bad pipeline: ") + pipeline);
  }
  (void)pm.run(*module);
  return 0;
}
