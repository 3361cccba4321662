/**
 * Lifetimes: dispose, using, scope (sync and async), views sharing storage, zero-copy in and out,
 * and the native counters returning to baseline.
 */
import assert from "node:assert/strict";
import * as cb from "../mod.ts";
import { live, nativeTest, test, tick } from "./harness.ts";

test("dispose releases native memory at once and is idempotent", () => {
  const base = cb.memory();
  const t = cb.zeros([1000], { dtype: "float64" });
  assert.equal(cb.memory().tensors, base.tensors + 1);
  assert.equal(cb.memory().bytes, base.bytes + 8000);
  t.dispose();
  assert.equal(t.disposed, true);
  assert.deepEqual(live(cb.memory()), live(base));
  t.dispose(); // second call: no-op, no double free
  assert.deepEqual(live(cb.memory()), live(base));
});

test("using disposes at the end of the block", () => {
  const base = cb.memory().tensors;
  let escaped: cb.Tensor;
  {
    using t = cb.ones([3]);
    escaped = t;
    assert.equal(cb.memory().tensors, base + 1);
  }
  assert.equal(escaped.disposed, true);
  assert.equal(cb.memory().tensors, base);
});

test("scope releases everything but what it returns", () => {
  const base = cb.memory().tensors;
  let inner: cb.Tensor | undefined;
  const r = cb.scope(() => {
    inner = cb.ones([4]);
    const b = inner.mul(3).add(1);
    return { total: b.sum(), parts: [b] };
  });
  assert.equal(inner!.disposed, true);
  assert.equal(r.total.item(), 16);
  assert.deepEqual(r.parts[0].toArray(), [4, 4, 4, 4]);
  assert.equal(cb.memory().tensors, base + 2);
  r.total.dispose();
  r.parts[0].dispose();
  assert.equal(cb.memory().tensors, base);
});

test("scope disposes on throw, and nested scopes hand results to their parent", () => {
  const base = cb.memory().tensors;
  assert.throws(() =>
    cb.scope(() => {
      cb.ones([2]);
      throw new Error("boom");
    }), /boom/);
  assert.equal(cb.memory().tensors, base);
  let mid: cb.Tensor | undefined;
  cb.scope(() => {
    mid = cb.scope(() => cb.ones([2]).add(1)); // survives the inner scope, owned by the outer
    assert.equal(mid.disposed, false);
  });
  assert.equal(mid!.disposed, true);
  assert.equal(cb.memory().tensors, base);
});

test("async scope tracks tensors created after await", async () => {
  const base = cb.memory().tensors;
  const created: cb.Tensor[] = [];
  const out = await cb.scope(async () => {
    created.push(cb.ones([2]));
    await tick(1);
    created.push(cb.ones([3]));
    await tick(1);
    return created[1].add(1);
  });
  assert.ok(created.every((t) => t.disposed));
  assert.deepEqual(out.toArray(), [2, 2, 2]);
  out.dispose();
  assert.equal(cb.memory().tensors, base);
});

test("concurrent async scopes keep their own tensors apart", async () => {
  const base = cb.memory().tensors;
  const mk = (n: number) =>
    cb.scope(async () => {
      const a = cb.full([n], n);
      await tick(n);
      return a.sum();
    });
  const [x, y] = await Promise.all([mk(3), mk(5)]);
  assert.equal(x.item(), 9);
  assert.equal(y.item(), 25);
  x.dispose();
  y.dispose();
  assert.equal(cb.memory().tensors, base);
});

test("a sync scope inside an async one, and a plain function returning a promise", async () => {
  const base = cb.memory().tensors;
  const out = await cb.scope(async () => {
    const a = cb.ones([2]);
    await tick(1);
    // a sync scope (no AsyncLocalStorage) nested in an async one hands its result to it
    const inner = cb.scope(() => a.add(1).mul(2));
    await tick(1);
    return inner.add(a); // inner and a are the async scope's, disposed when it ends
  });
  assert.deepEqual(out.toArray(), [5, 5]);
  out.dispose();
  assert.equal(cb.memory().tensors, base);
  // a plain function's promise: what it made before returning is scoped and ends with the promise
  let before: cb.Tensor | undefined;
  const r = await cb.scope(() => {
    before = cb.ones([3]);
    return before.expAsync();
  });
  assert.equal(before!.disposed, true);
  assert.ok(Math.abs((r.toArray() as number[])[0] - Math.E) < 1e-6);
  r.dispose();
  assert.equal(cb.memory().tensors, base);
});

