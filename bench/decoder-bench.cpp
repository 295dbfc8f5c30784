//===- decoder-bench.cpp - A BitNet b1.58 2B4T-shaped decoder -------------===//
//
// A whole decoder as a user deploys one: the model library's gpt in the
// shape of BitNet b1.58 2B4T (hidden 2560, FFN 6912, 20 heads of which 5
// key/value heads, gated ReLU^2, RMSNorm, rotary positions; --layers of
// its 30 blocks), random parameters bound and packed at compile time as
// ternary-generate deploys a checkpoint (exportModule), then
//   decoder/prefill/ENC/threads:T  @prefill of a --context-token prompt;
//   decoder/decode/ENC/threads:T   one @decode step at the last position,
//                                  the key/value caches full;
// for ENC i2 (2 bits a weight) and base3 (1.6), T 1 and 2. Each row reads
// against the limits Limits.cpp measures in the same run: a decoding step
// against the DRAM roofline of the weights it reads (the packed BitLinear
// weights, the f32 output head, the norms: `weight_bytes`; --layers 4 is
// 70 MB, more than the last-level cache), the prefill's ternary products
// against the vpdpbusd peak. Counters: tokens, layers, weight_bytes,
// tokens_per_s, bytes_per_s, roofline_bytes_per_s, roofline_fraction
// (decode), ops_per_s, peak_ops_per_s, peak_fraction (prefill), and the
// compile time of the model (compile_s). The head is 32-bit over a
// --vocabulary of 256 tokens (2B4T's 128256-token head is 0.33B
// parameters in bf16, beyond this benchmark's subject: the ternary stack).
// The blocks' BitLinear layers keep the library's biases (2B4T has none:
// 27 kB a block).
//
//   build/bin/ternary-decoder-bench --layers=4 --benchmark_format=json
//
// --emit-module=PREFIX writes each module it compiles to PREFIX.ENC.mlirbc
// (MLIR bytecode: ternary-opt reads it) for a look at its code.
//
//===----------------------------------------------------------------------===//

#include "Limits.h"

#include "ternary/Models/Models.h"
#include "ternary/Runner/Runner.h"
#include "ternary/Runner/Threads.h"
#include "ternary/Runner/ToolSupport.h"
#include "ternary/Runtime/Packing.h"
#include "ternary/Training/Export.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/raw_ostream.h"

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstring>
#include <map>
#include <random>

using namespace mlir;
using namespace mlir::ternary;
using ::ternary::DType;
using ::ternary::HostArray;

namespace {

constexpr int kMaxThreads = 2;

/// The command line's model size (the flags before Google Benchmark's),
/// and where to write the module it compiles (MLIR bytecode, for
/// ternary-opt; none when empty).
struct Shape {
  int64_t layers = 4, context = 128, vocabulary = 256;
  std::string emitModule;
};
Shape &shape() {
  static Shape s;
  return s;
}

/// The decoder compiled with one encoding, its inputs, and what a step
/// reads.
struct Decoder {
  std::unique_ptr<ToolContext> tool;
  std::unique_ptr<CompiledModule> module;
  HostArray ids, last, token, position, keys, values;
  double weightBytes = 0; ///< what a decoding step reads of the parameters
  double ternaryWeights = 0;
  double compileSeconds = 0;
};

[[noreturn]] void fail(const std::string &message) {
  llvm::errs() << "ternary-decoder-bench: " << message << "\n";
  std::exit(1);
}

models::ModelConfig config2B4T(const Shape &s) {
  models::ModelConfig c;
  c.architecture = "gpt";
  c.ternary = true;
  c.depth = s.layers;
  c.width = 2560;
  c.mlpMult = 6912.0 / 2560.0;
  c.heads = 20;
  c.kvHeads = 5;
  c.context = s.context;
  c.rmsNorm = true;
  c.activation = "relu2-glu";
  c.rotary = true;
  return c;
}

/// The compiled decoders, kept for the whole run; cleared before main
/// returns (JIT engines must not outlive LLVM's globals).
std::map<Encoding, Decoder> &decoders() {
  static std::map<Encoding, Decoder> all;
  return all;
}

/// The decoder with `encoding`, compiled once.
Decoder &decoder(Encoding encoding) {
  Decoder &d = decoders()[encoding];
  if (d.module)
    return d;
  const Shape &s = shape();
  models::DataShape data{{s.context},
                         s.vocabulary,
                         ::ternary::data::DatasetKind::Corpus,
                         s.vocabulary};
  d.tool = std::make_unique<ToolContext>();
  auto module = models::buildModel(d.tool->context(), config2B4T(s), data);
  if (!module)
    fail(llvm::toString(module.takeError()));
  // Random parameters: N(0, 0.02) matrices and embeddings, unit gains.
  auto loss = (**module).lookupSymbol<func::FuncOp>("loss");
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.f, 0.02f);
  auto packedEncoding = static_cast<ternary_encoding>(encoding);
  std::vector<HostArray> params;
  for (unsigned i = 0; i < loss.getNumArguments(); ++i) {
    auto name = loss.getArgAttrOfType<StringAttr>(i, "ternary.name");
    if (!name)
      continue;
    auto type = cast<RankedTensorType>(loss.getArgumentTypes()[i]);
    HostArray p = HostArray::zeros(
        DType::F32,
        std::vector<int64_t>(type.getShape().begin(), type.getShape().end()));
    bool gain = type.getRank() == 1 && name.getValue().contains("norm");
    for (int64_t e = 0; e < p.numElements(); ++e)
      p.data<float>()[e] = gain ? 1.0f : normal(rng);
    // What a step reads: a BitLinear matrix packed (and its scale), the
    // f32 head and vectors; one row of the token table.
    int64_t rows = type.getDimSize(0);
    if (name.getValue() == "tok.weight")
      d.weightBytes += 4.0 * type.getDimSize(1);
    else if (name.getValue() == "head.weight" || type.getRank() == 1)
      d.weightBytes += 4.0 * p.numElements();
    else {
      d.weightBytes +=
          rows * ternary_packed_row_bytes(type.getDimSize(1), packedEncoding) +
          4.0;
      d.ternaryWeights += double(p.numElements());
    }
    params.push_back(std::move(p));
  }
  auto exported = exportModule(
      **module, llvm::ArrayRef<std::string>{"prefill", "decode"}, params);
  if (!exported)
    fail(llvm::toString(exported.takeError()));
  params.clear();
  if (!s.emitModule.empty()) {
    std::error_code ec;
    llvm::raw_fd_ostream os(
        s.emitModule + "." + stringifyEncoding(encoding).str() + ".mlirbc", ec);
    if (ec || failed(writeBytecodeToFile(**exported, os)))
      fail("cannot write '" + s.emitModule + "': " + ec.message());
  }
  InferencePipelineOptions options;
  options.encoding = encoding;
  auto started = std::chrono::steady_clock::now();
  auto compiled =
      CompiledModule::compile(std::move(*exported), options, TargetOptions());
  if (!compiled)
    fail(llvm::toString(compiled.takeError()));
  d.compileSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
          .count();
  d.module = std::make_unique<CompiledModule>(std::move(*compiled));

