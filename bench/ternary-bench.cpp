//===- ternary-bench.cpp - Benchmarks of the compiled ternary kernels -----===//
//
// Google Benchmark over the packed ternary product compiled by the
// inference pipeline (JIT, host CPU), against an fp32 baseline (OpenBLAS
// sgemm) on the same shapes, in one run:
//
//   ternary_i2/<kernel>, ternary_base3/<kernel>, openblas_f32
//     / out features / in features / tokens / cold / threads
//
// and the whole BitLinear layer (f32 activations in, f32 out: LayerNorm,
// per-token activation quantisation, the product, the rescale) beside the
// product alone and OpenBLAS's f32 layer on the same shapes:
//
//   bitlinear_i2/<kernel>   weights packed ahead (as deployed), the layer
//                           of ternary.quantize_activations and
//                           ternary.matmul_rescale;
//   bitlinear_latent        latent f32 weights at run time (a training
//                           step's forward): weight scale (absmedian),
//                           quantisation and the product every call.
//
// - shapes (out x in): 4096 x 4096, 2560 x 6912, 6912 x 2560; tokens 1 (GEMV),
//   8, 32, 128 (GEMM), and 512 for 4096 x 4096;
// - cold: a set of weight matrices larger than the last-level cache,
//   cycled, so that every call reads its weights from DRAM; warm: one
//   matrix;
// - threads: 1 or 2, the compiled code's own (its blocks of 128 outputs are
//   OpenMP tasks) and OpenBLAS's.
//
// The limits every row is measured against are taken in the same run,
// before the first row (Limits.h): the streaming read bandwidth from DRAM
// and the vpdpbusd / vpmaddubsw peaks, for 1 and 2 threads; they are in
// the output's context (dram_read_bytes_per_s_1t, ...).
//
// Counters of every row: M (out features), K (in features), N (tokens),
// threads, cold, bits_per_weight (scales included), ops_per_s (2 a
// multiply-add), bytes_per_s (weight bytes read), roofline_bytes_per_s
// (the DRAM read bandwidth of its thread count), peak_ops_per_s (the
// int8 peak of its kernel's instruction and thread count; 0 for f32),
// roofline_fraction (cold rows: bytes_per_s over the roofline) and
// peak_fraction (ops_per_s over the peak). Each row is the median of 5
// repetitions unless --benchmark_repetitions says otherwise. JSON with
// --benchmark_format=json.
//
//===----------------------------------------------------------------------===//

#include "BenchSupport.h"
#include "Limits.h"

#include "ternary/Passes/Codegen/CPU/KernelSelection.h"
#include "ternary/Runner/Threads.h"
#include "ternary/Runtime/Packing.h"

#include <benchmark/benchmark.h>
#include <cblas.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

using namespace mlir;
using namespace mlir::ternary;

extern "C" void openblas_set_num_threads(int);

namespace {

/// Memref descriptors as the C interface takes them.
template <typename T> struct Memref2D {
  T *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
};
using Kernel = void (*)(Memref2D<int32_t> *, Memref2D<int8_t> *,
                        Memref2D<int8_t> *);

constexpr const char *kModule = R"mlir(
func.func @i2(%x: tensor<?x?xi8>, %w: !ternary.packed<?x?, i2>) -> tensor<?x?xi32> {
  %acc = ternary.matmul %x, %w : tensor<?x?xi8>, !ternary.packed<?x?, i2> -> tensor<?x?xi32>
  return %acc : tensor<?x?xi32>
}
func.func @base3(%x: tensor<?x?xi8>, %w: !ternary.packed<?x?, base3>) -> tensor<?x?xi32> {
  %acc = ternary.matmul %x, %w : tensor<?x?xi8>, !ternary.packed<?x?, base3> -> tensor<?x?xi32>
  return %acc : tensor<?x?xi32>
}
)mlir";

constexpr const char *kLayerModule = R"mlir(
func.func @layer(%x: tensor<?x?xf32>, %w: !ternary.packed<?x?, i2>, %g: f32) -> tensor<?x?xf32> {
  %xq, %a = ternary.quantize_activations %x {norm = #ternary.norm<layer>} : tensor<?x?xf32> -> tensor<?x?xi8>, tensor<?xf32>
  %y = ternary.matmul_rescale %xq, %w, %a, %g : tensor<?x?xi8>, !ternary.packed<?x?, i2>, tensor<?xf32> -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}
func.func @latent(%x: tensor<?x?xf32>, %w: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %y = ternary.bitlinear %x, %w : (tensor<?x?xf32>, tensor<?x?xf32>) -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}
)mlir";

