"""numpy/scipy references for cobalt's unary ops, shared by tests/fixtures/gen.py (the op fixtures)
and tests/fuzz_oracle.py (the differential fuzzer).

What kind each op is (a float function, the input's dtype, bool) and where tests draw its inputs
from come from tests/op_table.json, which `npm run gen` writes from scripts/optable.ts. Adding a
unary op to cobalt takes one entry in UNARY here. Each function takes a numpy array: for a float
function, already converted to the float dtype it is computed in.
"""
import json
import os

import numpy as np
from scipy import special


def gelu(x):
    """The exact (erf) GELU, computed in float64 and returned in x's dtype."""
    return (x * 0.5 * (1 + special.erf(np.asarray(x, np.float64) / np.sqrt(2)))).astype(x.dtype)


def gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


UNARY = {
    "neg": np.negative, "exp": np.exp, "log": np.log, "sqrt": np.sqrt, "abs": np.abs, "tanh": np.tanh,
    "sigmoid": special.expit, "relu": lambda x: np.maximum(x, np.zeros_like(x)), "sign": np.sign,
    "log1p": np.log1p, "expm1": np.expm1, "rsqrt": lambda x: 1 / np.sqrt(x), "sin": np.sin, "cos": np.cos,
    "tan": np.tan, "gelu": gelu, "silu": lambda x: x * special.expit(x),
    "softplus": lambda x: np.logaddexp(np.zeros_like(x), x), "floor": np.floor, "ceil": np.ceil,
    "round": np.round, "isnan": np.isnan, "isfinite": np.isfinite, "logicalNot": np.logical_not,
    "geluTanh": gelu_tanh, "square": np.square, "log2": np.log2, "log10": np.log10, "exp2": np.exp2,
    "trunc": np.trunc, "erf": special.erf, "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan,
    "sinh": np.sinh, "cosh": np.cosh, "reciprocal": np.reciprocal, "cbrt": np.cbrt,
}

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "op_table.json")) as f:
    TABLE = json.load(f)

#: unary ops by name: {"name", "code", "method", "result", "domain"}
UNARY_OPS = {r["name"]: r for r in TABLE["unary"]}
#: the unary ops that are Tensor methods (geluTanh is gelu's option)
UNARY_METHODS = [n for n, r in UNARY_OPS.items() if r["method"] != "none"]
#: the float functions: integers and bool give floats (int32/int64 -> float64, uint8/bool -> float16)
FLOAT_UNARY = {n for n, r in UNARY_OPS.items() if r["result"] == "float"}

_missing = set(UNARY_OPS) - set(UNARY)
assert not _missing, f"tests/oracle.py: no numpy reference for {sorted(_missing)}"