  // A prompt filling the context; the step after it at the last position.
  std::uniform_int_distribution<int64_t> token(0, s.vocabulary - 1);
  d.ids = HostArray::zeros(DType::I64, {1, s.context});
  for (int64_t t = 0; t < s.context; ++t)
    d.ids.data<int64_t>()[t] = token(rng);
  d.last = HostArray::zeros(DType::I64, {});
  d.last.data<int64_t>()[0] = s.context - 1;
  d.token = HostArray::zeros(DType::I64, {1});
  d.token.data<int64_t>()[0] = token(rng);
  d.position = d.last;
  auto prefilled = d.module->call("prefill", {d.ids, d.last});
  if (!prefilled)
    fail(llvm::toString(prefilled.takeError()));
  d.keys = (*prefilled)[1];
  d.values = (*prefilled)[2];
  return d;
}

/// Memref descriptors as the C interface takes them (rank 0: no sizes).
template <int Rank> struct Memref {
  void *allocated, *aligned;
  int64_t offset, sizes[Rank], strides[Rank];
};
template <> struct Memref<0> {
  void *allocated, *aligned;
  int64_t offset;
};

/// `a` as a row-major descriptor of its own storage.
template <int Rank> Memref<Rank> viewOf(HostArray &a) {
  Memref<Rank> m;
  m.allocated = m.aligned = a.bytes.data();
  m.offset = 0;
  if constexpr (Rank > 0) {
    int64_t stride = 1;
    for (int d = Rank - 1; d >= 0; --d) {
      m.sizes[d] = a.shape[d];
      m.strides[d] = stride;
      stride *= a.shape[d];
    }
  }
  return m;
}

/// What @prefill and @decode return: the logits and the two caches.
struct StepResults {
  Memref<2> logits;
  Memref<4> keys, values;
};
using PrefillFn = void (*)(StepResults *, Memref<2> *, Memref<0> *);
using DecodeFn = void (*)(StepResults *, Memref<1> *, Memref<0> *, Memref<4> *,
                          Memref<4> *);

/// Frees the results the callee allocated (a cache may be an input passed
/// through).
void release(StepResults &r, const std::vector<const void *> &inputs) {
  std::vector<void *> freed;
  for (void *p : {r.logits.allocated, r.keys.allocated, r.values.allocated})
    if (p && !llvm::is_contained(inputs, p) && !llvm::is_contained(freed, p)) {
      freed.push_back(p);
      std::free(p);
    }
}

/// The C interface of `function`, as a `Fn`.
template <typename Fn> Fn cInterface(Decoder &d, const char *function) {
  auto fn = d.module->lookupCInterface(function);
  if (!fn)
    fail(llvm::toString(fn.takeError()));
  return reinterpret_cast<Fn>(*fn);
}

