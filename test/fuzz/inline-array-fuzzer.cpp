//===- inline-array-fuzzer.cpp - libFuzzer target: inline arrays ----------===//
//
// Parses the input as a tool's inline array argument
// (`--input=2x3xf32=1,2,3,4,5,6`), with a limit of 2^16 elements so that
// each run stays fast (the limit itself is what the tools enforce at 2^28).
// What parses has as many elements as its shape says.
//
//===----------------------------------------------------------------------===//

#include "FuzzSupport.h"

#include "ternary/Support/HostArrays.h"
#include "ternary/Support/Npy.h"

#include <cstddef>
#include <cstdint>
#include <string>

using ternary_fuzz::fail;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  ternary::HostArray array;
  std::string error;
  if (!ternary::parseInlineArray(text, array, error, int64_t(1) << 16)) {
    if (error.empty())
      fail("parseInlineArray failed without a message");
    return 0;
  }
  if (array.numElements() > (int64_t(1) << 16) ||
      array.bytes.size() !=
          size_t(array.numElements()) * ternary::dtypeSize(array.dtype))
    fail("parseInlineArray: the size is not the shape's");
  (void)ternary::formatArray(array);
  return 0;
}
