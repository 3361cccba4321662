"""The benchmark workloads in numpy (OpenBLAS), plus a STREAM-like bandwidth figure of the machine.
Prints one JSON object: milliseconds per operation (median of rounds). Run with OPENBLAS_CORETYPE
and OPENBLAS_L2_SIZE unset (scripts/bench.sh does); OPENBLAS_NUM_THREADS=1 gives the 1-thread run.
"""
import ctypes
import glob
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np


def openblas_core():
    """The OpenBLAS kernel numpy's bundled library picked at run time (e.g. SkylakeX)."""
    libs = glob.glob(os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs", "*openblas*"))
    for lib in libs:
        so = ctypes.CDLL(lib)
        for name in ["scipy_openblas_get_corename64_", "scipy_openblas_get_corename", "openblas_get_corename"]:
            f = getattr(so, name, None)
            if f is not None:
                f.restype = ctypes.c_char_p
                return f().decode()
    return "unknown"


def t(rounds, f):
    f()
    xs = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        f()
        xs.append((time.perf_counter() - t0) * 1e3)
    return sorted(xs)[len(xs) // 2]


def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


one = os.environ.get("OPENBLAS_NUM_THREADS") == "1"
rng = np.random.default_rng(1)
out = {}
if not one:
    a4, b4 = np.array([1, 2, 3, 4], np.float32), np.array([5, 6, 7, 8], np.float32)
    out["tiny add (4 elements)"] = t(5, lambda: [a4 + b4 for _ in range(100_000)]) / 100_000
    N = 1 << 24
    a, b = rng.random(N, np.float32), rng.random(N, np.float32)
    a1, b1 = a[: 1 << 20].copy(), b[: 1 << 20].copy()
    out["add 16M"] = t(7, lambda: a + b)
    out["add 1M"] = t(9, lambda: a1 + b1)
    out["mul 16M"] = t(7, lambda: a * b)
    out["sum 16M"] = t(7, lambda: a.sum())
    s = rng.random((4096, 1024), np.float32)
    out["softmax 4096x1024"] = t(7, lambda: softmax(s))
    m = rng.random((4096, 4096), np.float32)
    out["transpose+contiguous 4096²"] = t(5, lambda: np.ascontiguousarray(m.T))
    # STREAM-like: copy and add into existing arrays (no allocation, no page faults), one half per
    # core at once (numpy releases the GIL), the best of both as the machine's bandwidth
    dst = np.empty_like(a)
    cores = os.cpu_count() or 1
    pool = ThreadPoolExecutor(cores)
    parts = np.array_split(np.arange(N), cores)

    def par(f):
        list(pool.map(lambda ix: f(slice(ix[0], ix[-1] + 1)), parts))

    copy = t(9, lambda: par(lambda sl: np.copyto(dst[sl], a[sl])))
    triad = t(9, lambda: par(lambda sl: np.add(a[sl], b[sl], out=dst[sl])))
    out["bandwidth GB/s"] = max(2 * a.nbytes / copy / 1e6, 3 * a.nbytes / triad / 1e6)
    out["openblas kernel"] = openblas_core()
for n in [256, 512, 1024, 2048]:
    x, y = rng.random((n, n), np.float32), rng.random((n, n), np.float32)
    out[f"matmul {n}" + (" (1 thread)" if one else "")] = t(3 if n >= 2048 else 7, lambda: x @ y)
# linear algebra in float64 (the same sizes and calls as bench/workloads.ts)
if not one:
    la = rng.standard_normal((1024, 1024))
    rhs = rng.standard_normal(1024)
    out["linalg.solve 1024 f64"] = t(5, lambda: np.linalg.solve(la, rhs))
    out["linalg.inv 1024 f64"] = t(5, lambda: np.linalg.inv(la))
    ls = rng.standard_normal((512, 512))
    lsym = ls + ls.T
    out["linalg.svd 512 f64"] = t(3, lambda: np.linalg.svd(ls))
    out["linalg.eigh 512 f64"] = t(3, lambda: np.linalg.eigh(lsym))
print(json.dumps({"runtime": "numpy " + np.__version__ + (" (1 thread)" if one else ""), "ms": out}))
