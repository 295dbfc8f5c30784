//===- Limits.cpp - The machine's limits, measured by the benchmark -------===//
//
// Probes in plain C++ with x86 intrinsics, compiled for the instructions
// they measure (function target attributes) and run only where the CPU has
// them. The threads of a probe start together (a barrier) and the slowest
// one's time counts.
//
//===----------------------------------------------------------------------===//

#include "Limits.h"

#include <immintrin.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
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

constexpr int kAccumulators = 12;
constexpr long kRounds = 2'000'000;

/// kRounds x 12 independent vpdpbusd on zmm registers (assembly: exactly
/// the instructions measured, nothing the compiler adds).
__attribute__((target("avx512f,avx512vnni"))) void vnniLoop() {
  long rounds = kRounds;
  __asm__ volatile("vpternlogd $0xff, %%zmm12, %%zmm12, %%zmm12\n\t"
                   "vpxord %%zmm13, %%zmm13, %%zmm13\n\t"
                   "1:\n\t"
                   "vpdpbusd %%zmm12, %%zmm13, %%zmm0\n\t"
                   "vpdpbusd %%zmm12, %%zmm13, %%zmm1\n\t"
                   "vpdpbusd %%zmm12, %%zmm13, %%zmm2\n\t"
                   "vpdpbusd %%zmm12, %%zmm13, %%zmm3\n\t"
                   "vpdpbusd %%zmm12, %%zmm13, %%zmm4\n\t"
                   "vpdpbusd %%zmm12, %%zmm13, %%zmm5\n\t"
                   "vpdpbusd %%zmm12, %%zmm13, %%zmm6\n\t"
                   "vpdpbusd %%zmm12, %%zmm13, %%zmm7\n\t"
                   "vpdpbusd %%zmm12, %%zmm13, %%zmm8\n\t"
                   "vpdpbusd %%zmm12, %%zmm13, %%zmm9\n\t"
                   "vpdpbusd %%zmm12, %%zmm13, %%zmm10\n\t"
                   "vpdpbusd %%zmm12, %%zmm13, %%zmm11\n\t"
                   "dec %0\n\t"
                   "jnz 1b\n\t"
                   : "+r"(rounds)
                   :
                   : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
                     "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
                     "cc");
}

/// kRounds x 12 independent vpmaddubsw on ymm registers.
__attribute__((target("avx2"))) void maddubswLoop() {
  long rounds = kRounds;
  __asm__ volatile("vpcmpeqb %%ymm12, %%ymm12, %%ymm12\n\t"
                   "vpxor %%ymm13, %%ymm13, %%ymm13\n\t"
                   "1:\n\t"
                   "vpmaddubsw %%ymm12, %%ymm13, %%ymm0\n\t"
                   "vpmaddubsw %%ymm12, %%ymm13, %%ymm1\n\t"
                   "vpmaddubsw %%ymm12, %%ymm13, %%ymm2\n\t"
                   "vpmaddubsw %%ymm12, %%ymm13, %%ymm3\n\t"
                   "vpmaddubsw %%ymm12, %%ymm13, %%ymm4\n\t"
                   "vpmaddubsw %%ymm12, %%ymm13, %%ymm5\n\t"
                   "vpmaddubsw %%ymm12, %%ymm13, %%ymm6\n\t"
                   "vpmaddubsw %%ymm12, %%ymm13, %%ymm7\n\t"
                   "vpmaddubsw %%ymm12, %%ymm13, %%ymm8\n\t"
                   "vpmaddubsw %%ymm12, %%ymm13, %%ymm9\n\t"
                   "vpmaddubsw %%ymm12, %%ymm13, %%ymm10\n\t"
                   "vpmaddubsw %%ymm12, %%ymm13, %%ymm11\n\t"
                   "dec %0\n\t"
                   "jnz 1b\n\t"
                   : "+r"(rounds)
                   :
                   : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
                     "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13",
                     "cc");
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
  if (!__builtin_cpu_supports("avx512vnni"))
    return 0.0;
  std::vector<double> rates;
  // 64 products of bytes and their sums into 16 lanes an instruction.
  double ops = 128.0 * kAccumulators * double(kRounds) * threads;
  for (int p = 0; p < passes; ++p)
    rates.push_back(ops / timedOnThreads(threads, [](int) { vnniLoop(); }));
  return median(rates);
}

double maddubswPeak(int threads, int passes) {
  if (!__builtin_cpu_supports("avx2"))
    return 0.0;
  std::vector<double> rates;
  // 32 products of bytes and 16 sums of pairs of them an instruction.
  double ops = 64.0 * kAccumulators * double(kRounds) * threads;
  for (int p = 0; p < passes; ++p)
    rates.push_back(ops / timedOnThreads(threads, [](int) { maddubswLoop(); }));
  return median(rates);
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

} // namespace ternary_bench
