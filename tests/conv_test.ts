/**
 * conv1d, conv2d, maxPool2d and avgPool2d against numpy: replays tests/fixtures/conv.json (made by
 * tests/fixtures/conv.py, a direct-loop reference independent of cobalt's im2col), then checks
 * what fixtures cannot: batched and per-image results agree (the parallel and the GEMM paths),
 * no intermediate is left alive, options reject unknown keys and bad values, shapes are checked
 * with clear errors.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as cb from "../mod.ts";
import { test } from "./harness.ts";

// deno-lint-ignore no-explicit-any
type Any = any;
type Num = number | "nan" | "inf" | "-inf";
interface T {
  shape: number[];
  dtype: cb.Tensor["dtype"];
  data: Num[];
}
interface Case {
  name: string;
  op: "conv1d" | "conv2d" | "maxPool2d" | "avgPool2d";
  input: T;
  weight?: T;
  bias?: T;
  kernelSize?: number | number[];
  opts: Record<string, unknown>;
  expected: T;
  /** maxPool2d: torch's return_indices */
  indices?: T;
  k: number;
}

const fixture = JSON.parse(
  readFileSync(new URL("./fixtures/conv.json", import.meta.url), "utf8"),
) as { numpy: string; cases: Case[] };

const num = (v: Num): number =>
  typeof v === "number" ? v : v === "nan" ? NaN : v === "inf" ? Infinity : -Infinity;
const make = (a: T) => cb.tensor(Float64Array.from(a.data.map(num)), { shape: a.shape, dtype: a.dtype });

const cobalt = (code: string, msg?: RegExp) => (e: unknown) =>
  e instanceof cb.CobaltError && e.code === code && (msg === undefined || msg.test(e.message));
const typeError = (msg: RegExp) => (e: unknown) => e instanceof TypeError && msg.test(e.message);

function run(c: Case, input: cb.Tensor, weight?: cb.Tensor, bias?: cb.Tensor): cb.Tensor {
  const opts = { ...c.opts, ...(bias ? { bias } : {}) } as Any;
  switch (c.op) {
    case "conv1d":
      return cb.conv1d(input, weight!, opts);
    case "conv2d":
      return cb.conv2d(input, weight!, opts);
    case "maxPool2d":
      return cb.maxPool2d(input, c.kernelSize!, opts);
    case "avgPool2d":
      return cb.avgPool2d(input, c.kernelSize!, opts);
  }
}

/** Compares with float32 ~1e-5 and float64 ~1e-12 relative tolerance (scaled by the sum length). */
function close(got: cb.Tensor, want: T, name: string, k: number): void {
  assert.equal(got.dtype, want.dtype, `${name}: dtype`);
  assert.deepEqual(got.shape, want.shape, `${name}: shape`);
  const g = got.toArray() as unknown;
  const flat = (Array.isArray(g) ? (g as unknown[]).flat(Infinity) : [g]) as (number | bigint)[];
  const w = want.data.map(num);
  assert.equal(flat.length, w.length, `${name}: size`);
  const exact = !want.dtype.startsWith("float");
  const tol = want.dtype === "float32" ? 1e-5 : 1e-12;
  for (let i = 0; i < w.length; i++) {
    const x = Number(flat[i]!), y = w[i]!;
    if (exact || Number.isNaN(y) || !Number.isFinite(y)) {
      assert.ok(Object.is(x, y) || x === y, `${name}[${i}]: ${x} vs ${y}`);
    } else {
      assert.ok(Math.abs(x - y) <= tol * (Math.abs(y) + Math.sqrt(k)), `${name}[${i}]: ${x} vs ${y}`);
    }
  }
}

