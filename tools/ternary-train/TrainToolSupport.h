//===- TrainToolSupport.h - ternary-train's own helpers ---------*- C++ -*-===//
//
// Private to ternary-train: the compilation of an exported function to an
// object file, the seeds of --seeds, files.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_TOOLS_TERNARY_TRAIN_TRAINTOOLSUPPORT_H
#define TERNARY_TOOLS_TERNARY_TRAIN_TRAINTOOLSUPPORT_H

#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace mlir {
namespace ternary {

/// The seeds of `spec`: "A-B" (inclusive, A <= B) or "A,B,C"; empty with
/// `problem` set for anything else.
std::vector<unsigned> parseSeeds(const std::string &spec, std::string &problem);

/// The text of `module`.
std::string printed(ModuleOp module);

/// Writes `text` to `path`; false with `error` set when it cannot.
bool writeText(const std::string &path, const std::string &text,
               std::string &error);

/// Runs `ternary-compile` (beside this tool in `toolDir`) on `mlir`,
/// writing the object file `object` and the C header `header`.
bool compileWithTernaryCompile(const std::string &toolDir,
                               const std::string &mlir,
                               const std::string &object,
                               const std::string &header, std::string &error);

} // namespace ternary
} // namespace mlir

#endif // TERNARY_TOOLS_TERNARY_TRAIN_TRAINTOOLSUPPORT_H
