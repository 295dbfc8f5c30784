#!/usr/bin/python3
"""The PyTorch twins of two library runs, with the same recipe, for
docs/results.md: accuracy side by side and the time ratio in one run.

- mlp: MNIST, 784-256-256-10, BitLinear (absmedian, LayerNorm, Q = 128;
  the independent PyTorch BitLinear of scripts/make_bitlinear_fixtures.py
  with its straight-through estimator) or nn.Linear at 32 bits, ReLU,
  AdamW (lr 1e-3, weight decay 0.01), cosine schedule with 50 warm-up steps
  over the run, batch 64, shuffled every epoch, PyTorch's initialisation;
  pixels normalised with 0.1307 / 0.3081.
- gcn: a Planetoid graph, 2 layers, hidden 32, dropout 0.5, symmetric
  normalisation with self loops, features row-normalised, AdamW (lr 0.01,
  weight decay 5e-4), full batch.
Like ternary-train, every epoch ends with the evaluation split's loss and
accuracy (MNIST: the test split; a graph: the validation split), each in its
own pass. Prints one JSON line: {"test_accuracy": ..., "seconds": ...}
(training and evaluation, not loading).

    /usr/bin/python3 torch_twins.py mlp MNIST_IDX_DIR EPOCHS PRECISION SEED THREADS
    /usr/bin/python3 torch_twins.py gcn PLANETOID_DIR EPOCHS PRECISION SEED THREADS
"""

import json
import math
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))
from make_bitlinear_fixtures import bitlinear  # noqa: E402


def linear(x, layer, ternary):
    if ternary:
        return bitlinear(x, layer.weight, layer.bias, None, None, "layer",
                         "absmedian", 128, 1.0)
    return layer(x)


def idx(path):
    data = open(path, "rb").read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big")
             for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def cosine(step, total, warmup=50, lr=1e-3):
    warmup = min(warmup, total // 10) if total < 500 else warmup
    if step < warmup:
        return lr * (step + 1) / warmup
    p = min(1.0, max(0.0, (step - warmup) / max(1, total - warmup)))
    return lr * (1 + math.cos(math.pi * p)) / 2


def mlp(src, epochs, ternary, seed):
    load = lambda name: idx(os.path.join(src, name))
    x = torch.tensor((load("train-images-idx3-ubyte").reshape(-1, 784) / 255.0
                      - 0.1307) / 0.3081, dtype=torch.float32)
    y = torch.tensor(load("train-labels-idx1-ubyte").astype(np.int64))
    xt = torch.tensor((load("t10k-images-idx3-ubyte").reshape(-1, 784) / 255.0
                       - 0.1307) / 0.3081, dtype=torch.float32)
    yt = torch.tensor(load("t10k-labels-idx1-ubyte").astype(np.int64))
    torch.manual_seed(seed)
    layers = [torch.nn.Linear(784, 256), torch.nn.Linear(256, 256),
              torch.nn.Linear(256, 10)]
    params = [p for layer in layers for p in layer.parameters()]
    opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01)

    def forward(h):
        for i, layer in enumerate(layers):
            h = linear(h, layer, ternary)
            if i + 1 < len(layers):
                h = torch.relu(h)
        return h

    start = time.time()
    batches = (len(x) + 63) // 64
    total, step = epochs * batches, 0
    for _ in range(epochs):
        order = torch.randperm(len(x))
        for b in range(batches):
            rows = order[b * 64:(b + 1) * 64]
            for group in opt.param_groups:
                group["lr"] = cosine(step, total)
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(forward(x[rows]), y[rows])
            loss.backward()
            opt.step()
            step += 1
        with torch.no_grad():  # the epoch's evaluation, as ternary-train
            for begin in range(0, len(xt), 64):
                torch.nn.functional.cross_entropy(forward(xt[begin:begin + 64]),
                                                  yt[begin:begin + 64])
            hits = sum((forward(xt[b:b + 64]).argmax(1) == yt[b:b + 64]).sum()
                       for b in range(0, len(xt), 64))
    accuracy = float(hits) / len(xt)
    return accuracy, time.time() - start


def gcn(src, epochs, ternary, seed):
    load = lambda name: np.load(os.path.join(src, name + ".npy"))
    indptr, indices = load("features_indptr"), load("features_indices")
    labels = load("labels")
    n, f = len(labels), int(indices.max()) + 1
    x = np.zeros((n, f), dtype=np.float32)
    for r in range(n):
        x[r, indices[indptr[r]:indptr[r + 1]]] = \
            load("features_values")[indptr[r]:indptr[r + 1]]
    sums = x.sum(1, keepdims=True)
    x /= np.where(sums == 0, 1, sums)
    src_nodes, dst_nodes = load("edge_index")
    keep = src_nodes != dst_nodes
    rows = np.concatenate([src_nodes[keep], np.arange(n)])
    cols = np.concatenate([dst_nodes[keep], np.arange(n)])
    degree = np.bincount(rows, minlength=n).astype(np.float64)
    weight = (1 / np.sqrt(degree[rows] * degree[cols])).astype(np.float32)
    adj = torch.sparse_coo_tensor(np.stack([rows, cols]), weight, (n, n))
    x = torch.tensor(x)
    y = torch.tensor(labels)
    train, val = load("train_idx"), load("val_idx")
    test = load("test_idx")
    classes = int(labels.max()) + 1
    torch.manual_seed(seed)
    l1, l2 = torch.nn.Linear(f, 32), torch.nn.Linear(32, classes)
    opt = torch.optim.AdamW(list(l1.parameters()) + list(l2.parameters()),
                            lr=0.01, weight_decay=5e-4)

    def forward(training):
        h = torch.relu(torch.sparse.mm(adj, linear(x, l1, ternary)))
        h = torch.nn.functional.dropout(h, 0.5, training)
        return torch.sparse.mm(adj, linear(h, l2, ternary))

    start = time.time()
    for _ in range(epochs):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(forward(True)[train],
                                                 y[train])
        loss.backward()
        opt.step()
        with torch.no_grad():  # the epoch's evaluation, as ternary-train
            torch.nn.functional.cross_entropy(forward(False)[val], y[val])
            (forward(False)[val].argmax(1) == y[val]).float().mean()
    with torch.no_grad():
        accuracy = (forward(False)[test].argmax(1) == y[test]).float().mean()
    return accuracy.item(), time.time() - start


def main(model, src, epochs, precision, seed, threads):
    torch.set_num_threads(int(threads))
    run = mlp if model == "mlp" else gcn
    accuracy, seconds = run(src, int(epochs), precision == "1.58", int(seed))
    print(json.dumps({"test_accuracy": accuracy, "seconds": seconds}))


if __name__ == "__main__":
    main(*sys.argv[1:])
