# Writes a small safetensors file like a checkpoint of ternary-train: the
# parameters as param.NAME (f32), optimiser state beside them, and metadata.
import json
import struct
import sys

tensors = [
    ("param.w", [2, 3], [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
    ("param.b", [2], [0.5, -0.5]),
    ("exp_avg.w", [2, 3], [9.0] * 6),
]
header, data = {}, b""
for name, shape, values in tensors:
    raw = struct.pack("<%df" % len(values), *values)
    header[name] = {"dtype": "F32", "shape": shape,
                    "data_offsets": [len(data), len(data) + len(raw)]}
    data += raw
header["__metadata__"] = {"epoch": "0"}
text = json.dumps(header).encode()
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + data)
