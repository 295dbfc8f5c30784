#!/usr/bin/python3
"""Checks ternary-eval's accuracies against the training run's own.

    check_eval.py METRICS WHICH=OUTPUT [WHICH=OUTPUT ...]

METRICS is the run's metrics.json (a set without a validation split: each
epoch's figures are the test split's; a corpus: its validation split's); each OUTPUT holds ternary-eval's
output for the predictor of the `last` epoch (last.safetensors, the
exported model.mlir, model.o) or the `best` one (best.safetensors). The
deployed predictor (weights bound and packed at compile time) must give
the accuracy the run measured with the training code for the same
parameters.
"""

import json
import re
import sys


def accuracy(path):
    text = open(path).read()
    match = re.match(r"accuracy ([0-9.]+) on (\d+) (test|validation) "
                     r"(examples|tokens), "
                     r"([0-9.]+) (examples|tokens)/s", text)
    if not match:
        sys.exit(f"{path}: unexpected output {text!r}")
    return float(match.group(1))


def main(metrics, *outputs):
    m = json.load(open(metrics))
    # Each epoch's figures on the split it was evaluated on: the test
    # split, or a corpus's validation split (it has no test split).
    accuracies = [e["test_accuracy"] if "test_accuracy" in e
                  else e["val_accuracy"] for e in m["epochs"]]
    wanted = {"last": accuracies[-1], "best": max(accuracies)}
    for spec in outputs:
        which, path = spec.split("=", 1)
        got, want = accuracy(path), wanted[which]
        if abs(got - want) > 1e-4:
            sys.exit(f"{path}: accuracy {got}, the run measured {want} "
                     f"({which} epoch)")
    print("deployed accuracies match the run's:", accuracies)


if __name__ == "__main__":
    main(*sys.argv[1:])
