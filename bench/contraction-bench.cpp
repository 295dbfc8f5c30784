//===- contraction-bench.cpp - f32 contractions against OpenBLAS ----------===//
//
// The f32 contractions of the papers' models compiled by the inference
// pipeline (JIT, host CPU; --ternary-vectorize-contractions, or the scalar
// loops with /loops) against OpenBLAS sgemm on the same shapes and
// transposes, on 1 and 2 threads each (the compiled code's tasks,
// OpenBLAS's threads), in one run:
//
//   contraction/<variant>/M/N/K/<kernel|loops>/threads:T,
//   openblas/<variant>/M/N/K/threads:T
//
// variant: nn (C = A B), nt (C = A B^T: a linear layer's x W^T, attention's
// q k^T), tn (C = A^T B: a weight gradient dy^T x). Counter: GFLOPS
// (2 M N K a second). The ratio of the two in one run is the figure.
//
//   build/bin/ternary-contraction-bench --benchmark_min_time=1
//
//===----------------------------------------------------------------------===//

#include "BenchSupport.h"

#include "ternary/Runner/Threads.h"

#include <benchmark/benchmark.h>
#include <cblas.h>

#include <map>
#include <random>
#include <sstream>

using namespace mlir;
using namespace mlir::ternary;

extern "C" void openblas_set_num_threads(int);

