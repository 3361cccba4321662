#!/usr/bin/env bash
# The WebAssembly bench (`npm run bench:wasm`): cobalt's wasm backend against TensorFlow.js's wasm
# backend and plain JS, one thread each, in Node (bench/wasm.mjs) and in headless Chromium (the
# same workloads, bench/wasm_core.mjs, bundled with esbuild). Needs dist/wasm/cobalt.wasm
# (npm run build:wasm) and installs TF.js into bench/tfjs. Prints both tables.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
[ -f dist/wasm/cobalt.wasm ] || die "no dist/wasm/cobalt.wasm: run npm run build:wasm first"
(cd bench/tfjs && npm ci --no-audit --no-fund --silent)
bash scripts/build-js.sh --tests out >/dev/null
say "Node"
node bench/wasm.mjs
say "Chromium"
OUT="$ROOT/dist/bench-web"
mkdir -p "$OUT"
# TF.js resolves from bench/tfjs/node_modules (NODE_PATH, which esbuild honours).
NODE_PATH="$ROOT/bench/tfjs/node_modules" esbuild bench/wasm_browser.mjs --bundle --format=esm --platform=browser --target=es2022 \
  --outfile="$OUT/bench.js" --log-level=warning \
  --alias:node:fs=./ffi/web_node.ts --alias:node:fs/promises=./ffi/web_node.ts --alias:node:os=./ffi/web_node.ts \
  --alias:node:path=./ffi/web_node.ts --alias:node:url=./ffi/web_node.ts --alias:node:async_hooks=./ffi/web_node.ts \
  --alias:node:worker_threads=./ffi/web_node.ts --log-override:unsupported-dynamic-import=silent
cp dist/wasm/cobalt.wasm "$OUT/"
cp bench/tfjs/node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$OUT/"
cat >"$OUT/index.html" <<'HTML'
<!doctype html>
<meta charset="utf-8">
<title>cobalt wasm bench</title>
<script type="module">
  await import("./bench.js");
  await fetch("/results", { method: "POST", body: JSON.stringify(globalThis.__cobaltSmoke) });
</script>
HTML
COBALT_BROWSER_TIMEOUT=300000 node scripts/test-browser.mjs "$OUT" index.html | grep -v '^browser:'
