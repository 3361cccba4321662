"""The numpy oracle of the differential fuzzer (tests/fuzz_test.ts).

Reads JSON lines on stdin, one case each, as tests/fuzz_child.ts wrote them: the program's steps and
what cobalt gave for each (dtype, shape, raw bytes, or the error it threw). Recomputes every op step
with numpy (and scipy) *from the values cobalt recorded for its inputs*, compares, and writes one
JSON document on stdout: {"cases": [{"case": N, "findings": [...]}], "stats": {...}}.

Rules (numpy 2 unless cobalt documents otherwise; each documented difference is encoded here):
- bfloat16 has no numpy dtype: it is promoted like float16 (numpy's rules), except that bfloat16
  meets float16 at float32 (README, like ml_dtypes); values are held as float32.
- float16 and bfloat16 are "computed in float32, rounded once per op" (README): the reference is
  computed in float64 and rounded once to the result dtype (for + - * / and sqrt that is the same
  number; for other functions the tolerance allows for it).
- sums, products and cumulative sums of uint8 give int64 (README; numpy: uint64).
- pow, mod, floorDiv of two bool tensors and square of a bool tensor raise DTYPE (README; numpy: int8).
- float-to-integer astype of NaN or out-of-range values saturates (README; numpy: undefined):
  NaN -> 0, too large -> the dtype's max, too small -> its min, else truncation toward zero.
- topk and descending sorts put NaN first, ascending sorts last; sorts are stable (README/JSDoc).
- gather follows PyTorch (README).
- float functions of integers: int32/int64 -> float64, uint8/bool -> float16 (README); the same rule
  for logsumexp, softmax and logSoftmax (cobalt's "float functions").
- JS numbers are weak scalars (README); where no tensor gives a number a dtype (cb.where with two
  numbers, cb.tensor of nested numbers, cb.full/arange/linspace without a dtype) it is float32,
  cobalt's default dtype (README: "float32 (default)").
- tril/triu need two dims ("of the last two dims"; numpy would make a 1-D input 2-D).
Comparisons: integers and bool exactly; floats with NaN in the same places, the same infinities,
and finite values within a tolerance that depends on the op: "exact" ops (copies, views, casts,
+ - * /, comparisons, min/max, floor...) must give the correctly rounded number itself; "elem" ops
(exp, log, tanh...) a few ulps of the result's dtype relative to max(|x|, |result|); "acc" ops
(sums, means, matmul, softmax, var...) a tolerance relative to the sum of the magnitudes involved.
"""
import base64
import json
import math
import sys
import warnings

import numpy as np
from scipy import special

from oracle import FLOAT_UNARY, UNARY, gelu_tanh  # tests/oracle.py: the shared unary references

warnings.simplefilter("ignore")
np.seterr(all="ignore")

NP = {"float32": np.float32, "float64": np.float64, "int32": np.int32, "int64": np.int64, "uint8": np.uint8,
      "bool": np.bool_, "float16": np.float16}
STORE = dict(NP, bfloat16=np.float32)
FLOATS = ("float32", "float64", "float16", "bfloat16")
INTS = ("int32", "int64", "uint8")
# rtol of "elem" ops, rtol of "acc" ops, the absolute floor (the smallest normal number)
TOL = {"float32": (4e-6, 2e-5, 1.2e-38), "float64": (1e-13, 1e-11, 2.3e-308),
       "float16": (2.5e-3, 3e-3, 6.2e-5), "bfloat16": (1.6e-2, 2e-2, 1.2e-38)}
MAXF = {"float32": 3.4028234663852886e38, "float64": 1.7976931348623157e308, "float16": 65504.0,
        "bfloat16": 3.3895313892515355e38}


class Expect(Exception):
    """numpy (or a documented cobalt rule) refuses the call; `code` is set when cobalt documents one."""

    def __init__(self, msg, code=None):
        super().__init__(msg)
        self.code = code


class V:
    """A tensor value: a numpy array (float32 for bfloat16) and its cobalt dtype."""

    def __init__(self, a, dt):
        self.a = np.asarray(a)
        self.dt = dt

    @property
    def shape(self):
        return self.a.shape


class Out:
    """An expected result: values, how strictly to compare them, and the magnitude errors scale with."""

    def __init__(self, v, kind="exact", scale=None, either=False):
        self.v, self.kind, self.scale, self.either = v, kind, scale, either


def to_bf16(x):
    """Rounds to bfloat16 through float32 (as ml_dtypes does), returned as float32."""
    a = np.asarray(x, dtype=np.float64).astype(np.float32)
    shape = a.shape
    a = a.reshape(-1)
    u = a.view(np.uint32).astype(np.uint64)
    r = ((u + 0x7FFF + ((u >> 16) & 1)) & 0xFFFF0000).astype(np.uint32)
    out = r.view(np.float32).copy()
    out[np.isnan(a)] = np.nan
    return out.reshape(shape)


def saturate(a, dt):
    """cobalt's documented float-to-integer cast: NaN -> 0, out of range -> the limits, else truncation."""
    info = np.iinfo(NP[dt])
    t = np.trunc(np.where(np.isnan(a), 0.0, np.asarray(a, np.float64)))
    hi, lo = t >= float(info.max), t <= float(info.min)
    out = np.where(hi | lo, 0.0, t).astype(NP[dt])
    out[hi] = info.max
    out[lo] = info.min
    return out


def cast(a, dt):
    """numpy's `astype` to cobalt's `dt` (bfloat16 rounded through float32; floats to ints saturate)."""
    a = np.asarray(a)
    if dt == "bfloat16":
        return V(to_bf16(a.astype(np.float64)), dt)
    if dt in INTS and a.dtype.kind == "f":
        return V(saturate(a.astype(np.float64), dt), dt)
    if dt == "bool":
        return V(a.astype(np.bool_), dt)
    return V(a.astype(NP[dt]), dt)


def f64(v):
    return v.a.astype(np.float64)


def dummy(v):
    """A one-element array of `v`'s dtype for numpy's promotion rules (bfloat16 stands in as float16)."""
    if isinstance(v, V):
        return np.zeros(1, np.float16 if v.dt == "bfloat16" else NP[v.dt])
    return v