namespace {

struct Memref2D {
  float *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
};
/// The C interface of `@f(%a, %b) -> tensor`: the result first.
using Function = void (*)(Memref2D *, Memref2D *, Memref2D *);

struct Shape {
  const char *variant;
  int64_t m, n, k;
};

/// The papers' shapes: a square reference, the MLP's layers (batch 64),
/// the char transformer's projections and attention (16 x 64 tokens, dim
/// 128; one head's scores 64 x 64 x 32 batched as M = 1024 rows here) and
/// one image of the MNIST CNN's second convolution (64 filters of 32 x 3 x
/// 3 over 24 x 24 pixels): forward, input gradient, filter gradient.
const Shape kShapes[] = {{"nn", 512, 512, 512},  {"nt", 64, 256, 784},
                         {"nn", 64, 784, 256},   {"tn", 256, 784, 64},
                         {"nt", 1024, 128, 128}, {"nt", 1024, 512, 128},
                         {"tn", 128, 128, 1024}, {"nn", 64, 576, 288},
                         {"tn", 288, 576, 64},   {"nt", 64, 288, 576}};

Memref2D view(std::vector<float> &v, int64_t rows, int64_t cols) {
  return {v.data(), v.data(), 0, {rows, cols}, {cols, 1}};
}

/// The MLIR function of a shape: C = 0 (a new tensor, as sgemm with beta
/// = 0 overwrites C), then the contraction.
std::string functionText(const Shape &s) {
  std::string v = s.variant;
  int64_t ar = v == "tn" ? s.k : s.m, ac = v == "tn" ? s.m : s.k;
  int64_t br = v == "nt" ? s.n : s.k, bc = v == "nt" ? s.k : s.n;
  auto type = [](int64_t r, int64_t c) {
    return "tensor<" + std::to_string(r) + "x" + std::to_string(c) + "xf32>";
  };
  std::string a = v == "tn" ? "(d2, d0)" : "(d0, d2)";
  std::string b = v == "nt" ? "(d1, d2)" : "(d2, d1)";
  std::string c = type(s.m, s.n);
  std::ostringstream os;
  os << "func.func @f(%a: " << type(ar, ac) << ", %b: " << type(br, bc)
     << ") -> " << c << " {\n"
     << "  %zero = arith.constant 0.0 : f32\n"
     << "  %e = tensor.empty() : " << c << "\n"
     << "  %z = linalg.fill ins(%zero : f32) outs(%e : " << c << ") -> " << c
     << "\n"
     << "  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> "
     << a << ">, affine_map<(d0, d1, d2) -> " << b
     << ">, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = "
        "[\"parallel\", \"parallel\", \"reduction\"]} ins(%a, %b : "
     << type(ar, ac) << ", " << type(br, bc) << ") outs(%z : " << c << ") {\n"
     << "  ^bb0(%p: f32, %q: f32, %acc: f32):\n"
     << "    %t = arith.mulf %p, %q : f32\n"
     << "    %u = arith.addf %acc, %t : f32\n"
     << "    linalg.yield %u : f32\n"
     << "  } -> " << c << "\n  return %r : " << c << "\n}\n";
  return os.str();
}

/// Released before main returns: JIT engines must not outlive LLVM's
/// globals, which static destruction does not guarantee.
std::map<std::string, ternary_bench::CompiledBench> &compiledModules() {
  static std::map<std::string, ternary_bench::CompiledBench> modules;
  return modules;
}

Function compiledFunction(const Shape &s, bool kernel) {
  std::string text = functionText(s);
  ternary_bench::CompiledBench &c =
      compiledModules()[text + (kernel ? "kernel" : "loops")];
  InferencePipelineOptions options;
  options.vectorizeContractions = kernel;
  c.compile(text, options);
  return c.function<Function>("f");
}

struct Operands {
  std::vector<float> a, b, c;
  explicit Operands(const Shape &s) : a(s.m * s.k), b(s.k * s.n), c(s.m * s.n) {
    std::mt19937 rng(1);
    std::normal_distribution<float> d;
    for (float &v : a)
      v = d(rng);
    for (float &v : b)
      v = d(rng);
  }
};

void setCounters(benchmark::State &state, const Shape &s) {
  state.counters["GFLOPS"] =
      benchmark::Counter(2.0 * s.m * s.n * s.k * state.iterations() * 1e-9,
                         benchmark::Counter::kIsRate);
}

void compiled(benchmark::State &state, Shape s, bool kernel) {
  Function f = compiledFunction(s, kernel);
  setThreadCount(state.range(0));
  Operands o(s);
  std::string v = s.variant;
  Memref2D a = v == "tn" ? view(o.a, s.k, s.m) : view(o.a, s.m, s.k);
  Memref2D b = v == "nt" ? view(o.b, s.n, s.k) : view(o.b, s.k, s.n);
  for (auto _ : state) {
    Memref2D c;
    f(&c, &a, &b);
    benchmark::DoNotOptimize(c.aligned);
    std::free(c.allocated);
  }
  setCounters(state, s);
}

void openblas(benchmark::State &state, Shape s) {
  openblas_set_num_threads(static_cast<int>(state.range(0)));
  Operands o(s);
  std::string v = s.variant;
  CBLAS_TRANSPOSE ta = v == "tn" ? CblasTrans : CblasNoTrans;
  CBLAS_TRANSPOSE tb = v == "nt" ? CblasTrans : CblasNoTrans;
  int64_t lda = v == "tn" ? s.m : s.k, ldb = v == "nt" ? s.k : s.n;
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, ta, tb, s.m, s.n, s.k, 1.f, o.a.data(), lda,
                o.b.data(), ldb, 0.f, o.c.data(), s.n);
    benchmark::DoNotOptimize(o.c.data());
  }
  setCounters(state, s);
}

} // namespace

int main(int argc, char **argv) {
  for (const Shape &s : kShapes) {
    std::string name = std::string(s.variant) + "/" + std::to_string(s.m) +
                       "/" + std::to_string(s.n) + "/" + std::to_string(s.k);
    benchmark::RegisterBenchmark(
        ("contraction/" + name + "/kernel").c_str(),
        [s](benchmark::State &state) { compiled(state, s, true); })
        ->ArgName("threads")
        ->Arg(1)
        ->Arg(2)
        ->UseRealTime();
    benchmark::RegisterBenchmark(
        ("contraction/" + name + "/loops").c_str(),
        [s](benchmark::State &state) { compiled(state, s, false); })
        ->ArgName("threads")
        ->Arg(1)
        ->UseRealTime();
    benchmark::RegisterBenchmark(
        ("openblas/" + name).c_str(),
        [s](benchmark::State &state) { openblas(state, s); })
        ->ArgName("threads")
        ->Arg(1)
        ->Arg(2)
        ->UseRealTime();
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  compiledModules().clear(); // JIT engines before LLVM's globals
  return 0;
}
