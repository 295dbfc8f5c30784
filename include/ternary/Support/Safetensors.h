//===- Safetensors.h - The safetensors checkpoint format --------*- C++ -*-===//
//
// Reading and writing safetensors files (an 8-byte little-endian header
// length, a JSON header naming every tensor with its dtype, shape and byte
// range, then the data), the checkpoint format of the training runtime.
// Files are written atomically: to a temporary file in the same directory,
// flushed, then renamed over the target. Plain C++.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_SUPPORT_SAFETENSORS_H
#define TERNARY_SUPPORT_SAFETENSORS_H

#include "ternary/Support/Npy.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ternary {

/// Named tensors in file order, and string metadata (`__metadata__`).
struct TensorFile {
  std::vector<std::pair<std::string, HostArray>> tensors;
  std::map<std::string, std::string> metadata;

  /// The tensor called `name`, or null.
  const HostArray *find(const std::string &name) const;
};

/// Writes `file` to `path` atomically. Returns false and sets `error` on
/// failure (the target is then left as it was).
bool writeSafetensors(const std::string &path, const TensorFile &file,
                      std::string &error);

/// The bytes of `file` as a safetensors file (what writeSafetensors writes).
std::string serializeSafetensors(const TensorFile &file);

/// Reads a safetensors file (dtypes F32, F64, I8, U8, I16, I32, I64).
/// Returns false and sets `error` on failure.
bool readSafetensors(const std::string &path, TensorFile &file,
                     std::string &error);

/// Parses the bytes of a safetensors file; `name` is the file's name in
/// messages. Returns false and sets `error` on failure.
bool parseSafetensors(const std::string &contents, const std::string &name,
                      TensorFile &file, std::string &error);

} // namespace ternary

#endif // TERNARY_SUPPORT_SAFETENSORS_H
