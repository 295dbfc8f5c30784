#!/usr/bin/python3
"""Checks ternary-bench's JSON: the measured limits in the context (the
DRAM read bandwidth positive; a peak positive or 0 where the CPU lacks the
instruction), the medians of repetitions, and every row's counters with
fractions that follow from them. Prints a summary; exits 1 naming the
first problem."""

import json
import sys

COUNTERS = ["M", "K", "N", "threads", "cold", "bits_per_weight", "ops_per_s",
            "bytes_per_s", "roofline_bytes_per_s", "peak_ops_per_s",
            "roofline_fraction", "peak_fraction"]


def main(path):
    d = json.load(open(path))
    keys = sorted(k for k in d["context"] if k.endswith("_per_s_1t")
                  or k.endswith("_per_s_2t"))
    for k in keys:
        v = float(d["context"][k])
        if v < 0 or (k.startswith("dram") and v <= 0):
            sys.exit(f"context {k} = {v}")
    print("context: " + " ".join(keys))
    medians = [b for b in d["benchmarks"] if b.get("aggregate_name") == "median"]
    if not medians:
        sys.exit("no medians of repetitions")
    for b in medians:
        missing = [c for c in COUNTERS if c not in b]
        if missing:
            sys.exit(f"{b['name']}: no {missing}")
        if b["M"] != 4096 or b["K"] != 4096 or b["N"] != 1 or b["cold"] != 0:
            sys.exit(f"{b['name']}: wrong shape counters")
        if not b["ops_per_s"] > 0 or not b["bytes_per_s"] > 0:
            sys.exit(f"{b['name']}: no rate")
        if b["roofline_fraction"] != 0:
            sys.exit(f"{b['name']}: a warm row has a roofline fraction")
        peak = b["peak_ops_per_s"]
        want = b["ops_per_s"] / peak if peak > 0 else 0
        if abs(b["peak_fraction"] - want) > 1e-6 * max(1, want):
            sys.exit(f"{b['name']}: peak_fraction {b['peak_fraction']} "
                     f"is not ops_per_s / peak_ops_per_s = {want}")
        bits = 2 if "i2" in b["name"] else 1.6
        if abs(b["bits_per_weight"] - bits) > 0.01:
            sys.exit(f"{b['name']}: {b['bits_per_weight']} bits a weight")
    print(f"rows: {len(medians)} medians, every counter present")


if __name__ == "__main__":
    main(sys.argv[1])
