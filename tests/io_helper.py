"""numpy's side of tests/io_test.ts (not a test itself).

  python3 tests/io_helper.py write DIR   writes .npy/.npz files numpy makes, with expected.json
  python3 tests/io_helper.py read DIR    reads the files cobalt wrote, prints what numpy sees as JSON
"""
import json
import os
import struct
import sys

import numpy as np

DTYPES = ["float32", "float64", "int32", "int64", "uint8", "bool", "float16"]


def values(a):
    return [float(v) if a.dtype.kind == "f" else int(v) for v in np.asarray(a).ravel(order="C")]


def write(d):
    rng = np.random.default_rng(1)
    expected = {}
    for dt in DTYPES:
        base = rng.uniform(-100, 100, size=(3, 4)).astype(dt) if dt != "bool" else rng.integers(0, 2, (3, 4)).astype(bool)
        if dt == "uint8":
            base = rng.integers(0, 255, (3, 4)).astype("uint8")
        for order in ["C", "F"]:
            for endian in ["<", ">"]:
                if endian == ">" and np.dtype(dt).itemsize == 1:
                    continue
                a = np.asarray(base, dtype=np.dtype(dt).newbyteorder(endian), order=order)
                name = f"{dt}_{order}_{'be' if endian == '>' else 'le'}.npy"
                np.save(os.path.join(d, name), a)
                expected[name] = {"dtype": dt, "shape": list(a.shape), "values": values(a)}
    scalar = np.float64(3.5)
    np.save(os.path.join(d, "scalar.npy"), scalar)
    expected["scalar.npy"] = {"dtype": "float64", "shape": [], "values": [3.5]}
    empty = np.zeros((0, 3), "int32")
    np.save(os.path.join(d, "empty.npy"), empty)
    expected["empty.npy"] = {"dtype": "int32", "shape": [0, 3], "values": []}
    arrays = {"x": rng.uniform(size=(5,)).astype("float32"), "y": np.arange(6, dtype="int64").reshape(2, 3)}
    np.savez(os.path.join(d, "plain.npz"), **arrays)
    np.savez_compressed(os.path.join(d, "compressed.npz"), **arrays)
    for f in ["plain.npz", "compressed.npz"]:
        expected[f] = {k: {"dtype": str(v.dtype), "shape": list(v.shape), "values": values(v)} for k, v in arrays.items()}
    with open(os.path.join(d, "expected.json"), "w") as fh:
        json.dump(expected, fh)


def read_safetensors(path):
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    header = json.loads(b[8:8 + n])
    names = {"F32": "float32", "F64": "float64", "I32": "int32", "I64": "int64", "U8": "uint8", "BOOL": "bool",
             "F16": "float16"}
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            out[k] = v
            continue
        s, e = v["data_offsets"]
        a = np.frombuffer(b[8 + n + s:8 + n + e], dtype=names[v["dtype"]]).reshape(v["shape"])
        out[k] = {"dtype": str(a.dtype), "shape": list(a.shape), "values": values(a)}
    return out


def read(d):
    out = {}
    for f in sorted(os.listdir(d)):
        p = os.path.join(d, f)
        if f.endswith(".npy"):
            a = np.load(p)
            out[f] = {"dtype": str(a.dtype), "shape": list(a.shape), "values": values(a)}
        elif f.endswith(".npz"):
            with np.load(p) as z:
                out[f] = {k: {"dtype": str(z[k].dtype), "shape": list(z[k].shape), "values": values(z[k])} for k in z.files}
        elif f.endswith(".safetensors"):
            out[f] = read_safetensors(p)
    print(json.dumps(out))


if __name__ == "__main__":
    {"write": write, "read": read}[sys.argv[1]](sys.argv[2])
