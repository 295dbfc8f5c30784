//===- Threads.cpp - Threads of the compiled code -------------------------===//

#include "ternary/Runner/Threads.h"

#include <cstdlib>
#include <sched.h>

// The two entry points of the OpenMP API (omp.h, OpenMP 5.2 section 18.2)
// this file needs. libomp's omp.h sits among clang's own headers, which a
// g++ build must not put on its include path.
extern "C" {
void omp_set_num_threads(int);
int omp_get_max_threads(void);
}

int mlir::ternary::availableCores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0)
    return 1;
  int count = CPU_COUNT(&set);
  return count > 0 ? count : 1;
}

int mlir::ternary::setThreadCount(unsigned threads) {
  if (threads == 0) {
    // The runtime's own default, OMP_NUM_THREADS, when it is set.
    const char *env = std::getenv("OMP_NUM_THREADS");
    if (env && std::atoi(env) > 0)
      return threadCount();
    threads = availableCores();
  }
  omp_set_num_threads(static_cast<int>(threads));
  return static_cast<int>(threads);
}

int mlir::ternary::threadCount() { return omp_get_max_threads(); }
