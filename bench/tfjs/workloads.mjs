/**
 * The benchmark workloads in TensorFlow.js (Node), for one backend: `node workloads.mjs cpu|wasm`.
 * Prints one JSON line of milliseconds per operation, like bench/workloads.ts. TF.js is slow on
 * the big matmuls (the cpu backend is plain JS), so each workload gets a time budget: at least one
 * timed run, then more while the budget lasts (median of the runs).
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import { dirname } from "node:path";

const backend = process.argv[2] ?? "cpu";
if (backend === "wasm") {
  const dist = dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm")) + "/";
  setWasmPaths(dist);
}
await tf.setBackend(backend);
await tf.ready();

function time(budgetMs, maxRounds, f) {
  f(); // warm-up
  const xs = [];
  const start = performance.now();
  while (xs.length < maxRounds && (xs.length === 0 || performance.now() - start < budgetMs)) {
    const t0 = performance.now();
    f();
    xs.push(performance.now() - t0);
  }
  xs.sort((a, b) => a - b);
  return xs[xs.length >> 1];
}
/** Runs `op`, forces the result (dataSync) and frees it. */
const run = (op) => () => {
  const r = op();
  r.dataSync();
  r.dispose();
};

const N = 1 << 24;
const out = {};
const a4 = tf.tensor1d([1, 2, 3, 4]), b4 = tf.tensor1d([5, 6, 7, 8]);
out["tiny add (4 elements)"] = time(2000, 5, () => {
  for (let i = 0; i < 10_000; i++) run(() => tf.add(a4, b4))();
}) / 10_000;
const a = tf.randomUniform([N]), b = tf.randomUniform([N]);
out["add 16M"] = time(3000, 7, run(() => tf.add(a, b)));
const a1 = tf.randomUniform([1 << 20]), b1 = tf.randomUniform([1 << 20]);
out["add 1M"] = time(2000, 9, run(() => tf.add(a1, b1)));
out["mul 16M"] = time(3000, 7, run(() => tf.mul(a, b)));
out["sum 16M"] = time(3000, 7, run(() => tf.sum(a)));
const s = tf.randomUniform([4096, 1024]);
out["softmax 4096x1024"] = time(3000, 7, run(() => tf.softmax(s)));
const t = tf.randomUniform([4096, 4096]);
out["transpose+contiguous 4096²"] = time(3000, 5, run(() => tf.transpose(t)));
for (const n of [256, 512, 1024, 2048]) {
  const x = tf.randomUniform([n, n]), y = tf.randomUniform([n, n]);
  const t0 = performance.now();
  run(() => tf.matMul(x, y))();
  const once = performance.now() - t0;
  // one untimed run told us the cost: past 20 s, report that run instead of repeating it
  out[`matmul ${n}`] = once > 20_000 ? once : time(5000, 5, run(() => tf.matMul(x, y)));
  tf.dispose([x, y]);
  if (once > 20_000) break;
}
console.log(JSON.stringify({ runtime: `TF.js ${backend} (Node)`, ms: out }));
