/**
 * The garbage collector as a release path: finalizers free native memory, and never too early.
 * Deno runs this with --v8-flags=--expose-gc; Bun uses Bun.gc(true).
 */
import assert from "node:assert/strict";
import * as cb from "../mod.ts";
import { gc, gcUntil, nativeTest, test, tick } from "./harness.ts";

function churn(n: number): void {
  for (let i = 0; i < n; i++) cb.tensor([i, i + 1, i + 2]); // dropped without dispose
}

test("gc: 100,000 dropped tensors are all released by the collector", async () => {
  await gcUntil(() => false, 3);
  const base = cb.memory();
  churn(100_000);
  await tick();
  const held = cb.memory().tensors - base.tensors;
  // `<=`: garbage of earlier tests may be collected meanwhile too
  const ok = await gcUntil(() => cb.memory().tensors <= base.tensors && cb.memory().bytes <= base.bytes, 100);
  const now = cb.memory();
  assert.ok(
    ok,
    `after GC ${now.tensors - base.tensors} of 100000 tensors are still alive (${held} before GC)`,
  );
});

test("gc: a referenced tensor is not freed early", async () => {
  const t = cb.tensor([[1, 2], [3, 4]]);
  const before = cb.memory().tensors;
  for (let i = 0; i < 5; i++) {
    gc();
    await tick(5);
  }
  assert.equal(cb.memory().tensors, before);
  assert.deepEqual(t.toArray(), [[1, 2], [3, 4]]);
  t.dispose();
});

function viewOfDroppedTensor(): Float32Array {
  const t = cb.arange(1000, { dtype: "float32" });
  return t.data as Float32Array; // t is unreachable once this returns
}

// NOTE: the view is created and dropped inside helpers: Bun's collector scans the stack
// conservatively, so a dead local in the test's own frame could keep it alive.
async function viewOutlivesTensor(base: cb.MemoryInfo): Promise<void> {
  const view = viewOfDroppedTensor();
  assert.equal(cb.memory().tensors, base.tensors + 1);
  for (let i = 0; i < 5; i++) {
    gc();
    await tick(5);
  }
  // The tensor object is gone, but the view holds the native memory.
  for (let i = 0; i < 1000; i++) assert.equal(view[i], i);
  assert.equal(cb.memory().tensors, base.tensors + 1, "the view keeps its tensor's memory");
}

test("gc: a data view outlives its collected tensor, then releases it", async () => {
  await gcUntil(() => false, 2);
  const base = cb.memory();
  await viewOutlivesTensor(base);
  const ok = await gcUntil(() => cb.memory().tensors <= base.tensors && cb.memory().bytes <= base.bytes, 100);
  assert.ok(ok, "collecting the view releases the native memory");
});

async function viewOutlivesDispose(): Promise<void> {
  const t = cb.arange(0, 50, 0.5, { dtype: "float64" });
  const view = t.data as Float64Array;
  t.dispose();
  assert.throws(() => t.data, { code: "DISPOSED" });
  for (let i = 0; i < 5; i++) {
    gc();
    await tick(5);
  }
  for (let i = 0; i < 100; i++) assert.equal(view[i], i / 2);
}

test("gc: a data view stays valid after dispose()", async () => {
  await gcUntil(() => false, 2);
  const base = cb.memory();
  await viewOutlivesDispose();
  assert.ok(await gcUntil(() => cb.memory().tensors <= base.tensors, 100));
});

function adoptDropped(): cb.Tensor {
  const buf = new Float32Array(4096);
  for (let i = 0; i < buf.length; i++) buf[i] = i * 3;
  return cb.tensor(buf, { shape: [64, 64], copy: false }); // buf is reachable only from the tensor
}

nativeTest(
  "gc: adopted JS memory stays alive while a native tensor uses it",
  "copy: false cannot share JS memory (it is INVALID_ARGUMENT there)",
  async () => {
    const t = adoptDropped();
    const v = t.reshape(4096); // a view sharing the adopted storage
    for (let i = 0; i < 5; i++) {
      gc();
      await tick(5);
    }
    const s = t.sum().item();
    assert.equal(s, 3 * (4095 * 4096) / 2);
    t.dispose();
    for (let i = 0; i < 3; i++) {
      gc();
      await tick(5);
    }
    assert.equal(v.data[4095], 4095 * 3);
    assert.equal(v.max().item(), 4095 * 3);
    v.dispose();
  },
);

function dropMany(n: number): void {
  for (let i = 0; i < n; i++) adoptDropped();
}

nativeTest(
  "gc: dropped adopted tensors give their external bytes back",
  "copy: false cannot share JS memory (it is INVALID_ARGUMENT there)",
  async () => {
    await gcUntil(() => false, 2);
    const base = cb.memory();
    dropMany(200); // in a helper: Bun's collector scans the stack conservatively
    await tick();
    assert.ok(
      await gcUntil(
        () => cb.memory().externalBytes <= base.externalBytes && cb.memory().tensors <= base.tensors,
        100,
      ),
      `still ${cb.memory().externalBytes - base.externalBytes} adopted bytes in use`,
    );
  },
);
