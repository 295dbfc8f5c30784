#!/usr/bin/env bash
# The test command (what .ci/run runs). Two phases, each the whole lit
# suite (the FileCheck tests of the tools and the GoogleTest unit tests):
#
#  1. the normal build: scripts/setup.sh installs what is missing and builds
#     build/ (or $TERNARY_BUILD_DIR);
#  2. the sanitizer build: scripts/sanitize.sh builds build-sanitize/ with
#     clang-22, ASan and UBSan (any report fails its test) and libFuzzer,
#     and the suite runs again there, JIT-compiled code included, with the
#     bounded fuzz runs of test/fuzz (-Dfuzz_time=N seconds each, 60 by
#     default). TERNARY_SANITIZE=0 skips this phase (a quick local run).
#
# Ends with one line "N passed, N failed, N skipped" over both phases.
# Extra arguments go to lit (for example -a, or a filter such as
# --filter=errors).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${TERNARY_BUILD_DIR:-$ROOT/build}
SANITIZE_BUILD=${TERNARY_SANITIZE_BUILD_DIR:-$ROOT/build-sanitize}
LIT=/usr/lib/llvm-22/bin/lit

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0

"$ROOT/scripts/setup.sh" || { echo "0 passed, 1 failed"; exit 1; }
# Compiled code runs its tasks on 2 threads in phase 1 and on 1 in phase 2
# (OMP_NUM_THREADS, which the tools' --threads default follows): the suite
# holds for both counts.
echo "== phase 1: the whole suite on $BUILD, compiled code on 2 threads"
"$LIT" -v -Dthreads=2 "$@" "$BUILD/test" 2>&1 | tee "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

if [ "${TERNARY_SANITIZE:-1}" != 0 ]; then
  echo "== phase 2: the whole suite under ASan + UBSan, and the fuzzers, on $SANITIZE_BUILD, compiled code on 1 thread"
  if TERNARY_SANITIZE_BUILD_DIR="$SANITIZE_BUILD" "$ROOT/scripts/sanitize.sh"; then
    # (The sanitizers' options are set by test/lit.cfg.py.)
    "$LIT" -v -Dthreads=1 "$@" "$SANITIZE_BUILD/test" 2>&1 | tee -a "$log"
    [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  else
    echo "Failed Tests (1): the sanitizer build" | tee -a "$log"
    echo "  Failed : 1" >>"$log"
    status=1
  fi
fi

# lit's summaries: "  Passed           : 12 (100.00%)" and friends.
count() {
  grep -E "^ *$1 *:" "$log" | sed -E 's/^[^:]*: *([0-9]+).*/\1/' |
    awk '{s += $1} END {print s + 0}'
}
passed=$(( $(count Passed) + $(count 'Expectedly Failed') ))
failed=$(( $(count Failed) + $(count 'Unexpectedly Passed') + $(count 'Timed Out') + $(count Unresolved) ))
skipped=$(( $(count Unsupported) + $(count Skipped) + $(count Excluded) ))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # lit failed without counting a test (bad configuration)
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
