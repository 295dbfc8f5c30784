//===- ternary-difftest.cpp - Compiled code against the reference ---------===//
//
// Differential test of the whole compiler: one module with a function for
// every combination of options (all shapes dynamic) is compiled once through
// the inference pipeline for the target given by --mcpu/--mattr, then random
// cases (batch 1..64, K and N 1..1100 unless --min-k, --max-k, --max-n
// say otherwise) run through it and through the
// reference numerics (lib/Reference), and every output is compared:
//
// - `bl_*` functions are one `ternary.bitlinear` (weights as f32 arguments:
//   decomposition, weight scale and quantisation at run time);
// - `pk_*` functions take weights packed by the runtime (`i2` or `base3`,
//   the packed ABI) and return the i32 accumulators too, which must be
//   identical to the reference's.
//
// Float outputs must agree within 1e-5 relative (the tool also counts how
// many are bit-identical). Exit status 1 on any mismatch.
//
// With --special-values the inputs also hold NaN, infinities, denormals,
// zeros, all-zero and all-denormal tensors and huge magnitudes (up to the
// largest float): a NaN must come out exactly where the reference has one
// (docs/numerics.md, "Non-finite values"), an infinity must match exactly,
// and the tool also checks the rule itself: an output row is NaN iff its
// activation scale or the weight scale is NaN.
//
//===----------------------------------------------------------------------===//

#include "ternary/InitAll.h"
#include "ternary/Reference/BitLinear.h"
#include "ternary/Runner/Runner.h"
#include "ternary/Runner/ToolSupport.h"
#include "ternary/Runtime/Packing.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>
#include <random>
#include <sstream>

using namespace mlir;
using namespace mlir::ternary;
namespace ref = ::ternary::ref;
namespace cl = llvm::cl;

static cl::opt<unsigned> numCases("cases", cl::desc("Number of random cases"),
                                  cl::init(300));
static cl::opt<bool> full("full", cl::desc("Run 10,000 cases"),
                          cl::init(false));
static cl::opt<unsigned> seed("seed", cl::desc("Random seed"), cl::init(1));
static cl::opt<std::string> mcpu("mcpu", cl::desc("Target CPU"));
static cl::opt<std::string> mattr("mattr", cl::desc("Target features"));
static cl::opt<bool>
    packRuntimeWeights("pack-runtime-weights",
                       cl::desc("Pack the bl_* functions' run-time weights"),
                       cl::init(false));
static cl::opt<int64_t> minK("min-k", cl::desc("Smallest K of a case"),
                             cl::init(1));
static cl::opt<int64_t> maxK("max-k", cl::desc("Largest K of a case"),
                             cl::init(1100));
static cl::opt<int64_t> maxN("max-n", cl::desc("Largest N of a case"),
                             cl::init(1100));
static cl::opt<bool> verbose("v", cl::desc("Print every case"),
                             cl::init(false));
static cl::opt<bool> specialValues(
    "special-values",
    cl::desc("Inputs with NaN, infinities, denormals, zeros and huge values"),
    cl::init(false));

static cl::opt<PackedKernel>
    kernel("kernel", cl::desc("Kernel of the packed ternary product"),
           cl::init(PackedKernel::auto_), packedKernelOptionValues());

