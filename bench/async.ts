/**
 * Async vs sync: the per-call overhead of an async op, and the longest event-loop stall during a
 * 2048x2048 float32 matmul run sync vs async (a UI-style latency figure). Prints one JSON object.
 *   deno run --allow-ffi --allow-env bench/async.ts     bun bench/async.ts
 */
import * as cb from "../mod.ts";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

const a = cb.tensor([1, 2, 3, 4]), b = cb.tensor([5, 6, 7, 8]);

// per-call overhead on a 4-element add: sync, and async (await of a job on the pool)
const syncNs: number[] = [], asyncUs: number[] = [];
for (let r = 0; r < 7; r++) {
  let t0 = performance.now();
  for (let i = 0; i < 20_000; i++) a.add(b).dispose();
  syncNs.push(((performance.now() - t0) * 1e6) / 20_000);
  t0 = performance.now();
  for (let i = 0; i < 300; i++) (await a.addAsync(b)).dispose();
  asyncUs.push(((performance.now() - t0) * 1e3) / 300);
}

/** The longest gap between ticks of a 1 ms interval while `work` runs. */
async function maxStall(
  work: () => Promise<unknown> | unknown,
): Promise<{ stallMs: number; totalMs: number }> {
  let last = performance.now(), worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 1);
  await new Promise((r) => setTimeout(r, 20));
  last = performance.now();
  const t0 = performance.now();
  await work();
  const total = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 5)); // let the delayed tick land
  clearInterval(timer);
  return { stallMs: worst, totalMs: total };
}

const x = cb.rand([2048, 2048], { seed: 1 }), y = cb.rand([2048, 2048], { seed: 2 });
const sync = await maxStall(() => x.matmul(y).dispose());
const async_ = await maxStall(async () => (await x.matmulAsync(y)).dispose());
console.log(JSON.stringify({
  runtime: cb.native.runtime,
  threads: cb.numThreads(),
  add_sync_ns: median(syncNs),
  add_async_us: median(asyncUs),
  matmul2048_sync: sync,
  matmul2048_async: async_,
}));