for (const op of ["conv2d", "conv1d", "maxPool2d", "avgPool2d"] as const) {
  const cases = fixture.cases.filter((c) => c.op === op);
  test(`conv: ${op}, ${cases.length} numpy ${fixture.numpy} fixture cases (and each with a strided input)`, () => {
    assert.ok(cases.length >= 10);
    const before = cb.memory().tensors;
    for (const c of cases) {
      cb.scope(() => {
        const input = make(c.input);
        const weight = c.weight ? make(c.weight) : undefined;
        const bias = c.bias ? make(c.bias) : undefined;
        close(run(c, input, weight, bias), c.expected, c.name, c.k);
        if (c.indices) {
          const [v, i] = cb.maxPool2d(input, c.kernelSize!, { ...c.opts, returnIndices: true });
          close(v, c.expected, `${c.name} (with indices)`, c.k);
          close(i, c.indices, `${c.name} indices`, 1);
        }
        // a strided (non-contiguous) input gives the same result
        if (c.input.shape.length >= 3 && c.input.shape.every((d) => d > 0)) {
          const nd = input.ndim;
          const perm = [...Array(nd).keys()];
          [perm[nd - 1], perm[nd - 2]] = [perm[nd - 2]!, perm[nd - 1]!];
          const t = input.permute(...perm).contiguous().permute(...perm);
          close(run(c, t, weight, bias), c.expected, `${c.name} (strided input)`, c.k);
        }
      });
    }
    // at most `before`: a collection meanwhile may free tensors earlier tests left to the GC
    assert.ok(cb.memory().tensors <= before, `${cb.memory().tensors - before} tensor(s) left alive`);
  });
}

test("conv: a batch gives the per-image results (parallel small-product path vs the GEMM path)", () => {
  cb.scope(() => {
    for (const dtype of ["float32", "float64"] as const) {
      const x = cb.randn([6, 8, 12, 10], { seed: 1, dtype });
      for (
        const [w, opts] of [
          [cb.randn([4, 8, 3, 3], { seed: 2, dtype }), { padding: 1 }],
          [cb.randn([8, 2, 3, 2], { seed: 3, dtype }), { groups: 4, stride: [2, 1], dilation: 2 }],
          [cb.randn([8, 1, 3, 3], { seed: 4, dtype }), { groups: 8, padding: "same" }],
          [cb.randn([5, 8, 1, 1], { seed: 5, dtype }), {}],
        ] as [cb.Tensor, cb.Conv2dOptions][]
      ) {
        const all = cb.conv2d(x, w, opts);
        for (let i = 0; i < 6; i++) {
          const one = cb.conv2d(x.slice([i, i + 1]), w, opts);
          const diff = one.sub(all.slice([i, i + 1])).abs().max().item();
          assert.ok(diff <= (dtype === "float32" ? 1e-5 : 1e-12), `${dtype} image ${i}: ${diff}`);
        }
      }
      // pools on many planes (split across the pool) equal the pools of each image
      const big = cb.randn([4, 40, 24, 24], { seed: 6, dtype });
      for (
        const f of [
          (t: cb.Tensor) => cb.maxPool2d(t, 3, { stride: 2, padding: 1 }),
          (t: cb.Tensor) => cb.avgPool2d(t, 2),
        ]
      ) {
        const all = f(big);
        for (let i = 0; i < 4; i++) {
          assert.equal(f(big.slice([i, i + 1])).sub(all.slice([i, i + 1])).abs().max().item(), 0);
        }
      }
    }
  });
});

test("conv: integer convolutions are exact on both paths (one image: row-parallel product; a batch: per image)", () => {
  cb.scope(() => {
    for (const dtype of ["int32", "int64", "uint8"] as const) {
      for (const n of [1, 3]) {
        const x = cb.randint(0, 4, [n, 6, 9, 8], { seed: 7 }).astype(dtype);
        const w = cb.randint(0, 3, [5, 6, 3, 3], { seed: 8 }).astype(dtype);
        const b = cb.tensor([1, 2, 3, 4, 5], { dtype });
        const got = cb.conv2d(x, w, { padding: 1, bias: b });
        assert.equal(got.dtype, dtype);
        const want = cb.conv2d(x.astype("float64"), w.astype("float64"), {
          padding: 1,
          bias: b.astype("float64"),
        });
        // uint8 wraps modulo 256, as numpy's matmul
        const ref = dtype === "uint8" ? want.mod(256) : want;
        assert.ok(cb.arrayEqual(got.astype("float64"), ref), `${dtype} n=${n}`);
      }
    }
  });
});

