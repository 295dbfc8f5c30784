/*===- Packing.h - Packed ternary weight encodings (C ABI) --------*- C -*-===*\
|*                                                                            *|
|* The storage formats of `!ternary.packed` values, shared by the compiler    *|
|* (constant folding of `ternary.pack`) and by programs that pass weights to  *|
|* compiled functions. Weights are an [N, K] row-major matrix of int8 values  *|
|* in {-1, 0, +1}, stored as codes c = w + 1, p codes a byte: *|
|*                                                                            *|
|* - TERNARY_ENCODING_I2 (p = 4): code j of a byte in bits 2j .. 2j + 1.      *|
|* - TERNARY_ENCODING_BASE3 (p = 5): the byte is ceil(v * 256 / 243) with     *|
|*   v = c0*81 + c1*27 + c2*9 + c3*3 + c4; code j decodes as                  *|
|*   (((byte * 3^j) mod 256) * 3) >> 8, with byte arithmetic only.            *|
|*                                                                            *|
|* Each row takes ceil(K / p) bytes and is cut into blocks of 64 * p weights  *|
|* held in 64 bytes; the last block, of b < 64 * p weights, takes             *|
|* s = ceil(b / p) bytes. In a block of s bytes, weight i + s * j of the      *|
|* block (i < s) is code j of byte i. So code j of the 64 bytes of a full     *|
|* block holds 64 consecutive weights, which a SIMD kernel decodes with one   *|
|* shift (or multiply) and mask per 64 weights. Unused codes are padding and  *|
|* must be 1 (the zero weight).                                               *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef TERNARY_RUNTIME_PACKING_H
#define TERNARY_RUNTIME_PACKING_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Packed weight encodings; the values match `#ternary.encoding`.
typedef enum ternary_encoding {
  TERNARY_ENCODING_I2 = 0,
  TERNARY_ENCODING_BASE3 = 1,
  /// Not an encoding: makes every int value a valid ternary_encoding in C++
  /// too, so that the functions below can refuse what a C caller passes
  /// (UBSan found the call with 7 undefined before it).
  TERNARY_ENCODING_MAX_ENUM = 0x7fffffff
} ternary_encoding;

/// Bytes one packed row of `k` weights occupies, or -1 for a negative `k` or
/// an unknown encoding.
int64_t ternary_packed_row_bytes(int64_t k, ternary_encoding encoding);

/// Packs the row-major [n, k] matrix `weights` into `out`, which must hold
/// n * ternary_packed_row_bytes(k, encoding) bytes. Returns 0 on success, or
/// -1 when a weight is not in {-1, 0, +1} or an argument is invalid (then
/// `out` is unspecified).
int ternary_pack(const int8_t *weights, int64_t n, int64_t k,
                 ternary_encoding encoding, uint8_t *out);

/// Unpacks `packed` (n rows in `encoding`) into the row-major [n, k] matrix
/// `weights`. Returns 0 on success, or -1 when an argument is invalid or the
/// storage is not what ternary_pack writes: an i2 code 3, or padding that is
/// not the zero weight (kernels rely on it).
int ternary_unpack(const uint8_t *packed, int64_t n, int64_t k,
                   ternary_encoding encoding, int8_t *weights);

#ifdef __cplusplus
}
#endif

#endif /* TERNARY_RUNTIME_PACKING_H */
