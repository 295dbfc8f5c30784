//===- Limits.cpp - The machine's limits, measured by the benchmark -------===//
//
// Probes in plain C++ with x86 intrinsics, compiled for the instructions
// they measure (function target attributes) and run only where the CPU has
// them. The threads of a probe start together (a barrier) and the slowest
// one's time counts.
//
//===----------------------------------------------------------------------===//

#include "Limits.h"

#include <benchmark/benchmark.h>
#include <immintrin.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace ternary_bench {

namespace {

using Clock = std::chrono::steady_clock;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

/// Runs work(t) on `threads` threads started together; the seconds from
/// the start to the last one's end.
template <typename Work> double timedOnThreads(int threads, Work work) {
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<double> ends(static_cast<size_t>(threads));
  Clock::time_point start;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire))
        ;
      work(t);
      ends[static_cast<size_t>(t)] =
          std::chrono::duration<double>(Clock::now() - start).count();
    });
  while (ready.load() < threads)
    ;
  start = Clock::now();
  go.store(true, std::memory_order_release);
  for (std::thread &th : pool)
    th.join();
  return *std::max_element(ends.begin(), ends.end());
}

/// The sum of `n` 32-byte blocks from `p` (8 accumulators: loads, not
/// additions, bound the loop).
__attribute__((target("avx2"))) uint64_t sumAvx2(const __m256i *p, size_t n) {
  __m256i acc[8];
  for (__m256i &a : acc)
    a = _mm256_setzero_si256();
  for (size_t i = 0; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; ++k)
      acc[k] = _mm256_add_epi64(acc[k], _mm256_load_si256(p + i + k));
  for (int k = 1; k < 8; ++k)
    acc[0] = _mm256_add_epi64(acc[0], acc[k]);
  alignas(32) uint64_t lanes[4];
  _mm256_store_si256(reinterpret_cast<__m256i *>(lanes), acc[0]);
  return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

uint64_t sumPlain(const uint64_t *p, size_t n) {
  uint64_t s[4] = {};
  for (size_t i = 0; i + 4 <= n; i += 4)
    for (int k = 0; k < 4; ++k)
      s[k] += p[i + k];
  return s[0] + s[1] + s[2] + s[3];
}

constexpr long kRounds = 2'000'000;

// 12 instructions `OP` into 12 registers (0..11), from registers 12 and 13:
// independent of each other, enough to fill the pipelines.
#define STEP(OP, R, N) OP " %%" R "12, %%" R "13, %%" R #N "\n\t"
#define TWELVE(OP, R)                                                          \
  STEP(OP, R, 0)                                                               \
  STEP(OP, R, 1)                                                               \
  STEP(OP, R, 2) STEP(OP, R, 3) STEP(OP, R, 4) STEP(OP, R, 5) STEP(OP, R, 6)   \
      STEP(OP, R, 7) STEP(OP, R, 8) STEP(OP, R, 9) STEP(OP, R, 10)             \
          STEP(OP, R, 11)
#define CLOBBERS                                                               \
  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",      \
      "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "cc"

/// kRounds x 12 independent vpdpbusd on zmm registers (assembly: exactly
/// the instructions measured, nothing the compiler adds).
__attribute__((target("avx512f,avx512vnni"))) void vnniLoop() {
  long rounds = kRounds;
  __asm__ volatile("vpternlogd $0xff, %%zmm12, %%zmm12, %%zmm12\n\t"
                   "vpxord %%zmm13, %%zmm13, %%zmm13\n\t"
                   "1:\n\t" TWELVE("vpdpbusd", "zmm") "dec %0\n\t"
                                                      "jnz 1b\n\t"
                   : "+r"(rounds)
                   :
                   : CLOBBERS);
}

/// kRounds x 12 independent vpmaddubsw on ymm registers.
__attribute__((target("avx2"))) void maddubswLoop() {
  long rounds = kRounds;
  __asm__ volatile("vpcmpeqb %%ymm12, %%ymm12, %%ymm12\n\t"
                   "vpxor %%ymm13, %%ymm13, %%ymm13\n\t"
                   "1:\n\t" TWELVE("vpmaddubsw", "ymm") "dec %0\n\t"
                                                        "jnz 1b\n\t"
                   : "+r"(rounds)
                   :
                   : CLOBBERS);
}

#undef STEP
#undef TWELVE
#undef CLOBBERS

/// The operations a second of `loop` (12 x kRounds instructions of
/// `opsPerInstruction` each) on `threads` threads: the median of `passes`.
double peakOf(int threads, int passes, double opsPerInstruction,
              void (*loop)()) {
  std::vector<double> rates;
  double ops = opsPerInstruction * 12 * double(kRounds) * threads;
  for (int p = 0; p < passes; ++p)
    rates.push_back(ops / timedOnThreads(threads, [loop](int) { loop(); }));
  return median(rates);
}

} // namespace