def back(npdt, vals):
    """numpy's result dtype mapped to cobalt's: bfloat16 in -> bfloat16 out (float32 with float16)."""
    name = np.dtype(npdt).name
    vs = [v for v in vals if isinstance(v, V)]
    if name == "float16" and any(v.dt == "bfloat16" for v in vs):
        return "float32" if any(v.dt == "float16" for v in vs) else "bfloat16"
    if name == "uint64":
        return "int64"
    if name not in STORE:
        raise Expect(f"numpy gives {name}")
    return name


def result_dtype(f, *vals):
    try:
        r = f(*[dummy(v) for v in vals])
    except Exception as e:  # noqa: BLE001 - numpy's refusal is the expected outcome
        raise Expect(f"{type(e).__name__}: {e}")
    return back(np.asarray(r).dtype, vals)


def scalar_as(s, dt):
    """A weak JS number converted to a float dtype, as numpy does before computing."""
    if dt == "float16":
        return float(np.float16(s))
    if dt == "bfloat16":
        return float(to_bf16(s))
    if dt == "float32":
        return float(np.float32(s))
    return float(s)


def pyscalar(x, ctx):
    """A JS number as the Python scalar numpy should see: an int when integral (and the tensor is
    not floating), else a float."""
    if isinstance(x, bool):
        x = int(x)
    if isinstance(x, int) or (isinstance(x, float) and math.isfinite(x) and x == int(x)):
        if ctx is None or ctx.dt not in FLOATS:
            return int(x)
    return float(x)


def bscale(*arrs):
    """max(|a|, |b|, ...) elementwise, broadcast, ignoring non-finite values."""
    out = None
    for a in arrs:
        m = np.abs(np.asarray(a, dtype=np.float64))
        m = np.where(np.isfinite(m), m, 0.0)
        out = m if out is None else np.maximum(out, m)
    return out


# ---- elementwise -------------------------------------------------------------------------------

def float_result(dt):
    return {"bool": "float16", "uint8": "float16", "int32": "float64", "int64": "float64"}.get(dt, dt)


def unary(op, x, kw):
    if op in FLOAT_UNARY:
        f = UNARY[op]
        if op == "gelu" and kw.get("approximate") == "tanh":
            f = gelu_tanh
        r = float_result(x.dt)
        y = f(f64(x))
        kind = "exact" if op == "sqrt" else "elem"
        return Out(cast(y, r), kind, bscale(y, f64(x)))
    f = UNARY[op]
    r = result_dtype(f, x)
    if x.dt in FLOATS:
        y = f(f64(x))
    else:
        y = f(x.a)
    return Out(cast(y, r))


BIN = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide, "pow": np.power,
    "maximum": np.maximum, "minimum": np.minimum, "mod": np.remainder, "floorDiv": np.floor_divide,
    "eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal, "gt": np.greater,
    "ge": np.greater_equal, "logicalAnd": np.logical_and, "logicalOr": np.logical_or,
    "logicalXor": np.logical_xor,
}
CMP = ("eq", "ne", "lt", "le", "gt", "ge")
LOGIC = ("logicalAnd", "logicalOr", "logicalXor")


def binary(op, x, y, swap=False):
    """x op y (y op x when swap), for a tensor x and a tensor or JS number y."""
    f = BIN[op]
    if not isinstance(y, V):
        y = pyscalar(y, x)
    args = (y, x) if swap else (x, y)
    shapes = [v.shape for v in args if isinstance(v, V)]
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        raise Expect("shapes do not broadcast", "SHAPE_MISMATCH")
    if op in ("pow", "mod", "floorDiv") and all(isinstance(v, V) and v.dt == "bool" for v in args):
        try:
            np.broadcast_shapes(args[0].shape, args[1].shape)
        except ValueError:
            raise Expect("shapes do not broadcast", "SHAPE_MISMATCH")
        raise Expect(f"{op} of two bool tensors", "DTYPE")
    if op in CMP:
        if any(isinstance(v, V) and v.dt == "bool" for v in args) and any(
                isinstance(v, int) and not -2**63 <= v < 2**63 for v in args):
            # numpy cannot compare a bool array with an integer beyond int64 (OverflowError); any
            # correct answer (or a refusal) is accepted
            with np.errstate(all="ignore"):
                other = [float(v) if isinstance(v, int) else v for v in args]
                out = f(*[v.a if isinstance(v, V) else v for v in other])
            return Out(V(out, "bool"), either=True)
    r = result_dtype(f, *args)
    if op in LOGIC:
        vals = [v.a if isinstance(v, V) else v for v in args]
        return Out(V(f(*vals), "bool"))
    if op in CMP:
        vals = []
        for v, o in ((args[0], args[1]), (args[1], args[0])):
            if isinstance(v, V):
                vals.append(v.a)
            elif isinstance(o, V) and o.dt in FLOATS and isinstance(v, float):
                vals.append(scalar_as(v, o.dt))
            else:
                vals.append(v)
        if any(isinstance(v, V) and v.dt == "bfloat16" for v in args):
            vals = [v.astype(np.float64) if isinstance(v, np.ndarray) else v for v in vals]
        return Out(V(f(*vals), "bool"))
    if r in FLOATS:
        vals = [f64(v) if isinstance(v, V) else scalar_as(v, r) for v in args]
        try:
            out = f(*vals)
        except Exception as e:  # noqa: BLE001
            raise Expect(f"{type(e).__name__}: {e}")
        if op == "floorDiv":
            # numpy's floor_divide goes through fmod; floor(a / b) may round a huge quotient
            # differently: a few ulps of the quotient itself (still less than 1 below 2**44 in
            # float64 and 2**17 in float32, so an off-by-one floor is caught)
            return Out(cast(out, r), "elem", bscale(out))
        kind = "elem" if op == "pow" else "exact"
        return Out(cast(out, r), kind, bscale(out, *vals) if kind != "exact" else None)
    vals = [v.a if isinstance(v, V) else v for v in args]
    if op == "pow" and r in INTS and np.any(np.asarray(vals[1]) < 0):
        # documented (JSDoc of pow): refused, also when the result is empty (numpy checks per element)
        raise Expect("integers to negative integer powers", "INVALID_ARGUMENT")
    try:
        out = f(*vals)
    except Exception as e:  # noqa: BLE001
        raise Expect(f"{type(e).__name__}: {e}")
    return Out(cast(out, r))


def clamp(x, lo, hi):
    if lo is None and hi is None:
        raise Expect("clamp without bounds")
    v = x
    if lo is not None:
        v = binary("maximum", v, lo).v
    if hi is not None:
        v = binary("minimum", v, hi).v
    return Out(v)


