#!/usr/bin/python3
"""Writes two tiny learnable data sets for the model library's tests.

OUT/images: MNIST's four IDX files (gzip), 8x8 images: 64 training and 32
test images whose class (0-3) is the quadrant holding a brighter square, in
noise; OUT/images24: the same at 24x24 (for cifar-cnn); OUT/graph: a Planetoid directory of 24 nodes in 2 communities whose
nodes' features and edges follow their class (Fortran-order edge_index and
int32 feature indices, as the shared Cora files are); OUT/text: train.tsv
and test.tsv of short two-class sentences; OUT/corpus.txt: 4000 characters
of sentences from a small grammar (a language model's corpus), and
OUT/corpus-split: train.txt and val.txt of the same grammar.

    /usr/bin/python3 tiny_data.py OUT
"""

import gzip
import os
import sys

import numpy as np


def idx(path, array):
    header = bytes([0, 0, 8, array.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def images(out, rng, size=8):
    os.makedirs(out, exist_ok=True)
    half = size // 2
    for prefix, n in (("train", 64), ("t10k", 32)):
        labels = np.arange(n) % 4
        x = rng.integers(0, 150, size=(n, size, size))
        for k, c in enumerate(labels):
            r, q = divmod(int(c), 2)
            x[k, half * r:half * (r + 1), half * q:half * (q + 1)] += 60
        idx(os.path.join(out, prefix + "-images-idx3-ubyte.gz"), x)
        idx(os.path.join(out, prefix + "-labels-idx1-ubyte.gz"), labels)


def graph(out, rng):
    os.makedirs(out, exist_ok=True)
    n, f = 24, 10
    labels = np.arange(n) % 2
    rows, cols = [], []
    for node in range(n):
        feats = rng.choice(5, size=2, replace=False) + 5 * labels[node]
        rows += [node, node]
        cols += sorted(feats.tolist())
    indptr = np.arange(0, 2 * n + 1, 2, dtype=np.int64)
    edges = set()
    for a in range(n):
        for b in range(a + 1, n):
            if labels[a] == labels[b] and rng.random() < 0.3:
                edges |= {(a, b), (b, a)}
    edge_index = np.array(sorted(edges), dtype=np.int64).T
    save = lambda name, a: np.save(os.path.join(out, name + ".npy"), a)
    save("features_indptr", indptr)
    save("features_indices", np.array(cols, dtype=np.int32))
    save("features_values", np.ones(len(cols), dtype=np.float32))
    save("labels", labels.astype(np.int64))
    save("edge_index", np.asfortranarray(edge_index))
    save("train_idx", np.arange(0, 8, dtype=np.int64))
    save("val_idx", np.arange(8, 16, dtype=np.int64))
    save("test_idx", np.arange(16, 24, dtype=np.int64))


def text(out, rng):
    """64 training and 32 test sentences of 2 classes: each draws 6 words,
    mostly from its class's 5 words, the rest from 5 shared ones."""
    os.makedirs(out, exist_ok=True)
    words = [["great", "superb", "fine", "lovely", "bright"],
             ["awful", "dull", "poor", "bleak", "weak"]]
    shared = ["the", "film", "plot", "actor", "scene"]
    for name, n in (("train.tsv", 64), ("test.tsv", 32)):
        with open(os.path.join(out, name), "w") as f:
            for k in range(n):
                c = k % 2
                doc = [rng.choice(words[c]) if rng.random() < 0.6
                       else rng.choice(shared) for _ in range(6)]
                f.write(("pos" if c == 0 else "neg") + "\t" + " ".join(doc)
                        + "\n")


def corpus(rng, characters):
    """Sentences 'the <noun> <verb>.' from 4 nouns and 4 verbs."""
    nouns = ["cat", "dog", "bird", "fish"]
    verbs = ["sat", "ran", "sang", "swam"]
    out = ""
    while len(out) < characters:
        out += "the " + rng.choice(nouns) + " " + rng.choice(verbs) + ". "
    return out[:characters]


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    os.makedirs(sys.argv[1], exist_ok=True)
    with open(os.path.join(sys.argv[1], "corpus.txt"), "w") as f:
        f.write(corpus(rng, 4000))
    split = os.path.join(sys.argv[1], "corpus-split")
    os.makedirs(split, exist_ok=True)
    for name, n in (("train.txt", 3000), ("val.txt", 600)):
        with open(os.path.join(split, name), "w") as f:
            f.write(corpus(rng, n))
    images(os.path.join(sys.argv[1], "images"), rng)
    images(os.path.join(sys.argv[1], "images24"), rng, size=24)
    graph(os.path.join(sys.argv[1], "graph"), rng)
    text(os.path.join(sys.argv[1], "text"), rng)
