#!/usr/bin/env python3
"""Writes docs/performance.md: runs the benchmarks in one go and prints
every table with its same-run reference (Markdown): the limits ternary-bench
measures in its own process (DRAM read bandwidth, the vpdpbusd peak), the
packed products (i2 and base3) as fractions of them, the whole BitLinear
layer, a 2B4T-shaped decoder's prefill and decoding steps, the f32
contractions against OpenBLAS, the train steps and forward
passes against PyTorch 1.13 (skipped, with a note, when /usr/bin/python3
has no torch), the compile time of the train steps, and the open issues'
targets against the figures. Every figure is the median of interleaved
repetitions within one run of each benchmark; ratios are taken within a
run.

    bench/performance_tables.py [--build build] [--repetitions 3]
        [--min-time 0.3] [--out docs/performance.md] [--save DIR]
        [--load DIR] [--sections kernels,layer,...]

--save DIR keeps every benchmark's JSON (and PyTorch's and the compile
times); --load DIR writes the document from such a directory instead of
running anything (the tests use it). Plain Python (no numpy).
"""
import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAN = float("nan")


class Source:
    """The benchmarks' results: run now (and kept in --save), or read from
    --load."""

    def __init__(self, args):
        self.args = args

    def _path(self, name):
        return os.path.join(self.args.load or self.args.save, name + ".json")

    def _keep(self, name, data):
        if self.args.save:
            os.makedirs(self.args.save, exist_ok=True)
            with open(self._path(name), "w") as f:
                json.dump(data, f, indent=1)
        return data

    def _loaded(self, name):
        path = self._path(name)
        return json.load(open(path)) if os.path.exists(path) else None

    def benchmark(self, name, binary, extra):
        """Medians of a Google Benchmark binary ({run_name: row}) and its
        context."""
        if self.args.load:
            data = self._loaded(name) or {"benchmarks": [], "context": {}}
        else:
            command = [os.path.join(self.args.build, "bin", binary),
                       "--benchmark_format=json",
                       "--benchmark_repetitions=%d" % self.args.repetitions,
                       "--benchmark_enable_random_interleaving=true",
                       "--benchmark_report_aggregates_only=true",
                       "--benchmark_min_time=%s" % self.args.min_time
                       ] + list(extra)
            print("running: " + " ".join(command), file=sys.stderr)
            out = subprocess.run(command, check=True,
                                 stdout=subprocess.PIPE).stdout
            data = self._keep(name, json.loads(out))
        medians = {b["run_name"]: b for b in data["benchmarks"]
                   if b.get("aggregate_name") == "median"}
        return medians, data.get("context", {})

    def torch(self, threads, mode):
        """PyTorch's ms a step ({model: ms}); {} without torch."""
        name = "torch-%s-%d" % (mode, threads)
        if self.args.load:
            return self._loaded(name) or {}
        if subprocess.run(["/usr/bin/python3", "-c", "import torch"],
                          stderr=subprocess.DEVNULL).returncode != 0:
            return {}
        command = ["/usr/bin/python3",
                   os.path.join(ROOT, "bench", "torch_train_step.py"),
                   "--threads", str(threads), "--min-time", "2.0",
                   "--mode", mode]
        print("running: " + " ".join(command), file=sys.stderr)
        out = subprocess.run(command, check=True, stdout=subprocess.PIPE,
                             universal_newlines=True).stdout
        times = {}
        for line in out.splitlines():
            g = re.search(r": (\S+) ([0-9.]+) ms/step", line)
            if g:
                times[g.group(1)] = float(g.group(2))
        return self._keep(name, times)

    def compile_seconds(self, module):
        """Median seconds of `ternary-compile MODULE` (whole process)."""
        name = "compile-" + module.replace(".mlir", "")
        if self.args.load:
            return (self._loaded(name) or {}).get("seconds", NAN)
        seconds = []
        for _ in range(self.args.repetitions):
            start = time.perf_counter()
            subprocess.run([os.path.join(self.args.build, "bin",
                                         "ternary-compile"),
                            os.path.join(ROOT, "bench", module), "-o",
                            os.devnull], check=True)
            seconds.append(time.perf_counter() - start)
        return self._keep(name, {"seconds": statistics.median(seconds)})[
            "seconds"]


