/**
 * The WebAssembly backend against TensorFlow.js's wasm backend and plain JS (shared by the Node
 * driver bench/wasm.mjs and the browser page that scripts/bench-wasm.sh builds). `cb` is cobalt on
 * its WebAssembly backend, `tf` TF.js with its wasm backend set up, one thread each. Returns one row
 * per workload: milliseconds per operation (median of timed runs after a warm-up).
 */
export function bench(cb, tf) {
  const rows = [];
  function median(budgetMs, maxRounds, f) {
    f();
    const xs = [];
    const start = performance.now();
    while (xs.length < maxRounds && (xs.length < 3 || performance.now() - start < budgetMs)) {
      const t0 = performance.now();
      f();
      xs.push(performance.now() - t0);
    }
    xs.sort((a, b) => a - b);
    return xs[xs.length >> 1];
  }
  const tfRun = (op) => () => {
    const r = op();
    r.dataSync();
    r.dispose();
  };
  const cbRun = (op) => () => op().dispose();

  function rand(n, seed) {
    const x = new Float32Array(n);
    let s = seed;
    for (let i = 0; i < n; i++) {
      s = (s * 1664525 + 1013904223) >>> 0;
      x[i] = s / 2 ** 32;
    }
    return x;
  }

  function row(name, fCb, fTf, fJs, budget = 2000, rounds = 15) {
    const c = median(budget, rounds, fCb),
      t = median(budget, rounds, fTf),
      j = fJs ? median(budget, rounds, fJs) : NaN;
    rows.push({ name, cobalt: c, tfjs: t, js: j });
  }

  {
    const n = 1 << 20;
    const x = rand(n, 1), y = rand(n, 2);
    const a = cb.tensor(x), b = cb.tensor(y), ta = tf.tensor1d(x), tb = tf.tensor1d(y);
    const out = new Float32Array(n);
    row("add 1M", cbRun(() => a.add(b)), tfRun(() => tf.add(ta, tb)), () => {
      for (let i = 0; i < n; i++) out[i] = x[i] + y[i];
    });
    row("sum 1M", () => a.sum().dispose(), tfRun(() => tf.sum(ta)), () => {
      let s = 0;
      for (let i = 0; i < n; i++) s += x[i];
      return s;
    });
  }
  {
    const [r, c] = [1024, 1024];
    const x = rand(r * c, 3);
    const a = cb.tensor(x, { shape: [r, c] }), ta = tf.tensor2d(x, [r, c]);
    const out = new Float32Array(r * c);
    row("softmax 1024x1024", cbRun(() => a.softmax(1)), tfRun(() => tf.softmax(ta)), () => {
      for (let i = 0; i < r; i++) {
        let m = -Infinity, s = 0;
        for (let j = 0; j < c; j++) m = Math.max(m, x[i * c + j]);
        for (let j = 0; j < c; j++) s += out[i * c + j] = Math.exp(x[i * c + j] - m);
        for (let j = 0; j < c; j++) out[i * c + j] /= s;
      }
    });
  }
  for (const n of [256, 512, 1024]) {
    const x = rand(n * n, 4), y = rand(n * n, 5);
    const a = cb.tensor(x, { shape: [n, n] }), b = cb.tensor(y, { shape: [n, n] });
    const ta = tf.tensor2d(x, [n, n]), tb = tf.tensor2d(y, [n, n]);
    const out = new Float32Array(n * n);
    const js = n <= 512
      ? () => {
        out.fill(0);
        for (let i = 0; i < n; i++) {
          for (let k = 0; k < n; k++) {
            const v = x[i * n + k];
            for (let j = 0; j < n; j++) out[i * n + j] += v * y[k * n + j];
          }
        }
      }
      : undefined;
    row(`matmul ${n}`, cbRun(() => a.matmul(b)), tfRun(() => tf.matMul(ta, tb)), js, 3000, n >= 1024 ? 5 : 9);
  }

  return rows;
}

/** The rows as a markdown table. */
export function table(rows, where) {
  const f = (v) => (v == null || Number.isNaN(v) ? "—" : v < 1 ? v.toFixed(3) : v.toFixed(2));
  return [
    `${where}, one thread each; ms per operation (median)`,
    "",
    "| workload | cobalt wasm | TF.js wasm | plain JS | TF.js / cobalt |",
    "|---|---|---|---|---|",
    ...rows.map((r) =>
      `| ${r.name} | ${f(r.cobalt)} | ${f(r.tfjs)} | ${f(r.js)} | ${(r.tfjs / r.cobalt).toFixed(2)}x |`
    ),
  ];
}
