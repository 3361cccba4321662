/**
 * The benchmark workloads for cobalt (in Deno and Bun) and, in Deno, the same work as plain JS
 * loops over TypedArrays. Prints one JSON object of milliseconds per operation (median of rounds).
 *   deno run -A bench/workloads.ts [--plain-js]     bun bench/workloads.ts
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as cb from "../mod.ts";

// deno-lint-ignore no-explicit-any
const g = globalThis as any;
const args: string[] = g.Deno?.args ?? g.process?.argv?.slice(2) ?? [];
const plain = args.includes("--plain-js");

// The last timing's fastest and slowest round, read by `out`'s setter (below).
let lastRange: [number, number, number] = [0, 0, 0]; // min, max, median

/** The median of `rounds` (at least 5) timed runs of `f` after one warm-up, in ms. */
function time(rounds: number, f: () => void): number {
  f(); // warm-up
  const xs: number[] = [];
  for (let r = 0; r < Math.max(rounds, 5); r++) {
    const t0 = performance.now();
    f();
    xs.push(performance.now() - t0);
  }
  xs.sort((a, b) => a - b);
  const med = xs[xs.length >> 1];
  lastRange = [xs[0], xs[xs.length - 1], med];
  return med;
}

const N = 1 << 24;
// Every figure stored in `out` also records its spread: the min-max of the timing it came from,
// scaled as the median was (a per-call figure divides the loop's time).
const spread: Record<string, [number, number]> = {};
const out: Record<string, number> = new Proxy({} as Record<string, number>, {
  set(target, key: string, value: number) {
    target[key] = value;
    const [lo, hi, med] = lastRange;
    if (med > 0) spread[key] = [lo * value / med, hi * value / med];
    lastRange = [0, 0, 0];
    return true;
  },
});
// Peak resident memory of some expressions, in MB above the RSS before them (Linux only).
const mem: Record<string, number> = {};
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
    out[`matmul ${n}`] = time(n >= 2048 ? 5 : 7, () => x.matmul(y).dispose());
    cb.setNumThreads(1);
    out[`matmul ${n} (1 thread)`] = time(n >= 2048 ? 5 : 7, () => x.matmul(y).dispose());
    cb.setNumThreads(threads);
  }
  // einsum against the matmul it lowers to (target: within 1.5x), and numpy's einsum
  const eb = cb.rand([64, 128, 128], { seed: 9 }), ec = cb.rand([64, 128, 128], { seed: 10 });
  out["einsum bij,bjk->bik 64x128²"] = time(7, () => cb.einsum("bij,bjk->bik", eb, ec).dispose());
  out["batched matmul 64x128² (einsum's baseline)"] = time(7, () => eb.matmul(ec).dispose());
  const ea = cb.rand([512, 512], { seed: 11 }), ee = cb.rand([512, 512], { seed: 12 });
  out["einsum ij,kj->ik 512 (a transposed operand)"] = time(
    7,
    () => cb.einsum("ij,kj->ik", ea, ee).dispose(),
  );
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
// Every op at 1M elements, cobalt against the plain-JS loop a user would write (target: 5x).
{
  const M = 1 << 20, R = 1024;
  const xs = new Float32Array(M).map(() => Math.random() + 0.01);
  const ys = new Float32Array(M).map(() => Math.random() + 0.01);
  // Each plain-JS loop is compiled as its own function (new Function), as a user would write it
  // inline: one shared loop taking a callback goes megamorphic in V8 and would flatter cobalt.
  const loop = (body: string) =>
    new Function("xs", "ys", "M", "R", `"use strict"; ${body}`) as (
      xs: Float32Array,
      ys: Float32Array,
      M: number,
      R: number,
    ) => unknown;
  const map = (expr: string) =>
    loop(
      `const o = new Float32Array(M); for (let i = 0; i < M; i++) { const x = xs[i], y = ys[i]; o[i] = ${expr}; } return o;`,
    );
  const plainOps: Record<string, ReturnType<typeof loop>> = {
    add: map("x + y"),
    sub: map("x - y"),
    mul: map("x * y"),
    div: map("x / y"),
    maximum: map("Math.max(x, y)"),
    gt: loop(
      "const o = new Uint8Array(M); for (let i = 0; i < M; i++) o[i] = xs[i] > ys[i] ? 1 : 0; return o;",
    ),
    exp: map("Math.exp(x)"),
    log: map("Math.log(x)"),
    sqrt: map("Math.sqrt(x)"),
    tanh: map("Math.tanh(x)"),
    sin: map("Math.sin(x)"),
    abs: map("Math.abs(x)"),
    sigmoid: map("1 / (1 + Math.exp(-x))"),
    relu: map("x > 0 ? x : 0"),
    // JS has no Math.erf: Abramowitz-Stegun 7.1.26, what a JS user would reach for
    gelu: map(
      "0.5 * x * (1 + Math.sign(x) * (1 - ((((1.061405429 * (1 / (1 + 0.3275911 * Math.abs(x / Math.SQRT2))) - 1.453152027) * (1 / (1 + 0.3275911 * Math.abs(x / Math.SQRT2))) + 1.421413741) * (1 / (1 + 0.3275911 * Math.abs(x / Math.SQRT2))) - 0.284496736) * (1 / (1 + 0.3275911 * Math.abs(x / Math.SQRT2))) + 0.254829592) * (1 / (1 + 0.3275911 * Math.abs(x / Math.SQRT2))) * Math.exp(-x * x / 2)))",
    ),
    sum: loop("let s = 0; for (let i = 0; i < M; i++) s += xs[i]; return s;"),
    mean: loop("let s = 0; for (let i = 0; i < M; i++) s += xs[i]; return s / M;"),
    max: loop("let m = -Infinity; for (let i = 0; i < M; i++) if (xs[i] > m) m = xs[i]; return m;"),
    argmax: loop("let b = 0; for (let i = 1; i < M; i++) if (xs[i] > xs[b]) b = i; return b;"),
    var: loop(
      "let s = 0; for (let i = 0; i < M; i++) s += xs[i]; const mu = s / M; let v = 0; for (let i = 0; i < M; i++) v += (xs[i] - mu) ** 2; return v / M;",
    ),
    cumsum: loop(
      "const o = new Float32Array(M); let s = 0; for (let i = 0; i < M; i++) o[i] = s += xs[i]; return o;",
    ),
    "softmax (rows of 1024)": loop(`const o = new Float32Array(M);
      for (let r = 0; r < M / R; r++) {
        let mx = -Infinity, z = 0;
        for (let c = 0; c < R; c++) mx = Math.max(mx, xs[r * R + c]);
        for (let c = 0; c < R; c++) z += o[r * R + c] = Math.exp(xs[r * R + c] - mx);
        for (let c = 0; c < R; c++) o[r * R + c] /= z;
      }
      return o;`),
    "transpose+contiguous 1024²": loop(
      "const o = new Float32Array(M); for (let i = 0; i < R; i++) for (let j = 0; j < R; j++) o[j * R + i] = xs[i * R + j]; return o;",
    ),
  };
  if (plain) {
    for (const [k, f] of Object.entries(plainOps)) out[`1M ${k}`] = time(7, () => f(xs, ys, M, R));
  } else {
    const a = cb.tensor(xs), b = cb.tensor(ys), m = a.reshape([R, R]);
    const ops: Record<string, () => cb.Tensor> = {
      add: () => a.add(b),
      sub: () => a.sub(b),
      mul: () => a.mul(b),
      div: () => a.div(b),
      maximum: () => a.maximum(b),
      gt: () => a.gt(b),
      exp: () => a.exp(),
      log: () => a.log(),
      sqrt: () => a.sqrt(),
      tanh: () => a.tanh(),
      sin: () => a.sin(),
      abs: () => a.abs(),
      sigmoid: () => a.sigmoid(),
      relu: () => a.relu(),
      gelu: () => a.gelu(),
      sum: () => a.sum(),
      mean: () => a.mean(),
      max: () => a.max(),
      argmax: () => a.argmax(),
      var: () => a.var(),
      cumsum: () => a.cumsum(0),
      "softmax (rows of 1024)": () => m.softmax(1),
      "transpose+contiguous 1024²": () => m.transpose().contiguous(),
    };
    for (const [k, f] of Object.entries(ops)) out[`1M ${k}`] = time(9, () => f().dispose());
  }
}

