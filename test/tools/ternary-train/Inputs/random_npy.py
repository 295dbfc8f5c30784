# Writes a seeded random .npy (plain Python, no numpy):
#   random_npy.py OUT.npy f32 ROWS COLS SEED     N(0, 1) values
#   random_npy.py OUT.npy i64 ROWS CLASSES SEED  labels in [0, CLASSES)
import random
import struct
import sys


def write(path, descr, shape, fmt, values):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        descr, "".join("%d, " % d for d in shape))
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
        f.write(header.encode())
        f.write(struct.pack("<%d%s" % (len(values), fmt), *values))


out, kind, rows, cols, seed = sys.argv[1:6]
rows, cols = int(rows), int(cols)
rng = random.Random(int(seed))
if kind == "f32":
    write(out, "<f4", (rows, cols), "f", [rng.gauss(0, 1) for _ in range(rows * cols)])
else:
    write(out, "<i8", (rows,), "q", [rng.randrange(cols) for _ in range(rows)])
