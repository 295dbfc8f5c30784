#!/usr/bin/python3
"""Checks ternary-decoder-bench's JSON for a one-block decoder of a 16-token
vocabulary: the limits in the context, medians of repetitions, the counters
docs/performance.md reads, the bytes a decoding step reads counted here
independently of the benchmark, and each repetition's rates and fractions
following from its time (a median of rates is not the rate of the median
time). Prints a summary; exits 1 naming the first problem."""

import json
import sys

COUNTERS = ["tokens", "layers", "threads", "weight_bytes", "tokens_per_s",
            "bytes_per_s", "roofline_bytes_per_s", "roofline_fraction",
            "ops_per_s", "peak_ops_per_s", "peak_fraction", "compile_s"]


def packed_bytes(rows, columns):
    """An i2 matrix: 4 weights a byte, and its f32 scale."""
    return rows * ((columns + 3) // 4) + 4


def step_bytes(vocabulary):
    """One block of BitNet b1.58 2B4T's shape (2560 wide, K and V 640 wide,
    FFN 6912, gated), its vectors (two norms, the MLP's biases), the final
    norm, the f32 head and one row of the token table."""
    d, kv, ffn = 2560, 640, 6912
    ternary = (packed_bytes(d, d) + 2 * packed_bytes(kv, d) +
               packed_bytes(d, d) + 2 * packed_bytes(ffn, d) +
               packed_bytes(d, ffn))
    vectors = 4 * (d + d + ffn + ffn + d + d)
    return ternary + vectors + 4 * vocabulary * d + 4 * d


def close(a, b):
    return abs(a - b) <= 1e-6 * max(abs(a), abs(b), 1.0)


def main(path, vocabulary):
    d = json.load(open(path))
    for k in ("dram_read_bytes_per_s_1t", "vpdpbusd_ops_per_s_1t"):
        if float(d["context"].get(k, "0")) <= 0 and k.startswith("dram"):
            sys.exit(f"context {k} missing")
    medians = [b for b in d["benchmarks"] if b.get("aggregate_name") == "median"]
    if not medians:
        sys.exit("no medians of repetitions")
    runs = [b for b in d["benchmarks"] if b.get("run_type") == "iteration"]
    if not runs:
        sys.exit("no repetitions (--benchmark_report_aggregates_only=false)")
    want = step_bytes(vocabulary)
    for b in medians + runs:
        missing = [c for c in COUNTERS if c not in b]
        if missing:
            sys.exit(f"{b['name']}: no {missing}")
        if b["weight_bytes"] != want:
            sys.exit(f"{b['name']}: weight_bytes {b['weight_bytes']}, "
                     f"counted {want}")
        if b in medians:
            continue
        seconds = b["real_time"] / 1e3  # milliseconds
        if not close(b["tokens_per_s"], b["tokens"] / seconds) or \
                not close(b["bytes_per_s"], want / seconds):
            sys.exit(f"{b['name']}: rates do not follow from the time")
        decode = "/decode/" in b["name"]
        fraction = b["bytes_per_s"] / b["roofline_bytes_per_s"]
        if decode and not close(b["roofline_fraction"], fraction):
            sys.exit(f"{b['name']}: roofline fraction")
        if not decode and b["roofline_fraction"] != 0:
            sys.exit(f"{b['name']}: a prefill has a roofline fraction")
    print(f"rows: {len(medians)} medians, {want} bytes a step, "
          "every counter present")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
