//===- Progress.cpp - Progress of training runs ---------------------------===//

#include "ternary/Training/Progress.h"

#include "llvm/Support/raw_ostream.h"

#include <algorithm>

#include <cmath>
#include <cstdio>
#include <unistd.h>

using namespace mlir::ternary;

std::string mlir::ternary::formatDuration(double seconds) {
  long s = std::lround(seconds);
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%ld:%02ld:%02ld", s / 3600,
                (s / 60) % 60, s % 60);
  return buffer;
}

Progress::Progress(const std::string &mode) {
  bar = mode == "bar" || (mode == "auto" && isatty(fileno(stderr)));
  quiet = mode == "none";
}

void Progress::startEpoch(unsigned epoch, unsigned total, int64_t steps) {
  this->epoch = epoch, this->epochs = total, this->steps = steps;
  start = std::chrono::steady_clock::now();
  items = 0;
}

void Progress::update(int64_t step, int64_t batchItems, double loss) {
  items += batchItems;
  if (quiet)
    return;
  double elapsed = seconds();
  double rate = items / std::max(elapsed, 1e-9);
  double eta = elapsed / step * (steps - step);
  char line[200];
  if (bar) {
    int width = 24, done = static_cast<int>(width * step / steps);
    std::string b(done, '=');
    if (done < width)
      b += '>' + std::string(width - done - 1, ' ');
    std::snprintf(line, sizeof(line),
                  "\repoch %u/%u [%s] %lld/%lld loss %.4f %.0f items/s "
                  "ETA %s ",
                  epoch, epochs, b.c_str(), (long long)step, (long long)steps,
                  loss, rate, formatDuration(eta).c_str());
    llvm::errs() << line;
    lineOpen = step != steps;
    if (!lineOpen)
      llvm::errs() << "\n";
  } else if (step == steps || step % std::max<int64_t>(1, steps / 10) == 0) {
    std::snprintf(line, sizeof(line),
                  "epoch %u/%u step %lld/%lld loss %.4f %.0f items/s "
                  "ETA %s\n",
                  epoch, epochs, (long long)step, (long long)steps, loss, rate,
                  formatDuration(eta).c_str());
    llvm::errs() << line;
  }
  llvm::errs().flush();
}

void Progress::finish() {
  if (lineOpen)
    llvm::errs() << "\n";
  lineOpen = false;
}

double Progress::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}
