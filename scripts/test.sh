#!/usr/bin/env bash
# Sets up and builds the project (scripts/setup.sh), then runs every test:
# the lit suite (FileCheck tests of the tools) and the GoogleTest unit tests,
# all through lit. Ends with one line "N passed, N failed, N skipped".
# Extra arguments go to lit (for example -a, or a filter such as
# --filter=errors).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${TERNARY_BUILD_DIR:-$ROOT/build}

"$ROOT/scripts/setup.sh" || { echo "0 passed, 1 failed"; exit 1; }

log=$(mktemp)
trap 'rm -f "$log"' EXIT
/usr/lib/llvm-22/bin/lit -v "$@" "$BUILD/test" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# lit's summary: "  Passed           : 12 (100.00%)" and friends.
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