/// The row's counters; rates are per second of the benchmark's own (real)
/// time, fractions the rates over the same run's limits.
void setCounters(benchmark::State &state, const Decoder &d, int threads,
                 int64_t tokens, bool decode) {
  const ternary_bench::Limits &l = ternary_bench::limits(kMaxThreads);
  double ops = 2.0 * d.ternaryWeights * tokens;
  double roofline = l.readBytesPerSecond.at(threads);
  double peak = l.vnniOpsPerSecond.at(threads);
  auto rate = [](double perCall) {
    return benchmark::Counter(perCall,
                              benchmark::Counter::kIsIterationInvariantRate);
  };
  state.counters["tokens"] = double(tokens);
  state.counters["layers"] = double(shape().layers);
  state.counters["threads"] = threads;
  state.counters["weight_bytes"] = d.weightBytes;
  state.counters["tokens_per_s"] = rate(double(tokens));
  state.counters["bytes_per_s"] = rate(d.weightBytes);
  state.counters["roofline_bytes_per_s"] = roofline;
  state.counters["roofline_fraction"] =
      rate(decode ? d.weightBytes / roofline : 0.0);
  state.counters["ops_per_s"] = rate(ops);
  state.counters["peak_ops_per_s"] = peak;
  state.counters["peak_fraction"] = rate(!decode && peak > 0 ? ops / peak : 0);
  state.counters["compile_s"] = d.compileSeconds;
}

// The steps are called through their C interface, as a program linking the
// compiled object calls them: no copies of the inputs or results.

void prefill(benchmark::State &state, Encoding encoding, int threads) {
  Decoder &d = decoder(encoding);
  auto fn = cInterface<PrefillFn>(d, "prefill");
  setThreadCount(threads);
  Memref<2> ids = viewOf<2>(d.ids);
  Memref<0> last = viewOf<0>(d.last);
  for (auto _ : state) {
    StepResults r;
    fn(&r, &ids, &last);
    release(r, {});
  }
  setCounters(state, d, threads, shape().context, false);
}

void decode(benchmark::State &state, Encoding encoding, int threads) {
  Decoder &d = decoder(encoding);
  auto fn = cInterface<DecodeFn>(d, "decode");
  setThreadCount(threads);
  Memref<1> token = viewOf<1>(d.token);
  Memref<0> position = viewOf<0>(d.position);
  Memref<4> keys = viewOf<4>(d.keys), values = viewOf<4>(d.values);
  for (auto _ : state) {
    StepResults r;
    fn(&r, &token, &position, &keys, &values);
    release(r, {d.keys.bytes.data(), d.values.bytes.data()});
  }
  setCounters(state, d, threads, 1, true);
}

void registerAll() {
  for (Encoding e : {Encoding::i2, Encoding::base3})
    for (int threads = 1; threads <= kMaxThreads; ++threads) {
      std::string suffix = "/" + stringifyEncoding(e).str() +
                           "/threads:" + std::to_string(threads);
      benchmark::RegisterBenchmark(
          ("decoder/prefill" + suffix).c_str(),
          [e, threads](benchmark::State &s) { prefill(s, e, threads); })
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
      benchmark::RegisterBenchmark(
          ("decoder/decode" + suffix).c_str(),
          [e, threads](benchmark::State &s) { decode(s, e, threads); })
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
    }
}

/// Takes --layers=N, --context=N, --vocabulary=N and --emit-module=PREFIX
/// out of the command line; exits with a message on a bad value.
std::vector<char *> takeShapeFlags(int argc, char **argv) {
  std::vector<char *> rest = {argv[0]};
  const char *emit = "--emit-module=";
  const std::pair<const char *, int64_t *> flags[] = {
      {"--layers=", &shape().layers},
      {"--context=", &shape().context},
      {"--vocabulary=", &shape().vocabulary}};
  for (int i = 1; i < argc; ++i) {
    bool taken = false;
    if (std::strncmp(argv[i], emit, std::strlen(emit)) == 0) {
      shape().emitModule = argv[i] + std::strlen(emit);
      continue;
    }
    for (auto [flag, value] : flags) {
      size_t n = std::strlen(flag);
      if (std::strncmp(argv[i], flag, n) != 0)
        continue;
      char *end = nullptr;
      long long v = std::strtoll(argv[i] + n, &end, 10);
      if (*end != '\0' || v < 1 || v > 4096)
        fail(std::string("'") + argv[i] + "': a number from 1 to 4096");
      *value = v;
      taken = true;
    }
    if (!taken)
      rest.push_back(argv[i]);
  }
  return rest;
}

} // namespace

int main(int argc, char **argv) {
  std::vector<char *> args = takeShapeFlags(argc, argv);
  ternary_bench::addRepetitionDefaults(args, 3);
  registerAll();
  int count = static_cast<int>(args.size());
  benchmark::Initialize(&count, args.data());
  if (benchmark::ReportUnrecognizedArguments(count, args.data()))
    return 1;
  ternary_bench::reportLimits(kMaxThreads);
  benchmark::AddCustomContext("layers", std::to_string(shape().layers));
  benchmark::AddCustomContext("context", std::to_string(shape().context));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  decoders().clear();
  return 0;
}