test("conv: float16 computes in float32 and keeps its dtype; conv leaves no intermediate alive", () => {
  const x = cb.ones([1, 2, 4, 4], { dtype: "float16" }), w = cb.ones([3, 2, 3, 3], { dtype: "float16" });
  const x1 = cb.ones([2, 4, 4], { dtype: "float16" }), w1 = cb.ones([3, 4, 3], { dtype: "float16" });
  const before = cb.memory().tensors;
  for (
    const f of [
      () => cb.conv2d(x, w, { padding: "same" }),
      () => cb.conv1d(x1, w1, { padding: 1 }),
      () => cb.maxPool2d(x, 2, { stride: 1, padding: 1 }),
      () => cb.avgPool2d(x, 3, { padding: 1, ceilMode: true }),
    ]
  ) {
    const r = f();
    assert.equal(r.dtype, "float16");
    r.dispose();
    // at most `before`: a collection meanwhile may free tensors earlier tests left to the GC
    assert.ok(cb.memory().tensors <= before, `${cb.memory().tensors - before} tensor(s) left alive`);
  }
  const same = cb.conv2d(x, w, { padding: "same" });
  assert.deepEqual((same.toArray() as number[][][][])[0]![0]![1], [12, 18, 18, 12]);
  for (const t of [x, w, x1, w1, same]) t.dispose();
});

test("conv: options objects reject unknown keys; bad option values are refused", () => {
  cb.scope(() => {
    const x = cb.ones([1, 2, 5, 5]), w = cb.ones([4, 2, 3, 3]);
    assert.throws(() => cb.conv2d(x, w, { pad: 1 } as Any), typeError(/unknown option "pad"/));
    assert.throws(() => cb.conv2d(x, w, { dilations: 1 } as Any), typeError(/did you mean "dilation"/));
    assert.throws(
      () => cb.conv1d(x.reshape(2, 5, 5), w.slice(null, null, 0), { kernel: 1 } as Any),
      TypeError,
    );
    assert.throws(() => cb.maxPool2d(x, 2, { countIncludePad: true } as Any), typeError(/unknown option/));
    assert.throws(() => cb.avgPool2d(x, 2, { dilation: 1 } as Any), typeError(/unknown option "dilation"/));
    assert.throws(() => cb.avgPool2d(x, 2, { ceil_mode: true } as Any), TypeError);
    assert.throws(() => cb.conv2d(x, w, [] as Any), TypeError);
    assert.throws(() => cb.conv2d(x, w, { stride: 0 }), cobalt("INVALID_ARGUMENT", /stride/));
    assert.throws(() => cb.conv2d(x, w, { stride: 1.5 }), TypeError);
    assert.throws(() => cb.conv2d(x, w, { stride: [1, 2, 3] }), cobalt("INVALID_ARGUMENT"));
    assert.throws(() => cb.conv2d(x, w, { stride: "1" as Any }), TypeError);
    assert.throws(() => cb.conv2d(x, w, { padding: -1 }), cobalt("INVALID_ARGUMENT"));
    assert.throws(
      () => cb.conv2d(x, w, { padding: "full" as Any }),
      cobalt("INVALID_ARGUMENT", /"same" or "valid"/),
    );
    assert.throws(
      () => cb.conv2d(x, w, { padding: "same", stride: 2 }),
      cobalt("INVALID_ARGUMENT", /stride 1/),
    );
    assert.throws(() => cb.conv2d(x, w, { dilation: 0 }), cobalt("INVALID_ARGUMENT"));
    assert.throws(() => cb.conv2d(x, w, { groups: 0 }), cobalt("INVALID_ARGUMENT"));
    assert.throws(() => cb.conv2d(x, w, { groups: 2 ** 40 }), cobalt("INVALID_ARGUMENT"));
    assert.throws(() => cb.conv2d(x, w, { stride: 2 ** 31 }), cobalt("INVALID_ARGUMENT"));
    assert.throws(() => cb.conv2d(x, w, { bias: [1, 2, 3, 4] as Any }), TypeError);
    assert.throws(() => cb.maxPool2d(x, 0), cobalt("INVALID_ARGUMENT"));
    assert.throws(() => cb.maxPool2d(x, "2" as Any), TypeError);
    assert.throws(() => cb.maxPool2d(x, 2, { padding: 2 }), cobalt("INVALID_ARGUMENT", /half the kernel/));
    assert.throws(() => cb.avgPool2d(x, 3, { padding: 2 }), cobalt("INVALID_ARGUMENT", /half the kernel/));
    assert.throws(() => cb.maxPool2d(x, 2, { ceilMode: 1 as Any }), TypeError);
    assert.throws(() => cb.avgPool2d(x, 2, { countIncludePad: "no" as Any }), TypeError);
    assert.throws(() => cb.avgPool2d(x, 2, { divisorOverride: 0 }), cobalt("INVALID_ARGUMENT"));
    assert.throws(() => cb.avgPool2d(x, 2, { divisorOverride: 1.5 }), TypeError);
    assert.throws(() => cb.maxPool2d(x, 2, { divisorOverride: 2 } as Any), typeError(/unknown option/));
    assert.throws(() => cb.maxPool2d(x, 2, { returnIndices: 1 as Any }), typeError(/returnIndices/));
    assert.throws(() => cb.avgPool2d(x, 2, { returnIndices: true } as Any), typeError(/unknown option/));
    // torch's None: no bias, the default stride
    assert.deepEqual(cb.conv2d(x, w, { bias: null }).shape, [1, 4, 3, 3]);
    assert.deepEqual(cb.maxPool2d(x, 2, { stride: null }).shape, [1, 2, 2, 2]);
    assert.throws(
      () => cb.avgPool2d(cb.ones([1, 1, 2, 2]), 3, { stride: 1 }),
      cobalt("INVALID_ARGUMENT", /^avgPool2d: the output would be empty/),
    );
    // max pooling with dilation may pad up to half the dilated kernel (torch)
    assert.deepEqual(cb.maxPool2d(x, 2, { padding: 1, dilation: 2, stride: 1 }).shape, [1, 2, 5, 5]);
  });
});

