#!/usr/bin/python3
"""PyTorch baseline of bench/train-bench.cpp: the same training steps.

The 784-256-256-10 BitLinear MLP (authors' defaults: absmedian, LayerNorm,
Q = 128; the independent PyTorch BitLinear of
scripts/make_bitlinear_fixtures.py with its straight-through estimator),
ReLU, mean cross-entropy, AdamW (lr 1e-3, weight decay 0.01), batch 64, on
random data. Prints milliseconds per step (median of 5 repetitions).

    /usr/bin/python3 bench/torch_train_step.py --threads 1
"""

import argparse
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "scripts"))
from make_bitlinear_fixtures import bitlinear  # noqa: E402


def mlp_step_fn(batch):
    torch.manual_seed(0)
    layers = [torch.nn.Linear(784, 256), torch.nn.Linear(256, 256),
              torch.nn.Linear(256, 10)]
    params = [p for layer in layers for p in (layer.weight, layer.bias)]
    opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01)
    x = torch.randn(batch, 784)
    labels = torch.randint(0, 10, (batch,))

    def step():
        opt.zero_grad()
        h = x
        for i, layer in enumerate(layers):
            h = bitlinear(h, layer.weight, layer.bias, None, None, "layer",
                          "absmedian", 128, 1.0)
            if i + 1 < len(layers):
                h = torch.relu(h)
        loss = torch.nn.functional.cross_entropy(h, labels)
        loss.backward()
        opt.step()
        return loss

    return step


def time_step(step, min_time):
    step()  # warm-up
    times = []
    for _ in range(5):
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < min_time / 5:
            step()
            n += 1
        times.append((time.perf_counter() - start) / n)
    times.sort()
    return times[len(times) // 2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--min-time", type=float, default=2.0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    seconds = time_step(mlp_step_fn(64), args.min_time)
    print(f"torch {torch.__version__} threads {args.threads}: "
          f"mlp_784_256_256_10/64 {seconds * 1e3:.3f} ms/step")


if __name__ == "__main__":
    main()
