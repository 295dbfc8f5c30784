#!/usr/bin/python3
"""Writes docs/results-lm.md from the runs of scripts/reproduce_lm.sh.

    /usr/bin/python3 lm_table.py OUT > docs/results-lm.md

OUT holds commands-SIZE.txt (name|command a row) and one run directory a
row (metrics.json with `evals`: the validation loss every N steps). The
curves of each size are drawn into docs/results-lm-SIZE.png by gnuplot.
"""

import glob
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from results_table import cpu  # noqa: E402


def plot(out, size, rows, png):
    """The validation loss of every row against the steps, by gnuplot."""
    if not shutil.which("gnuplot"):
        return False
    plots = []
    for name, m in rows:
        data = os.path.join(out, name + ".dat")
        with open(data, "w") as f:
            for e in m["evals"]:
                f.write(f"{e['step']} {e['val_loss']}\n")
        label = name.replace(f"shakespeare-{size}-", "")
        plots.append(f"'{data}' using 1:2 with linespoints title '{label}'")
    script = "\n".join([
        "set terminal png size 800,480",
        f"set output '{png}'",
        f"set title 'Tiny Shakespeare, gpt {size}: validation loss'",
        "set xlabel 'step'", "set ylabel 'nats a character'",
        "plot " + ", ".join(plots), ""])
    return subprocess.run(["gnuplot"], input=script, text=True).returncode == 0


def main(out):
    root = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    print("# Results: the papers' language-model comparison\n")
    print("Written by `scripts/reproduce_lm.sh` (scripts/reproduce/lm_table.py)"
          " on this machine: " + cpu() + f", {os.cpu_count()} cores; one "
          "thread a run, two runs at a time. The character-level `gpt` of "
          "the model library on Tiny Shakespeare (first 90 % train, last "
          "10 % validation, 65 characters); every row the same seed, data "
          "order and steps; the validation loss in nats a character (one "
          "token a character) every tenth of the run.\n")
    for commands in sorted(glob.glob(os.path.join(out, "commands-*.txt"))):
        size = commands[len(os.path.join(out, "commands-")):-len(".txt")]
        rows, table = [], []
        for line in open(commands):
            name, command = line.strip().split("|", 1)
            path = os.path.join(out, name, "metrics.json")
            if not os.path.exists(path):
                table.append(f"| {name} | not run | | | | `{command}` |")
                continue
            m = json.load(open(path))
            rows.append((name, m))
            table.append(
                f"| {name} | {m['val_loss']:.4f} | {m['val_perplexity']:.2f}"
                f" | {m['val_accuracy'] * 100:.1f} | {m['params']:,} | "
                f"{m['seconds'] / 60:.1f} | `{command}` |")
        print(f"## Size `{size}`\n")
        print("| row | validation loss | perplexity | next-character "
              "accuracy % | parameters | minutes | command |")
        print("|---|---|---|---|---|---|---|")
        print("\n".join(table) + "\n")
        png = os.path.join(root, "docs", f"results-lm-{size}.png")
        if rows and plot(out, size, rows, png):
            print(f"![validation loss against steps](results-lm-{size}.png)\n")
        loss = {name.replace(f"shakespeare-{size}-", ""): m["val_loss"]
                for name, m in rows}
        if {"32", "absmean", "absmedian", "x2-absmedian"} <= loss.keys():
            f32 = loss["32"]
            print("Findings, stated plainly (one seed, this size):\n")
            for label, key in (("absmean", "absmean"),
                               ("absmedian", "absmedian"),
                               ("absmedian at hidden x2", "x2-absmedian")):
                gap = loss[key] - f32
                verdict = "reaches or passes" if gap <= 0 else "stays behind"
                print(f"- 1.58-bit {label}: {loss[key]:.4f} against 32-bit "
                      f"{f32:.4f} ({gap:+.4f} nats): {verdict} 32-bit.")
            params = {name.replace(f"shakespeare-{size}-", ""): m["params"]
                      for name, m in rows}
            print(f"- The doubled width has {params['x2-absmedian'] / params['32']:.2f}"
                  "x the parameters of the 32-bit model (the papers compare "
                  "at equal hidden-size multiples, as here).")
            better = "absmedian" if loss["absmedian"] <= loss["absmean"] \
                else "absmean"
            print(f"- absmedian against absmean: {loss['absmedian']:.4f} "
                  f"against {loss['absmean']:.4f}: {better} is lower.\n")


if __name__ == "__main__":
    main(sys.argv[1])
