#!/usr/bin/env bash
# Reproduces the papers' language-model comparisons with the model library
# and writes docs/results-lm.md (scripts/reproduce/lm_table.py): 32-bit
# against 1.58-bit (absmean, absmedian) and 1.58-bit at hidden x2, the
# validation loss at equal steps (every tenth of the run) and a plot of
# the curves, for one task:
#
#   shakespeare  character-level decoder (gpt) on Tiny Shakespeare
#   bpe          GPT-2-BPE decoder (gpt --tokenizer gpt2) on Moby Dick
#   mlm          character-level encoder (bert), masked LM, Tiny Shakespeare
#   span         character-level encoder-decoder (t5), span corruption,
#                Tiny Shakespeare
#
#   ./scripts/reproduce_lm.sh [TASK] [SIZE] [STEPS] [OUT]
#       TASK: shakespeare (default); SIZE: tiny (default), mini, small or
#       base; STEPS: 2000 by default; OUT: build/results-lm.
#
# tiny, 2000 steps, one core: 9 to 16 minutes a row (gpt, bert), 17 to 30
# (t5); a step of mini takes about 2.5x tiny's, of small about 14x (and
# twice as many tokens), and hidden x2 about 2.3x (mini) to 3.5x (small)
# its size's. Two rows run at a time (JOBS=N for another number), one
# thread each, the longest (hidden x2) first; a row whose metrics.json
# is there is not run again (resumable). Each finished row's metrics.json
# is kept in docs/results-lm/ with the commands, which the table is made
# from: rows of several tasks, sizes and machines add up.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${TERNARY_BUILD_DIR:-$ROOT/build}
TASK=${1:-shakespeare}
SIZE=${2:-tiny}
STEPS=${3:-2000}
OUT=${4:-$BUILD/results-lm}
EVERY=$((STEPS / 10))
case $TASK in
  shakespeare) DATA="--model gpt --data tinyshakespeare --batch-size 64" ;;
  # 50,257 ids: batches of 16 keep the logits at 16 x 64 x 50,257.
  bpe) DATA="--model gpt --tokenizer gpt2 --data moby-dick --batch-size 16" ;;
  mlm) DATA="--model bert --data tinyshakespeare --batch-size 64" ;;
  span) DATA="--model t5 --data tinyshakespeare --batch-size 64" ;;
  *) echo "reproduce_lm.sh: unknown task '$TASK' (shakespeare, bpe, mlm, span)" >&2
     exit 1 ;;
esac
TRAIN="$BUILD/bin/ternary-train --progress=none --threads 1"
COMMON="$DATA --size $SIZE --steps $STEPS --eval-every $EVERY --seed 1"
KEEP="$ROOT/docs/results-lm"
mkdir -p "$OUT" "$KEEP"

# name | flags
ROWS=(
  "$TASK-$SIZE-x2-absmedian|$COMMON --scale absmedian --hidden-mult 2"
  "$TASK-$SIZE-32|$COMMON --precision 32"
  "$TASK-$SIZE-absmean|$COMMON --scale absmean"
  "$TASK-$SIZE-absmedian|$COMMON --scale absmedian"
)
: > "$KEEP/commands-$TASK-$SIZE.txt"
for row in "${ROWS[@]}"; do
  name=${row%%|*}
  flags=${row#*|}
  echo "$name|ternary-train $flags --out $name" >> "$KEEP/commands-$TASK-$SIZE.txt"
  [ -f "$OUT/$name/metrics.json" ] && continue
  echo "$TRAIN $flags --out $OUT/$name > $OUT/$name.log 2>&1 && echo done: $name || echo FAILED: $name"
done | xargs -P "${JOBS:-2}" -I{} bash -c {}
for row in "${ROWS[@]}"; do
  name=${row%%|*}
  if [ -f "$OUT/$name/metrics.json" ] && [ ! -f "$KEEP/$name.json" ]; then
    # The run's figures and the machine they were measured on.
    /usr/bin/python3 "$ROOT/scripts/reproduce/lm_table.py" --keep \
      "$OUT/$name/metrics.json" "$KEEP/$name.json"
  fi
done

/usr/bin/python3 "$ROOT/scripts/reproduce/lm_table.py" "$KEEP" > "$ROOT/docs/results-lm.md"
echo "wrote docs/results-lm.md"
