/**
 * Memory safety from JS: adopted buffers outlive every native user, detached buffers are refused,
 * share tokens are checked natively, a memory limit turns runaway allocation into OUT_OF_MEMORY,
 * and memory left to the GC is reported loudly. Runs under `deno test` and `bun test`.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as cb from "../mod.ts";
import { backend, evalArgs, exe, ext, gc, gcUntil, live, nativeTest, skip, test, tick } from "./harness.ts";
import { adoptedCount } from "../ffi/core.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

/** A tensor over a JS buffer that nothing else references, and the op's result over it. */
function resultOverDroppedBuffer(op: (t: cb.Tensor) => cb.Tensor | Promise<cb.Tensor>) {
  const arr = new Float32Array(1 << 16);
  for (let i = 0; i < arr.length; i++) arr[i] = i;
  const t = cb.tensor(arr, { copy: false });
  const r = op(t);
  t.dispose();
  return r;
}

function checkRamp(r: cb.Tensor): void {
  const d = r.toArray() as number[];
  assert.equal(d.length, 1 << 16);
  for (let i = 0; i < d.length; i += 997) assert.equal(d[i], i);
}

/** Makes garbage of the same size class, so freed memory would be reused and overwritten. */
function churnBuffers(): void {
  for (let i = 0; i < 50; i++) new Float32Array(1 << 16).fill(-7);
}

for (
  const [name, op] of [
    ["astypeAsync (same dtype)", (t: cb.Tensor) => t.astypeAsync("float32")],
    ["contiguousAsync", (t: cb.Tensor) => t.contiguousAsync()],
    ["astype (same dtype)", (t: cb.Tensor) => t.astype("float32")],
    ["contiguous", (t: cb.Tensor) => t.contiguous()],
    ["reshape", (t: cb.Tensor) => t.reshape(256, 256).reshape(-1)],
    ["transpose twice", (t: cb.Tensor) => t.reshape(256, 256).transpose().transpose().reshape(-1)],
    ["slice", (t: cb.Tensor) => t.slice([0, null])],
    ["expand + squeeze", (t: cb.Tensor) => t.unsqueeze(0).expand([1, 1 << 16]).squeeze(0)],
  ] as const
) {
  nativeTest(
    `safety: ${name} of adopted memory keeps the JS buffer alive after GC`,
    "copy: false cannot share JS memory",
    async () => {
      const r = await resultOverDroppedBuffer(op);
      for (let i = 0; i < 3; i++) {
        gc();
        await tick(5);
        churnBuffers();
      }
      checkRamp(r);
      r.dispose();
    },
  );
}

nativeTest(
  "safety: the JS buffer is let go once no native user is left",
  "copy: false cannot share JS memory (it is INVALID_ARGUMENT there)",
  async () => {
    await gcUntil(() => adoptedCount() === 0, 20);
    const base = adoptedCount();
    const arr = new Float64Array([1, 2, 3, 4]);
    const t = cb.tensor(arr, { copy: false });
    const v = t.reshape(2, 2);
    assert.equal(adoptedCount(), base + 1);
    t.dispose();
    assert.equal(adoptedCount(), base + 1, "the view still uses the buffer");
    const job = v.sumAsync();
    v.dispose();
    const s = await job;
    assert.equal(s.item(), 10);
    s.dispose();
    assert.equal(adoptedCount(), base, "released with the last view");
  },
);

// ArrayBuffer.prototype.transfer (ES2024) is in Deno, Bun and Node >= 21; Node 20 lacks it (its
// structured-clone transfer, tested below, detaches the same way).
const canTransfer = typeof (ArrayBuffer.prototype as Any).transfer === "function";
const transferTest = !canTransfer
  ? (name: string) => skip(name, "ArrayBuffer.prototype.transfer needs Node 21+")
  : backend === "wasm"
  ? (name: string) =>
    skip(name, "WebAssembly backend: copy: false cannot share JS memory (INVALID_ARGUMENT there)")
  : test;

transferTest("safety: a detached adopted buffer is refused, never written", () => {
  const arr = new Float32Array([1, 2, 3, 4]);
  const t = cb.tensor(arr, { copy: false });
  const v = t.reshape(2, 2);
  const moved = (arr.buffer as Any).transfer(16) as ArrayBuffer;
  const other = new Float32Array(moved);
  assert.deepEqual([...other], [1, 2, 3, 4]);
  for (const x of [t, v]) {
    assert.throws(() => x.assign(3), { name: "CobaltError", code: "DETACHED" });
    assert.throws(() => x.sum(), { code: "DETACHED" });
    assert.throws(() => x.toArray(), { code: "DETACHED" });
    assert.throws(() => x.expAsync(), { code: "DETACHED" });
    assert.throws(() => cb.share(x), { code: "DETACHED" });
  }
  assert.deepEqual([...other], [1, 2, 3, 4], "the new owner's memory is untouched");
  t.dispose();
  v.dispose();
});

