/**
 * The WebAssembly backend against TensorFlow.js's wasm backend and plain JS, in Node, in one run:
 * `node bench/wasm.mjs` after `npm run build:wasm` and `bash scripts/build-js.sh --tests out`
 * (scripts/bench-wasm.sh does all of it). float32 everywhere, one thread for every contender
 * (cobalt's wasm build has one; TF.js's wasm backend is told to use one). Median of timed runs after
 * a warm-up, each run forced (TF.js `dataSync`, cobalt computes eagerly). Prints a markdown table and
 * one JSON line.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { bench, table } from "./wasm_core.mjs";

const here = dirname(fileURLToPath(import.meta.url));
// TF.js from bench/tfjs (npm ci there), resolved as its own packages resolve each other.
const req = createRequire(join(here, "tfjs/package.json"));
const tf = await import(req.resolve("@tensorflow/tfjs-core"));
const { setThreadsCount, setWasmPaths } = await import(req.resolve("@tensorflow/tfjs-backend-wasm"));
process.env.COBALT_WASM_PATH ??= join(here, "../dist/wasm/cobalt.wasm");
const cb = await import(join(here, "../out/web.js"));
if (cb.native.backend !== "wasm") throw new Error("cobalt did not load its WebAssembly build");

const tfWasm = dirname(req.resolve("@tensorflow/tfjs-backend-wasm")) + "/";
setWasmPaths(tfWasm);
setThreadsCount(1);
await tf.setBackend("wasm");
await tf.ready();

const rows = bench(cb, tf);
for (const l of table(rows, `Node ${process.version}`)) console.log(l);
console.log(JSON.stringify({ runtime: `Node ${process.version}`, rows }));
