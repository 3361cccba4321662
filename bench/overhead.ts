/**
 * Per-call overhead of the binding, in ns per operation (median of several rounds).
 * Prints one JSON object; scripts/bench.sh puts it next to numpy's figures from the same run.
 *   deno run --allow-ffi --allow-env bench/overhead.ts     bun bench/overhead.ts
 */
import * as cb from "../mod.ts";

const ROUNDS = 7;

function measure(n: number, f: () => void): number {
  for (let i = 0; i < Math.min(n, 20_000); i++) f(); // warm up (JIT)
  const times: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) f();
    times.push(((performance.now() - t0) * 1e6) / n);
  }
  times.sort((x, y) => x - y);
  return times[ROUNDS >> 1];
}

const a = cb.tensor([1, 2, 3, 4]);
const b = cb.tensor([5, 6, 7, 8]);
const bigSrc = cb.zeros([1 << 24]);

/** The first `t.data` of fresh views (views of one storage: no memory is allocated for them). */
function takeData(src: cb.Tensor, n: number): number {
  const times: number[] = [];
  for (let r = -1; r < ROUNDS; r++) { // round -1 warms up the JIT
    const views = Array.from({ length: 2000 }, () => src.reshape(n));
    const t0 = performance.now();
    for (const v of views) v.data;
    if (r >= 0) times.push(((performance.now() - t0) * 1e6) / views.length);
    views.forEach((v) => v.dispose());
  }
  times.sort((x, y) => x - y);
  return times[ROUNDS >> 1];
}

const results: Record<string, number> = {
  noop: measure(1_000_000, () => cb.native.noop()),
  create_dispose: measure(200_000, () => cb.zeros([4]).dispose()),
  from_array_dispose: measure(200_000, () => cb.tensor([1, 2, 3, 4]).dispose()),
  add_dispose: measure(200_000, () => a.add(b).dispose()),
  add_gc: measure(200_000, () => {
    a.add(b); // left to the garbage collector
  }),
  add_scalar_dispose: measure(200_000, () => a.add(1).dispose()),
  data_small_only: takeData(a, 4),
  data_16m_only: takeData(bigSrc, 1 << 24),
};
console.log(JSON.stringify({ runtime: cb.native.runtime, ns: results }));
