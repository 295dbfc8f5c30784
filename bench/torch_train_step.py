#!/usr/bin/python3
"""PyTorch baseline of bench/train-bench.cpp: the same training steps.

1. The 784-256-256-10 BitLinear MLP (authors' defaults: absmedian, LayerNorm,
Q = 128; the independent PyTorch BitLinear of
scripts/make_bitlinear_fixtures.py with its straight-through estimator),
ReLU, mean cross-entropy, AdamW (lr 1e-3, weight decay 0.01), batch 64, on
random data.
2. Its 32-bit twin (bench/mlp_f32_784_256_256_10.mlir): torch.nn.Linear
layers, the same ReLU, loss, optimiser and batch.
3. The one-block character-level decoder of bench/char_transformer.mlir
(vocab 65, context 64, dim 128, 4 heads, hidden 512; the PyTorch model of
scripts/make_training_fixtures.py), AdamW, batch 16; and the 6-block decoder
of bench/char_decoder_6x384.mlir (10.8M parameters, context 256, dim 384,
6 heads, hidden 1536), batch 8.
4. The papers' MNIST CNN of bench/mnist_cnn.mlir (two 3x3 convolutions,
ReLU, 2x2 max-pool, dropout 0.25, BitLinear 9216-128, ReLU, dropout 0.5,
BitLinear 128-10), AdamW, batch 64.
Prints milliseconds per step (median of 5 repetitions); with --mode forward,
per forward pass alone (no gradients, dropout off: the compiled eval step).

    /usr/bin/python3 bench/torch_train_step.py --threads 1 [--mode forward]
"""

import argparse
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "scripts"))
from make_bitlinear_fixtures import bitlinear  # noqa: E402
from make_training_fixtures import transformer_loss  # noqa: E402


def training(loss_fn, opt):
    """The train step of `loss_fn(train)` with `opt`, and its forward pass
    alone (no gradients, no dropout), as the compiled eval step."""
    def step():
        opt.zero_grad()
        loss = loss_fn(True)
        loss.backward()
        opt.step()
        return loss

    def forward():
        with torch.no_grad():
            return loss_fn(False)

    return step, forward


def mlp_step_fn(batch):
    torch.manual_seed(0)
    layers = [torch.nn.Linear(784, 256), torch.nn.Linear(256, 256),
              torch.nn.Linear(256, 10)]
    params = [p for layer in layers for p in (layer.weight, layer.bias)]
    opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01)
    x = torch.randn(batch, 784)
    labels = torch.randint(0, 10, (batch,))

    def loss(train):
        h = x
        for i, layer in enumerate(layers):
            h = bitlinear(h, layer.weight, layer.bias, None, None, "layer",
                          "absmedian", 128, 1.0)
            if i + 1 < len(layers):
                h = torch.relu(h)
        return torch.nn.functional.cross_entropy(h, labels)

    return training(loss, opt)


def mlp_f32_step_fn(batch):
    """The 32-bit twin: the same MLP with plain torch.nn.Linear layers."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 10))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    x = torch.randn(batch, 784)
    labels = torch.randint(0, 10, (batch,))

    def loss(train):
        return torch.nn.functional.cross_entropy(model(x), labels)

    return training(loss, opt)


def transformer_step_fn(batch, vocab=65, context=64, dim=128, heads=4,
                        hidden=512, blocks=1):
    torch.manual_seed(0)
    block = {"wq": (dim, dim), "wk": (dim, dim), "wv": (dim, dim),
             "wo": (dim, dim), "w1": (hidden, dim), "b1": (hidden,),
             "w2": (dim, hidden), "b2": (dim,)}
    shapes = {"tok": (vocab, dim), "pos": (context, dim),
              "head": (vocab, dim)}
    for i in range(blocks):
        shapes.update({n + ("" if i == 0 else f"_{i}"): s
                       for n, s in block.items()})
    p = {n: (torch.randn(*s) * 0.05).requires_grad_()
         for n, s in shapes.items()}
    opt = torch.optim.AdamW(list(p.values()), lr=1e-3, weight_decay=0.01)
    ids = torch.randint(0, vocab, (batch, context))
    targets = torch.randint(0, vocab, (batch, context))

    def loss(train):
        return transformer_loss(ids, targets, p, heads, blocks)

    return training(loss, opt)


def cnn_step_fn(batch):
    """The papers' MNIST CNN: 32-bit convolutions, BitLinear classifier."""
    torch.manual_seed(0)
    conv1 = torch.nn.Conv2d(1, 32, 3)
    conv2 = torch.nn.Conv2d(32, 64, 3)
    fc1 = torch.nn.Linear(9216, 128)
    fc2 = torch.nn.Linear(128, 10)
    params = [p for m in (conv1, conv2, fc1, fc2) for p in m.parameters()]
    opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01)
    x = torch.randn(batch, 1, 28, 28)
    labels = torch.randint(0, 10, (batch,))

    def loss(train):
        h = torch.relu(conv1(x))
        h = torch.relu(conv2(h))
        h = torch.nn.functional.max_pool2d(h, 2)
        h = torch.nn.functional.dropout(h, 0.25, training=train).flatten(1)
        h = bitlinear(h, fc1.weight, fc1.bias, None, None, "layer",
                      "absmedian", 128, 1.0)
        h = torch.nn.functional.dropout(torch.relu(h), 0.5, training=train)
        h = bitlinear(h, fc2.weight, fc2.bias, None, None, "layer",
                      "absmedian", 128, 1.0)
        return torch.nn.functional.cross_entropy(h, labels)

    return training(loss, opt)


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
    parser.add_argument("--mode", choices=["train", "forward"], default="train",
                        help="time the train step, or the forward pass alone "
                        "(no gradients, no dropout: the compiled eval step)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    which = 0 if args.mode == "train" else 1
    for name, fns in [("mlp_784_256_256_10/64", mlp_step_fn(64)),
                      ("mlp_f32_784_256_256_10/64", mlp_f32_step_fn(64)),
                      ("char_transformer/16", transformer_step_fn(16)),
                      ("char_decoder_6x384/8",
                       transformer_step_fn(8, context=256, dim=384, heads=6,
                                           hidden=1536, blocks=6)),
                      ("mnist_cnn/64", cnn_step_fn(64))]:
        seconds = time_step(fns[which], args.min_time)
        print(f"torch {torch.__version__} threads {args.threads} "
              f"{args.mode}: {name} {seconds * 1e3:.3f} ms/step")


if __name__ == "__main__":
    main()