namespace {

struct Config {
  bool packedAbi;         // pk_* (packed weights) or bl_* (bitlinear)
  ref::ScaleMethod scale; // bl_* only
  Encoding encoding;      // pk_* only
  ref::NormKind norm;
  bool bias;
  int q;
  std::string name;
};

const char *normName(ref::NormKind n) {
  switch (n) {
  case ref::NormKind::None:
    return "none";
  case ref::NormKind::Layer:
    return "layer";
  case ref::NormKind::LayerAffine:
    return "layer_affine";
  case ref::NormKind::RMS:
    return "rms";
  }
  return "";
}

std::vector<Config> allConfigs() {
  std::vector<Config> configs;
  const ref::NormKind norms[] = {ref::NormKind::None, ref::NormKind::Layer,
                                 ref::NormKind::LayerAffine,
                                 ref::NormKind::RMS};
  for (ref::NormKind norm : norms)
    for (bool bias : {false, true})
      for (int q : {127, 128}) {
        for (ref::ScaleMethod s :
             {ref::ScaleMethod::AbsMean, ref::ScaleMethod::AbsMedian}) {
          Config c{false, s, Encoding::i2, norm, bias, q, ""};
          c.name = std::string("bl_") +
                   (s == ref::ScaleMethod::AbsMean ? "absmean" : "absmedian") +
                   "_" + normName(norm) + (bias ? "_bias" : "") + "_q" +
                   std::to_string(q);
          configs.push_back(c);
        }
        for (Encoding e : {Encoding::i2, Encoding::base3}) {
          Config c{true, ref::ScaleMethod::AbsMedian, e, norm, bias, q, ""};
          c.name = "pk_" + stringifyEncoding(e).str() + "_" + normName(norm) +
                   (bias ? "_bias" : "") + "_q" + std::to_string(q);
          configs.push_back(c);
        }
      }
  return configs;
}

/// The MLIR text of the function for `c`.
std::string functionText(const Config &c) {
  std::ostringstream os;
  const char *norm = normName(c.norm);
  bool affine = c.norm == ref::NormKind::LayerAffine;
  std::string attrsNorm = std::string("#ternary.norm<") + norm + ">";
  if (!c.packedAbi) {
    os << "func.func @" << c.name << "(%x: tensor<?x?xf32>, %w: tensor<?x?xf32>"
       << (c.bias ? ", %b: tensor<?xf32>" : "")
       << (affine ? ", %gamma: tensor<?xf32>, %beta: tensor<?xf32>" : "")
       << ") -> tensor<?x?xf32> {\n"
       << "  %y = ternary.bitlinear %x, %w" << (c.bias ? " bias %b" : "")
       << (affine ? " affine(%gamma, %beta)" : "") << " {norm = " << attrsNorm
       << ", scale = #ternary.scale<"
       << (c.scale == ref::ScaleMethod::AbsMean ? "absmean" : "absmedian")
       << ">, q = " << c.q << " : i32} : (tensor<?x?xf32>, tensor<?x?xf32>"
       << (c.bias ? ", tensor<?xf32>" : "")
       << (affine ? ", tensor<?xf32>, tensor<?xf32>" : "")
       << ") -> tensor<?x?xf32>\n"
       << "  return %y : tensor<?x?xf32>\n}\n";
    return os.str();
  }
  std::string packed =
      "!ternary.packed<?x?, " + stringifyEncoding(c.encoding).str() + ">";
  os << "func.func @" << c.name << "(%x: tensor<?x?xf32>, %p: " << packed
     << ", %g: f32" << (c.bias ? ", %b: tensor<?xf32>" : "")
     << (affine ? ", %gamma: tensor<?xf32>, %beta: tensor<?xf32>" : "")
     << ") -> (tensor<?x?xf32>, tensor<?x?xi32>) {\n";
  std::string xh = "%x";
  if (c.norm != ref::NormKind::None) {
    os << "  %xh = ternary.normalize %x"
       << (affine ? " affine(%gamma, %beta)" : "") << " {kind = " << attrsNorm
       << "} : (tensor<?x?xf32>"
       << (affine ? ", tensor<?xf32>, tensor<?xf32>" : "")
       << ") -> tensor<?x?xf32>\n";
    xh = "%xh";
  }
  os << "  %xq, %a = ternary.quantize_activations " << xh << " {q = " << c.q
     << " : i32} : tensor<?x?xf32> -> tensor<?x?xi8>, tensor<?xf32>\n"
     << "  %acc = ternary.matmul %xq, %p : tensor<?x?xi8>, " << packed
     << " -> tensor<?x?xi32>\n"
     << "  %y = ternary.rescale %acc, %a, %g" << (c.bias ? " bias %b" : "")
     << " {q = " << c.q << " : i32} : tensor<?x?xi32>, tensor<?xf32>"
     << (c.bias ? ", tensor<?xf32>" : "") << " -> tensor<?x?xf32>\n"
     << "  return %y, %acc : tensor<?x?xf32>, tensor<?x?xi32>\n}\n";
  return os.str();
}

HostArray floats(std::vector<int64_t> shape, std::mt19937 &rng, float scale) {
  HostArray a = HostArray::zeros(DType::F32, std::move(shape));
  std::normal_distribution<float> dist(0.f, scale);
  std::uniform_int_distribution<int> special(0, 40);
  for (int64_t i = 0; i < a.numElements(); ++i) {
    int s = special(rng);
    // Exact zeros, ties and repeated values exercise the corner cases.
    a.data<float>()[i] = s == 0   ? 0.f
                         : s == 1 ? 0.5f * scale
                         : s == 2 ? -scale
                                  : dist(rng);
  }
  return a;
}

/// `a` with special values when --special-values is given: per array, one
/// of a few patterns (mostly ordinary data with rare specials, sometimes all
/// zeros, all denormals or huge values), so that most cases still have
/// finite outputs to compare.
void addSpecialValues(HostArray &a, std::mt19937 &rng) {
  if (!specialValues)
    return;
  const float inf = std::numeric_limits<float>::infinity();
  const float specials[] = {std::numeric_limits<float>::quiet_NaN(),
                            inf,
                            -inf,
                            std::numeric_limits<float>::denorm_min(),
                            -1.5e-40f,
                            -0.0f,
                            1e30f,
                            -std::numeric_limits<float>::max(),
                            std::numeric_limits<float>::max()};
  std::uniform_int_distribution<int> pattern(0, 9), element(0, 400);
  std::uniform_int_distribution<size_t> which(0, std::size(specials) - 1);
  float *v = a.data<float>();
  int64_t count = a.numElements();
  switch (pattern(rng)) {
  case 0: // all zeros
    std::fill(v, v + count, 0.f);
    return;
  case 1: // all denormal
    for (int64_t i = 0; i < count; ++i)
      v[i] *= 1e-39f;
    return;
  case 2: // huge but finite
    for (int64_t i = 0; i < count; ++i)
      v[i] *= 1e25f;
    return;
  case 3: // one special value
    v[std::uniform_int_distribution<int64_t>(0, count - 1)(rng)] =
        specials[which(rng)];
    return;
  case 4: // rare specials of every kind
    for (int64_t i = 0; i < count; ++i)
      if (element(rng) == 0)
        v[i] = specials[which(rng)];
    return;
  default: // ordinary data
    return;
  }
}

/// A size in [min, max], log-uniform so that small and odd sizes are
/// common.
int64_t randomSize(std::mt19937 &rng, int64_t min, int64_t max) {
  std::uniform_real_distribution<double> u(std::log(double(min)),
                                           std::log(double(max)));
  return std::min<int64_t>(max, std::max<int64_t>(min, std::exp(u(rng))));
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "ternary differential test\n");
  unsigned cases = full ? 10000 : numCases;
  if (minK < 1 || maxK < minK || maxN < 1) {
    llvm::errs() << "error: sizes need 1 <= --min-k <= --max-k and "
                    "--max-n >= 1\n";
    return 2;
  }

  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllTranslations(registry);
  MLIRContext context(registry);