/// The compiled modules, one per kernel, kept for the whole run; released
/// before main returns: JIT engines must not outlive LLVM's globals, which
/// static destruction does not guarantee.
std::map<std::pair<PackedKernel, const char *>, ternary_bench::CompiledBench> &
compiledModules() {
  static std::map<std::pair<PackedKernel, const char *>,
                  ternary_bench::CompiledBench>
      modules;
  return modules;
}

/// `text` compiled with `kernel` (once).
ternary_bench::CompiledBench &compiled(PackedKernel kernel, const char *text) {
  ternary_bench::CompiledBench &c = compiledModules()[{kernel, text}];
  InferencePipelineOptions options;
  options.kernel = kernel;
  c.compile(text, options);
  return c;
}

Kernel kernelFor(PackedKernel kernel, Encoding encoding) {
  return compiled(kernel, kModule)
      .function<Kernel>(encoding == Encoding::i2 ? "i2" : "base3");
}

constexpr int kMaxThreads = 2;

/// How many copies of a matrix of `bytes` make a set no cache holds.
int coldCopies(size_t bytes) {
  return static_cast<int>(
      std::max<size_t>(2, ternary_bench::uncachedBytes() / bytes + 1));
}

/// The counters of a row (see the top of the file); `peak` is the int8
/// peak of its instruction at its thread count (0: an f32 row).
void setCounters(benchmark::State &state, int64_t outF, int64_t inF,
                 int64_t tokens, bool cold, int threads, double weightBytes,
                 double peak, double seconds) {
  double calls = static_cast<double>(state.iterations());
  double ops = 2.0 * outF * inF * tokens * calls / seconds;
  double bytes = weightBytes * calls / seconds;
  double roofline =
      ternary_bench::limits(kMaxThreads).readBytesPerSecond.at(threads);
  state.counters["M"] = double(outF);
  state.counters["K"] = double(inF);
  state.counters["N"] = double(tokens);
  state.counters["threads"] = threads;
  state.counters["cold"] = cold;
  state.counters["bits_per_weight"] = weightBytes * 8.0 / (outF * inF);
  state.counters["ops_per_s"] = ops;
  state.counters["bytes_per_s"] = bytes;
  state.counters["roofline_bytes_per_s"] = roofline;
  state.counters["peak_ops_per_s"] = peak;
  state.counters["roofline_fraction"] = cold ? bytes / roofline : 0.0;
  state.counters["peak_fraction"] = peak > 0 ? ops / peak : 0.0;
}

/// The int8 peak a packed kernel's instruction reaches on `threads`.
double peakOf(PackedKernel kernel, int threads) {
  const ternary_bench::Limits &l = ternary_bench::limits(kMaxThreads);
  switch (kernel) {
  case PackedKernel::avx512_vnni:
    return l.vnniOpsPerSecond.at(threads);
  case PackedKernel::avx2:
    return l.maddubswOpsPerSecond.at(threads);
  default:
    return 0.0;
  }
}

/// The arguments of every row: out features, in features, tokens, cold
/// (0/1), threads (1/2).
struct Row {
  int64_t outF, inF, tokens;
  bool cold;
  int threads;
  explicit Row(const benchmark::State &state)
      : outF(state.range(0)), inF(state.range(1)), tokens(state.range(2)),
        cold(state.range(3)), threads(static_cast<int>(state.range(4))) {}
};

/// Copies of one random ternary weight matrix packed as `encoding`: one for
/// a warm row, as many as no cache holds for a cold one.
struct PackedSet {
  int64_t rowBytes;
  size_t matrixBytes;
  std::vector<ternary_bench::AlignedVector<int8_t>> copies;
};
PackedSet packedSet(const Row &row, ternary_encoding encoding) {
  PackedSet set;
  set.rowBytes = ternary_packed_row_bytes(row.inF, encoding);
  set.matrixBytes = static_cast<size_t>(row.outF * set.rowBytes);
  std::mt19937 rng(1);
  std::uniform_int_distribution<int> trit(-1, 1);
  std::vector<int8_t> w(static_cast<size_t>(row.outF * row.inF));
  for (auto &v : w)
    v = static_cast<int8_t>(trit(rng));
  ternary_bench::AlignedVector<int8_t> once(set.matrixBytes);
  ternary_pack(w.data(), row.outF, row.inF, encoding,
               reinterpret_cast<uint8_t *>(once.data()));
  set.copies.assign(row.cold ? coldCopies(set.matrixBytes) : 1, once);
  return set;
}