test("conv: mismatched shapes and empty outputs are clear errors", () => {
  cb.scope(() => {
    const x = cb.ones([2, 4, 5, 5]);
    assert.throws(
      () => cb.conv2d(x, cb.ones([3, 3, 3, 3])),
      cobalt("SHAPE_MISMATCH", /4 channels.*expects 3/),
    );
    assert.throws(
      () => cb.conv2d(x, cb.ones([3, 2, 3, 3]), { groups: 2 }),
      cobalt("SHAPE_MISMATCH", /divisible/),
    );
    assert.throws(
      () => cb.conv2d(x, cb.ones([4, 4, 3, 3]), { bias: cb.ones([3]) }),
      cobalt("SHAPE_MISMATCH", /bias/),
    );
    assert.throws(() => cb.conv2d(x, cb.ones([4, 4, 3])), cobalt("SHAPE_MISMATCH", /weight must be/));
    assert.throws(
      () => cb.conv2d(cb.ones([4, 5]), cb.ones([1, 4, 1, 1])),
      cobalt("SHAPE_MISMATCH", /input must be/),
    );
    assert.throws(() => cb.conv1d(x, cb.ones([1, 4, 1])), cobalt("SHAPE_MISMATCH"));
    assert.throws(
      () => cb.conv2d(x, cb.ones([1, 4, 6, 3])),
      cobalt("INVALID_ARGUMENT", /larger than the padded input/),
    );
    assert.throws(() => cb.conv2d(x, cb.ones([1, 4, 3, 3]), { dilation: 3 }), cobalt("INVALID_ARGUMENT"));
    assert.throws(() => cb.maxPool2d(cb.ones([1, 1, 2, 2]), 3), cobalt("INVALID_ARGUMENT", /empty/));
    assert.throws(() => cb.maxPool2d(cb.ones([2, 2]), 1), cobalt("SHAPE_MISMATCH"));
    assert.throws(() => cb.conv2d(x.astype("bool"), cb.ones([1, 4, 1, 1])), cobalt("DTYPE"));
    assert.throws(() => cb.maxPool2d(x.astype("bool"), 2), cobalt("DTYPE"));
    // "same" keeps the size even when the kernel is larger than the input
    assert.deepEqual(cb.conv2d(x, cb.ones([1, 4, 7, 7]), { padding: "same" }).shape, [2, 1, 5, 5]);
    // zero output channels, zero input channels
    assert.deepEqual(cb.conv2d(x, cb.ones([0, 4, 3, 3])).shape, [2, 0, 3, 3]);
    const z = cb.conv2d(cb.ones([1, 0, 3, 3]), cb.ones([2, 0, 2, 2]), { bias: cb.tensor([1, 2]) });
    assert.deepEqual(z.toArray(), [[[[1, 1], [1, 1]], [[2, 2], [2, 2]]]]);
  });
});

test("conv: a disposed tensor is DISPOSED, not a crash", () => {
  const x = cb.ones([1, 1, 3, 3]), w = cb.ones([1, 1, 2, 2]);
  w.dispose();
  assert.throws(() => cb.conv2d(x, w), cobalt("DISPOSED"));
  x.dispose();
  assert.throws(() => cb.maxPool2d(x, 2), cobalt("DISPOSED"));
});
