//===- Packing.cpp - Packed ternary weight encodings ----------------------===//
//
// Implements the storage formats documented in ternary/Runtime/Packing.h.
//
//===----------------------------------------------------------------------===//

#include "ternary/Runtime/Packing.h"

namespace {

/// Weights per byte of each encoding.
int weightsPerByte(ternary_encoding encoding) {
  switch (encoding) {
  case TERNARY_ENCODING_I2:
    return 4;
  case TERNARY_ENCODING_BASE3:
    return 5;
  case TERNARY_ENCODING_MAX_ENUM:
    break;
  }
  return 0; // not an encoding (any int may arrive from C)
}

/// 3^i for the five base-3 digit positions.
constexpr unsigned kPow3[5] = {1, 3, 9, 27, 81};

/// Encodes five codes (each 0..2, most significant first) into one byte.
uint8_t encodeBase3(const unsigned codes[5]) {
  unsigned v = 0;
  for (int i = 0; i < 5; ++i)
    v = v * 3 + codes[i];
  // ceil(v * 256 / 243): the byte is a fixed-point fraction v / 243.
  return static_cast<uint8_t>((v * 256 + 242) / 243);
}

/// Decodes code `i` (0 = most significant) of a base-3 byte.
unsigned decodeBase3(uint8_t byte, int i) {
  uint8_t shifted = static_cast<uint8_t>(byte * kPow3[i]);
  return (static_cast<unsigned>(shifted) * 3) >> 8;
}

/// Decodes the code in `slot` of a byte.
unsigned decode(uint8_t byte, int slot, ternary_encoding encoding) {
  return encoding == TERNARY_ENCODING_I2 ? (byte >> (2 * slot)) & 3
                                         : decodeBase3(byte, slot);
}

} // namespace

extern "C" int64_t ternary_packed_row_bytes(int64_t k,
                                            ternary_encoding encoding) {
  int per = weightsPerByte(encoding);
  if (k < 0 || per == 0)
    return -1;
  return (k + per - 1) / per;
}

namespace {

/// The weights held by byte `b` of a row of `k` weights: columns
/// first + stride * j for slot j = 0 .. per - 1 (those below k). Rows are cut
/// into blocks of 64 * per weights held in 64 bytes; the last block, of
/// r weights, in s = ceil(r / per) bytes; in a block of s bytes, weight
/// i + s * j (i < s) sits in byte i, slot j.
void columnsOf(int64_t b, int64_t k, int per, int64_t &first, int64_t &stride) {
  int64_t blockWeights = 64 * per;
  int64_t block = b / 64, i = b % 64;
  int64_t start = block * blockWeights;
  int64_t remaining = k - start;
  stride = remaining >= blockWeights ? 64 : (remaining + per - 1) / per;
  first = start + i;
}

} // namespace

extern "C" int ternary_pack(const int8_t *weights, int64_t n, int64_t k,
                            ternary_encoding encoding, uint8_t *out) {
  int64_t rowBytes = ternary_packed_row_bytes(k, encoding);
  if (rowBytes < 0 || n < 0)
    return -1;
  int per = weightsPerByte(encoding);
  for (int64_t r = 0; r < n; ++r) {
    const int8_t *row = weights + r * k;
    for (int64_t b = 0; b < rowBytes; ++b) {
      int64_t first, stride;
      columnsOf(b, k, per, first, stride);
      unsigned codes[5] = {1, 1, 1, 1, 1}; // padding is the zero weight
      for (int j = 0; j < per; ++j) {
        int64_t col = first + stride * j;
        if (col >= k)
          break;
        if (row[col] < -1 || row[col] > 1)
          return -1;
        codes[j] = static_cast<unsigned>(row[col] + 1);
      }
      out[r * rowBytes + b] =
          encoding == TERNARY_ENCODING_I2
              ? static_cast<uint8_t>(codes[0] | codes[1] << 2 | codes[2] << 4 |
                                     codes[3] << 6)
              : encodeBase3(codes);
    }
  }
  return 0;
}

extern "C" int ternary_unpack(const uint8_t *packed, int64_t n, int64_t k,
                              ternary_encoding encoding, int8_t *weights) {
  int64_t rowBytes = ternary_packed_row_bytes(k, encoding);
  if (rowBytes < 0 || n < 0)
    return -1;
  int per = weightsPerByte(encoding);
  for (int64_t r = 0; r < n; ++r) {
    for (int64_t b = 0; b < rowBytes; ++b) {
      uint8_t byte = packed[r * rowBytes + b];
      int64_t first, stride;
      columnsOf(b, k, per, first, stride);
      for (int j = 0; j < per; ++j) {
        int64_t col = first + stride * j;
        unsigned code = decode(byte, j, encoding);
        if (col >= k) {
          if (code != 1) // padding must be the zero weight
            return -1;
          continue;
        }
        if (code > 2)
          return -1;
        weights[r * k + col] = static_cast<int8_t>(static_cast<int>(code) - 1);
      }
    }
  }
  return 0;
}