/// Copies of a random f32 matrix [rows, columns] (N(0, 1)), as packedSet.
std::vector<ternary_bench::AlignedVector<float>>
floatSet(int64_t rows, int64_t columns, bool cold, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.f, 1.f);
  ternary_bench::AlignedVector<float> once(static_cast<size_t>(rows * columns));
  for (auto &v : once)
    v = dist(rng);
  size_t bytes = once.size() * sizeof(float);
  return std::vector<ternary_bench::AlignedVector<float>>(
      cold ? coldCopies(bytes) : 1, once);
}

/// Runs call(k) for every iteration of `state`, k cycling over `copies`;
/// the seconds they took.
template <typename Call>
double timedCalls(benchmark::State &state, size_t copies, Call call) {
  size_t next = 0;
  auto started = std::chrono::steady_clock::now();
  for (auto _ : state) {
    call(next);
    next = (next + 1) % copies;
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                       started)
      .count();
}

/// The packed product; kernel and encoding bound at registration.
void ternaryProduct(benchmark::State &state, PackedKernel kernelKind,
                    Encoding encoding) {
  Row row(state);
  Kernel kernel = kernelFor(kernelKind, encoding);
  PackedSet w = packedSet(row, static_cast<ternary_encoding>(encoding));
  std::mt19937 rng(1);
  std::uniform_int_distribution<int> act(-128, 127);
  ternary_bench::AlignedVector<int8_t> x(
      static_cast<size_t>(row.tokens * row.inF));
  for (auto &v : x)
    v = static_cast<int8_t>(act(rng));
  setThreadCount(row.threads);
  Memref2D<int8_t> xd{
      x.data(), x.data(), 0, {row.tokens, row.inF}, {row.inF, 1}};
  double seconds = timedCalls(state, w.copies.size(), [&](size_t k) {
    int8_t *storage = w.copies[k].data();
    Memref2D<int8_t> wd{
        storage, storage, 0, {row.outF, w.rowBytes}, {w.rowBytes, 1}};
    Memref2D<int32_t> out;
    kernel(&out, &xd, &wd);
    std::free(out.allocated);
  });
  setCounters(state, row.outF, row.inF, row.tokens, row.cold, row.threads,
              static_cast<double>(w.matrixBytes),
              peakOf(kernelKind, row.threads), seconds);
}

/// The fp32 baseline: y[tokens, out] = x[tokens, in] . W[out, in]^T.
void openblasProduct(benchmark::State &state) {
  Row row(state);
  openblas_set_num_threads(row.threads);
  auto w = floatSet(row.outF, row.inF, row.cold, 2);
  ternary_bench::AlignedVector<float> x =
      floatSet(row.tokens, row.inF, false, 3)[0];
  ternary_bench::AlignedVector<float> y(
      static_cast<size_t>(row.tokens * row.outF));
  double seconds = timedCalls(state, w.size(), [&](size_t k) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, row.tokens, row.outF,
                row.inF, 1.f, x.data(), row.inF, w[k].data(), row.inF, 0.f,
                y.data(), row.outF);
    benchmark::DoNotOptimize(y.data());
  });
  setCounters(state, row.outF, row.inF, row.tokens, row.cold, row.threads,
              static_cast<double>(w[0].size() * sizeof(float)), 0.0, seconds);
}

using LayerFn = void (*)(Memref2D<float> *, Memref2D<float> *,
                         Memref2D<int8_t> *, float);
using LatentFn = void (*)(Memref2D<float> *, Memref2D<float> *,
                          Memref2D<float> *);

