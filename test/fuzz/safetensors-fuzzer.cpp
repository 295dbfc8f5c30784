//===- safetensors-fuzzer.cpp - libFuzzer target: safetensors reader
//-------===//
//
// Parses the input as a safetensors file (the checkpoints of ternary-train).
// What parses must be consistent (every tensor's byte count is its
// shape's) and survive a round trip through serializeSafetensors.
//
//===----------------------------------------------------------------------===//

#include "FuzzSupport.h"

#include "ternary/Support/Npy.h"
#include "ternary/Support/Safetensors.h"

#include <cstddef>
#include <cstdint>
#include <string>

using ternary_fuzz::fail;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string contents(reinterpret_cast<const char *>(data), size);
  ternary::TensorFile file;
  std::string error;
  if (!ternary::parseSafetensors(contents, "input", file, error)) {
    if (error.empty())
      fail("parseSafetensors failed without a message");
    return 0;
  }
  for (const auto &[name, array] : file.tensors)
    if (array.bytes.size() !=
        size_t(array.numElements()) * ternary::dtypeSize(array.dtype))
      fail("parseSafetensors: a byte count is wrong");
  ternary::TensorFile again;
  if (!ternary::parseSafetensors(ternary::serializeSafetensors(file), "again",
                                 again, error) ||
      again.metadata != file.metadata ||
      again.tensors.size() != file.tensors.size())
    fail("parseSafetensors: the round trip failed");
  for (size_t i = 0; i < file.tensors.size(); ++i) {
    const auto &[name, array] = file.tensors[i];
    const auto &[name2, array2] = again.tensors[i];
    if (name != name2 || array.dtype != array2.dtype ||
        array.shape != array2.shape || array.bytes != array2.bytes)
      fail("parseSafetensors: the round trip changed " + name);
  }
  return 0;
}
