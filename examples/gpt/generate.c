/* Generates text with a trained language model compiled by ternary-compile
 * (ternary-train --model gpt --data CORPUS --out DIR --compile writes
 * DIR/decoder.o, the decoding step with its weights packed, DIR/decoder.h,
 * its C interface, and DIR/tokens.h, the token table and cache sizes):
 * feeds the prompt one token a step, then the most likely token each step
 * (greedy, as ternary-generate --temperature 0), keeping every block's keys
 * and values in caches; a full context is fed again from its last half.
 *
 *   cc generate.c DIR/decoder.o -IDIR ../../build/lib/libTernaryRuntime.a \
 *      -L/usr/lib/llvm-22/lib -lomp -Wl,-rpath,/usr/lib/llvm-22/lib -lm
 *   ./a.out "PROMPT" 200
 *
 * The prompt is cut into the longest tokens of the table from its start
 * (exact for a character vocabulary).
 */
#include "decoder.h"
#include "tokens.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { L = TERNARY_BLOCKS, T = TERNARY_CONTEXT, D = TERNARY_WIDTH };

/* The caches [L, 1, T, D]: ours at first, then the decoding step's (each
 * step returns new ones; the old are freed). */
static ternary_memref_4d_f32 keys, values;
static long position = 0;

static ternary_memref_4d_f32 zeroCache(void) {
  float *data = calloc((size_t)L * T * D, sizeof(float));
  ternary_memref_4d_f32 m = {data, data, 0, {L, 1, T, D}, {T * D, T * D, D, 1}};
  return m;
}

/* One step: token at `position`; the most likely next token. */
static long step(long token) {
  int64_t id = token, at = position;
  ternary_memref_1d_i64 ids = {&id, &id, 0, {1}, {1}};
  ternary_memref_0d_i64 pos = {&at, &at, 0};
  decode_results r;
  _mlir_ciface_decode(&r, &ids, &pos, &keys, &values);
  free(keys.allocated);
  free(values.allocated);
  keys = r.r1;
  values = r.r2;
  const float *logits = r.r0.aligned + r.r0.offset;
  long best = 0;
  for (long v = 1; v < r.r0.sizes[1]; ++v)
    if (logits[v * r.r0.strides[1]] > logits[best * r.r0.strides[1]])
      best = v;
  free(r.r0.allocated);
  ++position;
  return best;
}

/* Feeds the last `keep` of `history`'s `n` tokens from position 0 (the
 * caches' later positions are masked until written again). */
static long prefill(const long *history, long n, long keep) {
  long next = 0, first = n > keep ? n - keep : 0;
  position = 0;
  for (long i = first; i < n; ++i)
    next = step(history[i]);
  return next;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc != 3 || atol(argv[2]) < 0) {
    fprintf(stderr, "usage: generate PROMPT NEW_TOKENS\n");
    return 2;
  }
  const char *prompt = argv[1];
  long wanted = atol(argv[2]), n = 0;
  long *tokens = malloc(sizeof(long) * (strlen(prompt) + (size_t)wanted + 1));
  for (const char *p = prompt; *p;) {
    long best = -1;
    size_t bestLength = 0;
    for (long id = 0; id < TERNARY_VOCABULARY; ++id) {
      size_t length = strlen(ternary_tokens[id]);
      if (length > bestLength && strncmp(p, ternary_tokens[id], length) == 0)
        best = id, bestLength = length;
    }
    if (best < 0) {
      fprintf(stderr, "generate: no token for the prompt at '%s'\n", p);
      return 1;
    }
    tokens[n++] = best;
    p += bestLength;
  }
  if (n == 0) {
    fprintf(stderr, "generate: the prompt is empty\n");
    return 1;
  }

  keys = zeroCache();
  values = zeroCache();
  fputs(prompt, stdout);
  double start = now();
  long steps = 0, next = prefill(tokens, n, T);
  steps += n < T ? n : T;
  for (long k = 0; k < wanted; ++k) {
    tokens[n++] = next;
    fputs(ternary_tokens[next], stdout);
    if (k + 1 == wanted)
      break;
    if (position < T) {
      next = step(next);
      ++steps;
    } else {
      next = prefill(tokens, n, T / 2);
      steps += T / 2;
    }
  }
  double seconds = now() - start;
  fputc('\n', stdout);
  fprintf(stderr, "generate: %ld tokens, %ld decoding steps, %.0f steps/s\n",
          wanted, steps, seconds > 0 ? steps / seconds : 0.0);
  free(keys.allocated);
  free(values.allocated);
  free(tokens);
  return 0;
}