size_t uncachedBytes() {
  long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
  long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGESIZE);
  size_t bytes = std::max<size_t>(256u << 20, l3 > 0 ? 2 * size_t(l3) : 0);
  if (pages > 0 && pageSize > 0)
    bytes = std::min(bytes, size_t(pages) * size_t(pageSize) / 8);
  return bytes & ~size_t(4095);
}

double readBandwidth(int threads, int passes) {
  size_t bytes = uncachedBytes();
  auto *buffer = static_cast<uint64_t *>(std::aligned_alloc(4096, bytes));
  std::memset(buffer, 1, bytes);
  bool avx2 = __builtin_cpu_supports("avx2");
  size_t share = bytes / size_t(threads) / 256 * 256; // whole 8 x 32 bytes
  std::vector<uint64_t> sums(static_cast<size_t>(threads));
  auto read = [&](int t) {
    const char *part = reinterpret_cast<const char *>(buffer) + t * share;
    sums[size_t(t)] +=
        avx2 ? sumAvx2(reinterpret_cast<const __m256i *>(part), share / 32)
             : sumPlain(reinterpret_cast<const uint64_t *>(part), share / 8);
  };
  timedOnThreads(threads, read);
  std::vector<double> rates;
  for (int p = 0; p < passes; ++p)
    rates.push_back(double(share) * threads / timedOnThreads(threads, read));
  std::free(buffer);
  volatile uint64_t keep = sums[0];
  (void)keep;
  return median(rates);
}

double vnniPeak(int threads, int passes) {
  // 64 products of bytes and their sums into 16 lanes an instruction.
  return __builtin_cpu_supports("avx512vnni")
             ? peakOf(threads, passes, 128.0, vnniLoop)
             : 0.0;
}

double maddubswPeak(int threads, int passes) {
  // 32 products of bytes and 16 sums of pairs of them an instruction.
  return __builtin_cpu_supports("avx2")
             ? peakOf(threads, passes, 64.0, maddubswLoop)
             : 0.0;
}

const Limits &limits(int maxThreads) {
  static Limits measured = [maxThreads] {
    Limits l;
    for (int t = 1; t <= maxThreads; ++t) {
      l.readBytesPerSecond[t] = readBandwidth(t);
      l.vnniOpsPerSecond[t] = vnniPeak(t);
      l.maddubswOpsPerSecond[t] = maddubswPeak(t);
    }
    return l;
  }();
  return measured;
}

void reportLimits(int maxThreads) {
  const Limits &l = limits(maxThreads);
  for (int t = 1; t <= maxThreads; ++t) {
    std::string suffix = "_" + std::to_string(t) + "t";
    benchmark::AddCustomContext("dram_read_bytes_per_s" + suffix,
                                std::to_string(l.readBytesPerSecond.at(t)));
    benchmark::AddCustomContext("vpdpbusd_ops_per_s" + suffix,
                                std::to_string(l.vnniOpsPerSecond.at(t)));
    benchmark::AddCustomContext("vpmaddubsw_ops_per_s" + suffix,
                                std::to_string(l.maddubswOpsPerSecond.at(t)));
  }
}

void addRepetitionDefaults(std::vector<char *> &args, int repetitions) {
  for (char *a : args)
    if (std::strncmp(a, "--benchmark_repetitions", 23) == 0)
      return;
  // The strings outlive the command line Google Benchmark keeps.
  static std::string defaults[2];
  defaults[0] = "--benchmark_repetitions=" + std::to_string(repetitions);
  defaults[1] = "--benchmark_report_aggregates_only=true";
  for (std::string &d : defaults)
    args.insert(args.begin() + 1, d.data());
}

} // namespace ternary_bench
