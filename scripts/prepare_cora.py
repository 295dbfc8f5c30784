#!/usr/bin/python3
"""Prepares Cora (../shared/data/planetoid/cora) for examples/gcn_train.mlir.

Writes to OUT (NumPy .npy, what ternary-train reads):
- features.npy   float32 [N, F]: the bag-of-words rows, row-normalised
                 (GCN's preprocessing), dense;
- adj_indptr.npy, adj_indices.npy (int64), adj_values.npy (float32): the
  normalised adjacency with self loops, D^-1/2 (A + I) D^-1/2, as CSR;
- train_labels.npy, val_labels.npy, test_labels.npy int64 [N]: the class of
  the split's nodes, -100 (ignored) elsewhere.

Data preparation only (NumPy, Debian python3-numpy); nothing of it runs in
the compiled model.

    /usr/bin/python3 scripts/prepare_cora.py ../shared/data/planetoid/cora OUT
"""

import os
import sys

import numpy as np


def main(src, out):
    load = lambda name: np.load(os.path.join(src, name + ".npy"))
    indptr, indices = load("features_indptr"), load("features_indices")
    values, labels = load("features_values"), load("labels")
    n, f = len(labels), int(indices.max()) + 1
    f = max(f, 1433)
    features = np.zeros((n, f), dtype=np.float32)
    for r in range(n):
        cols = indices[indptr[r]:indptr[r + 1]]
        features[r, cols] = values[indptr[r]:indptr[r + 1]]
    sums = features.sum(1, keepdims=True)
    features /= np.where(sums == 0, 1, sums)

    src_nodes, dst_nodes = load("edge_index")
    loops = np.arange(n)
    rows = np.concatenate([src_nodes, loops])
    cols = np.concatenate([dst_nodes, loops])
    degree = np.bincount(rows, minlength=n).astype(np.float64)
    weight = (1 / np.sqrt(degree[rows] * degree[cols])).astype(np.float32)
    order = np.lexsort((cols, rows))
    rows, cols, weight = rows[order], cols[order], weight[order]
    adj_indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(adj_indptr, rows + 1, 1)
    adj_indptr = np.cumsum(adj_indptr)

    os.makedirs(out, exist_ok=True)
    save = lambda name, a: np.save(os.path.join(out, name + ".npy"), a)
    save("features", features)
    save("adj_indptr", adj_indptr.astype(np.int64))
    save("adj_indices", cols.astype(np.int64))
    save("adj_values", weight)
    for split in ("train", "val", "test"):
        split_labels = np.full(n, -100, dtype=np.int64)
        idx = load(split + "_idx")
        split_labels[idx] = labels[idx]
        save(split + "_labels", split_labels)
    print(f"wrote {out}: {n} nodes, {f} features, {len(cols)} entries")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