def fmt(value, pattern):
    return "n/a" if value != value else pattern % value


def threads_text(n):
    return "1 thread" if n == 1 else "%d threads" % n


def table(header, rows):
    return "\n".join(["| " + " | ".join(header) + " |",
                      "|" + "---|" * len(header)] +
                     ["| " + " | ".join(r) + " |" for r in rows]) + "\n"


class Report:
    """The document's sections; `targets` collects (issue, target, figure,
    met) lines for the last one."""

    def __init__(self, source):
        self.source = source
        self.targets = []
        self.kernels = None

    def kernel_rows(self):
        if self.kernels is None:
            self.kernels = self.source.benchmark(
                "ternary-bench-kernels", "ternary-bench",
                ["--benchmark_filter=(ternary_(i2|base3)/avx512-vnni|"
                 "bitlinear_i2/avx512-vnni|bitlinear_latent|openblas_f32)"
                 "/out:4096/in:4096/"])
        return self.kernels

    def target(self, issue, what, figure, goal, text):
        verdict = ("not measured" if figure != figure else
                   "met" if figure >= goal else "not met")
        self.targets.append((issue, what, text, verdict))

    def limits(self):
        """The limits ternary-bench measured before its first row."""
        _, context = self.kernel_rows()
        rows = []
        for key, label, unit, scale in (
                ("dram_read_bytes_per_s", "DRAM streaming read", "GB/s", 1e9),
                ("vpdpbusd_ops_per_s", "`vpdpbusd` zmm peak",
                 "G int8-ops/s", 1e9),
                ("vpmaddubsw_ops_per_s", "`vpmaddubsw` ymm peak",
                 "G int8-ops/s", 1e9)):
            cells = [fmt(float(context.get("%s_%dt" % (key, t), NAN)) / scale,
                         "%.1f " + unit) for t in (1, 2)]
            rows.append([label] + cells)
        return table(["limit (same run)", "1 thread", "2 threads"], rows)

    def products(self):
        """GEMV and GEMM of i2 and base3 (AVX-512 VNNI kernel) against the
        limits: cold GEMV against the DRAM roofline of its bytes, the rest
        against the vpdpbusd peak."""
        m, _ = self.kernel_rows()
        if not m:
            return "(no AVX-512 VNNI on this machine: table skipped)\n"
        rows = []
        for encoding in ("i2", "base3"):
            for cold in (1, 0):
                for tokens in (1, 8, 32, 128, 512):
                    cells = [encoding, str(tokens),
                             "cold (DRAM)" if cold else "warm"]
                    fractions = []
                    for threads in (1, 2):
                        r = m.get("ternary_%s/avx512-vnni/out:4096/in:4096/"
                                  "tokens:%d/cold:%d/threads:%d/real_time"
                                  % (encoding, tokens, cold, threads))
                        if not r:
                            cells += ["n/a", "n/a"]
                            fractions.append(NAN)
                            continue
                        us = r["real_time"] / 1e3
                        if cold and tokens == 1:
                            f = r["roofline_fraction"]
                            cells += ["%.0f us (%.1f GB/s)" % (
                                us, r["bytes_per_s"] / 1e9),
                                "%.0f %% of DRAM" % (100 * f)]
                        else:
                            f = r["peak_fraction"]
                            cells += ["%.0f us (%.0f Gops)" % (
                                us, r["ops_per_s"] / 1e9),
                                "%.0f %% of peak" % (100 * f)]
                        fractions.append(f)
                    rows.append(cells)
                    self._product_targets(encoding, tokens, cold, fractions,
                                          m)
        return table(["weights", "tokens", "reads", "1 thread",
                      "of the limit", "2 threads", "of the limit"], rows)

    def _product_targets(self, encoding, tokens, cold, fractions, m):
        if cold and tokens == 1:
            goal = 0.9 if encoding == "i2" else 0.8
            for threads, f in zip((1, 2), fractions):
                self.target(13, "GEMV %s cold, %s: >= %.0f %% of the DRAM "
                            "roofline" % (encoding, threads_text(threads),
                                          100 * goal),
                            f, goal, fmt(100 * f, "%.0f %%"))
        if encoding == "i2" and cold and tokens in (8, 32, 128, 512):
            self.target(13, "GEMM i2 %d tokens, 1 thread: >= 90 %% of the "
                        "vpdpbusd peak" % tokens, fractions[0], 0.9,
                        fmt(100 * fractions[0], "%.0f %%"))
            key = ("ternary_i2/avx512-vnni/out:4096/in:4096/tokens:%d/"
                   "cold:1/threads:%%d/real_time" % tokens)
            one, two = m.get(key % 1), m.get(key % 2)
            speedup = (one["real_time"] / two["real_time"]
                       if one and two else NAN)
            self.target(13, "GEMM i2 %d tokens: 2 threads >= 1.9x 1 thread"
                        % tokens, speedup, 1.9, fmt(speedup, "%.2fx"))

    def layer(self):
        """The whole BitLinear layer beside the product alone, the layer
        on latent f32 weights and OpenBLAS's f32 layer, 1 thread."""
        m, _ = self.kernel_rows()
        if not m:
            return "(no AVX-512 VNNI on this machine: table skipped)\n"
        rows = []
        for cold in (0, 1):
            for tokens in (1, 8, 32, 128, 512):
                def us(kind):
                    r = m.get("%s/out:4096/in:4096/tokens:%d/cold:%d/"
                              "threads:1/real_time" % (kind, tokens, cold))
                    return r["real_time"] / 1e3 if r else NAN
                product = us("ternary_i2/avx512-vnni")
                layer = us("bitlinear_i2/avx512-vnni")
                latent, blas = us("bitlinear_latent"), us("openblas_f32")
                rows.append([str(tokens), "cold (DRAM)" if cold else "warm",
                             fmt(product, "%.0f"), fmt(layer, "%.0f"),
                             fmt(layer / product, "%.2f"),
                             fmt(latent, "%.0f"), fmt(blas, "%.0f"),
                             fmt(blas / layer, "%.1f")])
        return table(["tokens", "weights", "product (us)", "layer (us)",
                      "layer / product", "latent f32 weights (us)",
                      "OpenBLAS f32 (us)", "OpenBLAS / layer"], rows)

    def decoder(self):
        """The 2B4T-shaped decoder (ternary-decoder-bench): a decoding step
        against the DRAM roofline of the weights it reads, a prefill's
        ternary products against the vpdpbusd peak."""
        m, context = self.source.benchmark("ternary-decoder-bench",
                                           "ternary-decoder-bench", [])
        rows = []
        for encoding in ("i2", "base3"):
            for phase in ("decode", "prefill"):
                cells = [encoding, phase]
                for threads in (1, 2):
                    r = m.get("decoder/%s/%s/threads:%d/real_time"
                              % (phase, encoding, threads))
                    if not r:
                        cells += ["n/a", "n/a"]
                        continue
                    if phase == "decode":
                        cells += ["%.2f ms, %.0f tokens/s (%.1f GB/s)" % (
                            r["real_time"], r["tokens_per_s"],
                            r["bytes_per_s"] / 1e9),
                            "%.0f %% of DRAM" % (
                                100 * r["roofline_fraction"])]
                    else:
                        cells += ["%.0f ms, %.0f tokens/s (%.0f Gops)" % (
                            r["real_time"], r["tokens_per_s"],
                            r["ops_per_s"] / 1e9),
                            "%.0f %% of peak" % (100 * r["peak_fraction"])]
                rows.append(cells)
        any_row = next(iter(m.values()), None)
        shape = ("%s blocks, context %s, %.1f MB read a decoding step (i2), "
                 "compiled in %.0f s" % (
                     context.get("layers", "?"), context.get("context", "?"),
                     m.get("decoder/decode/i2/threads:1/real_time",
                           any_row or {}).get("weight_bytes", NAN) / 1e6,
                     (any_row or {}).get("compile_s", NAN))
                 if any_row else "no rows")
        return shape + ".\n\n" + table(
            ["weights", "step", "1 thread", "of the limit", "2 threads",
             "of the limit"], rows)

    def contractions(self):
        m, _ = self.source.benchmark("ternary-contraction-bench",
                                     "ternary-contraction-bench",
                                     ["--benchmark_filter=kernel|openblas"])
        rows = []
        for name in m:
            g = re.match(r"contraction/(\w+/\d+/\d+/\d+)/kernel/threads:1",
                         name)
            if not g:
                continue
            shape = g.group(1)

            def gf(prefix, threads):
                r = m.get("%s/threads:%d/real_time" % (prefix, threads))
                return r["GFLOPS"] if r else NAN
            k1 = gf("contraction/%s/kernel" % shape, 1)
            k2 = gf("contraction/%s/kernel" % shape, 2)
            b1, b2 = gf("openblas/" + shape, 1), gf("openblas/" + shape, 2)
            variant, mm, n, k = shape.split("/")
            rows.append(["%s %s x %s x %s" % (variant, mm, n, k),
                         fmt(k1, "%.0f"), fmt(k2, "%.0f"),
                         fmt(k2 / k1, "%.2f"),
                         "%s / %s" % (fmt(b1, "%.0f"), fmt(b2, "%.0f")),
                         fmt(k1 / b1, "%.2f"), fmt(k2 / b2, "%.2f")])
            if mm == n == k == "512":
                self.target(10, "f32 contraction 512^3, 1 thread: >= 80 % "
                            "of OpenBLAS", k1 / b1, 0.8,
                            fmt(k1 / b1, "%.2fx"))
        return table(["shape (M x N x K)", "kernel 1 thread (GFLOPS)",
                      "kernel 2 threads", "2 / 1", "OpenBLAS 1 / 2 threads",
                      "kernel / OpenBLAS, 1 thread",
                      "kernel / OpenBLAS, 2 threads"], rows)

    # Train-step targets of issue 10: PyTorch / ours at least this much.
    STEP_TARGETS = {"mlp_784_256_256_10/64": 4.0,
                    "mlp_f32_784_256_256_10/64": 2.0,
                    "char_transformer/16": 2.0,
                    "char_decoder_6x384/8": 2.0,
                    "mnist_cnn/64": 2.0}

    def steps(self, kind, mode):
        """ms per call of the compiled `kind` benchmark (trainStep,
        evalStep) and of PyTorch's `mode` (train, forward), 1 and 2
        threads."""
        m, _ = self.source.benchmark("ternary-train-bench-" + kind,
                                     "ternary-train-bench",
                                     ["--benchmark_filter=^%s/.*/2/[12]$"
                                      % kind])
        torch = {t: self.source.torch(t, mode) for t in (1, 2)}
        rows = []
        for model, goal in self.STEP_TARGETS.items():
            ours = {}
            for t in (1, 2):
                r = m.get("%s/%s/2/%d" % (kind, model, t))
                ours[t] = r["real_time"] if r else NAN
            cells = [model]
            for t in (1, 2):
                theirs = torch[t].get(model, NAN)
                ratio = theirs / ours[t]
                cells += [fmt(ours[t], "%.2f"), fmt(theirs, "%.2f"),
                          fmt(ratio, "%.2f")]
                if kind == "trainStep":
                    self.target(10, "train step %s, %s: >= %.0fx PyTorch"
                                % (model, threads_text(t), goal), ratio, goal,
                                fmt(ratio, "%.2fx"))
            scaling = ours[1] / ours[2]
            cells.append(fmt(scaling, "%.2f"))
            if kind == "trainStep":
                self.target(10, "train step %s: 2 threads >= 1.7x 1 thread"
                            % model, scaling, 1.7, fmt(scaling, "%.2fx"))
            rows.append(cells)
        note = "" if torch[1] else (
            "(PyTorch is missing: apt-get install python3-torch)\n")
        return table(["model", "ours 1 thread (ms)", "PyTorch 1 thread (ms)",
                      "PyTorch / ours", "ours 2 threads (ms)",
                      "PyTorch 2 threads (ms)", "PyTorch / ours",
                      "ours 2 / 1"], rows) + note

    def compile_times(self):
        rows = []
        for module, params in (("char_transformer.mlir", "0.2M, 1 block"),
                               ("char_decoder_6x384.mlir",
                                "10.8M, 6 blocks")):
            seconds = self.source.compile_seconds(module)
            rows.append([module, params, fmt(seconds, "%.1f")])
            if "6x384" in module:
                self.target(10, "compile time of the 10M-parameter train "
                            "step: < 10 s", 10.0 - seconds, 0.0,
                            fmt(seconds, "%.1f s"))
        return table(["module", "parameters", "compile (s)"], rows)

    def target_list(self):
        if not self.targets:
            return "(no targets among the sections written)\n"
        return table(["issue", "target", "this run", ""],
                     [["#%d" % i, w, f, met]
                      for i, w, f, met in self.targets])


