#!/usr/bin/python3
"""Compares a library model with its PyTorch fixtures.

    compare_with_torch.py MODEL_MLIR FIXTURES OUT TOOLS_DIR

MODEL_MLIR is the model as ternary-model writes it with --gradients;
FIXTURES holds the PyTorch run of the same model
(scripts/make_training_fixtures.py): the data arrays in the order of the
model's data arguments (named one a line by inputs.txt; ids.npy and
targets.npy when it is absent), the initial
parameters NAME.npy, the loss and gradients (loss.npy, d.NAME.npy), the
parameters after 3 AdamW steps (NAME.step3.npy) and the losses of those
steps (losses.npy). The compiled loss and gradients (ternary-run
@loss_and_grads) and the parameters after 3 steps of the compiled train
step (ternary-train) must match within 1e-4 relative (plus 1e-6 absolute
for sums that cancel). Exits 1 naming the first array that does not.
"""

import os
import re
import subprocess
import sys


def parameter_names(model):
    """The ternary.name of every @loss argument, in order."""
    text = open(model).read()
    signature = text[text.index("func.func @loss("):]
    signature = signature[:signature.index(") -> ")]
    return re.findall(r'ternary.name = "([^"]+)"', signature)


def run(command):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)}: exit {result.returncode}\n"
                 f"{result.stderr}")


def compare(tools, got, want, atol=1e-6):
    command = [os.path.join(tools, "ternary-npy-compare"), got, want,
               "--rtol=1e-4"] + ([f"--atol={atol}"] if atol else [])
    run(command)


# AdamW moves a parameter by about lr * g / (|g| + eps) a step: where a
# gradient is near Adam's eps (1e-8), a difference far below the gradients'
# own tolerance (1e-6) becomes a difference of up to ~1e-3 of the step (the
# compiled erf and exp are within a few ulp of libm, PyTorch's are its
# own). Three steps of lr 0.01: 3e-5 absolute on the trained parameters.
TRAINED_ATOL = 3e-5


def main(model, fixtures, out, tools):
    names = parameter_names(model)
    if not names:
        sys.exit(f"{model}: no named parameters in @loss")
    os.makedirs(out, exist_ok=True)
    fixture = lambda name: os.path.join(fixtures, name + ".npy")
    listed = os.path.join(fixtures, "inputs.txt")
    inputs = (open(listed).read().split() if os.path.exists(listed)
              else ["ids", "targets"])
    data = [fixture(name) for name in inputs]

    # The loss and the gradient of every parameter.
    command = [os.path.join(tools, "ternary-run"), model,
               "--function=loss_and_grads"]
    command += ["--input=@" + f for f in data]
    command += ["--input=@" + fixture(n) for n in names]
    outputs = ["loss"] + ["d." + n for n in names]
    command += ["--output=@" + os.path.join(out, o + ".npy") for o in outputs]
    run(command)
    compare(tools, os.path.join(out, "loss.npy"), fixture("loss"), atol=None)
    for n in names:
        compare(tools, os.path.join(out, "d." + n + ".npy"), fixture("d." + n))

    # Three AdamW steps of the compiled train step on the same batch.
    trained = os.path.join(out, "trained")
    command = [os.path.join(tools, "ternary-train"), model]
    command += ["--input=@" + f for f in data]
    command += ["--param=@" + fixture(n) for n in names]
    command += ["--batch-size=3", "--epochs=3", "--shuffle=false",
                "--progress=none", "--save-params=" + trained,
                "--losses=" + os.path.join(out, "losses.npy")]
    run(command)
    for n in names:
        compare(tools, os.path.join(trained, n + ".npy"), fixture(n + ".step3"),
                atol=TRAINED_ATOL)
    compare(tools, os.path.join(out, "losses.npy"), fixture("losses"),
            atol=None)
    print(f"{len(names)} parameters: loss, gradients and 3 AdamW steps "
          "match PyTorch")


if __name__ == "__main__":
    main(*sys.argv[1:])
