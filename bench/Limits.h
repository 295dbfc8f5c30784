//===- Limits.h - The machine's limits, measured by the benchmark -*- C++ -*-=//
//
// What a kernel is measured against, taken in the same process and run as
// the kernel itself (machines of one kind differ, and one machine differs
// from minute to minute): the streaming read bandwidth from DRAM (a buffer
// larger than the last-level cache, read by 1..N threads at once) and the
// peak of the int8 dot-product instructions (vpdpbusd on 512-bit registers,
// vpmaddubsw on 256-bit ones), each the median of several passes.
//
//===----------------------------------------------------------------------===//

#ifndef TERNARY_BENCH_LIMITS_H
#define TERNARY_BENCH_LIMITS_H

#include <cstddef>
#include <map>
#include <vector>

namespace ternary_bench {

/// The bytes of a buffer that no cache holds: twice the last-level cache
/// as the OS reports it, at least 256 MiB, at most an eighth of the memory.
size_t uncachedBytes();

/// The streaming read bandwidth (bytes a second) of `threads` threads
/// reading disjoint parts of one uncachedBytes() buffer at once: the median
/// of `passes` passes after one that faults the pages in.
double readBandwidth(int threads, int passes = 5);

/// The int8 multiply-add peak (operations a second: 2 a multiply-add) of
/// `threads` threads issuing independent vpdpbusd (512-bit, AVX-512 VNNI),
/// or 0 when the CPU has no such instruction: the median of `passes`.
double vnniPeak(int threads, int passes = 5);

/// The same for vpmaddubsw on 256-bit registers (AVX2), counting its
/// products and the additions of pairs: the AVX2 kernels' instruction.
double maddubswPeak(int threads, int passes = 5);

/// The limits of 1..maxThreads threads, measured once and kept.
struct Limits {
  std::map<int, double> readBytesPerSecond, vnniOpsPerSecond,
      maddubswOpsPerSecond;
};
const Limits &limits(int maxThreads);

/// Writes the limits of 1..maxThreads threads (measured first if need be)
/// into Google Benchmark's output context: dram_read_bytes_per_s_Nt,
/// vpdpbusd_ops_per_s_Nt and vpmaddubsw_ops_per_s_Nt for N threads.
void reportLimits(int maxThreads);

/// Adds the benchmarks' default options to the command line `args` unless
/// it sets --benchmark_repetitions itself: medians of `repetitions`
/// repetitions, aggregates only.
void addRepetitionDefaults(std::vector<char *> &args, int repetitions);

} // namespace ternary_bench

#endif // TERNARY_BENCH_LIMITS_H