// conv2d: a 3x3 layer, 64 -> 64 channels on 64x64 images, batch 32, padding 1 (numpy: im2col
// through sliding_window_view, then one matmul, in bench/workloads.py)
if (!plain) {
  const x = cb.rand([32, 64, 64, 64], { seed: 11 }), w = cb.rand([64, 64, 3, 3], { seed: 12 });
  out["conv2d 32x64x64x64 3x3"] = time(5, () => cb.conv2d(x, w, { padding: 1 }).dispose());
  x.dispose();
  w.dispose();
}

// ---- layouts, small-call overheads and memory (cobalt only) -------------------------------------
if (!plain) {
  const x = cb.rand([1024, 1024], { dtype: "float64", seed: 13 }),
    y = cb.rand([1024, 1024], { dtype: "float64", seed: 14 });
  out["dgemm 1024"] = time(5, () => x.matmul(y).dispose());
  const bs = cb.rand([4096, 16, 16], { seed: 15 }), bt = cb.rand([4096, 16, 16], { seed: 16 });
  out["batched matmul 4096x(16x16)"] = time(7, () => bs.matmul(bt).dispose());
  const m1 = cb.rand([1024, 1024], { seed: 17 }), m2 = cb.rand([1024, 1024], { seed: 18 });
  out["matmul 1024 a @ b.T"] = time(7, () => m1.matmul(m2.T).dispose());
  const p = cb.rand([2048, 2048], { seed: 19 }), q = cb.rand([2048, 2048], { seed: 20 });
  const col = cb.rand([2048, 1], { seed: 21 }), row = cb.rand([2048], { seed: 22 });
  out["add 2048² contiguous"] = time(9, () => p.add(q).dispose());
  out["add 2048² a + b.T"] = time(9, () => p.add(q.T).dispose());
  out["add 2048² a + column (broadcast)"] = time(9, () => p.add(col).dispose());
  out["add 2048² a + row (broadcast)"] = time(9, () => p.add(row).dispose());
  const a4 = cb.tensor([1, 2, 3, 4]), b4 = cb.tensor([5, 6, 7, 8]);
  const K = 100_000;
  out["add (4 elements) left to the GC"] = time(5, () => {
    for (let i = 0; i < K; i++) a4.add(b4);
  }) / K;
  out["scope around a sync function"] = time(5, () => {
    for (let i = 0; i < K; i++) cb.scope(() => i);
  }) / K;
  const withData = time(5, () => {
    for (let i = 0; i < K / 10; i++) {
      const t = a4.add(b4);
      t.data;
      t.dispose();
    }
  }) / (K / 10);
  const without = time(5, () => {
    for (let i = 0; i < K / 10; i++) a4.add(b4).dispose();
  }) / (K / 10);
  lastRange = [0, 0, 0];
  out["t.data of a fresh 4-element result"] = Math.max(withData - without, 0);
  // async: awaited one at a time (the figure is the whole round trip)
  const xsA: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) (await a4.addAsync(b4)).dispose();
    xsA.push((performance.now() - t0) / 1000);
  }
  xsA.sort((u, v) => u - v);
  lastRange = [xsA[0], xsA[6], xsA[3]];
  out["async add (4 elements, awaited)"] = xsA[3];
  // peak RSS of a chain of ops on 16M float32 inside a scope (numpy: the same expression)
  const status = () => readFileSync("/proc/self/status", "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status())?.[1] ?? NaN);
  try {
    const xm = cb.rand([N], { seed: 23 }), wm = cb.rand([N], { seed: 24 }), bm = cb.rand([N], { seed: 25 });
    writeFileSync("/proc/self/clear_refs", "5"); // resets VmHWM to the current RSS
    const before = kb("VmRSS");
    cb.scope(() => xm.mul(wm).add(bm).relu().sum());
    mem["peak MB: x.mul(w).add(b).relu() 16M in a scope"] = (kb("VmHWM") - before) / 1024;
  } catch {
    // not Linux, or /proc not writable: no memory row
  }
}

