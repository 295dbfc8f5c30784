#!/usr/bin/env python3
"""Runs the benchmarks of docs/performance.md in one go and prints its
tables (Markdown): the packed GEMM and the f32 contractions on 1 and 2
threads against OpenBLAS, the train steps and the forward passes (eval
steps) on 1 and 2 threads against PyTorch 1.13 (skipped, with a note, when
/usr/bin/python3 has no torch), and the compile time of the train steps.
Every figure is the median of interleaved repetitions within one run of
each benchmark; ratios are taken within a run.

    bench/performance_tables.py [--build build] [--repetitions 3]
                                [--min-time 0.3]

Plain Python (no numpy): it reads Google Benchmark's JSON.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_benchmark(binary, repetitions, min_time, extra=()):
    """Medians of a Google Benchmark binary: {run_name: benchmark dict}."""
    command = [binary, "--benchmark_format=json",
               "--benchmark_repetitions=%d" % repetitions,
               "--benchmark_enable_random_interleaving=true",
               "--benchmark_report_aggregates_only=true",
               "--benchmark_min_time=%s" % min_time] + list(extra)
    print("running: " + " ".join(command), file=sys.stderr)
    out = subprocess.run(command, check=True, stdout=subprocess.PIPE).stdout
    medians = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("aggregate_name") == "median":
            medians[b["run_name"]] = b
    return medians


def packed_table(build, args):
    """The i2 AVX-512 VNNI product on 4096 x 4096 weights against the
    limits the benchmark measured in the same run (the DRAM read bandwidth
    for cold rows, the vpdpbusd peak) and against OpenBLAS."""
    m = run_benchmark(os.path.join(build, "bin", "ternary-bench"),
                      args.repetitions, args.min_time,
                      ["--benchmark_filter=(i2/avx512-vnni|openblas).*"
                       "/out:4096/in:4096/"])
    if not m:
        return "(no AVX-512 VNNI on this machine: packed table skipped)\n"
    rows = ["| tokens | weights | 1 thread (Gops) | of the limit | 2 threads "
            "(Gops) | of the limit | 2 / 1 | OpenBLAS f32, 2 threads (Gops) "
            "| ours / OpenBLAS |",
            "|---|---|---|---|---|---|---|---|---|"]
    for cold in (0, 1):
        for tokens in (1, 8, 32, 128):
            def row(kind, threads):
                key = ("%s/out:4096/in:4096/tokens:%d/cold:%d/threads:%d"
                       "/real_time" % (kind, tokens, cold, threads))
                return m.get(key)

            def gops(r):
                return r["ops_per_s"] / 1e9 if r else float("nan")

            def limit(r):
                # Cold GEMV is bound by DRAM; everything else by the peak.
                if not r:
                    return "n/a"
                if cold and tokens == 1:
                    return "%.0f %% of %.1f GB/s" % (
                        100 * r["roofline_fraction"],
                        r["roofline_bytes_per_s"] / 1e9)
                return "%.0f %% of %.0f Gops" % (
                    100 * r["peak_fraction"], r["peak_ops_per_s"] / 1e9)
            one = row("ternary_i2/avx512-vnni", 1)
            two = row("ternary_i2/avx512-vnni", 2)
            blas = gops(row("openblas_f32", 2))
            rows.append("| %d | %s | %.0f | %s | %.0f | %s | %.2f | %.1f | "
                        "%.1f |" % (tokens, "cold (DRAM)" if cold else "warm",
                                    gops(one), limit(one), gops(two),
                                    limit(two), gops(two) / gops(one), blas,
                                    gops(two) / blas))
    return "\n".join(rows) + "\n"


def layer_table(build, args):
    """The whole BitLinear layer (i2 + AVX-512 VNNI, packed weights) beside
    the product alone, the layer on latent f32 weights and OpenBLAS's f32
    layer, 4096 x 4096, 1 thread, in one run."""
    m = run_benchmark(os.path.join(build, "bin", "ternary-bench"),
                      args.repetitions, args.min_time,
                      ["--benchmark_filter=(i2/avx512-vnni|bitlinear_latent"
                       "|openblas).*/out:4096/in:4096/.*/threads:1/"])
    if not m:
        return "(no AVX-512 VNNI on this machine: layer table skipped)\n"
    rows = ["| tokens | weights | product (us) | layer (us) | layer / product "
            "| latent f32 weights (us) | OpenBLAS f32 (us) "
            "| OpenBLAS / layer |",
            "|---|---|---|---|---|---|---|---|"]
    for cold in (0, 1):
        for tokens in (1, 8, 32, 128):
            def us(kind):
                key = ("%s/out:4096/in:4096/tokens:%d/cold:%d/threads:1"
                       "/real_time" % (kind, tokens, cold))
                return m[key]["real_time"] / 1e3 if key in m else float("nan")
            product, layer = us("ternary_i2/avx512-vnni"), us(
                "bitlinear_i2/avx512-vnni")
            latent, blas = us("bitlinear_latent"), us("openblas_f32")
            rows.append("| %d | %s | %.0f | %.0f | %.2f | %.0f | %.0f | %.1f |"
                        % (tokens, "cold (DRAM)" if cold else "warm", product,
                           layer, layer / product, latent, blas, blas / layer))
    return "\n".join(rows) + "\n"


def contraction_table(build, args):
    m = run_benchmark(os.path.join(build, "bin", "ternary-contraction-bench"),
                      args.repetitions, args.min_time,
                      ["--benchmark_filter=kernel|openblas"])
    shapes = []
    for name in m:
        g = re.match(r"contraction/(\w+/\d+/\d+/\d+)/kernel/threads:1", name)
        if g:
            shapes.append(g.group(1))
    rows = ["| shape (M x N x K) | kernel 1 thread | kernel 2 threads | 2 / 1 "
            "| OpenBLAS 1 / 2 threads | kernel / OpenBLAS, 1 thread "
            "| kernel / OpenBLAS, 2 threads |",
            "|---|---|---|---|---|---|---|"]
    for shape in shapes:
        def gf(prefix, threads):
            return m["%s/threads:%d/real_time" % (prefix, threads)]["GFLOPS"]
        k1, k2 = gf("contraction/%s/kernel" % shape, 1), gf(
            "contraction/%s/kernel" % shape, 2)
        b1, b2 = gf("openblas/" + shape, 1), gf("openblas/" + shape, 2)
        variant, mm, n, k = shape.split("/")
        rows.append("| %s %s x %s x %s | %.0f | %.0f | %.2f | %.0f / %.0f "
                    "| %.2f | %.2f |" % (variant, mm, n, k, k1, k2, k2 / k1,
                                         b1, b2, k1 / b1, k2 / b2))
    return "\n".join(rows) + "\n"


def torch_times(threads, min_time, mode="train"):
    command = ["/usr/bin/python3", os.path.join(ROOT, "bench",
                                                "torch_train_step.py"),
               "--threads", str(threads), "--min-time", str(min_time),
               "--mode", mode]
    print("running: " + " ".join(command), file=sys.stderr)
    out = subprocess.run(command, check=True, stdout=subprocess.PIPE,
                         universal_newlines=True).stdout
    times = {}
    for line in out.splitlines():
        g = re.search(r": (\S+) ([0-9.]+) ms/step", line)
        if g:
            times[g.group(1)] = float(g.group(2))
    return times


MODELS = ("mlp_784_256_256_10/64", "mlp_f32_784_256_256_10/64",
          "char_transformer/16", "char_decoder_6x384/8", "mnist_cnn/64")


def step_table(build, args, kind, mode):
    """ms per call of the compiled `kind` benchmark (trainStep, evalStep)
    and of PyTorch's `mode` (train, forward), on 1 and 2 threads."""
    m = run_benchmark(os.path.join(build, "bin", "ternary-train-bench"),
                      args.repetitions, args.min_time,
                      ["--benchmark_filter=^%s/.*/2/[12]$" % kind])
    has_torch = subprocess.run(["/usr/bin/python3", "-c", "import torch"],
                               stderr=subprocess.DEVNULL).returncode == 0
    torch = {}
    if has_torch:
        for threads in (1, 2):
            torch[threads] = torch_times(threads, 2.0, mode)
    rows = ["| model | ternary 1 thread (ms) | PyTorch 1 thread (ms) "
            "| PyTorch / ternary | ternary 2 threads (ms) "
            "| PyTorch 2 threads (ms) | PyTorch / ternary | ternary 2 / 1 |",
            "|---|---|---|---|---|---|---|---|"]
    for model in MODELS:
        ours = {t: m["%s/%s/2/%d" % (kind, model, t)]["real_time"]
                for t in (1, 2)}
        cells = []
        for t in (1, 2):
            theirs = torch.get(t, {}).get(model, float("nan"))
            cells.append("%.2f | %.2f | %.2f" % (ours[t], theirs,
                                                 theirs / ours[t]))
        rows.append("| %s | %s | %s | %.2f |" % (model, cells[0], cells[1],
                                                 ours[1] / ours[2]))
    note = "" if has_torch else (
        "(PyTorch is missing: apt-get install python3-torch)\n")
    return "\n".join(rows) + "\n" + note


