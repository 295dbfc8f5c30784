/*===- Checks.h - Run-time checks of compiled code (C ABI) --------*- C -*-===*\
|*                                                                            *|
|* Compiled functions with dynamic shapes check at run time that the sizes   *|
|* of their operands agree (the verifiers check static shapes). A failed     *|
|* check calls ternary_check_failed() with one of the codes below, which      *|
|* prints the reason to stderr and ends the process with exit status 70.     *|
|* Programs that link compiled objects link this runtime library for it.     *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef TERNARY_RUNTIME_CHECKS_H
#define TERNARY_RUNTIME_CHECKS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// What a failed run-time check found.
typedef enum ternary_check {
  TERNARY_CHECK_K_MISMATCH = 1,   ///< activations and weights differ in K
  TERNARY_CHECK_PACKED_BYTES = 2, ///< packed rows do not hold K weights
  TERNARY_CHECK_ABSMAX_ROWS = 3,  ///< absmax has not one value a row
  TERNARY_CHECK_BIAS_SIZE = 4,    ///< the bias has not N elements
  TERNARY_CHECK_AFFINE_SIZE = 5,  ///< gamma or beta has not K elements
  TERNARY_CHECK_ROWS_MISMATCH = 6, ///< operands differ in their rows
  TERNARY_CHECK_GRAD_COLUMNS = 7,  ///< an output gradient has not N columns
  TERNARY_CHECK_LABEL_RANGE = 8,   ///< a label outside [0, C), not ignored
  TERNARY_CHECK_INDEX_RANGE = 9,   ///< an embedding id outside [0, V)
  TERNARY_CHECK_CSR = 10           ///< CSR arrays that are not consistent
} ternary_check;

/// The message of a check code ("unknown run-time check" for others).
const char *ternary_check_message(int32_t code);

/// Prints "ternary: run-time check failed: <message>" to stderr and ends
/// the process (_Exit(70), no destructors: it is called from compiled code).
void ternary_check_failed(int32_t code);

#ifdef __cplusplus
}
#endif

#endif /* TERNARY_RUNTIME_CHECKS_H */
