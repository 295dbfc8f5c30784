//===- npy-fuzzer.cpp - libFuzzer target: the .npy reader -----------------===//
//
// Parses the input as an .npy file. What parses must be consistent (its
// byte count is its shape's) and must survive a round trip: written back
// (serializeNpy) and parsed again, it is the same array.
//
//===----------------------------------------------------------------------===//

#include "FuzzSupport.h"

#include "ternary/Support/Npy.h"

#include <cstddef>
#include <cstdint>
#include <string>

using ternary_fuzz::fail;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string contents(reinterpret_cast<const char *>(data), size);
  ternary::HostArray array;
  std::string error;
  if (!ternary::parseNpy(contents, array, error)) {
    if (error.empty())
      fail("parseNpy failed without a message");
    return 0;
  }
  if (array.bytes.size() !=
      size_t(array.numElements()) * ternary::dtypeSize(array.dtype))
    fail("parseNpy: byte count is not the shape's");
  ternary::HostArray again;
  if (!ternary::parseNpy(ternary::serializeNpy(array), again, error) ||
      again.dtype != array.dtype || again.shape != array.shape ||
      again.bytes != array.bytes)
    fail("parseNpy: the round trip changed the array");
  return 0;
}
