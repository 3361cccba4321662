/**
 * Off the JS thread: async ops give the sync results, the event loop keeps ticking, concurrent
 * jobs complete, inputs are safe while in flight, and the pool size is configurable.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as cb from "../mod.ts";
import { evalArgs, exe, ext, gc, gcUntil, nativeTest, root, test, tick } from "./harness.ts";

// deno-lint-ignore no-explicit-any
const g = globalThis as any;

function same(a: cb.Tensor, b: cb.Tensor): void {
  assert.deepEqual(a.shape, b.shape);
  assert.equal(a.dtype, b.dtype);
  assert.deepEqual(a.toArray(), b.toArray());
}

test("async: every async op gives the sync result", async () => {
  await cb.scope(async () => {
    const a = cb.rand([64, 48], { seed: 1 }),
      b = cb.rand([48, 32], { seed: 2 }),
      c = cb.rand([64, 48], { seed: 3 });
    same(await a.matmulAsync(b), a.matmul(b));
    same(await a.addAsync(c), a.add(c));
    same(await a.subAsync(c), a.sub(c));
    same(await a.mulAsync(c), a.mul(c));
    same(await a.divAsync(c), a.div(c));
    same(await a.expAsync(), a.exp());
    same(await a.tanhAsync(), a.tanh());
    same(await a.sumAsync(), a.sum());
    same(await a.sumAsync([0], { keepdims: true }), a.sum([0], { keepdims: true }));
    same(await a.meanAsync(1), a.mean(1));
    same(await a.maxAsync(-1), a.max(-1));
    same(await a.astypeAsync("float16"), a.astype("float16"));
    same(await a.transpose().contiguousAsync(), a.transpose().contiguous());
  });
});

test("async: errors reject with CobaltError, bad arguments throw at once", async () => {
  await cb.scope(async () => {
    const a = cb.zeros([2, 3]);
    await assert.rejects(a.matmulAsync(cb.zeros([2, 3])), { code: "SHAPE_MISMATCH" });
    await assert.rejects(a.sumAsync(5), { code: "AXIS" });
    assert.throws(() => a.astypeAsync("int8" as cb.DType), {
      code: "DTYPE",
      message: /supported dtypes|float32/,
    });
    assert.throws(() => a.matmulAsync(3 as unknown as cb.Tensor), TypeError);
    const d = cb.zeros([2]);
    d.dispose();
    assert.throws(() => d.expAsync(), { code: "DISPOSED" });
  });
});

nativeTest(
  "async: the event loop keeps ticking during a large matmul",
  "one thread: async jobs finish before they return",
  async () => {
    await cb.scope(async () => {
      const a = cb.rand([1024, 1024], { seed: 4 }), b = cb.rand([1024, 1024], { seed: 5 });
      let ticks = 0;
      const timer = setInterval(() => ticks++, 2);
      try {
        const t0 = performance.now();
        await a.matmulAsync(b);
        const ms = performance.now() - t0;
        // one tick per 2 ms is the ideal; ask for a few, whatever the machine's speed
        assert.ok(ticks >= 3, `only ${ticks} timer ticks in ${ms.toFixed(0)} ms`);
      } finally {
        clearInterval(timer);
      }
    });
  },
);

test("async: many concurrent jobs all complete with the right results", async () => {
  await cb.scope(async () => {
    const inputs = Array.from({ length: 12 }, (_, i) => cb.rand([96, 96], { seed: 100 + i }));
    const results = await Promise.all(inputs.map((x, i) => (i % 2 ? x.matmulAsync(x) : x.sumAsync(0))));
    results.forEach((r, i) => same(r, i % 2 ? inputs[i].matmul(inputs[i]) : inputs[i].sum(0)));
  });
});

nativeTest(
  "async: disposing inputs and collecting them while the job runs is safe",
  "copy: false cannot share JS memory (it is INVALID_ARGUMENT there)",
  async () => {
    await gcUntil(() => false, 3); // let earlier tests' garbage go first
    const base = cb.memory();
    const raw = new Float32Array(700 * 700);
    for (let i = 0; i < raw.length; i++) raw[i] = ((i * 7919) % 1000) / 1000;
    const expected = cb.scope(() =>
      cb.rand([700, 700], { seed: 6 }).matmul(cb.tensor(raw, { shape: [700, 700] })).sum().item()
    );
    let a: cb.Tensor | null = cb.rand([700, 700], { seed: 6 });
    // b reads adopted JS memory that nothing else references
    let b: cb.Tensor | null = cb.tensor(raw.slice(), { shape: [700, 700], copy: false });
    const pending = a.matmulAsync(b);
    a.dispose();
    b.dispose();
    a = b = null;
    for (let i = 0; i < 3; i++) {
      gc();
      await tick(1);
    }
    const c = await pending;
    assert.equal(c.sum().item(), expected);
    c.dispose();
    assert.ok(await gcUntil(() => cb.memory().tensors <= base.tensors), "all released once the job ended");
    assert.ok(cb.memory().externalBytes <= base.externalBytes);
  },
);

nativeTest(
  "async: writing into a tensor an in-flight job reads throws BORROWED",
  "one thread: async jobs finish before they return",
  async () => {
    await cb.scope(async () => {
      const a = cb.rand([1024, 1024], { seed: 8 });
      const pending = a.matmulAsync(a);
      assert.throws(() => a.assign(0), { code: "BORROWED" });
      assert.throws(() => a.slice(0).assign(1), { code: "BORROWED" });
      await pending;
      a.slice(0).assign(1); // allowed again
      assert.equal(a.slice(0).sum().item(), 1024);
    });
  },
);

nativeTest(
  "async: the pool size follows setNumThreads and COBALT_NUM_THREADS",
  "one thread (setNumThreads(n > 1) is INVALID_ARGUMENT)",
  async () => {
    const before = cb.numThreads();
    assert.ok(before >= 1);
    try {
      cb.setNumThreads(1);
      assert.equal(cb.numThreads(), 1);
      await cb.scope(async () => {
        const a = cb.rand([128, 128], { seed: 9 });
        same(await a.matmulAsync(a), a.matmul(a));
      });
      cb.setNumThreads(3);
      assert.equal(cb.numThreads(), 3);
      assert.throws(() => cb.setNumThreads(0), { code: "INVALID_ARGUMENT" });
      assert.throws(() => cb.setNumThreads(1.5), TypeError);
    } finally {
      cb.setNumThreads(before);
    }
    const code = `import * as cb from "./mod${ext}"; console.log(cb.numThreads());`;
    const r = spawnSync(exe, evalArgs(code), {
      cwd: root,
      encoding: "utf8",
      env: { ...g.process.env, COBALT_NUM_THREADS: "3" },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), "3");
  },
);