def where(c, a, b):
    if not isinstance(a, V) and not isinstance(b, V):
        # two JS numbers: float32 tensors, cobalt's default dtype
        a, b = cast(np.float32(a), "float32"), cast(np.float32(b), "float32")
    a = a if isinstance(a, V) else pyscalar(a, b)
    b = b if isinstance(b, V) else pyscalar(b, a)
    # numpy's where wraps an integer that does not fit the other operand's dtype; cobalt documents
    # weak JS numbers as refused when they do not fit (as numpy's binary ops do): expect that.
    for s, o in ((a, b), (b, a)):
        if isinstance(s, int) and isinstance(o, V) and o.dt not in FLOATS:
            info = np.iinfo(np.int64 if o.dt == "bool" else NP[o.dt])
            if not info.min <= s <= info.max:
                raise Expect(f"{s} does not fit {o.dt}", "INVALID_ARGUMENT")
    r = result_dtype(lambda p, q: np.where(np.array([True]), p, q), a, b)
    av = f64(a) if isinstance(a, V) and r in FLOATS else (a.a if isinstance(a, V) else a)
    bv = f64(b) if isinstance(b, V) and r in FLOATS else (b.a if isinstance(b, V) else b)
    if r in FLOATS:
        av = av if isinstance(a, V) else scalar_as(av, r)
        bv = bv if isinstance(b, V) else scalar_as(bv, r)
    try:
        out = np.where(c.a.astype(bool), av, bv)
    except Exception as e:  # noqa: BLE001
        raise Expect(f"{type(e).__name__}: {e}")
    return Out(cast(out, r))


# ---- reductions and scans ------------------------------------------------------------------------

def axes_of(kw, nd):
    ax = kw.get("axis")
    if ax is None:
        return None
    if isinstance(ax, list):
        return tuple(ax)
    return ax


def zero_d_axis(x, ax):
    """numpy lets reductions and scans of a 0-d array take axis 0 or -1 (a legacy quirk); cobalt may
    refuse that with AXIS. Returns True when the quirk applies: then either outcome is accepted."""
    return x.a.ndim == 0 and ax is not None and (ax in (0, -1) or ax in ((0,), (-1,)))


def reduce(op, x, kw):
    ax = axes_of(kw, x.a.ndim)
    if zero_d_axis(x, ax):
        r = reduce(op, x, {k: v for k, v in kw.items() if k != "axis"})
        return Out(r.v, r.kind, r.scale, either=True)
    keep = bool(kw.get("keepdims", False))
    try:
        if ax is not None:
            np.sum(np.zeros(x.shape, np.int8), axis=ax)  # numpy's axis checks
    except Exception as e:  # noqa: BLE001
        raise Expect(f"{type(e).__name__}: {e}", "AXIS")
    xf = f64(x)
    if op in ("argmax", "argmin"):
        if isinstance(ax, tuple):
            raise Expect("argmax over several axes", "AXIS")
        if (ax is None and x.a.size == 0) or (ax is not None and x.a.shape[ax] == 0):
            raise Expect(f"{op} of an empty sequence")
        a = xf if x.dt in FLOATS else x.a
        f = np.argmax if op == "argmax" else np.argmin
        if x.a.ndim == 0 and ax is not None:
            if ax not in (0, -1):
                raise Expect("axis", "AXIS")
            ax = None
        return Out(V(np.asarray(f(a, axis=ax, keepdims=keep)).astype(np.int64), "int64"))
    if op in ("max", "min"):
        if x.a.size == 0:
            cnt = x.a.shape if ax is None else [x.a.shape[i] for i in ((ax,) if isinstance(ax, int) else ax)]
            if ax is None or 0 in cnt:
                raise Expect(f"{op} of an empty sequence")
        f = np.max if op == "max" else np.min
        a = xf if x.dt in FLOATS else x.a
        return Out(cast(f(a, axis=ax, keepdims=keep), x.dt))
    if op in ("any", "all"):
        f = np.any if op == "any" else np.all
        return Out(V(np.asarray(f(x.a, axis=ax, keepdims=keep)), "bool"))
    if op in ("sum", "prod"):
        f = np.sum if op == "sum" else np.prod
        r = result_dtype(lambda p: f(p), x)
        if r in FLOATS:
            y = f(xf, axis=ax, keepdims=keep)
            mag = bscale(xf)
            sc = np.sum(mag, axis=ax, keepdims=keep) if op == "sum" else np.prod(np.maximum(mag, 1.0), axis=ax, keepdims=keep)
            return Out(cast(y, r), "acc", sc)
        return Out(V(np.asarray(f(x.a, axis=ax, keepdims=keep, dtype=np.int64)), "int64"))
    if op == "mean":
        r = result_dtype(lambda p: np.mean(p), x)
        y = np.mean(xf, axis=ax, keepdims=keep)
        return Out(cast(y, r), "acc", np.mean(bscale(xf), axis=ax, keepdims=keep) if x.a.size else None)
    if op == "logsumexp":
        r = float_result(x.dt)
        if ax == ():
            return Out(cast(xf, r), "acc", bscale(xf) + 1.0)
        shape = np.sum(np.zeros(x.shape), axis=ax, keepdims=keep).shape
        y = np.reshape(special.logsumexp(xf, axis=ax, keepdims=keep), shape) if x.a.size else np.full(shape, -np.inf)
        sc = (np.max(bscale(xf), axis=ax, keepdims=keep) + 1.0) if x.a.size else None
        return Out(cast(y, r), "acc", sc)
    if op in ("var", "std"):
        ddof = kw.get("ddof", 0)
        r = result_dtype(lambda p: np.var(p), x)
        y = (np.var if op == "var" else np.std)(xf, axis=ax, keepdims=keep, ddof=ddof)
        sq = np.mean(bscale(xf) ** 2, axis=ax, keepdims=keep) if x.a.size else None
        if op == "std" and sq is not None:
            return Out(cast(y, r), "accsqrt", np.sqrt(sq))
        return Out(cast(y, r), "acc", sq)
    raise ValueError(op)


