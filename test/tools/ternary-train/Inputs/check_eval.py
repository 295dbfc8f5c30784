#!/usr/bin/python3
"""Checks ternary-eval's accuracies against the training run's own.

    check_eval.py METRICS LAST BEST EXPORTED

METRICS is the run's metrics.json (a set without a validation split: each
epoch's figures are the test split's); LAST, BEST and EXPORTED hold
ternary-eval's output for last.safetensors, best.safetensors and the
exported model.mlir. The deployed predictor (weights bound and packed at
compile time) must give the accuracy the run measured with the training
code for the same parameters: the last epoch's for LAST and EXPORTED, the
best epoch's for BEST.
"""

import json
import re
import sys


def accuracy(path):
    text = open(path).read()
    match = re.match(r"accuracy ([0-9.]+) on (\d+) test examples, ([0-9.]+) "
                     r"examples/s", text)
    if not match:
        sys.exit(f"{path}: unexpected output {text!r}")
    return float(match.group(1))


def main(metrics, last, best, exported):
    m = json.load(open(metrics))
    accuracies = [e["test_accuracy"] for e in m["epochs"]]
    expected = {last: accuracies[-1], best: max(accuracies),
                exported: accuracies[-1]}
    for path, want in expected.items():
        got = accuracy(path)
        if abs(got - want) > 1e-4:
            sys.exit(f"{path}: accuracy {got}, the run measured {want}")
    print("deployed accuracies match the run's:", accuracies)


if __name__ == "__main__":
    main(*sys.argv[1:])
