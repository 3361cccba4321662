/**
 * Numerical edge cases seen from JS, against numpy's (or torch's, where named) results: huge
 * shapes with no elements, NaN in reductions, saturating casts, softmax with infinities, floor
 * division and modulo by infinities, dtypes kept by tril/triu, topk of a scalar.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as cb from "../mod.ts";
import { code, nativeTest, test } from "./harness.ts";

/** A version 1 .npy header declaring `shape` of little-endian float32, and no data. */
function npyHeader(shape: string): Uint8Array {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  const len = 10 + dict.length + 1;
  const h = dict + " ".repeat((64 - (len % 64)) % 64) + "\n";
  const out = new Uint8Array(10 + h.length);
  out.set([0x93, ..."NUMPY"].map((c) => typeof c === "number" ? c : c.charCodeAt(0)));
  out.set([1, 0, h.length & 0xff, h.length >> 8], 6);
  out.set(new TextEncoder().encode(h), 10);
  return out;
}

nativeTest(
  "numerics: sorting a huge axis with no rows gives empty results, never an abort",
  "wasm32 sizes are 32-bit: a dimension of 2^40 is OUT_OF_MEMORY, not a shape",
  () => {
    cb.scope(() => {
      const a = cb.zeros([0, 2 ** 40]);
      assert.deepEqual(a.argsort().shape, [0, 2 ** 40]);
      assert.deepEqual(a.argsort(0, { descending: true }).shape, [0, 2 ** 40]);
      const s = a.sort();
      assert.deepEqual([s.values.shape, s.indices.shape], [[0, 2 ** 40], [0, 2 ** 40]]);
      const k = a.topk(5);
      assert.deepEqual([k.values.shape, k.indices.shape, k.indices.dtype], [[0, 5], [0, 5], "int64"]);
      // a .npy may declare such a shape: it loads (no data needed) and sorts
      const t = cb.decodeNpy(npyHeader("(0, 9007199254740991)"));
      assert.deepEqual(t.shape, [0, 2 ** 53 - 1]);
      assert.deepEqual(t.argsort().shape, [0, 2 ** 53 - 1]);
      assert.deepEqual(t.sort().values.shape, [0, 2 ** 53 - 1]);
      assert.deepEqual(t.sum(1).shape, [0]);
    });
  },
);

nativeTest(
  "numerics: a huge axis with rows is OUT_OF_MEMORY",
  "wasm32 sizes are 32-bit: a dimension of 2^40 is OUT_OF_MEMORY, not a shape",
  () => {
    cb.scope(() => {
      const big = cb.zeros([1], { dtype: "bool" }).expand([2, 2 ** 40]);
      assert.throws(() => big.argsort(), code("OUT_OF_MEMORY"));
      assert.throws(() => big.sort(), code("OUT_OF_MEMORY"));
      assert.throws(() => big.topk(1), code("OUT_OF_MEMORY"));
      // and the process goes on
      assert.deepEqual(cb.tensor([3, 1, 2]).argsort().toArray(), [1, 2, 0]);
    });
  },
);

test("numerics: sum and mean of uint8 and bool widen in the kernel, with no 8x temporary", () => {
  cb.scope(() => {
    const u = cb.full([1 << 24], 255, { dtype: "uint8" });
    const b = cb.arange(3 << 20).mod(3).eq(0);
    cb.emptyCache();
    const before = cb.memory();
    // expected values from numpy: np.full(2**24, 255, np.uint8).sum() etc.
    const results: [cb.Tensor, unknown][] = [
      [u.sum(), 4278190080],
      [u.mean(), 255],
      [u.reshape([4096, 4096]).sum(0).slice([0, 2]), [1044480, 1044480]],
      [b.sum(), 1048576],
      [b.mean(), 0.3333333333333333],
      [b.reshape([3, -1]).mean(1), [0.33333396911621094, 0.33333301544189453, 0.33333301544189453]],
      [b.reshape([-1, 3]).sum(0), [1048576, 0, 0]],
      [b.reshape([-1, 3]).mean(0), [1, 0, 0]],
    ];
    const after = cb.memory();
    // a converted copy would have been 128 MiB (int64 or float64 of 16M elements), freed into the
    // reuse cache; the results take a few KiB
    const grown = after.bytes + after.cachedBytes - before.bytes - before.cachedBytes;
    assert.ok(grown < 8 << 20, `sum/mean allocated ${grown} bytes`);
    for (const [t, want] of results) assert.deepEqual(t.ndim === 0 ? t.item() : t.toArray(), want);
    assert.deepEqual(results.map(([t]) => t.dtype), [
      "int64",
      "float64",
      "int64",
      "int64",
      "float64",
      "float64",
      "int64",
      "float64",
    ]);
  });
});

