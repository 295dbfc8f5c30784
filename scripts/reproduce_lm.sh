#!/usr/bin/env bash
# Reproduces the papers' language-model comparison on Tiny Shakespeare with
# the model library's character-level `gpt` and writes docs/results-lm.md
# (scripts/reproduce/lm_table.py): 32-bit against 1.58-bit (absmean,
# absmedian) and 1.58-bit at hidden x2, the validation loss at equal steps
# (every --eval-every steps) and a plot of the curves.
#
#   ./scripts/reproduce_lm.sh [SIZE] [STEPS] [OUT]
#       SIZE: tiny (default), small or base; STEPS: 2000 by default;
#       OUT: build/results-lm.
#
# tiny: about 5 minutes a row on one core; small: about 45 minutes a row
# at 2000 steps. Two rows run at a time, one thread each; a row whose
# metrics.json is there is not run again (resumable).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${TERNARY_BUILD_DIR:-$ROOT/build}
SIZE=${1:-tiny}
STEPS=${2:-2000}
OUT=${3:-$BUILD/results-lm}
EVERY=$((STEPS / 10))
TRAIN="$BUILD/bin/ternary-train --progress=none --threads 1"
COMMON="--model gpt --data tinyshakespeare --size $SIZE --steps $STEPS --eval-every $EVERY --batch-size 64 --seed 1"
mkdir -p "$OUT"

# name | flags
ROWS=(
  "shakespeare-$SIZE-32|$COMMON --precision 32"
  "shakespeare-$SIZE-absmean|$COMMON --scale absmean"
  "shakespeare-$SIZE-absmedian|$COMMON --scale absmedian"
  "shakespeare-$SIZE-x2-absmedian|$COMMON --scale absmedian --hidden-mult 2"
)
: > "$OUT/commands-$SIZE.txt"
for row in "${ROWS[@]}"; do
  name=${row%%|*}
  flags=${row#*|}
  echo "$name|ternary-train $flags --out $name" >> "$OUT/commands-$SIZE.txt"
  [ -f "$OUT/$name/metrics.json" ] && continue
  echo "$TRAIN $flags --out $OUT/$name > $OUT/$name.log 2>&1 && echo done: $name || echo FAILED: $name"
done | xargs -P 2 -I{} bash -c {}

/usr/bin/python3 "$ROOT/scripts/reproduce/lm_table.py" "$OUT" > "$ROOT/docs/results-lm.md"
echo "wrote docs/results-lm.md"
