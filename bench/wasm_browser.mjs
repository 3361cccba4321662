/**
 * The browser side of the WebAssembly bench: bundled by scripts/bench-wasm.sh with cobalt's web
 * build and TF.js, opened in headless Chromium by scripts/test-browser.mjs; posts the table back.
 */
import * as cb from "../web.ts";
import * as tf from "@tensorflow/tfjs-core";
import { setThreadsCount, setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { bench, table } from "./wasm_core.mjs";

let report;
try {
  setWasmPaths(new URL("./", import.meta.url).href); // the tfjs-backend-wasm*.wasm files beside the bundle
  setThreadsCount(1);
  await tf.setBackend("wasm");
  await tf.ready();
  const rows = bench(cb, tf);
  const where = navigator.userAgent.match(/(HeadlessChrome|Chrome)\/[\d.]+/)?.[0] ?? "a browser";
  report = {
    lines: [...table(rows, where), JSON.stringify({ runtime: where, rows })],
    passed: rows.length,
    failed: 0,
  };
} catch (e) {
  report = { lines: [String(e?.stack ?? e)], passed: 0, failed: 1 };
}
globalThis.__cobaltSmoke = report;