nativeTest(
  "safety: a buffer detached by a structured-clone transfer is refused",
  "copy: false cannot share JS memory (it is INVALID_ARGUMENT there)",
  () => {
    const arr = new Int32Array([5, 6, 7]);
    const t = cb.tensor(arr, { copy: false });
    const clone = structuredClone(arr.buffer, { transfer: [arr.buffer] });
    assert.equal(arr.byteLength, 0);
    assert.throws(() => t.add(1), { code: "DETACHED" });
    assert.deepEqual([...new Int32Array(clone)], [5, 6, 7]);
    t.dispose();
  },
);

transferTest(
  "safety: async ops copy adopted inputs, so detaching mid-job cannot touch their memory",
  async () => {
    const arr = new Float32Array(1 << 20).fill(2);
    const t = cb.tensor(arr, { copy: false });
    const job = t.mulAsync(t);
    (arr.buffer as Any).transfer(8); // the engine frees the old memory now
    const r = await job;
    assert.equal(r.sum().item(), 4 * (1 << 20));
    r.dispose();
    t.dispose();
  },
);

test("safety: fromShared reads dtype and shape natively and checks the token", () => {
  const base = live(cb.memory());
  const t = cb.tensor([[1, 2, 3], [4, 5, 6]], { dtype: "int32" });
  const s = cb.share(t);
  const lie = { ...s, dtype: "float64" as const }; // a false dtype must not size any buffer
  const u = cb.fromShared(lie);
  assert.equal(u.dtype, "int32");
  assert.deepEqual(u.shape, [2, 3]);
  assert.deepEqual(u.toArray(), [[1, 2, 3], [4, 5, 6]]);
  assert.throws(() => cb.fromShared(s), { name: "CobaltError", code: "INVALID_ARGUMENT" }, "second claim");
  assert.throws(() => cb.fromShared({ ...s, token: s.token + 1 }), { code: "INVALID_ARGUMENT" });
  for (const token of [0, -1, 1.5, NaN, Infinity, 2 ** 53, 0x7fff0000]) {
    assert.throws(() => cb.fromShared({ cobalt: "shared-tensor", token, dtype: "float32" }), {
      code: "INVALID_ARGUMENT",
    });
  }
  assert.throws(() => cb.fromShared({ cobalt: "shared-tensor", handle: 1234 } as Any), TypeError);
  assert.throws(() => cb.fromShared(null as Any), TypeError);
  u.dispose();
  t.dispose();
  const s2 = cb.share(cb.scope(() => cb.keep(cb.ones([3]))));
  assert.equal(cb.unshare(s2), true);
  assert.equal(cb.unshare(s2), false);
  assert.throws(() => cb.fromShared(s2), { code: "INVALID_ARGUMENT" });
  assert.deepEqual(live(cb.memory()).tensors, base.tensors + 1); // the kept ones([3])
});

test("safety: the memory limit refuses an allocation with a clear OUT_OF_MEMORY", () => {
  const before = cb.memoryLimit();
  assert.ok(before > 0);
  try {
    cb.setLeakWarning(false);
    cb.setMemoryLimit(cb.memory().bytes + (1 << 20));
    assert.equal(cb.memoryLimit(), cb.memory().bytes + (1 << 20));
    using small = cb.zeros([1000]);
    assert.equal(small.size, 1000);
    assert.throws(() => cb.zeros([1 << 20]), (e: Any) => {
      assert.equal(e.code, "OUT_OF_MEMORY");
      assert.match(e.message, /cannot allocate 4\.0 MiB/);
      assert.match(e.message, /memory limit is/);
      assert.match(e.message, /setMemoryLimit/);
      return true;
    });
    assert.throws(() => cb.rand([2 ** 31]), { code: "OUT_OF_MEMORY" });
    cb.setMemoryLimit(Infinity);
    assert.equal(cb.memoryLimit(), Infinity);
    for (const bad of [0, -1, 1.5, NaN]) {
      assert.throws(() => cb.setMemoryLimit(bad), { code: "INVALID_ARGUMENT" });
    }
    assert.throws(() => cb.setMemoryLimit("1G" as Any), TypeError);
  } finally {
    cb.setMemoryLimit(before);
    cb.setLeakWarning(2 ** 30);
  }
});

