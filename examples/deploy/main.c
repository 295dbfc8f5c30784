/* A program that links a model compiled by ternary-compile and runs it.
 *
 *   ternary-compile model.mlir -o model.o --header=model.h
 *   cc main.c model.o -I. -I../../include ../../build/lib/libTernaryRuntime.a \
 *      -L/usr/lib/llvm-22/lib -lomp -Wl,-rpath,/usr/lib/llvm-22/lib -lm
 *
 * (LLVM's OpenMP runtime runs the model's tasks on threads: OMP_NUM_THREADS
 * sets how many; ternary-compile --parallel=false makes code without it.)
 */
#include "model.h"
#include "ternary/Runtime/Packing.h"

#include <stdio.h>
#include <stdlib.h>

/* A row-major 2-D descriptor over caller-owned data. */
static ternary_memref_2d_f32 matrix(float *data, int64_t rows, int64_t cols) {
  ternary_memref_2d_f32 m = {data, data, 0, {rows, cols}, {cols, 1}};
  return m;
}

static void print(const char *name, const ternary_memref_2d_f32 *y) {
  printf("%s:", name);
  for (int64_t r = 0; r < y->sizes[0]; ++r)
    for (int64_t c = 0; c < y->sizes[1]; ++c)
      printf(" %.9g", y->aligned[y->offset + r * y->strides[0] +
                                 c * y->strides[1]]);
  printf("\n");
}

int main(void) {
  /* Two tokens of K = 3 features, N = 2 outputs. */
  float x[] = {1.0f, -1.0f, 0.5f, 0.25f, 2.0f, -4.0f};
  float w[] = {0.5f, 0.5f, -0.5f, 0.5f, -0.5f, 0.0f}; /* absmean 1/3 */
  float b[] = {0.5f, -2.0f};
  ternary_memref_2d_f32 xd = matrix(x, 2, 3), wd = matrix(w, 2, 3), y;
  ternary_memref_1d_f32 bd = {b, b, 0, {2}, {1}};

  _mlir_ciface_bitlinear(&y, &xd, &wd, &bd);
  print("latent", &y);
  free(y.allocated);

  /* The same layer from weights quantised offline: W / g rounds to
     [[1, 1, -1], [1, -1, 0]] with g = 1/3 (absmean of |W|). */
  int8_t ternary[] = {1, 1, -1, 1, -1, 0};
  int8_t packed[2 * 1];
  if (ternary_packed_row_bytes(3, TERNARY_ENCODING_I2) != 1 ||
      ternary_pack(ternary, 2, 3, TERNARY_ENCODING_I2, (uint8_t *)packed)) {
    fprintf(stderr, "packing failed\n");
    return 1;
  }
  ternary_memref_2d_i8 pd = {packed, packed, 0, {2, 1}, {1, 1}};
  float g = (0.5f + 0.5f + 0.5f + 0.5f + 0.5f + 0.0f) / 6.0f;
  _mlir_ciface_bitlinear_packed(&y, &xd, &pd, g, &bd);
  print("packed", &y);
  free(y.allocated);
  return 0;
}
