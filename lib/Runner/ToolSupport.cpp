//===- ToolSupport.cpp - Shared pieces of the command-line tools ----------===//

#include "ternary/Runner/ToolSupport.h"
#include "ternary/InitAll.h"

#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"

using namespace mlir;
using namespace mlir::ternary;

llvm::cl::ValuesClass mlir::ternary::kernelOptionValues() {
  return llvm::cl::values(
      clEnumValN(PackedMatmulKernel::auto_, "auto",
                 "the best the target's features allow"),
      clEnumValN(PackedMatmulKernel::loops, "loops", "scalar loops"),
      clEnumValN(PackedMatmulKernel::vector, "vector", "generic vector code"),
      clEnumValN(PackedMatmulKernel::avx2, "avx2", "AVX2"),
      clEnumValN(PackedMatmulKernel::avx512_vnni, "avx512-vnni",
                 "AVX-512 VNNI"));
}

llvm::cl::ValuesClass mlir::ternary::encodingOptionValues() {
  return llvm::cl::values(
      clEnumValN(Encoding::i2, "i2", "2 bits a weight"),
      clEnumValN(Encoding::base3, "base3", "1.6 bits a weight"));
}

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
