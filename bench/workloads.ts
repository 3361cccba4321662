/**
 * The benchmark workloads for cobalt (in Deno and Bun) and, in Deno, the same work as plain JS
 * loops over TypedArrays. Prints one JSON object of milliseconds per operation (median of rounds).
 *   deno run -A bench/workloads.ts [--plain-js]     bun bench/workloads.ts
 */
import * as cb from "../mod.ts";

// deno-lint-ignore no-explicit-any
const g = globalThis as any;
const args: string[] = g.Deno?.args ?? g.process?.argv?.slice(2) ?? [];
const plain = args.includes("--plain-js");

function time(rounds: number, f: () => void): number {
  f(); // warm-up
  const xs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    f();
    xs.push(performance.now() - t0);
  }
  xs.sort((a, b) => a - b);
  return xs[xs.length >> 1];
}

const N = 1 << 24;
const out: Record<string, number> = {};
if (!plain) {
  const a4 = cb.tensor([1, 2, 3, 4]), b4 = cb.tensor([5, 6, 7, 8]);
  out["tiny add (4 elements)"] = time(5, () => {
    for (let i = 0; i < 100_000; i++) a4.add(b4).dispose();
  }) / 100_000;
  const a = cb.rand([N], { seed: 1 }), b = cb.rand([N], { seed: 2 });
  out["add 16M"] = time(7, () => a.add(b).dispose());
  const a1 = cb.rand([1 << 20], { seed: 7 }), b1 = cb.rand([1 << 20], { seed: 8 });
  out["add 1M"] = time(9, () => a1.add(b1).dispose());
  out["mul 16M"] = time(7, () => a.mul(b).dispose());
  out["sum 16M"] = time(7, () => a.sum().dispose());
  const s = cb.rand([4096, 1024], { seed: 3 });
  out["softmax 4096x1024"] = time(7, () => s.softmax(1).dispose());
  const t = cb.rand([4096, 4096], { seed: 4 });
  out["transpose+contiguous 4096²"] = time(5, () => t.transpose().contiguous().dispose());
  const threads = cb.numThreads();
  for (const n of [256, 512, 1024, 2048]) {
    const x = cb.rand([n, n], { seed: 5 }), y = cb.rand([n, n], { seed: 6 });
    out[`matmul ${n}`] = time(n >= 2048 ? 3 : 7, () => x.matmul(y).dispose());
    cb.setNumThreads(1);
    out[`matmul ${n} (1 thread)`] = time(n >= 2048 ? 3 : 7, () => x.matmul(y).dispose());
    cb.setNumThreads(threads);
  }
} else {
  // the same work as plain JS loops over TypedArrays (1M elements where noted, for the 5x target)
  const M = 1 << 20;
  const a = new Float32Array(N).map(() => Math.random()), b = new Float32Array(N).map(() => Math.random());
  out["add 16M"] = time(5, () => {
    const c = new Float32Array(N);
    for (let i = 0; i < N; i++) c[i] = a[i] + b[i];
  });
  out["mul 16M"] = time(5, () => {
    const c = new Float32Array(N);
    for (let i = 0; i < N; i++) c[i] = a[i] * b[i];
  });
  out["sum 16M"] = time(5, () => {
    let s = 0;
    for (let i = 0; i < N; i++) s += a[i];
    if (s < 0) throw new Error();
  });
  const rows = 4096, cols = 1024, m = a.subarray(0, rows * cols);
  out["softmax 4096x1024"] = time(5, () => {
    const o = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      let mx = -Infinity, z = 0;
      for (let c = 0; c < cols; c++) mx = Math.max(mx, m[r * cols + c]);
      for (let c = 0; c < cols; c++) z += o[r * cols + c] = Math.exp(m[r * cols + c] - mx);
      for (let c = 0; c < cols; c++) o[r * cols + c] /= z;
    }
  });
  const T = 4096, src = a.subarray(0, T * T);
  out["transpose+contiguous 4096²"] = time(3, () => {
    const o = new Float32Array(T * T);
    for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) o[j * T + i] = src[i * T + j];
  });
  for (const n of [256, 512]) {
    const x = a.subarray(0, n * n), y = b.subarray(0, n * n);
    out[`matmul ${n}`] = time(3, () => {
      const c = new Float32Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let p = 0; p < n; p++) {
          const s = x[i * n + p];
          for (let j = 0; j < n; j++) c[i * n + j] += s * y[p * n + j];
        }
      }
    });
  }
  out["add 1M"] = time(9, () => {
    const c = new Float32Array(M);
    for (let i = 0; i < M; i++) c[i] = a[i] + b[i];
  });
}
console.log(
  JSON.stringify({
    runtime: plain ? "plain JS (Deno)" : `cobalt (${cb.native.runtime})`,
    threads: cb.numThreads(),
    ms: out,
  }),
);
