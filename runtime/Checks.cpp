//===- Checks.cpp - Run-time checks of compiled code ----------------------===//

#include "ternary/Runtime/Checks.h"

#include <cstdio>
#include <cstdlib>

extern "C" const char *ternary_check_message(int32_t code) {
  switch (code) {
  case TERNARY_CHECK_K_MISMATCH:
    return "the activations and the weights have different K "
           "(ternary.matmul)";
  case TERNARY_CHECK_PACKED_BYTES:
    return "the packed weights do not have ceil(K / p) bytes a row for the "
           "activations' K (ternary.matmul)";
  case TERNARY_CHECK_ABSMAX_ROWS:
    return "absmax does not have one value a row (ternary.rescale)";
  case TERNARY_CHECK_BIAS_SIZE:
    return "the bias does not have N elements (ternary.rescale)";
  case TERNARY_CHECK_AFFINE_SIZE:
    return "gamma or beta does not have K elements (normalisation)";
  case TERNARY_CHECK_ROWS_MISMATCH:
    return "the operands have different numbers of rows (training op)";
  case TERNARY_CHECK_GRAD_COLUMNS:
    return "the output gradient does not have N columns "
           "(ternary.bitlinear_grad)";
  case TERNARY_CHECK_LABEL_RANGE:
    return "a label is outside [0, C) and is not the ignore index "
           "(ternary.cross_entropy)";
  case TERNARY_CHECK_INDEX_RANGE:
    return "an id is outside [0, V) (ternary.embedding)";
  case TERNARY_CHECK_CSR:
    return "the CSR arrays are inconsistent: indptr must start at 0, not "
           "decrease and end at the number of entries, and every column "
           "index must be in range (ternary.spmm)";
  }
  return "unknown run-time check";
}

extern "C" void ternary_check_failed(int32_t code) {
  std::fprintf(stderr, "ternary: run-time check failed: %s\n",
               ternary_check_message(code));
  std::fflush(stderr);
  std::_Exit(70);
}
