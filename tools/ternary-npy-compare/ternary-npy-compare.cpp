//===- ternary-npy-compare.cpp - Compare .npy arrays within a tolerance ---===//
//
// ternary-npy-compare ACTUAL.npy EXPECTED.npy [--rtol=R] [--atol=A]
//
// Exits 0 when the arrays have the same shape and every element satisfies
// |actual - expected| <= atol + rtol * |expected| (NaN only matches NaN),
// 1 otherwise, printing the worst element; 2 on unreadable input. Integer
// arrays are compared as doubles. The tests use it to compare compiled
// results with committed fixtures.
//
//===----------------------------------------------------------------------===//

#include "ternary/Support/Npy.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

using namespace llvm;

static cl::opt<std::string> actualPath(cl::Positional, cl::Required,
                                       cl::desc("<actual.npy>"));
static cl::opt<std::string> expectedPath(cl::Positional, cl::Required,
                                         cl::desc("<expected.npy>"));
static cl::opt<double> relTol("rtol", cl::desc("Relative tolerance"),
                              cl::init(1e-4));
static cl::opt<double> absTol("atol", cl::desc("Absolute tolerance"),
                              cl::init(0.0));

static double element(const ternary::HostArray &a, int64_t i) {
  switch (a.dtype) {
  case ternary::DType::F32:
    return a.data<float>()[i];
  case ternary::DType::F64:
    return a.data<double>()[i];
  case ternary::DType::I8:
    return a.data<int8_t>()[i];
  case ternary::DType::U8:
    return a.data<uint8_t>()[i];
  case ternary::DType::I16:
    return a.data<int16_t>()[i];
  case ternary::DType::I32:
    return a.data<int32_t>()[i];
  case ternary::DType::I64:
    return static_cast<double>(a.data<int64_t>()[i]);
  }
  return 0;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv,
                              "Compare two .npy arrays within a tolerance\n");
  ternary::HostArray actual, expected;
  std::string error;
  for (auto [path, array] :
       {std::pair{&actualPath, &actual}, std::pair{&expectedPath, &expected}})
    if (!ternary::readNpy(*path, *array, error)) {
      errs() << "ternary-npy-compare: " << *path << ": " << error << "\n";
      return 2;
    }
  if (actual.shape != expected.shape) {
    errs() << "ternary-npy-compare: shapes differ: " << actual.shapeString()
           << " (" << actualPath << ") against " << expected.shapeString()
           << " (" << expectedPath << ")\n";
    return 1;
  }
  int64_t worst = -1, failures = 0;
  double worstExcess = 0;
  for (int64_t i = 0, e = actual.numElements(); i < e; ++i) {
    double a = element(actual, i), x = element(expected, i);
    if (std::isnan(a) || std::isnan(x)) {
      if (std::isnan(a) != std::isnan(x)) {
        ++failures;
        if (worst < 0 || worstExcess < INFINITY)
          worst = i, worstExcess = INFINITY;
      }
      continue;
    }
    double excess = std::fabs(a - x) - (absTol + relTol * std::fabs(x));
    if (excess > 0) {
      ++failures;
      if (worst < 0 || excess > worstExcess)
        worst = i, worstExcess = excess;
    }
  }
  if (failures == 0) {
    outs() << "ternary-npy-compare: " << actual.numElements()
           << " elements agree (rtol " << relTol << ", atol " << absTol
           << ")\n";
    return 0;
  }
  errs() << "ternary-npy-compare: " << failures << " of "
         << actual.numElements() << " elements differ; worst at flat index "
         << worst << ": " << element(actual, worst) << " against "
         << element(expected, worst) << "\n";
  return 1;
}
