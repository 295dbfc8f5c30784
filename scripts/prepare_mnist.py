#!/usr/bin/python3
"""Converts MNIST's IDX files into .npy arrays for ternary-train.

Writes train_x.npy, test_x.npy (float32 [N, 784], pixels / 255 normalised
with PyTorch's MNIST example's mean 0.1307 and deviation 0.3081) and
train_labels.npy, test_labels.npy (int64 [N]).

    /usr/bin/python3 scripts/prepare_mnist.py IDX_DIR OUT
"""

import os
import sys

import numpy as np


def idx(path):
    with open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big")
             for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main(src, out):
    os.makedirs(out, exist_ok=True)
    for split, prefix in (("train", "train"), ("test", "t10k")):
        images = idx(os.path.join(src, prefix + "-images-idx3-ubyte"))
        labels = idx(os.path.join(src, prefix + "-labels-idx1-ubyte"))
        x = images.reshape(len(images), -1).astype(np.float32) / 255.0
        x = (x - 0.1307) / 0.3081
        np.save(os.path.join(out, split + "_x.npy"), x.astype(np.float32))
        np.save(os.path.join(out, split + "_labels.npy"),
                labels.astype(np.int64))
        print(f"{split}: {x.shape[0]} images")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
