#!/usr/bin/env bash
# Reproduces the papers' comparisons on the non-transformer models with the
# model library and writes docs/results.md (scripts/reproduce/results_table.py):
# every row's command, its mean and standard deviation over seeds, and two
# runs beside their PyTorch twins (scripts/reproduce/torch_twins.py: the
# same recipe) with the time ratio measured in the same minute.
#
#   ./scripts/reproduce.sh [OUT]     # default build/results; about an hour on 2 cores
#
# The runs use one thread each and two at a time (accuracy rows); the
# PyTorch comparisons run alone at the end, one thread each.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${TERNARY_BUILD_DIR:-$ROOT/build}
OUT=${1:-$BUILD/results}
TRAIN="$BUILD/bin/ternary-train --progress=none --threads 1"
CORA=$(cd "$ROOT/.." && pwd)/shared/data/planetoid/cora
TEXT=$(cd "$ROOT/.." && pwd)/shared/data/textclass
mkdir -p "$OUT"

# name | flags (each row: --seeds, --out OUT/name)
ROWS=(
  "mnist-mlp-32|--model mlp --data mnist --epochs 2 --precision 32 --seeds 1-3"
  "mnist-mlp-absmean|--model mlp --data mnist --epochs 2 --scale absmean --seeds 1-3"
  "mnist-mlp-absmedian|--model mlp --data mnist --epochs 2 --scale absmedian --seeds 1-3"
  "mnist-mlp-x2-32|--model mlp --data mnist --epochs 2 --hidden-mult 2 --precision 32 --seeds 1-3"
  "mnist-mlp-x2-absmean|--model mlp --data mnist --epochs 2 --hidden-mult 2 --scale absmean --seeds 1-3"
  "mnist-mlp-x2-absmedian|--model mlp --data mnist --epochs 2 --hidden-mult 2 --scale absmedian --seeds 1-3"
  "mnist-cnn-32|--model cnn --data mnist --epochs 1 --precision 32 --seeds 1-3"
  "mnist-cnn-absmean|--model cnn --data mnist --epochs 1 --scale absmean --seeds 1-3"
  "mnist-cnn-absmedian|--model cnn --data mnist --epochs 1 --scale absmedian --seeds 1-3"
  "mnist-cnn-x2-32|--model cnn --data mnist --epochs 1 --hidden-mult 2 --precision 32 --seeds 1-3"
  "mnist-cnn-x2-absmean|--model cnn --data mnist --epochs 1 --hidden-mult 2 --scale absmean --seeds 1-3"
  "mnist-cnn-x2-absmedian|--model cnn --data mnist --epochs 1 --hidden-mult 2 --scale absmedian --seeds 1-3"
  "fashion-mlp-32|--model mlp --data fashion-mnist --epochs 2 --precision 32 --seeds 1-3"
  "fashion-mlp-absmedian|--model mlp --data fashion-mnist --epochs 2 --seeds 1-3"
  "cifar-cnn-32|--model cifar-cnn --data cifar10 --epochs 2 --precision 32 --seeds 1"
  "cifar-cnn-absmedian|--model cifar-cnn --data cifar10 --epochs 2 --seeds 1"
  "r8-widemlp-32|--model widemlp --data $TEXT/r8 --epochs 2 --precision 32 --seeds 1-3"
  "r8-widemlp-absmean|--model widemlp --data $TEXT/r8 --epochs 2 --scale absmean --seeds 1-3"
  "r8-widemlp-absmedian|--model widemlp --data $TEXT/r8 --epochs 2 --scale absmedian --seeds 1-3"
  "mr-widemlp-32|--model widemlp --data $TEXT/mr --epochs 2 --precision 32 --seeds 1-3"
  "mr-widemlp-absmean|--model widemlp --data $TEXT/mr --epochs 2 --scale absmean --seeds 1-3"
  "mr-widemlp-absmedian|--model widemlp --data $TEXT/mr --epochs 2 --scale absmedian --seeds 1-3"
  "cora-gcn-32|--model gcn --data $CORA --epochs 100 --precision 32 --seeds 1-10"
  "cora-gcn-absmean|--model gcn --data $CORA --epochs 100 --scale absmean --seeds 1-10"
  "cora-gcn-absmedian|--model gcn --data $CORA --epochs 100 --scale absmedian --seeds 1-10"
  "cora-sgc-32|--model sgc --data $CORA --epochs 100 --precision 32 --seeds 1-10"
  "cora-sgc-absmean|--model sgc --data $CORA --epochs 100 --scale absmean --seeds 1-10"
  "cora-sgc-absmedian|--model sgc --data $CORA --epochs 100 --scale absmedian --seeds 1-10"
)
: > "$OUT/commands.txt"
for row in "${ROWS[@]}"; do
  name=${row%%|*}
  flags=${row#*|}
  echo "$name|ternary-train $flags --out $name" >> "$OUT/commands.txt"
  # A row whose figures are there already is not run again (rerun to
  # complete an interrupted reproduction; remove OUT/name to redo one).
  [ -f "$OUT/$name/metrics.json" ] && continue
  echo "$TRAIN $flags --out $OUT/$name > $OUT/$name.log 2>&1 && echo done: $name || echo FAILED: $name"
done | xargs -P 2 -I{} bash -c {}

# Beside PyTorch: the same recipe, one thread each, one after the other.
TWINS="$OUT/twins.jsonl"
touch "$TWINS"
twin() { # name model data epochs precision
  local name=$1 model=$2 data=$3 epochs=$4 precision=$5 flags
  grep -q "\"name\": \"$name\"" "$TWINS" && return 0 # done already
  flags="--model $model --data $data --epochs $epochs --precision $precision --seed 1"
  [ "$model" = mlp ] && flags="$flags --scale absmedian"
  $TRAIN $flags --metrics "$OUT/$name-ours.json" > /dev/null
  local torch
  torch=$(/usr/bin/python3 "$ROOT/scripts/reproduce/torch_twins.py" "$model" \
    "$([ "$model" = mlp ] && echo "$BUILD/data/mnist/idx" || echo "$CORA")" \
    "$epochs" "$precision" 1 1)
  echo "{\"name\": \"$name\", \"ours\": \"$name-ours.json\", \"torch\": $torch}" >> "$TWINS"
  echo "done: $name (PyTorch twin)"
}
twin twin-mnist-mlp-158 mlp mnist 2 1.58
twin twin-mnist-mlp-32 mlp mnist 2 32
twin twin-cora-gcn-158 gcn "$CORA" 100 1.58
twin twin-cora-gcn-32 gcn "$CORA" 100 32

/usr/bin/python3 "$ROOT/scripts/reproduce/results_table.py" "$OUT" > "$ROOT/docs/results.md"
echo "wrote docs/results.md"