SECTIONS = [
    ("kernels", "Limits measured in the run",
     "ternary-bench measures these in its own process before its first row "
     "(bench/Limits.cpp): the streaming read bandwidth of a buffer of twice "
     "the L3 the OS reports, and the peaks of `vpdpbusd` (zmm) and "
     "`vpmaddubsw` (ymm) from 12 independent instructions; medians of 5 "
     "passes.", Report.limits),
    ("kernels", "Packed products, 4096 x 4096, AVX-512 VNNI kernel",
     "`ternary.matmul` on packed weights (i2: 2 bits a weight; base3: 1.6 "
     "bits), int8 activations of 1 to 512 tokens. Cold: a set of weight "
     "matrices twice the L3 cycled, so every call reads its weights from "
     "DRAM; GEMV (1 token, cold) is read against the DRAM roofline of its "
     "bytes (scales included), everything else against the `vpdpbusd` peak "
     "of as many threads. 2 threads: the benchmark splits the outputs in "
     "two.", Report.products),
    ("layer", "The whole BitLinear layer, 4096 x 4096, 1 thread",
     "LayerNorm, per-token activation quantisation, the product and the "
     "rescale on packed weights (`bitlinear_i2`), beside the product alone, "
     "the layer on latent f32 weights (weight scale and quantisation every "
     "call, as a training step's forward) and OpenBLAS's f32 layer.",
     Report.layer),
    ("decoder", "A BitNet b1.58 2B4T-shaped decoder",
     "`ternary-decoder-bench`: the model library's gpt with 2B4T's block "
     "(hidden 2560, FFN 6912, 20 heads of which 5 key/value heads, gated "
     "ReLU^2, RMSNorm, rotary positions; a 32-bit head over 256 tokens), "
     "random weights bound and packed at compile time as ternary-generate "
     "deploys a checkpoint, called through the C interface. Decode: one "
     "token at the last position with full key/value caches, against the "
     "DRAM roofline of the bytes it reads (packed weights, head, norms); "
     "prefill: the whole context at once, its ternary products against the "
     "`vpdpbusd` peak.", Report.decoder),
    ("contractions", "f32 contractions",
     "The f32 contraction kernel (`--ternary-vectorize-contractions`) on the "
     "papers' training shapes against OpenBLAS `cblas_sgemm` (nn/nt/tn: "
     "which operands are transposed; nn 64 x 576 x 288, tn 288 x 576 x 64 "
     "and nt 64 x 288 x 576 are one image of the MNIST CNN's second "
     "convolution: forward, input gradient, filter gradient).",
     Report.contractions),
    ("train", "Train steps against PyTorch 1.13, ms a step",
     "`ternary-train-bench` (compiled forward, STE backward and AdamW of "
     "bench/*.mlir, in place) against the same step in PyTorch "
     "(bench/torch_train_step.py), same batch, same threads.",
     lambda r: r.steps("trainStep", "train")),
    ("forward", "Forward passes (eval steps) against PyTorch, ms a call",
     "The models' eval step (the loss of a batch with the latent weights "
     "quantised at run time) against PyTorch's forward under "
     "`torch.no_grad()`.", lambda r: r.steps("evalStep", "forward")),
    ("compile", "Compile time of the train steps",
     "Whole-process seconds of `ternary-compile` on the train-step modules "
     "(median of the repetitions).", Report.compile_times),
]