// linear algebra in float64 against numpy's LAPACK (OpenBLAS) in bench/workloads.py
if (!plain) {
  const a = cb.normal(0, 1, [1024, 1024], { seed: 11, dtype: "float64" });
  const rhs = cb.normal(0, 1, [1024], { seed: 12, dtype: "float64" });
  out["linalg.solve 1024 f64"] = time(5, () => cb.linalg.solve(a, rhs).dispose());
  out["linalg.inv 1024 f64"] = time(5, () => cb.linalg.inv(a).dispose());
  const s = cb.normal(0, 1, [512, 512], { seed: 13, dtype: "float64" });
  const sym = s.add(s.mT);
  out["linalg.svd 512 f64"] = time(3, () => {
    const r = cb.linalg.svd(s);
    for (const t of [r.u, r.s, r.vh]) t.dispose();
  });
  out["linalg.eigh 512 f64"] = time(3, () => {
    const r = cb.linalg.eigh(sym);
    r.eigenvalues.dispose();
    r.eigenvectors.dispose();
  });
  for (const t of [a, rhs, s, sym]) t.dispose();
}

console.log(
  JSON.stringify({
    runtime: plain ? "plain JS (Deno)" : `cobalt (${cb.native.runtime})`,
    threads: cb.numThreads(),
    ms: out,
    spread,
    mem,
  }),
);
