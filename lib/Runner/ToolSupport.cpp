//===- ToolSupport.cpp - Shared pieces of the command-line tools ----------===//

#include "ternary/Runner/ToolSupport.h"
#include "ternary/InitAll.h"

#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"

using namespace mlir;
using namespace mlir::ternary;

static DialectRegistry toolRegistry() {
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllTranslations(registry);
  return registry;
}

ToolContext::ToolContext() : ctx(toolRegistry()), handler(sourceMgr, &ctx) {}

OwningOpRef<ModuleOp> ToolContext::parse(llvm::StringRef path,
                                         std::string &error) {
  auto file = openInputFile(path, &error);
  if (!file)
    return nullptr;
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  return parseSourceFile<ModuleOp>(sourceMgr, &ctx);
}