test("every path releases exactly once: dispose then scope end then GC", async () => {
  const base = cb.memory().tensors;
  cb.scope(() => {
    const t = cb.ones([8]);
    t.dispose(); // explicit first; the scope's dispose is then a no-op
  });
  assert.equal(cb.memory().tensors, base);
  await tick(); // the deferred registration runs and skips the disposed tensor
  assert.equal(cb.memory().tensors, base);
});

test("reshape and transpose are views sharing storage", () => {
  cb.scope(() => {
    const a = cb.arange(6, { dtype: "float32" });
    const r = a.reshape(2, 3);
    const t = r.transpose();
    assert.equal(t.isContiguous, false);
    assert.deepEqual(t.shape, [3, 2]);
    assert.deepEqual(t.strides, [1, 3]);
    assert.equal(cb.memory().bytes >= 24, true);
    (a.data as Float32Array)[4] = 40; // write through the base...
    assert.deepEqual(r.toArray(), [[0, 1, 2], [3, 40, 5]]); // ...seen by the views
    assert.deepEqual(t.toArray(), [[0, 3], [1, 40], [2, 5]]);
  });
});

test("views keep storage alive after the base is disposed", () => {
  const base = cb.memory();
  const a = cb.arange(6, { dtype: "float32" });
  const v = a.reshape([3, 2]);
  a.dispose();
  assert.deepEqual(v.toArray(), [[0, 1], [2, 3], [4, 5]]);
  assert.equal(cb.memory().bytes, base.bytes + 24);
  v.dispose();
  assert.deepEqual(live(cb.memory()), live(base));
});

test("data is a zero-copy view: writes reach the tensor, reads see op results", () => {
  cb.scope(() => {
    const t = cb.zeros([4]);
    const d = t.data as Float32Array;
    assert.ok(d instanceof Float32Array);
    assert.equal(d, t.data, "the same view each time");
    d.set([1, 2, 3, 4]);
    assert.equal(t.sum().item(), 10);
    const big = cb.zeros([1 << 20]);
    assert.equal(big.data.length, 1 << 20);
    (big.data as Float32Array)[123456] = 7;
    assert.equal(big.max().item(), 7);
  });
});

nativeTest(
  "zero-copy in: copy: false adopts the JS buffer",
  "copy: false cannot share JS memory (it is INVALID_ARGUMENT there)",
  () => {
    const base = cb.memory();
    const buf = new Float64Array([1, 2, 3, 4, 5, 6]);
    const t = cb.tensor(buf, { shape: [2, 3], copy: false });
    assert.equal(cb.memory().bytes, base.bytes, "no native bytes allocated");
    assert.equal(cb.memory().externalBytes, base.externalBytes + 48);
    assert.equal(t.dtype, "float64");
    buf[0] = 100; // JS writes are seen natively
    assert.equal(cb.scope(() => t.sum().item()), 120);
    (t.data as Float64Array)[5] = 60; // native-side view writes reach the JS buffer
    assert.equal(buf[5], 60);
    assert.equal(t.data.buffer, buf.buffer);
    t.dispose();
    assert.deepEqual(live(cb.memory()), live(base));
  },
);

test("copy: true (the default) copies", () => {
  const buf = new Float32Array([1, 2, 3]);
  using t = cb.tensor(buf);
  buf[0] = 50;
  assert.deepEqual(t.toArray(), [1, 2, 3]);
});

nativeTest(
  "memory() returns to baseline after a mixed workload",
  "copy: false cannot share JS memory (it is INVALID_ARGUMENT there)",
  () => {
    const base = cb.memory();
    cb.scope(() => {
      const a = cb.tensor([[1, 2], [3, 4]]);
      const b = a.matmul(a).transpose().reshape(4).exp();
      b.sum(0, { keepdims: true });
      a.add(cb.tensor(new Float32Array(2), { copy: false }));
    });
    assert.deepEqual(live(cb.memory()), live(base));
  },
);

test("freed large buffers are cached for reuse and emptyCache gives them back", () => {
  cb.emptyCache();
  assert.equal(cb.memory().cachedBytes, 0);
  const base = cb.memory();
  const big = cb.ones([1 << 20]); // 4 MiB
  big.dispose();
  assert.ok(cb.memory().cachedBytes >= 4 << 20, "kept for reuse");
  assert.deepEqual(live(cb.memory()), live(base), "and not counted as live");
  cb.scope(() => {
    const again = cb.zeros([1 << 20]); // reuses the block: must still read as zeros
    assert.equal(again.max().item(), 0);
    const sum = cb.full([1 << 20], 2).add(cb.ones([1 << 20])); // kernel outputs reuse blocks too
    assert.equal(sum.min().item(), 3);
  });
  cb.emptyCache();
  assert.equal(cb.memory().cachedBytes, 0);
});
