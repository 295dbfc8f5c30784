//===- BenchSupport.h - What the kernel benchmarks share --------*- C++ -*-===//
//
// A module compiled once by the inference pipeline (JIT, host CPU) and kept,
// with its context, for the whole benchmark run; the C interface of its
// functions. Failures end the run with the message (a benchmark has no one
// to hand them to).
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_BENCH_BENCHSUPPORT_H
#define TERNARY_BENCH_BENCHSUPPORT_H

#include "ternary/InitAll.h"
#include "ternary/Runner/Runner.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <vector>

namespace ternary_bench {

/// Storage aligned to a cache line, as the compiled code's own buffers are
/// (one-shot bufferization aligns them to 64 bytes). With malloc's 16 bytes
/// every 64-byte vector load of an input spanned two cache lines or not,
/// depending on where the allocator put it: rows of the packed products
/// moved between two speeds (0.41 and 0.70 ms) from run to run.
template <typename T> struct CacheLineAllocator {
  using value_type = T;
  static constexpr std::align_val_t kAlignment{64};
  CacheLineAllocator() = default;
  template <typename U> CacheLineAllocator(const CacheLineAllocator<U> &) {}
  T *allocate(size_t n) {
    return static_cast<T *>(::operator new(n * sizeof(T), kAlignment));
  }
  void deallocate(T *p, size_t) { ::operator delete(p, kAlignment); }
  template <typename U> bool operator==(const CacheLineAllocator<U> &) const {
    return true;
  }
  template <typename U> bool operator!=(const CacheLineAllocator<U> &) const {
    return false;
  }
};

/// A vector whose data starts on a cache line.
template <typename T>
using AlignedVector = std::vector<T, CacheLineAllocator<T>>;

/// A compiled module and the context it was parsed in.
struct CompiledBench {
  std::unique_ptr<mlir::MLIRContext> context;
  std::unique_ptr<mlir::ternary::CompiledModule> module;

  /// Compiles `text` with `options` (once: later calls do nothing).
  void compile(const std::string &text,
               const mlir::ternary::InferencePipelineOptions &options) {
    if (module)
      return;
    mlir::DialectRegistry registry;
    mlir::ternary::registerAllDialects(registry);
    mlir::ternary::registerAllTranslations(registry);
    context = std::make_unique<mlir::MLIRContext>(registry);
    auto parsed = mlir::parseSourceString<mlir::ModuleOp>(text, context.get());
    if (!parsed) {
      llvm::errs() << "the benchmark's module does not parse:\n" << text;
      std::exit(1);
    }
    auto compiled = mlir::ternary::CompiledModule::compile(
        std::move(parsed), options, mlir::ternary::TargetOptions());
    if (!compiled) {
      llvm::errs() << llvm::toString(compiled.takeError()) << "\n";
      std::exit(1);
    }
    module =
        std::make_unique<mlir::ternary::CompiledModule>(std::move(*compiled));
  }

  /// The C interface of `function`, as a `Fn`.
  template <typename Fn> Fn function(const std::string &name) const {
    auto fn = module->lookupCInterface(name);
    if (!fn) {
      llvm::errs() << llvm::toString(fn.takeError()) << "\n";
      std::exit(1);
    }
    return reinterpret_cast<Fn>(*fn);
  }
};

} // namespace ternary_bench

#endif // TERNARY_BENCH_BENCHSUPPORT_H
