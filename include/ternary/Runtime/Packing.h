/*===- Packing.h - Packed ternary weight encodings (C ABI) --------*- C -*-===*\
|*                                                                            *|
|* The storage formats of `!ternary.packed` values, shared by the compiler    *|
|* (constant folding of `ternary.pack`) and by programs that pass weights to  *|
|* compiled functions. Weights are an [N, K] row-major matrix of int8 values  *|
|* in {-1, 0, +1}; each packed row starts on a byte boundary and is padded    *|
|* with zero weights.                                                         *|
|*                                                                            *|
|* - TERNARY_ENCODING_I2: 4 weights a byte; weight k of a row goes to byte    *|
|*   k / 4, bits 2 * (k % 4) .. 2 * (k % 4) + 1, as the code w + 1.           *|
|* - TERNARY_ENCODING_BASE3: 5 weights a byte; with codes c0..c4 = w + 1 of   *|
|*   weights 5j .. 5j + 4, v = c0*81 + c1*27 + c2*9 + c3*3 + c4 and the byte  *|
|*   is ceil(v * 256 / 243). Code i decodes as                               *|
|*   (((byte * 3^i) mod 256) * 3) >> 8, using byte arithmetic only.           *|
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
  TERNARY_ENCODING_BASE3 = 1
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
