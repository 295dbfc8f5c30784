/* Classifies MNIST's 10,000 test images with a trained model compiled by
 * ternary-compile (ternary-train --model mlp --data mnist --out DIR
 * --compile writes DIR/model.o and DIR/model.h): reads the IDX files,
 * normalises the pixels as training did, calls @predict in batches and
 * prints the accuracy and the images a second.
 *
 *   cc classify.c DIR/model.o -IDIR -I../../include \
 *      ../../build/lib/libTernaryRuntime.a \
 *      -L/usr/lib/llvm-22/lib -lomp -Wl,-rpath,/usr/lib/llvm-22/lib -lm
 *   ./a.out build/data/mnist/idx
 */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The values of an IDX file of unsigned bytes with `dims` dimensions, its
 * first dimension in *count; NULL (after a message) when it cannot. */
static unsigned char *readIdx(const char *path, int dims, long *count,
                              long *itemSize) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "classify: cannot open '%s'\n", path);
    return NULL;
  }
  unsigned char header[4 + 4 * 3];
  size_t want = 4 + 4 * (size_t)dims;
  if (fread(header, 1, want, f) != want || header[0] || header[1] ||
      header[2] != 8 || header[3] != dims) {
    fprintf(stderr, "classify: '%s' is not an IDX file of %d dimensions\n",
            path, dims);
    fclose(f);
    return NULL;
  }
  long sizes[3] = {1, 1, 1};
  for (int d = 0; d < dims; ++d)
    sizes[d] = ((long)header[4 + 4 * d] << 24) |
               ((long)header[5 + 4 * d] << 16) |
               ((long)header[6 + 4 * d] << 8) | header[7 + 4 * d];
  *count = sizes[0];
  *itemSize = sizes[1] * sizes[2];
  size_t bytes = (size_t)(*count * *itemSize);
  unsigned char *data = malloc(bytes);
  if (!data || fread(data, 1, bytes, f) != bytes) {
    fprintf(stderr, "classify: '%s' is truncated\n", path);
    free(data);
    fclose(f);
    return NULL;
  }
  fclose(f);
  return data;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: classify MNIST_IDX_DIR\n");
    return 2;
  }
  char path[4096];
  long n, pixels, labelCount, one;
  snprintf(path, sizeof(path), "%s/t10k-images-idx3-ubyte", argv[1]);
  unsigned char *images = readIdx(path, 3, &n, &pixels);
  snprintf(path, sizeof(path), "%s/t10k-labels-idx1-ubyte", argv[1]);
  unsigned char *labels = readIdx(path, 1, &labelCount, &one);
  if (!images || !labels || labelCount != n || pixels != 784)
    return 1;

  /* Pixels as training saw them: (p / 255 - 0.1307) / 0.3081. */
  float *x = malloc(sizeof(float) * (size_t)(n * pixels));
  for (long i = 0; i < n * pixels; ++i)
    x[i] = ((float)images[i] / 255.0f - 0.1307f) / 0.3081f;

  const long batch = 256;
  long correct = 0;
  double seconds = 0;
  for (long begin = 0; begin < n; begin += batch) {
    long rows = n - begin < batch ? n - begin : batch;
    ternary_memref_2d_f32 in = {x + begin * pixels, x + begin * pixels, 0,
                                {rows, pixels}, {pixels, 1}};
    ternary_memref_2d_f32 out;
    double start = now();
    _mlir_ciface_predict(&out, &in);
    seconds += now() - start;
    for (long r = 0; r < rows; ++r) {
      const float *logits =
          out.aligned + out.offset + r * out.strides[0];
      int best = 0;
      for (int c = 1; c < out.sizes[1]; ++c)
        if (logits[c * out.strides[1]] > logits[best * out.strides[1]])
          best = c;
      correct += best == labels[begin + r];
    }
    free(out.allocated);
  }
  printf("compiled model: accuracy %.4f on %ld test images, %.0f images/s\n",
         (double)correct / n, n, n / seconds);
  free(x);
  free(images);
  free(labels);
  return 0;
}
