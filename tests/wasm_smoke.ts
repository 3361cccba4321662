/**
 * The WebAssembly backend's own checks, run by scripts/test-wasm.sh in Deno, Bun and Node with
 * COBALT_BACKEND=wasm (`npm run test:wasm`, after `npm run build:wasm`). Prints one line per check
 * and "wasm <runtime>: N passed, M failed"; exits 1 on any failure. numpy-independent oracles:
 * exact small results and plain JS loops.
 */
import assert from "node:assert/strict";
import * as cb from "../web.ts";

const results: [string, string | undefined][] = [];
async function check(name: string, f: () => void | Promise<void>): Promise<void> {
  try {
    await f();
    results.push([name, undefined]);
  } catch (e) {
    results.push([name, (e as Error)?.stack ?? String(e)]);
  }
}

function code(c: string, re?: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof cb.CobaltError, `expected CobaltError, got ${e}`);
    assert.equal(e.code, c);
    if (re) assert.match(e.message, re);
    return true;
  };
}

await check("the backend is wasm, one thread", () => {
  assert.equal(cb.native.backend, "wasm");
  assert.match(cb.native.path, /cobalt\.wasm$/);
  assert.equal(cb.native.abiVersion(), cb.ABI_VERSION);
  assert.equal(cb.numThreads(), 1);
  assert.throws(() => cb.setNumThreads(2), code("INVALID_ARGUMENT", /WebAssembly/));
});

await check("matmul, add, sum: exact small results", () => {
  using a = cb.tensor([[1, 2], [3, 4]]);
  using m = a.matmul(a);
  assert.deepEqual(m.toArray(), [[7, 10], [15, 22]]);
  using s = a.add(10).sum();
  assert.equal(s.item(), 50);
  using c = cb.concat([a, a], 0);
  assert.deepEqual(c.shape, [4, 2]);
  assert.deepEqual(c.toArray(), [[1, 2], [3, 4], [1, 2], [3, 4]]);
});

await check("every dtype round-trips through data", () => {
  for (const dt of ["float64", "float32", "int32", "int64", "uint8", "bool"] as const) {
    using t = cb.tensor([1, 0, 1, 1], { dtype: dt });
    assert.deepEqual(Array.from(t.data as ArrayLike<number | bigint>, Number), [1, 0, 1, 1], dt);
  }
});

await check("large elementwise ops and reductions match JS loops (data survives memory growth)", () => {
  const n = 300_001;
  using a = cb.rand([n], { seed: 1, dtype: "float64" });
  using b = cb.rand([n], { seed: 2, dtype: "float64" });
  const x = a.data as Float64Array, y = b.data as Float64Array;
  using sum = a.add(b);
  using big = cb.zeros([64 << 20], { dtype: "uint8" }); // grows linear memory by 64 MiB
  const s = sum.data as Float64Array;
  // Views taken before the growth: valid where the runtime has resizable buffers, else refreshed.
  const x2 = x.length === n ? x : a.data as Float64Array, y2 = y.length === n ? y : b.data as Float64Array;
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (s[i] !== x2[i]! + y2[i]!) assert.fail(`element ${i}: ${s[i]} vs ${x2[i]! + y2[i]!}`);
    total += x2[i]!;
  }
  using t = a.sum();
  assert.ok(Math.abs(t.item() - total) < 1e-9 * total);
  assert.equal(big.size, 64 << 20);
});

await check("bulk data (4 MiB, more than the kept scratch block) is copied in and out exactly", () => {
  const n = 1 << 20;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = (i % 1000) - 500.5;
  for (let round = 0; round < 3; round++) {
    using t = cb.tensor(x);
    using d = t.mul(2);
    const got = d.toArray() as number[];
    for (let i = 0; i < n; i += 997) assert.equal(got[i], 2 * x[i]!, `element ${i}`);
    assert.equal(got[n - 1], 2 * x[n - 1]!);
  }
});

await check("a Rust panic is CobaltError PANIC, and the instance goes on", () => {
  assert.throws(() => cb.native.panic(), code("PANIC", /cobalt_debug_panic/));
  using a = cb.ones([3]);
  assert.equal(a.sum().item(), 3);
});

await check("errors carry the native message", () => {
  using a = cb.tensor([1, 2]), b = cb.tensor([1, 2, 3]);
  assert.throws(() => a.add(b), code("SHAPE_MISMATCH", /\(2,\) and \(3,\)/));
  assert.throws(() => cb.zeros([2 ** 40, 2 ** 12]), code("OUT_OF_MEMORY"));
});

await check("copy: false is refused with the reason", () => {
  assert.throws(
    () => cb.tensor(new Float32Array(4), { copy: false }),
    code("INVALID_ARGUMENT", /WebAssembly backend/),
  );
});

await check("async ops resolve", async () => {
  using a = cb.tensor([[1, 2], [3, 4]]);
  using m = await a.matmulAsync(a);
  assert.deepEqual(m.toArray(), [[7, 10], [15, 22]]);
});

await check("files: safetensors and npy from bytes (no file system needed)", () => {
  using a = cb.arange(6).reshape([2, 3]).astype("float32");
  const back = cb.decodeSafetensors(cb.encodeSafetensors({ a })).tensors;
  assert.deepEqual(back.a!.toArray(), [[0, 1, 2], [3, 4, 5]]);
  back.a!.dispose();
  using n = cb.decodeNpy(cb.encodeNpy(a));
  assert.deepEqual(n.toArray(), [[0, 1, 2], [3, 4, 5]]);
});

await check("memory returns to its baseline", () => {
  const before = cb.memory().tensors;
  cb.scope(() => {
    const a = cb.rand([100, 100]);
    a.matmul(a).softmax(1);
  });
  assert.equal(cb.memory().tensors, before);
});

const failed = results.filter(([, e]) => e !== undefined);
const lines = results.map(([name, e]) => `${e === undefined ? "ok  " : "FAIL"} ${name}${e ? `\n${e}` : ""}`);
lines.push(`wasm ${cb.native.runtime}: ${results.length - failed.length} passed, ${failed.length} failed`);
for (const l of lines) console.log(l);
// For the browser page (dist/web-test/index.html), which posts it back to scripts/test-browser.mjs.
(globalThis as Record<string, unknown>).__cobaltSmoke = {
  lines,
  passed: results.length - failed.length,
  failed: failed.length,
};
const proc = (globalThis as { process?: { exitCode?: number } }).process;
if (failed.length && proc) proc.exitCode = 1;