const FLOATS: cb.DType[] = ["float32", "float64", "float16", "bfloat16"];

test("numerics: max/min/argmax/argmin propagate NaN at every length and position", () => {
  // numpy: np.max gives nan, np.argmax the index of the first nan
  for (const dtype of FLOATS) {
    for (let n = 1; n <= 70; n++) {
      cb.scope(() => {
        const base = Array.from({ length: n }, (_, i) => ((i * 37) % 71) - 30);
        for (let pos = 0; pos < n; pos++) {
          const x = base.slice();
          x[pos] = NaN;
          if (pos + 5 < n) x[pos + 5] = NaN;
          const t = cb.tensor(x, { dtype });
          const what = `${dtype} n=${n} NaN at ${pos}`;
          assert.ok(Number.isNaN(t.max().item()), `max ${what}`);
          assert.ok(Number.isNaN(t.min().item()), `min ${what}`);
          assert.equal(t.argmax().item(), pos, `argmax ${what}`);
          assert.equal(t.argmin().item(), pos, `argmin ${what}`);
        }
      });
    }
  }
});

test("numerics: float-to-integer astype saturates (sync and async), NaN -> 0; to bool NaN is true", async () => {
  const x = [
    Infinity,
    -Infinity,
    NaN,
    1e10,
    -1e10,
    3e9,
    -3e9,
    255.9,
    256,
    -0.9,
    -1,
    1.5,
    -1.5,
    0,
    -0,
    65504,
    1e19,
    -1e19,
  ];
  const ranges = {
    int32: [-(2n ** 31n), 2n ** 31n - 1n],
    int64: [-(2n ** 63n), 2n ** 63n - 1n],
    uint8: [0n, 255n],
  };
  // the rule (numpy leaves it undefined): trunc toward zero, clamp to the target's range, NaN -> 0
  const want = (v: number, [lo, hi]: bigint[]) => {
    if (Number.isNaN(v)) return 0n;
    if (v === Infinity) return hi;
    if (v === -Infinity) return lo;
    const t = BigInt(Math.trunc(v));
    return t < lo ? lo : t > hi ? hi : t;
  };
  const big = (t: cb.Tensor) => Array.from(t.data as ArrayLike<number | bigint>, (v) => BigInt(v));
  for (const src of FLOATS) {
    const a = cb.tensor(x, { dtype: src });
    const held = a.astype("float64").toArray() as number[]; // the values as src holds them
    for (const [dst, range] of Object.entries(ranges) as [cb.DType, bigint[]][]) {
      const expected = held.map((v) => want(v, range));
      const sync = a.astype(dst), async_ = await a.astypeAsync(dst);
      assert.deepEqual(big(sync), expected, `${src} -> ${dst}`);
      assert.deepEqual(big(async_), expected, `${src} -> ${dst} async`);
      // strided input takes another loop
      const strided = cb.tensor([x, x], { dtype: src }).transpose().astype(dst);
      assert.deepEqual(big(strided).filter((_, i) => i % 2 === 0), expected, `${src} -> ${dst} strided`);
      for (const t of [sync, async_, strided]) t.dispose();
    }
    // numpy: np.array([...]).astype(bool) is True for every non-zero value and for nan
    const b = a.astype("bool");
    assert.deepEqual(b.toArray(), held.map((v) => v !== 0 ? 1 : 0));
    a.dispose();
    b.dispose();
  }
  cb.scope(() => {
    // the cases of the report: float32 inf and 1e10 to int32
    assert.deepEqual(cb.tensor([Infinity, 1e10, -Infinity, NaN]).astype("int32").toArray(), [
      2147483647,
      2147483647,
      -2147483648,
      0,
    ]);
  });
});

/** Asserts `got` matches `want` elementwise: NaN and infinities exactly, finite values within `tol`. */
function close(got: number[], want: number[], tol: number, what: string) {
  assert.equal(got.length, want.length, what);
  got.forEach((g, i) => {
    const w = want[i];
    const ok = Number.isFinite(w) ? Math.abs(g - w) <= tol * Math.max(1, Math.abs(w)) : Object.is(g, w);
    assert.ok(ok, `${what} [${i}]: got ${g}, want ${w}`);
  });
}