test("safety: the default limit is a fraction of physical memory; COBALT_MEMORY_LIMIT sets it", () => {
  const limit = cb.memoryLimit();
  assert.ok(limit < Infinity && limit > 2 ** 28, `default limit ${limit}`);
  const mod = new URL(`../mod${ext}`, import.meta.url).href;
  const code = `const cb = await import(${JSON.stringify(mod)}); console.log(cb.memoryLimit());`;
  const args = evalArgs(code);
  for (const [env, want] of [["64M", 64 * 2 ** 20], ["1.5G", 1.5 * 2 ** 30], ["none", Infinity]] as const) {
    const r = spawnSync(exe, args, { env: { ...process.env, COBALT_MEMORY_LIMIT: env }, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(Number(r.stdout.trim()), want, `COBALT_MEMORY_LIMIT=${env}`);
  }
});

test("safety: OUT_OF_MEMORY in a synchronous loop counts what waits for the GC and says what to do", () => {
  const before = cb.memoryLimit();
  cb.setLeakWarning(false);
  try {
    cb.setMemoryLimit(cb.memory().bytes + 64 * 2 ** 20);
    let err: Any;
    try {
      for (let i = 0; i < 100; i++) cb.zeros([2 ** 20]); // 4 MiB each, left to the GC
    } catch (e) {
      err = e;
    }
    assert.ok(err, "the loop must hit the limit");
    assert.equal(err.code, "OUT_OF_MEMORY");
    assert.match(
      err.message,
      /\d+ tensors \([\d.]+ MiB\) are not disposed and wait for the garbage collector/,
    );
    assert.match(err.message, /dispose\(\)/);
    assert.match(err.message, /cb\.scope\(\)/);
  } finally {
    cb.setMemoryLimit(before);
    cb.setLeakWarning(2 ** 30);
  }
});

test("safety: a one-time warning when a synchronous run leaves much memory to the GC", async () => {
  await tick(5); // a fresh task: the per-run count starts at zero
  const warn = console.warn;
  const seen: string[] = [];
  console.warn = (m: string) => seen.push(String(m));
  try {
    cb.setLeakWarning(8 * 2 ** 20);
    for (let i = 0; i < 1000; i++) cb.zeros([2 ** 16]); // 256 KiB each, 250 MiB in all
    for (let i = 0; i < 1000; i++) cb.zeros([2 ** 16]);
  } finally {
    console.warn = warn;
    cb.setLeakWarning(2 ** 30);
  }
  assert.equal(seen.length, 1, seen.join("\n"));
  assert.match(seen[0], /left to the garbage collector/);
  assert.match(seen[0], /setLeakWarning\(false\)/);
  await gcUntil(() => false, 3);
});

test("safety: a scope keeps what its result reaches, at any depth; cb.keep exempts a tensor", () => {
  class Box {
    inner: { deep: cb.Tensor[] };
    constructor(t: cb.Tensor) {
      this.inner = { deep: [t] };
    }
  }
  let stash: cb.Tensor | undefined;
  let dropped: cb.Tensor | undefined;
  const out = cb.scope(() => {
    const a = cb.ones([2]);
    const b = cb.ones([3]);
    const c = cb.ones([4]);
    const d = cb.ones([5]);
    stash = cb.keep(cb.ones([6]));
    dropped = cb.ones([7]);
    return { m: new Map([["a", a]]), s: new Set([b]), box: new Box(c), l: [[[[[[d]]]]]] };
  });
  assert.equal(out.m.get("a")!.size, 2);
  assert.equal([...out.s][0].size, 3);
  assert.equal(out.box.inner.deep[0].size, 4);
  assert.equal(out.l[0][0][0][0][0][0].size, 5);
  assert.equal(stash!.size, 6);
  assert.throws(() => dropped!.size, (e: Any) => {
    assert.equal(e.code, "DISPOSED");
    assert.match(e.message, /cb\.scope\(\)/);
    assert.match(e.message, /cb\.keep/);
    return true;
  });
  const t = cb.ones([1]);
  t.dispose();
  assert.throws(() => t.size, { code: "DISPOSED", message: "tensor was used after dispose()" });
  for (const x of [out.m.get("a")!, [...out.s][0], out.box.inner.deep[0], out.l[0][0][0][0][0][0], stash!]) {
    x.dispose();
  }
  assert.throws(() => cb.keep(3 as Any), TypeError);
  assert.throws(() => cb.keep(t), { name: "CobaltError", code: "DISPOSED" });
});

test("safety: rand/randn write their dtype directly (no float64 temporary): they fit a limit of their size", () => {
  const before = cb.memoryLimit();
  cb.setLeakWarning(false);
  try {
    for (const dtype of ["float32", "float16"] as const) {
      const bytes = (dtype === "float32" ? 4 : 2) * 2 ** 20;
      cb.setMemoryLimit(cb.memory().bytes + bytes + 1024);
      for (const f of [cb.rand, cb.randn]) {
        const t = f([2 ** 20], { dtype, seed: 3 });
        assert.equal(t.size, 2 ** 20);
        t.dispose();
      }
    }
  } finally {
    cb.setMemoryLimit(before);
    cb.setLeakWarning(2 ** 30);
  }
});

test("safety: views of a live tensor left to the GC do not count as memory waiting for it", async () => {
  await tick(5);
  const big = cb.zeros([1 << 22]); // 16 MiB
  const warn = console.warn;
  const seen: string[] = [];
  console.warn = (m: string) => seen.push(String(m));
  try {
    cb.setLeakWarning(8 * 2 ** 20);
    for (let i = 0; i < 1000; i++) big.reshape(-1).expand([1, 1 << 22]); // no new memory
    assert.deepEqual(seen, []);
    for (let i = 0; i < 100; i++) big.add(1); // 16 MiB each
    assert.equal(seen.length, 1);
  } finally {
    console.warn = warn;
    cb.setLeakWarning(2 ** 30);
    big.dispose();
  }
  await gcUntil(() => false, 3);
});