PROFILING = """## Profiling the compiled code

`TERNARY_PERF_JIT=1` makes the JIT tell `perf` about the functions it
compiles: record with `-k 1`, then inject the JIT's code, e.g.

```sh
TERNARY_PERF_JIT=1 perf record -e cpu-clock -k 1 -o perf.data \\
    build/bin/ternary-train-bench --benchmark_filter='trainStep/mnist_cnn/64/2/1$'
perf inject --jit -i perf.data -o perf.jit.data
perf report -i perf.jit.data --no-children --sort sym
```

Outlined linalg ops appear as `__ternary_linalg_N` (`ternary-opt
--ternary-inference-pipeline --mlir-print-ir-after=ternary-outline-linalg`
shows which op each is); `perf stat -e page-faults` or `/usr/bin/time -v`
shows allocation costs (the tools keep freed buffers: ToolSupport.cpp).
"""


def machine():
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return "%s, %d cores" % (cpu, os.cpu_count() or 0)


def document(args, report, sections):
    out = ["# Performance\n",
           "Written by `bench/performance_tables.py --out "
           "docs/performance.md` from one run of the benchmarks (%s, %s): "
           "every figure beside the limit or the baseline measured in the "
           "same run, medians of %d interleaved repetitions. Figures of one "
           "machine and one run: machines of this kind differ (a kernel "
           "tuned on one was found at 65 %% of the roofline on another), so "
           "compare runs, not single figures. What earlier sessions measured "
           "and tried is in [performance-history.md](performance-history.md)."
           "\n" % (args.machine or machine(), args.date or
                   datetime.date.today().isoformat(), args.repetitions),
           "```sh\nbench/performance_tables.py --repetitions %d --min-time "
           "%s --out docs/performance.md\n```\n" % (args.repetitions,
                                                   args.min_time)]
    for key, title, text, render in SECTIONS:
        if key not in sections:
            continue
        out.append("## %s\n\n%s\n\n%s" % (title, text, render(report)))
    out.append("## The open issues' targets in this run\n\n"
               + report.target_list())
    out.append(PROFILING)
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--min-time", default="0.3")
    parser.add_argument("--out", help="write the document here (default: "
                        "standard output)")
    parser.add_argument("--save", help="keep the benchmarks' JSON here")
    parser.add_argument("--load", help="write from the JSON kept here by "
                        "--save, running nothing")
    parser.add_argument("--sections", default=",".join(
        dict.fromkeys(s[0] for s in SECTIONS)), help="comma-separated: "
        "kernels, layer, decoder, contractions, train, forward, compile")
    parser.add_argument("--machine", help="the machine's description "
                        "(default: /proc/cpuinfo's; with --load, say it)")
    parser.add_argument("--date", help="the run's date (default: today)")
    args = parser.parse_args()
    sections = set(args.sections.split(","))
    unknown = sections - {s[0] for s in SECTIONS}
    if unknown:
        parser.error("unknown sections: " + ", ".join(sorted(unknown)))
    text = document(args, Report(Source(args)), sections)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
