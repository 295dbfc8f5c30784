//===- TrainToolSupport.h - ternary-train's own helpers ---------*- C++ -*-===//
//
// Private to ternary-train: the compilation of an exported function to an
// object file (and of a language model's decoding step with its token
// table), the seeds of --seeds, files.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_TOOLS_TERNARY_TRAIN_TRAINTOOLSUPPORT_H
#define TERNARY_TOOLS_TERNARY_TRAIN_TRAINTOOLSUPPORT_H

#include "ternary/Support/Npy.h"
#include "ternary/Text/Tokenizers.h"

#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace mlir {
namespace ternary {

/// The seeds of `spec`: "A-B" (inclusive, A <= B) or "A,B,C"; empty with
/// `problem` set for anything else.
std::vector<unsigned> parseSeeds(const std::string &spec, std::string &problem);

/// The characters of a `char` tokenizer's vocabulary in id order (UTF-8):
/// text::makeCharTokenizer of them is the same tokenizer.
std::string characterVocabulary(const ::ternary::text::Tokenizer &tokenizer);

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

/// A language model's deployable prefill and decoding steps: @prefill and
/// @decode of `source` with `params` bound, as `dir`/decoder.mlir,
/// decoder.o and decoder.h
/// (ternary-compile), and `dir`/tokens.h: the bytes of every token as a C
/// string table (examples/gpt/generate.c).
bool compileDecoder(const std::string &toolDir, ModuleOp source,
                    const std::vector<::ternary::HostArray> &params,
                    const ::ternary::text::Tokenizer &tokenizer,
                    const std::string &dir, std::string &error);

} // namespace ternary
} // namespace mlir

#endif // TERNARY_TOOLS_TERNARY_TRAIN_TRAINTOOLSUPPORT_H
