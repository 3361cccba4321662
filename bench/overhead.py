"""numpy's figures for the operations of bench/overhead.ts, in ns per operation (median of rounds)."""
import json
import timeit

import numpy as np

ROUNDS = 7


def measure(n, stmt, setup_globals):
    t = timeit.Timer(stmt, globals=setup_globals)
    t.timeit(number=min(n, 20000))
    times = sorted(x / n * 1e9 for x in t.repeat(repeat=ROUNDS, number=n))
    return times[ROUNDS // 2]


a = np.array([1, 2, 3, 4], dtype=np.float32)
b = np.array([5, 6, 7, 8], dtype=np.float32)
big = np.zeros(1 << 24, dtype=np.float32)
g = {"np": np, "a": a, "b": b, "big": big}
results = {
    "noop": measure(1_000_000, "len(())", g),  # a Python call into a trivial C builtin
    "create_dispose": measure(200_000, "np.zeros(4, np.float32)", g),
    "from_array_dispose": measure(200_000, "np.array([1, 2, 3, 4], np.float32)", g),
    "add_dispose": measure(200_000, "a + b", g),
    "add_gc": measure(200_000, "a + b", g),
    "add_scalar_dispose": measure(200_000, "a + 1.0", g),
    "data_small_only": measure(200_000, "a.data", g),  # a memoryview onto the array's memory
    "data_16m_only": measure(200_000, "big.data", g),
}
print(json.dumps({"runtime": "numpy " + np.__version__, "ns": results}))
