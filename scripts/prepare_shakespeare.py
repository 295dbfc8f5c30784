#!/usr/bin/python3
"""Prepares Tiny Shakespeare for character-level language models.

Reads ../shared/data/tinyshakespeare/input.txt, maps its 65 characters to
ids in sorted order, splits the text 90 % / 10 % (train / validation, as
nanoGPT's shakespeare_char) and writes, for windows of CONTEXT characters:
train_ids.npy, train_targets.npy, val_ids.npy, val_targets.npy (int64
[windows, CONTEXT]; the targets are the next characters) and vocab.txt.

    /usr/bin/python3 scripts/prepare_shakespeare.py input.txt OUT [CONTEXT]
"""

import os
import sys

import numpy as np


def windows(ids, context):
    n = (len(ids) - 1) // context
    x = ids[:n * context].reshape(n, context)
    y = ids[1:n * context + 1].reshape(n, context)
    return x.astype(np.int64), y.astype(np.int64)


def main(src, out, context=64):
    with open(src, encoding="utf-8") as f:
        text = f.read()
    vocab = sorted(set(text))
    index = {c: i for i, c in enumerate(vocab)}
    ids = np.array([index[c] for c in text], dtype=np.int64)
    split = int(0.9 * len(ids))
    os.makedirs(out, exist_ok=True)
    for name, part in (("train", ids[:split]), ("val", ids[split:])):
        x, y = windows(part, context)
        np.save(os.path.join(out, name + "_ids.npy"), x)
        np.save(os.path.join(out, name + "_targets.npy"), y)
        print(f"{name}: {len(x)} windows of {context}")
    with open(os.path.join(out, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("".join(vocab))
    print(f"vocabulary: {len(vocab)} characters")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 64)
