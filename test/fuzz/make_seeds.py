"""Writes the seed corpora of the non-IR fuzz targets into a folder:
npy/ (arrays of every dtype the reader takes, and a few broken headers),
safetensors/ (checkpoint-like files with metadata) and inline-array/
(the forms tools accept) and tokenize/ (mixed-script text, broken UTF-8). The IR target's seeds are the lit inputs
themselves (test/dialects, test/passes). Usage: make_seeds.py OUT_DIR."""

import json
import os
import struct
import sys

import numpy as np

out = sys.argv[1]
for sub in ("npy", "safetensors", "inline-array", "tokenize"):
    os.makedirs(os.path.join(out, sub), exist_ok=True)


def write(sub, name, data):
    with open(os.path.join(out, sub, name), "wb") as f:
        f.write(data)


rng = np.random.default_rng(0)
arrays = {
    "f32": rng.standard_normal((3, 4)).astype(np.float32),
    "f64": rng.standard_normal((5,)).astype(np.float64),
    "i8": rng.integers(-128, 127, (2, 3, 2)).astype(np.int8),
    "u8": rng.integers(0, 255, (7,)).astype(np.uint8),
    "i32": rng.integers(-1000, 1000, (2, 2)).astype(np.int32),
    "i64": rng.integers(-1000, 1000, (4,)).astype(np.int64),
    "scalar": np.array(1.5, dtype=np.float32),
    "empty": np.zeros((0, 3), dtype=np.float32),
}
for name, a in arrays.items():
    path = os.path.join(out, "npy", name + ".npy")
    np.save(path, a)
write("npy", "truncated.npy", open(os.path.join(out, "npy", "f32.npy"),
                                   "rb").read()[:70])

st_dtypes = {np.float32: "F32", np.float64: "F64", np.int8: "I8",
             np.uint8: "U8", np.int32: "I32", np.int64: "I64"}


def safetensors(tensors, metadata=None):
    header, data = {}, b""
    if metadata:
        header["__metadata__"] = metadata
    for name, a in tensors.items():
        raw = a.tobytes()
        header[name] = {"dtype": st_dtypes[a.dtype.type],
                        "shape": list(a.shape),
                        "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


write("safetensors", "checkpoint.safetensors", safetensors(
    {"w1": arrays["f32"], "m.w1": arrays["f32"] * 0,
     "step": np.array([3], dtype=np.int64)},
    {"epoch": "2", "batch": "0", "model": "mlp.mlir"}))
write("safetensors", "all-dtypes.safetensors", safetensors(
    {k: v for k, v in arrays.items() if k not in ("scalar",)}))
write("safetensors", "empty.safetensors", safetensors({}))

for i, text in enumerate(["2x3xf32=1,2,3,4,5,6", "f32=2.5", "4xi64=1,-2,3,4",
                          "2x2xi8=1,-1,0,127", "3xf64=1e300,-0.0,nan",
                          "0x4xf32=", "2x1xi32=2147483647,-5"]):
    write("inline-array", "seed%d" % i, text.encode())

# Text for the tokenizers: scripts, contractions, spaces; bytes that are not
# UTF-8 (a lone continuation byte, a truncated sequence, an overlong form).
for name, text in {
        "mixed": "Hello world! It's 3.14 \u00e9t\u00e9 \u65e5\u672c \U0001F389\n\t  x",
        "spaces": "   a  b\t\tc\n\n",
        "bert": "The cat, the dog; r\u00e9sum\u00e9 [CLS] $5 (a)"}.items():
    write("tokenize", name, text.encode("utf-8"))
write("tokenize", "continuation", b"ab\x80cd")
write("tokenize", "truncated", b"\xe2\x82")
write("tokenize", "overlong", b"\xc0\xaf")