test("numerics: softmax and logSoftmax of rows with -inf (scipy.special)", () => {
  const x = [[-Infinity, 1, 2], [3, -Infinity, -Infinity], [-Infinity, -Infinity, -Infinity], [
    0.5,
    -Infinity,
    0.25,
  ]];
  // scipy.special.log_softmax(x, axis=1), softmax(x, axis=1) and log_softmax(x, axis=0), float64
  const ls1 = [
    [-Infinity, -1.3132616875182228, -0.31326168751822286],
    [0, -Infinity, -Infinity],
    [NaN, NaN, NaN],
    [-0.5759394198788437, -Infinity, -0.8259394198788437],
  ];
  const sm1 = [
    [0, 0.2689414213699951, 0.7310585786300049],
    [1, 0, 0],
    [NaN, NaN, NaN],
    [0.5621765008857981, 0, 0.4378234991142019],
  ];
  const ls0 = [
    [-Infinity, 0, -0.16022415043808716],
    [-0.07888973429254956, -Infinity, -Infinity],
    [-Infinity, -Infinity, -Infinity],
    [-2.5788897342925496, -Infinity, -1.9102241504380872],
  ];
  for (const dtype of FLOATS) {
    cb.scope(() => {
      const tol = dtype === "float64" ? 1e-12 : dtype === "float32" ? 1e-6 : 2e-2;
      const t = cb.tensor(x, { dtype });
      close(
        cb.tensor([-Infinity, 1], { dtype }).logSoftmax().toArray() as number[],
        [-Infinity, 0],
        0,
        dtype,
      );
      close(cb.tensor([-Infinity, 1], { dtype }).softmax().toArray() as number[], [0, 1], 0, dtype);
      close((t.logSoftmax(1).toArray() as number[][]).flat(), ls1.flat(), tol, `${dtype} logSoftmax(1)`);
      close((t.softmax(1).toArray() as number[][]).flat(), sm1.flat(), tol, `${dtype} softmax(1)`);
      close((t.logSoftmax(0).toArray() as number[][]).flat(), ls0.flat(), tol, `${dtype} logSoftmax(0)`);
    });
  }
});

test("numerics: floorDiv and mod match numpy over zeros, infinities, NaN and finite values", () => {
  // tests/fixtures/floor_mod.txt (gen_floor_mod.py): `dtype a b numpy.floor_divide numpy.mod`
  const num = (s: string) =>
    s === "inf" ? Infinity : s === "-inf" ? -Infinity : s === "nan" ? NaN : Number(s);
  const byDtype = new Map<string, number[][]>();
  const text = readFileSync(new URL("./fixtures/floor_mod.txt", import.meta.url), "utf8");
  for (const line of text.trim().split("\n")) {
    const [dtype, ...v] = line.split(" ");
    if (!byDtype.has(dtype)) byDtype.set(dtype, []);
    byDtype.get(dtype)!.push(v.map(num));
  }
  assert.deepEqual([...byDtype.keys()].sort(), [...FLOATS].sort());
  for (const [dtype, rows] of byDtype) {
    cb.scope(() => {
      const a = cb.tensor(rows.map((r) => r[0]), { dtype: dtype as cb.DType });
      const b = cb.tensor(rows.map((r) => r[1]), { dtype: dtype as cb.DType });
      const results: [string, number[], number][] = [
        ["floorDiv", a.floorDiv(b).toArray() as number[], 2],
        ["mod", a.mod(b).toArray() as number[], 3],
      ];
      for (const [op, got, k] of results) {
        got.forEach((g, i) => {
          const [x, y] = rows[i];
          assert.ok(Object.is(g, rows[i][k]), `${dtype} ${x} ${op} ${y}: got ${g}, numpy ${rows[i][k]}`);
        });
      }
    });
  }
  cb.scope(() => {
    // Python: 5 // inf == 0, -5 // inf == -1, 5 % inf == 5, -5 % inf == inf, 5 % -inf == -inf
    const x = cb.tensor([5, -5, 5, -5], { dtype: "float64" });
    const y = cb.tensor([Infinity, Infinity, -Infinity, -Infinity], { dtype: "float64" });
    assert.deepEqual(x.floorDiv(y).toArray(), [0, -1, -1, 0]);
    assert.deepEqual(x.mod(y).toArray(), [5, Infinity, -Infinity, -5]);
  });
});

