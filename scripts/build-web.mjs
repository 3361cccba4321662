// The browser build (`npm run build:web`), from the same sources as every other runtime:
//   dist/web/cobalt.js     web.ts bundled into one ES module (esbuild), `node:*` imports replaced by
//                          ffi/web_node.ts; it loads cobalt.wasm from beside itself
//   dist/web/cobalt.wasm   the WebAssembly core (npm run build:wasm)
//   dist/web-test/         tests/wasm_smoke.ts bundled the same way (node:assert -> tests/browser/assert.ts)
//                          with an index.html that runs it, for scripts/test-browser.mjs
import { build } from "esbuild";
import { copyFileSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const wasm = join(root, "dist/wasm/cobalt.wasm");
try {
  statSync(wasm);
} catch {
  console.error("build-web: no dist/wasm/cobalt.wasm: run npm run build:wasm first");
  process.exit(1);
}

/** Every `node:*` import resolves to the browser stand-ins. */
const browserShims = {
  name: "cobalt-browser-shims",
  setup(b) {
    b.onResolve({ filter: /^node:assert/ }, () => ({ path: join(root, "tests/browser/assert.ts") }));
    b.onResolve({ filter: /^node:/ }, () => ({ path: join(root, "ffi/web_node.ts") }));
    // The Bun and Node adapters (computed specifiers) are never imported in a browser.
  },
};
const common = {
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  plugins: [browserShims],
  logLevel: "warning",
  // Computed dynamic imports ("./bun" + ".ts", koffi, platform packages) stay as they are.
  logOverride: { "unsupported-dynamic-import": "silent" },
};
const out = join(root, "dist/web"), test = join(root, "dist/web-test");
for (const d of [out, test]) mkdirSync(d, { recursive: true });
await build({ ...common, entryPoints: [join(root, "web.ts")], outfile: join(out, "cobalt.js") });
copyFileSync(wasm, join(out, "cobalt.wasm"));
await build({ ...common, entryPoints: [join(root, "tests/wasm_smoke.ts")], outfile: join(test, "smoke.js") });
copyFileSync(wasm, join(test, "cobalt.wasm"));
writeFileSync(
  join(test, "index.html"),
  `<!doctype html>
<meta charset="utf-8">
<title>cobalt wasm smoke</title>
<pre id="out">running</pre>
<script type="module">
  let report;
  try {
    await import("./smoke.js");
    report = globalThis.__cobaltSmoke;
  } catch (e) {
    report = { lines: [], passed: 0, failed: 1, error: String(e && e.stack || e) };
  }
  document.getElementById("out").textContent = JSON.stringify(report, null, 1);
  await fetch("/results", { method: "POST", body: JSON.stringify(report) });
</script>
`,
);
const kb = (f) => (statSync(f).size / 1024).toFixed(0) + " KB";
console.log(
  `build-web: dist/web/cobalt.js ${kb(join(out, "cobalt.js"))} + cobalt.wasm ${kb(join(out, "cobalt.wasm"))}`,
);