def train_table(build, args):
    return step_table(build, args, "trainStep", "train")


def forward_table(build, args):
    return step_table(build, args, "evalStep", "forward")


def compile_table(build, args):
    """Seconds of `ternary-compile` (whole process, median of the
    repetitions) for the train-step modules of bench/."""
    rows = ["| module | parameters | compile (s) |", "|---|---|---|"]
    for name, params in (("char_transformer.mlir", "0.2M, 1 block"),
                         ("char_decoder_6x384.mlir", "10.8M, 6 blocks")):
        seconds = []
        for _ in range(args.repetitions):
            start = time.perf_counter()
            subprocess.run([os.path.join(build, "bin", "ternary-compile"),
                            os.path.join(ROOT, "bench", name), "-o",
                            os.devnull], check=True)
            seconds.append(time.perf_counter() - start)
        rows.append("| %s | %s | %.1f |" % (name, params,
                                            statistics.median(seconds)))
    return "\n".join(rows) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--min-time", default="0.3")
    args = parser.parse_args()
    print("### Packed GEMM, i2 + AVX-512 VNNI, 4096 x 4096\n")
    print(packed_table(args.build, args))
    print("### The BitLinear layer, i2 + AVX-512 VNNI, 4096 x 4096, 1 thread\n")
    print(layer_table(args.build, args))
    print("### f32 contractions, GFLOPS\n")
    print(contraction_table(args.build, args))
    print("### Train steps, ms a step\n")
    print(train_table(args.build, args))
    print("### Forward passes (eval steps), ms a call\n")
    print(forward_table(args.build, args))
    print("### Compile time of the train steps\n")
    print(compile_table(args.build, args))


if __name__ == "__main__":
    main()
