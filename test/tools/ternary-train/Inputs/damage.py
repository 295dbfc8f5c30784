# Writes damaged copies of training files for the hardening tests (plain
# Python, no numpy):
#   damage.py nan-npy IN.npy OUT.npy INDEX      element INDEX (f32) := NaN
#   damage.py checkpoint IN OUT DAMAGE          a damaged safetensors copy
# DAMAGE: nan-param, negative-moment, negative-step, extra-tensor,
# no-epoch, epoch-minus-one, renamed.
import json
import struct
import sys


def nan_npy(src, dst, index):
    data = bytearray(open(src, "rb").read())
    assert data[:6] == b"\x93NUMPY" and data[6] == 1
    (hlen,) = struct.unpack("<H", data[8:10])
    start = 10 + hlen + 4 * index
    data[start:start + 4] = struct.pack("<f", float("nan"))
    open(dst, "wb").write(data)


def checkpoint(src, dst, damage):
    raw = open(src, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    body = bytearray(raw[8 + n:])
    meta = header.pop("__metadata__", {})

    def first(prefix):
        name = sorted(k for k in header if k.startswith(prefix))[0]
        return name, header[name]["data_offsets"][0]

    if damage == "nan-param":
        _, at = first("param.")
        body[at:at + 4] = struct.pack("<f", float("nan"))
    elif damage == "negative-moment":
        _, at = first("exp_avg_sq.")
        body[at:at + 4] = struct.pack("<f", -1.0)
    elif damage == "negative-step":
        at = header["step"]["data_offsets"][0]
        body[at:at + 8] = struct.pack("<q", -5)
    elif damage == "extra-tensor":
        header["param.extra"] = {"dtype": "F32", "shape": [1],
                                 "data_offsets": [len(body), len(body) + 4]}
        body += struct.pack("<f", 1.0)
    elif damage == "no-epoch":
        meta.pop("epoch", None)
    elif damage == "epoch-minus-one":
        meta["epoch"] = "-1"
    elif damage == "renamed":
        name, _ = first("param.")
        header[name.replace("param.", "param.other_")] = header.pop(name)
    else:
        raise SystemExit("unknown damage " + damage)
    header["__metadata__"] = meta
    text = json.dumps(header).encode()
    open(dst, "wb").write(struct.pack("<Q", len(text)) + text + bytes(body))


if sys.argv[1] == "nan-npy":
    nan_npy(sys.argv[2], sys.argv[3], int(sys.argv[4]))
else:
    checkpoint(sys.argv[2], sys.argv[3], sys.argv[4])