test("numerics: tril and triu keep every dtype (numpy), bool included", () => {
  const x = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]];
  // numpy: np.tril(x, k), np.triu(x, k) for x = np.arange(1, 13).reshape(3, 4)
  const want: Record<number, [number[][], number[][]]> = {
    [-1]: [[[0, 0, 0, 0], [5, 0, 0, 0], [9, 10, 0, 0]], [[1, 2, 3, 4], [5, 6, 7, 8], [0, 10, 11, 12]]],
    0: [[[1, 0, 0, 0], [5, 6, 0, 0], [9, 10, 11, 0]], [[1, 2, 3, 4], [0, 6, 7, 8], [0, 0, 11, 12]]],
    2: [[[1, 2, 3, 0], [5, 6, 7, 8], [9, 10, 11, 12]], [[0, 0, 3, 4], [0, 0, 0, 8], [0, 0, 0, 0]]],
  };
  const dtypes: cb.DType[] = ["float32", "float64", "int32", "int64", "uint8", "bool", "float16", "bfloat16"];
  for (const dtype of dtypes) {
    cb.scope(() => {
      const t = cb.tensor(x, { dtype });
      for (const k of [-1, 0, 2]) {
        const [lo, up] = want[k].map((m) =>
          m.map((r) => r.map((v) => dtype === "bool" ? Number(v !== 0) : v))
        );
        const l = t.tril(k), u = t.triu(k);
        assert.deepEqual([l.dtype, u.dtype], [dtype, dtype], `${dtype} k=${k}`);
        assert.deepEqual(l.toArray(), lo, `${dtype} tril(${k})`);
        assert.deepEqual(u.toArray(), up, `${dtype} triu(${k})`);
      }
    });
  }
  cb.scope(() => {
    // batched: np.tril(np.ones((2, 3, 3), bool), -1)
    const b = cb.ones([2, 3, 3], { dtype: "bool" }).tril(-1);
    assert.equal(b.dtype, "bool");
    assert.deepEqual(b.toArray(), [[[0, 0, 0], [1, 0, 0], [1, 1, 0]], [[0, 0, 0], [1, 0, 0], [1, 1, 0]]]);
  });
});

test("numerics: topk of a 0-d tensor is the tensor and index 0 (torch), for k 0 and 1", () => {
  // torch.topk(torch.tensor(3.), 1) -> values tensor(3.), indices tensor(0); k = 0 gives the same
  const dtypes: cb.DType[] = ["float32", "float64", "int32", "int64", "uint8", "bool", "float16", "bfloat16"];
  for (const dtype of dtypes) {
    cb.scope(() => {
      const t = cb.tensor(dtype === "bool" ? 1 : 3, { dtype });
      for (const k of [0, 1]) {
        for (const axis of [-1, 0]) {
          for (const largest of [true, false]) {
            const { values, indices } = t.topk(k, axis, { largest });
            assert.deepEqual([values.shape, values.dtype, values.item()], [
              [],
              dtype,
              dtype === "bool" ? 1 : 3,
            ]);
            assert.deepEqual([indices.shape, indices.dtype, indices.item()], [[], "int64", 0]);
          }
        }
      }
      assert.throws(() => t.topk(2), code("INVALID_ARGUMENT"));
      assert.throws(() => t.topk(1, 1), code("AXIS"));
    });
  }
});

test("numerics: float32 sin/cos/log agree with float64 libm, large arguments (the std path) included", () => {
  cb.scope(() => {
    // a vectorised batch, then the same values with one argument beyond the fast range (1e5),
    // which sends the whole call to std: both must agree with Math.sin of the float32 input
    const small = [0, -0, 1e-30, 0.5, -3, 100.25, 99999, -12345.678, Math.PI / 2, 1e-45];
    for (const xs of [small, [...small, 3e7, -1.5e9, 3.4e38]]) {
      const t = cb.tensor(xs);
      const f32 = t.toArray() as number[];
      for (const [name, f] of [["sin", Math.sin], ["cos", Math.cos]] as const) {
        const got = t[name]().toArray() as number[];
        got.forEach((g, i) => {
          const want = Math.fround(f(f32[i]));
          assert.ok(
            Math.abs(g - want) <= 2 ** -23 * Math.max(Math.abs(want), 2 ** -20),
            `${name}(${f32[i]}) = ${g}, libm ${want}`,
          );
        });
      }
    }
    const pos = cb.tensor([1e-45, 1e-38, 0.1, 1, 2, 10, 3.4e38, 0, -1, Infinity, NaN]);
    const want = (pos.toArray() as number[]).map((x) => Math.fround(Math.log(x)));
    (pos.log().toArray() as number[]).forEach((g, i) => {
      if (Number.isNaN(want[i])) assert.ok(Number.isNaN(g));
      else {assert.ok(
          g === want[i] || Math.abs(g - want[i]) <= 2 ** -22 * Math.abs(want[i]),
          `log: ${g} vs ${want[i]}`,
        );}
    });
    const p64 = cb.tensor([5e-324, 1e-300, 0.5, 1 + 2 ** -52, 1e300], { dtype: "float64" });
    (p64.log().toArray() as number[]).forEach((g, i) => {
      const x = (p64.toArray() as number[])[i];
      assert.ok(Math.abs(g - Math.log(x)) <= 2 ** -52 * Math.abs(Math.log(x)) + 1e-300, `log(${x}) = ${g}`);
    });
  });
});
