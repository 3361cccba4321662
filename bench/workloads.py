"""The benchmark workloads in numpy (OpenBLAS), plus a STREAM-like bandwidth figure of the machine.
Prints one JSON object: milliseconds per operation (median of rounds). Run with OPENBLAS_CORETYPE
and OPENBLAS_L2_SIZE unset (scripts/bench.sh does); OPENBLAS_NUM_THREADS=1 gives the 1-thread run.
"""
import ctypes
import glob
import json
import os
import re
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


last_range = (0.0, 0.0, 0.0)


def t(rounds, f):
    """The median of `rounds` (at least 5) timed runs after a warm-up, in ms; the min and max go
    to `last_range` (read by `put`)."""
    global last_range
    f()
    xs = []
    for _ in range(max(rounds, 5)):
        t0 = time.perf_counter()
        f()
        xs.append((time.perf_counter() - t0) * 1e3)
    xs.sort()
    last_range = (xs[0], xs[-1], xs[len(xs) // 2])
    return last_range[2]


class Out(dict):
    """The results; each figure also records its timing's min-max, scaled as the median was."""

    def __init__(self):
        super().__init__()
        self.spread = {}

    def __setitem__(self, key, value):
        global last_range
        super().__setitem__(key, value)
        lo, hi, med = last_range
        if med > 0 and isinstance(value, float):
            self.spread[key] = [lo * value / med, hi * value / med]
        last_range = (0.0, 0.0, 0.0)


def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


one = os.environ.get("OPENBLAS_NUM_THREADS") == "1"
rng = np.random.default_rng(1)
out = Out()
mem = {}
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
    out["bandwidth GB/s (64 MB arrays, in L3 here)"] = max(2 * a.nbytes / copy / 1e6, 3 * a.nbytes / triad / 1e6)
    # the real memory figure: a triad on 3 x 512 MiB, far beyond any L3
    big = 1 << 27
    sa, sb, sd = np.ones(big, np.float32), np.ones(big, np.float32), np.empty(big, np.float32)
    parts = np.array_split(np.arange(big), cores)
    triad = t(5, lambda: par(lambda sl: np.add(sa[sl], sb[sl], out=sd[sl])))
    out["bandwidth GB/s"] = 3 * sa.nbytes / triad / 1e6
    del sa, sb, sd
    out["openblas kernel"] = openblas_core()
for n in [256, 512, 1024, 2048]:
    x, y = rng.random((n, n), np.float32), rng.random((n, n), np.float32)
    out[f"matmul {n}" + (" (1 thread)" if one else "")] = t(5 if n >= 2048 else 7, lambda: x @ y)
if not one:
    eb, ec = rng.random((64, 128, 128), np.float32), rng.random((64, 128, 128), np.float32)
    out["einsum bij,bjk->bik 64x128²"] = t(7, lambda: np.einsum("bij,bjk->bik", eb, ec, optimize=True))
    out["batched matmul 64x128² (einsum's baseline)"] = t(7, lambda: eb @ ec)
    ea, ee = rng.random((512, 512), np.float32), rng.random((512, 512), np.float32)
    out["einsum ij,kj->ik 512 (a transposed operand)"] = t(7, lambda: np.einsum("ij,kj->ik", ea, ee, optimize=True))


def conv2d_im2col(x, w):
    """conv2d, padding 1, stride 1, by im2col (sliding_window_view) and one matmul; NCHW out."""
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    v = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))  # (n, c, h, w, kh, kw)
    cols = v.transpose(0, 2, 3, 1, 4, 5).reshape(n * h * wd, c * kh * kw)
    y = cols @ w.reshape(o, c * kh * kw).T
    return np.ascontiguousarray(y.reshape(n, h, wd, o).transpose(0, 3, 1, 2))


if not one:
    xc, wc = rng.random((32, 64, 64, 64), np.float32), rng.random((64, 64, 3, 3), np.float32)
    out["conv2d 32x64x64x64 3x3"] = t(5, lambda: conv2d_im2col(xc, wc))
if not one:
    x64, y64 = rng.random((1024, 1024)), rng.random((1024, 1024))
    out["dgemm 1024"] = t(5, lambda: x64 @ y64)
    bs, bt = rng.random((4096, 16, 16), np.float32), rng.random((4096, 16, 16), np.float32)
    out["batched matmul 4096x(16x16)"] = t(7, lambda: bs @ bt)
    m1, m2 = rng.random((1024, 1024), np.float32), rng.random((1024, 1024), np.float32)
    out["matmul 1024 a @ b.T"] = t(7, lambda: m1 @ m2.T)
    p, q = rng.random((2048, 2048), np.float32), rng.random((2048, 2048), np.float32)
    col, row = rng.random((2048, 1), np.float32), rng.random(2048, np.float32)
    out["add 2048² contiguous"] = t(9, lambda: p + q)
    out["add 2048² a + b.T"] = t(9, lambda: p + q.T)
    out["add 2048² a + column (broadcast)"] = t(9, lambda: p + col)
    out["add 2048² a + row (broadcast)"] = t(9, lambda: p + row)
    a4, b4 = np.array([1, 2, 3, 4], np.float32), np.array([5, 6, 7, 8], np.float32)
    out["add (4 elements) left to the GC"] = t(5, lambda: [a4 + b4 for _ in range(100_000)]) / 100_000
    out["t.data of a fresh 4-element result"] = t(5, lambda: [(a4 + b4).data for _ in range(100_000)]) / 100_000 \
        - t(5, lambda: [a4 + b4 for _ in range(100_000)]) / 100_000
    try:
        xm, wm, bm = rng.random(1 << 24, np.float32), rng.random(1 << 24, np.float32), rng.random(1 << 24, np.float32)

        def kb(field):
            return int(re.search(field + r":\s+(\d+)", open("/proc/self/status").read()).group(1))

        open("/proc/self/clear_refs", "w").write("5")
        before = kb("VmRSS")
        np.maximum(xm * wm + bm, 0).sum()
        mem["peak MB: x.mul(w).add(b).relu() 16M in a scope"] = (kb("VmHWM") - before) / 1024
    except OSError:
        pass
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
print(json.dumps({"runtime": "numpy " + np.__version__ + (" (1 thread)" if one else ""), "ms": out,
                  "spread": out.spread, "mem": mem}))