  std::vector<Config> configs = allConfigs();
  std::string text;
  for (const Config &c : configs)
    text += functionText(c);
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, &context);
  if (!module) {
    llvm::errs() << "generated module does not parse:\n" << text;
    return 2;
  }
  InferencePipelineOptions pipeline;
  pipeline.kernel = kernel;
  pipeline.packRuntimeWeights = packRuntimeWeights;
  auto compiled =
      CompiledModule::compile(std::move(module), pipeline, {mcpu, mattr, 3});
  if (!compiled) {
    llvm::errs() << llvm::toString(compiled.takeError()) << "\n";
    return 2;
  }

  std::mt19937 rng(seed);
  std::uniform_int_distribution<size_t> pick(0, configs.size() - 1);
  std::uniform_int_distribution<int64_t> batch(1, 64);
  std::uniform_real_distribution<float> magnitude(0.01f, 10.f);
  uint64_t outputs = 0, exact = 0, accs = 0, mismatches = 0, nanOutputs = 0,
           ruleViolations = 0;
  unsigned failedCases = 0;
  for (unsigned n = 0; n < cases; ++n) {
    const Config &c = configs[pick(rng)];
    int64_t m = batch(rng), k = randomSize(rng, minK, maxK),
            nOut = randomSize(rng, 1, maxN);
    // Keep the reference fast: big K x N only with small batches.
    if (m * k * nOut > 8'000'000)
      m = std::max<int64_t>(1, 8'000'000 / (k * nOut));
    HostArray x = floats({m, k}, rng, magnitude(rng));
    HostArray w = floats({nOut, k}, rng, magnitude(rng) * 0.1f);
    HostArray b = floats({nOut}, rng, 1.f);
    HostArray gamma = floats({k}, rng, 1.f), beta = floats({k}, rng, 0.5f);
    for (HostArray *a : {&x, &w, &b, &gamma, &beta})
      addSpecialValues(*a, rng);

    ref::BitLinearOptions opts;
    opts.scale = c.scale;
    opts.norm = c.norm;
    opts.q = c.q;
    ref::BitLinearArgs args;
    args.x = x.data<float>();
    args.w = w.data<float>();
    args.bias = c.bias ? b.data<float>() : nullptr;
    args.gamma = gamma.data<float>();
    args.beta = beta.data<float>();
    args.rows = m;
    args.k = k;
    args.n = nOut;
    std::vector<float> yRef(m * nOut);
    ref::BitLinearTrace trace;
    ref::bitLinearForward(args, opts, yRef.data(), &trace);

    std::vector<HostArray> inputs = {x};
    if (c.packedAbi) {
      HostArray packed = HostArray::zeros(
          DType::I8, {nOut, ternary_packed_row_bytes(
                                k, static_cast<ternary_encoding>(c.encoding))});
      if (ternary_pack(trace.wq.data(), nOut, k,
                       static_cast<ternary_encoding>(c.encoding),
                       reinterpret_cast<uint8_t *>(packed.bytes.data())) != 0) {
        llvm::errs() << "ternary_pack failed\n";
        return 2;
      }
      HostArray g = HostArray::zeros(DType::F32, {});
      g.data<float>()[0] = trace.g;
      inputs.push_back(packed);
      inputs.push_back(g);
    } else {
      inputs.push_back(w);
    }
    if (c.bias)
      inputs.push_back(b);
    if (c.norm == ref::NormKind::LayerAffine) {
      inputs.push_back(gamma);
      inputs.push_back(beta);
    }

    auto results = compiled->call(c.name, inputs);
    if (!results) {
      llvm::errs() << c.name << ": " << llvm::toString(results.takeError())
                   << "\n";
      return 2;
    }
    unsigned caseMismatches = 0;
    const float *y = (*results)[0].data<float>();
    auto allFinite = [](const HostArray &a, int64_t begin, int64_t end) {
      return std::all_of(a.data<float>() + begin, a.data<float>() + end,
                         [](float v) { return std::isfinite(v); });
    };
    bool affineBad = c.norm == ref::NormKind::LayerAffine &&
                     !(allFinite(gamma, 0, k) && allFinite(beta, 0, k));
    bool weightsBad = !allFinite(w, 0, nOut * k);
    std::vector<bool> rowBad(m);
    for (int64_t r = 0; r < m; ++r)
      rowBad[r] = affineBad || !allFinite(x, r * k, (r + 1) * k);
    for (int64_t i = 0; i < m * nOut; ++i) {
      ++outputs;
      // The rule of docs/numerics.md, from the inputs: a non-finite weight,
      // input row, gamma or beta, or a NaN bias makes the output NaN; a NaN
      // appears otherwise only through a NaN from the normalisation, a
      // rescale factor that overflows or an infinite bias.
      int64_t row = i / nOut, col = i % nOut;
      float bias = c.bias ? b.data<float>()[col] : 0.f;
      float factor = trace.g * trace.absmax[row] / c.q;
      bool mustBeNaN = weightsBad || rowBad[row] || std::isnan(bias);
      bool mayBeNaN =
          mustBeNaN || !std::isfinite(factor) || std::isinf(bias) ||
          (c.norm != ref::NormKind::None && std::isnan(trace.absmax[row]));
      if ((mustBeNaN && !std::isnan(yRef[i])) ||
          (std::isnan(yRef[i]) && !mayBeNaN)) {
        ++ruleViolations;
        ++caseMismatches;
      }
      if (std::isnan(y[i]) || std::isnan(yRef[i])) {
        nanOutputs += std::isnan(yRef[i]);
        if (std::isnan(y[i]) == std::isnan(yRef[i]))
          ++exact;
        else
          ++caseMismatches;
        continue;
      }
      if (std::memcmp(&y[i], &yRef[i], sizeof(float)) == 0) {
        ++exact;
        continue;
      }
      // One unit of the accumulator at this row, as an absolute floor.
      float unit = trace.g * trace.absmax[i / nOut] / c.q;
      if (!std::isfinite(yRef[i]) || !std::isfinite(unit) ||
          std::fabs(y[i] - yRef[i]) > 1e-5f * (std::fabs(yRef[i]) + unit))
        ++caseMismatches;
    }
    if (c.packedAbi) {
      const int32_t *acc = (*results)[1].data<int32_t>();
      for (int64_t i = 0; i < m * nOut; ++i) {
        ++accs;
        if (acc[i] != trace.acc[i])
          ++caseMismatches;
      }
    }
    mismatches += caseMismatches;
    if (caseMismatches)
      ++failedCases;
    if (verbose || caseMismatches)
      llvm::outs() << "case " << n << ": " << c.name << " M=" << m << " K=" << k
                   << " N=" << nOut << ": "
                   << (caseMismatches ? "MISMATCH" : "ok") << "\n";
  }
  llvm::outs() << "kernel: " << packedKernelOptionName(kernel) << "\n"
               << "cases: " << cases << " over " << configs.size()
               << " configurations\n"
               << "outputs: " << outputs << " (" << exact
               << " bit-identical to the reference)\n"
               << "accumulators compared: " << accs << "\n";
  if (specialValues)
    llvm::outs() << "NaN outputs: " << nanOutputs << " (" << ruleViolations
                 << " against the rule)\n";
  llvm::outs() << "mismatches: " << mismatches << " in " << failedCases
               << " cases\n";
  return mismatches ? 1 : 0;
}
