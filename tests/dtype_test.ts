/**
 * dtypes at the boundary: which TypedArray each one reads through, creation from JS values,
 * zero-copy adoption, toArray/item, printing.
 */
import assert from "node:assert/strict";
import * as cb from "../mod.ts";
import { nativeTest, test } from "./harness.ts";

// deno-lint-ignore no-explicit-any
const F16 = (globalThis as any).Float16Array ?? Uint16Array;

test("dtype: each dtype reads through its TypedArray", () => {
  cb.scope(() => {
    const cases: [cb.DType, unknown][] = [
      ["float32", Float32Array],
      ["float64", Float64Array],
      ["int32", Int32Array],
      ["int64", BigInt64Array],
      ["uint8", Uint8Array],
      ["bool", Uint8Array],
      ["float16", F16],
      ["bfloat16", Uint16Array],
    ];
    for (const [dtype, ctor] of cases) {
      const t = cb.ones([3], { dtype });
      assert.equal(t.dtype, dtype);
      assert.ok(t.data instanceof (ctor as typeof Uint8Array), dtype);
      assert.deepEqual(t.toArray(), [1, 1, 1], dtype);
      assert.equal(t.sum().item(), 3, dtype);
    }
    assert.equal((cb.ones([1], { dtype: "int64" }).data as BigInt64Array)[0], 1n);
    assert.equal(
      (cb.ones([1], { dtype: "bfloat16" }).data as Uint16Array)[0],
      0x3f80,
      "bfloat16 bits of 1.0",
    );
  });
});

test("dtype: creation infers and converts like numpy", () => {
  cb.scope(() => {
    assert.equal(cb.tensor([true, false]).dtype, "bool");
    assert.deepEqual(cb.tensor([true, false]).toArray(), [1, 0]);
    assert.equal(cb.tensor(new Int32Array([1, 2])).dtype, "int32");
    assert.equal(cb.tensor(new BigInt64Array([1n, -2n])).dtype, "int64");
    assert.deepEqual(cb.tensor(new BigInt64Array([2n ** 40n, -2n])).toArray(), [2 ** 40, -2]);
    assert.equal(cb.tensor(new Uint8Array([1])).dtype, "uint8");
    assert.deepEqual(cb.tensor([1.7, -1.7, 2.5], { dtype: "int32" }).toArray(), [1, -1, 2]); // numpy truncates
    assert.deepEqual(
      cb.tensor(new Float64Array([1.7, -1.7, 2.5]), { dtype: "int32" }).toArray(),
      [1, -1, 2],
      "a TypedArray converts like astype: truncates toward zero",
    );
    assert.deepEqual(cb.tensor([0, 0.5, -2], { dtype: "bool" }).toArray(), [0, 1, 1], "truthiness");
    assert.deepEqual(cb.tensor([1, 2.5], { dtype: "float16" }).toArray(), [1, 2.5]);
    assert.deepEqual(cb.tensor([1 + 2 ** -9], { dtype: "bfloat16" }).toArray(), [1], "rounds to bfloat16");
    assert.deepEqual(cb.tensor(new Float64Array([3.9]), { dtype: "uint8" }).toArray(), [3]);
    assert.deepEqual(cb.tensor(new Uint8Array([0, 7]), { dtype: "bool" }).toArray(), [0, 1]);
    assert.deepEqual(cb.tensor(new Uint16Array([0x3f80, 0xc000]), { dtype: "bfloat16" }).toArray(), [1, -2]);
  });
});

nativeTest(
  "dtype: copy: false adopts int32, uint8, bool and bfloat16 buffers",
  "copy: false cannot share JS memory (it is INVALID_ARGUMENT there)",
  () => {
    cb.scope(() => {
      const i = new Int32Array([1, 2, 3, 4]);
      const ti = cb.tensor(i, { shape: [2, 2], copy: false });
      i[3] = 40;
      assert.equal(ti.sum().item(), 46);
      const m = new Uint8Array([1, 0, 1]);
      const tm = cb.tensor(m, { dtype: "bool", copy: false });
      m[1] = 1;
      assert.equal(tm.all().item(), 1);
      const h = new Uint16Array([0x3f80]);
      const th = cb.tensor(h, { dtype: "bfloat16", copy: false });
      h[0] = 0x4000;
      assert.equal(th.item(), 2);
      assert.throws(() => cb.tensor(new Int32Array(2), { dtype: "int64", copy: false }), { code: "DTYPE" });
    });
  },
);