def scan(op, x, kw):
    ax = kw.get("axis")
    xf = f64(x)
    if op in ("cumsum", "cumprod"):
        f = np.cumsum if op == "cumsum" else np.cumprod
        r = result_dtype(lambda p: f(p), x)
        if ax is not None:
            if zero_d_axis(x, ax):
                r2 = scan(op, x, {})
                return Out(r2.v, r2.kind, r2.scale, either=True)
            else:
                try:
                    f(np.zeros(x.shape), axis=ax)
                except Exception as e:  # noqa: BLE001
                    raise Expect(f"{type(e).__name__}: {e}", "AXIS")
        if r in FLOATS:
            y = f(xf, axis=ax)
            mag = bscale(xf)
            sc = np.cumsum(mag, axis=ax) if op == "cumsum" else np.cumprod(np.maximum(mag, 1.0), axis=ax)
            return Out(cast(y, r), "acc", sc)
        return Out(V(f(x.a, axis=ax, dtype=np.int64), "int64"))
    r = float_result(x.dt)
    ax = -1 if ax is None else ax
    if x.a.ndim == 0:
        if ax not in (0, -1):
            raise Expect("axis", "AXIS")
        xf = xf.reshape(1)
        y = special.softmax(xf) if op == "softmax" else special.log_softmax(xf)
        return Out(cast(y.reshape(()), r), "acc", bscale(y.reshape(())) + 1.0, either=True)
    try:
        np.sum(xf, axis=ax)
    except Exception as e:  # noqa: BLE001
        raise Expect(f"{type(e).__name__}: {e}", "AXIS")
    if x.a.size == 0:
        return Out(cast(xf, r))
    y = special.softmax(xf, axis=ax) if op == "softmax" else special.log_softmax(xf, axis=ax)
    fin = np.where(np.isfinite(xf), xf, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rng = np.nanmax(fin, axis=ax, keepdims=True) - np.nanmin(fin, axis=ax, keepdims=True)
        mag = np.nanmax(np.abs(fin), axis=ax, keepdims=True)
    rng = np.where(np.isfinite(rng), rng, 0.0)
    mag = np.where(np.isfinite(mag), mag, 0.0)
    sc = bscale(y) * (rng + 1.0) if op == "softmax" else bscale(y) + mag + 1.0
    # a row holding +inf has no agreed answer (scipy: NaN for softmax, [-inf, nan, -inf] for
    # log_softmax; PyTorch: all NaN): not checked
    sc = np.where(np.any(xf == np.inf, axis=ax, keepdims=True), np.inf, sc)
    return Out(cast(y, r), "acc", sc)


# ---- linear algebra ------------------------------------------------------------------------------

def mm(a, b):
    """matmul without BLAS (which may skip a zero operand and lose a NaN): products, then sums."""
    va, vb = a.ndim == 1, b.ndim == 1
    if va:
        a = a[None, :]
    if vb:
        b = b[:, None]
    if a.shape[-1] != b.shape[-2]:
        raise ValueError(f"matmul: {a.shape} @ {b.shape}")
    out = (a[..., :, :, None] * b[..., None, :, :]).sum(axis=-2)
    if va:
        out = out[..., 0, :]
    if vb:
        out = out[..., 0]
    return out


def dot_nd(a, b):
    """numpy's dot (a's last axis with b's second-to-last), without BLAS."""
    if a.ndim <= 2 and b.ndim <= 2 or a.ndim == 1 or b.ndim == 1:
        return mm(a, b) if a.ndim >= 1 and b.ndim >= 1 else a * b
    k, n = b.shape[-2], b.shape[-1]
    if a.shape[-1] != k:
        raise ValueError(f"dot: {a.shape} . {b.shape}")
    rows, cols = int(np.prod(a.shape[:-1])), int(np.prod(b.shape[:-2])) * n
    bm = np.moveaxis(b, -2, 0).reshape(k, cols)
    return mm(a.reshape(rows, k), bm).reshape(a.shape[:-1] + b.shape[:-2] + (n,))


def linalg(op, x, y):
    if op == "outer":
        return binary("mul", V(x.a.reshape(-1, 1), x.dt), V(y.a.reshape(1, -1), y.dt))
    f = np.matmul if op == "matmul" else np.dot
    if op == "dot" and (x.a.ndim == 0 or y.a.ndim == 0):
        return binary("mul", x, y)
    r = result_dtype(lambda p, q: f(p, q), x, y)
    try:
        if r in FLOATS:
            g = mm if op == "matmul" else dot_nd
            out = g(f64(x), f64(y))
            return Out(cast(out, r), "acc", g(bscale(f64(x)), bscale(f64(y))))
        if r == "bool":
            return Out(V(f(x.a, y.a), "bool"))
        return Out(cast(f(x.a.astype(NP[r]), y.a.astype(NP[r])), r))
    except Exception as e:  # noqa: BLE001
        raise Expect(f"{type(e).__name__}: {e}", "SHAPE_MISMATCH")


# ---- shapes, views, copies -----------------------------------------------------------------------

def index_of(specs, nd):
    idx = []
    for s in specs:
        if s is None:
            idx.append(slice(None))
        elif isinstance(s, bool):
            raise Expect("bool spec")
        elif isinstance(s, (int, float)):
            idx.append(int(s))
        elif isinstance(s, list):
            p = list(s) + [None] * (3 - len(s))
            if p[2] == 0:
                raise Expect("slice step cannot be zero", "INVALID_ARGUMENT")
            idx.append(slice(p[0], p[1], p[2]))
        elif isinstance(s, str):
            t = s.strip()
            if t == "...":
                idx.append(Ellipsis)
                continue
            parts = t.split(":")
            if len(parts) == 1:
                idx.append(int(parts[0]))
                continue
            nums = [int(p) if p.strip() else None for p in parts] + [None] * (3 - len(parts))
            if nums[2] == 0:
                raise Expect("slice step cannot be zero", "INVALID_ARGUMENT")
            idx.append(slice(*nums[:3]))
    if sum(1 for i in idx if i is not Ellipsis) > nd:
        raise Expect("too many indices", "INDEX")
    return tuple(idx)


def view(op, x, kw):
    a = x.a
    nd = a.ndim
    try:
        if op == "transpose":
            return np.transpose(a, kw.get("axes") or None) if kw.get("axes") else np.transpose(a)
        if op == "permute":
            if len(kw["axes"]) != nd:
                raise Expect("permute needs every axis")
            return np.transpose(a, kw["axes"])
        if op == "slice":
            idx = index_of(kw["specs"], nd)
            r = a[idx]
            return np.asarray(r)
        if op in ("expand", "broadcastTo"):
            shape = kw["shape"]
            full = []
            for i, d in enumerate(shape):
                j = i - (len(shape) - nd)
                full.append(a.shape[j] if d == -1 and j >= 0 else d)
            if any(d < 0 for d in full):
                raise Expect("negative dim")
            return np.broadcast_to(a, full)
        if op == "reshape":
            return a.reshape(kw["shape"])
        if op == "squeeze":
            ax = kw.get("axis")
            return np.squeeze(a, axis=tuple(ax) if isinstance(ax, list) else ax)
        if op == "unsqueeze":
            return np.expand_dims(a, kw["axis"])
        if op == "flip":
            ax = kw.get("axes")
            if ax is None:
                return np.flip(a)
            return np.flip(a, axis=tuple(ax) if isinstance(ax, list) else ax)
        if op in ("contiguous", "clone"):
            return a
    except Expect:
        raise
    except Exception as e:  # noqa: BLE001
        raise Expect(f"{type(e).__name__}: {e}")
    raise ValueError(op)


def flatten_shape(a, s, e):
    nd = a.ndim
    s, e = s % nd, e % nd
    merged = int(np.prod(a.shape[s:e + 1]))
    return a.reshape(a.shape[:s] + (merged,) + a.shape[e + 1:])


def joined(op, ts, kw):
    r = result_dtype(lambda *ps: np.concatenate(ps), *ts)
    arrs = [cast(f64(t) if r in FLOATS else t.a, r).a for t in ts]
    ax = kw.get("axis", 0)
    try:
        out = np.concatenate(arrs, axis=ax) if op == "concat" else np.stack(arrs, axis=ax)
    except Exception as e:  # noqa: BLE001
        raise Expect(f"{type(e).__name__}: {e}")
    return Out(V(out, r))


def copies(op, x, kw):
    a = x.a
    try:
        if op == "tile":
            return Out(V(np.tile(a, kw["reps"]), x.dt))
        if op == "repeat":
            r = V(np.repeat(a, kw["n"], axis=kw.get("axis")), x.dt)
            # numpy takes axis 0/-1 for a 0-d array (a legacy quirk); cobalt may refuse it
            return Out(r, either=a.ndim == 0 and kw.get("axis") is not None)
        if op == "pad":
            w = kw["widths"]
            if isinstance(w, list) and len(w) == 2 and isinstance(w[0], int):
                w = [w] * a.ndim
            elif isinstance(w, int):
                w = [[w, w]] * a.ndim
            if len(w) != a.ndim:
                raise Expect("pad widths", "SHAPE_MISMATCH")
            if any(v < 0 for p in w for v in p):
                raise Expect("negative pad", "INVALID_ARGUMENT")
            value = kw.get("value", 0)
            fill = full_value([], value, x.dt)
            out = np.full([n + p[0] + p[1] for n, p in zip(a.shape, w)], fill.a, dtype=fill.a.dtype)
            out[tuple(slice(p[0], p[0] + n) for n, p in zip(a.shape, w))] = a
            return Out(V(out, x.dt))
        if op in ("tril", "triu"):
            if a.ndim < 2:
                raise Expect(f"{op} needs 2 dims", "INVALID_ARGUMENT")
            return Out(V((np.tril if op == "tril" else np.triu)(a, kw.get("k", 0)), x.dt))
    except Expect:
        raise
    except Exception as e:  # noqa: BLE001
        raise Expect(f"{type(e).__name__}: {e}")
    raise ValueError(op)


def index_ops(op, x, idx, kw):
    a = x.a
    if op == "gather":
        ax = kw["axis"]
        nd = a.ndim
        if not -nd <= ax < nd:
            raise Expect("axis", "AXIS")
        ax %= nd
        i = idx.a
        if idx.dt not in ("int32", "int64"):
            raise Expect("gather index dtype", "DTYPE")
        if i.ndim != nd:
            raise Expect("gather index ndim", "SHAPE_MISMATCH")
        for d in range(nd):
            if d != ax and i.shape[d] > a.shape[d]:
                raise Expect("gather index shape", "SHAPE_MISMATCH")
        if i.size and (i.min() < 0 or i.max() >= a.shape[ax]):
            raise Expect("gather index out of range", "INDEX")
        out = np.empty(i.shape, a.dtype)
        for p in np.ndindex(*i.shape):
            q = list(p)
            q[ax] = int(i[p])
            out[p] = a[tuple(q)]
        return Out(V(out, x.dt))
    ind = idx.a if isinstance(idx, V) else np.asarray(idx, dtype=np.int64)
    if isinstance(idx, V) and idx.dt not in ("int32", "int64", "uint8"):
        raise Expect("index dtype", "DTYPE")
    ax = kw.get("axis")
    if op == "indexSelect" or ax is not None:
        if not -a.ndim <= ax < a.ndim:
            raise Expect("axis", "AXIS")
        size = a.shape[ax]
    else:
        size = a.size
    if ind.size and (ind.min() < -size or ind.max() >= size):
        # numpy's take skips the check when there is nothing to take; cobalt checks every index
        raise Expect("index out of range", "INDEX")
    try:
        if op == "indexSelect" or ax is not None:
            return Out(V(np.take(a, ind.astype(np.int64), axis=ax), x.dt))
        return Out(V(np.take(a.reshape(-1), ind.astype(np.int64)), x.dt))
    except Exception as e:  # noqa: BLE001
        raise Expect(f"{type(e).__name__}: {e}")


def order(row, descending):
    """Stable sort order of a 1-D row: NaN last ascending, first descending."""
    vals = [float(v) for v in row]
    if descending:
        return sorted(range(len(vals)), key=lambda i: (not math.isnan(vals[i]), -vals[i] if not math.isnan(vals[i]) else 0))
    return sorted(range(len(vals)), key=lambda i: (math.isnan(vals[i]), vals[i] if not math.isnan(vals[i]) else 0))


def sorting(op, x, kw):
    a = x.a
    ax = kw.get("axis", -1)
    desc = kw.get("descending", False)
    if op == "topk":
        desc = kw.get("largest", True)
    if a.ndim == 0:
        if ax not in (0, -1):
            raise Expect("axis", "AXIS")
        if op == "topk" and kw["k"] not in (0, 1):
            raise Expect("k", "INVALID_ARGUMENT")
        # torch's topk keeps a 0-d tensor's (empty) sizes for k = 0 too: the tensor itself, index 0
        vals = Out(x, either=True)
        ind = Out(V(np.asarray(0, np.int64), "int64"), either=True)
        return ind if op == "argsort" else [vals, ind]
    if not -a.ndim <= ax < a.ndim:
        raise Expect("axis", "AXIS")
    ax %= a.ndim
    m = np.moveaxis(a, ax, -1)
    keyed = m.astype(np.float64) if x.dt != "int64" else m
    idx = np.zeros(m.shape, np.int64)
    for p in np.ndindex(*m.shape[:-1]):
        row = keyed[p]
        if x.dt == "int64":
            rowv = [int(v) for v in row]
            o = sorted(range(len(rowv)), key=lambda i: -rowv[i] if desc else rowv[i])
        else:
            o = order(row, desc)
        idx[p] = o
    vals = np.take_along_axis(m, idx, axis=-1)
    if op == "topk":
        k = kw["k"]
        if not 0 <= k <= m.shape[-1]:
            raise Expect("k out of range", "INVALID_ARGUMENT")
        idx, vals = idx[..., :k], vals[..., :k]
    idx = np.moveaxis(idx, -1, ax)
    vals = np.moveaxis(vals, -1, ax)
    if op == "argsort":
        return Out(V(idx, "int64"))
    return [Out(V(vals, x.dt)), Out(V(idx, "int64"))]


def splits(op, x, kw):
    a = x.a
    ax = kw.get("axis", 0)
    if not -a.ndim <= ax < a.ndim:
        raise Expect("axis", "AXIS")
    ax %= a.ndim
    n = a.shape[ax]
    if op == "chunk":
        k = kw["n"]
        if k <= 0:
            raise Expect("chunks", "INVALID_ARGUMENT")
        size = -(-n // k)
        if n == 0:
            return [Out(x)]
        parts = [np.take(a, range(b, min(b + size, n)), axis=ax) for b in range(0, n, size)]
        return [Out(V(p, x.dt)) for p in parts]
    sec = kw["sections"]
    try:
        parts = np.split(a, sec, axis=ax)
    except Exception as e:  # noqa: BLE001
        raise Expect(f"{type(e).__name__}: {e}", "INVALID_ARGUMENT")
    return [Out(V(p, x.dt)) for p in parts]


# ---- creation ------------------------------------------------------------------------------------

def full_value(shape, value, dt):
    """np.full with cobalt's dtype (bfloat16 through float32); python ints that do not fit raise."""
    v = pyscalar(value, V(np.zeros(0), dt) if dt in FLOATS else None)
    try:
        if dt == "bfloat16":
            return V(to_bf16(np.full(shape, float(v))), dt)
        return V(np.full(shape, v, dtype=NP[dt]), dt)
    except Exception as e:  # noqa: BLE001
        raise Expect(f"{type(e).__name__}: {e}")


def create(op, args, kw):
    dt = kw.get("dtype")
    if op == "full":
        return Out(full_value(kw["shape"], args[0], dt or "float32"))
    if op in ("zerosLike", "onesLike", "fullLike"):
        x = args[0]
        value = {"zerosLike": 0, "onesLike": 1}.get(op, args[1] if op == "fullLike" else 0)
        return Out(full_value(x.shape, value, dt or x.dt))
    if op == "tensorNested":
        data = decode_deep(kw["data"])
        d = dt or "float32"
        arr = np.array(data, dtype=np.float64)
        if d in FLOATS:
            return Out(cast(arr, d))
        try:
            return Out(V(np.array(convert_nested(data), dtype=NP[d]), d))
        except Exception as e:  # noqa: BLE001
            raise Expect(f"{type(e).__name__}: {e}")
    if op == "arange":
        start, stop, step = kw["start"], kw.get("stop"), kw.get("step")
        if stop is None:
            start, stop = 0, start
        step = 1 if step is None else step
        # numpy's rule: integer arguments give int64 (cobalt's other default is float32)
        d = dt or ("int64" if all(float(v).is_integer() for v in (start, stop, step)) else "float32")
        if step == 0:
            raise Expect("arange step 0", "INVALID_ARGUMENT")
        n = max(0, math.ceil((stop - start) / step))
        vals = start + np.arange(n, dtype=np.float64) * step
        # computed in float64, then cast with cobalt's float-to-integer rule (saturation)
        return Out(cast(vals, d))
    if op == "linspace":
        d = dt or "float32"
        num = kw.get("num", 50)
        if num < 0:
            raise Expect("negative num", "INVALID_ARGUMENT")
        if d in FLOATS:
            return Out(cast(np.linspace(kw["start"], kw["stop"], num), d), "elem",
                       bscale(np.linspace(kw["start"], kw["stop"], num), kw["start"], kw["stop"]))
        # numpy floors into an integer dtype (not bool: np.issubdtype(np.bool_, np.integer) is False);
        # out of range, cobalt's float-to-integer rule (saturation)
        y = np.linspace(kw["start"], kw["stop"], num)
        return Out(cast(y if d == "bool" else np.floor(y), d))
    if op == "eye":
        d = dt or "float32"
        n, m, k = kw["n"], kw.get("m"), kw.get("k", 0)
        e = np.eye(n, n if m is None else m, k)
        return Out(cast(e, d))
    raise ValueError(op)


def convert_nested(x):
    if isinstance(x, list):
        return [convert_nested(v) for v in x]
    return pyscalar(x, None)


def decode_num(x):
    if isinstance(x, str):
        return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf, "-0": -0.0}[x]
    return float(x)


def decode_deep(x):
    if isinstance(x, list):
        return [decode_deep(v) for v in x]
    return decode_num(x)


def assign(x, value, kw):
    y = x.a.copy()
    idx = index_of(kw["specs"], y.ndim)
    try:
        target = y[idx]
    except Exception as e:  # noqa: BLE001
        raise Expect(f"{type(e).__name__}: {e}")
    if isinstance(value, V):
        src = value.a
        if x.dt in INTS and value.dt in FLOATS:
            src = saturate(f64(value), x.dt)
        elif x.dt == "bfloat16":
            src = to_bf16(f64(value))
        try:
            np.broadcast_to(src, np.shape(target))
            y[idx] = src
        except Exception as e:  # noqa: BLE001
            raise Expect(f"{type(e).__name__}: {e}", "SHAPE_MISMATCH")
        return Out(V(y, x.dt))
    v = pyscalar(value, x)
    try:
        if x.dt == "bfloat16":
            y[idx] = to_bf16(float(v))
        else:
            y[idx] = v
    except Exception as e:  # noqa: BLE001
        raise Expect(f"{type(e).__name__}: {e}")
    return Out(V(y, x.dt))


# ---- dispatch ------------------------------------------------------------------------------------

ASYNC = {"addAsync": "add", "subAsync": "sub", "mulAsync": "mul", "divAsync": "div", "matmulAsync": "matmul",
         "expAsync": "exp", "tanhAsync": "tanh", "sumAsync": "sum", "meanAsync": "mean", "maxAsync": "max",
         "astypeAsync": "astype", "contiguousAsync": "contiguous"}


def expected(op, a, kw):
    """The expected result(s) of one step, or raises Expect."""
    op = ASYNC.get(op, op)
    if op in UNARY:
        return unary(op, a[0], kw)
    if op in BIN:
        return binary(op, a[0], a[1])
    if op in ("rsub", "rdiv"):
        return binary("sub" if op == "rsub" else "div", a[0], a[1], swap=True)
    if op == "clamp":
        return clamp(a[0], a[1], a[2])
    if op == "where":
        return where(*a)
    if op in ("sum", "mean", "prod", "min", "max", "any", "all", "logsumexp", "var", "std", "argmax", "argmin"):
        return reduce(op, a[0], kw)
    if op in ("cumsum", "cumprod", "softmax", "logSoftmax"):
        return scan(op, a[0], kw)
    if op in ("matmul", "dot", "outer"):
        return linalg(op, a[0], a[1])
    if op == "flatten":
        x = a[0]
        if x.a.ndim == 0:
            return Out(V(x.a.reshape(1), x.dt))
        nd = x.a.ndim
        s, e = kw.get("start", 0), kw.get("end", -1)
        for v in (s, e):
            if not -nd <= v < nd:
                raise Expect("axis", "AXIS")
        if s % nd > e % nd:
            raise Expect("start after end", "AXIS")
        return Out(V(flatten_shape(x.a, s, e), x.dt))
    if op in ("transpose", "permute", "slice", "expand", "broadcastTo", "reshape", "squeeze", "unsqueeze", "flip",
              "contiguous", "clone"):
        # numpy's squeeze takes axis 0/-1 for a 0-d array (a legacy quirk); cobalt may refuse it
        quirk = op == "squeeze" and a[0].a.ndim == 0 and kw.get("axis") is not None
        return Out(V(view(op, a[0], kw), a[0].dt), either=quirk)
    if op == "astype":
        x = a[0]
        return Out(cast(f64(x) if x.dt in FLOATS else x.a, kw["dtype"]))
    if op in ("concat", "stack"):
        return joined(op, a[0], kw)
    if op in ("tile", "repeat", "pad", "tril", "triu"):
        return copies(op, a[0], kw)
    if op in ("indexSelect", "take", "gather"):
        return index_ops(op, a[0], a[1], kw)
    if op in ("sort", "argsort", "topk"):
        return sorting(op, a[0], kw)
    if op in ("split", "chunk"):
        return splits(op, a[0], kw)
    if op in ("full", "tensorNested", "arange", "linspace", "eye", "zerosLike", "onesLike", "fullLike"):
        return create(op, a, kw)
    if op == "assign":
        return assign(a[0], a[1], kw)
    raise ValueError(f"oracle: unknown op {op}")


# ---- comparing -----------------------------------------------------------------------------------

def decode(rec):
    raw = base64.b64decode(rec["b64"])
    dt = rec["dtype"]
    if dt == "bfloat16":
        u = np.frombuffer(raw, np.uint16).astype(np.uint32) << 16
        a = u.view(np.float32)
    elif dt == "bool":
        a = np.frombuffer(raw, np.uint8)
    else:
        a = np.frombuffer(raw, NP[dt])
    return a.reshape(rec["shape"]).copy()


def compare(e, rec):
    """None when cobalt's result matches the expected Out, else (kind, detail)."""
    v = e.v
    if rec["dtype"] != v.dt:
        return "dtype", f"dtype {rec['dtype']}, numpy says {v.dt}"
    if list(rec["shape"]) != list(v.shape):
        return "shape", f"shape {rec['shape']}, numpy says {list(v.shape)}"
    c = decode(rec)
    if v.dt == "bool":
        if c.size and c.max() > 1:
            return "bool-bytes", f"a bool holds byte {int(c.max())}"
        c = c.astype(bool)
    want = v.a
    if v.dt not in FLOATS:
        if not np.array_equal(c, want):
            i = int(np.flatnonzero(c.reshape(-1) != want.reshape(-1))[0])
            return "value", f"[{i}] = {c.reshape(-1)[i]}, numpy says {want.reshape(-1)[i]}"
        return None
    cf, wf = c.astype(np.float64).reshape(-1), want.astype(np.float64).reshape(-1)
    er, ar, tiny = TOL[v.dt]
    rtol = {"exact": 0.0, "elem": er, "acc": ar, "accsqrt": math.sqrt(ar)}[e.kind]
    check = np.ones(cf.shape, bool)
    sc = np.abs(wf)
    if e.scale is not None:
        s = np.broadcast_to(np.asarray(e.scale, dtype=np.float64), want.shape).reshape(-1)
        if e.kind in ("acc", "accsqrt"):
            # where the magnitudes involved come near the compute dtype's overflow (float32 for the
            # 16-bit floats), the result depends on the order of operations: not checked there
            check = np.isfinite(s) & (s < MAXF["float64" if v.dt == "float64" else "float32"] / 16)
        sc = np.maximum(sc, np.where(np.isfinite(s), s, 0.0))
    cn, wn = np.isnan(cf) & check, np.isnan(wf) & check
    if not np.array_equal(cn, wn):
        i = int(np.flatnonzero(cn != wn)[0])
        return "nan", f"[{i}] = {cf[i]}, numpy says {wf[i]}"
    ok = check & ~np.isnan(wf)
    if e.kind == "exact":
        bad = ok & (cf != wf)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            return ("inf" if np.isinf(wf[i]) or np.isinf(cf[i]) else "value"), f"[{i}] = {cf[i]!r}, numpy says {wf[i]!r}"
        return None
    inf_w, inf_c = np.isinf(wf), np.isinf(cf)
    # at the edge of the range one side may overflow and the other not
    edge = MAXF[v.dt] / (1 + 4 * rtol)
    near = (np.abs(np.where(inf_w, cf, wf)) >= edge) & (np.sign(cf) == np.sign(wf))
    badinf = ok & (inf_w | inf_c) & (cf != wf) & ~near
    if badinf.any():
        i = int(np.flatnonzero(badinf)[0])
        return "inf", f"[{i}] = {cf[i]!r}, numpy says {wf[i]!r}"
    fin = ok & ~inf_w & ~inf_c
    tol = rtol * sc + tiny
    bad = fin & (np.abs(cf - wf) > tol)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        return "value", f"[{i}] = {cf[i]!r}, numpy says {wf[i]!r} (tolerance {tol[i]:.3g}, {e.kind})"
    return None


def describe_arg(arg, steps, res):
    if "t" in arg:
        r = res[arg["t"]]
        return r["ok"][arg.get("o", 0)]["dtype"] if "ok" in r else "?"
    if "n" in arg:
        return "num"
    if "ts" in arg:
        return "[" + ",".join(describe_arg(x, steps, res) for x in arg["ts"]) + "]"
    return None


# ops whose result shares its first argument's memory (when it is a view), for the "[adopted]" mark
SHARING = {"transpose", "permute", "slice", "expand", "broadcastTo", "reshape", "flatten", "squeeze", "unsqueeze",
           "flip", "contiguous", "split", "chunk", "astype", "contiguousAsync", "astypeAsync", "tile", "repeat"}


def adopted_steps(steps):
    """Steps whose result may read adopted JS memory (an input made with copy: false, or a view of one)."""
    out = set()
    for j, s in enumerate(steps):
        if s["op"] == "input" and s["kw"].get("mode") == "adopt":
            out.add(j)
        elif s["op"] in SHARING and s["a"] and "t" in s["a"][0] and s["a"][0]["t"] in out:
            out.add(j)
    return out


def signature(step, steps, res, kind, adopted=frozenset()):
    """`op(arg dtypes)[adopted]:kind`: `num` for a JS number; [adopted] when a tensor argument reads
    adopted JS memory."""
    parts = [d for d in (describe_arg(a, steps, res) for a in step["a"]) if d is not None]
    name = step["op"] + ("+fresh" if step["kw"].get("fresh") else "")
    mark = "[adopted]" if any("t" in a and a["t"] in adopted for a in step["a"]) else ""
    return f"{name}({','.join(parts)}){mark}:{kind}"


def arg_value(arg, res, ctx):
    if "t" in arg:
        r = res[arg["t"]]["ok"][arg.get("o", 0)]
        return V(decode(r) if r["dtype"] != "bool" else decode(r).astype(bool), r["dtype"])
    if "n" in arg:
        return decode_num(arg["n"])
    if "ts" in arg:
        return [arg_value(x, res, ctx) for x in arg["ts"]]
    return arg["v"]


def check_case(c, stats):
    findings = []
    steps, res = c["steps"], c["res"]
    adopted = adopted_steps(steps)

    def sig(kind):
        return signature(step, steps, res, kind, adopted)
    for j, (step, r) in enumerate(zip(steps, res)):
        op = step["op"]
        if op == "input":
            stats["inputs"] += 1
            if "err" in r:
                findings.append({"step": j, "sig": f"input({step['kw']['dtype']},{step['kw']['mode']}):rejected",
                                 "detail": r["err"]["msg"]})
                continue
            want = V(decode({"dtype": step["kw"]["dtype"], "shape": step["kw"]["shape"], "b64": step["kw"]["b64"]}),
                     step["kw"]["dtype"])
            if want.dt == "bool":
                want = V(want.a.astype(bool), "bool")
            bad = compare(Out(want), r["ok"][0])
            if bad:
                findings.append({"step": j, "sig": f"input({want.dt},{step['kw']['mode']}):{bad[0]}", "detail": bad[1]})
            continue
        stats["ops"] += 1
        args = [arg_value(a, res, None) for a in step["a"]]
        try:
            exp = expected(op, args, step["kw"])
            exp_err = None
        except Expect as e:
            exp, exp_err = None, e
        if "err" in r:
            err = r["err"]
            if err["name"] not in ("CobaltError", "TypeError"):
                findings.append({"step": j, "sig": sig(f"error-type:{err['name']}"),
                                 "detail": f"{err['name']}: {err['msg']}"})
                continue
            if exp_err is None:
                if isinstance(exp, list) and all(o.either for o in exp) or isinstance(exp, Out) and exp.either:
                    stats["both_refuse"] += 1
                    continue
                findings.append({"step": j, "sig": sig(f"rejected:{err.get('code') or err['name']}"),
                                 "detail": f"cobalt threw {err['name']} {err.get('code')}: {err['msg']}; numpy computes it"})
                continue
            stats["both_refuse"] += 1
            if exp_err.code and err.get("code") and exp_err.code != err.get("code") and exp_err.code == "DTYPE":
                findings.append({"step": j, "sig": sig(f"error-code:{err.get('code')}"),
                                 "detail": f"cobalt {err.get('code')}: {err['msg']}; documented: {exp_err.code}"})
            continue
        if exp_err is not None:
            findings.append({"step": j, "sig": sig("accepted"),
                             "detail": f"cobalt returned a result; numpy refuses: {exp_err}"})
            continue
        outs = exp if isinstance(exp, list) else [exp]
        recs = r["ok"]
        if len(recs) != len(outs):
            findings.append({"step": j, "sig": sig("outputs"),
                             "detail": f"{len(recs)} outputs, numpy has {len(outs)}"})
            continue
        for k, (o, rec) in enumerate(zip(outs, recs)):
            bad = compare(o, rec)
            if bad:
                findings.append({"step": j, "out": k, "sig": sig(bad[0]), "detail": bad[1]})
                break
            if rec.get("note"):
                kind = "data" if rec["note"].startswith("data") else "toArray"
                findings.append({"step": j, "out": k, "sig": sig(kind), "detail": rec["note"]})
                break
        stats["checked"] += 1
    return findings


def main():
    stats = {"cases": 0, "inputs": 0, "ops": 0, "checked": 0, "both_refuse": 0}
    out = []
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        c = json.loads(line)
        stats["cases"] += 1
        try:
            f = check_case(c, stats)
        except Exception as e:  # noqa: BLE001 - an oracle bug must not hide the other cases
            f = [{"step": -1, "sig": "oracle-error", "detail": f"{type(e).__name__}: {e}"}]
        if f:
            out.append({"case": c["case"], "seed": c["seed"], "findings": f})
    json.dump({"cases": out, "stats": stats, "numpy": np.__version__}, sys.stdout)


if __name__ == "__main__":
    main()
