/* Generates text with a trained language model compiled by ternary-compile
 * (ternary-train --model gpt --data CORPUS --out DIR --compile writes
 * DIR/decoder.o, the prefill and decoding steps with their weights packed,
 * DIR/decoder.h, their C interface, and DIR/tokens.h, the token table and
 * cache sizes): prefills the prompt (one call: every block's keys and
 * values into the caches), then feeds the most likely token each step
 * (greedy, as ternary-generate --temperature 0); a full context is
 * prefilled again from its last half.
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

/* The caches [L, 1, T, D], as the last step returned them (the old ones
 * are freed). */
static ternary_memref_4d_f32 keys, values;
static long position = 0;

/* Takes a step's caches; the most likely next token of its logits. */
static long take(ternary_memref_2d_f32 logits, ternary_memref_4d_f32 k,
                 ternary_memref_4d_f32 v) {
  free(keys.allocated);
  free(values.allocated);
  keys = k;
  values = v;
  const float *row = logits.aligned + logits.offset;
  long best = 0;
  for (long i = 1; i < logits.sizes[1]; ++i)
    if (row[i * logits.strides[1]] > row[best * logits.strides[1]])
      best = i;
  free(logits.allocated);
  return best;
}

/* One step: token at `position`; the most likely next token. */
static long step(long token) {
  int64_t id = token, at = position;
  ternary_memref_1d_i64 ids = {&id, &id, 0, {1}, {1}};
  ternary_memref_0d_i64 pos = {&at, &at, 0};
  decode_results r;
  _mlir_ciface_decode(&r, &ids, &pos, &keys, &values);
  ++position;
  return take(r.r0, r.r1, r.r2);
}

/* Prefills the last `keep` of `history`'s `n` tokens at positions 0, 1,
 * ... in one call (the rest of the context padded with token 0: the
 * decoding steps overwrite those cache slots before reading them). */
static long prefill(const long *history, long n, long keep) {
  int64_t ids[T] = {0}, last;
  long first = n > keep ? n - keep : 0;
  for (long i = first; i < n; ++i)
    ids[i - first] = history[i];
  last = n - first - 1;
  ternary_memref_2d_i64 prompt = {ids, ids, 0, {1, T}, {T, 1}};
  ternary_memref_0d_i64 at = {&last, &last, 0};
  prefill_results r;
  _mlir_ciface_prefill(&r, &prompt, &at);
  position = n - first;
  return take(r.r0, r.r1, r.r2);
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

  fputs(prompt, stdout);
  double start = now();
  long steps = 0, prefills = 1, next = prefill(tokens, n, T);
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
      ++prefills;
    }
  }
  double seconds = now() - start;
  fputc('\n', stdout);
  fprintf(stderr,
          "generate: %ld tokens, %ld prefills, %ld decoding steps, %.0f "
          "tokens/s\n",
          wanted, prefills, steps, seconds > 0 ? wanted / seconds : 0.0);
  free(keys.allocated);
  free(values.allocated);
  free(tokens);
  return 0;
}