test("dtype: printing follows the dtype", () => {
  cb.scope(() => {
    assert.equal(String(cb.tensor([1, -2], { dtype: "int32" })), "tensor([1, -2], dtype=int32)");
    assert.equal(String(cb.tensor([true, false])), "tensor([true, false], dtype=bool)");
    assert.equal(String(cb.tensor([0.1], { dtype: "float16" })), "tensor([0.09998], dtype=float16)");
    assert.equal(String(cb.tensor([1.5], { dtype: "bfloat16" })), "tensor([1.5], dtype=bfloat16)");
  });
});

test("dtype: views of any dtype share storage and slice without copies", () => {
  cb.scope(() => {
    const base = cb.tensor([1, 2, 3, 4, 5, 6], { dtype: "int64" });
    const rev = base.slice("::-2");
    assert.deepEqual(rev.toArray(), [6, 4, 2]);
    base.slice("1:3").assign(cb.tensor([20, 30], { dtype: "int32" }));
    assert.deepEqual(base.toArray(), [1, 20, 30, 4, 5, 6]);
    assert.deepEqual(rev.toArray(), [6, 4, 20]);
    assert.equal(rev.isContiguous, false);
    assert.deepEqual(rev.strides, [-2]);
  });
});

test("large elementwise ops (split across the pool) match a per-element reference", () => {
  cb.scope(() => {
    const n = 300_001; // above the parallel threshold, not a multiple of the chunk size
    const a = cb.rand([n], { seed: 1, dtype: "float64" }), b = cb.rand([n], { seed: 2, dtype: "float64" });
    const ts = [a.add(b), a.exp(), a.mul(3), a.gt(b)];
    // Views after every op: on the WebAssembly backend in Node 20, memory growth detaches older views.
    const x = a.data as Float64Array, y = b.data as Float64Array;
    const [sum, ex, m] = ts.slice(0, 3).map((t) => t.data as Float64Array) as [
      Float64Array,
      Float64Array,
      Float64Array,
    ];
    const gt = ts[3]!.data as Uint8Array;
    for (let i = 0; i < n; i++) {
      if (sum[i] !== x[i] + y[i] || m[i] !== x[i] * 3 || gt[i] !== (x[i] > y[i] ? 1 : 0)) {
        assert.fail(`element ${i}`);
      }
      if (Math.abs(ex[i] - Math.exp(x[i])) > 1e-15 * Math.exp(x[i])) assert.fail(`exp element ${i}`);
    }
  });
});

test("large reductions and softmax (split across the pool) match a reference", () => {
  cb.scope(() => {
    const n = 300_001;
    const a = cb.rand([n], { seed: 3, dtype: "float64" });
    const x = a.data as Float64Array;
    let s = 0, mx = -Infinity;
    for (const v of x) {
      s += v;
      mx = Math.max(mx, v);
    }
    assert.ok(Math.abs(a.sum().item() - s) < 1e-9 * s);
    assert.ok(Math.abs(a.mean().item() - s / n) < 1e-12);
    assert.equal(a.max().item(), mx);
    const m = cb.rand([1000, 100], { seed: 4, dtype: "float64" });
    const sm = m.softmax(1).data as Float64Array,
      rows = m.sum(1).data as Float64Array,
      md = m.data as Float64Array;
    for (let r = 0; r < 1000; r++) {
      let z = 0, rs = 0;
      for (let c = 0; c < 100; c++) {
        z += Math.exp(md[r * 100 + c]);
        rs += md[r * 100 + c];
      }
      assert.ok(Math.abs(rows[r] - rs) < 1e-12 * rs);
      for (let c = 0; c < 100; c++) {
        const want = Math.exp(md[r * 100 + c]) / z;
        if (Math.abs(sm[r * 100 + c] - want) > 1e-14) assert.fail(`softmax ${r},${c}`);
      }
    }
  });
});