/// The BitLinear layer with packed i2 weights.
void bitlinearLayer(benchmark::State &state, PackedKernel kernelKind) {
  Row row(state);
  auto layer = compiled(kernelKind, kLayerModule).function<LayerFn>("layer");
  PackedSet w = packedSet(row, TERNARY_ENCODING_I2);
  ternary_bench::AlignedVector<float> x =
      floatSet(row.tokens, row.inF, false, 3)[0];
  setThreadCount(row.threads);
  Memref2D<float> xd{
      x.data(), x.data(), 0, {row.tokens, row.inF}, {row.inF, 1}};
  double seconds = timedCalls(state, w.copies.size(), [&](size_t k) {
    int8_t *storage = w.copies[k].data();
    Memref2D<int8_t> wd{
        storage, storage, 0, {row.outF, w.rowBytes}, {w.rowBytes, 1}};
    Memref2D<float> out;
    layer(&out, &xd, &wd, 0.02f);
    std::free(out.allocated);
  });
  setCounters(state, row.outF, row.inF, row.tokens, row.cold, row.threads,
              static_cast<double>(w.matrixBytes),
              peakOf(kernelKind, row.threads), seconds);
}

/// The BitLinear layer on latent f32 weights: what a training step's
/// forward pays (the weights read as f32, 32 bits a weight).
void bitlinearLatent(benchmark::State &state) {
  Row row(state);
  auto layer =
      compiled(PackedKernel::auto_, kLayerModule).function<LatentFn>("latent");
  auto w = floatSet(row.outF, row.inF, row.cold, 4);
  ternary_bench::AlignedVector<float> x =
      floatSet(row.tokens, row.inF, false, 3)[0];
  setThreadCount(row.threads);
  Memref2D<float> xd{
      x.data(), x.data(), 0, {row.tokens, row.inF}, {row.inF, 1}};
  double seconds = timedCalls(state, w.size(), [&](size_t k) {
    float *storage = w[k].data();
    Memref2D<float> wd{storage, storage, 0, {row.outF, row.inF}, {row.inF, 1}};
    Memref2D<float> out;
    layer(&out, &xd, &wd);
    std::free(out.allocated);
  });
  setCounters(state, row.outF, row.inF, row.tokens, row.cold, row.threads,
              static_cast<double>(w[0].size() * sizeof(float)), 0.0, seconds);
}

void shapes(benchmark::internal::Benchmark *b) {
  b->ArgNames({"out", "in", "tokens", "cold", "threads"});
  const int64_t sizes[][2] = {{4096, 4096}, {2560, 6912}, {6912, 2560}};
  for (auto [outF, inF] : sizes)
    for (int64_t tokens : {1, 8, 32, 128, 512})
      for (int64_t cold : {1, 0})
        for (int64_t threads : {1, 2})
          if (tokens < 512 || outF == 4096) // the issue's 512-token rows
            b->Args({outF, inF, tokens, cold, threads});
  b->UseRealTime();
}

void registerAll() {
  const std::pair<const char *, PackedKernel> kernels[] = {
      {"avx512-vnni", PackedKernel::avx512_vnni},
      {"avx2", PackedKernel::avx2},
      {"vector", PackedKernel::vector}};
  std::string host = hostTargetFeatures();
  for (auto [name, kind] : kernels) {
    if (!missingKernelFeatures(kind, host).empty())
      continue; // this CPU cannot run it
    for (Encoding e : {Encoding::i2, Encoding::base3}) {
      std::string label =
          std::string("ternary_") + stringifyEncoding(e).str() + "/" + name;
      benchmark::RegisterBenchmark(label.c_str(), [kind,
                                                   e](benchmark::State &s) {
        ternaryProduct(s, kind, e);
      })->Apply(shapes);
    }
    std::string layer = std::string("bitlinear_i2/") + name;
    benchmark::RegisterBenchmark(layer.c_str(), [kind](benchmark::State &s) {
      bitlinearLayer(s, kind);
    })->Apply(shapes);
  }
  benchmark::RegisterBenchmark("bitlinear_latent", bitlinearLatent)
      ->Apply(shapes);
  benchmark::RegisterBenchmark("openblas_f32", openblasProduct)->Apply(shapes);
}

} // namespace

int main(int argc, char **argv) {
  registerAll();
  // Medians of 5 repetitions unless the command line says otherwise.
  std::vector<char *> args(argv, argv + argc);
  ternary_bench::addRepetitionDefaults(args, 5);
  int count = static_cast<int>(args.size());
  benchmark::Initialize(&count, args.data());
  if (benchmark::ReportUnrecognizedArguments(count, args.data()))
    return 1;
  // The limits, before the first row, and in the output's context.
  ternary_bench::reportLimits(kMaxThreads);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  compiledModules().clear();
  return 0;
}
