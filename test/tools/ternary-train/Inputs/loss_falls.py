#!/usr/bin/python3
"""Checks a ternary-train --metrics file of a library model's run.

    loss_falls.py METRICS MODEL PRECISION MIN_EPOCHS

The file names the model and its precision; the last epoch's training
loss is below the first's; the test accuracy (a corpus: the validation
accuracy) is a fraction; the parameter
count is positive; every epoch has its figures. Exits 1 with the reason
otherwise.
"""

import json
import sys


def main(path, model, precision, min_epochs):
    m = json.load(open(path))
    epochs = m["epochs"]
    # A corpus has no test split: its figures are the validation split's.
    accuracy = m["test_accuracy"]
    if accuracy is None:
        accuracy = m["val_accuracy"]
    checks = [
        (m["model"] == model, f"model {m['model']!r}, expected {model!r}"),
        (m["config"]["precision"] == precision,
         f"precision {m['config']['precision']}, expected {precision}"),
        (len(epochs) >= int(min_epochs), f"{len(epochs)} epochs"),
        (epochs[-1]["train_loss"] < epochs[0]["train_loss"],
         f"train loss {epochs[0]['train_loss']} -> {epochs[-1]['train_loss']}"),
        (0 <= accuracy <= 1, f"accuracy {accuracy}"),
        (m["params"] > 0, f"params {m['params']}"),
        (m["seconds"] > 0, f"seconds {m['seconds']}"),
    ]
    for ok, what in checks:
        if not ok:
            print(f"{path}: {what}")
            return 1
    print(f"{path}: loss {epochs[0]['train_loss']:.4f} -> "
          f"{epochs[-1]['train_loss']:.4f}, accuracy {accuracy:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
